"""Runs in the kernel of an offline site, as `_jupyterlite_warm_imports`: once the kernel has
started, it imports what `%load_ext jupyterlite_datasette` and `%datasette` need (the widget,
Datasette, anywidget, httpx: about 0.4 s), before a cell asks for them. Nothing of this package
imports it; the site's build (deferral.py) puts it into the standard library the site serves, and
its `sitecustomize` calls `install` before any other import runs, unless the site's `warm_start`
setting is false.

jupyterlite-pyodide-kernel's worker tells the page that the kernel is ready as soon as it has
imported `pyodide_kernel`: the imports run from the worker's event loop a moment after that
import, once the worker is free. The page shows the kernel idle meanwhile; the reader is still
looking at the notebook, and a cell run at once waits for them, and then finds them done.
"""

from __future__ import annotations

import contextlib
import importlib.abc
import sys
from collections.abc import Callable
from importlib import machinery
from types import ModuleType

#: The kernel's own module, whose import is the last thing the worker does as the kernel starts.
KERNEL = "pyodide_kernel"
#: Milliseconds from the kernel's import to the imports: by then the worker has told the page.
DELAY_MS = 50

Schedule = Callable[[Callable[[], None]], None]


def import_widget() -> None:
    """The widget's imports, as `%load_ext jupyterlite_datasette` makes them."""
    # `%load_ext jupyterlite_datasette` makes the same imports, and shows the reader what failed.
    with contextlib.suppress(Exception):
        __import__("jupyterlite_datasette").import_magic()


def after_a_moment(function: Callable[[], None]) -> None:
    """Run `function` DELAY_MS from now, from the worker's event loop."""
    from js import setTimeout
    from pyodide.ffi import create_once_callable

    setTimeout(create_once_callable(function), DELAY_MS)


class ThenImportWidget(importlib.abc.Loader):
    """The kernel's own loader, which then schedules `import_widget`."""

    def __init__(self, loader: importlib.abc.Loader, schedule: Schedule) -> None:
        self.loader = loader
        self.schedule = schedule

    def __getattr__(self, name: str) -> object:
        # The rest of the loader's interface (get_source, is_package, ...) is its own.
        if name == "loader":  # not set yet (a copy in the making): no recursion
            raise AttributeError(name)
        return getattr(self.loader, name)

    def create_module(self, spec: machinery.ModuleSpec) -> ModuleType | None:
        return self.loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        self.loader.exec_module(module)
        self.schedule(import_widget)


class AfterTheKernel(importlib.abc.MetaPathFinder):
    """Finds the kernel's module where Python would, once, and gives it a ThenImportWidget."""

    def __init__(self, schedule: Schedule) -> None:
        self.schedule = schedule

    def find_spec(self, fullname: str, path=None, target=None) -> machinery.ModuleSpec | None:
        if fullname != KERNEL:
            return None
        sys.meta_path.remove(self)
        spec = machinery.PathFinder.find_spec(fullname, path)
        if spec is not None and spec.loader is not None:
            spec.loader = ThenImportWidget(spec.loader, self.schedule)
        return spec


def install(schedule: Schedule = after_a_moment) -> None:
    """The widget's imports are scheduled (by `schedule`) once the kernel's module is imported."""
    sys.meta_path.insert(0, AfterTheKernel(schedule))
