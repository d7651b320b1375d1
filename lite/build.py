"""Build the JupyterLite site: Datasette in the Pyodide kernel, notebooks as contents.

    python lite/build.py                  # offline: everything inside the site
    python lite/build.py --online         # Pyodide from its CDN, for public hosting
    python lite/build.py --output DIR
    python lite/build.py --plugin datasette-vega --plugin datasette-cluster-map

Plugins (`--plugin NAME`, pinned in versions.toml's [plugins], or NAME==VERSION)
are solved into the site with what they need and installed as the kernel
starts, so that Datasette finds them by their entry points with no code. The
plugins versions.toml's [site] offers are in every site, loaded when imported.

Offline (the default): Pyodide comes from the `pyodide` npm package at the
version the kernel expects, every wheel is solved by uv into the site at build
time, and the PyPI fallback is off, so no request leaves the host at run time.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tomllib
from pathlib import Path

import nbformat

LITE = Path(__file__).resolve().parent
ROOT = LITE.parent
CACHE = LITE / ".cache"
VERSIONS = tomllib.loads((LITE / "versions.toml").read_text())
PYODIDE_VERSION = VERSIONS["pyodide"]["version"]
PYODIDE_CDN = f"https://cdn.jsdelivr.net/pyodide/v{PYODIDE_VERSION}/full/pyodide.mjs"
#: The files of Pyodide's core a kernel loads; its packages come from our lock.
PYODIDE_CORE = ["pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip"]
#: Rows of the flights table in the site's demo database (the first N, real).
DEMO_FLIGHTS = 50_000
KERNEL_PLUGIN = "@jupyterlite/pyodide-kernel-extension:kernel"
PYODIDE_KERNELSPEC = {"name": "python", "display_name": "Python (Pyodide)", "language": "python"}
#: Packages the site's kernel does without: what their dependents declare but never import
#: in a notebook kernel. Each one is bytes every visitor would download and unpack first.
LEFT_OUT = [
    # The kernel ships its own stand-ins for these.
    "widgetsnbextension", "jupyterlab-widgets",
    # Datasette never imports them at run time.
    "pip", "setuptools",
    # Datasette's server (`datasette serve` and its reloader), not its pages.
    "uvicorn", "hupper",
    # IPython's terminal front end.
    "prompt-toolkit",
]

sys.path.insert(0, str(LITE))
from make_demo_db import build as build_demo_db
from saved_pages import with_saved_pages


def run(*args: str, **kwargs) -> None:
    subprocess.run(args, check=True, **kwargs)


def pyodide_package() -> Path:
    """The `pyodide` npm package, unpacked into the cache."""
    unpacked = CACHE / f"pyodide-{PYODIDE_VERSION}"
    if not (unpacked / "package" / "pyodide.mjs").exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        run("npm", "pack", f"pyodide@{PYODIDE_VERSION}", "--silent", cwd=CACHE)
        with tarfile.open(CACHE / f"pyodide-{PYODIDE_VERSION}.tgz") as tar:
            tar.extractall(unpacked, filter="data")
    return unpacked / "package"


def seed_lock(pyodide_lock: Path) -> dict:
    """Pyodide's lock with no packages, so uv solves every one into the site.

    Pyodide's own packages point at files that exist only on its CDN, and
    pyodide-lock wants `info.version` and no other top-level keys.
    """
    lock = json.loads(pyodide_lock.read_text())
    info = dict(lock["info"])
    info.setdefault("version", PYODIDE_VERSION)
    return {"info": info, "packages": {}}


def pure_python_wheels(destination: Path) -> None:
    """PyYAML and MarkupSafe have no wasm wheels: build their pure-Python fallbacks."""
    kernel = VERSIONS["kernel"]
    builds = [
        (f"pyyaml=={kernel['pyyaml']}", {"PYYAML_FORCE_LIBYAML": "0"}),
        # A C compiler that fails makes MarkupSafe's setup fall back to pure Python.
        (f"markupsafe=={kernel['markupsafe']}", {"CC": "/bin/false"}),
    ]
    for spec, env in builds:
        name = spec.split("==")[0]
        if any(destination.glob(f"{name}-*-py3-none-any.whl")):
            continue
        run(
            # Only the package itself from source: its build tools (Cython, setuptools) as wheels.
            sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-binary", name,
            spec, "-w", str(destination), env={**os.environ, **env},
        )


def this_package_wheel(destination: Path) -> None:
    for old in destination.glob("jupyterlite_datasette-*.whl"):
        old.unlink()
    run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", str(ROOT), "-w", str(destination))


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


def lite_config(content: Path, plugins: list[str]) -> dict:
    kernel = VERSIONS["kernel"]
    plugin_specs = [plugin_spec(plugin) for plugin in plugins]
    offered = [plugin_spec(plugin) for plugin in VERSIONS["site"]["offered"] if plugin not in plugins]
    return {
        "LiteBuildConfig": {"contents": [str(content)], "no_sourcemaps": True},
        "PyodideLockAddon": {
            "enabled": True,
            "specs": [
                "jupyterlite-datasette",
                *(f"{name}=={version}" for name, version in kernel.items()),
                *plugin_specs,
                *offered,
            ],
            "excludes_extra": [*LEFT_OUT],
            # Installed while Pyodide starts, so `%load_ext jupyterlite_datasette`
            # works with no %pip cell (a magic has no import to detect); plugins
            # too, which nothing imports by name: Datasette finds their entry points.
            "prefetch_extra": ["jupyterlite-datasette", *(spec.split("==")[0] for spec in plugin_specs)],
        },
    }


def build(output: Path, online: bool, plugins: list[str] = ()) -> Path:
    lite_dir = CACHE / "lite-dir"
    shutil.rmtree(lite_dir, ignore_errors=True)
    pyodide_dir = lite_dir / "static" / "pyodide"
    wheels_dir = lite_dir / "static" / "pyodide-lock"
    pyodide_dir.mkdir(parents=True)
    wheels_dir.mkdir(parents=True)

    package = pyodide_package()
    if not online:
        for name in PYODIDE_CORE:
            shutil.copy(package / name, pyodide_dir)
    (pyodide_dir / "pyodide-lock.json").write_text(json.dumps(seed_lock(package / "pyodide-lock.json")))

    wheel_cache = CACHE / "wheels"
    wheel_cache.mkdir(parents=True, exist_ok=True)
    pure_python_wheels(wheel_cache)
    this_package_wheel(wheel_cache)
    for wheel in wheel_cache.glob("*.whl"):
        shutil.copy(wheel, wheels_dir)

    content = lite_dir / "content"
    contents(content)

    site_config = json.loads((LITE / "jupyter-lite.json").read_text())
    kernel_settings = site_config["jupyter-config-data"]["litePluginSettings"][KERNEL_PLUGIN]
    # Set explicitly: an incremental build can drop it, and the kernel would
    # then load Pyodide from the CDN without a word.
    kernel_settings["pyodideUrl"] = PYODIDE_CDN if online else "./static/pyodide/pyodide.mjs"
    (lite_dir / "jupyter-lite.json").write_text(json.dumps(site_config, indent=2))
    (lite_dir / "jupyter_lite_config.json").write_text(json.dumps(lite_config(content, list(plugins)), indent=2))

    shutil.rmtree(output, ignore_errors=True)
    env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}
    run(
        sys.executable, "-m", "jupyter", "lite", "build",
        "--lite-dir", str(lite_dir), "--output-dir", str(output), "--pyodide-lock",
        cwd=lite_dir, env=env,
    )
    if online:
        # The pyodide addon points at the local copy whenever one is configured.
        config_path = output / "jupyter-lite.json"
        config = json.loads(config_path.read_text())
        config["jupyter-config-data"]["litePluginSettings"][KERNEL_PLUGIN]["pyodideUrl"] = PYODIDE_CDN
        config_path.write_text(json.dumps(config, indent=2))
    return output


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=LITE / "_output")
    parser.add_argument("--online", action="store_true", help="load Pyodide from its CDN")
    parser.add_argument(
        "--plugin", action="append", default=[], metavar="NAME",
        help="a Datasette plugin to install in the kernel (repeatable): NAME pinned in versions.toml, or NAME==VERSION",
    )
    args = parser.parse_args()
    print(f"built {build(args.output.resolve(), args.online, args.plugin)}")


if __name__ == "__main__":
    main()
