"""Hosts the user lets pages load images from (online map tiles, say): off by default.

Each becomes a source in the page frame's image policy, so it must be exactly
a scheme, a host and perhaps a port: anything else could widen the policy.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .errors import DatasetteInputError

#: http(s)://, a host name (its first label may be "*" for any subdomain) or IPv4 address, maybe a port.
HOST_SOURCE = re.compile(
    r"(?P<scheme>https?)://(?P<host>(?:\*\.)?[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*)"
    r"(?::(?P<port>[0-9]{1,5}))?/?"
)


class ImageHostError(DatasetteInputError):
    """An image host is not a plain http(s)://host[:port]."""


def image_host(value: str) -> str:
    """`value` as the policy source it allows, e.g. ``https://*.tile.openstreetmap.org``."""
    match = HOST_SOURCE.fullmatch(str(value).strip().lower())
    if not match or (match["port"] and not 0 < int(match["port"]) < 65536):
        raise ImageHostError(
            f"image host {value!r}: give a scheme and host only, like 'https://tile.openstreetmap.org' "
            "or 'https://*.tile.openstreetmap.org' (a port may follow; no path, no query)"
        )
    port = f":{match['port']}" if match["port"] else ""
    return f"{match['scheme']}://{match['host']}{port}"


def image_hosts(values: Iterable[str] | str) -> list[str]:
    """Each of `values` (or the one host given) checked as by `image_host`, duplicates dropped."""
    if isinstance(values, str):
        values = [values]
    return list(dict.fromkeys(image_host(value) for value in values))
