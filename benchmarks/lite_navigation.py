"""JupyterLite navigation: a click in the widget of the offline site's quickstart, in Pyodide.

In headless Chromium, on the site served from 127.0.0.1: Run All in the
quickstart, then click in the widget again and again, and time each click
until the new page is on screen (from the click, as it is dispatched, to the
presentation of the frame that first shows the page), for three kinds of page
of the site's `flights.db`:

- table:    "Next page" on flights (19 columns)
- database: from a table page to its database's page (the crumbs link)
- row:      from a table page to a row's page (its primary key's link)

Then, in the same kernel, time ``ds.client.get`` of exactly the paths those
clicks reached (Datasette's own work in Pyodide, the floor), and print where
the widget's time goes. `../shared/peer/peer_lite.py` times the same "Next
page" click against Datasette Lite, from the Python side of Playwright.

    .venv/bin/python benchmarks/lite_navigation.py [--navigations 15] [--site lite/_output]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from navigation import KINDS, kernel_times, report, time_widget
from playwright.sync_api import sync_playwright
from support.lab import NotebookPage, launch_chromium
from support.lite import served_site

#: The kinds of navigation.py that the site's database has (it has no narrow table).
LITE_KINDS = {"table": KINDS["wide table"], "database": KINDS["database"], "row": KINDS["row"]}
#: The quickstart's cell that binds the widget to `w`, and the one after it, used to time the kernel.
BINDS_W, SPARE_CELL = 5, 6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--navigations", type=int, default=15, help="clicks timed for each kind of page")
    parser.add_argument("--site", type=Path, default=ROOT / "lite" / "_output")
    args = parser.parse_args()
    with served_site(args.site) as server, sync_playwright() as playwright:
        browser = launch_chromium(playwright, as_users_run_it=True)
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        nb = NotebookPage(page, f"{server.base}/lab/index.html?path=quickstart.ipynb")
        nb.run_all()
        nb.wait_for_run_all(timeout=120_000)
        nb.frame().locator("h1").first.wait_for(timeout=120_000)
        if "w = _" not in nb.cell(BINDS_W).inner_text():
            raise RuntimeError(f"the quickstart's cell {BINDS_W} no longer binds the widget to w")
        clicks, paths = time_widget(nb, page, args.navigations, LITE_KINDS)
        kernel_ms = kernel_times(nb, SPARE_CELL, paths)
        browser.close()
    print(f"the offline site's flights.db; {args.navigations} clicks of each kind; medians in ms (p90)")
    report(clicks, kernel_ms)


if __name__ == "__main__":
    main()
