"""Bring a file named by URL into the kernel: httpx in CPython, the browser in Pyodide.

The file lands in a kernel-local folder under the URL's file name; it is
written to a partial file first, so a failed download never leaves a file
that looks whole.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

import httpx

from .browser_files import BrowserFileWriter, browser_request
from .errors import DownloadError
from .names import inside, safe_file_name
from .progress import Progress, report_arrival
from .runtime import in_pyodide

#: Seconds to wait to connect, and between two pieces of the body.
TIMEOUT = 30.0
#: In JupyterLite, the size of each synchronous request for a file.
BROWSER_CHUNK = 8 << 20


def is_url(source: object) -> bool:
    return isinstance(source, str) and source.lower().startswith(("http://", "https://"))


def file_name(url: str) -> str:
    """The name the URL's file is kept under: its last path segment, made a safe file name.

    The URL is someone else's: ``..%2F..%2Fx.py`` must not choose where its bytes land.
    """
    name = unquote(urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1])
    return safe_file_name(name, fallback=safe_file_name(urlsplit(url).hostname or ""))


def download(url: str, folder: Path | None = None, timeout: float = TIMEOUT, announce: bool = True) -> Path:
    """Fetch `url` into `folder` (a new temporary one by default); return the file's path.
    `announce`: print where it went (not for a file read at once and thrown away)."""
    folder = folder or Path(tempfile.mkdtemp(prefix="jupyterlite-datasette-"))
    destination = inside(folder, file_name(url))
    partial = inside(folder, destination.name + ".part")
    started = time.perf_counter()
    try:
        if in_pyodide():
            fetch_in_browser(url, partial)
        else:
            stream_with_httpx(url, partial, timeout)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(destination)
    if announce:
        report_arrival(url, "downloaded", destination, destination.stat().st_size, time.perf_counter() - started)
    return destination


def stream_with_httpx(url: str, destination: Path, timeout: float) -> None:
    try:
        with httpx.stream("GET", url, follow_redirects=True, timeout=timeout) as response:
            if response.status_code != 200:
                raise DownloadError(
                    f"{url}: the server answered {response.status_code} {response.reason_phrase}; check the address"
                )
            progress = Progress(file_name(url), int(response.headers.get("content-length") or 0) or None)
            done = 0
            with destination.open("wb") as f:
                for chunk in response.iter_bytes(1 << 20):
                    f.write(chunk)
                    done += len(chunk)
                    progress.update(done)
            progress.close()
    except httpx.TimeoutException:
        raise DownloadError(f"{url}: no answer within {timeout:g} s; try again later or check the address") from None
    except httpx.HTTPError as e:
        raise DownloadError(f"{url}: cannot be downloaded ({e}); check the address and the network") from None


def fetch_in_browser(url: str, destination: Path) -> None:
    """Synchronous requests from the kernel's worker, where they are allowed.

    A piece at a time when the server takes Range requests (static hosts and
    CDNs do), so progress can be shown; in one answer when it does not.
    """
    progress = Progress(file_name(url))
    with BrowserFileWriter(str(destination)) as file:
        while True:
            answer = browser_request(url, f"bytes={file.size}-{file.size + BROWSER_CHUNK - 1}")
            if answer.status == 200:  # the server ignores ranges: this is the whole file
                file.replace(answer)
                break
            if answer.status == 416 and file.size:  # the file ended exactly at a piece's end
                break
            if answer.status == 0:
                raise DownloadError(
                    f"{url}: the browser could not download it; check the address, and that the server "
                    "allows cross-origin requests (CORS)"
                )
            if answer.status != 206:
                raise DownloadError(f"{url}: the server answered {answer.status}; check the address")
            file.append(answer)
            # Content-Range is only readable cross-origin if the server exposes it.
            content_range = answer.content_range
            if progress.total is None and content_range and "/" in content_range:
                progress.total = int(content_range.rsplit("/", 1)[1])
            progress.update(file.size)
            if answer.size < BROWSER_CHUNK or (progress.total is not None and file.size >= progress.total):
                break
    progress.close()
