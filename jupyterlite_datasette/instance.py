"""Build a Datasette suited to the kernel it runs in."""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
import sys
import tempfile
import threading
from collections.abc import Iterable, Mapping
from concurrent import futures
from functools import partial
from pathlib import Path
from typing import Any

from datasette.app import DEFAULT_SETTINGS, Datasette
from datasette.database import Database
from datasette.plugins import pm
from datasette.utils import ValueAsBooleanError, value_as_boolean

from .checks import contained_queries, metadata_file
from .compiled_templates import use_compiled_templates
from .database_files import attach_databases
from .datasette_line import IS_1_0, jinja_environment, metadata_and_config
from .download import download, is_url
from .errors import SettingError
from .gather import WORKDIR_PREFIX, gather
from .inspect_record import count_in_background
from .process_pragmas import PragmaRefusingDatabase
from .provenance import record
from .runtime import imports_off_drive, in_pyodide
from .sql_in_loop import LoopReadingDatabase


class ContainedDatabase(LoopReadingDatabase, PragmaRefusingDatabase):
    """Each database of a ContainedDatasette: opened by its path (database_files.py), read in the
    loop (sql_in_loop.py), refusing SQL that would set something for every database of the kernel
    (process_pragmas.py)."""


class ContainedDatasette(Datasette):
    """A Datasette whose SQL reaches no file but its own databases.

    Datasette runs the SQL of canned queries from metadata, which users take
    from other people: ``ATTACH DATABASE '/any/path'`` could read or write
    any file the kernel can, and ``VACUUM INTO`` create one, even on a GET.
    Every connection is therefore opened with room for no attached database
    (SQLite's own limit), which refuses ATTACH, VACUUM INTO and VACUUM alike.
    ``crossdb`` attaches the databases before the limit is set.

    Files open by the paths they have, whatever characters those hold (database_files.py).
    Their reads run in the event loop unless ``num_sql_threads`` asks for threads (sql_in_loop.py).

    In an offline site's kernel, its templates also come compiled (compiled_templates.py).
    """

    #: The start-up run once for every caller, and the task running it (kept from collection).
    _startup: futures.Future[None] | None = None
    _startup_task: asyncio.Task[None] | None = None
    #: Set by build_datasette: whether reads run in the loop that asks for them (sql_in_loop.py).
    reads_in_loop = False

    def __init__(self, *args: Any, crossdb: bool = False, **kwargs: Any) -> None:
        # Datasette adds the _memory database for crossdb.
        super().__init__(*args, crossdb=crossdb, **kwargs)
        # Datasette's own attaching would write each path into a URI as it is: ours does it.
        self.crossdb = False
        #: Whether _memory's SQL sees the database files as schemas, by their names.
        self.attaches_databases = crossdb
        self._startup_guard = threading.Lock()  # not _startup_lock: Datasette 1.0 has one

    def add_database(self, db: Database, name: str | None = None, route: str | None = None) -> Database:
        if type(db) is Database:  # Datasette's files and plugins' alike; no state is added
            db.__class__ = ContainedDatabase
        return super().add_database(db, name=name, route=route)

    def _prepare_connection(self, conn: sqlite3.Connection, database: str) -> None:
        super()._prepare_connection(conn, database)
        if self.attaches_databases and database == "_memory":
            attach_databases(conn, self.databases)
        conn.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)

    async def invoke_startup(self) -> None:
        """Datasette's start-up, run once however many requests ask for it at the same time.

        Datasette marks its start-up done only at the end, so two first requests would each run
        it, interleaved: 1.0's deletes the canned queries from config and inserts them again,
        and one run's delete could land while the other's page looks them up. The first caller
        starts it in its loop and every caller waits for that run, from any thread's loop (a
        widget's messages can arrive in a subshell's, cells run in the main thread's); shielded,
        so a cancelled navigation does not cancel it for the others. A failed start-up is run
        again by the next caller, as Datasette would.
        """
        startup = self._startup
        if startup is not None and startup.done() and startup.exception() is None:
            return  # without a turn of the loop, which in Pyodide is a message through the browser
        with self._startup_guard:
            startup = self._startup
            if startup is None or (startup.done() and startup.exception() is not None):
                startup = self._startup = futures.Future()
                self._startup_task = asyncio.get_running_loop().create_task(self._start_up())
                self._startup_task.add_done_callback(partial(_settle, startup))
        await asyncio.shield(asyncio.wrap_future(startup))

    async def _start_up(self) -> None:
        await super().invoke_startup()
        # After the plugins' prepare_jinja2_environment hooks: an extension one adds changes
        # what the templates compile to.
        use_compiled_templates(jinja_environment(self))


def _settle(future: futures.Future[None], task: asyncio.Task[None]) -> None:
    """`future` ends as `task` did."""
    if task.cancelled():
        future.set_exception(RuntimeError("Datasette's start-up was cancelled"))
    elif (error := task.exception()) is not None:
        future.set_exception(error)
    else:
        future.set_result(None)


def coerce_setting(name: str, value: Any) -> Any:
    """Validate a Datasette setting and convert a string value to its type."""
    if name not in DEFAULT_SETTINGS:
        raise SettingError(
            f"{name!r} is not a Datasette setting; valid ones are: " + ", ".join(sorted(DEFAULT_SETTINGS))
        )
    default = DEFAULT_SETTINGS[name]
    if not isinstance(value, str):
        return value
    if isinstance(default, bool):
        try:
            return value_as_boolean(value)
        except ValueAsBooleanError:
            raise SettingError(f"setting {name!r} takes on/off/true/false/1/0, not {value!r}") from None
    if isinstance(default, int):
        try:
            return int(value)
        except ValueError:
            raise SettingError(f"setting {name!r} takes an integer, not {value!r}") from None
    return value


def register_installed_plugins() -> None:
    """Plugins installed since Datasette was imported (``%pip install datasette-vega`` after
    ``%load_ext``), registered by their entry points as ``datasette serve`` would at its start.

    Datasette looks for them once, when first imported; pluggy skips those already registered.
    Installed packages are what is looked through: in JupyterLite, the working directory on
    sys.path is /drive, where listing it would be a request to the page.
    """
    if not hasattr(sys, "_called_from_test"):  # Datasette's own switch for "no plugins"
        with imports_off_drive():
            pm.load_setuptools_entrypoints("datasette")


def read_metadata(metadata: str | os.PathLike) -> dict:
    """Metadata from a file, or from a URL, fetched as a database by URL is and not kept."""
    if not is_url(metadata):
        return metadata_file(metadata)
    folder = Path(tempfile.mkdtemp(prefix=WORKDIR_PREFIX))
    try:
        return metadata_file(download(str(metadata), folder, announce=False), shown_as=str(metadata))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def build_datasette(
    sources: Iterable[Any] = (),
    *,
    metadata: str | os.PathLike | Mapping | None = None,
    settings: Mapping[str, Any] | None = None,
    memory: bool = False,
    write: bool = False,
    crossdb: bool = False,
    tables: Mapping[str, Any] | None = None,
) -> Datasette:
    """A Datasette over SQLite files, table files and DataFrames (see :mod:`.gather`).

    Files open immutable, so they are never written, unless `write` is true:
    then they open mutable, as ``datasette serve`` opens them, and write
    canned queries change them; no SQL reaches any other file (see
    :class:`ContainedDatasette`). With `crossdb`, as ``datasette serve
    --crossdb``, the ``_memory`` database's SQL reads the others as
    ``name.table``. Every input is checked first, so a bad one raises a
    :class:`~jupyterlite_datasette.errors.DatasetteInputError` before
    anything is built.
    """
    # The cheap checks first, before any database is downloaded or copied.
    if metadata is None or isinstance(metadata, Mapping):
        metadata_dict, metadata_shown = dict(metadata or {}), "metadata"
    else:
        metadata_dict, metadata_shown = read_metadata(metadata), str(metadata)
    contained_queries(metadata_dict, metadata_shown)
    final_settings = {k: coerce_setting(k, v) for k, v in (settings or {}).items()}
    gathered = gather(sources, tables)
    files = [str(path) for path in gathered.all]
    # Reads in the event loop unless threads are asked for; Pyodide has none (sql_in_loop.py).
    pyodide = in_pyodide()
    reads_in_loop = not (final_settings.get("num_sql_threads", 0) > 0 or pyodide)
    if pyodide:
        final_settings["num_sql_threads"] = 0
    register_installed_plugins()
    metadata_dict, config = metadata_and_config(metadata_dict)
    ds = ContainedDatasette(
        files=files if write else [],
        immutables=[] if write else files,
        metadata=metadata_dict,
        settings=final_settings,
        memory=memory,
        crossdb=crossdb,
        **({"config": config} if IS_1_0 else {}),
    )
    ds.reads_in_loop = reads_in_loop
    if ds.executor is None and not pyodide:
        # Datasette's way without threads (num_sql_threads 0) writes on one connection from whichever
        # thread asks, and a kernel has two that do: cells' and the widget's subshell. Their writes
        # crossed inside each other's transactions, and were lost. Writes get Datasette's write
        # thread, as with its threads; reads stay in the loop. (The futures package imports its
        # ThreadPoolExecutor at first use, which Pyodide's kernel never makes.)
        ds.executor = futures.ThreadPoolExecutor(max_workers=1)
    record(ds, gathered.origins)
    count_in_background(ds)
    return ds
