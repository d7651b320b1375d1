"""The widget signed in as root, as ``datasette serve --root`` lets its user be.

``datasette serve --root`` prints a URL holding a one-time token: whoever opens it is signed in as
the root user, who on Datasette 1.0 may then do everything (insert, edit and delete rows, create
tables), and on 0.65 see its debug pages. Here the kernel opens that URL itself, with the widget's
own cookie jar, before the widget's first page: the token reaches no page and no other process,
and root's cookie stays in the kernel's jar, as every cookie of the widget's does.
"""

from __future__ import annotations

import secrets

import httpx
from datasette.app import Datasette

from . import transport


def enable_root(ds: Datasette) -> None:
    """Let root do everything on `ds`, as ``--root`` does (Datasette 1.0 reads this; 0.65 has no such switch)."""
    ds.root_enabled = True


async def sign_in_as_root(ds: Datasette, cookies: httpx.Cookies) -> None:
    """Put root's signed cookie in `cookies`, through Datasette's own ``/-/auth-token``."""
    # Datasette makes one token at start and spends it on its first use: each sign-in gets a fresh one.
    ds._root_token = secrets.token_hex(32)
    await transport.request(ds, f"{ds.urls.path('-/auth-token')}?token={ds._root_token}", cookies=cookies)
    if not any(cookie.name == "ds_actor" for cookie in cookies.jar):
        raise transport.RequestError("Datasette did not sign the widget in as root (its /-/auth-token set no cookie)")
