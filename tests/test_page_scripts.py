"""Pages behave as in a browser tab: Datasette's JavaScript, plugins, POST forms, writes, downloads.

Real JupyterLab and headless Chromium; the bytes downloaded are compared with
what Datasette itself answers for the same path.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from pathlib import Path

import pytest
from support.databases import datasette_answer, make_notes_db
from support.lab import SQL_EDITOR, answer_dialogs, open_notebook, open_widget, query_page, widget_cells
from support.plugin import expect_plugin_ran, install_cell

pytestmark = pytest.mark.browser


def expect_stored(frame, key: str, value: str) -> None:
    """The page in `frame` comes to read `value` at `key` in its localStorage."""
    seen = frame.locator("body").evaluate(
        """(_, [key, value]) => new Promise((resolve) => {
            const check = () => (localStorage.getItem(key) === value ? resolve(value) : setTimeout(check, 50));
            check();
            setTimeout(() => resolve(localStorage.getItem(key)), 10000);
        })""",
        [key, value],
    )
    assert seen == value


def test_cog_menu_sorts_facets_and_hides_keeping_filters(page, lab):
    nb = open_widget(page, lab, "cog.ipynb", '%datasette fixtures.db --path "/fixtures/facetable?state=CA"')
    frame = nb.frame()
    frame.get_by_text('100 rows where state = "CA"').wait_for()

    def choose(column: str, item: str) -> None:
        frame.locator(f"th.col-{column} .dropdown-menu-icon").click()
        # By the item's words: the menus of 0.65 and 1.0 share those, not classes.
        frame.locator(".dropdown-menu a", has_text=re.compile(f"^{item}$")).click()

    # table.js reads the page's query string from `location`: the filter stays.
    choose("score", "Sort descending")
    frame.locator("th.col-score", has_text="score ▲").wait_for()
    assert nb.address() == "/fixtures/facetable?state=CA&_sort_desc=score"
    nb.expect_kernel_path("/fixtures/facetable?state=CA&_sort_desc=score")

    choose("city", "Facet by this")
    frame.locator(".facet-info[data-column=city]").wait_for()
    assert nb.address() == "/fixtures/facetable?state=CA&_sort_desc=score&_facet=city"

    choose("created", "Hide this column")
    frame.locator("a", has_text="Show all columns").or_(frame.locator("th.col-score")).first.wait_for()
    frame.locator("th.col-created").wait_for(state="detached")
    assert "_nocol=created" in nb.address()
    # One menu on the page: the previous pages' scripts left nothing behind.
    assert frame.locator(".dropdown-menu").count() == 1


def test_codemirror_runs_with_shift_enter_and_the_button(page, lab):
    nb = open_widget(page, lab, "editor.ipynb", "%datasette fixtures.db --path /fixtures")
    frame = nb.frame()
    frame.locator(SQL_EDITOR).first.wait_for()
    assert not frame.locator("textarea#sql-editor").is_visible()

    nb.type_sql("select 2 + 3 as five")
    page.keyboard.press("Shift+Enter")
    frame.locator("td.col-five", has_text="5").wait_for()
    assert nb.address() == query_page("fixtures") + "?sql=select+2+%2B+3+as+five"

    # The query page has its own editor; the button submits what was typed there.
    frame.locator(SQL_EDITOR).first.wait_for()
    nb.type_sql("select 6 * 7 as answer")
    frame.locator("input[type=submit][value='Run SQL']").click()
    frame.locator("td.col-answer", has_text="42").wait_for()
    nb.expect_kernel_path(query_page("fixtures") + "?sql=select+6+*+7+as+answer")


def test_plugin_script_and_stylesheet_run_with_fetch_and_xhr(page, lab):
    cells = [
        install_cell(),
        *widget_cells("%datasette fixtures.db --path /fixtures/facetable"),
        'print("visits:", w._local_storage["jld-visits"])\nw',
    ]
    nb = open_notebook(page, lab, "plugin.ipynb", cells)
    for cell in range(5):
        nb.run_cell(cell)
    nb.wait_for_output(0, "plugin registered")
    frame = nb.frame()
    expect_plugin_ran(frame, "/fixtures/facetable")
    note = frame.locator("#jld-plugin")

    # history.pushState moves the widget's address, and the kernel's w.path, with no new page.
    frame.locator("#jld-plugin-push").click()
    frame.locator("#jld-plugin[data-pushed='?pushed=1 1']").wait_for()
    assert nb.address() == "/fixtures/facetable?pushed=1"
    nb.expect_kernel_path("/fixtures/facetable?pushed=1", probe_cell=4)
    assert note.count() == 1

    # On the next page the plugin runs again, once: the old page's listeners are gone.
    frame.locator(".crumbs a[href='/fixtures']").click()
    frame.locator("#jld-plugin", has_text="plugin ran on /fixtures").wait_for()
    frame.locator("#jld-plugin[data-visits='2 kept']").wait_for()
    frame.locator("a[href='/fixtures/states']").first.click()
    frame.locator("h1", has_text="states").wait_for()
    frame.locator("#jld-plugin", has_text="plugin ran on /fixtures/states").wait_for()
    page.wait_for_timeout(300)
    assert note.count() == 1

    # A page script sets location.href: the widget navigates there through the kernel.
    frame.locator("#jld-plugin-go").click()
    frame.get_by_text('1 row where code = "MI"').wait_for()
    assert nb.address() == "/fixtures/states?code=MI"
    # location.replace takes that page's place: Back skips it, as in a tab.
    frame.locator("#jld-plugin-replace").click()
    frame.get_by_text('1 row where code = "CA"').wait_for()
    assert nb.address() == "/fixtures/states?code=CA"
    nb.widget().get_by_role("button", name="Back").click()
    frame.locator("#jld-plugin", has_text=re.compile("^plugin ran on /fixtures/states$")).wait_for()
    assert nb.address() == "/fixtures/states"

    # A page asked for as a browser asks for one: with its Accept header; and without the
    # cookies page scripts set, which stay in the frame, as Datasette's stay in the kernel.
    set_cookies = """() => {
        document.cookie = "theme=dark; path=/; max-age=3600";
        document.cookie = "gone=1; SameSite=Lax";
        document.cookie = "gone=; expires=Thu, 01 Jan 1970 00:00:00 GMT";
        document.cookie = "big=" + "x".repeat(5000);
        return document.cookie;
    }"""
    assert frame.locator("body").evaluate(set_cookies) == "theme=dark"
    nb.go("/-/jld-request-headers")
    assert frame.locator("#jld-accept").inner_text().startswith("text/html,")
    assert "theme" not in frame.locator("#jld-cookie").inner_text()
    assert frame.locator("body").evaluate("() => document.cookie") == "theme=dark"

    # localStorage is the widget's, kept in the kernel: a second view of it shares it, and
    # the first view sees the second's change; sessionStorage is each view's own.
    visits = int(frame.locator("body").evaluate("() => localStorage.getItem('jld-visits')"))
    nb.run_cell(5)
    nb.wait_for_output(5, f"visits: {visits}")
    second = nb.frame(1)
    nb.go("/fixtures", nth=1)
    second.locator(f"#jld-plugin[data-visits='{visits + 1} kept']").wait_for()
    expect_stored(frame, "jld-visits", str(visits + 1))
    assert frame.locator("body").evaluate("() => Object.keys(sessionStorage)") == ["jld-session"]
    second.locator("body").evaluate("() => { sessionStorage.clear(); localStorage.extra = 'x'; }")
    expect_stored(frame, "extra", "x")
    assert frame.locator("body").evaluate("() => sessionStorage.getItem('jld-session')") == "kept"

    # Each area holds 5 million characters, as in a browser: past that, setItem throws and keeps
    # what was there; replacing an item counts only its new size.
    quota = second.locator("body").evaluate("""() => {
        const big = "x".repeat(2_000_000);
        localStorage.setItem("big", big);
        localStorage.setItem("big", big + "y");
        let refused = null;
        try { localStorage.setItem("more", big + big); } catch (error) { refused = error.name; }
        localStorage.removeItem("big");
        localStorage.setItem("more", big + big);
        return { refused, more: localStorage.getItem("more").length, keys: Object.keys(localStorage).sort() };
    }""")
    assert quota == {"refused": "QuotaExceededError", "more": 4_000_000, "keys": ["extra", "jld-visits", "more"]}


#: A database page whose buttons open dialogs and copy, and a table page that asks and copies at
#: once as it loads.
GESTURE_METADATA = {
    "databases": {
        "fixtures": {
            "description_html": (
                "<button id='ask' onclick='document.body.dataset.answer = confirm(\"Sure?\")'>ask</button>"
                "<button id='tell' onclick='alert(\"Told.\"); document.body.dataset.told = 1'>tell</button>"
                "<button id='copy' onclick='navigator.clipboard.writeText(\"copied from the page\")"
                '.then(() => document.body.dataset.copied = "yes")\'>copy</button>'
                "<a id='made' download='made.txt' href='data:text/plain,made%20by%20the%20page'>made</a>"
                '<button id=\'export\' onclick=\'const a = document.createElement("a"); a.download = "export.csv";'
                ' a.href = window.URL.createObjectURL(new Blob(["a,b\\n1,2\\n"])); a.click()\'>export</button>'
            ),
            "tables": {
                "facetable": {
                    "description_html": (
                        "<script>document.body.dataset.asked = confirm('At once?');"
                        "navigator.clipboard.writeText('copied at once').catch((e) => document.body.dataset.copied = e.name);"
                        "const a = document.createElement('a'); a.download = 'at-once.txt'; a.href = 'data:,x'; a.click()"
                        "</script>"
                    )
                }
            },
        }
    }
}


def test_dialogs_copies_and_files_the_page_makes_follow_the_users_click(page, lab):
    """confirm() and alert() show the browser's dialog, a Copy button writes the clipboard, and a
    file the page makes downloads, when the user's click asks, as in a tab; a page that asks as
    it loads is refused, even right after the click that led to it."""
    (lab.root / "gestures.json").write_text(json.dumps(GESTURE_METADATA))
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    nb = open_widget(page, lab, "gestures.ipynb", "%datasette fixtures.db -m gestures.json --path /fixtures")
    frame = nb.frame()
    shown = answer_dialogs(page, [True])
    frame.locator("#ask").click()
    frame.locator("body[data-answer='true']").wait_for()
    frame.locator("#ask").click()
    frame.locator("body[data-answer='false']").wait_for()
    frame.locator("#tell").click()
    frame.locator("body[data-told='1']").wait_for()
    assert shown == ["confirm Sure?", "confirm Sure?", "alert Told."]
    frame.locator("#copy").click()
    frame.locator("body[data-copied='yes']").wait_for()
    assert page.evaluate("() => navigator.clipboard.readText()") == "copied from the page"

    for button, name, content in (("#made", "made.txt", b"made by the page"), ("#export", "export.csv", b"a,b\n1,2\n")):
        with page.expect_download() as download:
            frame.locator(button).click()
        assert download.value.suggested_filename == name
        assert Path(download.value.path()).read_bytes() == content
    downloads: list[str] = []
    page.on("download", lambda download: downloads.append(download.suggested_filename))

    frame.locator("a[href='/fixtures/facetable']").first.click()
    frame.locator("body[data-asked='false'][data-copied='NotAllowedError']").wait_for()
    page.wait_for_timeout(500)
    assert len(shown) == 3
    assert page.evaluate("() => navigator.clipboard.readText()") == "copied from the page"
    assert downloads == []


@pytest.mark.parametrize("write", [True, False], ids=["writes-on", "writes-off"])
def test_write_canned_query(page, lab, write):
    name = f"notes_{'on' if write else 'off'}"
    db_path = make_notes_db(lab.root / f"{name}.db", lab.root / f"{name}.json")
    before = hashlib.sha256(db_path.read_bytes()).hexdigest()
    flag = " --write" if write else ""
    nb = open_widget(page, lab, f"{name}.ipynb", f"%datasette {name}.db -m {name}.json --path /{name}/add_note{flag}")
    frame = nb.frame()
    frame.locator("input[name=body]").fill("written from the widget")
    run = frame.locator("input[type=submit][value='Run SQL']")

    if write:
        # A POST with Datasette's CSRF token, kept in the widget's cookie jar.
        run.click()
        frame.locator(".message-info", has_text="Query executed, 1 row affected").wait_for()
        with sqlite3.connect(db_path) as conn:
            assert conn.execute("select body from notes").fetchall() == [("written from the widget",)]
        frame.locator("a[href='/" + name + "']").first.click()
        frame.locator(f"a[href='/{name}/notes']").first.click()
        frame.locator("td.col-body", has_text="written from the widget").wait_for()
    else:
        # Datasette refuses, visibly, and the file stays as it was.
        frame.locator(".message-error", has_text="the database is immutable").wait_for()
        assert run.is_disabled()
        # Even a forced submission is refused in the kernel.
        run.evaluate("button => { button.disabled = false; }")
        run.click()
        frame.locator("h1", has_text="Forbidden").wait_for()
        frame.get_by_text("Database is immutable").wait_for()
        assert hashlib.sha256(db_path.read_bytes()).hexdigest() == before


def test_downloads_are_real_files_with_datasettes_bytes(page, lab):
    db = lab.root / "fixtures.db"
    nb = open_widget(page, lab, "downloads.ipynb", "%datasette fixtures.db --path /fixtures/facetable")
    frame = nb.frame()
    frame.get_by_text("300 rows").wait_for()

    # The CSV export link.
    csv_link = frame.locator("a[href*='.csv']", has_text="CSV").first
    csv_path = csv_link.get_attribute("href")
    with page.expect_download() as download:
        csv_link.click()
    assert download.value.suggested_filename == "facetable.csv"
    assert Path(download.value.path()).read_bytes() == datasette_answer(db, csv_path)
    assert nb.address() == "/fixtures/facetable"  # the page stays, as in a tab

    # Advanced export: download file + stream all rows.
    form = frame.locator("form[action$='.csv']")
    form.locator("input[name=_dl]").check()
    form.locator("input[name=_stream]").check()
    stream_path = form.evaluate("f => f.getAttribute('action') + '?' + new URLSearchParams(new FormData(f))")
    with page.expect_download() as download:
        form.locator("input[type=submit][value='Export CSV']").click()
    assert download.value.suggested_filename == "facetable.csv"
    streamed = Path(download.value.path()).read_bytes()
    assert streamed == datasette_answer(db, stream_path)
    assert streamed.count(b"\n") == 301  # every row, not one page

    # JSON opens as readable text, with a button that saves the exact bytes.
    frame.locator("a", has_text="json").first.click()
    frame.locator("body.jld-text pre").wait_for()
    shown = json.loads(frame.locator("pre").inner_text())
    assert shown["rows"] and "\n  " in frame.locator("pre").inner_text()
    with page.expect_download() as download:
        nb.widget().locator("button.jld-download").click()
    assert download.value.suggested_filename == "facetable.json"
    assert json.loads(Path(download.value.path()).read_bytes())["rows"] == shown["rows"]

    # The whole database, binary intact.
    nb.go("/fixtures")
    frame.locator("h1", has_text="fixtures").wait_for()
    assert nb.widget().locator("button.jld-download").is_hidden()
    with page.expect_download() as download:
        frame.locator("a[href='/fixtures.db']").click()
    assert download.value.suggested_filename == "fixtures.db"
    assert Path(download.value.path()).read_bytes() == db.read_bytes()
