"""CSV, TSV, JSON and newline-delimited JSON, and pandas DataFrames, into SQLite tables.

sqlite-utils reads the files and writes the tables; column types of CSV and
TSV are detected from the values, as ``sqlite-utils insert --detect-types`` does.
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
FORMATS = {".csv": "CSV", ".tsv": "TSV", ".tab": "TSV", ".json": "JSON", ".ndjson": "NL", ".jsonl": "NL"}


def tabular_format(path: Path) -> str | None:
    """The format a file is read in (a ``sqlite_utils.utils.Format`` name), from its name; None if not a table."""
    return FORMATS.get(path.suffix.lower())


def import_file(db: Any, path: Path, table: str, shown_as: str) -> int:
    """Read `path` into a new `table` of the sqlite-utils `db`; return its row count. Errors name `shown_as`."""
    from sqlite_utils.utils import Format, RowError, RowsFromFileBadJSON, TypeTracker, rows_from_file

    format = Format[tabular_format(path)]
    if path.stat().st_size == 0:
        raise TabularFileError(f"{shown_as}: is empty; a table file needs a header or at least one row")
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
