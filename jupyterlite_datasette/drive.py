"""Bring a database under JupyterLite's /drive to a kernel-local path first.

SQLite on /drive cannot write, and reads through it are slow (about 5 MB/s,
one synchronous request per block). Fetching the site's copy of the file over
HTTP is about 25 times faster; a file only the browser has (uploaded through
the file browser) is copied through /drive instead, with progress shown.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from .browser_files import browser_get_to_file
from .errors import DownloadError
from .progress import Progress, report_arrival
from .runtime import DRIVE, in_pyodide

#: Kernel-local copies live here (the kernel's in-memory file system).
LOCAL_DIR = Path("/tmp/jupyterlite-datasette")
CHUNK = 1 << 20


def on_drive(path: Path) -> bool:
    """`path` (absolute) is on JupyterLite's /drive, and so is read through a kernel-local copy."""
    return in_pyodide() and path.is_relative_to(DRIVE)


def kernel_local(path: Path, size: int) -> Path:
    """`path` itself, or in JupyterLite a kernel-local copy of a file on /drive (`size` bytes, as
    the checks found it: each look at the file there is a request to the page)."""
    if not on_drive(path):
        return path
    relative = path.relative_to(DRIVE)
    local = LOCAL_DIR / relative
    local.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    if fetch_from_site(relative, local, size):
        how = "fetched from the site"
    else:
        copy_with_progress(path, local, size)
        how = "copied from the browser's storage"
    report_arrival(str(relative), how, local, size, time.perf_counter() - started)
    return local


def site_base_url() -> str | None:
    """The site's root URL, from the kernel worker's own address."""
    import js  # Pyodide's bridge to the worker's JavaScript globals

    href = str(js.location.href)
    return href.split("/extensions/", 1)[0] + "/" if "/extensions/" in href else None


def fetch_from_site(relative: Path, local: Path, size: int) -> bool:
    """Write the site's copy of a content file to `local`, if the site has one of `size` bytes."""
    base = site_base_url()
    if base is None:
        return False
    try:
        return browser_get_to_file(f"{base}files/{relative.as_posix()}", str(local), size)
    except DownloadError:  # any network failure means "use /drive"
        return False


def copy_with_progress(source: Path, destination: Path, size: int) -> None:
    progress = Progress(source.name, size)
    done = 0
    with source.open("rb") as src, destination.open("wb") as dst:
        while chunk := src.read(CHUNK):
            dst.write(chunk)
            done += len(chunk)
            progress.update(done)
    progress.close()
    shutil.copystat(source, destination)
