"""The parts of the `jupyter lite build` addon that need no browser (jupyterlite_datasette/site_build)."""

from __future__ import annotations

import base64
import hashlib
import importlib.metadata
import io
import json
import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
from support.files_server import FilesServer

import jupyterlite_datasette
from jupyterlite_datasette.site_build import deferral, frame_policy, pyodide_core, service_worker, wheels

PACKAGE_DIR = Path(jupyterlite_datasette.__file__).parent


def test_the_package_wheel_is_the_installed_package_with_a_true_record(tmp_path):
    wheels.installed_package_wheel("jupyterlite-datasette", PACKAGE_DIR, tmp_path)
    (wheel,) = tmp_path.glob("*.whl")
    version = importlib.metadata.version("jupyterlite-datasette")
    assert wheel.name == f"jupyterlite_datasette-{version}-py3-none-any.whl"
    names = files_with_a_true_record(wheel)
    assert "jupyterlite_datasette/static/frame/page.js" in names
    assert not [name for name in names if "__pycache__" in name or name.endswith(".pyc")]
    # pip installs it, and the copy has this package's metadata and entry points.
    target = tmp_path / "installed"
    install_alone(wheel, target)
    (installed,) = importlib.metadata.distributions(path=[str(target)])
    assert installed.version == version
    assert installed.requires == importlib.metadata.requires("jupyterlite-datasette")
    assert [e.value for e in installed.entry_points if e.group == "jupyterlite.addon.v0"] == [
        "jupyterlite_datasette.site_build.addon:DatasetteAddon"
    ]


def install_alone(wheel: Path, target: Path) -> None:
    """pip installs `wheel`, without what it depends on, into `target`."""
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", target, wheel], check=True
    )


def files_with_a_true_record(wheel: Path) -> set[str]:
    """The files `wheel` holds, once each is checked against its RECORD, which lists them all."""
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        (record_name,) = [name for name in names if name.endswith(".dist-info/RECORD")]
        listed = set()
        for line in archive.read(record_name).decode().splitlines():
            name, digest, size = line.rsplit(",", 2)
            listed.add(name)
            if not digest:
                continue
            data = archive.read(name)
            expected = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            assert (digest, int(size)) == (f"sha256={expected}", len(data)), name
    assert listed == names
    return names


def test_slimmed_jedi_still_completes_the_standard_library_from_its_stubs(tmp_path):
    """The kernel's jedi without other libraries' stubs (slimming.SLIMMED): a fifth of the download."""
    version = importlib.metadata.version("jedi")
    wheels.slimmed_wheel("jedi", version, tmp_path)
    (wheel,) = tmp_path.glob("*.whl")
    assert wheel.name == f"jedi-{version}-py3-none-any.whl"
    names = files_with_a_true_record(wheel)
    assert not [name for name in names if "/typeshed/stubs/" in name or "django-stubs" in name]
    assert "jedi/third_party/typeshed/stdlib/json/__init__.pyi" in names
    assert wheel.stat().st_size < 1_500_000
    target = tmp_path / "installed"
    install_alone(wheel, target)
    # What `json.dumps` returns is known only from the kept stubs of the standard library.
    completions = subprocess.run(
        [
            sys.executable,
            "-c",
            "import jedi; print([c.name for c in jedi.Script('import json\\njson.dumps({}).startsw').complete()])",
        ],
        env={"PYTHONPATH": str(target)},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert completions.strip() == "['startswith']"


def zip_of(path: Path, files: dict[str, bytes]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return path


def test_the_kernel_starts_with_the_kept_standard_library_and_finds_the_rest_on_first_import(tmp_path):
    """deferral.split_stdlib: Pyodide's python_stdlib.zip becomes the kept files (stdlib_kept.txt), the
    finder of the rest (deferred_imports.py) and a sitecustomize that installs it, naming every module
    left out and the deferred wheels, with digests; the finder imports them from the whole archive."""
    assert "json/__init__.py" in deferral.kept_files()
    whole = zip_of(
        tmp_path / deferral.WHOLE_STDLIB,
        {
            "json/__init__.py": b"KEPT = True\n",
            "json/zz_left_out.py": b"FROM = 'the whole archive'\n",
            "zz_left_out/__init__.py": b"",
            "zz_left_out/part.py": b"PART = 2\n",
            "tomllib/mypy.ini": b"not a module",
        },
    )
    deferred, digests = {}, {}
    for name in deferral.DEFERRED_WHEELS:
        wheel = zip_of(tmp_path / deferral.WHEEL_FOLDER / wheels.wheel_name(name, "1.0"), {f"{name}.py": b""})
        deferred[name] = wheel
        digests[name] = (f"deferred/{wheel.name}", hashlib.sha256(wheel.read_bytes()).hexdigest())
    deferral.split_stdlib(tmp_path, deferred)
    with zipfile.ZipFile(tmp_path / deferral.STDLIB) as core:
        assert sorted(core.namelist()) == [
            "_jupyterlite_deferred.py",
            "_jupyterlite_drive_imports.py",
            "_jupyterlite_lazy_piplite.py",
            "_jupyterlite_warm_imports.py",
            "json/__init__.py",
            "sitecustomize.py",
        ]
        assert "_jupyterlite_warm_imports.install()" in core.read("sitecustomize.py").decode()
    # The sitecustomize as the kernel's interpreter runs it, then imports as the kernel's code does
    # (the whole archive taken as fetched already: fetching needs the browser, tests/test_lite.py).
    script = f"""
import json as stdlib_json, sys
sys.path.insert(0, {str(tmp_path / deferral.STDLIB)!r})
del sys.modules["json"]
sys.modules.pop("sitecustomize", None)  # a Python's own, if it has one
import sitecustomize, _jupyterlite_deferred
finder = _jupyterlite_deferred.deferred
finder.whole_stdlib = {str(whole)!r}
import json, json.zz_left_out, zz_left_out.part
print(stdlib_json.dumps([finder in sys.meta_path, sorted(finder.stdlib_modules), finder.stdlib, finder.wheels,
                          json.KEPT, json.zz_left_out.FROM, zz_left_out.part.PART]))
"""
    result = subprocess.run([sys.executable, "-c", script], check=False, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    installed, modules, stdlib, deferred_wheels, *imported = json.loads(result.stdout)
    assert installed
    assert modules == ["json.zz_left_out", "zz_left_out", "zz_left_out.part"]
    assert stdlib == [deferral.WHOLE_STDLIB, hashlib.sha256(whole.read_bytes()).hexdigest()]
    assert deferred_wheels == {name: list(file_and_digest) for name, file_and_digest in digests.items()}
    assert imported == [True, "the whole archive", 2]


def test_a_site_without_warm_start_leaves_the_widget_imports_to_the_first_cell(tmp_path):
    zip_of(tmp_path / deferral.WHOLE_STDLIB, {"json/__init__.py": b""})
    deferral.split_stdlib(tmp_path, {}, warm_imports=False)
    with zipfile.ZipFile(tmp_path / deferral.STDLIB) as core:
        sitecustomize = core.read("sitecustomize.py").decode()
    assert "_jupyterlite_warm_imports.install()" not in sitecustomize
    assert "_jupyterlite_lazy_piplite.install()" in sitecustomize


def test_once_the_kernel_module_is_imported_the_widget_imports_are_scheduled(tmp_path):
    """warm_imports, as the kernel's sitecustomize installs it, with a stand-in for the kernel's module
    and the schedule (the worker's timer) run by hand: the kernel's import schedules the widget's
    imports, once; they make what `%load_ext jupyterlite_datasette` needs."""
    (tmp_path / "pyodide_kernel.py").write_text("KERNEL = 'started'\n")
    (tmp_path / "zz_other.py").write_text("")
    script = f"""
import json, sys
sys.path[:0] = [{str(tmp_path)!r}, {str(deferral.WARM_IMPORTS.parent)!r}]
import warm_imports
scheduled = []
warm_imports.install(scheduled.append)
import zz_other
after_another_import = len(scheduled)
import pyodide_kernel
del sys.modules["pyodide_kernel"]
import pyodide_kernel as again
wanted = ["jupyterlite_datasette.magic", "jupyterlite_datasette.widget", "datasette.app"]
before = [name in sys.modules for name in wanted]
for function in scheduled:
    function()
print(json.dumps([
    after_another_import, pyodide_kernel.KERNEL, len(scheduled), before, [name in sys.modules for name in wanted]
]))
"""
    result = subprocess.run([sys.executable, "-c", script], check=False, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [0, "started", 1, [False, False, False], [True, True, True]]


def test_piplite_imported_as_the_kernel_starts_runs_at_its_first_use(tmp_path):
    """lazy_piplite, as the kernel's sitecustomize installs it, with a piplite laid out as the real one
    (a package whose `__init__` imports `install` from its module): the kernel's start-up imports it and
    sets a global, and reads their files, nothing runs; the first use runs both, with the global as set."""
    package = tmp_path / "piplite"
    package.mkdir()
    (package / "__init__.py").write_text("from .piplite import install\n__version__ = '9'\n")
    (package / "piplite.py").write_text(
        "import zz_heavy\n_PIPLITE_URLS = []\ndef install():\n    return _PIPLITE_URLS\n"
    )
    (tmp_path / "zz_heavy.py").write_text("")
    script = f"""
import json, sys
sys.path[:0] = [{str(tmp_path)!r}, {str(deferral.LAZY_PIPLITE.parent)!r}]
import lazy_piplite
lazy_piplite.install()
import piplite.piplite
piplite.piplite._PIPLITE_URLS = ["./all.json"]
# As inspect reads every module's file to show a traceback.
files = [piplite.__file__.endswith("__init__.py"), piplite.piplite.__file__.endswith("piplite.py")]
at_start = ["zz_heavy" in sys.modules, "install" in vars(piplite), files]
print(json.dumps([at_start, piplite.install(), piplite.__version__, "zz_heavy" in sys.modules]))
"""
    result = subprocess.run([sys.executable, "-c", script], check=False, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [[False, False, [True, True]], ["./all.json"], "9", True]


def test_the_stand_in_of_jedi_is_its_metadata_and_an_init_that_puts_jedi_in_its_place(tmp_path):
    version = importlib.metadata.version("jedi")
    wheels.slimmed_wheel("jedi", version, tmp_path / "deferred")
    (jedi,) = (tmp_path / "deferred").glob("*.whl")
    deferral.stand_in_wheel(jedi, tmp_path / "stand-in" / jedi.name)
    stand_in = tmp_path / "stand-in" / jedi.name
    assert files_with_a_true_record(stand_in) == {
        "jedi/__init__.py",
        *(f"jedi-{version}.dist-info/{name}" for name in ("METADATA", "WHEEL", "RECORD")),
    }
    install_alone(stand_in, tmp_path / "installed")
    init = (tmp_path / "installed" / "jedi" / "__init__.py").read_text()
    assert '__import__("_jupyterlite_deferred").unpack_deferred_wheels(globals())' in init
    # The lock solve reads its metadata: jedi at its version, requiring nothing (parso is deferred with it).
    metadata = importlib.metadata.Distribution.at(tmp_path / "installed" / f"jedi-{version}.dist-info").metadata
    assert (metadata["Name"], metadata["Version"], metadata.get_all("Requires-Dist")) == ("jedi", version, None)


def test_the_service_worker_gets_the_bypass_at_its_head_once_and_the_current_one(tmp_path):
    worker = tmp_path / service_worker.FILE_NAME
    jupyterlite_own = 'self.addEventListener("fetch", onFetch);\n'
    worker.write_text(jupyterlite_own)
    assert not service_worker.has_bypass(worker)
    service_worker.add_bypass(worker)
    service_worker.add_bypass(worker)
    assert service_worker.has_bypass(worker)
    assert worker.read_text() == service_worker.bypass_block() + jupyterlite_own
    # A site built with an older bypass gets this one in its place.
    worker.write_text(service_worker.BEGIN + "// older\n" + service_worker.END + jupyterlite_own)
    service_worker.add_bypass(worker)
    assert worker.read_text() == service_worker.bypass_block() + jupyterlite_own


def test_each_page_of_the_site_gets_the_frame_policy_first_in_its_head_once(tmp_path):
    assert not frame_policy.site_has_policy(tmp_path)
    lab = tmp_path / "lab" / "index.html"
    lab.parent.mkdir()
    lab.write_text('<!DOCTYPE html><html>\n<head>\n<script src="bundle.js"></script></head></html>')
    (tmp_path / "index.html").write_text("<html><HEAD lang=en><title>x</title></HEAD></html>")
    # A redirect a level further down holds no notebook.
    (tmp_path / "lab" / "tree").mkdir()
    (tmp_path / "lab" / "tree" / "index.html").write_text("<html><head></head></html>")
    assert not frame_policy.site_has_policy(tmp_path)
    frame_policy.add_to_site(tmp_path)
    frame_policy.add_to_site(tmp_path)
    assert frame_policy.site_has_policy(tmp_path)
    assert lab.read_text() == (
        f'<!DOCTYPE html><html>\n<head>{frame_policy.META}\n<script src="bundle.js"></script></head></html>'
    )
    assert (
        tmp_path / "index.html"
    ).read_text() == f"<html><HEAD lang=en>{frame_policy.META}<title>x</title></HEAD></html>"
    assert frame_policy.META not in (tmp_path / "lab" / "tree" / "index.html").read_text()
    # A page with no head is an error that names it, not a page left without the policy.
    (tmp_path / "repl").mkdir()
    (tmp_path / "repl" / "index.html").write_text("<html><body></body></html>")
    with pytest.raises(ValueError, match="repl/index.html: no <head>"):
        frame_policy.add_to_site(tmp_path)


def test_slimmed_anywidget_has_no_front_end(tmp_path):
    version = importlib.metadata.version("anywidget")
    wheels.slimmed_wheel("anywidget", version, tmp_path)
    (wheel,) = tmp_path.glob("*.whl")
    names = files_with_a_true_record(wheel)
    assert "anywidget/widget.py" in names
    assert not [name for name in names if name.endswith(".js") or ".data/" in name]


def test_slimmed_pygments_highlights_what_ipython_does_and_knows_no_other_language(tmp_path):
    """The kernel's pygments keeps the lexers IPython uses, and SQL: a third of the download."""
    version = importlib.metadata.version("pygments")
    wheels.slimmed_wheel("pygments", version, tmp_path)
    (wheel,) = tmp_path.glob("*.whl")
    names = files_with_a_true_record(wheel)
    assert "pygments/lexers/python.py" in names and "pygments/lexers/rust.py" not in names
    assert wheel.stat().st_size < 500_000
    target = tmp_path / "installed"
    install_alone(wheel, target)
    # Run with the slimmed copy first on the path: IPython's own lexers, its colored traceback,
    # `?`'s highlighting, every lexer pygments lists, and a language left out.
    script = r"""
import pygments, ipython_pygments_lexers as ipl
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_all_lexers, get_lexer_by_name, find_lexer_class_for_filename
from pygments.util import ClassNotFound
from IPython.core import ultratb
from IPython.core.oinspect import pylight
assert pygments.__file__.startswith(TARGET), pygments.__file__
for lexer in (ipl.IPython3Lexer, ipl.IPythonConsoleLexer, ipl.IPythonTracebackLexer, ipl.IPyLexer):
    list(lexer().get_tokens("%time x = 1\n!ls\n"))
assert "<span" in pylight("def f(): return 1")
assert "<span" in highlight("select 1 from t", get_lexer_by_name("sql"), HtmlFormatter())
assert find_lexer_class_for_filename("x.py").name == "Python"
try:
    raise ValueError("shown in color")
except ValueError:
    assert "ValueError" in ultratb.VerboseTB(theme_name="linux").text(*__import__("sys").exc_info())
names = [name for name, *_ in get_all_lexers()]
assert "Python" in names and "Rust" not in names, len(names)
try:
    get_lexer_by_name("rust")
except ClassNotFound:
    print("rust: no lexer")
"""
    result = subprocess.run(
        [sys.executable, "-c", f"TARGET = {str(target)!r}\n" + script],
        env={**os.environ, "PYTHONPATH": str(target)},
        check=False,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "rust: no lexer"


def test_the_same_files_make_the_same_wheel(tmp_path):
    wheels.installed_package_wheel("jupyterlite-datasette", PACKAGE_DIR, tmp_path / "a")
    wheels.installed_package_wheel("jupyterlite-datasette", PACKAGE_DIR, tmp_path / "b")
    (a,), (b,) = (tmp_path / "a").glob("*.whl"), (tmp_path / "b").glob("*.whl")
    assert a.read_bytes() == b.read_bytes()


def npm_package(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(f"package/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


@pytest.fixture
def registry(tmp_path):
    """An npm registry on 127.0.0.1 with one `pyodide` version, whose tarball a test may swap."""
    lock = {
        "info": {"arch": "wasm32", "platform": "emscripten_5_0_3", "python": "3.14.2", "version": "314.0.6"},
        "packages": {"micropip": {"name": "micropip", "version": "0.11.1", "file_name": "micropip.whl"}},
    }
    files = {name: f"the file {name}".encode() for name in pyodide_core.CORE_FILES}
    tarball = npm_package({**files, "pyodide-lock.json": json.dumps(lock).encode(), "README.md": b"not needed"})
    root = tmp_path / "registry"
    (root / "pyodide").mkdir(parents=True)
    (root / "pyodide-314.0.6.tgz").write_bytes(tarball)
    server = FilesServer(root)
    integrity = "sha512-" + base64.b64encode(hashlib.sha512(tarball).digest()).decode()
    dist = {"tarball": server.url("pyodide-314.0.6.tgz"), "integrity": integrity}
    (root / "pyodide" / "314.0.6").write_text(json.dumps({"name": "pyodide", "dist": dist}))
    yield server
    server.stop()


def test_pyodide_core_comes_with_a_lock_of_no_packages(registry, tmp_path):
    core, packages = tmp_path / "core", tmp_path / "own-packages.json"
    pyodide_core.fetch_pyodide_core("314.0.6", registry.base + "/", core, packages)
    assert sorted(path.name for path in core.iterdir()) == sorted([*pyodide_core.CORE_FILES, "pyodide-lock.json"])
    assert (core / "pyodide.asm.wasm").read_bytes() == b"the file pyodide.asm.wasm"
    lock = json.loads((core / "pyodide-lock.json").read_text())
    assert lock == {"info": {**lock["info"], "version": "314.0.6"}, "packages": {}}
    assert json.loads(packages.read_text()) == {"micropip": "0.11.1"}


def test_a_tarball_that_does_not_match_its_published_digest_is_refused(registry, tmp_path):
    (registry.directory / "pyodide-314.0.6.tgz").write_bytes(npm_package({"pyodide.mjs": b"evil()"}))
    with pytest.raises(pyodide_core.PyodideFetchError, match="does not match its sha512 digest"):
        pyodide_core.fetch_pyodide_core("314.0.6", registry.base, tmp_path / "core", tmp_path / "own.json")
    assert not (tmp_path / "core").exists()


def test_a_registry_without_the_version_is_one_clear_error(registry, tmp_path):
    with pytest.raises(pyodide_core.PyodideFetchError, match=r"Pyodide 999\.0\.0: could not fetch it .*/pyodide/999"):
        pyodide_core.fetch_pyodide_core("999.0.0", registry.base, tmp_path / "core", tmp_path / "own.json")


def test_a_plugin_that_is_not_a_requirement_stops_the_build_saying_so(tmp_path):
    (tmp_path / "jupyter_lite_config.json").write_text(json.dumps({"DatasetteAddon": {"plugins": ["vega charts!"]}}))
    build = subprocess.run(
        [sys.executable, "-m", "jupyter", "lite", "build"], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert build.returncode != 0
    assert "DatasetteAddon.plugins: 'vega charts!' is not a requirement" in build.stdout + build.stderr
    assert not (tmp_path / "_output" / "static" / "pyodide-lock").exists()
