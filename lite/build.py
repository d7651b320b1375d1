"""Build the JupyterLite site: Datasette in the Pyodide kernel, notebooks as contents.

    python lite/build.py                  # offline: everything inside the site
    python lite/build.py --online         # Pyodide from its CDN and PyPI's packages, for public hosting
    python lite/build.py --output DIR
    python lite/build.py --plugin datasette-vega --plugin datasette-cluster-map

The kernel's part is the package's own `jupyter lite build` addon
(jupyterlite_datasette/site_build), as in anyone's site: Pyodide from the npm
registry, every wheel solved by uv into the site, this package and the plugins
installed as the kernel starts. What this script adds is the demo: the notebooks
(saved with their widgets' first pages) and the flights database as contents,
the pins of versions.toml, the plugins every site of ours offers, and no PyPI
fallback, so no request leaves the host at run time (`--online`: Pyodide's core
from its CDN, and `%pip install` of what the site's lock lacks from PyPI).

Plugins (`--plugin NAME`, pinned in versions.toml's [plugins], or NAME==VERSION)
are loaded as the kernel starts, so that Datasette finds them by their entry
points with no code. Those versions.toml's [site] offers are loaded when imported.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import nbformat

LITE = Path(__file__).resolve().parent
ROOT = LITE.parent
CACHE = LITE / ".cache"
VERSIONS = tomllib.loads((LITE / "versions.toml").read_text())
PYODIDE_VERSION = VERSIONS["pyodide"]["version"]
PYODIDE_CDN = f"https://cdn.jsdelivr.net/pyodide/v{PYODIDE_VERSION}/full/pyodide.mjs"
#: Rows of the flights table in the site's demo database (the first N, real).
DEMO_FLIGHTS = 50_000
KERNEL_PLUGIN = "@jupyterlite/pyodide-kernel-extension:kernel"
PYODIDE_KERNELSPEC = {"name": "python", "display_name": "Python (Pyodide)", "language": "python"}

sys.path.insert(0, str(LITE))
from make_demo_db import build as build_demo_db
from saved_pages import with_saved_pages


def run(*args: str, **kwargs) -> None:
    subprocess.run(args, check=True, **kwargs)


def contents(destination: Path) -> None:
    """The notebooks, saved with their widgets' first pages where they run in CPython,
    and the demo database, as the site's files."""
    destination.mkdir(parents=True, exist_ok=True)
    demo = CACHE / f"flights-{DEMO_FLIGHTS}.db"
    if not demo.exists():
        build_demo_db(demo, limit=DEMO_FLIGHTS)
    shutil.copy(demo, destination / "flights.db")
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(notebook, as_version=4)
        saved = with_saved_pages(nb, destination / "flights.db")
        if saved is None:
            print(f"{notebook.name}: saved without pages (a cell fails in CPython here)")
        else:
            nb = saved
        # The Pyodide kernel is "python"; the notebooks name CPython's "python3",
        # which would make JupyterLite ask which kernel to start.
        nb.metadata["kernelspec"] = PYODIDE_KERNELSPEC
        nbformat.write(nb, destination / notebook.name)


def plugin_spec(plugin: str) -> str:
    """`NAME` (pinned in versions.toml) or `NAME==VERSION`, as a requirement."""
    if "==" in plugin:
        return plugin
    pins = VERSIONS["plugins"]
    if plugin not in pins:
        raise SystemExit(
            f"--plugin {plugin}: no version of it is pinned in lite/versions.toml [plugins]; "
            f"name one with --plugin {plugin}==VERSION, or pin it there ({', '.join(pins)} are)"
        )
    return f"{plugin}=={pins[plugin]}"


def lite_config(content: Path, plugins: list[str], online: bool = False) -> dict:
    plugin_specs = [plugin_spec(plugin) for plugin in plugins]
    offered = [plugin_spec(plugin) for plugin in VERSIONS["site"]["offered"] if plugin not in plugins]
    return {
        # The cache outlives the build folder, so that Pyodide and the wheels are made once.
        "LiteBuildConfig": {"contents": [str(content)], "no_sourcemaps": True, "cache_dir": str(CACHE / "jupyterlite")},
        # Online, the kernel loads Pyodide's own files from its CDN: nothing of them is deferred.
        # The site's pages refuse their frames' navigations: the widget's page frame needs no shell.
        "DatasetteAddon": {"plugins": plugin_specs, "defer_imports": not online, "frame_policy": True},
        # In the lock, not loaded until a notebook imports them.
        "PyodideLockAddon": {
            "specs": [*(f"{name}=={version}" for name, version in VERSIONS["kernel"].items()), *offered]
        },
    }


def build(output: Path, online: bool, plugins: list[str] = ()) -> Path:
    lite_dir = CACHE / "lite-dir"
    shutil.rmtree(lite_dir, ignore_errors=True)
    content = lite_dir / "content"
    contents(content)
    shutil.copy(LITE / "jupyter-lite.json", lite_dir / "jupyter-lite.json")
    (lite_dir / "jupyter_lite_config.json").write_text(
        json.dumps(lite_config(content, list(plugins), online), indent=2)
    )

    shutil.rmtree(output, ignore_errors=True)
    run(
        sys.executable,
        "-m",
        "jupyter",
        "lite",
        "build",
        "--lite-dir",
        str(lite_dir),
        "--output-dir",
        str(output),
        cwd=lite_dir,
    )
    # The tab's icon at the site's root, where a browser asks for one before JupyterLab names its
    # own (jupyter-lite.json names this one): JupyterLab's logo at 16 and 32 pixels, 2.5 KB
    # gzipped, in place of JupyterLite's lab/favicon.ico (50 KB); and no 404 in the console.
    shutil.copy(output / "static" / "favicons" / "favicon.ico", output / "favicon.ico")
    if online:
        # Pyodide's core from its CDN; the site's own lock and wheels stay, and
        # piplite takes from PyPI what they lack.
        pyodide = output / "static" / "pyodide"
        for path in pyodide.iterdir():
            if path.name != "pyodide-lock.json":
                path.unlink()
        config_path = output / "jupyter-lite.json"
        config = json.loads(config_path.read_text())
        kernel = config["jupyter-config-data"]["litePluginSettings"][KERNEL_PLUGIN]
        kernel.update(pyodideUrl=PYODIDE_CDN, disablePyPIFallback=False)
        config_path.write_text(json.dumps(config, indent=2))
    return output


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=LITE / "_output")
    parser.add_argument("--online", action="store_true", help="load Pyodide from its CDN")
    parser.add_argument(
        "--plugin",
        action="append",
        default=[],
        metavar="NAME",
        help="a Datasette plugin to install in the kernel (repeatable): NAME pinned in versions.toml, or NAME==VERSION",
    )
    args = parser.parse_args()
    print(f"built {build(args.output.resolve(), args.online, args.plugin)}")


if __name__ == "__main__":
    main()
