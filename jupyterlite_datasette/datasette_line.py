"""What differs between the two lines of Datasette this package runs on: 0.65.x and 1.0 (alphas).

Everything else in the package is written once for both; each difference is here, named.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from datasette.version import __version__ as DATASETTE_VERSION

if TYPE_CHECKING:
    from datasette.app import Datasette
    from jinja2 import Environment

#: Datasette 1.0 (its alphas included) rather than 0.65.x.
IS_1_0 = int(DATASETTE_VERSION.split(".")[0]) >= 1

#: Keys of metadata that Datasette 1.0 reads from its configuration instead (its own
#: start-up moves "plugins", "allow" blocks and table options, but not these), at the
#: top, in a database and in a table. "permissions" blocks (who may edit rows, say)
#: exist on 1.0 only; 0.65 has no such key and ignores it.
CONFIG_KEYS = ("extra_css_urls", "extra_js_urls", "permissions")
CONFIG_DATABASE_KEYS = ("queries", "permissions")
CONFIG_TABLE_KEYS = ("permissions",)

#: The method of Datasette's Database that every read (a query, a function on the connection)
#: goes through: 1.0's ``execute()`` calls its private one, past the public ``execute_fn``.
READ_METHOD = "_execute_fn" if IS_1_0 else "execute_fn"

#: What a JSON request adds so that both lines answer with the same keys: 1.0 leaves out
#: `columns` and `query` unless asked for them (0.65 ignores the parameter).
JSON_EXTRAS = {"columns": ("_extra", "columns"), "query": ("_extra", "query")}


def metadata_and_config(metadata: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """`metadata` as 0.65 reads it, split into (metadata, config) for the line installed:
    on 1.0, canned queries, extra CSS/JS URLs and permissions are configuration."""
    if not IS_1_0:
        return metadata, {}
    metadata = copy.deepcopy(metadata)
    config: dict[str, Any] = {key: metadata.pop(key) for key in CONFIG_KEYS if key in metadata}
    for name, database in (metadata.get("databases") or {}).items():
        moved = {key: database.pop(key) for key in CONFIG_DATABASE_KEYS if key in database}
        for table_name, table in (database.get("tables") or {}).items():
            moved_table = {key: table.pop(key) for key in CONFIG_TABLE_KEYS if key in table}
            if moved_table:
                moved.setdefault("tables", {})[table_name] = moved_table
        if moved:
            config.setdefault("databases", {})[name] = moved
    return metadata, config


def jinja_environment(ds: Datasette) -> Environment:
    """The Jinja environment of `ds` that every page's is made from: 1.0 keeps it behind a getter,
    which a plugin may have give another for a request (none is given here)."""
    return ds.get_jinja_environment() if IS_1_0 else ds.jinja_env
