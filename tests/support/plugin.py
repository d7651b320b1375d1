"""Install the test plugin in a kernel (CPython or Pyodide) from one notebook cell."""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).parent / "jld_test_plugin"


def install_cell() -> str:
    """Source of a cell that writes the plugin package to a temporary folder and registers it."""
    files = {
        str(path.relative_to(PACKAGE.parent)): path.read_text()
        for path in sorted(PACKAGE.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }
    return (
        "import importlib, sys, tempfile, pathlib\n"
        "from datasette.plugins import pm\n"
        "plugin_root = pathlib.Path(tempfile.mkdtemp())\n"
        f"for name, text in {files!r}.items():\n"
        "    (plugin_root / name).parent.mkdir(parents=True, exist_ok=True)\n"
        "    (plugin_root / name).write_text(text)\n"
        "sys.path.insert(0, str(plugin_root))\n"
        "pm.register(importlib.import_module('jld_test_plugin'))\n"
        "print('plugin registered')"
    )
