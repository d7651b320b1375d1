"""Datasette's templates, compiled for an offline site's kernel (jupyterlite_datasette/
compiled_templates.py): Jinja's bytecode cache of them, made in Pyodide itself (Node runs it, as
for bytecode.py: Jinja's cache holds Python bytecode, and the build's Python is not the kernel's),
and put into the wheel of this package the kernel installs.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from .. import compiled_templates
from . import bytecode, wheels

SCRIPT = Path(__file__).with_name("templates_in_pyodide.py")
#: Where the compiled templates go in this package's wheel, where the kernel reads them.
FOLDER = f"jupyterlite_datasette/{compiled_templates.FOLDER.name}/"


def compile_templates(started: list[Path], pyodide: Path, stdlib: Path, ours: Path) -> None:
    """Compile the templates of the Datasette that the `started` wheels make, with the Pyodide in
    `pyodide` (whose standard library is `stdlib`), into `ours`, this package's wheel among them."""
    with tempfile.TemporaryDirectory(prefix="jld-templates-") as work:
        wheels_file = Path(work, "wheels.json")
        wheels_file.write_text(json.dumps([str(wheel.resolve()) for wheel in started]))
        out = Path(work, "compiled")
        out.mkdir()
        bytecode.run_in_pyodide(pyodide, stdlib, SCRIPT, str(wheels_file), str(out.resolve()))
        compiled = {FOLDER + path.name: path.read_bytes() for path in sorted(out.iterdir())}
    # Templates compiled by an earlier build go: this compile may name other ones.
    kept = {name: data for name, data in wheels.archive_files(ours).items() if not name.startswith(FOLDER)}
    wheels.rewrite_archive(ours, {**kept, **compiled})
