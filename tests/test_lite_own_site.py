"""Someone's own JupyterLite site: the README's steps, and nothing of ours but the package.

In a new virtual environment, `pip install "jupyterlite-datasette[lite]"` (from a wheel of
this checkout, as PyPI would give it) and a plain `jupyter lite build` of a folder holding a
notebook and a database of its own; then the site in Chromium, served from 127.0.0.1. And in
the same environment, Sphinx docs that embed a live notebook with jupyterlite-sphinx, whose
build runs the same `jupyter lite build`.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import expect
from support.lab import PYODIDE_KERNEL, NotebookPage, write_notebook
from support.lite import ROOT, StaticServer, expect_only_local_requests

pytestmark = [pytest.mark.browser, pytest.mark.datasette_065]

CELLS = ["%load_ext jupyterlite_datasette", "%datasette birds.db"]

#: The README's conf.py for docs with live notebooks, offline.
SPHINX_CONF = """\
project = "Birds"
extensions = ["jupyterlite_sphinx"]
jupyterlite_contents = ["birds.db"]


def setup(app):
    # jupyterlite-sphinx links a web font from fonts.googleapis.com on every page: leave it out.
    def no_web_fonts(app, pagename, templatename, context, doctree):
        context["css_files"] = [css for css in context["css_files"] if "//" not in getattr(css, "filename", css)]

    app.connect("html-page-context", no_web_fonts)
"""


def run(*args, cwd: Path | None = None) -> None:
    subprocess.run([str(arg) for arg in args], check=True, cwd=cwd)


def write_birds(folder: Path) -> None:
    """A database of birds and a notebook that opens it, in `folder`."""
    folder.mkdir(parents=True)
    with sqlite3.connect(folder / "birds.db") as db:
        db.execute("create table birds (name text, wingspan_cm integer)")
        db.executemany("insert into birds values (?, ?)", [("robin", 22), ("grey heron", 185), ("wren", 15)])
    db.close()
    write_notebook(folder / "birds.ipynb", CELLS, PYODIDE_KERNEL)


@pytest.fixture(scope="module")
def build_venv(tmp_path_factory) -> Path:
    """A new virtual environment with the package installed as the README says."""
    folder = tmp_path_factory.mktemp("own-site")
    run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", ROOT, "-w", folder / "dist")
    (wheel,) = (folder / "dist").glob("jupyterlite_datasette-*.whl")
    venv = folder / "venv"
    run(sys.executable, "-m", "venv", venv)
    run(venv / "bin" / "pip", "install", "--quiet", f"{wheel}[lite]")
    return venv


@pytest.fixture(scope="module")
def own_site(build_venv):
    site = build_venv.parent / "site"
    # `files/` is where `jupyter lite build` looks for a site's contents unless told otherwise.
    write_birds(site / "files")
    run(build_venv / "bin" / "jupyter", "lite", "build", cwd=site)
    server = StaticServer(site / "_output")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def sphinx_docs(build_venv):
    """The README's steps for Sphinx: jupyterlite-sphinx, the database as site contents, and a
    notebooklite directive."""
    run(build_venv / "bin" / "pip", "install", "--quiet", "sphinx", "jupyterlite-sphinx")
    docs = build_venv.parent / "docs"
    write_birds(docs)
    (docs / "conf.py").write_text(SPHINX_CONF)
    (docs / "index.rst").write_text("Birds\n=====\n\n.. notebooklite:: birds.ipynb\n   :height: 700px\n")
    # From the docs' folder, as its contents are named relative to it.
    run(build_venv / "bin" / "sphinx-build", "-q", "-b", "html", ".", "_build/html", cwd=docs)
    # The docs' pages, and their JupyterLite site under lite/.
    server = StaticServer(docs / "_build" / "html", ready_path="/lite/jupyter-lite.json")
    yield server
    server.stop()


def test_the_kernel_gets_the_anywidget_whose_front_end_the_site_has(own_site):
    output = own_site.directory
    lock = json.loads((output / "static" / "pyodide-lock" / "pyodide-lock.json").read_text())
    front_end = json.loads((output / "extensions" / "anywidget" / "package.json").read_text())
    assert lock["packages"]["anywidget"]["version"] == front_end["version"]
    # This package's own wheel, as installed in the build environment, with its entry points.
    (wheel,) = (output / "static" / "pyodide-lock").glob("jupyterlite_datasette-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    assert "jupyterlite_datasette/static/widget.js" in names
    assert not [name for name in names if "__pycache__" in name]
    config = json.loads((output / "jupyter-lite.json").read_text())["jupyter-config-data"]
    kernel = config["litePluginSettings"]["@jupyterlite/pyodide-kernel-extension:kernel"]
    assert kernel["pyodideUrl"] == "./static/pyodide/pyodide.mjs"
    # Loaded with the rest as Pyodide starts, not one at a time after it (addon.KERNEL_START).
    assert {"jupyterlite-datasette", "micropip", "piplite", "jedi"} <= set(kernel["loadPyodideOptions"]["packages"])
    # The plugins that start the kernel as the page opens and list the settings once (addon.WARM_START),
    # copied and named.
    warm_start = {
        "name": "jupyterlite-datasette-warm-start",
        "load": "static/remoteEntry.js",
        "extension": "./extension",
    }
    assert warm_start in config["federated_extensions"]
    assert (output / "extensions" / "jupyterlite-datasette-warm-start" / "static" / "remoteEntry.js").is_file()
    # The plugin that loads MathJax at the first math (addon.LAZY_MATH), in the place of JupyterLab's.
    lazy_math = {**warm_start, "name": "jupyterlite-datasette-lazy-math"}
    lazy_math["disabledExtensions"] = ["@jupyterlab/mathjax-extension:plugin"]
    assert lazy_math in config["federated_extensions"]
    assert (output / "extensions" / "jupyterlite-datasette-lazy-math" / "static" / "remoteEntry.js").is_file()
    # jedi without other libraries' stubs, pygments without most lexers (slimming.SLIMMED); jedi
    # and parso beside Pyodide, fetched on first import; in the lock, jedi's stand-in (deferral.py).
    pyodide = output / "static" / "pyodide"
    (jedi,) = (pyodide / "deferred").glob("jedi-*.whl")
    assert jedi.stat().st_size < 1_500_000
    assert len(list((pyodide / "deferred").glob("parso-*.whl"))) == 1
    with zipfile.ZipFile(output / "static" / "pyodide-lock" / jedi.name) as stand_in:
        assert "jedi/__init__.py" in stand_in.namelist() and len(stand_in.namelist()) == 4
    assert "parso" not in lock["packages"]
    # The standard library the kernel starts with, and the whole one, fetched on first import; what
    # the kernel imports as it starts, compiled, with their sources beside (bytecode.py).
    with zipfile.ZipFile(pyodide / "python_stdlib.zip") as stdlib:
        names = set(stdlib.namelist())
        assert {"sitecustomize.pyc", "_jupyterlite_deferred.pyc", "json/__init__.pyc"} <= names
        assert not {"sitecustomize.py", "json/__init__.py"} & names
        compiled_json = stdlib.read("json/__init__.pyc")
    # A hash-based .pyc (PEP 552), checked by no one: the kernel checks a source it fetches against it.
    assert compiled_json[4:8] == (1).to_bytes(4, "little")
    assert (pyodide / "sources" / "stdlib" / "json" / "__init__.py").is_file()
    with zipfile.ZipFile(pyodide / "python_stdlib_whole.zip") as whole:
        assert len(names) < len(whole.namelist()) * 0.6
    wheels = output / "static" / "pyodide-lock"
    (datasette,) = wheels.glob("datasette-*.whl")
    with zipfile.ZipFile(datasette) as archive:
        names = set(archive.namelist())
    assert {"datasette/app.pyc", "datasette/utils/__init__.pyc"} <= names
    assert "datasette/app.py" not in names and "datasette/cli.py" in names
    assert (wheels / "sources" / "site-packages" / "datasette" / "app.py").is_file()
    # A wheel installed as the kernel starts but not imported then waits beside the lock; in its
    # place, a stand-in with its metadata (deferral.py). The lock vouches for what is in its place.
    (certifi,) = (wheels / "deferred").glob("certifi-*.whl")
    assert not list(wheels.glob("certifi-*.whl"))
    with zipfile.ZipFile(wheels / f"{certifi.stem}.stand-in.zip") as stand_in:
        assert sorted(name.rpartition("/")[2] for name in stand_in.namelist()) == [
            "METADATA",
            "RECORD",
            "WHEEL",
            "__init__.py",
        ]
        assert certifi.name in stand_in.read("certifi/__init__.py").decode()
    assert certifi.stat().st_size > 100_000
    for spec in lock["packages"].values():
        wheel = (wheels / spec["file_name"]).resolve()
        if wheel.parent == wheels.resolve():
            assert hashlib.sha256(wheel.read_bytes()).hexdigest() == spec["sha256"], wheel.name
    (pygments,) = (output / "static" / "pyodide-lock").glob("pygments-*.whl")
    assert pygments.stat().st_size < 500_000
    # What Datasette, IPython and sqlite-utils declare but a notebook never imports (addon.LEFT_OUT).
    assert not {"uvicorn", "hupper", "prompt-toolkit", "tabulate"} & set(lock["packages"])


def test_datasette_runs_in_a_site_built_by_jupyter_lite_build(own_site, nested_lite_page):
    page, log = nested_lite_page
    nb = NotebookPage(page, f"{own_site.base}/lab/index.html?path=birds.ipynb")
    # The addon's frame policy is for a site to ask for: this one's pages have none, so the page
    # frame sits in the widget's shell frame.
    assert not nb.page_frame_in_notebook
    nb.run_all()
    frame = nb.frame()
    frame.locator("a[href='/birds/birds']").first.click(timeout=180_000)
    frame.get_by_text("3 rows").wait_for()
    assert nb.widget().locator("iframe.jld-frame").get_attribute("data-holds") == "shell"
    frame.get_by_text("grey heron").wait_for()
    nb.go("/birds/birds?_sort_desc=wingspan_cm")
    expect(frame.locator("td.col-name")).to_have_text(["grey heron", "robin", "wren"])
    expect_only_local_requests(log, own_site)


def test_datasette_runs_in_a_notebook_embedded_in_sphinx_docs(sphinx_docs, nested_lite_page):
    page, log = nested_lite_page
    page.goto(f"{sphinx_docs.base}/index.html")
    embedded = page.locator("iframe.jupyterlite_sphinx_raw_iframe")
    embedded.wait_for()
    # The docs page holds the notebook app in a frame: drive that frame as a page.
    frame = embedded.element_handle().content_frame()
    nb = NotebookPage(frame, None, status_bar=False)
    nb.run_all()
    widget = nb.frame()
    widget.locator("a[href='/birds/birds']").first.click(timeout=180_000)
    widget.get_by_text("3 rows").wait_for()
    widget.get_by_text("grey heron").wait_for()
    expect_only_local_requests(log, sphinx_docs)
