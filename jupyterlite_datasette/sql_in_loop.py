"""Datasette's reads run in the event loop that asks for them, not handed to its threads.

With its threads (``num_sql_threads``), Datasette hands each read to a thread and back, about
150 us each in an ipykernel, and a page makes many: 13 for a row, 34 for a database, 35 for a
table's next page. In the loop they run at once: a widget's round trip for a database page
took 8-9 ms from jupyter_client instead of 12-16, a next page of a narrow table 13-15 instead
of 20-26. Datasette 0.65 runs a page's queries one after another anyway, so no page loses
concurrency. Writes still go to Datasette's write thread, which keeps them in order.

A kernel has more than one loop: JupyterLab 4.4 and later send a widget's messages over a
subshell of ipykernel 7, a thread with its own loop, while cells run in the main thread's. So
each thread reads on a connection of its own, as each of Datasette's threads does; sharing one
(Datasette's own way without threads) deadlocked the two threads, one holding the connection
and waiting for the GIL in the time limit's progress handler, the other holding the GIL and
waiting for the connection.

What the loop would lose is a newer click: a page running in the loop does not let go of it
until it ends, and the click that supersedes it would wait. So each read first lets the loop
turn once, where the newer request arrives and cancels the page it supersedes, between two of
its queries.

Not under Pyodide, whose single thread runs Datasette's own way (``num_sql_threads`` 0): there
each turn of the loop is a message through the browser, which would cost a page more than it
saves; nor when ``num_sql_threads`` is given above 0, which asks for Datasette's threads.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import weakref
from collections.abc import Callable
from typing import Any

from datasette.database import Database

from .database_files import FileUriDatabase
from .datasette_line import READ_METHOD

#: Each thread's read connections, one per database, made when the thread first reads it. Not
#: Datasette's own thread-local store, which keys them by database name: two widgets' databases
#: of one name, read in the same loop, would share a connection to one of the files.
_this_thread = threading.local()


def connection_of_this_thread(db: Database) -> sqlite3.Connection:
    """`db`'s read connection for the calling thread, prepared as Datasette prepares its own."""
    connections = _this_thread.__dict__.setdefault("connections", weakref.WeakKeyDictionary())
    conn = connections.get(db)
    if conn is None:
        # Datasette's connect() keeps a list of the connections it opens, and closes them with the database.
        conn = connections[db] = db.connect()
        db.ds._prepare_connection(conn, db.name)
    return conn


class LoopReadingDatabase(FileUriDatabase):
    """A database whose reads run in the calling thread, each after the loop has turned once."""


async def read_in_loop(self: LoopReadingDatabase, fn: Callable[[sqlite3.Connection], Any]) -> Any:
    if not getattr(self.ds, "reads_in_loop", False):  # ContainedDatasette's, set by build_datasette
        return await getattr(super(LoopReadingDatabase, self), READ_METHOD)(fn)
    # 1.0 refuses reads of a closed database this way; 0.65 has no such check.
    getattr(self, "_check_not_closed", lambda: None)()
    await asyncio.sleep(0)
    return fn(connection_of_this_thread(self))


setattr(LoopReadingDatabase, READ_METHOD, read_in_loop)
