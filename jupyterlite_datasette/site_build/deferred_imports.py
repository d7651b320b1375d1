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
  asks whether jedi is installed as it starts, and imports it at the first Tab.
"""

from __future__ import annotations

# Imported as the interpreter starts: what is needed only once something is deferred is
# imported then, so that a kernel that never needs it never pays for it.
import importlib
import sys
from importlib.abc import MetaPathFinder

#: Where the whole standard library's archive is kept once fetched.
WHOLE_STDLIB_COPY = "/lib/python_stdlib_whole.zip"


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


def unpack_deferred_wheels(stand_in: dict) -> None:
    """Called by a stand-in package's `__init__`, with its globals: unpack the deferred wheels
    where installed packages are, the real package over the stand-in, and run the real `__init__`
    in the stand-in's place, so that the module being imported becomes the real one."""
    import io
    import os
    import zipfile

    assert deferred is not None, "sitecustomize installs the deferred imports as the interpreter starts"
    # Where the stand-in is installed (not sysconfig's answer: its data is deferred).
    installed = os.path.dirname(os.path.dirname(stand_in["__file__"]))
    for distribution, (file, sha256) in list(deferred.wheels.items()):
        with zipfile.ZipFile(io.BytesIO(fetch(file, sha256, wanted_by=stand_in["__name__"]))) as wheel:
            wheel.extractall(installed)
        del deferred.wheels[distribution]
    # The folders' cached listings predate the packages.
    importlib.invalidate_caches()
    with open(stand_in["__file__"]) as source:
        code = compile(source.read(), stand_in["__file__"], "exec")
    exec(code, stand_in)  # noqa: S102 -- the package's own __init__, unpacked from the wheel the site was built with


def fetch(file: str, sha256: str, wanted_by: str) -> bytes:
    """`file`, from the folder of Pyodide's files on the site, checked against its digest."""
    import hashlib

    import js  # Pyodide's bridges to the worker's JavaScript globals, and to Pyodide's own
    import pyodide_js

    # The folder Pyodide was loaded from, as Pyodide itself keeps it.
    url = js.URL.new(file, pyodide_js._api.config.indexURL).href
    request = js.XMLHttpRequest.new()
    request.open("GET", url, False)
    request.responseType = "arraybuffer"
    try:
        request.send()
    except Exception as error:
        raise ModuleNotFoundError(f"{wanted_by}: could not fetch {url} ({error})", name=wanted_by) from error
    if request.status != 200:
        raise ModuleNotFoundError(
            f"{wanted_by}: {url} answered {request.status}: the site lacks a file of its build; serve all of it",
            name=wanted_by,
        )
    data = request.response.to_bytes()
    if hashlib.sha256(data).hexdigest() != sha256:
        raise ModuleNotFoundError(
            f"{wanted_by}: {url} is not the file the site was built with; serve the site as built", name=wanted_by
        )
    return data
