"""Runs in the kernel of an offline site, as `_jupyterlite_drive_imports`: imports that do not ask
the page about the notebook's folder for every module. Nothing of this package imports it; the
site's build (deferral.py) puts it into the standard library the site serves, and its
`sitecustomize` calls `install` before any other import runs.

The kernel's working folder is the notebook's, in JupyterLite's drive (`/drive`), and it comes
first on `sys.path`, as in any kernel. Python's finder of a folder looks at the folder's
modification time before each lookup, to see whether its listing is stale. In the drive, that
look is a request to the page (5 ms here), made for every module not yet imported (53 requests,
0.45 s of `import datasette.app`'s 1.75 s), and it tells nothing: the drive gives its folders no
time (0), so the listing is never read again, and a module made in the folder after the first
import is not found until `importlib.invalidate_caches()`.

(The widget's own imports keep off the drive in any JupyterLite: runtime.imports_off_drive. This is
for the notebook's.) Here, the kernel's own imports as it starts, before IPython's shell is up, keep
off the drive (a module in the notebook's folder cannot take a kernel module's place either), and
a folder of the drive is read again at the first lookup in each cell, and
answers from that listing for the rest of the cell (a module the listing has is looked up as
Python does). So a module made in the folder is importable from the next cell on, or at once
after `importlib.invalidate_caches()`, which is what Python asks for of a module made while a
program runs.
"""

from __future__ import annotations

import sys
from importlib import machinery

#: Where jupyterlite-pyodide-kernel mounts the drive.
DRIVE = "/drive"
#: The loaders, by suffix, of Python's own finder of folders.
FILE_LOADERS = [
    (machinery.ExtensionFileLoader, machinery.EXTENSION_SUFFIXES),
    (machinery.SourceFileLoader, machinery.SOURCE_SUFFIXES),
    (machinery.SourcelessFileLoader, machinery.BYTECODE_SUFFIXES),
]
#: What a module's file may end with.
MODULE_SUFFIXES = [suffix for _, suffixes in FILE_LOADERS for suffix in suffixes]


class DriveFolderFinder(machinery.FileFinder):
    """A folder of the drive, read at most once in each cell."""

    def __init__(self, path, *loader_details) -> None:
        super().__init__(path, *loader_details)
        #: The cell in which the folder was last read.
        self.read_in: int | None = None

    def find_spec(self, fullname, target=None):
        cell = cells.current()
        if cell is None:
            # The kernel is starting, and what it imports is its own, not the notebook's: the
            # page, which answers for the drive, is busy starting JupyterLab meanwhile.
            return None
        if cell == self.read_in:
            if not self._may_have(fullname.rpartition(".")[2]):
                # What Python's lookup answers when the folder has not changed since it was read.
                return None
        else:
            # A new cell: the folder is read again (its time says nothing).
            super().invalidate_caches()
            self.read_in = cell
        return super().find_spec(fullname, target)

    def _may_have(self, tail: str) -> bool:
        # FileFinder's own listing of the folder, as of its last read.
        listing = self._path_cache  # type: ignore[attr-defined]
        return tail in listing or any(tail + suffix in listing for suffix in MODULE_SUFFIXES)

    def invalidate_caches(self) -> None:
        super().invalidate_caches()
        self.read_in = None


class Cells:
    """Counts the cells the kernel has begun to run, from IPython's `pre_run_cell`, once it is up."""

    def __init__(self) -> None:
        self.count = 0
        self.watching = False

    def current(self) -> int | None:
        """The number of the cell running (or last run), or None before IPython's shell is up."""
        if not self.watching:
            # IPython may be in the middle of its own import.
            get_ipython = getattr(sys.modules.get("IPython"), "get_ipython", None)
            shell = get_ipython() if get_ipython else None
            if shell is None:
                return None
            shell.events.register("pre_run_cell", self.begun)
            self.watching = True
        return self.count

    def begun(self, info) -> None:
        self.count += 1


cells = Cells()


def install() -> None:
    """Folders of the drive get a DriveFolderFinder."""
    drive_folder_finder = DriveFolderFinder.path_hook(*FILE_LOADERS)

    def path_hook(path: str):
        if path != DRIVE and not path.startswith(DRIVE + "/"):
            raise ImportError(f"{path} is not in the drive")
        return drive_folder_finder(path)

    sys.path_hooks.insert(0, path_hook)
