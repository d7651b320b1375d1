"""Datasette 0.65's registry of units, built when first used rather than as Datasette is imported.

`datasette.views.base` builds pint's registry as it is imported, parsing pint's definitions of
hundreds of units: 0.2 s of the 0.3 s `import datasette.app` takes in Pyodide (its modules compiled), for
a feature that only metadata with `units`, or a plugin's `register_units`, asks for. Datasette 1.0
has no units and no registry, and then nothing here applies.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from typing import Any


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


@contextlib.contextmanager
def registry_built_when_first_used() -> Iterator[None]:
    """While Datasette is first imported, its registry of units is made a RegistryBuiltWhenFirstUsed."""
    try:
        from datasette.vendored import pint
    except ImportError:  # Datasette 1.0
        yield
        return
    if "datasette.views.base" in sys.modules:  # imported already, with its registry
        yield
        return
    names = vars(pint)
    unit_registry = names["UnitRegistry"]
    names["UnitRegistry"] = lambda *args, **kwargs: RegistryBuiltWhenFirstUsed(lambda: unit_registry(*args, **kwargs))
    try:
        yield
    finally:
        names["UnitRegistry"] = unit_registry
