"""Facts about the kernel this code runs in, and what only the Pyodide kernel can do."""

import contextlib
import os
import sys

from .errors import DownloadError

#: Where JupyterLite mounts the site's contents (and the user's files) in the kernel.
DRIVE = "/drive"


def in_pyodide() -> bool:
    """True inside the Pyodide kernel of JupyterLite, which cannot start threads."""
    return sys.platform == "emscripten"


@contextlib.contextmanager
def imports_off_drive():
    """Keep the working directory off sys.path while Datasette imports.

    In JupyterLite the working directory is /drive, and every import would
    first look for the module there, one synchronous HTTP request at a time.
    """
    if not in_pyodide():
        yield
        return
    here = {"", ".", os.getcwd()}
    removed = [entry for entry in sys.path if entry in here]
    sys.path[:] = [entry for entry in sys.path if entry not in here]
    try:
        yield
    finally:
        sys.path[:0] = removed


def _browser_request(url: str, byte_range: str | None = None):
    """One synchronous GET of `url` (or of `byte_range` of it) by the browser, its body an ArrayBuffer.

    Synchronous requests are allowed in the kernel's worker, and the magic is synchronous.
    """
    import js

    request = js.XMLHttpRequest.new()
    request.open("GET", url, False)
    request.responseType = "arraybuffer"
    if byte_range:
        request.setRequestHeader("Range", byte_range)
    try:
        request.send(None)
    except Exception as e:  # noqa: BLE001 - the browser says only that it failed
        raise DownloadError(
            f"{url}: cannot be downloaded ({e}); check the address, and that the server allows "
            "cross-origin requests (CORS)"
        ) from None
    return request


def browser_get(url: str, byte_range: str | None = None) -> tuple[int, bytes, str | None]:
    """One synchronous GET of `url` (or of `byte_range` of it) by the browser: status, body, Content-Range."""
    request = _browser_request(url, byte_range)
    body = request.response.to_bytes() if request.response is not None else b""
    return request.status, body, request.getResponseHeader("Content-Range")


def browser_get_to_file(url: str, destination: str, size: int) -> bool:
    """GET `url` by the browser into the file `destination` (made anew), if the answer is 200
    and `size` bytes long; False, and nothing written, if not.

    The browser's buffer becomes the file as it is: Pyodide's in-memory file system takes it
    over, with no copy into Python's memory and none back out (a 100 MB database would
    otherwise be held three times over while it arrives).
    """
    import js
    import pyodide_js
    from pyodide.ffi import to_js

    request = _browser_request(url)
    buffer = request.response
    if request.status != 200 or buffer is None or buffer.byteLength != size:
        return False
    options = to_js({"canOwn": True}, dict_converter=js.Object.fromEntries)
    pyodide_js.FS.writeFile(destination, js.Uint8Array.new(buffer), options)
    return True
