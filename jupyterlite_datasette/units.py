"""Datasette 0.65's units: pint imported, and its registry built, when first used rather than as
Datasette is imported.

`datasette.views.base` imports its vendored pint and builds pint's registry as it is imported,
parsing pint's definitions of hundreds of units. In Pyodide (its modules compiled) importing pint
takes 0.1 s and building the registry 0.2 s, of the 0.4 s `import datasette.app` took, for a feature
that only metadata with `units`, or a plugin's `register_units`, asks for. Datasette 1.0 has no
units and no registry, and then nothing here applies.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import sys
import types
from collections.abc import Callable, Iterator
from typing import Any

PINT = "datasette.vendored.pint"


class RegistryBuiltWhenFirstUsed:
    """Stands for pint's registry in Datasette, and builds it at the first use of it."""

    def __init__(self, build: Callable[[], Any]) -> None:
        self._build = build
        self._registry: Any = None

    def _built(self) -> Any:
        if self._registry is None:
            self._registry = self._build()
        return self._registry

    def __getattr__(self, name: str) -> Any:
        return getattr(self._built(), name)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._built()(*args, **kwargs)


def real_pint() -> types.ModuleType:
    """Datasette's vendored pint itself, imported now if it was not."""
    module = sys.modules.get(PINT)
    if isinstance(module, PintImportedWhenFirstUsed):
        del sys.modules[PINT]
    return importlib.import_module(PINT)


class PintImportedWhenFirstUsed(types.ModuleType):
    """Stands for pint while Datasette is imported: its UnitRegistry makes a registry built at
    first use; any other name imports pint and is pint's own."""

    def __init__(self) -> None:
        super().__init__(PINT)

    def UnitRegistry(self, *args: Any, **kwargs: Any) -> RegistryBuiltWhenFirstUsed:  # pint's name
        return RegistryBuiltWhenFirstUsed(lambda: real_pint().UnitRegistry(*args, **kwargs))

    def __getattr__(self, name: str) -> Any:
        return getattr(real_pint(), name)


@contextlib.contextmanager
def registry_built_when_first_used() -> Iterator[None]:
    """While Datasette is first imported, pint is a PintImportedWhenFirstUsed."""
    if "datasette.views.base" in sys.modules or PINT in sys.modules:
        # Datasette, with its registry, or pint imported already: nothing left to spare.
        yield
        return
    try:
        if importlib.util.find_spec(PINT) is None:
            raise ImportError(PINT)
    except ImportError:  # Datasette 1.0, which has no datasette.vendored.pint
        yield
        return
    stand_in = PintImportedWhenFirstUsed()
    sys.modules[PINT] = stand_in
    try:
        yield
    finally:
        # From now on an import of pint is pint's own; Datasette keeps the registry it made.
        if sys.modules.get(PINT) is stand_in:
            del sys.modules[PINT]
