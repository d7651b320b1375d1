"""One request through Datasette's in-process client, redirects followed here.

Following redirects by hand (rather than letting httpx do it) keeps the final
path, which is what the widget's address bar and ``.path`` must show.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import httpx
from datasette.app import Datasette

#: The origin Datasette's client answers as; only paths on it are internal.
INTERNAL_ORIGIN = "http://localhost"

#: Redirects followed before giving up, as browsers do with loops.
MAX_REDIRECTS = 10

REDIRECT_STATUSES = {301, 302, 303, 307, 308}
#: Headers that describe a request's body, dropped with it when a redirect turns a POST into a GET.
BODY_HEADERS = {"content-type", "content-length"}

#: Pages (HTML, and JSON shown as text) bigger than this are not sent to be shown:
#: parsing tens of MB would hold up the notebook for seconds. Downloads have no limit.
MAX_SHOWN_BYTES = 10 << 20


class RequestError(Exception):
    """A request could not be answered by Datasette (bad path, redirect loop)."""


@dataclass
class Response:
    status: int
    content_type: str
    body: bytes
    final_path: str
    headers: list[tuple[str, str]] = field(default_factory=list)


def too_big_to_show(response: Response) -> bool:
    """A page the widget would show (not a download) that is over MAX_SHOWN_BYTES."""
    if len(response.body) <= MAX_SHOWN_BYTES:
        return False
    media_type = response.content_type.split(";")[0].strip().lower()
    attachment = any(
        k.lower() == "content-disposition" and v.lower().lstrip().startswith("attachment") for k, v in response.headers
    )
    return not attachment and (media_type == "text/html" or media_type.endswith("json"))


def internal_path(path: str) -> str:
    """Return `path` as an origin-relative path, or raise if it points elsewhere."""
    parts = urlsplit(path)
    if (parts.scheme or parts.netloc) and f"{parts.scheme}://{parts.netloc}" != INTERNAL_ORIGIN:
        raise RequestError(f"{path!r} is not a path inside Datasette")
    if not parts.path.startswith("/"):
        raise RequestError(f"{path!r} must start with '/'")
    return parts.path + (f"?{parts.query}" if parts.query else "")


def with_cookies(headers: dict[str, str] | None, cookies: httpx.Cookies | None) -> dict[str, str] | None:
    """`headers` with a Cookie header, as a browser sends it: Datasette 1.0's client is httpx2's,
    which takes no httpx cookie jar."""
    if not cookies or not cookies.jar:
        return headers
    sent = "; ".join(f"{cookie.name}={cookie.value}" for cookie in cookies.jar)
    return {**(headers or {}), "cookie": sent}


async def request(
    ds: Datasette,
    path: str,
    *,
    method: str = "GET",
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    cookies: httpx.Cookies | None = None,
) -> Response:
    """Send one request to `ds`, following redirects; update `cookies` in place."""
    method = method.upper()
    path = internal_path(path)
    # Datasette must have run its startup hooks before it answers; idempotent.
    await ds.invoke_startup()
    for _ in range(MAX_REDIRECTS + 1):
        response = await ds.client.request(
            method,
            path,
            content=body,
            headers=with_cookies(headers, cookies),
            # Paths come from Datasette's own links, which already carry base_url.
            avoid_path_rewrites=True,
        )
        if cookies is not None:
            # Cookie by cookie: Datasette 1.0's client answers with httpx2's responses.
            for cookie in response.cookies.jar:
                cookies.jar.set_cookie(cookie)
        location = response.headers.get("location")
        if response.status_code not in REDIRECT_STATUSES or not location:
            return Response(
                status=response.status_code,
                content_type=response.headers.get("content-type", ""),
                body=response.content,
                final_path=path,
                headers=list(response.headers.multi_items()),
            )
        path = internal_path(urljoin(INTERNAL_ORIGIN + path, location))
        if response.status_code not in (307, 308):
            # Browsers turn a redirected POST into a GET, without its body (Accept stays).
            method, body = "GET", None
            headers = {k: v for k, v in (headers or {}).items() if k.lower() not in BODY_HEADERS} or None
    raise RequestError(f"more than {MAX_REDIRECTS} redirects from {path!r}")
