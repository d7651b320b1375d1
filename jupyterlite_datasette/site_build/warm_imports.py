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


class AfterTheKernel(importlib.abc.MetaPathFinder):
    """Finds the kernel's module where Python would, once, with a loader that then schedules
    `import_widget`."""

    def __init__(self, schedule: Schedule) -> None:
        self.schedule = schedule

    def find_spec(self, fullname: str, path=None, target=None) -> machinery.ModuleSpec | None:
        if fullname != KERNEL:
            return None
        sys.meta_path.remove(self)
        spec = machinery.PathFinder.find_spec(fullname, path)
        if spec is not None and spec.loader is not None:
            self.then_import_widget(spec.loader)
        return spec

    def then_import_widget(self, loader: importlib.abc.Loader) -> None:
        """`loader`, made for this one import, schedules `import_widget` once it has run the module."""
        exec_module = loader.exec_module

        def exec_then_schedule(module: ModuleType) -> None:
            exec_module(module)
            self.schedule(import_widget)

        loader.exec_module = exec_then_schedule  # type: ignore[method-assign]


def install(schedule: Schedule = after_a_moment) -> None:
    """The widget's imports are scheduled (by `schedule`) once the kernel's module is imported."""
    sys.meta_path.insert(0, AfterTheKernel(schedule))
