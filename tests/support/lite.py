"""The offline JupyterLite site: built once, served on 127.0.0.1, every request recorded."""

from __future__ import annotations

import contextlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

from jupyterlite_datasette.site_build import bytecode, deferral

from .lab import free_port, wait_for_http

ROOT = Path(__file__).resolve().parents[2]


#: Plugins the tests' site loads as the kernel starts (`--plugin`): found by their entry points, no code.
SITE_PLUGINS = ("datasette-graphql", "datasette-query-history")


def build_site(output: Path) -> Path:
    plugins = [argument for name in SITE_PLUGINS for argument in ("--plugin", name)]
    subprocess.run([sys.executable, str(ROOT / "lite" / "build.py"), "--output", str(output), *plugins], check=True)
    return output


class StaticServer:
    """The built site over HTTP on 127.0.0.1, as a static host serves it (Range requests included)."""

    def __init__(self, directory: Path, ready_path: str = "/jupyter-lite.json"):
        """Serve `directory`; up once `ready_path` (a file in it) is answered."""
        self.directory = directory
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [sys.executable, str(Path(__file__).with_name("files_server.py")), str(self.port), str(directory)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        if not wait_for_http(self.base + ready_path, 30, self.process):
            self.stop()
            raise RuntimeError(f"the static server for {directory} did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


@contextlib.contextmanager
def served_site(site: Path) -> Iterator[StaticServer]:
    """The site at `site` (built there first if it is not), served while the block runs."""
    if not (site / "jupyter-lite.json").exists():
        build_site(site)
    server = StaticServer(site)
    try:
        yield server
    finally:
        server.stop()


#: How Playwright reports a request that the page's Content-Security-Policy refused before it was sent.
BLOCKED_BY_POLICY = "csp"


class RequestLog:
    """Every request of a browser context (its pages, workers and service worker), and
    those of them that the page's policy refused before they were sent."""

    def __init__(self, context):
        self.urls: list[str] = []
        self.refused: list[str] = []
        #: URLs answered by a server, not by JupyterLite's service worker (whose own request
        #: for the same URL, if it passed one on, is then in `urls` as well).
        self.from_network: list[str] = []
        #: URLs JupyterLite's service worker answered.
        self.from_service_worker: list[str] = []
        context.on("request", lambda request: self.urls.append(request.url))
        context.on("requestfailed", self._failed)
        context.on("response", self._answered)

    def _answered(self, response) -> None:
        (self.from_service_worker if response.from_service_worker else self.from_network).append(response.url)

    def _failed(self, request) -> None:
        if request.failure == BLOCKED_BY_POLICY:
            self.refused.append(request.url)

    def hosts(self) -> set[str]:
        """The hosts requests were sent to (the refused ones never were)."""
        sent = list(self.urls)
        for url in self.refused:
            sent.remove(url)
        return {urlsplit(url).netloc for url in sent if urlsplit(url).scheme in ("http", "https", "ws", "wss")}


def expect_only_local_requests(log: RequestLog, server: StaticServer) -> None:
    assert log.urls, "no requests were recorded"
    assert log.hosts() == {f"127.0.0.1:{server.port}"}, sorted(log.hosts())


#: The folders, beside Pyodide's files and beside the lock's wheels, of what the kernel fetches when first needed.
DEFERRED_FOLDERS = (deferral.WHEEL_FOLDER, bytecode.SOURCES)


def expect_no_console_errors(page) -> None:
    """The page's console (its frames' too) has no error: not even a file the site lacks, such as the
    /favicon.ico a browser asks for before JupyterLab names the tab's icon (lite/build.py puts one there)."""
    errors = [message for message in page.console_messages if message.startswith("error:")]
    assert errors == [], errors


def deferred_fetches(log: RequestLog) -> list[str]:
    """The paths of what the kernel fetched of what it defers to first import (site_build/deferral.py):
    the whole standard library, and the deferred wheels; and of the sources of what the site ships
    compiled (site_build/bytecode.py)."""
    paths = [urlsplit(url).path for url in log.from_network]
    folders = [f"/static/{where}/{folder}/" for where in ("pyodide", "pyodide-lock") for folder in DEFERRED_FOLDERS]
    return [
        path
        for path in paths
        if any(path.startswith(folder) for folder in folders) or path.endswith(f"/{deferral.WHOLE_STDLIB}")
    ]


def upload(page, *paths: Path) -> None:
    """Upload files through JupyterLab's file browser, as a user brings their own data."""
    with page.expect_file_chooser() as chooser:
        page.locator(".jp-FileBrowser-toolbar [title='Upload Files']").first.click()
    chooser.value.set_files([str(path) for path in paths])
    for path in paths:
        page.locator(".jp-DirListing-item", has_text=path.name).first.wait_for()
