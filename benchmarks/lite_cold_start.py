"""JupyterLite cold start: page open to the first Datasette page painted in the widget.

Each run starts a new Chromium with a fresh profile (nothing cached), opens
the offline site's quickstart from 127.0.0.1 and chooses Run All. Broken down:

- UI ready:     page open -> the notebook is on screen
- saved page:   -> the widget's saved first page (its snapshot) shows rows
- kernel idle:  -> the Pyodide kernel says Idle (Pyodide and prefetched wheels loaded)
- import:       -> `%load_ext jupyterlite_datasette` has run (Datasette imported)
- live page:    -> the widget's first page painted (database copied, page rendered)

and two totals: first data visible (the saved page) and first live page.

    .venv/bin/python benchmarks/lite_cold_start.py [--runs 5] [--site lite/_output]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from playwright.sync_api import sync_playwright
from support.lab import NotebookPage, launch_chromium
from support.lite import served_site

STEPS = ["UI ready", "saved page", "kernel idle", "import", "live page"]


def one_run(playwright, base: str) -> list[float]:
    browser = launch_chromium(playwright)  # a new browser, a new empty profile
    try:
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        start = time.perf_counter()
        marks = []
        page.goto(f"{base}/lab/index.html?path=quickstart.ipynb")
        page.locator(".jp-Notebook .jp-Cell").first.wait_for(timeout=120_000)
        marks.append(time.perf_counter())
        page.locator(".jp-OutputArea .jld-snapshot td").first.wait_for(timeout=120_000)
        marks.append(time.perf_counter())
        nb = NotebookPage(page, None)  # waits for the kernel to be idle
        marks.append(time.perf_counter())
        nb.run_all()
        page.wait_for_function(
            "() => /\\[\\d+\\]/.test(document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')[0].innerText)",
            timeout=120_000,
        )
        marks.append(time.perf_counter())
        nb.frame().locator("h1").first.wait_for(timeout=120_000)
        page.evaluate("() => new Promise((r) => requestAnimationFrame(() => setTimeout(r)))")
        marks.append(time.perf_counter())
        return [later - earlier for earlier, later in zip([start, *marks], marks)]
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
