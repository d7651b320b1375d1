from __future__ import annotations

import contextlib
import shutil
from pathlib import Path

import pytest
from datasette.app import Datasette
from support.databases import make_fixtures_db, make_hostile_db


@pytest.fixture(scope="session")
def fixtures_db(tmp_path_factory) -> Path:
    return make_fixtures_db(tmp_path_factory.mktemp("db") / "fixtures.db")


@pytest.fixture(scope="session")
def hostile_db(tmp_path_factory) -> Path:
    return make_hostile_db(tmp_path_factory.mktemp("hostile") / "hostile.db")


@pytest.fixture
def fixtures_copy(fixtures_db, tmp_path) -> Path:
    """A private copy, for tests that check a file is left untouched."""
    return Path(shutil.copy(fixtures_db, tmp_path / "fixtures.db"))


@pytest.fixture
async def ds(fixtures_db) -> Datasette:
    from jupyterlite_datasette.instance import build_datasette

    instance = build_datasette([fixtures_db])
    await instance.invoke_startup()
    return instance


@pytest.fixture
def image_host(tmp_path):
    """A host on 127.0.0.2 serving an image, noting each request: online map tiles, say."""
    from support.files_server import FilesServer
    from support.plugin import PACKAGE

    shutil.copy(PACKAGE / "static" / "dot.svg", tmp_path / "tile.svg")
    server = FilesServer(tmp_path, host="127.0.0.2")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def files_server(tmp_path_factory, fixtures_db):
    """Files served over HTTP on 127.0.0.1: fixtures.db and whatever a test puts in `.directory`."""
    from support.files_server import FilesServer

    directory = tmp_path_factory.mktemp("served")
    shutil.copy(fixtures_db, directory / "fixtures.db")
    server = FilesServer(directory)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def lab_root(tmp_path_factory, fixtures_db, hostile_db) -> Path:
    """The folder JupyterLab serves: the test databases and notebooks go here."""
    root = tmp_path_factory.mktemp("lab-root")
    shutil.copy(fixtures_db, root / "fixtures.db")
    shutil.copy(hostile_db, root / "hostile.db")
    # A fragment link and its target, to check in-page scrolling.
    (root / "meta.yml").write_text(
        "title: Test instance\n"
        "description_html: |-\n"
        '  <a id="jump" href="#far-below">jump down</a>\n'
        '  <div style="height: 3000px"></div><p id="far-below">far below</p>\n'
    )
    return root


@pytest.fixture(scope="session")
def lab(lab_root, tmp_path_factory):
    from support.lab import JupyterLab

    server = JupyterLab(lab_root, tmp_path_factory.mktemp("lab-home")).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def playwright_session():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_session):
    """Chromium with sandboxed frames in the notebook's process (support.lab.launch_chromium)."""
    from support.lab import launch_chromium

    chromium = launch_chromium(playwright_session)
    yield chromium
    chromium.close()


@pytest.fixture(scope="session")
def users_browser(playwright_session):
    """Chromium with its own process model, as its users run it: sandboxed frames, the
    widget's page frame among them, in a process of their own."""
    from support.lab import launch_chromium

    chromium = launch_chromium(playwright_session, as_users_run_it=True)
    yield chromium
    chromium.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@contextlib.contextmanager
def browser_page(browser, request, tmp_path_factory, **context_options):
    """A page in a fresh context; a screenshot and its frames' console if the test fails; no uncaught errors."""
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, **context_options)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    console = []
    page.on("console", lambda message: console.append(f"{message.type}: {message.text[:500]}"))
    # A test that compares with a browser tab may take out the errors the tab has too.
    page.uncaught_errors = errors
    page.console_messages = console
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        shot = tmp_path_factory.getbasetemp() / f"{request.node.name}.png"
        page.screenshot(path=str(shot), full_page=True)
        print(f"screenshot of the failure: {shot}")
        print("console of the failed test's page:", *console[-40:], sep="\n  ")
        print("uncaught errors in the failed test's page:", *errors, sep="\n  ")
    context.close()
    assert errors == [], "uncaught errors in the page"


@pytest.fixture
def page(browser, request, tmp_path_factory):
    with browser_page(browser, request, tmp_path_factory) as page:
        # Nothing in these tests needs the internet: refuse it, so an external
        # link's new tab fails fast instead of waiting on DNS.
        def refuse(route):
            print(f"refused a request to {route.request.url}")
            route.abort()

        page.context.route(lambda url: not url.startswith(("http://127.0.0.1", "about:", "data:", "blob:")), refuse)
        yield page


@pytest.fixture(scope="session")
def attacker():
    """The attacker host on 127.0.0.2, noting every byte sent to it."""
    from support.attacker import Attacker

    server = Attacker().start()
    yield server
    server.stop()


@pytest.fixture
def open_page(browser, request, tmp_path_factory):
    """A page whose requests nobody refuses but the browser itself (unlike `page`)."""
    with browser_page(browser, request, tmp_path_factory) as page:
        yield page


@pytest.fixture(scope="session")
def lite_site(tmp_path_factory):
    """The offline JupyterLite site, built once and served on 127.0.0.1."""
    from support.lite import StaticServer, build_site

    site = build_site(tmp_path_factory.mktemp("lite") / "site")
    server = StaticServer(site)
    yield server
    server.stop()


@pytest.fixture
def lite_page(users_browser, request, tmp_path_factory):
    """A page whose every request (pages, workers, service worker) is logged; none is refused.
    In Chromium as its users run it: the site's pages have the frame policy, so the widget's page
    frame has no shell frame around it, and Playwright follows it reliably in a process of its own."""
    from support.lite import RequestLog

    with browser_page(users_browser, request, tmp_path_factory) as page:
        yield page, RequestLog(page.context)


@pytest.fixture
def nested_lite_page(browser, request, tmp_path_factory):
    """`lite_page` for a site whose pages have no frame policy (the page frame sits in the widget's
    shell frame): sandboxed frames in the notebook's process (support.lab.SANDBOXED_FRAMES_IN_PAGE_PROCESS)."""
    from support.lite import RequestLog

    with browser_page(browser, request, tmp_path_factory) as page:
        yield page, RequestLog(page.context)


def pytest_collection_modifyitems(config, items):
    # Playwright's sync API leaves an asyncio loop marked as running in this
    # thread for as long as the browser is open, and async tests cannot start
    # under it: run the browser tests last.
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)
