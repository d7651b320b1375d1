"""The modules an offline site's kernel imports as it starts, shipped compiled.

Pyodide's standard library and the wheels on PyPI are sources: the kernel compiles each module
as it first imports it, and that was about half of its start. The site's build compiles the
modules listed in imported_at_start.txt, in Pyodide itself (Node runs it: the build's own Python
is not the kernel's), and ships their bytecode in place of their sources. Their sources go to
`sources/` beside Pyodide's files, from where the kernel fetches one when a traceback or `??`
shows it (deferred_imports.py).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from pathlib import Path

from . import wheels

START_LIST = Path(__file__).with_name("imported_at_start.txt")
RUNNER = Path(__file__).with_name("run_in_pyodide.mjs")
COMPILER = Path(__file__).with_name("compile_in_pyodide.py")
#: Beside the archives compiled: the sources of what the site ships compiled, as
#: `sources/<kind>/<path>`, kind being where the kernel imports it from: "stdlib" (Pyodide's
#: archive of its standard library) or "site-packages" (compile_in_pyodide.py knows their paths).
SOURCES = "sources"


class BytecodeError(RuntimeError):
    pass


def imported_at_start() -> frozenset[str]:
    lines = START_LIST.read_text().splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def started_files(names: Iterable[str]) -> list[str]:
    """Those of an archive's file `names` that are modules imported_at_start.txt lists, in order."""
    started = imported_at_start()
    return sorted(name for name in names if name in started)


def node() -> str | None:
    return shutil.which("node")


def compile_archives(archives: dict[Path, str], pyodide: Path, stdlib: Path, sources: Path) -> list[Path]:
    """Rewrite each of `archives` (a wheel, or a zip of the standard library -> its kind, see
    SOURCES) with the modules it holds of imported_at_start.txt compiled in place
    of their sources, which go to `sources/<kind>/`. Compiled by the Pyodide in `pyodide`, whose
    standard library is `stdlib`, in one run. The archives that held any."""
    chosen: dict[Path, tuple[str, dict[str, bytes], list[str]]] = {}
    with tempfile.TemporaryDirectory(prefix="jld-bytecode-") as work:
        jobs: list[list[str]] = []
        for archive, kind in archives.items():
            files = wheels.archive_files(archive)
            names = started_files(files)
            if names:
                chosen[archive] = (kind, files, names)
            for name in names:
                source_file = Path(work, f"{len(jobs)}.py")
                source_file.write_bytes(files[name])
                jobs.append([str(source_file), str(source_file.with_suffix(".pyc")), kind, name])
        if not jobs:
            return []
        jobs_file = Path(work, "jobs.json")
        jobs_file.write_text(json.dumps(jobs))
        run_in_pyodide(pyodide, stdlib, COMPILER, str(jobs_file))
        compiled = {(kind, name): Path(bytecode).read_bytes() for _, bytecode, kind, name in jobs}
    for archive, (kind, files, names) in chosen.items():
        for name in names:
            kept_source = sources / kind / name
            kept_source.parent.mkdir(parents=True, exist_ok=True)
            kept_source.write_bytes(files.pop(name))
            files[name + "c"] = compiled[kind, name]
        wheels.rewrite_archive(archive, files)
    return list(chosen)


def run_in_pyodide(pyodide: Path, stdlib: Path, script: Path, *args: str) -> None:
    """Run `script` with `args` in the Pyodide of folder `pyodide`, under Node."""
    runner = node()
    if runner is None:
        raise BytecodeError("the site's build compiles the kernel's modules in Pyodide, under Node: install nodejs")
    result = subprocess.run(
        [runner, str(RUNNER), str(pyodide.resolve()), str(stdlib.resolve()), str(script), *args],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BytecodeError(f"compiling in Pyodide failed:\n{result.stderr[-2000:]}")
