"""Datasette inside a notebook: pages answered in the kernel, shown in a widget."""

from __future__ import annotations

from types import ModuleType
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["DatasetteWidget", "__version__", "load_ipython_extension"]

if TYPE_CHECKING:
    from .widget import DatasetteWidget


def __getattr__(name: str) -> Any:
    # The widget (Datasette, anywidget, IPython) is imported when first asked for: a Jupyter
    # server imports this package for its server extension and needs none of it.
    if name == "DatasetteWidget":
        from .runtime import imports_off_drive
        from .units import registry_built_when_first_used

        with imports_off_drive(), registry_built_when_first_used():
            from .widget import DatasetteWidget

        return DatasetteWidget
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def import_magic() -> ModuleType:
    """The module of ``%datasette``, imported with the widget and Datasette if they were not.

    The kernel of a site built with this package calls it once it has started, before any cell
    asks (site_build/warm_imports.py)."""
    from .runtime import imports_off_drive
    from .units import registry_built_when_first_used

    # The magic is defined only when asked for, not on every import.
    with imports_off_drive(), registry_built_when_first_used():
        from . import magic

    return magic


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext jupyterlite_datasette`` registers ``%datasette``."""
    import_magic().register(ipython)


def _jupyter_server_extension_points() -> list[dict[str, Any]]:
    """Jupyter Server's extension: TCP_NODELAY on the kernel's websocket (server_extension.py)."""
    return [{"module": "jupyterlite_datasette.server_extension"}]
