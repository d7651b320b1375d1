"""Pragmas that set something for all of the kernel's SQLite, refused in SQL from anyone else.

Most pragmas act on one connection. These act on the whole process: `temp_store_directory`
(and Windows' `data_store_directory`) choose the folder where every database writes its
temporary files, and `soft_heap_limit` and `hard_heap_limit` cap the memory of every
connection; ``pragma hard_heap_limit = 100000`` makes every other database of the kernel fail.
SQLite acts on them as it reads the SQL, before running it: the analysis of a statement
(Datasette 1.0's ``EXPLAIN``, for its write SQL page) is enough.

SQL reaches Datasette from other people: canned queries in metadata (checked as the metadata
is read, checks.py), and on Datasette 1.0 write SQL a page sends, or that a link in a page
names, to anyone granted ``execute-write-sql`` (``--root`` with ``--write``, say). Datasette
swaps its own authorizers in and out of a connection while it analyses SQL, so refusing them
by an authorizer would not hold; SQLite reads a pragma's name from the SQL's text, so the
name, which quoting cannot split, is looked for there.
"""

from __future__ import annotations

import functools
import re
import sqlite3
from collections.abc import Callable
from typing import Any

from datasette.database import Database

PROCESS_PRAGMAS = ("temp_store_directory", "data_store_directory", "soft_heap_limit", "hard_heap_limit")
_NAMED = re.compile("|".join(PROCESS_PRAGMAS), re.IGNORECASE)


def process_pragma_in(sql: Any) -> str | None:
    """The first process-wide pragma `sql` names, if it is text that names one."""
    found = _NAMED.search(sql) if isinstance(sql, str) else None
    return found.group(0).lower() if found else None


def refuse_process_pragmas(action: int, arg1: str | None, *_: object) -> int:
    """SQLite's authorizer, for a connection of our own: everything but a process-wide pragma."""
    if action == sqlite3.SQLITE_PRAGMA and (arg1 or "").lower() in PROCESS_PRAGMAS:
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


def _refusing(method: Callable[..., Any]) -> Callable[..., Any]:
    """`method` of Database (its first argument the SQL), refusing SQL that names a process-wide
    pragma with the error SQLite gives for SQL its authorizer denies."""

    @functools.wraps(method)
    async def refusing(self: Database, sql: Any, *args: Any, **kwargs: Any) -> Any:
        pragma = process_pragma_in(sql)
        if pragma is not None:
            raise sqlite3.DatabaseError(f"not authorized: {pragma} would be set for every database in the kernel")
        return await method(self, sql, *args, **kwargs)

    return refusing


class PragmaRefusingDatabase(Database):
    """A Database whose every way to run or analyse SQL text refuses process-wide pragmas."""


for _name in ("execute", "execute_write", "execute_write_script", "execute_write_many", "analyze_sql"):
    if hasattr(Database, _name):  # analyze_sql is 1.0's
        setattr(PragmaRefusingDatabase, _name, _refusing(getattr(Database, _name)))
