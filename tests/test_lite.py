"""The offline JupyterLite site in headless Chromium: Datasette in the Pyodide kernel."""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import re
import shutil
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect
from support.databases import HOSTILE
from support.files_server import ANY_BODY
from support.lab import NotebookPage, frames_in_own_process
from support.lite import SITE_PLUGINS, deferred_fetches, expect_no_console_errors, expect_only_local_requests, upload
from support.real_plugins import expect_charts_and_maps, graphql_answer, query_history

pytestmark = [pytest.mark.browser, pytest.mark.datasette_065]
JEDI_VERSION, PARSO_VERSION = importlib.metadata.version("jedi"), importlib.metadata.version("parso")


def browse_quickstart(nb: NotebookPage) -> None:
    """The saved page first; then Run All, click, filter and query in the widget; check w.path each time."""
    # Before any cell runs, the notebook shows the copy of the widget's first page saved in it.
    saved = nb.page.locator(".jp-OutputArea .jld-snapshot")
    saved.get_by_text("50,000 rows").wait_for()
    assert saved.locator("td").count() > 100
    nb.run_all()
    frame = nb.frame()
    frame.locator("h1", has_text="flights").first.wait_for(timeout=120_000)
    frame.get_by_text("50,000 rows").wait_for()
    # The live widget takes its place (the new output's copy is hidden while it is there).
    expect(nb.page.locator(".jp-OutputArea .jld-snapshot:visible")).to_have_count(0)
    nb.wait_for_output(6, "'/flights/flights'", timeout=60_000)
    # The database was brought to the kernel first, by the fast route.
    nb.wait_for_output(2, "flights.db: fetched from the site to /tmp/jupyterlite-datasette/flights.db")

    # Into another table, by a link.
    frame.locator("a[href='/flights']").first.click()
    frame.locator("h1", has_text="flights").first.wait_for()
    frame.locator("a[href='/flights/airlines']").first.click()
    frame.locator("h1", has_text="airlines").wait_for()
    nb.run_cell(6)
    nb.wait_for_output(6, "'/flights/airlines'")

    # A filter.
    frame.locator("select[name=_filter_column]").select_option("carrier")
    frame.locator("input[name=_filter_value]").fill("UA")
    frame.locator("input[type=submit][value=Apply]").click()
    frame.get_by_text('1 row where carrier = "UA"').wait_for()
    frame.get_by_text("United Air Lines Inc.").wait_for()

    # A SQL query from the database page.
    nb.go("/flights")
    nb.type_sql("select origin, count(*) as n from flights group by origin order by n desc")
    frame.locator("input[type=submit][value='Run SQL']").click()
    frame.locator("td.col-n").first.wait_for()
    assert frame.locator("td.col-origin").count() == 3
    nb.run_cell(6)
    nb.wait_for_output(6, "'/flights?sql=select+origin")


def test_quickstart_in_jupyterlab(lite_site, lite_page):
    page, log = lite_page
    nb = NotebookPage(page, f"{lite_site.base}/lab/index.html?path=quickstart.ipynb")
    browse_quickstart(nb)
    # Ctrl+S typed in the widget's page saves the notebook (in JupyterLite, to the browser's storage).
    nb.frame().locator("td.col-origin").first.click()
    nb.save_after_snapshot(nb.address(), keys="Control+s")
    # As in users' Chromium, the widget's page frame ran in a process of its own.
    assert frames_in_own_process(page) == 1
    expect_only_local_requests(log, lite_site)
    expect_no_console_errors(page)
    # The database crossed the network once: the kernel copies it before reading even its header.
    fetched = [url for url in log.from_network if urlsplit(url).path == "/files/flights.db"]
    assert len(fetched) == 1, fetched
    # The service worker answers JupyterLite's own API only: the site's files, the database among them,
    # come from the server without crossing it (site_build/service_worker.py).
    passed_on = [url for url in log.from_service_worker if "/api/" not in urlsplit(url).path]
    assert not passed_on, passed_on
    # The kernel started with all the quickstart imports (site_build/stdlib_kept.txt, imported_at_start.txt).
    assert not deferred_fetches(log), (
        "the quickstart's kernel fetched what it defers: add the standard library's modules it imported "
        "from python_stdlib_whole.zip (their __file__ says so) to site_build/stdlib_kept.txt, and a deferred "
        f"package's to site_build/imported_at_start.txt: {deferred_fetches(log)}"
    )


def test_the_kernel_starts_as_the_page_opens_and_the_notebook_joins_it(lite_site, lite_page):
    """The site's plugin (site_build/warm_start) starts the kernel of the notebook in the address
    before the notebook is on screen; the notebook connects to that kernel, and no other starts.
    Once started, the kernel imports the widget before any cell asks (site_build/warm_imports.py)."""
    page, log = lite_page
    messages: list[str] = []
    page.on("console", lambda message: messages.append(message.text))
    nb = NotebookPage(page, f"{lite_site.base}/lab/index.html?path=python-api.ipynb")
    started = [text for text in messages if "started the kernel of python-api.ipynb as the page opened" in text]
    assert len(started) == 1, messages
    # Each connection to a kernel says which: the plugin's, then the notebook's.
    kernels = {match[1] for text in messages for match in re.finditer(r"/api/kernels/([0-9a-f-]+)", text)}
    assert len(kernels) == 1, kernels
    nb.set_cell_text(1, "import sys; print('one kernel', 6 * 7, 'jupyterlite_datasette.magic' in sys.modules)")
    nb.run_cell(1)
    nb.wait_for_output(1, "one kernel 42 True")
    expect_only_local_requests(log, lite_site)


def mathjax_chunks(site) -> set[str]:
    """The site's script chunks that define MathJax's TeX packages, the bulk of MathJax."""
    return {path.name for path in (site / "build").glob("*.js") if "AllPackages=void 0" in path.read_text()}


def test_mathjax_loads_at_the_first_math_in_a_cell(lite_site, lite_page):
    """The site's plugin (site_build/lazy_math) in the place of JupyterLab's MathJax plugin: a notebook
    without math, its saved page and its live widget never load MathJax; math written in a cell is
    typeset as JupyterLab does it, with the MathJax plugin's context menu."""
    page, log = lite_page
    chunks = mathjax_chunks(lite_site.directory)
    assert chunks, "no chunk of the site defines MathJax's TeX packages: how does it load MathJax now?"
    nb = NotebookPage(page, f"{lite_site.base}/lab/index.html?path=quickstart.ipynb")
    nb.page.locator(".jp-OutputArea .jld-snapshot").get_by_text("50,000 rows").wait_for()
    nb.run_all()
    nb.frame().locator("h1", has_text="flights").first.wait_for(timeout=120_000)
    nb.wait_for_output(6, "'/flights/flights'", timeout=60_000)

    def fetched() -> list[str]:
        return [url for url in log.urls if urlsplit(url).path.rsplit("/", 1)[-1] in chunks]

    assert not fetched()
    markdown = page.locator(".jp-MarkdownCell").first
    markdown.dblclick()
    page.keyboard.press("Control+End")
    page.keyboard.type("\n\nEuler: $e^{i\\pi} + 1 = 0$")
    page.keyboard.press("Shift+Enter")
    math = markdown.locator("mjx-container.MathJax")
    math.wait_for(timeout=30_000)
    assert fetched()
    assert "Euler:" in markdown.inner_text()
    math.click(button="right")
    expect(page.locator(".lm-Menu .lm-Menu-itemLabel", has_text="MathJax Copy Latex")).to_be_visible()
    page.keyboard.press("Escape")
    expect_only_local_requests(log, lite_site)
    expect_no_console_errors(page)


def test_settings_are_listed_once_for_the_requests_made_meanwhile(lite_site, lite_page):
    """The site's plugin (site_build/warm_start): as the notebook opens, JupyterLab's requests for
    settings made while JupyterLite lists them share that listing (without it, the settings files were
    fetched 6 times); a setting saved still holds after the page is loaded again."""
    page, log = lite_page
    nb = NotebookPage(page, f"{lite_site.base}/lab/index.html?path=quickstart.ipynb")
    nb.page.locator(".jp-OutputArea .jld-snapshot").get_by_text("50,000 rows").wait_for()
    page.locator(".jp-Notebook-ExecutionIndicator[data-status=idle]").first.wait_for(timeout=120_000)

    def listings() -> int:
        return sum(urlsplit(url).path.endswith("/build/schemas/all.json") for url in log.urls)

    # The registry's first listing, the requests of the plugins that opened the notebook, and the
    # registry's listing of ids once JupyterLab is restored.
    assert listings() <= 3, listings()
    page.locator("div.lm-MenuBar-itemLabel:text-is('Settings')").click()
    page.locator(".lm-Menu-itemLabel:text-is('Theme')").hover()
    page.locator(".lm-Menu-itemLabel:text-is('JupyterLab Dark')").click()
    dark = page.locator("body[data-jp-theme-name='JupyterLab Dark']")
    expect(dark).to_have_count(1)
    before = listings()
    page.reload()
    page.locator(".jp-Notebook").first.wait_for()
    expect(dark).to_have_count(1, timeout=30_000)
    assert listings() - before <= 3
    expect_only_local_requests(log, lite_site)
    expect_no_console_errors(page)


def test_quickstart_in_notebook7(lite_site, lite_page):
    page, log = lite_page
    nb = NotebookPage(page, f"{lite_site.base}/notebooks/index.html?path=quickstart.ipynb", status_bar=False)
    browse_quickstart(nb)
    expect_only_local_requests(log, lite_site)
    expect_no_console_errors(page)


def test_the_page_frame_sits_in_the_notebook_and_a_fresh_one_shows_the_page_again(lite_site, lite_page):
    """The site's pages refuse their frames' navigations (site_build/frame_policy.py), so the widget
    leaves out its shell frame. When the notebook moves the widget, or the image hosts change, a fresh
    page frame shows the page again at the widget's height. (The attacks: test_lite_security.py.)"""
    page, log = lite_page
    nb = NotebookPage(page, f"{lite_site.base}/lab/index.html?path=quickstart.ipynb")
    assert nb.page_frame_in_notebook
    nb.run_all()
    nb.frame().locator("h1", has_text="flights").first.wait_for(timeout=120_000)
    holder = nb.widget().locator("iframe.jld-frame")
    assert holder.get_attribute("data-holds") == "page"
    assert holder.get_attribute("sandbox") == "allow-scripts allow-forms allow-modals"
    height = holder.evaluate("(frame) => frame.getBoundingClientRect().height")
    nb.go("/flights/airlines")
    nb.frame().locator("h1", has_text="airlines").wait_for()

    # JupyterLab puts the moved cell's output back in the page: its frame loads again, empty.
    nb.mark_page_frame()
    nb.cell(2).locator(".jp-InputPrompt").click()
    nb.menu("Edit", "Move Cell Up")
    nb.frame(unmarked=True).locator("h1", has_text="airlines").wait_for(timeout=20_000)
    assert nb.widget().locator(".jld-error").is_hidden()
    assert holder.evaluate("(frame) => frame.getBoundingClientRect().height") == height
    # The fresh frame works: a click on the table's breadcrumb, then on a table of the database.
    nb.frame().locator("a[href='/flights']").first.click()
    nb.frame().locator("a[href='/flights/planes']").first.click()
    nb.frame().locator("h1", has_text="planes").wait_for()

    # Another image host: a fresh page frame, under a policy that names it.
    nb.mark_page_frame()
    nb.set_cell_text(6, 'w.image_hosts = ["https://tiles.example.org"]; w.path')
    nb.run_cell(6)
    nb.wait_for_output(6, "'/flights/planes'")
    nb.frame(unmarked=True).locator("h1", has_text="planes").wait_for(timeout=20_000)
    policy = nb.frame().locator("meta[http-equiv='Content-Security-Policy']").get_attribute("content")
    assert "img-src data: blob: https://tiles.example.org;" in policy
    expect_only_local_requests(log, lite_site)


def test_hostile_database_in_jupyterlite(lite_site, lite_page, hostile_db, tmp_path):
    page, log = lite_page
    nb = NotebookPage(page, f"{lite_site.base}/lab/index.html?path=quickstart.ipynb")
    # Upload it through the file browser, as a user brings their own data, with a name in
    # which SQLite's URIs would read a fragment. (JupyterLite's upload refuses names with "%".)
    renamed = tmp_path / "hostile #1.db"
    shutil.copy(hostile_db, renamed)
    upload(page, renamed)
    # Reuse the quickstart's first cells with the hostile database instead.
    nb.run_cell(1)
    nb.set_cell_text(2, '%datasette "hostile #1.db"')
    nb.run_cell(2)
    # Only the browser has this file: it is copied through /drive.
    nb.wait_for_output(
        2, "hostile #1.db: copied from the browser's storage to /tmp/jupyterlite-datasette/hostile #1.db"
    )
    frame = nb.frame()
    frame.get_by_role("link", name="hostile #1").first.click()
    frame.locator("h3 a", has_text="<script>").first.click()
    frame.locator("h1", has_text="<script>").wait_for()
    for payload in HOSTILE[:3]:
        assert frame.locator("td", has_text=payload).count() >= 1
    page.wait_for_timeout(500)
    assert page.evaluate("() => window.__pwned") is None
    assert frame.locator("body").evaluate("() => window.__pwned_inner") is None
    assert "allow-same-origin" not in nb.widget().locator("iframe").get_attribute("sandbox").split()
    expect_only_local_requests(log, lite_site)


def test_a_plugin_pip_installed_in_the_running_kernel_works_in_the_next_widget(lite_site, lite_page):
    """`%pip install datasette-vega` after `%load_ext`, then `%datasette`: the plugin is registered by its
    entry point (here piplite takes the wheel from the site's lock, as it takes one from PyPI online)."""
    page, log = lite_page
    nb = NotebookPage(page, f"{lite_site.base}/lab/index.html?path=quickstart.ipynb")
    nb.run_cell(1)
    nb.set_cell_text(2, "%pip install datasette-vega\n%datasette flights.db --path /flights/airlines")
    nb.run_cell(2)
    frame = nb.frame()
    frame.get_by_text("Show charting options").wait_for(timeout=120_000)
    expect_only_local_requests(log, lite_site)


@pytest.mark.parametrize("ui", ["lab", "notebooks"])
@pytest.mark.parametrize(
    "notebook, widgets", [("your-own-data.ipynb", 3), ("python-api.ipynb", 1), ("charts-and-maps.ipynb", 3)]
)
def test_demo_notebooks_run_all(lite_site, lite_page, ui, notebook, widgets):
    page, log = lite_page
    nb = NotebookPage(page, f"{lite_site.base}/{ui}/index.html?path={notebook}", status_bar=ui == "lab")
    nb.run_all()
    nb.wait_for_run_all(timeout=120_000)
    for nth in range(widgets):
        nb.frame(nth).locator("h1").first.wait_for()
    errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    assert errors.count() == 0, errors.all_inner_texts()
    if notebook == "python-api.ipynb":
        nb.frame().locator("#facet-origin").wait_for()
        assert nb.widget().locator(".jld-address input").input_value() == "/flights/flights?_facet=origin&carrier=UA"
    if notebook == "charts-and-maps.ipynb":
        # The plugins came from the site's own lock when the notebook imported them.
        expect_charts_and_maps(nb, 50_000)
    expect_only_local_requests(log, lite_site)
    expect_no_console_errors(page)


def test_plugins_the_site_was_built_with_need_no_code(lite_site, lite_page):
    """`lite/build.py --plugin` (support.lite.SITE_PLUGINS): the kernel has them from the start, and
    Datasette finds them by their entry points; the quickstart never mentions them."""
    page, log = lite_page
    nb = NotebookPage(page, f"{lite_site.base}/lab/index.html?path=quickstart.ipynb")
    nb.run_all()
    frame = nb.frame()
    frame.get_by_text("50,000 rows").wait_for(timeout=120_000)
    go = nb.go
    assert graphql_answer(frame, go, "{ airlines { totalCount } }")["result"] == {
        "data": {"airlines": {"totalCount": 16}}
    }
    assert query_history(frame, go, "flights") == {"history": ["select 2 as two", "select 1 as one"]}
    expect_only_local_requests(log, lite_site)


def test_completion_fetches_jedi_at_the_first_tab_and_infers_with_its_slimmed_stubs(lite_site, lite_page):
    """The kernel starts with a stand-in of jedi, which fetches jedi and parso when IPython first imports
    it (site_build/deferral.py). That jedi lacks other libraries' stubs (site_build/slimming.SLIMMED):
    Tab still completes, and what only jedi infers (the type of a call's result, from the standard
    library's stubs) too."""
    page, log = lite_page
    nb = NotebookPage(page, f"{lite_site.base}/lab/index.html?path=quickstart.ipynb")
    nb.set_cell_text(1, "import json\njson.dum")
    nb.wait_for_kernel_idle()
    assert not deferred_fetches(log)
    page.keyboard.press("Tab")
    matches = page.locator(".jp-Completer-match")
    try:
        matches.first.wait_for(timeout=5_000)
    except PlaywrightTimeoutError:
        # JupyterLab shows no answer that comes after its 1 s wait: the first Tab's may, with jedi to
        # fetch and unpack (0.9 s measured here). The next Tab's comes at once.
        page.keyboard.press("Tab")
    expect(matches).to_have_text(["dump", "dumps"], timeout=60_000)
    page.keyboard.press("Escape")
    assert sorted(deferred_fetches(log)) == [
        f"/static/pyodide/deferred/{name}-{version}-py3-none-any.whl"
        for name, version in (("jedi", JEDI_VERSION), ("parso", PARSO_VERSION))
    ]
    # What the kernel answers Tab with. JupyterLab waits 1 s for an answer, and a first inference
    # that parses the stubs takes longer in Pyodide (1.8 s measured), so this asks the kernel itself.
    nb.set_cell_text(1, "code = 'import json\\njson.dumps({}).startsw'; get_ipython().kernel.complete(code, len(code))")
    nb.run_cell(1)
    nb.wait_for_output(1, "'matches': ['startswith']", timeout=60_000)
    # Fetched once, and nothing else with them: jedi's imports of the standard library were kept.
    assert len(deferred_fetches(log)) == 2, deferred_fetches(log)
    expect_only_local_requests(log, lite_site)


def test_imports_ask_the_page_about_the_notebook_folder_once_a_cell(lite_site, lite_page):
    """The notebook's folder, first on sys.path, is in JupyterLite's drive, where each look at it is a
    request to the page: Python's finder looks before every lookup (53 requests for Datasette's
    imports), and never reads the folder again (the drive gives it no time). The site's kernel keeps
    its own imports as it starts off the folder, and reads it once a cell (site_build/drive_imports.py),
    so a module made in the folder imports from the
    next cell, at once in a cell that had not read it yet, or after importlib.invalidate_caches()."""
    page, log = lite_page
    nb = NotebookPage(page, f"{lite_site.base}/lab/index.html?path=quickstart.ipynb")
    nb.wait_for_kernel_idle()

    def drive_requests() -> int:
        return sum(urlsplit(url).path.startswith("/api/drive") for url in log.urls)

    before = drive_requests()
    # The service worker still answers the drive's requests (site_build/service_worker.py passes them to it).
    assert any(urlsplit(url).path.startswith("/api/drive") for url in log.from_service_worker), log.from_service_worker
    # The kernel's own imports as it starts kept off the notebook's folder: 8 requests here, 60 when
    # each import of a module not yet imported looked at the folder first.
    assert before < 20, before
    nb.set_cell_text(
        1, "import datasette.app, jinja2, httpx, sqlite_utils\nprint('imported', len(datasette.app.__name__))"
    )
    nb.run_cell(1)
    nb.wait_for_output(1, "imported 13", timeout=60_000)
    assert drive_requests() - before < 10, drive_requests() - before
    cells = [
        # After the folder was read (by the cell above).
        ("%%writefile jld_made_before.py\nVALUE = 'from the cell before'", "Writing jld_made_before.py"),
        ("import jld_made_before\nprint(jld_made_before.VALUE)", "from the cell before"),
        # The folder not yet read in this cell: the new module is found at once.
        (
            "open('jld_made_here.py', 'w').write('VALUE = 2')\nimport jld_made_here\nprint('here', jld_made_here.VALUE)",
            "here 2",
        ),
        # Read already in this cell (by the lookup of zz_absent): Python's own rule for new modules.
        (
            (
                "import importlib.util\nprint(importlib.util.find_spec('zz_absent'))\n"
                "open('jld_made_later.py', 'w').write('VALUE = 3')\nimportlib.invalidate_caches()\n"
                "import jld_made_later\nprint('later', jld_made_later.VALUE)"
            ),
            "later 3",
        ),
    ]
    for code, expected in cells:
        nb.set_cell_text(1, code)
        nb.run_cell(1)
        nb.wait_for_output(1, expected)
    expect_only_local_requests(log, lite_site)


def test_the_magic_asks_the_drive_about_the_database_and_not_about_its_snapshot(lite_site, lite_page):
    """Each question to the drive is a request that the page answers while it is busy drawing the
    widget the magic displays. `%datasette flights.db` asks about flights.db once (the checks, which
    also give the copy its size), and never about a file named like the snapshot's HTML, as
    IPython's HTML() would."""
    page, log = lite_page
    asked: list[tuple[str, str]] = []

    def record(request) -> None:
        if urlsplit(request.url).path.startswith("/api/drive"):
            question = json.loads(request.post_data)["data"]
            asked.append((question["method"], question["path"]))

    page.context.on("request", record)
    nb = NotebookPage(page, f"{lite_site.base}/lab/index.html?path=quickstart.ipynb")
    nb.run_cell(1)
    before = len(asked)
    nb.run_cell(2)
    nb.frame().locator("h1", has_text="flights").first.wait_for(timeout=120_000)
    questions = asked[before:]
    assert questions.count(("getattr", "/flights.db")) == 1, questions
    assert not [path for _, path in questions if "jld-snapshot" in path], questions
    expect_only_local_requests(log, lite_site)


def test_files_the_browser_fetches_reach_the_kernel_from_its_own_buffers(lite_site, lite_page):
    """What the browser fetches for the kernel goes into the kernel's in-memory file system from
    the browser's own buffers (browser_files.py), never through Python's memory, and arrives byte
    for byte: the site's copy of a database whole, taken over as the file (the kernel's WebAssembly
    memory, which never shrinks, does not grow by its size, as it did when the bytes went through
    Python); a download by URL a piece at a time, into storage that doubles as it grows and is cut
    to size at the end; and from a server that ignores Range, in one answer. Metadata by URL
    comes the same way, and is read and not kept."""
    page, log = lite_page
    (lite_site.directory / "served-meta.yml").write_text("title: Served to the kernel\n")
    nb = NotebookPage(page, f"{lite_site.base}/lab/index.html?path=quickstart.ipynb")
    nb.set_cell_text(
        1,
        "import hashlib, pyodide_js\n"
        "import jupyterlite_datasette.download as download\n"
        "from jupyterlite_datasette.checks import readable_file_and_size\n"
        "from jupyterlite_datasette.drive import kernel_local\n"
        "memory = lambda: pyodide_js._module.HEAPU8.length\n"
        "digest = lambda path: hashlib.sha256(path.read_bytes()).hexdigest()\n"
        "before = memory()\n"
        "local = kernel_local(*readable_file_and_size('flights.db'))\n"
        "grown = memory() - before\n"
        "download.BROWSER_CHUNK = 3 << 20\n"
        f"pieces = download.download('{lite_site.base}/files/flights.db')\n"
        f"whole = download.download('{lite_site.base}/any/ignores-ranges.bin')\n"
        "from jupyterlite_datasette.instance import read_metadata\n"
        f"print(read_metadata('{lite_site.base}/served-meta.yml'))\n"
        "print('ARRIVED', digest(local), local.stat().st_size, grown, digest(pieces), digest(whole))",
    )
    nb.run_cell(1)
    output = nb.wait_for_output(1, "ARRIVED", timeout=60_000)
    assert "flights.db: fetched from the site" in output, output
    assert "{'title': 'Served to the kernel'}" in output
    local, size, grown, pieces, whole = output.split("ARRIVED", 1)[1].split()
    site_file = (lite_site.directory / "files" / "flights.db").read_bytes()
    site_digest = hashlib.sha256(site_file).hexdigest()
    assert (local, int(size)) == (site_digest, len(site_file))
    assert int(grown) < len(site_file) // 4, f"the kernel's memory grew by {int(grown):,} bytes"
    assert pieces == site_digest
    assert whole == hashlib.sha256(ANY_BODY).hexdigest()
    expect_only_local_requests(log, lite_site)


def test_the_standard_library_the_kernel_starts_without_is_fetched_on_first_import(lite_site, lite_page):
    """Modules of the standard library that nothing of the kernel imports as it starts are in Pyodide's
    whole archive of it, which the first import of one fetches from the site (site_build/deferral.py):
    modules, a package's module, and an encoding, looked up by name."""
    page, log = lite_page
    nb = NotebookPage(page, f"{lite_site.base}/lab/index.html?path=quickstart.ipynb")
    nb.set_cell_text(
        1,
        "import codecs, email.mime.text, statistics, xmlrpc.client\n"
        "print(codecs.lookup('cp1252').name, statistics.mean([1, 2, 6]), xmlrpc.client.__file__)\n"
        "print(email.mime.text.MIMEText('hi')['Content-Type'])",
    )
    nb.run_cell(1)
    nb.wait_for_output(1, "cp1252 3 /lib/python_stdlib_whole.zip/xmlrpc/client.py", timeout=60_000)
    nb.wait_for_output(1, 'text/plain; charset="us-ascii"')
    # A module that is nowhere is still one clear error, and fetches nothing more.
    nb.set_cell_text(1, "import zz_no_such_module")
    nb.run_cell(1)
    nb.wait_for_output(1, "No module named 'zz_no_such_module'")
    # Fetched once; and the packages IPython shows its first traceback with (site_build/deferral.py).
    traceback_packages = ("stack_data", "executing", "asttokens", "pure_eval")
    assert sorted(deferred_fetches(log)) == sorted(
        [
            "/static/pyodide/python_stdlib_whole.zip",
            *(
                f"/static/pyodide-lock/deferred/{wheel.name}"
                for wheel in deferred_wheels(lite_site, traceback_packages)
            ),
        ]
    )
    expect_only_local_requests(log, lite_site)


def test_a_sql_file_in_the_drive_becomes_a_database(lite_site, lite_page):
    """A dump written in the notebook's folder (as an upload lands there) opens as a database,
    its SQL run in the Pyodide kernel (sql_files.py)."""
    page, log = lite_page
    nb = NotebookPage(page, f"{lite_site.base}/lab/index.html?path=quickstart.ipynb")
    nb.set_cell_text(
        1,
        # chr(39), a quote: the editor would close quotes typed inside quotes.
        "q = chr(39); open('birds.sql', 'w').write(f'create table birds (name text, wingspan real); "
        "insert into birds values ({q}Puffin{q}, 0.55), ({q}Albatross{q}, 3.4);')\n"
        "%load_ext jupyterlite_datasette",
    )
    nb.run_cell(1)
    nb.set_cell_text(2, "%datasette birds.sql --path /birds/birds")
    nb.run_cell(2)
    nb.frame().locator("td", has_text="Albatross").wait_for(timeout=60_000)
    expect_only_local_requests(log, lite_site)


def deferred_wheels(site, distributions: tuple[str, ...]) -> list:
    """The wheels of `distributions` the site defers (site_build/deferral.py)."""
    folder = site.directory / "static" / "pyodide-lock" / "deferred"
    return [wheel for name in distributions for wheel in folder.glob(f"{name}-*.whl")]


def test_piplite_runs_at_the_first_pip_not_as_the_kernel_starts(lite_site, lite_page):
    """The kernel imports piplite as it starts, which would import micropip and unittest.mock; in the
    site they run at the first `%pip` (site_build/lazy_piplite.py), with the site's settings the
    kernel gave piplite as it started: here, no PyPI."""
    page, log = lite_page
    nb = NotebookPage(page, f"{lite_site.base}/lab/index.html?path=quickstart.ipynb")
    nb.set_cell_text(1, "import sys; print('ran:', [m for m in ('micropip', 'unittest.mock') if m in sys.modules])")
    nb.run_cell(1)
    nb.wait_for_output(1, "ran: []")
    nb.set_cell_text(1, "%pip install zz-not-in-the-site")
    nb.run_cell(1)
    nb.wait_for_output(1, "PiplitePyPIDisabled", timeout=60_000)
    nb.set_cell_text(
        1, "import piplite; print('site index:', any('/all.json' in u for u in piplite.piplite._PIPLITE_URLS))"
    )
    nb.run_cell(1)
    nb.wait_for_output(1, "site index: True")
    expect_only_local_requests(log, lite_site)


def test_the_kernel_starts_with_what_it_imports_compiled_and_their_sources_come_when_shown(lite_site, lite_page):
    """The modules the kernel imports by the quickstart's first page are shipped compiled
    (site_build/bytecode.py); their sources are fetched only when a traceback or `inspect` shows
    them, and only if they are the ones the bytecode was compiled from. The packages the kernel
    installs as it starts but does not import then wait behind stand-ins (site_build/deferral.py).
    Datasette's templates come compiled too (site_build/templates.py)."""
    page, log = lite_page
    # A source that is not the one the site was built with: its lines are not shown as the module's.
    tampered = "/static/pyodide/sources/stdlib/json/decoder.py"
    page.context.route(f"**{tampered}", lambda route: route.fulfill(body="# not json's decoder\n" * 400))
    nb = NotebookPage(page, f"{lite_site.base}/lab/index.html?path=quickstart.ipynb")
    nb.run_all()
    nb.frame().locator("h1", has_text="flights").first.wait_for(timeout=120_000)
    nb.wait_for_output(6, "'/flights/flights'", timeout=60_000)
    # Served as they are: jupyterlite-pyodide-kernel's own wheels, and the site's plugins (which
    # Datasette imports as it starts) with what they need.
    packages = json.loads((lite_site.directory / "static" / "pyodide-lock" / "pyodide-lock.json").read_text())[
        "packages"
    ]
    plugins, waiting = set(), list(SITE_PLUGINS)
    while waiting:
        name = waiting.pop()
        plugins.add(name)
        waiting += set(packages[name]["depends"]) - plugins
    as_they_are = ("piplite", "pyodide_kernel", *(module for name in plugins for module in packages[name]["imports"]))
    nb.set_cell_text(
        6,
        # Not the frozen modules (Python's own, built into it).
        "import sys; print('from source:', sorted(m.__name__ for m in list(sys.modules.values()) "
        "if getattr(m.__spec__, 'origin', None) != 'frozen' "
        "and (getattr(m, '__file__', None) or '').endswith('.py') and m.__file__.startswith('/lib/') "
        f"and m.__name__.partition('.')[0] not in {as_they_are!r}))",
    )
    nb.run_cell(6)
    from_source = nb.wait_for_output(6, "from source:")
    assert from_source.strip() == "from source: []", (
        f"{from_source}: add the files of these modules to site_build/imported_at_start.txt"
    )
    assert not deferred_fetches(log), deferred_fetches(log)

    # A new Datasette's first table page: Jinja compiles none of its templates.
    nb.set_cell_text(
        6,
        "from jupyterlite_datasette.instance import build_datasette\n"
        "ds = build_datasette([w.ds.databases['flights'].path]); compiled = []; compile_ = ds.jinja_env.compile\n"
        "ds.jinja_env.compile = lambda *args, **kwargs: compiled.append(args[1]) or compile_(*args, **kwargs)\n"
        "page = await ds.client.get('/flights/flights')\n"
        "print('compiled:', page.status_code, compiled, w.ds.jinja_env.bytecode_cache is not None)",
    )
    nb.run_cell(6)
    nb.wait_for_output(6, "compiled: 200 [] True")

    nb.set_cell_text(
        6,
        "import inspect, json, traceback, datasette.app, certifi\n"
        "print('source:', inspect.getsource(datasette.app.Datasette.get_database).splitlines()[0].strip())\n"
        "print('deferred:', certifi.where(), len(certifi.contents()) > 100_000)\n"
        # pint, imported at the first use of units, and the wheels of its parser, which wait till then.
        "from datasette.views.base import ureg; print('units:', ureg('5km').to('m').magnitude)\n"
        # Typed on one line: the editor indents what follows a colon.
        "exec(\"try: json.loads('{')\\nexcept ValueError: print(traceback.format_exc())\")",
    )
    nb.run_cell(6)
    nb.wait_for_output(6, "source: def get_database(self, name=None, route=None):", timeout=60_000)
    nb.wait_for_output(6, "deferred: /lib/python3.14/site-packages/certifi/cacert.pem True")
    output = nb.wait_for_output(6, "units: 5000.0")
    # json/__init__.py's line is shown; the tampered decoder.py's are not.
    assert "return _default_decoder.decode(s)" in output, output
    assert "not json's decoder" not in output, output
    assert 'File "/lib/python314.zip/json/decoder.py", line' in output, output
    fetched = [urlsplit(url).path for url in log.from_network]
    assert "/static/pyodide-lock/sources/site-packages/datasette/app.py" in fetched
    assert "/static/pyodide/sources/stdlib/json/__init__.py" in fetched
    assert any(path.startswith("/static/pyodide-lock/deferred/certifi-") for path in fetched), fetched
    assert any(path.startswith("/static/pyodide-lock/deferred/flexparser-") for path in fetched), fetched
    expect_only_local_requests(log, lite_site)
