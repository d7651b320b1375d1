"""The site's pinned versions agree with each other and with what is installed."""

import importlib.metadata
import json
import tomllib
from pathlib import Path

import pytest
from jupyterlite_pyodide_kernel.constants import PYODIDE_VERSION

# The site is built with Datasette 0.65 in its kernel, by an environment that pins it.
pytestmark = pytest.mark.datasette_065

LITE = Path(__file__).parent.parent / "lite"
VERSIONS = tomllib.loads((LITE / "versions.toml").read_text())


def test_pinned_pyodide_is_the_one_the_kernel_expects():
    assert VERSIONS["pyodide"]["version"] == PYODIDE_VERSION


@pytest.mark.parametrize("package, version", VERSIONS["build"].items())
def test_the_build_environment_has_the_pinned_versions(package, version):
    assert importlib.metadata.version(package) == version


def test_the_kernel_gets_the_datasette_this_package_supports():
    requirements = importlib.metadata.requires("jupyterlite-datasette")
    datasette = next(r for r in requirements if r.startswith("datasette"))
    assert datasette in ("datasette<1.1,>=0.65.5", "datasette>=0.65.5,<1.1")
    assert VERSIONS["kernel"]["datasette"].startswith("0.65.")
    assert VERSIONS["datasette-1"]["datasette"].startswith("1.0")


def test_the_site_loads_pyodide_from_itself_with_no_pypi_fallback():
    settings = json.loads((LITE / "jupyter-lite.json").read_text())["jupyter-config-data"]
    kernel = settings["litePluginSettings"]["@jupyterlite/pyodide-kernel-extension:kernel"]
    assert kernel["pyodideUrl"] == "./static/pyodide/pyodide.mjs"
    assert kernel["disablePyPIFallback"] is True
