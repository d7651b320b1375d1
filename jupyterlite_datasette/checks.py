"""Check what the user names before Datasette sees it.

Datasette itself fails late (on the first request) and with a traceback when a
file is missing or not SQLite; checking here gives one clear line instead.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from datasette.utils import BadMetadataError, parse_metadata

from .errors import DatabaseFileError, MetadataFileError
from .process_pragmas import process_pragma_in

#: The first 16 bytes of every SQLite 3 database file.
SQLITE_HEADER = b"SQLite format 3\x00"


def readable_file(path: str | os.PathLike, shown_as: str | None = None) -> Path:
    """`path` made absolute, if it names a regular file."""
    return readable_file_and_size(path, shown_as)[0]


def readable_file_and_size(path: str | os.PathLike, shown_as: str | None = None) -> tuple[Path, int]:
    """`path` made absolute, and its size in bytes, if it names a regular file."""
    shown = shown_as or str(path)
    # absolute(), not resolve(): a symlink keeps the name the user gave it,
    # which is the database's name in Datasette.
    resolved = Path(path).expanduser().absolute()
    # One stat, not exists() then is_file(): in JupyterLite each is a request to the page.
    try:
        status = resolved.stat()
    except (FileNotFoundError, NotADirectoryError, ValueError):
        raise DatabaseFileError(f"{shown}: no such file; check the path and try again") from None
    except OSError as e:  # a loop of symbolic links, a folder it may not look in
        raise DatabaseFileError(f"{shown}: cannot be read ({e.strerror})") from None
    if stat.S_ISDIR(status.st_mode):
        pattern = shown.rstrip("/") + "/*.db"
        raise DatabaseFileError(f"{shown}: is a folder, not a file; name the files in it (%datasette {pattern})")
    if not stat.S_ISREG(status.st_mode):  # a pipe or a device, which reading would never end
        raise DatabaseFileError(f"{shown}: is not a regular file")
    return resolved, status.st_size


def sqlite_header(path: str | os.PathLike, shown_as: str | None = None) -> Path:
    """The cheap checks: the file exists and starts as a SQLite database does."""
    shown = shown_as or str(path)
    resolved = readable_file(path, shown)
    try:
        with resolved.open("rb") as f:
            header = f.read(len(SQLITE_HEADER))
    except OSError as e:
        raise DatabaseFileError(f"{shown}: cannot be read ({e.strerror})") from None
    if not header:
        raise DatabaseFileError(f"{shown}: is empty, not a SQLite database")
    if header != SQLITE_HEADER:
        raise DatabaseFileError(
            f"{shown}: is not a SQLite database (its first bytes are not the SQLite header); "
            "table files are read by their name's ending (.csv, .tsv, .json, .ndjson, .jsonl, .parquet)"
        )
    return resolved


def sqlite_opens(path: Path, shown_as: str | os.PathLike) -> None:
    """SQLite can read the schema of `path` (named `shown_as` in errors)."""
    try:
        # immutable=1 guarantees that checking never writes or locks the file.
        conn = sqlite3.connect(f"{path.as_uri()}?immutable=1", uri=True)
        try:
            conn.execute("select count(*) from sqlite_master").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as e:
        raise DatabaseFileError(f"{shown_as}: is a corrupt SQLite database ({e})") from None


def metadata_file(path: str | os.PathLike, shown_as: str | None = None) -> dict:
    """Parse a Datasette metadata file, JSON or YAML, into a dict (errors name `shown_as`)."""
    shown = shown_as or str(path)
    try:
        content = Path(path).expanduser().read_text(encoding="utf-8")
    except FileNotFoundError:
        raise MetadataFileError(f"{shown}: no such metadata file") from None
    except (OSError, UnicodeDecodeError) as e:
        raise MetadataFileError(f"{shown}: cannot read metadata file ({e})") from None
    try:
        metadata = parse_metadata(content)
    except BadMetadataError:
        raise MetadataFileError(f"{shown}: metadata is not valid JSON or YAML; fix the syntax and try again") from None
    if metadata is None:
        return {}
    if not isinstance(metadata, dict):
        raise MetadataFileError(
            f"{shown}: metadata must be a JSON or YAML object (a mapping), not {type(metadata).__name__}"
        )
    return metadata


def contained_queries(metadata: Mapping[str, Any], shown_as: str) -> None:
    """Refuse canned queries that would set something for all of the kernel's SQLite (a folder on
    disk for its temporary files, a cap on its memory: process_pragmas.py), as the metadata is read.

    Datasette runs a canned query's SQL as it is, and metadata is often someone else's;
    SQLite's attach limit (instance.py) does not cover these pragmas."""
    databases = metadata.get("databases")
    for database, settings in databases.items() if isinstance(databases, Mapping) else ():
        queries = settings.get("queries") if isinstance(settings, Mapping) else None
        for name, query in queries.items() if isinstance(queries, Mapping) else ():
            sql = query.get("sql") if isinstance(query, Mapping) else query
            pragma = process_pragma_in(sql)
            if pragma is not None:
                raise MetadataFileError(
                    f"{shown_as}: canned query {name!r} of database {database!r} sets {pragma}, a setting "
                    "of all of the kernel's SQLite; remove that query and try again"
                )
