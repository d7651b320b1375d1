"""What an offline site's kernel fetches only when it first imports it, not as it starts: most of
Pyodide's standard library (the kernel starts with 1.5 of its 2.5 MB), jedi and parso,
which only Tab completion imports (1.1 MB), and the other packages it installs as it starts but
does not then import (0.9 MB: certifi, httpcore, micropip, IPython's traceback helpers, ...).
deferred_imports.py is what does it in the kernel.

Laid out in the folder of Pyodide's files that the site serves:

- `python_stdlib.zip`, which Pyodide loads as it starts: the files of its standard library listed
  in stdlib_kept.txt, `_jupyterlite_deferred` (deferred_imports.py), and a `sitecustomize` that
  installs its finder, naming what is deferred, with digests. With them, since it too must be in
  place before the kernel's first import, `_jupyterlite_drive_imports` (drive_imports.py), which
  spares imports a request to the page per module, `_jupyterlite_lazy_piplite`
  (lazy_piplite.py), which leaves piplite, imported as the kernel starts, to run at `%pip`, and
  `_jupyterlite_warm_imports` (warm_imports.py), which imports the widget once the kernel has started;
- `python_stdlib_whole.zip`: Pyodide's own archive of its standard library, as it is published;
- `deferred/`: the wheels of jedi and parso. The site's lock has, in their place, a stand-in of jedi:
  its metadata, and an `__init__` that unpacks both wheels over itself and runs jedi's own
  (jupyterlite-pyodide-kernel installs jedi as the kernel starts unless the lock loads it).

And in the folder of the lock's wheels, once the lock is solved (`defer_wheel`): in place of each
other wheel the kernel installs as it starts without importing it then (bytecode.py lists what it
imports), a stand-in that names the wheel, now in `deferred/` there, and unpacks it on import.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import io
import os
import zipfile
from pathlib import Path

from . import wheels
from .pyodide_core import STDLIB

KEPT_LIST = Path(__file__).with_name("stdlib_kept.txt")
RUNTIME = Path(__file__).with_name("deferred_imports.py")
RUNTIME_MODULE = "_jupyterlite_deferred"
DRIVE_IMPORTS = Path(__file__).with_name("drive_imports.py")
DRIVE_IMPORTS_MODULE = "_jupyterlite_drive_imports"
LAZY_PIPLITE = Path(__file__).with_name("lazy_piplite.py")
LAZY_PIPLITE_MODULE = "_jupyterlite_lazy_piplite"
WARM_IMPORTS = Path(__file__).with_name("warm_imports.py")
WARM_IMPORTS_MODULE = "_jupyterlite_warm_imports"
#: This package's modules that go into the kernel's standard library, by the name they have there.
KERNEL_MODULES = {
    RUNTIME_MODULE: RUNTIME,
    DRIVE_IMPORTS_MODULE: DRIVE_IMPORTS,
    LAZY_PIPLITE_MODULE: LAZY_PIPLITE,
    WARM_IMPORTS_MODULE: WARM_IMPORTS,
}
WHOLE_STDLIB = "python_stdlib_whole.zip"
WHEEL_FOLDER = "deferred"
#: Distributions whose wheels wait in the site until the first of them is imported: the first,
#: through its stand-in.
DEFERRED_WHEELS = ("jedi", "parso")
#: How the stand-in of a wheel deferred after the lock solve is named: `<wheel's stem><this>`.
STAND_IN_SUFFIX = ".stand-in.zip"
SITECUSTOMIZE = '''"""Made by jupyterlite-datasette's site build: see {runtime}, {drive}, {piplite} and {warm}."""

import {drive}
import {piplite}
import {runtime}
import {warm}

{runtime}.install({stdlib!r}, frozenset({modules!r}), {wheels!r})
{drive}.install()
{piplite}.install()
{warm_install}'''
STAND_IN_INIT = '''"""A stand-in, made by jupyterlite-datasette's site build: its import fetches {distribution}'s wheel
from the site, and those of what it imports, unpacks them over it, and runs {distribution}'s own
`__init__` in its place (see {runtime})."""

__import__("{runtime}").unpack_deferred_wheels(globals())
'''
STAND_IN_OF_WHEEL_INIT = '''"""A stand-in, made by jupyterlite-datasette's site build: its import fetches {distribution}'s wheel
from the site, unpacks it over it, and runs the package's own `__init__` in its place (see {runtime})."""

__import__("{runtime}").unpack_deferred_wheel(globals(), *{wheel!r})
'''


def kept_files() -> list[str]:
    lines = KEPT_LIST.read_text().splitlines()
    return [line for line in lines if line and not line.startswith("#")]


def module_name(path: str) -> str | None:
    """The dotted name of the module at `path` in an archive of modules, if it is one."""
    if not path.endswith(".py"):
        return None
    parts = path.removesuffix(".py").split("/")
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def deferred_wheels(pyodide: Path) -> dict[str, Path]:
    """Where in `pyodide`, Pyodide's folder, the wheels of DEFERRED_WHEELS go, at the versions installed here."""
    return {
        distribution: pyodide / WHEEL_FOLDER / wheels.wheel_name(distribution, importlib.metadata.version(distribution))
        for distribution in DEFERRED_WHEELS
    }


def split_stdlib(pyodide: Path, deferred: dict[str, Path], warm_imports: bool = True) -> None:
    """`pyodide/python_stdlib.zip`, of `pyodide/python_stdlib_whole.zip`: its kept files, the
    finder of what is deferred, and the sitecustomize that installs it, naming the `deferred`
    wheels (distribution -> wheel in `pyodide`), and with `warm_imports` warm_imports.py's."""
    whole = (pyodide / WHOLE_STDLIB).read_bytes()
    kept = set(kept_files())
    with zipfile.ZipFile(io.BytesIO(whole)) as archive:
        files = {info.filename: archive.read(info) for info in archive.infolist() if not info.is_dir()}
    kept_modules = {module_name(path) for path in kept}
    deferred_modules = {
        name for path in files if path not in kept and (name := module_name(path)) and name not in kept_modules
    }
    sitecustomize = SITECUSTOMIZE.format(
        runtime=RUNTIME_MODULE,
        drive=DRIVE_IMPORTS_MODULE,
        piplite=LAZY_PIPLITE_MODULE,
        warm=WARM_IMPORTS_MODULE,
        # A site whose `warm_start` is false leaves them to the first cell.
        warm_install=f"{WARM_IMPORTS_MODULE}.install()\n" if warm_imports else "",
        stdlib=(WHOLE_STDLIB, _sha256(whole)),
        modules=sorted(deferred_modules),
        wheels={
            distribution: (wheel.relative_to(pyodide).as_posix(), _sha256(wheel.read_bytes()))
            for distribution, wheel in deferred.items()
        },
    )
    made = {
        **{path: data for path, data in files.items() if path in kept},
        **{f"{name}.py": path.read_bytes() for name, path in KERNEL_MODULES.items()},
        "sitecustomize.py": sitecustomize.encode(),
    }
    wheels.write_zip(pyodide / STDLIB, made)


def stand_in_wheel(wheel: Path, stand_in: Path, fetched: tuple[str, str] | None = None) -> None:
    """A wheel, at `stand_in`, of the distribution of `wheel`, with its packages: its metadata
    without its requirements (deferred with it) and its entry points, and packages whose `__init__`
    puts the real ones in their place on import: jedi's, from the wheels the sitecustomize names,
    or with `fetched`, `wheel` itself, as (file beside Pyodide's, sha256)."""
    with zipfile.ZipFile(wheel) as source:
        names = source.namelist()
        (metadata_path,) = [name for name in names if name.endswith(".dist-info/METADATA")]
        metadata = source.read(metadata_path).decode()
        dist_info = metadata_path.rpartition("/")[0]
        entry_points = {name: source.read(name) for name in names if name == f"{dist_info}/entry_points.txt"}
    distribution = dist_info.partition("-")[0]
    # The headers, without the long description after them.
    headers = metadata.partition("\n\n")[0].splitlines(keepends=True)
    kept = "".join(line for line in headers if not line.startswith("Requires-Dist:")) + "\n"
    if fetched is None:
        init = STAND_IN_INIT.format(distribution=distribution, runtime=RUNTIME_MODULE)
    else:
        init = STAND_IN_OF_WHEEL_INIT.format(distribution=distribution, runtime=RUNTIME_MODULE, wheel=fetched)
    stand_in.parent.mkdir(parents=True, exist_ok=True)
    wheels.write_wheel(
        stand_in,
        {
            **{f"{package}/__init__.py": init.encode() for package in packages(names) or [distribution]},
            f"{dist_info}/METADATA": kept.encode(),
            f"{dist_info}/WHEEL": wheels.WHEEL_FILE.encode(),
            **entry_points,
        },
        f"{dist_info}/RECORD",
    )


def packages(names: list[str]) -> list[str] | None:
    """The top-level packages of a wheel of files `names`, or None if it installs a module that is
    not in a package (a stand-in cannot take its place)."""
    tops = {name.split("/")[0] for name in names if ".dist-info/" not in name and ".data/" not in name}
    if any(top.endswith(".py") or "." in top for top in tops):
        return None
    return sorted(tops)


def defer_wheel(wheel: Path, pyodide: Path) -> Path | None:
    """Move `wheel` into the `deferred/` folder beside it, and put a stand-in (`stand_in_wheel`)
    beside it that fetches it on import (by its path from `pyodide`, the folder of Pyodide's files).
    The stand-in is a zip archive (Pyodide installs one as it installs a wheel) named otherwise than
    the wheel, which no tool looking for a distribution's wheel then takes for it. Where the stand-in
    is, or None, and nothing done, if a stand-in cannot take the wheel's place."""
    with zipfile.ZipFile(wheel) as source:
        if packages(source.namelist()) is None:
            return None
    deferred = wheel.parent / WHEEL_FOLDER / wheel.name
    deferred.parent.mkdir(parents=True, exist_ok=True)
    wheel.replace(deferred)
    from_pyodide = Path(os.path.relpath(deferred, pyodide)).as_posix()
    stand_in = wheel.with_name(f"{wheel.stem}{STAND_IN_SUFFIX}")
    stand_in_wheel(deferred, stand_in, (from_pyodide, _sha256(deferred.read_bytes())))
    return stand_in


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
