"""What ``datasette inspect`` records about read-only databases, taken once in the background.

Datasette runs ``select count(*)`` on every table page unless it has the
counts from ``datasette inspect``. A file opened immutable cannot change, so
the same record (row counts, size, hash) is made once, on a thread, and handed
to Datasette as ``datasette serve --inspect-file`` would: table pages of a
1 GB table then cost what they cost on a small one. Until it lands, Datasette
counts as usual.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from datasette.app import Datasette
from datasette.inspect import inspect_hash

from .runtime import in_pyodide


def quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class InspectRecord(dict):
    """A ``datasette inspect`` record whose hash is made only when Datasette asks for it.

    Hashing reads the whole file (a second or so per GB); Datasette itself
    does it lazily, on the pages that show the hash, and so does this.
    """

    def __init__(self, path: Path, **fields: object) -> None:
        super().__init__(**fields)
        self.path = path

    def __missing__(self, key: str) -> str:
        if key != "hash":
            raise KeyError(key)
        self["hash"] = digest = inspect_hash(self.path)
        return digest


def inspect_file(path: Path) -> dict:
    """The ``datasette inspect`` record of the database at `path`: row counts, size, file, hash."""
    conn = sqlite3.connect(f"{path.as_uri()}?immutable=1", uri=True)
    try:
        names = [row[0] for row in conn.execute("select name from sqlite_master where type = 'table'")]
        tables = {name: {"count": conn.execute(f"select count(*) from {quoted(name)}").fetchone()[0]} for name in names}
    finally:
        conn.close()
    return InspectRecord(path, size=path.stat().st_size, file=str(path), tables=tables)


def count_in_background(ds: Datasette) -> threading.Thread | None:
    """Start counting the rows of `ds`'s immutable databases; None if there is nothing to do here.

    Pyodide has no threads: there Datasette keeps counting per page.
    """
    files = {name: Path(db.path) for name, db in ds.databases.items() if not db.is_mutable and db.path}
    if not files or in_pyodide():
        return None

    def count() -> None:
        found = {}
        for name, path in files.items():
            try:
                found[name] = inspect_file(path)
            except sqlite3.Error:
                continue  # Datasette counts this one itself, as it always does
        # One assignment: a request sees all the counts or none.
        ds.inspect_data = {**(ds.inspect_data or {}), **found}

    thread = threading.Thread(target=count, name="jupyterlite-datasette row counts", daemon=True)
    thread.start()
    return thread
