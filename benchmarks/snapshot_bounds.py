"""The saved snapshot on hostile pages: time to build it and its size, against the page's size.

Pages as Datasette lays them out, with what someone else's metadata or data
could put in the content section: 16,000 nested tags (the parse was quadratic before: 2.8 s), one 5 MB cell, and a
100-row table for scale. Prints, for each, the page's size, the time to build
the snapshot (median of 5) and the snapshot's size.

    .venv/bin/python benchmarks/snapshot_bounds.py
"""

from __future__ import annotations

import statistics
import time

from jupyterlite_datasette.snapshot import MAX_CHARS, page_snapshot


def page(markup: str) -> str:
    return f'<html><body><section class="content">{markup}</section></body></html>'


PAGES = {
    "16,000 nested <div>, text": page("<div>text" * 16_000 + "</div>" * 16_000),
    "16,000 <span>, stray ends": page("<span>" * 16_000 + "x" + "</i>" * 16_000),
    "16,000 nested <li><div>": page("<ul>" + "<li><div>" * 16_000 + "x" + "</div></li>" * 16_000 + "</ul>"),
    "one 5 MB cell": page("<table><tr><td>" + "x" * 5_000_000 + "</td></tr></table>"),
    "100 rows x 20 columns": page(
        "<table>" + ("<tr>" + "<td class='col-x type-int'>12345</td>" * 20 + "</tr>") * 100 + "</table>"
    ),
}


def main() -> None:
    print(f"snapshot cap: {MAX_CHARS:,} characters")
    for name, html in PAGES.items():
        times = []
        for _ in range(5):
            started = time.perf_counter()
            snapshot = page_snapshot(html, "/")
            times.append(time.perf_counter() - started)
        print(
            f"{name:>26}: page {len(html) / 1e6:6.2f} MB, built in {statistics.median(times) * 1000:7.1f} ms, "
            f"snapshot {len(snapshot) / 1e3:6.1f} KB"
        )


if __name__ == "__main__":
    main()
