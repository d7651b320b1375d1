"""Data out of a Datasette: the JSON of a view, all of its rows, and its database files."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx
from datasette.app import Datasette

from . import transport
from .datasette_line import JSON_EXTRAS
from .errors import ExportError
from .names import inside, safe_file_name
from .provenance import origin_of


def json_path(path: str) -> str:
    """The path of the JSON of the view at `path`, with all its filters."""
    parts = urlsplit(transport.internal_path(path))
    return (parts.path.rstrip("/") or "/") + ".json" + (f"?{parts.query}" if parts.query else "")


async def get_json(ds: Datasette, path: str, *, cookies: httpx.Cookies | None = None) -> Any:
    """Datasette's JSON answer at `path` (a .json path), or a clear error; `cookies`: a widget's, whose
    pages Python reads as the widget reads them (signed in as root, say)."""
    response = await transport.request(ds, path, cookies=cookies)
    if response.status != 200:
        raise ExportError(f"{path}: Datasette answered {response.status}: {response.body[:200]!r}")
    return json.loads(response.body)


#: What the view's SQL does not depend on, left out when only the SQL is wanted.
QUERY_ONLY = (("_nofacet", "1"), ("_nocount", "1"), ("_nosuggest", "1"))


async def view_query(
    ds: Datasette, path: str, *, cookies: httpx.Cookies | None = None
) -> tuple[str | None, dict[str, Any]]:
    """The SQL and parameters Datasette reports for the table, view or query at `path`
    (filters, facet selections and sort included); None and {} for other pages."""
    parts = urlsplit(json_path(path))
    asked = parse_qsl(parts.query, keep_blank_values=True)
    asked_keys = {key for key, _ in asked}
    added = [(key, value) for key, value in QUERY_ONLY if key not in asked_keys]
    # `_extra` may be asked for more than once: added unless this one is there already.
    added += [JSON_EXTRAS["query"]] if JSON_EXTRAS["query"] not in asked else []
    added_keys = {key for key, _ in added}
    response = await transport.request(ds, f"{parts.path}?{urlencode([*asked, *added])}", cookies=cookies)
    try:
        data = json.loads(response.body) if response.status == 200 else None
    except ValueError:
        data = None
    # A row page: Datasette 1.0 reports the query that found the row, 0.65 none.
    if isinstance(data, dict) and "primary_key_values" in data:
        return None, {}
    reported = data.get("query") if isinstance(data, dict) else None
    if not isinstance(reported, dict) or not isinstance(reported.get("sql"), str):
        return None, {}
    # A query page reports every argument of its URL as a parameter: not the ones added here.
    params = {k: v for k, v in dict(reported.get("params") or {}).items() if k not in added_keys}
    return reported["sql"], params


async def view_rows(ds: Datasette, path: str, *, cookies: httpx.Cookies | None = None) -> tuple[list[str], list[list]]:
    """Columns and every row of the table or query view at `path`, page after page."""
    parts = urlsplit(json_path(path))
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in ("_size", "_shape")]
    query += [("_size", "max"), ("_shape", "arrays"), JSON_EXTRAS["columns"]]
    next_path: str | None = f"{parts.path}?{urlencode(query)}"
    columns: list[str] = []
    rows: list[list] = []
    while next_path:
        data = await get_json(ds, next_path, cookies=cookies)
        if not isinstance(data, dict) or "rows" not in data:
            raise ExportError(f"{path}: this page has no rows; open a table, a view or a query")
        columns = data.get("columns") or columns
        rows.extend(data["rows"])
        if data.get("truncated"):
            warnings.warn(
                f"{path}: Datasette returned only the first {len(rows)} rows of this query "
                "(its max_returned_rows setting)",
                stacklevel=3,
            )
        next_url = data.get("next_url")
        next_path = transport.internal_path(next_url) if next_url else None
    return columns, rows


def database_name(ds: Datasette, name: str | None = None, path: str = "/") -> str:
    """`name` checked, or the database the page at `path` shows, or the first one."""
    names = [n for n in ds.databases if n != "_internal"]
    if name is None:
        first_segment = urlsplit(path).path.strip("/").split("/", 1)[0]
        name = first_segment if first_segment in names else (names[0] if names else None)
    if name is None or name not in names:
        raise ExportError(f"no database named {name!r}; this Datasette has {', '.join(names) or 'none'}")
    return name


def database_file(ds: Datasette, name: str) -> Path:
    db = ds.databases[name]
    if db.is_memory or not db.path:
        raise ExportError(f"{name}: is an in-memory database, with no file to save or download")
    return Path(db.path)


@contextmanager
def consistent_file(ds: Datasette, name: str) -> Iterator[Path]:
    """A file holding database `name` as it is now: the file itself if it cannot
    change, else a copy through SQLite's backup API, consistent even while the
    database is being written. The copy is on kernel-local disk and removed after."""
    source = database_file(ds, name)
    if not ds.databases[name].is_mutable:
        yield source
        return
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / source.name
        src = sqlite3.connect(f"{source.as_uri()}?mode=ro", uri=True)
        dst = sqlite3.connect(copy)
        try:
            src.backup(dst)
        finally:
            dst.close()
            src.close()
        yield copy


def database_bytes(ds: Datasette, name: str) -> bytes:
    with consistent_file(ds, name) as path:
        return path.read_bytes()


def save_database(ds: Datasette, name: str, to: str | os.PathLike | None = None) -> Path:
    """Write database `name` to `to`, by default where the user will find it; return that path.

    In JupyterLite a database copied from the notebook's folder goes back there;
    databases made from downloads, table files and DataFrames go to the working
    directory (the notebook's folder); a file opened in place is already saved.
    """
    source = database_file(ds, name)
    if to is None:
        origin = origin_of(ds, source)
        if origin.kind == "drive" and origin.drive_file is not None:
            to = origin.drive_file
        elif origin.kind in ("download", "imported"):
            to = inside(Path.cwd(), safe_file_name(f"{name}.db", fallback="database.db"))
        else:
            return source
    destination = Path(to).expanduser().absolute()
    if destination == source:
        return source
    # A whole-file copy: JupyterLite's /drive takes whole files, not SQLite's writes.
    with consistent_file(ds, name) as path:
        shutil.copyfile(path, destination)
    return destination
