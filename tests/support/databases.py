"""Small SQLite databases for tests, built with sqlite-utils."""

from __future__ import annotations

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import sqlite_utils

STATES = [("CA", "California"), ("MI", "Michigan"), ("NY", "New York")]

#: Each payload would set a flag on the notebook page, or inside the frame,
#: if it ever ran as script.
HOSTILE = [
    "<script>window.top.__pwned = 'script'; window.__pwned_inner = 1</script>",
    "<img src=x onerror=\"window.parent.__pwned = 'img'; window.__pwned_inner = 1\">",
    '"><svg onload="window.top.__pwned = \'svg\'; window.__pwned_inner = 1">',
    "javascript:window.top.__pwned='link'",
]


def make_fixtures_db(path: Path) -> Path:
    """A database with enough rows to page, facets, a foreign key and a view."""
    db = sqlite_utils.Database(path, recreate=True)
    db["states"].insert_all([{"code": c, "name": n} for c, n in STATES], pk="code")
    db["facetable"].insert_all(
        (
            {
                "id": i,
                "state": STATES[i % 3][0],
                "city": f"city {i % 7}",
                "score": (i * 37) % 101,
                "created": f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}",
            }
            for i in range(1, 301)
        ),
        pk="id",
        foreign_keys=[("state", "states", "code")],
    )
    db.create_view("high_scores", "select * from facetable where score > 90")
    db.conn.close()
    return path


def make_hostile_db(path: Path) -> Path:
    """Table names, column names and values that are script payloads."""
    db = sqlite_utils.Database(path, recreate=True)
    db[HOSTILE[0]].insert_all(
        [{HOSTILE[1]: value, HOSTILE[2]: value, "id": i} for i, value in enumerate(HOSTILE)],
        pk="id",
    )
    db["plain"].insert_all([{"id": i, "payload": value} for i, value in enumerate(HOSTILE)], pk="id")
    db.conn.close()
    return path


def make_notes_db(path: Path, metadata: Path) -> Path:
    """An empty notes table, and metadata with a write canned query, add_note, that fills it."""
    sqlite_utils.Database(path, recreate=True)["notes"].create({"id": int, "body": str}, pk="id")
    query = {"sql": "insert into notes (body) values (:body)", "write": True}
    metadata.write_text(json.dumps({"databases": {path.stem: {"queries": {"add_note": query}}}}))
    return path


def datasette_answer(db: Path, path: str) -> bytes:
    """What Datasette answers for `path` over `db` (read-only), asked outside any kernel."""
    from jupyterlite_datasette.instance import build_datasette

    async def get() -> bytes:
        return (await build_datasette([db]).client.get(path)).content

    # Playwright's sync API owns the calling thread's event loop.
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, get()).result()


def instance_metadata(ds) -> dict:
    """The instance's own metadata as given, on either line of Datasette (1.0 has no ds.metadata())."""
    return ds._metadata_local
