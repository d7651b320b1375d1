"""End to end in real JupyterLab and headless Chromium: click, submit, type, go back."""

from __future__ import annotations

import hashlib
import json
import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect
from support.databases import STATES
from support.lab import (
    APPLY_FILTERS,
    SQL_EDITOR,
    NotebookPage,
    open_notebook,
    open_widget,
    query_page,
    write_notebook,
)

pytestmark = pytest.mark.browser

TESTS = Path(__file__).parent

SETUP = [
    "%load_ext jupyterlite_datasette",
    "%datasette fixtures.db -m meta.yml --height 520",
    "w = _",
    'print("path:", w.path)',
]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


#: A cell that gives the kernel's Datasettes the test routes (support/routes.py: a slow page, a failing one).
REGISTER_TEST_ROUTES = (
    f"import sys; sys.path.insert(0, {str(TESTS)!r})\n"
    "from support.routes import register_misbehaving_routes\n"
    "register_misbehaving_routes()"
)


def run_setup(nb: NotebookPage) -> None:
    for index in range(len(SETUP)):
        nb.run_cell(index)
    nb.wait_for_output(3, "path: /")


def expect_heading(frame, text: str) -> None:
    frame.locator("h1", has_text=text).first.wait_for(timeout=20_000)


def test_browse_click_filter_query_history_address(page, lab):
    before = digest(lab.root / "fixtures.db")
    nb = open_notebook(page, lab, "browse.ipynb", SETUP)
    lab_font = page.evaluate("getComputedStyle(document.body).fontFamily")
    run_setup(nb)
    frame = nb.frame()
    expect_heading(frame, "Test instance")

    # Datasette's CSS came through the kernel and applies inside the frame only.
    # (A colour on 0.65; a gradient on 1.0.)
    header = frame.locator("header").first.evaluate(
        "e => [getComputedStyle(e).backgroundColor, getComputedStyle(e).backgroundImage]"
    )
    assert header[0] not in ("rgba(0, 0, 0, 0)", "transparent") or header[1] != "none", header
    assert page.evaluate("getComputedStyle(document.body).fontFamily") == lab_font
    sandbox = nb.widget().locator("iframe").get_attribute("sandbox")
    assert "allow-same-origin" not in sandbox.split()

    # Click a database, then a table.
    frame.locator("a[href='/fixtures']").first.click()
    expect_heading(frame, "fixtures")
    nb.expect_kernel_path("/fixtures")
    frame.locator("a[href='/fixtures/facetable']").first.click()
    expect_heading(frame, "facetable")
    frame.get_by_text("300 rows").wait_for()
    nb.expect_kernel_path("/fixtures/facetable")

    # The filter form: state = NY.
    frame.locator("select[name=_filter_column]").select_option("state")
    frame.locator("input[name=_filter_value]").fill("NY")
    frame.locator(APPLY_FILTERS).click()
    frame.get_by_text('100 rows where state = "NY"').wait_for()
    assert "state" in nb.address() and "NY" in nb.address()
    nb.expect_kernel_path(nb.address())

    # A facet link and a sort link.
    frame.locator("a[href*='_facet=city']").first.click()
    frame.locator(".facet-info-name", has_text="city").wait_for()
    frame.locator("th a", has_text="score").first.click()
    frame.locator("th", has_text="score ▼").wait_for()
    assert "_sort=score" in nb.address()

    # A SQL query through the database page's form.
    nb.go("/fixtures")
    expect_heading(frame, "fixtures")
    nb.type_sql("select city, count(*) as n from facetable group by city order by city")
    frame.locator("input[type=submit][value='Run SQL']").click()
    frame.locator("td.col-n").first.wait_for()
    assert frame.locator("td.col-n").count() == 7
    sql_path = nb.address()
    assert sql_path.startswith(query_page("fixtures") + "?sql=select+city")
    nb.expect_kernel_path(sql_path)

    # Back and forward with the toolbar.
    nb.widget().get_by_role("button", name="Back").click()
    # The query page has the SQL editor too: wait for its results to go.
    frame.locator("td.col-n").first.wait_for(state="detached")
    frame.locator(SQL_EDITOR).first.wait_for()
    assert nb.address() == "/fixtures"
    nb.widget().get_by_role("button", name="Back").click()
    frame.locator("th", has_text="score ▼").wait_for()
    nb.expect_kernel_path(nb.address())
    nb.widget().get_by_role("button", name="Forward").click()
    nb.widget().get_by_role("button", name="Forward").click()
    frame.locator("td.col-n").first.wait_for()
    assert nb.address() == sql_path
    assert nb.widget().get_by_role("button", name="Forward").is_disabled()

    # Typing a path in the address field, or the URL the widget's links have ("Copy link address").
    nb.go("/fixtures/states")
    expect_heading(frame, "states")
    frame.locator("td", has_text="Michigan").wait_for()
    nb.expect_kernel_path("/fixtures/states")
    link = frame.locator("a[href='/fixtures']").first.evaluate("(a) => a.href")
    assert link == "http://localhost/fixtures"
    nb.go(link)
    expect_heading(frame, "fixtures")
    assert nb.address() == "/fixtures"
    # Another site's URL asks first, as a link to it does; the page stays.
    prompt = nb.widget().locator(".jld-external")
    nb.go("https://datasette.io/plugins")
    prompt.get_by_text("The address is on another site: https://datasette.io/plugins").wait_for()
    prompt.get_by_role("button", name="Cancel").click()
    assert nb.address() == "/fixtures"
    nb.go("/fixtures/states")
    expect_heading(frame, "states")
    # Ctrl+S in the address field saves the notebook; the field keeps every other key from JupyterLab.
    nb.widget().locator(".jld-address input").click()
    nb.save_after_snapshot("/fixtures/states", keys="Control+s")
    assert digest(lab.root / "fixtures.db") == before


def test_notebook_7_shows_the_widget(page, lab):
    """The same widget in Notebook 7 on the same server: it browses, w.path follows, and Ctrl+S
    typed in its page saves the notebook, outputs and all."""
    write_notebook(lab.root / "notebook7.ipynb", SETUP)
    thrown_at: dict[str, str] = {}
    page.on("pageerror", lambda error: thrown_at.setdefault(str(error), top_frame(error.stack)))
    nb = NotebookPage(page, f"{lab.base}/notebooks/notebook7.ipynb?token={lab.token}", status_bar=False)
    run_setup(nb)
    frame = nb.frame()
    frame.locator("a[href='/fixtures']").first.click()
    frame.locator("a[href='/fixtures/states']").first.click()
    expect_heading(frame, "states")
    assert nb.address() == "/fixtures/states"
    nb.expect_kernel_path("/fixtures/states")
    frame.locator("h1").first.click()
    nb.save_after_snapshot("/fixtures/states", keys="Control+s")
    saved = json.loads((lab.root / "notebook7.ipynb").read_text())
    assert "Datasette page /fixtures/states" in json.dumps(saved["cells"][1]["outputs"])
    # Notebook 7.6 served by JupyterLab's server throws now and then in its own code, on a
    # notebook with no widget as well (its shortcuts plugin as a kernel is chosen, a file browser
    # command it has not registered): those errors are Notebook's, not the widget's.
    page.uncaught_errors[:] = [
        error for error in page.uncaught_errors if "/static/notebook/" not in thrown_at.get(error, "")
    ]


def top_frame(stack: str | None) -> str:
    """Where an error was thrown: the first frame of its `stack`."""
    return next((line.strip() for line in (stack or "").splitlines() if line.strip().startswith("at ")), "")


def test_python_navigates_and_pages_other_than_html(page, lab):
    cells = SETUP + [
        "w.navigate('/fixtures/facetable?_sort_desc=score')",
        "w.path = '/fixtures/facetable/'",
    ]
    nb = open_notebook(page, lab, "python-api.ipynb", cells)
    run_setup(nb)
    frame = nb.frame()
    expect_heading(frame, "Test instance")

    nb.run_cell(4)
    frame.locator("th", has_text="score ▲").wait_for()
    assert nb.address() == "/fixtures/facetable?_sort_desc=score"
    # A redirect: the page shown and .path end at the final path.
    nb.run_cell(5)
    # The sorted page says "300 rows" too: wait until it has gone.
    frame.locator("th", has_text="score ▲").wait_for(state="detached")
    frame.get_by_text("300 rows").wait_for()
    nb.expect_kernel_path("/fixtures/facetable")
    assert nb.address() == "/fixtures/facetable"

    # A JSON link shows pretty-printed JSON.
    frame.locator("a", has_text="json").first.click()
    frame.locator("body.jld-text pre").wait_for()
    text = frame.locator("body.jld-text pre").inner_text()
    assert text.startswith("{\n  ")
    assert '"rows": [' in text and '"next": "100"' in text

    # Datasette's own error page.
    nb.go("/fixtures/no_such_table")
    frame.get_by_text("Table not found").wait_for()
    assert nb.widget().locator(".jld-error").is_hidden()


def test_fragments_external_links_and_reload(page, lab):
    nb = open_notebook(page, lab, "links.ipynb", SETUP)
    run_setup(nb)
    frame = nb.frame()
    expect_heading(frame, "Test instance")

    # A fragment link scrolls inside the page and does not navigate.
    frame.locator("#jump").click()
    frame.locator("#far-below").wait_for()
    assert frame.locator("body").evaluate("() => window.scrollY") > 1000
    assert nb.address() == "/"

    # External links ask first, in the widget's own bar, then open in a new
    # tab without an opener. (The tab gets a stand-in page: the tests never
    # reach the internet.)
    page.context.route(
        "https://datasette.io/**",
        lambda route: route.fulfill(body="<p>outside</p>", content_type="text/html"),
    )
    prompt = nb.widget().locator(".jld-external")
    frame.locator("a[href^='https://datasette.io']").first.click()
    prompt.get_by_text("https://datasette.io").wait_for()
    prompt.get_by_role("button", name="Cancel").click()
    assert prompt.is_hidden() and len(page.context.pages) == 1
    frame.locator("a[href^='https://datasette.io']").first.click()
    with page.context.expect_page() as popup_info:
        prompt.get_by_role("button", name="Open in a new tab").click()
    popup = popup_info.value
    assert prompt.is_hidden()
    assert popup.url.startswith("https://datasette.io")
    assert popup.evaluate("() => window.opener") is None
    popup.close()
    assert nb.address() == "/"

    # A prompt left open goes with its page.
    frame.locator("a[href^='https://datasette.io']").first.click()
    prompt.get_by_text("https://datasette.io").wait_for()
    frame.locator("a[href='/fixtures']").first.click()
    expect_heading(frame, "fixtures")
    assert prompt.is_hidden()

    # Reload with the kernel still running: the widget comes back at its page.
    nb.save_after_snapshot("/fixtures")
    page.reload()
    NotebookPage.wait_for_kernel_idle(nb)
    expect_heading(nb.frame(), "fixtures")
    assert nb.address() == "/fixtures"


#: The table page's own script notes how many rows it sees as it runs, and at DOMContentLoaded.
ROW_COUNTING_METADATA = {
    "databases": {
        "fixtures": {
            "tables": {
                "facetable": {
                    "description_html": (
                        "<script>(() => {"
                        "const rows = () => document.querySelectorAll('table.rows-and-columns tbody tr').length;"
                        "document.body.dataset.rowsWhenRun = rows();"
                        "addEventListener('DOMContentLoaded', () => { document.body.dataset.rowsAtLoad = rows(); });"
                        "})()</script>"
                    )
                }
            }
        }
    }
}
#: From now on, as each page goes in (the event the benchmarks time): its rows then, and the frame's height.
NOTE_FIRST_SCREEN = """() => EventTarget.prototype.addEventListener.call(window, "datasette:rendered", () => {
  window.__firstScreen = { rows: document.querySelectorAll("table.rows-and-columns tbody tr").length, height: innerHeight };
})"""
#: The page's script's notes, and the first screen's, if this is a page other than the one marked "old".
NEW_PAGE_NOTES = """() => (!document.body.dataset.old && document.body.dataset.rowsAtLoad
  ? { ...document.body.dataset, ...window.__firstScreen }
  : null)"""


def new_page_notes(frame) -> dict:
    """NEW_PAGE_NOTES, once the new page has them (polled from here: timers a page's frame
    sets in it, as page scripts' are, stop when the next page comes in)."""
    for _ in range(400):
        seen = frame.evaluate(NEW_PAGE_NOTES)
        if seen:
            return seen
        time.sleep(0.05)
    raise AssertionError(f"no new page's script noted its rows: {frame.evaluate('() => ({...document.body.dataset})')}")


def test_a_long_table_shows_its_first_screen_first_and_its_scripts_see_every_row(page, lab):
    """As a tab draws the top of a long page before it has parsed the rest: the rows a first
    screen of the frame can show go in alone and are drawn, then the others, before the page's
    scripts run, which find every row. A frame that is not drawn (hidden) still gets them all."""
    (lab.root / "rows.json").write_text(json.dumps(ROW_COUNTING_METADATA))
    nb = open_widget(page, lab, "rows.ipynb", "%datasette fixtures.db -m rows.json --path /fixtures")
    expect_heading(nb.frame(), "fixtures")
    frame = nb.frame_handle()
    frame.evaluate(NOTE_FIRST_SCREEN)

    frame.evaluate("() => { document.body.dataset.old = 'yes'; }")
    nb.go("/fixtures/facetable")
    seen = new_page_notes(frame)
    assert seen["rowsWhenRun"] == seen["rowsAtLoad"] == "100"
    assert 0 < seen["height"] <= seen["rows"] * 20 and seen["rows"] < 100

    nb.page_frame_element().evaluate("(element) => { element.style.display = 'none'; }")
    frame.evaluate("() => { document.body.dataset.old = 'yes'; }")
    nb.go("/fixtures/facetable?_next=100")
    seen = new_page_notes(frame)
    assert seen["rowsWhenRun"] == seen["rowsAtLoad"] == "100"
    nb.page_frame_element().evaluate("(element) => { element.style.display = ''; }")
    assert nb.frame().locator("td.col-id").first.inner_text() == "101"


#: From now on, notes each change made to the widget's part of the notebook's document: what
#: changed (the widget's root, or an element's class) and how (an attribute's name, or the
#: kind of change).
NOTE_WIDGET_CHANGES = """(widget) => {
  window.widgetChanges = [];
  new MutationObserver((records) => {
    for (const record of records) {
      const where = record.target === widget ? "root" : record.target.className || record.target.nodeName;
      window.widgetChanges.push(`${where} ${record.attributeName ?? record.type}`);
    }
  }).observe(widget, { subtree: true, attributes: true, childList: true, characterData: true });
}"""


def test_a_click_changes_only_the_busy_state_and_the_address_in_the_notebook(page, lab):
    """The toolbar is part of the notebook's document: whatever is written there, even a value it
    already had, makes the browser restyle and repaint the notebook, work that competes with the
    new page's on every click. Clicking from page to page writes the busy state (and the spinner
    of a slow page), and the address field's value, which is no attribute: nothing else."""
    nb = open_widget(page, lab, "quiet.ipynb", "%datasette fixtures.db --path /fixtures")
    frame = nb.frame()
    expect_heading(frame, "fixtures")
    # A first page after the start: Back is on from now on, Forward stays off.
    frame.locator("a[href='/fixtures/facetable']").first.click()
    expect_heading(frame, "facetable")

    nb.widget().evaluate(NOTE_WIDGET_CHANGES)
    frame.locator("p.crumbs a[href='/fixtures']").first.click()
    expect_heading(frame, "fixtures")
    nb.wait_for_address("/fixtures")
    frame.locator("a[href='/fixtures/states']").first.click()
    expect_heading(frame, "states")
    nb.wait_for_address("/fixtures/states")
    changes = page.evaluate("() => window.widgetChanges")
    assert changes.count("root aria-busy") == 4, changes
    assert set(changes) <= {"root aria-busy", "root class"}, changes


@pytest.mark.one_line
def test_a_new_widget_shows_its_address_while_its_first_page_is_on_the_way(page, lab):
    """As a tab opened on a link does. Had the address waited for the page, the page's address
    could have landed in the middle of what the user had begun to type there (it did, as
    "//-/dashboards/places"). A page that takes longer than the widget waits before it says the
    kernel does not answer takes that message away when it comes."""
    cells = [
        "%load_ext jupyterlite_datasette",
        REGISTER_TEST_ROUTES,
        "%datasette fixtures.db --path /-/test/slow?seconds=11",
    ]
    nb = open_notebook(page, lab, "first.ipynb", cells)
    for index in range(3):
        nb.run_cell(index)
    root = nb.widget()
    expect(root.locator(".jld-address input")).to_have_value("/-/test/slow?seconds=11")
    assert root.get_attribute("aria-busy") == "true"
    error = root.locator(".jld-error")
    expect(error).to_have_text(re.compile("^No answer from the kernel for /-/test/slow"), timeout=15_000)
    nb.frame().locator("h1", has_text="slow").wait_for()
    expect(error).to_be_hidden()
    nb.go("/fixtures/facetable")
    expect_heading(nb.frame(), "facetable")
    nb.wait_for_address("/fixtures/facetable")


def test_the_widget_moved_in_the_notebook_shows_its_page_again_in_a_fresh_frame(page, lab):
    """A JupyterServer page has no policy on its frames: the page frame sits in a shell frame,
    which loads again, empty, when JupyterLab puts the moved cell's output back."""
    nb = open_notebook(page, lab, "move.ipynb", SETUP)
    run_setup(nb)
    assert not nb.page_frame_in_notebook
    holder = nb.widget().locator("iframe.jld-frame")
    assert holder.get_attribute("data-holds") == "shell"
    nb.frame().locator("a[href='/fixtures']").first.click()
    expect_heading(nb.frame(), "fixtures")
    nb.mark_page_frame()
    nb.cell(1).locator(".jp-InputPrompt").click()
    nb.menu("Edit", "Move Cell Down")
    expect_heading(nb.frame(unmarked=True), "fixtures")
    assert nb.widget().locator(".jld-error").is_hidden()
    assert holder.evaluate("(frame) => frame.getBoundingClientRect().height") == 520
    nb.frame().locator("a[href='/fixtures/facetable']").first.click()
    expect_heading(nb.frame(), "facetable")
    nb.expect_kernel_path("/fixtures/facetable")


@pytest.mark.one_line
def test_slow_pages_never_replace_newer_ones_and_failures_are_visible(page, lab):
    cells = SETUP + [
        (
            f"{REGISTER_TEST_ROUTES}\n"
            "from jupyterlite_datasette import DatasetteWidget\n"
            "w2 = DatasetteWidget('fixtures.db', height=300)\n"
            "w2"
        ),
        ("async def broken():\n    raise RuntimeError('startup exploded')\nw2.ds.invoke_startup = broken"),
    ]
    nb = open_notebook(page, lab, "failures.ipynb", cells)
    run_setup(nb)
    nb.run_cell(4)
    frame = nb.frame(1)
    widget = nb.widget(1)
    frame.locator("a[href='/fixtures']").first.wait_for()

    # A slow page asked for first, a fast one second: the fast one stays.
    nb.go("/-/test/slow?seconds=1.5", nth=1)
    # While the kernel works on it, the widget says so.
    assert widget.get_attribute("aria-busy") == "true"
    spinner = widget.locator(".jld-spinner")
    page.wait_for_function("s => getComputedStyle(s).animationName === 'jld-spin'", arg=spinner.element_handle())
    frame.locator("a[href='/fixtures']").first.click()
    expect_heading(frame, "fixtures")
    assert widget.get_attribute("aria-busy") == "false"
    assert spinner.evaluate("s => getComputedStyle(s).animationName") == "none"
    page.wait_for_timeout(2500)
    assert frame.locator("h1", has_text="slow").count() == 0
    assert widget.locator(".jld-address input").input_value() == "/fixtures"

    # What the user types while a page is on its way stays when it arrives;
    # Escape gives back the page's address, as in a browser.
    address = widget.locator(".jld-address input")
    address.fill("/-/test/slow?seconds=1")
    address.press("Enter")
    address.fill("/fixtures/faceta")
    frame.locator("h1", has_text="slow").wait_for()
    assert address.input_value() == "/fixtures/faceta"
    address.press("Escape")
    assert address.input_value() == "/-/test/slow?seconds=1"
    widget.get_by_role("button", name="Back").click()
    expect_heading(frame, "fixtures")

    # An exception in the kernel's handler is shown in the widget.
    nb.run_cell(5)
    frame.locator("a[href='/fixtures/facetable']").first.click()
    error = widget.locator(".jld-error")
    error.wait_for()
    assert re.search(r"Could not load /fixtures/facetable: RuntimeError: startup exploded", error.inner_text())
    assert widget.locator(".jld-address input").input_value() == "/fixtures"

    # With its kernel restarted, the widget's Datasette is gone: a click says so, and what to do,
    # instead of hanging silently. The same once the kernel is shut down.
    gone = "the kernel that ran this widget has stopped or restarted: run the cell again"
    nb.menu("Kernel", "Restart Kernel…")
    page.locator(".jp-Dialog button", has_text="Restart").click()
    nb.run_cell(3)  # in the new kernel, which has no w
    nb.wait_for_output(3, "NameError")
    nb.frame(0).locator("a[href='/fixtures']").first.click()
    expect(nb.widget(0).locator(".jld-error")).to_have_text(f"Could not load /fixtures: {gone}")
    nb.menu("Kernel", "Shut Down Kernel")
    page.locator(
        ".jp-Notebook-ExecutionIndicator[data-status=unknown], .jp-Notebook-ExecutionIndicator[data-status=dead]"
    ).first.wait_for(timeout=20_000)
    nb.frame(0).locator("a[href='/fixtures/facetable']").first.click()
    expect(nb.widget(0).locator(".jld-error")).to_have_text(f"Could not load /fixtures/facetable: {gone}")


@pytest.mark.one_line
def test_pages_load_while_a_cell_keeps_the_kernel_busy(page, lab):
    """JupyterLab 4.4 and later send a widget's messages over a subshell of ipykernel 7, a thread
    of its own: the widget answers while a cell runs, even one in pure Python, which lets go of
    the GIL only at its switch interval; and the kernel's status stays the cell's."""
    busy = "import time\nstart = time.monotonic()\nwhile time.monotonic() - start < 12:\n    pass\nprint('done')"
    nb = open_notebook(page, lab, "busy.ipynb", [*SETUP, busy])
    run_setup(nb)
    frame = nb.frame()
    expect_heading(frame, "Test instance")
    nb.start_cell(4)
    frame.locator("a[href='/fixtures']").first.click()
    expect_heading(frame, "fixtures")
    frame.locator("a[href='/fixtures/facetable']").first.click()
    expect_heading(frame, "facetable")
    assert nb.is_running(4)
    # And JupyterLab still shows the kernel busy: a click's idle, which said Idle under the
    # running cell, now waits until the cell has ended (kernel_status.py).
    status = page.locator(".jp-StatusBar-TextItem", has_text=" | ").first.inner_text()
    assert status.endswith("| Busy"), status
    nb.wait_for_output(4, "done")


@pytest.mark.one_line
def test_a_widget_shown_or_sent_to_a_page_by_a_cell_that_goes_on_shows_it_meanwhile(page, lab):
    """ipykernel 7.4 would send the page's request to the shell of the cell that showed the widget
    or set its path, to wait there for the cell to end (comm_routing.py). Not a kernel's first
    widget: JupyterLab makes the subshell for widgets as the first one opens, and may send its
    first page before the subshell is there, to the main shell."""
    waiting = "import time\ntime.sleep(12)\nprint('done')"
    cells = [
        "%load_ext jupyterlite_datasette",
        "w = %datasette fixtures.db\ndisplay(w)",
        f"w2 = %datasette fixtures.db --path /fixtures\ndisplay(w2)\n{waiting}",
        f"w.path = '/fixtures/facetable'\n{waiting}",
    ]
    nb = open_notebook(page, lab, "run-on.ipynb", cells)
    nb.run_cell(0)
    nb.run_cell(1)
    nb.frame(0).locator("a[href='/fixtures']").first.wait_for()
    nb.start_cell(2)
    nb.frame(1).locator("h1", has_text="fixtures").first.wait_for(timeout=8_000)
    assert nb.is_running(2)
    nb.wait_for_output(2, "done")
    nb.start_cell(3)
    nb.frame(0).locator("h1", has_text="facetable").first.wait_for(timeout=8_000)
    assert nb.is_running(3)


def test_hostile_database_runs_nothing(page, lab):
    from support.databases import HOSTILE

    cells = [
        "%load_ext jupyterlite_datasette",
        "%datasette hostile.db",
        "w = _",
        'print("path:", w.path)',
    ]
    nb = open_notebook(page, lab, "hostile.ipynb", cells)
    for index in range(4):
        nb.run_cell(index)
    nb.wait_for_output(3, "path: /")
    frame = nb.frame()
    frame.locator("a[href='/hostile']").first.click()
    expect_heading(frame, "hostile")
    # The table whose name is a <script> payload, shown as text.
    frame.locator("h3 a", has_text="<script>").first.click()
    frame.locator("h1", has_text="<script>").wait_for()
    for payload in HOSTILE[:3]:
        assert frame.locator("td", has_text=payload).count() >= 1
    # A row page and a SQL query over the payloads.
    frame.locator("td.type-pk a").first.click()
    frame.locator("h1", has_text="</script>: 0").wait_for()
    nb.go("/hostile?sql=select+payload,+payload+as+[%3Cimg+src%3Dx+onerror%3Dalert(1)%3E]+from+plain")
    frame.locator("td", has_text=HOSTILE[1]).first.wait_for()
    frame.locator("a", has_text="json").first.click()
    frame.locator("body.jld-text pre").wait_for()
    page.wait_for_timeout(500)

    assert page.evaluate("() => window.__pwned") is None
    assert page.evaluate("() => window.top.__pwned") is None
    # Not even inside the sandbox did a payload run.
    assert frame.locator("body").evaluate("() => window.__pwned_inner") is None
    holder = nb.widget().locator("iframe")
    sandbox = holder.get_attribute("sandbox").split()
    assert "allow-same-origin" not in sandbox
    assert sorted(sandbox) == ["allow-forms", "allow-modals", "allow-scripts"]
    assert holder.get_attribute("allow") == "clipboard-write; fullscreen"


#: An output JupyterLab typesets as math (once it shows math, the outputs before it are typeset),
#: under a heading of the notebook's own.
MATH_OUTPUT = 'from IPython.display import Markdown; Markdown("## Notes\\n\\n$x^2$")'


def expect_table_of_contents(page, headings: list[str]) -> None:
    """JupyterLab's table of contents of the notebook on show lists `headings`, and only those."""
    if not page.locator(".jp-TableOfContents").is_visible():
        page.locator(".jp-SideBar [data-id='table-of-contents']").click()
    expect(page.locator(".jp-TableOfContents .jp-tocItem-content")).to_have_text(headings)


def test_a_saved_notebook_keeps_a_snapshot_for_viewers_without_the_widget(page, lab):
    nb = open_notebook(page, lab, "snapshot.ipynb", [*SETUP, MATH_OUTPUT])
    run_setup(nb)
    nb.run_cell(len(SETUP))
    frame = nb.frame()
    frame.locator("a[href='/fixtures']").first.click()
    frame.locator("a[href='/fixtures/states']").first.click()
    expect_heading(frame, "states")

    # Beside the live widget, the snapshot follows the page but stays hidden.
    snapshot = page.locator(".jld-snapshot", has_text="Datasette page /fixtures/states")
    snapshot.wait_for(state="attached")
    assert snapshot.locator("td", has_text="Michigan").count() == 1
    assert snapshot.is_hidden()

    # Values with dollar signs, which a math typesetter would take for math.
    priced = query_page("fixtures") + "?sql=select+name,+'$5+and+$10'+as+price+from+states"
    nb.go(priced)
    nb.frame().locator("td", has_text="$5 and $10").first.click()
    # Ctrl+S typed in the widget's page saves the notebook, as anywhere else in JupyterLab.
    nb.save_after_snapshot(priced, keys="Control+s")
    # The snapshot's headings are the page's, not the notebook's (JupyterLab reads the hidden output).
    expect_table_of_contents(page, ["Notes"])
    saved = json.loads((lab.root / "snapshot.ipynb").read_text())
    [html] = [
        "".join(output["data"]["text/html"])
        for cell in saved["cells"]
        for output in cell.get("outputs", [])
        if "jld-snapshot" in "".join(output.get("data", {}).get("text/html", ""))
    ]
    assert "Michigan" in html and "$5 and $10" in html and "<script" not in html

    # As GitHub or nbviewer would show it: the data, and nothing that runs.
    viewer = page.context.new_page()
    viewer.set_content(f"<!doctype html><body>{html}</body>")
    assert viewer.locator("td", has_text="Michigan").is_visible()
    viewer.close()

    # Reopened after the kernel has gone: the widget cannot come back; the snapshot shows.
    nb.menu("Kernel", "Shut Down Kernel")
    page.locator(".jp-Notebook-ExecutionIndicator[data-status=idle]").wait_for(state="detached")
    page.reload()
    saved_copy = page.locator(".jld-snapshot", has_text="Michigan")
    saved_copy.wait_for(state="visible", timeout=60_000)
    # JupyterLab typesets every HTML output; the copy's data stays as it was.
    page.locator(".jp-OutputArea mjx-container").first.wait_for()
    assert saved_copy.locator("mjx-container").count() == 0
    assert saved_copy.locator("td", has_text="$5 and $10").count() == len(STATES)
    expect_table_of_contents(page, ["Notes"])
