"""The wheels a site's lock solve cannot find on PyPI for Pyodide, made at build time."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import importlib.metadata
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

from .slimming import SLIMMED

#: Stamped on every file, so the same files make the same wheel.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
WHEEL_FILE = "Wheel-Version: 1.0\nGenerator: jupyterlite-datasette\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
#: Packages with C extensions and no wasm wheel, whose setup falls back to pure Python
#: when told to: what to set in the environment of their build for that.
PURE_PYTHON_BUILDS = {
    "pyyaml": {"PYYAML_FORCE_LIBYAML": "0"},
    # A C compiler that fails makes MarkupSafe's setup fall back to pure Python.
    "markupsafe": {"CC": shutil.which("false") or "/bin/false"},
}


def wheel_name(distribution: str, version: str) -> str:
    return f"{distribution.replace('-', '_')}-{version}-py3-none-any.whl"


def package_files(package_dir: Path) -> list[Path]:
    """The files of the package at `package_dir` that its wheel holds (no bytecode caches)."""
    return [path for path in sorted(package_dir.rglob("*")) if path.is_file() and "__pycache__" not in path.parts]


def installed_package_wheel(distribution: str, package_dir: Path, destination: Path) -> None:
    """A wheel of `distribution` as it is installed here (from PyPI or editable alike),
    so that the kernel runs exactly the code and metadata of the build environment.
    It is `destination / wheel_name(distribution, version)`."""
    dist = importlib.metadata.distribution(distribution)
    version = dist.version
    dist_info = f"{distribution.replace('-', '_')}-{version}.dist-info"
    files: dict[str, bytes] = {}
    for path in package_files(package_dir):
        files[f"{package_dir.name}/{path.relative_to(package_dir).as_posix()}"] = path.read_bytes()
    for name in ("METADATA", "entry_points.txt"):
        text = dist.read_text(name)
        if text is not None:
            files[f"{dist_info}/{name}"] = text.encode()
    for license_file in dist.metadata.get_all("License-File") or []:
        text = dist.read_text(f"licenses/{license_file}")
        if text is not None:
            files[f"{dist_info}/licenses/{license_file}"] = text.encode()
    files[f"{dist_info}/WHEEL"] = WHEEL_FILE.encode()

    destination.mkdir(parents=True, exist_ok=True)
    for old in destination.glob(wheel_name(distribution, "*")):
        old.unlink()
    write_wheel(destination / wheel_name(distribution, version), files, f"{dist_info}/RECORD")


def pure_python_wheel(distribution: str, version: str, destination: Path) -> None:
    """Build `distribution` at `version` from its source without its C extension."""
    subprocess.run(
        # Only the package itself from source: its build tools (Cython, setuptools) as wheels.
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-binary",
            distribution,
            f"{distribution}=={version}",
            "-w",
            str(destination),
        ],
        check=True,
        env={**os.environ, **PURE_PYTHON_BUILDS[distribution]},
    )


@contextlib.contextmanager
def published_wheel(distribution: str, version: str) -> Iterator[Path]:
    """`distribution`'s wheel at `version`, as PyPI publishes it, in a folder that lasts as long as
    the `with`."""
    with tempfile.TemporaryDirectory() as download:
        pip_download(f"{distribution}=={version}", Path(download))
        (wheel,) = Path(download).glob("*.whl")
        yield wheel


def slimmed_wheel(distribution: str, version: str, destination: Path) -> None:
    """`distribution`'s wheel at `version` from PyPI, slimmed as SLIMMED says, its RECORD
    listing what is left."""
    with published_wheel(distribution, version) as source, zipfile.ZipFile(source) as wheel:
        (record_name,) = [name for name in wheel.namelist() if name.endswith(".dist-info/RECORD")]
        files = {
            info.filename: wheel.read(info)
            for info in wheel.infolist()
            if not info.is_dir() and info.filename != record_name
        }
    destination.mkdir(parents=True, exist_ok=True)
    write_wheel(destination / wheel_name(distribution, version), SLIMMED[distribution].apply(files), record_name)


def downloaded_wheel(distribution: str, version: str, destination: Path) -> None:
    """`distribution`'s wheel at `version` from PyPI, as published, named as the wheels made here
    are (the kernel unpacks it by that name; a pure-Python wheel's tags say nothing more to it)."""
    with published_wheel(distribution, version) as source:
        destination.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, destination / wheel_name(distribution, version))


def pip_download(requirement: str, directory: Path, *, source: bool = False) -> None:
    """`requirement` alone, into `directory`, through pip (so pip's cache and index settings
    apply): its wheel, or with `source` its source archive."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--no-deps",
            "--no-binary" if source else "--only-binary",
            ":all:",
            requirement,
            "-d",
            str(directory),
        ],
        check=True,
    )


def has_wheel(destination: Path, distribution: str, version: str) -> bool:
    """Whether `destination` holds a wheel made here of `distribution` at `version`,
    spelled as its build spells it (`PyYAML-…` or `pyyaml-…`)."""
    wanted = wheel_name(distribution, version).lower()
    return any(path.name.lower() == wanted for path in destination.glob("*.whl"))


def archive_files(path: Path) -> dict[str, bytes]:
    """The files of the zip archive (a wheel, say) at `path`, by their path inside it."""
    with zipfile.ZipFile(path) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist() if not info.is_dir()}


def rewrite_archive(path: Path, files: dict[str, bytes]) -> None:
    """The archive at `path`, made of `files` (its own, changed): a wheel's RECORD is made anew
    for them; another archive is written as it is."""
    records = [name for name in files if name.endswith(".dist-info/RECORD")]
    if path.suffix == ".whl" and len(records) == 1:
        write_wheel(path, {name: data for name, data in files.items() if name != records[0]}, records[0])
    else:
        write_zip(path, files)


def write_wheel(path: Path, files: dict[str, bytes], record_name: str) -> None:
    """A wheel at `path` of `files` (inside path -> bytes) and a RECORD of them, at `record_name`."""
    record = "".join(f"{name},sha256={_digest(data)},{len(data)}\n" for name, data in files.items())
    write_zip(path, {**files, record_name: (record + f"{record_name},,\n").encode()})


def write_zip(path: Path, files: dict[str, bytes]) -> None:
    """A zip archive at `path` of `files` (inside path -> bytes), the same for the same files."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(zipfile.ZipInfo(name, ZIP_DATE), data, zipfile.ZIP_DEFLATED)


def _digest(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
