"""Runs in the kernel of an offline site, as `_jupyterlite_lazy_piplite`: piplite, which only
`%pip` uses, runs when it is first used, not as the kernel starts. Nothing of this package imports
it; the site's build (deferral.py) puts it into the standard library the site serves, and its
`sitecustomize` calls `install` before any other import runs.

As the kernel starts, jupyterlite-pyodide-kernel's worker runs:

    import piplite.piplite
    piplite.piplite._PIPLITE_DISABLE_PYPI = ...
    piplite.piplite._PIPLITE_URLS = [...]

Running `piplite.piplite` imports micropip and unittest.mock, the largest part of the kernel's own
imports after IPython's (the kernel was idle 0.45 s later), for a `%pip` most notebooks never run.
Here the import makes both modules and runs neither: each runs at the first attribute it lacks,
such as `piplite.install` (the package's `__init__` is `from .piplite import install`), and the
globals set before then (the worker's two) are set again after its own body has run. What the
import system gave them (`__file__`, `__spec__`, ...) is there before: reading it, as `inspect`
does of every module to show a traceback, runs nothing.
"""

from __future__ import annotations

import importlib.abc
import sys
from importlib import machinery
from types import ModuleType

PACKAGE = "piplite"
MODULE = "piplite.piplite"


class RunAtFirstMissingAttribute(importlib.abc.Loader):
    """Runs a module's own loader when a name the module lacks is first read from it, keeping the
    globals set on it before then."""

    def __init__(self, loader: importlib.abc.Loader) -> None:
        self.loader = loader

    def __getattr__(self, name: str) -> object:
        # The rest of the loader's interface (get_source, is_package, ...) is its own.
        if name == "loader":  # not set yet (a copy in the making): no recursion
            raise AttributeError(name)
        return getattr(self.loader, name)

    def create_module(self, spec: machinery.ModuleSpec) -> ModuleType | None:
        return self.loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        loader = self.loader
        given = dict(module.__dict__)

        def __getattr__(name: str) -> object:
            del module.__dict__["__getattr__"]
            assigned = {key: value for key, value in module.__dict__.items() if given.get(key, given) is not value}
            loader.exec_module(module)
            module.__dict__.update(assigned)
            return getattr(module, name)

        module.__dict__["__getattr__"] = __getattr__


class LazyPiplite(importlib.abc.MetaPathFinder):
    """Finds piplite's package and module where Python would, and defers running them."""

    def find_spec(self, fullname: str, path=None, target=None) -> machinery.ModuleSpec | None:
        if fullname not in (PACKAGE, MODULE):
            return None
        spec = machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None:
            return spec
        spec.loader = RunAtFirstMissingAttribute(spec.loader)
        return spec


def install() -> None:
    """piplite's imports go through LazyPiplite."""
    sys.meta_path.insert(0, LazyPiplite())
