"""SQL files (the output of ``sqlite3 my.db .dump``, a schema with its inserts) made into databases,
as Datasette Lite's ``?sql=`` does.

The SQL is someone else's. It runs in a new database file of its own, on a connection
that can attach no other (SQLite's own limit refuses ATTACH, and VACUUM INTO with it) nor
set what all of the process's SQLite shares (process_pragmas.py: the folder of its temporary
files, its memory cap), so it neither reads nor writes any other file; and a script that runs
on (a recursive query with no end) stops at the kernel's Interrupt, leaving the kernel usable.
"""

from __future__ import annotations

import signal
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from .errors import SqlFileError
from .names import inside, safe_file_name
from .process_pragmas import refuse_process_pragmas

#: SQLite steps between two chances for Python to act on an interrupt.
STEPS_BETWEEN_CHECKS = 10_000

#: The file name endings read as SQL.
SQL_SUFFIXES = {".sql"}


def is_sql_file(path: Path) -> bool:
    return path.suffix.lower() in SQL_SUFFIXES


def database_from_sql(path: Path, folder: Path, shown_as: str) -> Path:
    """Run the SQL of `path` into a new database in `folder`, named after the file; return its path.

    Any error, or an interrupt, leaves no database behind.
    """
    try:
        script = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise SqlFileError(f"{shown_as}: is not UTF-8 text ({e}); save it as UTF-8 and try again") from None
    if not script.strip():
        raise SqlFileError(f"{shown_as}: is empty; a SQL file needs statements that make tables")
    destination = inside(folder, safe_file_name(path.stem, fallback="sql") + ".db")
    try:
        with closing(sqlite3.connect(destination, isolation_level=None)) as conn:
            conn.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)
            conn.set_authorizer(refuse_process_pragmas)
            with interrupt_stops(conn):
                conn.executescript(script)
    except BaseException as e:
        destination.unlink(missing_ok=True)
        if not isinstance(e, sqlite3.Error):
            raise
        if e.args == ("interrupted",):
            raise KeyboardInterrupt from None
        raise SqlFileError(f"{shown_as}: {e}; fix the SQL and try again") from None
    return destination


@contextmanager
def interrupt_stops(conn: sqlite3.Connection) -> Iterator[None]:
    """The kernel's Interrupt (SIGINT) stops `conn`'s SQL, which would otherwise run to its end.

    Python runs its signal handlers only between its own steps, so SQLite calls back now and
    then; the handler asks SQLite to stop, which it does with an "interrupted" error. (A
    KeyboardInterrupt raised in the callback would stop it too, but Datasette has SQLite print
    every callback's exception.) Outside the main thread, where there are no signals, it runs on.
    """
    conn.set_progress_handler(lambda: 0, STEPS_BETWEEN_CHECKS)
    try:
        previous = signal.signal(signal.SIGINT, lambda _signum, _frame: conn.interrupt())
        installed = True
    except (ValueError, OSError):  # not the main thread, or no signals here
        installed = False
    try:
        yield
    finally:
        if installed:
            # None: the handler was not Python's to name; Python's own is what a kernel expects.
            signal.signal(signal.SIGINT, previous if previous is not None else signal.default_int_handler)
