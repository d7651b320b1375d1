"""Everything a user can name, made into SQLite files for Datasette to open.

SQLite files (local or by URL) are opened as they are; SQL files (a dump) are run into
databases of their own (sql_files.py). CSV, TSV, JSON, Parquet and
newline-delimited JSON files (local or by URL) and pandas DataFrames become
tables of one new database, ``data``, in a kernel-local folder. Every input
is checked and every table written before anything is handed to Datasette,
so a bad input leaves nothing half-registered.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .checks import readable_file_and_size, sqlite_header, sqlite_opens
from .download import download, is_url
from .drive import kernel_local, on_drive
from .errors import TableNameError, TabularFileError
from .provenance import OPENED_IN_PLACE, Origin
from .sql_files import database_from_sql, is_sql_file
from .tabular import import_dataframe, import_file, tabular_format

#: The database that table files and DataFrames are written into.
IMPORTED_NAME = "data"
#: Kernel-local folders of downloads and imports start so.
WORKDIR_PREFIX = "jupyterlite-datasette-"


@dataclass
class Databases:
    #: SQLite files to open, in the order given.
    files: list[Path] = field(default_factory=list)
    #: The database made from table files and DataFrames, if any.
    imported: Path | None = None
    #: Where each of them came from.
    origins: dict[Path, Origin] = field(default_factory=dict)

    @property
    def all(self) -> list[Path]:
        return self.files + ([self.imported] if self.imported else [])


def is_dataframe(value: object) -> bool:
    """A pandas DataFrame, recognised without importing pandas."""
    kind = type(value)
    return kind.__name__ == "DataFrame" and kind.__module__.startswith("pandas")


def gather(sources: Iterable[Any] = (), tables: Mapping[str, Any] | None = None) -> Databases:
    """Check, fetch and import every source; raise a DatasetteInputError naming a bad one."""
    workdir = Path(tempfile.mkdtemp(prefix=WORKDIR_PREFIX))
    try:
        found = _gather(list(sources), dict(tables or {}), workdir)
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    if not any(workdir.iterdir()):
        workdir.rmdir()
    return found


def _gather(sources: list, tables: dict, workdir: Path) -> Databases:
    found = Databases()
    #: table name -> (DataFrame or file, how the user named it)
    pending: dict[str, tuple[Any, str]] = {}

    def add_table(name: Any, value: Any, shown: str) -> None:
        if not isinstance(name, str) or not name.strip():
            raise TableNameError(f"{shown}: a table name must be a non-empty string, not {name!r}")
        if name in pending:
            raise TableNameError(
                f"{shown}: {pending[name][1]} makes a table named {name!r} already; "
                "name them apart with tables={'other_name': ...}"
            )
        pending[name] = (value, shown)

    frames = 0
    for source in sources:
        if is_dataframe(source):
            frames += 1
            add_table("dataframe" if frames == 1 else f"dataframe_{frames}", source, "a DataFrame")
            continue
        kind, path, shown, origin = local_copy(source, workdir)
        if kind == "table":
            add_table(path.stem, path, shown)
        else:
            found.files.append(path)
            found.origins[path] = origin
    for name, value in tables.items():
        if is_dataframe(value):
            add_table(name, value, f"DataFrame {name!r}")
        elif isinstance(value, (str, os.PathLike)):
            kind, path, shown, _ = local_copy(value, workdir)
            if kind != "table":
                raise TabularFileError(
                    f"{shown}: tables= takes DataFrames and CSV, TSV, JSON or Parquet files; "
                    "pass SQLite databases as files instead"
                )
            add_table(name, path, shown)
        else:
            raise TabularFileError(
                f"tables[{name!r}]: is a {type(value).__name__}; pass a pandas DataFrame, "
                "or the path or URL of a CSV, TSV, JSON or Parquet file"
            )
    if pending:
        import sqlite_utils

        found.imported = workdir / f"{IMPORTED_NAME}.db"
        found.origins[found.imported] = Origin("imported")
        db = sqlite_utils.Database(found.imported)
        try:
            for name, (value, shown) in pending.items():
                if is_dataframe(value):
                    import_dataframe(db, value, name)
                else:
                    import_file(db, value, name, shown)
        finally:
            db.close()
    return found


def local_copy(source: Any, workdir: Path) -> tuple[str, Path, str, Origin]:
    """("sqlite" or "table", a kernel-local path to read, how the user named it, where it came from)."""
    if not isinstance(source, (str, os.PathLike)):
        raise TabularFileError(
            f"{source!r}: is a {type(source).__name__}; pass a file path, a URL or a pandas DataFrame"
        )
    shown = str(source)
    if is_url(source):
        # Each download in a folder of its own: two URLs may end in the same name.
        path = download(shown, Path(tempfile.mkdtemp(dir=workdir)))
        if tabular_format(path):
            return "table", path, shown, Origin("imported")
        if is_sql_file(path):
            return "sqlite", database_from_sql(path, path.parent, shown), shown, Origin("imported")
        return "sqlite", checked_sqlite(path, shown), shown, Origin("download")
    given, size = readable_file_and_size(source)
    if tabular_format(given):
        return "table", kernel_local(given, size), shown, Origin("imported")
    if is_sql_file(given):
        # In a folder of its own: two SQL files in different folders may have the same name.
        made = database_from_sql(kernel_local(given, size), Path(tempfile.mkdtemp(dir=workdir)), shown)
        return "sqlite", made, shown, Origin("imported")
    origin = Origin("drive", drive_file=given) if on_drive(given) else OPENED_IN_PLACE
    return "sqlite", checked_sqlite(kernel_local(given, size), shown), shown, origin


def checked_sqlite(local: Path, shown: str) -> Path:
    """`local` (kernel-local: in JupyterLite a copy of a file on /drive is made before the
    checks, since reading even the header of a file there fetches all of it) if it is a
    SQLite database SQLite can read; else one error naming `shown`."""
    sqlite_header(local, shown)
    sqlite_opens(local, shown)
    return local
