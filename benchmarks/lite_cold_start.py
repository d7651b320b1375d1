"""JupyterLite cold start: page open to the first Datasette page painted in the widget.

Each run starts a new Chromium with a fresh profile (nothing cached), opens
the offline site's quickstart from 127.0.0.1 and chooses Run All. Broken down:

- UI ready:     page open -> the notebook is on screen
- saved page:   -> the widget's saved first page (its snapshot) shows rows
- kernel idle:  -> the Pyodide kernel says Idle (Pyodide and prefetched wheels loaded)
- import:       -> `%load_ext jupyterlite_datasette` has run (Datasette imported)
- live page:    -> the widget's first page painted (database copied, page rendered)

and two totals: first data visible (the saved page) and first live page.

Each moment is read on the page's own clock, in the first animation frame in
which it holds (polled every frame). Playwright's own waits poll at 20, 50, 100,
100, then every 500 ms: a step timed by them comes up to half a second late, and
steps in a row add their delays. Run All is chosen as soon as the kernel says
Idle, as a reader waiting for it would.

    .venv/bin/python benchmarks/lite_cold_start.py [--runs 5] [--site lite/_output]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from playwright.sync_api import sync_playwright
from support.lab import NotebookPage, launch_chromium
from support.lite import served_site

STEPS = ["UI ready", "saved page", "kernel idle", "import", "live page"]


#: Conditions on the notebook page, each the end of a step.
NOTEBOOK_ON_SCREEN = "document.querySelector('.jp-Notebook .jp-Cell')"
SAVED_PAGE_ROWS = "document.querySelector('.jp-OutputArea .jld-snapshot td')"
KERNEL_IDLE = (
    "[...document.querySelectorAll('.jp-StatusBar-TextItem')].some((item) => item.textContent.includes('| Idle'))"
)
FIRST_CELL_RAN = "/\\[\\d+\\]/.test(document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')[0].innerText)"
PAGE_FRAME = "document.querySelector('.jld-widget iframe.jld-frame')"


def reached(target, condition: str) -> float:
    """The moment `condition` first holds in `target` (the page, or its widget's page frame),
    polled every animation frame: milliseconds since 1970, on the browser's clock."""
    moment = f"() => ({condition}) && performance.timeOrigin + performance.now()"
    return target.wait_for_function(moment, polling="raf", timeout=120_000).json_value()


def one_run(playwright, base: str) -> list[float]:
    browser = launch_chromium(playwright, as_users_run_it=True)  # a new browser, a new empty profile
    try:
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.goto(f"{base}/lab/index.html?path=quickstart.ipynb")
        opened = page.evaluate("() => performance.timeOrigin")
        marks = [reached(page, NOTEBOOK_ON_SCREEN), reached(page, SAVED_PAGE_ROWS), reached(page, KERNEL_IDLE)]
        # Its menus and frames. Not its own wait for the kernel: Playwright's waits poll, and
        # would choose Run All up to a second after the Idle just read.
        nb = NotebookPage(page, None, wait_for_kernel=False)
        nb.run_all()
        marks.append(reached(page, FIRST_CELL_RAN))
        if nb.page_frame_in_notebook:
            reached(page, PAGE_FRAME)
            marks.append(reached(nb.frame_handle(), "document.querySelector('h1')"))
        else:  # a site without the frame policy: the page frame is in the widget's shell
            nb.frame().locator("h1").first.wait_for(timeout=120_000)
            marks.append(page.evaluate("() => performance.timeOrigin + performance.now()"))
        return [(later - earlier) / 1000 for earlier, later in zip([opened, *marks], marks)]
    finally:
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--site", type=Path, default=ROOT / "lite" / "_output")
    args = parser.parse_args()
    with served_site(args.site) as server, sync_playwright() as playwright:
        runs = [one_run(playwright, server.base) for _ in range(args.runs)]
    totals = [sum(run) for run in runs]
    print(f"cold start, fresh profile, {args.runs} runs (seconds, median of each step):")
    for i, step in enumerate(STEPS):
        print(f"  {step:12s} {statistics.median(run[i] for run in runs):5.1f}")
    visible = [sum(run[:2]) for run in runs]
    print(f"  first data visible {statistics.median(visible):5.1f}   (runs: {', '.join(f'{t:.1f}' for t in visible)})")
    print(f"  first live page    {statistics.median(totals):5.1f}   (runs: {', '.join(f'{t:.1f}' for t in totals)})")


if __name__ == "__main__":
    main()
