"""Database files opened by the path they have, whatever characters it holds.

Datasette opens each file as the SQLite URI ``file:{path}?immutable=1`` (and attaches
them for ``--crossdb`` the same way) with the path as it is. SQLite reads that path as
URI syntax: ``#`` starts a fragment, ``?`` a query, and ``%2F`` is a slash. So
``report #3.db`` opened an empty database (and made a file) called ``report ``, and a
file named ``x%2F..%2Fsecret.db``, which a URL's last segment can name a download,
opened ``secret.db`` in the folder above: a hostile link chose which file on disk
Datasette showed, or wrote with ``--write``. Here the path is percent-encoded first.
"""

from __future__ import annotations

import copy
import sqlite3
from collections.abc import Mapping
from urllib.parse import quote

from datasette.app import SQLITE_LIMIT_ATTACHED
from datasette.database import Database
from datasette.utils import escape_sqlite


def is_file(db: Database) -> bool:
    """A database file someone opened: not in memory, nor 1.0's temporary one of its own."""
    return bool(db.path) and not (db.is_memory or db.memory_name or getattr(db, "is_temp_disk", False))


class FileUriDatabase(Database):
    """A database file that SQLite opens by its path, not by URI syntax read in the path."""

    def connect(self, write: bool = False) -> sqlite3.Connection:
        if not is_file(self):
            return super().connect(write)
        # Datasette's own connect (its modes differ between its lines), given the path
        # encoded; the shallow copy shares the list of connections it adds to.
        encoded = copy.copy(self)
        encoded.path = quote(self.path)
        return Database.connect(encoded, write)


def attach_databases(conn: sqlite3.Connection, databases: Mapping[str, Database]) -> None:
    """``--crossdb``: attach the first files to `conn` (the ``_memory`` database), each by
    its name, as Datasette does, but by a URI that names the file."""
    files = [(name, db) for name, db in databases.items() if is_file(db)]
    for name, db in files[:SQLITE_LIMIT_ATTACHED]:
        mode = "mode=ro" if db.is_mutable else "immutable=1"
        conn.execute(f"ATTACH DATABASE ? AS {escape_sqlite(name)}", [f"file:{quote(db.path)}?{mode}"])
