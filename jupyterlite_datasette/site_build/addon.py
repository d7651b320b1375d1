"""The `jupyterlite.addon.v0` addon: Datasette and the widget in a site's Pyodide kernel.

With this package in a site's build environment, `jupyter lite build` gives a kernel in
which `%load_ext jupyterlite_datasette` works at once, with no `%pip` and no request to
any host but the site's. The addon does not solve or copy wheels itself; it asks
jupyterlite-pyodide-kernel's own addons to (their traits, as a site's
`jupyter_lite_config.json` would set them), and makes what they cannot find:

- Pyodide's core files, at the version the kernel expects, from the npm registry, when
  the site has no Pyodide of its own: the kernel would otherwise load them from a CDN.
  With them, what the kernel defers to its first import (deferral.py): most of the
  standard library, and jedi and parso behind a stand-in of jedi;
- a wheel of this package as installed here, pure-Python wheels of PyYAML and
  MarkupSafe (PyPI has none for Pyodide), and jedi, anywidget and pygments without what
  a kernel never reads (slimming.py), at the versions installed here;
- once the lock is solved, its wheels as the kernel starts best with them (bytecode.py): what
  the kernel imports as it starts, compiled, and Datasette's templates too (templates.py); what
  it installs then but does not import, behind a stand-in (deferral.py), as jedi is;
- JupyterLab plugins that start the kernel of the notebook named in the page's address
  as the page opens, not once the notebook is on screen, and that list the settings once for
  the requests made while JupyterLite lists them (warm_start/); and, with the Pyodide it
  supplies, a kernel that imports the widget once it has started (warm_imports.py);
- a JupyterLab plugin that loads MathJax the first time there is math to typeset, not as
  the first Markdown cell or HTML output renders (lazy_math/);
- a service worker that leaves the site's files to the browser (service_worker.py);
- with `frame_policy`, pages that refuse every navigation of their frames (frame_policy.py), so
  that the widget's page frame needs no shell frame around it;
- the lock: this package and Datasette's plugins loaded as the kernel starts, anywidget
  and ipywidgets at the versions whose front ends the site carries (a mismatch is
  "No version of module anywidget is registered"), and what the kernel never imports
  left out.

Its settings, in `jupyter_lite_config.json`: `{"DatasetteAddon": {"plugins": [...]}}`,
`"warm_start": false` to leave the kernel to start with the notebook, the widget's imports
to the first cell and the settings to JupyterLite's listing for each request, and
`"lazy_math": false` to keep JupyterLab's own MathJax plugin.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import json
import shutil
import zipfile
from collections.abc import Iterable
from pathlib import Path

from doit.exceptions import TaskFailed
from doit.tools import config_changed
from jupyterlite_core.addons.base import BaseAddon
from jupyterlite_pyodide_kernel.constants import PYODIDE_VERSION
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from traitlets import Bool, List, Unicode

from . import bytecode, deferral, frame_policy, pyodide_core, service_worker, slimming, templates, wheels

DISTRIBUTION = "jupyterlite-datasette"
PACKAGE_DIR = Path(__file__).resolve().parent.parent
#: JupyterLab plugins that start the kernel of the notebook in the page's address as the page
#: opens, so that Pyodide loads while JupyterLab boots, and that list the settings once for the
#: requests made while JupyterLite lists them (see their script).
WARM_START = Path(__file__).resolve().parent / "warm_start"
#: A JupyterLab plugin that stands in for JupyterLab's MathJax plugin and activates it only
#: once something holds math (see its script): MathJax stays out of a notebook without any.
LAZY_MATH = Path(__file__).resolve().parent / "lazy_math"
LOCK_ADDON = "jupyterlite-pyodide-kernel-lock"
PYODIDE_ADDON = "jupyterlite-pyodide-kernel-pyodide"
#: Front ends the site's build copies from this environment, whose kernel halves must match.
FRONT_END_PAIRS = ("anywidget", "ipywidgets")
#: What the kernel does without: declared by its packages' dependents but never imported in
#: a notebook kernel. Each is bytes every visitor would download and unpack first.
LEFT_OUT = (
    # jupyterlite-pyodide-kernel ships its own stand-ins for these.
    "widgetsnbextension",
    "jupyterlab-widgets",
    # Datasette never imports them at run time.
    "pip",
    "setuptools",
    # Datasette's server (`datasette serve` and its reloader), not its pages.
    "uvicorn",
    "hupper",
    # IPython's terminal front end.
    "prompt-toolkit",
    # sqlite-utils' command line, the only part of it that prints tables.
    "tabulate",
)
#: What jupyterlite-pyodide-kernel installs one at a time as the kernel starts (micropip, then
#: piplite by micropip's resolver, then jedi by piplite's) unless Pyodide loads them with the
#: rest: named here, they come with the rest, in parallel, and no resolver runs.
KERNEL_START = ("micropip", "piplite", "jedi")
#: What compiles the kernel's modules at build time (bytecode.py).
BYTECODE_FILES = (bytecode.START_LIST, bytecode.RUNNER, bytecode.COMPILER, Path(bytecode.__file__))
#: What the lock solve needs in this environment, and where it comes from.
BUILD_TOOLS = {"pyodide_lock": "pyodide-lock[uv]", "uv": "uv"}


class DatasetteAddon(BaseAddon):
    """Put jupyterlite-datasette into the site's Pyodide kernel, with all it needs offline."""

    __all__ = ("pre_init", "init", "post_init", "post_build")

    enabled = Bool(True, help="Put jupyterlite-datasette into the site's Pyodide kernel").tag(config=True)
    plugins = List(
        Unicode(),
        help="Datasette plugins (PEP 508 requirements) solved into the site and installed as the kernel "
        "starts, so that Datasette finds them by their entry points with no code",
    ).tag(config=True)
    warm_start = Bool(
        True,
        help="Start the kernel of the notebook in the page's address as the page opens, and have it import "
        "the widget once it has started: the live page comes sooner, the notebook's saved outputs show a "
        "little later (the two share the machine); and list the settings once for the requests made while "
        "JupyterLite lists them",
    ).tag(config=True)
    lazy_math = Bool(
        True,
        help="Load MathJax the first time a cell or output holds math, not when the first Markdown cell or HTML "
        "output renders; false for a site with a typesetter of its own (it replaces JupyterLab's MathJax plugin)",
    ).tag(config=True)
    defer_imports = Bool(
        True,
        help="Where this addon supplies Pyodide, start the kernel with the part of its standard library the "
        "kernel imports, and a stand-in of jedi: the rest is fetched from the site on first import (deferral.py). "
        "false for a site whose kernel loads Pyodide from elsewhere",
    ).tag(config=True)
    frame_policy = Bool(
        False,
        help="Give the site's pages a policy that refuses every navigation of their frames (frame_policy.py): "
        "the widget's page frame then sits in the notebook, with no shell frame around it, and frames that "
        "load an address (IFrame outputs) are refused",
    ).tag(config=True)
    npm_registry = Unicode("https://registry.npmjs.org/", help="Where Pyodide's npm package is fetched from").tag(
        config=True
    )

    @property
    def work_dir(self) -> Path:
        return self.manager.cache_dir / DISTRIBUTION

    @property
    def wheel_dir(self) -> Path:
        return self.work_dir / "wheels"

    @property
    def stand_in_dir(self) -> Path:
        """Stand-ins of what the kernel defers (deferral.py): the lock's, before wheel_dir's wheels."""
        return self.work_dir / "stand-ins"

    @property
    def pyodide_dir(self) -> Path:
        """The folder given to the pyodide addon, laid out as its distribution tarballs are."""
        return self.work_dir / f"pyodide-{PYODIDE_VERSION}{'-deferring' if self.defer_imports else ''}" / "pyodide"

    @property
    def pyodide_packages_file(self) -> Path:
        """Pyodide's own packages, by name, with their versions (outside what the site gets)."""
        return self.pyodide_dir.parent / "own-packages.json"

    @property
    def bundles_pyodide(self) -> bool:
        """Whether this addon supplies Pyodide: only when the site has none of its own."""
        return self.manager._addons[PYODIDE_ADDON].pyodide_url == str(self.pyodide_dir)

    @property
    def defers(self) -> bool:
        """Whether the kernel defers imports (deferral.py): only with the Pyodide this addon supplies."""
        return self.bundles_pyodide and self.defer_imports

    # The other addons are reached through the manager, as the lock addon reaches the
    # pyodide addon: their traits are read when they gather their tasks, after ours.

    def pre_init(self, manager):
        if not self.enabled:
            return
        missing = [name for name in (LOCK_ADDON, PYODIDE_ADDON) if name not in manager._addons]
        if missing:
            yield self._failure(
                "kernel-addons",
                "jupyterlite-pyodide-kernel's addons are missing from this build environment "
                f"({', '.join(missing)}): pip install 'jupyterlite-datasette[lite]'",
            )
            return
        # Copied into the site, and named in its jupyter-lite.json, by jupyterlite-core's own addon.
        own_extensions = [
            path for path, wanted in ((WARM_START, self.warm_start), (LAZY_MATH, self.lazy_math)) if wanted
        ]
        manager.federated_extensions = (*manager.federated_extensions, *map(str, own_extensions))
        pyodide = manager._addons[PYODIDE_ADDON]
        # Set now: the pyodide addon reads it when it gathers its post_init tasks.
        if not (pyodide.pyodide_url or pyodide.well_known_pyodide.exists()):
            pyodide.pyodide_url = str(self.pyodide_dir)

    def init(self, manager):
        if not self.enabled or LOCK_ADDON not in manager._addons:
            return
        missing = [extra for module, extra in BUILD_TOOLS.items() if importlib.util.find_spec(module) is None]
        if missing:
            yield self._failure(
                "build-tools",
                f"the site's lock is solved by {' and '.join(missing)}, missing from this build environment: "
                "pip install 'jupyterlite-datasette[lite]'",
            )
        for spec in self.plugins:
            try:
                Requirement(spec)
            except InvalidRequirement as error:
                yield self._failure(
                    f"plugin:{spec}",
                    f"DatasetteAddon.plugins: {spec!r} is not a requirement ({error}); write NAME or NAME==VERSION",
                )
        if self.bundles_pyodide:
            yield from self._pyodide_tasks()
        version = importlib.metadata.version(DISTRIBUTION)
        yield self.task(
            name="wheel:" + DISTRIBUTION,
            doc="a wheel of jupyterlite-datasette as installed in this environment",
            actions=[(wheels.installed_package_wheel, [DISTRIBUTION, PACKAGE_DIR, self.wheel_dir])],
            file_dep=wheels.package_files(PACKAGE_DIR),
            targets=[self.wheel_dir / wheels.wheel_name(DISTRIBUTION, version)],
        )
        made_here = [
            (distribution, "without its C extension, which Pyodide cannot load", wheels.pure_python_wheel)
            for distribution in wheels.PURE_PYTHON_BUILDS
        ] + [
            (distribution, "without the files a kernel never reads", wheels.slimmed_wheel)
            for distribution in slimming.SLIMMED
            if not (self.defers and distribution in deferral.DEFERRED_WHEELS)
        ]
        for distribution, why, make in made_here:
            yield self._wheel_task(distribution, why, make, self.wheel_dir)

    def _wheel_task(self, distribution: str, why: str, make, destination: Path) -> dict:
        """A task making `distribution`'s wheel, at the version installed here, into `destination`."""
        version = importlib.metadata.version(distribution)
        return self.task(
            name=f"wheel:{distribution}",
            doc=f"{distribution} {version} {why}",
            actions=[(make, [distribution, version, destination])],
            uptodate=[lambda: wheels.has_wheel(destination, distribution, version)],
        )

    def _pyodide_tasks(self):
        """Pyodide's files for the site, and what its kernel defers to its first import (deferral.py)."""
        core = self.pyodide_dir / "pyodide"
        # Deferring, Pyodide's standard library is the whole one, and deferral.py makes the kernel's.
        stdlib = deferral.WHOLE_STDLIB if self.defers else pyodide_core.STDLIB
        fetched = [
            *(core / name for name in (*pyodide_core.CORE_FILES, pyodide_core.LOCK) if name != pyodide_core.STDLIB),
            core / stdlib,
            self.pyodide_packages_file,
        ]
        yield self.task(
            name="pyodide",
            doc=f"fetch Pyodide {PYODIDE_VERSION}'s core files from the npm registry",
            actions=[
                (
                    pyodide_core.fetch_pyodide_core,
                    [PYODIDE_VERSION, self.npm_registry, core, self.pyodide_packages_file, stdlib],
                )
            ],
            targets=fetched,
            # A version's files never change (the registry's digest vouches for them).
            uptodate=[lambda: all(path.exists() for path in fetched)],
        )
        if not self.defers:
            return
        deferred = deferral.deferred_wheels(core)
        for distribution, wheel in deferred.items():
            make = wheels.slimmed_wheel if distribution in slimming.SLIMMED else wheels.downloaded_wheel
            yield self._wheel_task(distribution, "fetched by the kernel when first imported", make, wheel.parent)
        jedi = deferred["jedi"]
        yield self.task(
            name="wheel:jedi-stand-in",
            doc="a stand-in of jedi, installed as the kernel starts, that puts jedi in its place on import",
            actions=[(deferral.stand_in_wheel, [jedi, self.stand_in_dir / jedi.name])],
            file_dep=[jedi, Path(deferral.__file__)],
            targets=[self.stand_in_dir / jedi.name],
        )
        yield self.task(
            name="stdlib",
            doc="the standard library the kernel starts with, what it imports compiled, and the finder of what it defers",
            actions=[
                (deferral.split_stdlib, [core, deferred, self.warm_start]),
                (self._compile, [{core / deferral.STDLIB: "stdlib"}, core]),
            ],
            # Its sitecustomize has the widget imported once the kernel has started, with a warm start.
            uptodate=[config_changed({"warm_start": self.warm_start})],
            file_dep=[
                core / deferral.WHOLE_STDLIB,
                deferral.KEPT_LIST,
                # The sitecustomize is written by deferral.py.
                Path(deferral.__file__),
                *deferral.KERNEL_MODULES.values(),
                *deferred.values(),
                *BYTECODE_FILES,
            ],
            targets=[core / deferral.STDLIB],
        )

    def _compile(self, archives: dict[Path, str], pyodide: Path) -> None:
        """bytecode.compile_archives, their sources into the `sources` folder beside the first
        archive, made anew; nothing, with a warning, where Node is missing."""
        if not archives:
            return
        if bytecode.node() is None:
            self.log.warning(
                "[jupyterlite-datasette] Node is missing: the kernel's modules are left to compile as it "
                "starts, which takes seconds more (install nodejs, then build again)"
            )
            return
        sources = next(iter(archives)).parent / bytecode.SOURCES
        for kind in set(archives.values()):
            shutil.rmtree(sources / kind, ignore_errors=True)
        bytecode.compile_archives(archives, pyodide, pyodide / deferral.WHOLE_STDLIB, sources)

    def post_init(self, manager):
        """Ask the lock addon for this package's kernel (read by it when it gathers post_build)."""
        if not self.enabled or LOCK_ADDON not in manager._addons:
            return
        lock = manager._addons[LOCK_ADDON]
        specs = [
            f"{DISTRIBUTION}=={importlib.metadata.version(DISTRIBUTION)}",
            *(
                f"{name}=={importlib.metadata.version(name)}"
                for name in dict.fromkeys([*FRONT_END_PAIRS, *wheels.PURE_PYTHON_BUILDS, *slimming.SLIMMED])
            ),
            *self.plugins,
        ]
        if self.bundles_pyodide:
            # The kernel installs with micropip, which Pyodide's own lock no longer lists here.
            own = json.loads(self.pyodide_packages_file.read_text())
            specs.append(f"micropip=={own['micropip']}")
        lock.enabled = True
        # No Python 3.14 is downloaded to solve for Pyodide: every wheel is prebuilt.
        options = dict(lock.pyodide_lock_uv_options)
        options["extra_uv_args"] = [*options.get("extra_uv_args", []), "--no-python-downloads"]
        lock.pyodide_lock_uv_options = options
        lock.specs = (*lock.specs, *specs)
        # The first wheel of a name is the lock's.
        lock.wheels = (
            *lock.wheels,
            *([str(self.stand_in_dir)] if self.defers else []),
            str(self.wheel_dir),
        )
        lock.excludes_extra = (*lock.excludes_extra, *LEFT_OUT)
        # Installed while Pyodide starts, so `%load_ext jupyterlite_datasette` works with no
        # %pip cell (a magic has no import to detect); plugins too, which nothing imports by
        # name: Datasette finds their entry points.
        lock.prefetch_extra = (
            *lock.prefetch_extra,
            *KERNEL_START,
            DISTRIBUTION,
            *(Requirement(spec).name for spec in self.plugins),
        )
        yield from ()

    def post_build(self, manager):
        """The site's service worker, which leaves alone what it would only pass on (service_worker.py);
        and, once the lock is solved, the wheels the kernel installs as it starts, with what it then
        imports compiled (bytecode.py) and Datasette's templates too (templates.py), and the others
        behind stand-ins (deferral.py)."""
        if not self.enabled:
            return
        worker = manager.output_dir / service_worker.FILE_NAME
        yield self.task(
            name="service-worker",
            doc="JupyterLite's service worker, leaving what it would only pass on to the network",
            actions=[(service_worker.add_bypass, [worker])],
            file_dep=[service_worker.BYPASS, Path(service_worker.__file__)],
            # Unpacking JupyterLite's files again puts its own back.
            uptodate=[lambda: service_worker.has_bypass(worker)],
        )
        if self.frame_policy:
            yield self.task(
                name="frame-policy",
                doc="the site's pages, refusing every navigation of their frames",
                actions=[(frame_policy.add_to_site, [manager.output_dir])],
                file_dep=[Path(frame_policy.__file__)],
                # Unpacking JupyterLite's files again puts its own pages back.
                uptodate=[lambda: frame_policy.site_has_policy(manager.output_dir)],
            )
        if not (LOCK_ADDON in manager._addons and self.defers):
            return
        lock = manager._addons[LOCK_ADDON]
        yield self.task(
            name="kernel-start",
            doc=(
                "the wheels the kernel installs as it starts: what it imports then compiled, with Datasette's "
                "templates, the rest deferred"
            ),
            actions=[(self._prepare_kernel_start, [lock, manager._addons[PYODIDE_ADDON].output_pyodide])],
            # This file too: the task's action is here.
            file_dep=[
                lock.output_lock,
                *BYTECODE_FILES,
                templates.SCRIPT,
                Path(templates.__file__),
                Path(deferral.__file__),
                Path(__file__),
            ],
            task_dep=[f"{manager.task_prefix}post_build:{LOCK_ADDON}:lock:build"],
        )

    def _prepare_kernel_start(self, lock, pyodide: Path) -> None:
        spec = json.loads(Path(lock.output_lock).read_text())
        packages = spec["packages"]
        # What Pyodide installs as the kernel starts: the prefetched packages and what they depend on.
        starting = _with_dependencies(packages, map(str, lock.all_prefetch))
        folder = Path(lock.output_lock).parent
        originals = [self.stand_in_dir, self.wheel_dir, Path(lock.cache_dir) / "_uv_wheels"]
        # What a run before this one did (when the lock was not solved again since) is undone.
        shutil.rmtree(folder / deferral.WHEEL_FOLDER, ignore_errors=True)
        for earlier in folder.glob(f"*{deferral.STAND_IN_SUFFIX}"):
            earlier.unlink()
        local = {}
        for name in sorted(starting):
            file_name = packages[name]["file_name"]
            if file_name.endswith(deferral.STAND_IN_SUFFIX):
                packages[name]["file_name"] = file_name = file_name.removesuffix(deferral.STAND_IN_SUFFIX) + ".whl"
            wheel = (folder / file_name).resolve()
            if wheel.parent == folder.resolve() and name not in deferral.DEFERRED_WHEELS:
                # From the wheel the lock solve chose, so that running this again starts afresh.
                original = next(where / wheel.name for where in originals if (where / wheel.name).is_file())
                shutil.copyfile(original, wheel)
                local[name] = wheel
        imported = {name for name, wheel in local.items() if _started_files(wheel)}
        self._compile({local[name]: "site-packages" for name in sorted(imported)}, pyodide)
        if bytecode.node() is not None and DISTRIBUTION in local:  # else _compile said why not
            stdlib = pyodide / deferral.WHOLE_STDLIB
            templates.compile_templates(list(local.values()), pyodide, stdlib, local[DISTRIBUTION])
        # The plugins, which Datasette imports as it starts, and what they need that the kernel does
        # not import by itself: all as they are.
        plugins = _with_dependencies(
            packages, (canonicalize_name(Requirement(plugin).name) for plugin in self.plugins), known=imported
        )
        for name, wheel in local.items():
            stand_in = None if name in imported | plugins else deferral.defer_wheel(wheel, pyodide)
            if stand_in is not None:
                packages[name]["file_name"] = packages[name]["file_name"].removesuffix(wheel.name) + stand_in.name
            packages[name]["sha256"] = hashlib.sha256((stand_in or wheel).read_bytes()).hexdigest()
        Path(lock.output_lock).write_text(json.dumps(spec, indent=2))

    def _failure(self, name: str, message: str) -> dict:
        """A task that fails the build with `message`: a task, since doit reports and stops on it."""
        return self.task(
            name=f"refused:{name}", doc=message, actions=[lambda: TaskFailed(f"jupyterlite-datasette: {message}")]
        )


def _started_files(wheel: Path) -> list[str]:
    """The modules `wheel` holds that the kernel imports as it starts (bytecode.py)."""
    with zipfile.ZipFile(wheel) as archive:
        return bytecode.started_files(archive.namelist())


def _with_dependencies(
    packages: dict, names: Iterable[str], known: frozenset[str] | set[str] = frozenset()
) -> set[str]:
    """`names`, of the lock's `packages`, with all they depend on, but for what the `known` ones do."""
    found: set[str] = set()
    waiting = [name for name in names if name in packages]
    while waiting:
        name = waiting.pop()
        if name not in found:
            found.add(name)
            if name not in known:
                waiting += [dep for dep in packages[name]["depends"] if dep in packages]
    return found
