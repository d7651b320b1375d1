"""The online site (`python lite/build.py --online`) in headless Chromium: Pyodide's core from its
CDN, and `%pip install` of a plugin the site's lock lacks, from PyPI itself, before `%datasette`.

Two things of this machine's network stand between the browser and those hosts, and the test
steps over each, changing nothing the site or the kernel does:
- cdn.jsdelivr.net is out of reach: its URLs are answered with the same Pyodide release's files
  (the offline site's copy, from the npm package the CDN serves);
- pypi.org and files.pythonhosted.org are reached through an egress that re-signs TLS with a
  certificate authority of its own and drops PyPI's `Access-Control-Allow-Origin: *`: their
  requests are sent on from the test (Playwright's `route.fetch`, trusting that authority), and
  PyPI's answers come back with that header put back.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from urllib.parse import urlsplit

import pytest
from conftest import browser_page
from support.lab import NotebookPage
from support.lite import ROOT, RequestLog, StaticServer
from support.real_plugins import query_history

from jupyterlite_datasette.site_build import deferral, pyodide_core

pytestmark = [pytest.mark.browser, pytest.mark.datasette_065]

VERSIONS = tomllib.loads((ROOT / "lite" / "versions.toml").read_text())
#: The types jsDelivr gives Pyodide's files (a module must be JavaScript; wasm streams only as wasm).
CONTENT_TYPES = {".mjs": "text/javascript", ".js": "text/javascript", ".wasm": "application/wasm"}
#: A plugin no site of ours carries in its lock (support.lite.SITE_PLUGINS are the test site's own).
FROM_PYPI = "datasette-query-history"
PYPI_HOSTS = ("pypi.org", "files.pythonhosted.org")


@pytest.fixture(scope="module")
def online_site(tmp_path_factory):
    site = tmp_path_factory.mktemp("lite-online") / "site"
    subprocess.run([sys.executable, str(ROOT / "lite" / "build.py"), "--online", "--output", str(site)], check=True)
    server = StaticServer(site)
    yield server
    server.stop()


def test_pip_install_from_pypi_then_datasette(online_site, lite_site, users_browser, request, tmp_path_factory):
    lock = (online_site.directory / "extensions").rglob("all.json")
    assert all(FROM_PYPI not in path.read_text() for path in lock), "the plugin must come from PyPI"
    config = json.loads((online_site.directory / "jupyter-lite.json").read_text())["jupyter-config-data"]
    kernel = config["litePluginSettings"]["@jupyterlite/pyodide-kernel-extension:kernel"]
    assert kernel["disablePyPIFallback"] is False
    cdn_folder = kernel["pyodideUrl"].rsplit("/", 1)[0]
    assert cdn_folder == f"https://cdn.jsdelivr.net/pyodide/v{VERSIONS['pyodide']['version']}/full"
    pyodide = lite_site.directory / "static" / "pyodide"
    from_cdn: list[str] = []

    def answer_for_the_cdn(route) -> None:
        name = urlsplit(route.request.url).path.rsplit("/", 1)[-1]
        from_cdn.append(name)
        # The offline site's python_stdlib.zip is its kernel's part of it; Pyodide's own is beside it.
        path = pyodide / {pyodide_core.STDLIB: deferral.WHOLE_STDLIB}.get(name, name)
        if not path.is_file():
            route.fulfill(status=404)
            return
        content_type = CONTENT_TYPES.get(path.suffix, "application/octet-stream")
        route.fulfill(path=path, headers={"content-type": content_type, "access-control-allow-origin": "*"})

    def through_this_machines_egress(route) -> None:
        answer = route.fetch()
        route.fulfill(response=answer, headers={**answer.headers, "access-control-allow-origin": "*"})

    with browser_page(users_browser, request, tmp_path_factory, ignore_https_errors=True) as page:
        page.context.route(f"{cdn_folder}/**", answer_for_the_cdn)
        for host in PYPI_HOSTS:
            page.context.route(f"https://{host}/**", through_this_machines_egress)
        log = RequestLog(page.context)
        nb = NotebookPage(page, f"{online_site.base}/lab/index.html?path=quickstart.ipynb")
        nb.run_cell(1)
        version = VERSIONS["plugins"][FROM_PYPI]
        nb.set_cell_text(2, f"%pip install {FROM_PYPI}=={version}\n%datasette flights.db --path /flights/airlines")
        nb.run_cell(2)
        frame = nb.frame()
        frame.get_by_text("16 rows").wait_for(timeout=180_000)
        # The plugin's script runs in the widget, as the offline site's own plugins do.
        assert query_history(frame, nb.go, "flights") == {"history": ["select 2 as two", "select 1 as one"]}

    assert {"pyodide.mjs", "pyodide.asm.wasm", "python_stdlib.zip"} <= set(from_cdn)
    # Pyodide's files come from elsewhere: nothing is deferred (site_build/deferral.py), jedi is in the lock.
    (jedi,) = (online_site.directory / "static" / "pyodide-lock").glob("jedi-*.whl")
    assert jedi.stat().st_size > 500_000
    hosts = log.hosts()
    assert set(PYPI_HOSTS) <= hosts, sorted(hosts)
    wheel = FROM_PYPI.replace("-", "_") + f"-{version}-"
    assert any(urlsplit(url).netloc == "files.pythonhosted.org" and wheel in url for url in log.urls), log.urls
    # Nothing else went out: the site itself, the CDN (answered here) and PyPI.
    assert hosts <= {f"127.0.0.1:{online_site.port}", urlsplit(cdn_folder).netloc, *PYPI_HOSTS}
