"""CSV, TSV, JSON, newline-delimited JSON and Parquet files, and pandas DataFrames, into SQLite tables.

sqlite-utils reads the text files and writes the tables; column types of CSV and
TSV are detected from the values, as ``sqlite-utils insert --detect-types`` does.
Parquet files are read by pyarrow (an optional dependency), in batches, their
columns typed from the file's schema.
sqlite-utils is imported only when a table is made: opening SQLite files does
not pay for it (it matters in JupyterLite, where every import is slow).
"""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path
from typing import Any

from .errors import TabularFileError

#: File name endings read as tables, and the sqlite-utils format each is read in.
FORMATS = {
    ".csv": "CSV",
    ".tsv": "TSV",
    ".tab": "TSV",
    ".json": "JSON",
    ".ndjson": "NL",
    ".jsonl": "NL",
    ".parquet": "PARQUET",
}
#: Parquet rows read and written at a time: memory stays bounded for big files.
PARQUET_BATCH_ROWS = 50_000


def tabular_format(path: Path) -> str | None:
    """The format a file is read in (a ``sqlite_utils.utils.Format`` name), from its name; None if not a table."""
    return FORMATS.get(path.suffix.lower())


def import_file(db: Any, path: Path, table: str, shown_as: str) -> int:
    """Read `path` into a new `table` of the sqlite-utils `db`; return its row count. Errors name `shown_as`."""
    if path.stat().st_size == 0:
        raise TabularFileError(f"{shown_as}: is empty; a table file needs a header or at least one row")
    if tabular_format(path) == "PARQUET":
        return import_parquet(db, path, table, shown_as)
    from sqlite_utils.utils import Format, RowError, RowsFromFileBadJSON, TypeTracker, rows_from_file

    kind = tabular_format(path)
    if kind is None:
        raise TabularFileError(f"{shown_as}: is not a CSV, TSV, JSON or Parquet file")
    format = Format[kind]
    try:
        with path.open("rb") as f:
            rows, _ = rows_from_file(f, format=format)
            if format in (Format.JSON, Format.NL):
                rows = objects_only(rows)
            tracker = TypeTracker()
            db[table].insert_all(tracker.wrap(rows) if format in (Format.CSV, Format.TSV) else rows)
    except (json.JSONDecodeError, RowsFromFileBadJSON) as e:
        raise TabularFileError(f"{shown_as}: is not valid JSON ({e}); fix the file and try again") from None
    except RowError as e:
        raise TabularFileError(f"{shown_as}: a row has more fields than the header ({e})") from None
    except (csv.Error, UnicodeDecodeError) as e:
        raise TabularFileError(f"{shown_as}: cannot be read as {format.name} ({e})") from None
    except (TypeError, ValueError) as e:  # a row that is not an object, a nested value SQLite cannot take
        raise TabularFileError(f"{shown_as}: {e}") from None
    if not db[table].exists():
        raise TabularFileError(f"{shown_as}: holds no rows to make a table from")
    if format in (Format.CSV, Format.TSV):
        db[table].transform(types=tracker.types)
    return db[table].count


def import_parquet(db: Any, path: Path, table: str, shown_as: str) -> int:
    """Read the Parquet file `path` into a new `table`, with pyarrow; return its row count."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise TabularFileError(
            f"{shown_as}: reading Parquet needs pyarrow: install it (%pip install pyarrow) and run the cell "
            "again; where it cannot be installed (an offline JupyterLite site), convert the file to CSV or SQLite"
        ) from None
    try:
        parquet = pq.ParquetFile(path)
        schema = parquet.schema_arrow
        db[table].create({field.name: sqlite_type(pa, field.type) for field in schema})
        for batch in parquet.iter_batches(batch_size=PARQUET_BATCH_ROWS):
            db[table].insert_all(batch.to_pylist())
    except (pa.ArrowException, OSError) as e:
        raise TabularFileError(f"{shown_as}: cannot be read as Parquet ({e})") from None
    except (TypeError, ValueError) as e:  # a value SQLite cannot take
        raise TabularFileError(f"{shown_as}: {e}") from None
    return db[table].count


def sqlite_type(pa: Any, arrow_type: Any) -> type:
    """The Python type sqlite-utils makes a column of, for an Arrow column type."""
    types = pa.types
    if types.is_integer(arrow_type) or types.is_boolean(arrow_type):
        return int
    if types.is_floating(arrow_type) or types.is_decimal(arrow_type):
        return float
    if types.is_binary(arrow_type) or types.is_large_binary(arrow_type) or types.is_fixed_size_binary(arrow_type):
        return bytes
    return str  # text, dates and times (ISO text, as sqlite-utils writes them), lists and structs (JSON)


def objects_only(rows: Any):
    """JSON rows must be objects: one clear error for anything else."""
    for number, row in enumerate(rows, 1):
        if not isinstance(row, dict):
            raise TypeError(f"item {number} is {type(row).__name__}, not an object; expected an array of objects")
        yield row


def import_dataframe(db: Any, frame: Any, table: str) -> int:
    """Write a pandas DataFrame to a new `table` of `db`; its index too unless it is 0, 1, 2, ..."""
    import pandas as pd

    keep_index = not (isinstance(frame.index, pd.RangeIndex) and frame.index.start == 0 and frame.index.step == 1)
    try:
        frame.to_sql(table, db.conn, index=keep_index)
    except (ValueError, TypeError, sqlite3.Error, pd.errors.DatabaseError) as e:
        cause = e.__cause__ or e  # pandas wraps sqlite3's message, which says what is wrong
        raise TabularFileError(f"DataFrame {table!r}: cannot be written to SQLite ({cause})") from None
    return len(frame)
