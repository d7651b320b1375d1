"""The widget signed in as root, as ``datasette serve --root`` lets its user be.

``datasette serve --root`` prints a URL holding a one-time token: whoever opens it gets the root
user's ``ds_actor`` cookie. On Datasette 1.0 root may then do everything (the JSON write API's
inserts, updates, deletes and new tables included); on 0.65 it sees the debug pages. Here the
kernel puts that cookie, signed as Datasette signs it, straight into the widget's cookie jar,
which stays in the kernel: no page sees it, and no token exists that anything else could spend.
"""

from __future__ import annotations

import httpx
from datasette.app import Datasette

from .transport import INTERNAL_ORIGIN


def enable_root(ds: Datasette) -> None:
    """Let root do everything on `ds`, as ``--root`` does (Datasette 1.0 reads this; 0.65 has no such switch)."""
    ds.root_enabled = True


def sign_in_as_root(ds: Datasette, cookies: httpx.Cookies) -> None:
    """Put root's ``ds_actor`` cookie in `cookies`, as Datasette's own ``/-/auth-token`` sets it."""
    # Datasette's documented actor cookie: {"a": actor}, signed in the "actor" namespace.
    signed = ds.sign({"a": {"id": "root"}}, "actor")
    # Taken from a response of Datasette's origin, so that a later Set-Cookie of its own (a
    # log-out) replaces it instead of sitting beside it.
    set_by_datasette = httpx.Response(
        200,
        headers={"set-cookie": f"ds_actor={signed}; Path=/"},
        request=httpx.Request("GET", f"{INTERNAL_ORIGIN}/"),
    )
    cookies.extract_cookies(set_by_datasette)
