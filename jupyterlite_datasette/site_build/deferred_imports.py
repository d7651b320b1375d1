"""Runs in the kernel of an offline site, as `_jupyterlite_deferred`: what the kernel imports only
when first asked for it. Nothing of this package imports it; the site's build (deferral.py) puts
it into the standard library the site serves, with a `sitecustomize` that calls `install` before
any other import runs.

Two kinds of module are deferred, each fetched from the site on its first import, by a
synchronous request (the kernel runs in a worker, where those are allowed) to the folder of
Pyodide's own files:

- the standard library's modules that the kernel, Datasette and the demo notebooks never import:
  they are in Pyodide's whole archive of it, fetched once and imported from where it is kept;
- the packages of Tab completion (jedi, and parso, which jedi imports): the kernel starts with a
  stand-in of jedi, whose `__init__` unpacks their wheels over itself and runs jedi's own. IPython
  asks whether jedi is installed as it starts, and imports it at the first Tab;
- the other packages the kernel installs as it starts but does not import then (httpcore, say,
  until a notebook makes a request with httpx): each has a stand-in as jedi has, naming its wheel.

And the sources of the modules the site ships compiled (bytecode.py) are fetched when a traceback,
`inspect` or IPython's `??` asks for their lines.
"""

from __future__ import annotations

# Imported as the interpreter starts: what is needed only once something is deferred is
# imported then, so that a kernel that never needs it never pays for it.
import sys
from importlib.abc import MetaPathFinder

#: Where the whole standard library's archive is kept once fetched.
WHOLE_STDLIB_COPY = "/lib/python_stdlib_whole.zip"
#: Where the site keeps the sources of the modules it ships compiled, by where the kernel imports
#: them from, relative to Pyodide's files (bytecode.py): the standard library's beside them, the
#: installed packages' beside the lock's wheels.
SOURCES = {"stdlib": "sources/stdlib/", "site-packages": "../pyodide-lock/sources/site-packages/"}


class DeferredImports(MetaPathFinder):
    """Finds the deferred modules of the standard library, after every other finder has not.

    `stdlib`: the whole standard library's archive, as (file beside Pyodide's, sha256), and
    `stdlib_modules` the dotted names only it has; `wheels`: distribution -> (file, sha256), for
    the stand-ins (`unpack_deferred_wheels`)."""

    def __init__(
        self, stdlib: tuple[str, str], stdlib_modules: frozenset[str], wheels: dict[str, tuple[str, str]]
    ) -> None:
        self.stdlib = stdlib
        self.stdlib_modules = stdlib_modules
        self.wheels = dict(wheels)
        self.whole_stdlib: str | None = None

    def find_spec(self, fullname, path=None, target=None):
        if fullname not in self.stdlib_modules:
            return None
        import zipimport

        if self.whole_stdlib is None:
            data = fetch(*self.stdlib, wanted_by=fullname)
            with open(WHOLE_STDLIB_COPY, "wb") as copy:
                copy.write(data)
            self.whole_stdlib = WHOLE_STDLIB_COPY
        package = fullname.rpartition(".")[0]
        # A module of a package is looked for in that package's folder of the archive.
        where = f"{self.whole_stdlib}/{package.replace('.', '/')}/" if package else self.whole_stdlib
        return zipimport.zipimporter(where).find_spec(fullname)


#: The kernel's finder, once `install` has run.
deferred: DeferredImports | None = None


def install(stdlib: tuple[str, str], stdlib_modules: frozenset[str], wheels: dict[str, tuple[str, str]]) -> None:
    """Defer the standard library's modules named, and the `wheels` (distribution -> (file, sha256))."""
    global deferred
    deferred = DeferredImports(stdlib, stdlib_modules, wheels)
    sys.meta_path.append(deferred)
    import linecache

    linecache.updatecache = with_compiled_modules_sources(linecache.updatecache)


def unpack_deferred_wheels(stand_in: dict) -> None:
    """Called by jedi's stand-in `__init__`, with its globals: unpack the deferred wheels (jedi's
    and parso's) where installed packages are, the real package over the stand-in, and run the
    real `__init__` in the stand-in's place, so that the module being imported becomes the real one."""
    assert deferred is not None, "sitecustomize installs the deferred imports as the interpreter starts"
    for distribution, (file, sha256) in list(deferred.wheels.items()):
        unpack_wheel(stand_in, file, sha256)
        del deferred.wheels[distribution]
    run_real_init(stand_in)


def unpack_deferred_wheel(stand_in: dict, file: str, sha256: str) -> None:
    """Called by the stand-in `__init__` of a package deferred by the site's build, with its
    globals: unpack its wheel, `file` beside Pyodide's, over it, and run the real `__init__`."""
    unpack_wheel(stand_in, file, sha256)
    run_real_init(stand_in)


def unpack_wheel(stand_in: dict, file: str, sha256: str) -> None:
    """Unpack the wheel `file`, beside Pyodide's, where the package of `stand_in` is installed."""
    import io
    import os
    import zipfile

    # Where the stand-in is installed (not sysconfig's answer: its data is deferred).
    installed = os.path.dirname(os.path.dirname(stand_in["__file__"]))
    with zipfile.ZipFile(io.BytesIO(fetch(file, sha256, wanted_by=stand_in["__name__"]))) as wheel:
        wheel.extractall(installed)


def run_real_init(stand_in: dict) -> None:
    """Run the package's own `__init__`, now unpacked over the stand-in's, in the stand-in's globals."""
    import os

    # The listings the finders keep of the folders unpacked into predate the files. Only theirs:
    # another's may be the notebook's folder, where a listing is a request to the page.
    for folder in (os.path.dirname(os.path.dirname(stand_in["__file__"])), *stand_in.get("__path__", ())):
        invalidate = getattr(sys.path_importer_cache.get(folder), "invalidate_caches", None)
        if invalidate is not None:
            invalidate()
    with open(stand_in["__file__"]) as source:
        code = compile(source.read(), stand_in["__file__"], "exec")
    exec(code, stand_in)  # noqa: S102 -- the package's own __init__, unpacked from the wheel the site was built with


def with_compiled_modules_sources(updatecache):
    """linecache's `updatecache`, which also finds the lines of a module the site ships compiled."""

    def updatecache_or_fetch(filename, module_globals=None):
        lines = updatecache(filename, module_globals)
        if lines:
            return lines
        source = compiled_module_source(filename)
        if source is None:
            return lines
        import importlib.util
        import linecache

        lines = importlib.util.decode_source(source).splitlines(keepends=True)
        if lines and not lines[-1].endswith("\n"):
            lines[-1] += "\n"
        # No modification time: linecache.checkcache keeps it, as for sources a loader gave.
        linecache.cache[filename] = (len(source), None, lines, filename)
        return lines

    return updatecache_or_fetch


def compiled_module_source(filename: str) -> bytes | None:
    """The source of the module at `filename` if the site ships it compiled (bytecode.py), from
    the site's `sources/` beside Pyodide's files, checked against the hash its bytecode holds."""
    import importlib.util
    import os
    import site

    folders = {"stdlib": os.path.dirname(os.__file__), "site-packages": site.getsitepackages()[0]}
    for kind, folder in folders.items():
        if filename.startswith(folder + "/"):
            name = filename.removeprefix(folder + "/")
            break
    else:
        return None
    try:
        header = bytecode_header(kind, folder, name)
        # A hash-based .pyc holds the source's hash (PEP 552): the source fetched must be it.
        if header is None or not int.from_bytes(header[4:8], "little") & 1:
            return None
        source = request(SOURCES[kind] + name)
    except Exception:  # noqa: BLE001 -- a traceback is being shown: no lines rather than another error
        return None
    return source if source is not None and importlib.util.source_hash(source) == header[8:16] else None


def bytecode_header(kind: str, folder: str, name: str) -> bytes | None:
    """The first 16 bytes of the bytecode the site ships for the module `name` in `folder`."""
    if kind == "stdlib":
        import zipfile

        with zipfile.ZipFile(folder) as archive:
            if name + "c" not in archive.namelist():
                return None
            with archive.open(name + "c") as bytecode:
                return bytecode.read(16)
    try:
        with open(f"{folder}/{name}c", "rb") as bytecode:
            return bytecode.read(16)
    except FileNotFoundError:
        return None


def fetch(file: str, sha256: str, wanted_by: str) -> bytes:
    """`file`, from the folder of Pyodide's files on the site, checked against its digest."""
    import hashlib

    url = site_url(file)
    try:
        data = request(file)
    except Exception as error:
        raise ModuleNotFoundError(f"{wanted_by}: could not fetch {url} ({error})", name=wanted_by) from error
    if data is None:
        raise ModuleNotFoundError(
            f"{wanted_by}: {url} was not served: the site lacks a file of its build; serve all of it", name=wanted_by
        )
    if hashlib.sha256(data).hexdigest() != sha256:
        raise ModuleNotFoundError(
            f"{wanted_by}: {url} is not the file the site was built with; serve the site as built", name=wanted_by
        )
    return data


def site_url(file: str) -> str:
    import js  # Pyodide's bridges to the worker's JavaScript globals, and to Pyodide's own
    import pyodide_js

    # The folder Pyodide was loaded from, as Pyodide itself keeps it.
    return js.URL.new(file, pyodide_js._api.config.indexURL).href


def request(file: str) -> bytes | None:
    """`file`, from the folder of Pyodide's files on the site, or None if the site answers
    otherwise than 200. A synchronous request: the kernel runs in a worker, where they are allowed."""
    import js

    xhr = js.XMLHttpRequest.new()
    xhr.open("GET", site_url(file), False)
    xhr.responseType = "arraybuffer"
    xhr.send()
    return xhr.response.to_bytes() if xhr.status == 200 else None
