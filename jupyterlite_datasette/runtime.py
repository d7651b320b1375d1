"""Facts about the kernel this code runs in, and what only the Pyodide kernel can do."""

import contextlib
import os
import sys

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
