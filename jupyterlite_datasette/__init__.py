"""Datasette inside a notebook: pages answered in the kernel, shown in a widget."""

from .runtime import imports_off_drive

with imports_off_drive():
    from .widget import DatasetteWidget

__version__ = "0.1.0"
__all__ = ["DatasetteWidget", "__version__", "load_ipython_extension"]


def load_ipython_extension(ipython):
    """``%load_ext jupyterlite_datasette`` registers ``%datasette``."""
    # The magic is defined only when asked for, not on every import.
    from .magic import register

    register(ipython)
