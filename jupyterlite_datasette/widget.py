"""The notebook widget: a Datasette whose pages are answered inside the kernel."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, cast

import anywidget
import httpx
import traitlets
from datasette.app import Datasette

from . import export, protocol, transport
from .collection import collection_after_answer
from .comm_routing import answer_where_sent
from .errors import DatasetteInputError
from .frame_script import frame_script
from .image_hosts import image_hosts as checked_image_hosts
from .instance import build_datasette
from .kernel_status import leave_status_alone
from .root import enable_root, sign_in_as_root
from .snapshot import SnapshotOutputs

STATIC = Path(__file__).parent / "static"
#: Seconds to wait for a page to show before the kernel takes the snapshot itself
#: (a notebook run with no browser, e.g. by nbconvert).
SNAPSHOT_UNSHOWN_AFTER = 2.0
#: Seconds a page must stay shown before `sql` and `params` are asked of Datasette for it.
SQL_FOLLOW_DELAY = 0.3


def error_text(error: Exception) -> str:
    """An error as the widget shows it: our own errors say what to do; others are named by type."""
    if isinstance(error, DatasetteInputError):
        return str(error)
    return f"{type(error).__name__}: {error}"


def cancel_from_any_thread(task: asyncio.Task) -> None:
    """Cancel `task`, whichever thread asks: a kernel can run more than one loop (JupyterLab 4.4
    and later send a widget's messages over a subshell of ipykernel 7, a thread with a loop of its
    own), and a task's cancelling from another thread must reach its loop through the loop itself."""
    loop = task.get_loop()
    try:
        here = asyncio.get_running_loop()
    except RuntimeError:
        here = None
    if here is loop:
        task.cancel()
    elif not loop.is_closed():
        loop.call_soon_threadsafe(task.cancel)


def checked_height(height: Any) -> int:
    """`height` if it is a positive number of pixels; else one clear error."""
    if isinstance(height, bool) or not isinstance(height, int) or height <= 0:
        raise traitlets.TraitError(f"height must be a positive number of pixels, not {height!r}")
    return height


def browser_headers(page_headers: dict[str, str] | None) -> dict[str, str]:
    """The headers of a request from the widget's page, as a browser would send them.

    Every request from the page is same-origin (the page reaches nothing but its
    Datasette). A page script cannot choose Sec-Fetch-* headers or Cookie in a browser:
    the first are set here whatever the page sent (Datasette 1.0's CSRF check reads
    them), and the cookies are the kernel's own jar's."""
    headers = {
        k: v
        for k, v in (page_headers or {}).items()
        if not k.lower().startswith("sec-fetch-") and k.lower() != "cookie"
    }
    return {**headers, "sec-fetch-site": "same-origin"}


class DatasetteWidget(anywidget.AnyWidget):
    """Browse a Datasette in the notebook.

    ``DatasetteWidget("a.db", "https://example.com/b.db", "c.csv", df)`` opens
    SQLite files read-only (``write=True`` lets write canned queries change
    them); a SQL file (``dump.sql``) becomes a database of its own; CSV, TSV
    and JSON files and pandas DataFrames become tables of a
    database named ``data`` (``tables={"name": df_or_file}`` names them);
    ``crossdb=True`` lets SQL on ``_memory`` join them (``name.table``);
    ``root=True`` signs the widget in as the root user, as ``datasette serve
    --root`` does; ``DatasetteWidget(ds=existing)`` wraps a Datasette you built.
    ``image_hosts=["https://*.tile.openstreetmap.org"]`` lets pages load
    images (online map tiles) from those hosts; by default nothing loads from
    the network.
    """

    _esm = STATIC / "widget.js"
    _css = STATIC / "widget.css"
    #: Script run inside every sandboxed page; sent once, with the model.
    _frame_js = traitlets.Unicode(frame_script()).tag(sync=True)

    #: The page shown (after redirects); setting it navigates.
    path = traitlets.Unicode("/").tag(sync=True)
    #: Height of the page area, in CSS pixels.
    height = traitlets.Int(600).tag(sync=True)
    #: Hosts pages may load images from, as ``https://host[:port]`` (``*.`` for subdomains).
    #: Those hosts see which images a page asks for; nothing else is allowed from them.
    image_hosts = traitlets.List(traitlets.Unicode()).tag(sync=True)
    #: The SQL of the table, view or query shown, as Datasette reports it (filters, facet
    #: selections and sort included; None on other pages): ``w.query(w.sql, params=w.params)``.
    #: It follows the page a moment after the page shows.
    sql = traitlets.Unicode(None, allow_none=True, read_only=True)
    #: The parameters of `sql`.
    params = traitlets.Dict(read_only=True)
    #: The pages' localStorage, kept here so that it lasts as long as the widget
    #: (every view of it shares it, as tabs of one site do).
    _local_storage = traitlets.Dict().tag(sync=True)

    def __init__(
        self,
        *sources: Any,
        tables: Mapping[str, Any] | None = None,
        metadata: str | os.PathLike | Mapping | None = None,
        settings: Mapping[str, Any] | None = None,
        memory: bool = False,
        write: bool = False,
        crossdb: bool = False,
        root: bool = False,
        path: str | None = None,
        height: int = 600,
        image_hosts: Iterable[str] | str = (),
        ds: Datasette | None = None,
    ) -> None:
        if ds is not None and (sources or tables or metadata or settings or memory or write or crossdb):
            raise ValueError(
                "pass either ds= or sources/tables/metadata/settings/memory/write/crossdb, not both: "
                "configure the Datasette you pass in ds= directly"
            )
        # Checked before any database is opened (the traits check them again).
        hosts = checked_image_hosts(image_hosts)
        checked_height(height)
        self.ds = (
            ds
            if ds is not None
            else build_datasette(
                sources,
                tables=tables,
                metadata=metadata,
                settings=settings,
                memory=memory,
                write=write,
                crossdb=crossdb,
            )
        )
        # One cookie jar per widget, like one browser tab.
        self._cookies = httpx.Cookies()
        if root:
            enable_root(self.ds)
            sign_in_as_root(self.ds, self._cookies)
        self._navigation: asyncio.Task | None = None
        self._following_sql: asyncio.Task | None = None
        self._tasks: set[asyncio.Task] = set()
        # `.active` while the kernel records where a navigation ended up, so that the change is
        # not mistaken for a request to navigate; per thread, as a subshell records a navigation
        # while a cell, in the main thread, may set `path` itself.
        self._recording = threading.local()
        self._snapshots = SnapshotOutputs()
        super().__init__(path=path or self.ds.urls.instance(), height=height, image_hosts=hosts)
        answer_where_sent(self.comm)
        leave_status_alone(self.comm)
        self.on_msg(self._on_message)

    def navigate(self, path: str) -> None:
        """Show `path` (e.g. ``"/mydb/mytable?_sort=name"``) in every view."""
        self.path = path

    def query(self, sql: str, database: str | None = None, *, params: Any = ()) -> list[dict]:
        """Run SQL on a database (the one shown, else the first); return its rows as dicts.

        Synchronous, for quick checks from code; files opened read-only stay so.
        """
        name = export.database_name(self.ds, database, self.path)
        conn = self.ds.get_database(name).connect()
        try:
            # As Datasette prepares its own: plugins' SQL functions, crossdb's databases.
            self.ds._prepare_connection(conn, name)
            conn.row_factory = sqlite3.Row
            return [dict(row) for row in conn.execute(sql, params)]
        finally:
            conn.close()

    async def json(self, path: str | None = None) -> Any:
        """The JSON of the page shown (or of `path`), with all its filters, from Datasette's API."""
        return await export.get_json(self.ds, export.json_path(path or self.path), cookies=self._cookies)

    async def to_pandas(self, path: str | None = None) -> Any:
        """Every row of the table, view or query shown (or at `path`), filters applied, as a DataFrame."""
        try:
            import pandas as pd
        except ImportError:
            raise ImportError("to_pandas needs pandas: install it (%pip install pandas) and try again") from None
        columns, rows = await export.view_rows(self.ds, path or self.path, cookies=self._cookies)
        return pd.DataFrame(rows, columns=columns)

    def save(self, database: str | None = None, to: str | os.PathLike | None = None) -> Path:
        """Save a database (the one shown, by default) where the notebook's file browser shows it.

        In JupyterLite the kernel works on a copy of the file: this writes the
        copy back over the notebook's file. Databases made from URLs, CSV or
        JSON files and DataFrames are written to the working directory. Pass
        `to` to choose the file. Returns the path written.
        """
        name = export.database_name(self.ds, database, self.path)
        saved = export.save_database(self.ds, name, to)
        print(f"{name}: saved to {saved}")
        return saved

    def _ipython_display_(self) -> None:
        """The live widget, and beside it an output holding a static snapshot of its page.

        The widget's stylesheet hides the snapshot wherever the widget runs;
        where it cannot (GitHub, nbviewer, no kernel), the snapshot shows.
        """
        from IPython.display import display

        bundle = self._repr_mimebundle_()
        data, metadata = bundle if isinstance(bundle, tuple) else (bundle, {})
        display(data, metadata=metadata, raw=True)
        self._snapshots.add(self.path)
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # a shell with no event loop (plain IPython): no kernel, no pages
            return
        loop.call_later(SNAPSHOT_UNSHOWN_AFTER, self._snapshot_if_unshown)

    def _snapshot_if_unshown(self) -> None:
        """No browser showed a page (a notebook run by nbconvert): take the snapshot here."""
        if not self._snapshots.shown_any:

            async def snapshot() -> None:
                response = await transport.request(self.ds, self.path, cookies=self._cookies)
                self._snapshots.page_shown(response.body, response.final_path, response.content_type)

            self._spawn(snapshot())

    def _spawn(self, coroutine: Any) -> asyncio.Task:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task) -> None:
        """A background task ended: a failure no reply carried is logged, not lost."""
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            self.log.error("jupyterlite-datasette: a background task failed", exc_info=task.exception())

    @traitlets.validate("height")
    def _check_height(self, proposal: dict) -> int:
        return checked_height(proposal["value"])

    @traitlets.validate("image_hosts")
    def _check_image_hosts(self, proposal: dict) -> list[str]:
        return checked_image_hosts(proposal["value"])

    @traitlets.validate("path")
    def _check_path(self, proposal: dict) -> str:
        return transport.internal_path(proposal["value"])

    @traitlets.observe("path")
    def _path_set(self, change: dict) -> None:
        if not getattr(self._recording, "active", False):
            self.send(protocol.Navigate(type="navigate", path=change["new"]))
        self._follow_sql(change["new"])

    def _follow_sql(self, path: str) -> None:
        """`sql` and `params` catch up with the page at `path`, after the page itself (the last one wins)."""
        try:
            asyncio.get_running_loop()
        except RuntimeError:  # no event loop (plain IPython): nothing can ask Datasette
            return
        if self._following_sql is not None:
            cancel_from_any_thread(self._following_sql)

        async def follow() -> None:
            # Not while the user is still clicking: each page would pay for one more query.
            await asyncio.sleep(SQL_FOLLOW_DELAY)
            try:
                sql, params = await export.view_query(self.ds, path, cookies=self._cookies)
            except transport.RequestError:
                sql, params = None, {}
            self.set_trait("sql", sql)
            self.set_trait("params", params)

        self._following_sql = self._spawn(follow())

    def _on_message(self, _widget: Any, content: Any, buffers: list) -> None:
        """A message from a view (see protocol.py); anything else is ignored."""
        if isinstance(content, dict) and content.get("type") == "location":
            self._record_path(str(content.get("path", "")))
            return
        # Comm callbacks are synchronous and ds.client is async: run a task.
        if not isinstance(content, dict) or content.get("type") not in ("request", "database"):
            return
        # Both handlers read the message's fields with .get(): a field a view left out is a default.
        if content["type"] == "request":
            task = self._spawn(self._answer(cast(protocol.Request, content), buffers))
        else:
            task = self._spawn(self._answer_database(cast(protocol.DatabaseRequest, content), buffers))
        if content.get("navigation"):
            # The last navigation wins; an older one still running is dropped.
            if self._navigation is not None and not self._navigation.done():
                cancel_from_any_thread(self._navigation)
            self._navigation = task

    async def _answer_database(self, content: protocol.DatabaseRequest, _buffers: list) -> None:
        """The toolbar's download: the database file of the page shown, as it is now."""
        reply = protocol.Response(type="response", id=content.get("id"))
        try:
            name = export.database_name(self.ds, None, str(content.get("path") or self.path))
            body = export.database_bytes(self.ds, name)
        except Exception as e:  # noqa: BLE001 - every failure must reach the page
            self.send({**reply, "error": error_text(e)})
            return
        disposition = f'attachment; filename="{name}.db"'
        self.send(
            {
                **reply,
                "status": 200,
                "content_type": "application/vnd.sqlite3",
                "final_path": f"/{name}.db",
                "headers": [["content-disposition", disposition]],
            },
            buffers=[body],
        )

    async def _answer(self, content: protocol.Request, buffers: list) -> None:
        # Python's collector waits until the reply is sent (collection.py).
        with collection_after_answer():
            await self._answer_request(content, buffers)

    async def _answer_request(self, content: protocol.Request, buffers: list) -> None:
        reply = protocol.Response(type="response", id=content.get("id"))
        try:
            response = await transport.request(
                self.ds,
                str(content.get("path", "")),
                method=str(content.get("method", "GET")),
                body=bytes(buffers[0]) if buffers else None,
                headers=browser_headers(content.get("headers")),
                cookies=self._cookies,
            )
        except asyncio.CancelledError:
            self.send({**reply, "cancelled": True})
            return
        except Exception as e:  # noqa: BLE001 - every failure must reach the page
            # ipywidgets drops exceptions raised in message handlers, so the
            # page would wait forever: reply with the error instead.
            self.send({**reply, "error": error_text(e)})
            return
        if content.get("navigation") and transport.too_big_to_show(response):
            size = len(response.body) / 1e6
            self.send(
                {
                    **reply,
                    "error": (
                        f"the page is {size:.1f} MB, too big to show here (the widget shows pages up to "
                        f"{transport.MAX_SHOWN_BYTES >> 20} MB); read it in Python instead: "
                        f"await w.json({response.final_path!r}), or w.query(...)"
                    ),
                }
            )
            return
        reply["status"] = response.status
        reply["content_type"] = response.content_type
        reply["final_path"] = response.final_path
        # Cookies stay in the kernel's jar; page scripts never see them,
        # as fetch() in a browser never shows Set-Cookie.
        reply["headers"] = [[k, v] for k, v in response.headers if k.lower() != "set-cookie"]
        self.send(reply, buffers=[response.body])
        if content.get("navigation"):
            if response.status == 200:
                self._snapshots.page_shown(response.body, response.final_path, response.content_type)
            # After the reply, so the page knows the path before the trait moves.
            self._record_path(response.final_path)

    def _record_path(self, path: str) -> None:
        """The page shown is now at `path`: the trait follows, without navigating again."""
        self._recording.active = True
        try:
            self.path = path
        except transport.RequestError:
            pass  # not a path on Datasette (the front end checks too): the trait keeps the last one
        finally:
            self._recording.active = False
