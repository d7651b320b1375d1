"""Datasette inside a notebook: pages answered in the kernel, shown in a widget."""

from .widget import DatasetteWidget

__version__ = "0.1.0"
__all__ = ["DatasetteWidget", "__version__", "load_ipython_extension"]


def load_ipython_extension(ipython):
    """``%load_ext jupyterlite_datasette`` registers ``%datasette``."""
    # Imported here so that importing the package never pulls in IPython.
    from .magic import register

    register(ipython)
