"""Datasette's SQL run in the kernel's event loop, not in threads, as in Pyodide (where there are none).

With its threads (``num_sql_threads``), Datasette hands each query to a thread and back, about
150 us each in an ipykernel, and a page makes many: 13 for a row, 34 for a database, 35 for a
table's next page. In the loop they run at once: a widget's round trip for a database page
took 8-9 ms from jupyter_client instead of 12-16, a next page of a narrow table 13-15 instead
of 20-26. Datasette 0.65 runs a page's queries one after another anyway, so no page loses
concurrency.

What the loop would lose is a newer click: a page running in the loop does not let go of it
until it ends, and the click that supersedes it would wait. So each read first yields to the
loop once, where the newer request arrives and cancels the page it supersedes, between two of
its queries. ``num_sql_threads`` set to more than 0 brings Datasette's threads back.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from .database_files import FileUriDatabase
from .datasette_line import READ_METHOD


class YieldingDatabase(FileUriDatabase):
    """A database whose reads, run in the loop, each let the loop turn once first."""


async def read_after_yielding(self: YieldingDatabase, fn: Callable[[Any], Any]) -> Any:
    if self.ds.executor is None:
        await asyncio.sleep(0)
    return await getattr(super(YieldingDatabase, self), READ_METHOD)(fn)


setattr(YieldingDatabase, READ_METHOD, read_after_yielding)
