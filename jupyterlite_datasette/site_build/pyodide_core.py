"""Pyodide's own files, from the `pyodide` npm package, for a site that serves them itself."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import tarfile
import urllib.request
from pathlib import Path

STDLIB = "python_stdlib.zip"
#: The files of Pyodide a kernel loads; its packages come from the site's own lock.
CORE_FILES = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", STDLIB)
LOCK = "pyodide-lock.json"


class PyodideFetchError(RuntimeError):
    pass


def fetch_pyodide_core(
    version: str, registry: str, destination: Path, packages_file: Path, stdlib_name: str = STDLIB
) -> None:
    """Put Pyodide `version`'s core files into `destination`, its standard library named
    `stdlib_name` (deferral.py makes the one the kernel starts with), with a lock that lists none
    of Pyodide's packages, since their wheels are not in the npm package: the site's
    lock solve then puts every package the kernel needs into the site.

    The names and versions of Pyodide's own packages go to `packages_file` (JSON).
    The tarball is checked against the digest the registry publishes for it."""
    url = f"{registry.rstrip('/')}/pyodide/{version}"
    try:
        with urllib.request.urlopen(url) as response:
            dist = json.load(response)["dist"]
        with urllib.request.urlopen(dist["tarball"]) as response:
            tarball = response.read()
    except (OSError, KeyError, ValueError) as error:
        raise PyodideFetchError(
            f"Pyodide {version}: could not fetch it from the npm registry at {url}: {error}"
        ) from error
    algorithm, _, digest = dist["integrity"].partition("-")
    if hashlib.new(algorithm, tarball).digest() != base64.b64decode(digest):
        raise PyodideFetchError(
            f"Pyodide {version}: the tarball from {dist['tarball']} does not match its {algorithm} digest"
        )
    destination.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(tarball)) as tar:
        for name in CORE_FILES:
            (destination / (stdlib_name if name == STDLIB else name)).write_bytes(_member(tar, name))
        lock = json.loads(_member(tar, LOCK))
    info = {**lock["info"], "version": lock["info"].get("version", version)}
    # pyodide-lock accepts `info` and `packages` only.
    (destination / LOCK).write_text(json.dumps({"info": info, "packages": {}}))
    packages = {spec["name"]: spec["version"] for spec in lock["packages"].values()}
    packages_file.write_text(json.dumps(packages, indent=1, sort_keys=True))


def _member(tar: tarfile.TarFile, name: str) -> bytes:
    member = tar.extractfile(f"package/{name}")
    if member is None:
        raise PyodideFetchError(f"the pyodide npm package has no {name}")
    return member.read()
