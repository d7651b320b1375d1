"""Released plugins from PyPI draw in the widget what they draw in a browser tab on `datasette serve`.

Same database, metadata and plugins (tests/support/real_plugins.py): for each
plugin page, what it draws (markers, tiles, a chart's canvas, GraphiQL's
answer, the stored query history, a dashboard's cards) is measured in an
ordinary Chromium tab and in the widget in real JupyterLab, and must be the
same; the frame's console shows no error the tab does not show.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from support.lab import NotebookPage, free_port, open_notebook, wait_for_http
from support.real_plugins import PLUGIN_PAGES, PLUGINS, load_plugins_cell, make_places_db, places_metadata

pytestmark = [pytest.mark.browser, pytest.mark.datasette_065]


@pytest.fixture(scope="module")
def places(lab):
    make_places_db(lab.root / "places.db")
    places_metadata(lab.root / "places.json")
    return lab.root


@pytest.fixture(scope="module")
def tab_server(places, tmp_path_factory):
    """`datasette serve` on the same files, with the same plugins: the tab to compare with."""
    port = free_port()
    log = (tmp_path_factory.mktemp("serve") / "datasette.log").open("wb")
    env = {**os.environ, "PYTHONPATH": str(PLUGINS)}
    command = [sys.executable, "-m", "datasette", "serve", "places.db", "-m", "places.json", "-p", str(port)]
    server = subprocess.Popen(command, cwd=places, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    assert wait_for_http(f"{base}/-/plugins.json", 60, server), f"datasette serve did not start: {log.name}"
    yield base
    server.terminate()
    server.wait(timeout=15)


def errors_of(messages: list, keep) -> set[str]:
    """Console errors, with each external host's refusal said the same way in a tab and in the widget."""
    seen = set()
    for message in messages:
        if message.type != "error" or not keep(message):
            continue
        text = message.text
        external = "tile.openstreetmap.org" in text + message.location.get("url", "")
        seen.add("a tile from the internet, refused" if external else text)
    return seen


def uncaught(error: str) -> str:
    """An uncaught error, as a tab and the widget both word it (the widget inserts scripts with append)."""
    return error.removeprefix("Failed to execute 'append' on 'Element': ")


def open_places(page, lab, name: str) -> NotebookPage:
    """A notebook `name` that loads the plugins and shows the places database in the widget, run."""
    # Installed after Datasette was imported, as `%pip install` in a running kernel: %datasette finds them.
    cells = ["%load_ext jupyterlite_datasette", load_plugins_cell(), "%datasette places.db -m places.json --height 900"]
    nb = open_notebook(page, lab, name, cells)
    for cell in range(len(cells)):
        nb.run_cell(cell)
    nb.wait_for_output(1, "datasette-cluster-map")
    return nb


@pytest.mark.parametrize("name", list(PLUGIN_PAGES))
def test_plugin_draws_the_same_as_in_a_tab(page, lab, tab_server, name):
    check, expected = PLUGIN_PAGES[name]
    messages = []
    page.on("console", lambda message: messages.append(message))

    tab = page.context.new_page()
    tab.on("console", lambda message: messages.append(message))
    tab_uncaught = []
    tab.on("pageerror", lambda error: tab_uncaught.append(uncaught(str(error))))
    in_tab = check(tab, lambda path: tab.goto(tab_server + path))
    tab_errors = errors_of(messages, lambda m: True)
    tab.close()
    messages.clear()

    nb = open_places(page, lab, f"plugin-{name}.ipynb")

    def go(path: str) -> None:
        nb.go(path)
        nb.wait_for_address(path)

    in_widget = check(nb.frame(), go)
    assert in_widget == in_tab
    assert {key: in_tab[key] for key in expected} == expected
    # The frame's messages (JupyterLab's own are not the page's).
    widget_errors = errors_of(messages, lambda m: not m.location.get("url", "").startswith(lab.base))
    assert widget_errors <= tab_errors, f"errors in the widget only: {widget_errors - tab_errors}"
    # What a page's script throws in a tab, it throws in the widget too; nothing more.
    widget_uncaught = [uncaught(error) for error in page.uncaught_errors]
    assert set(widget_uncaught) <= set(tab_uncaught), f"uncaught in the widget only: {widget_uncaught}"
    page.uncaught_errors.clear()


def test_a_dashboard_saves_a_chart_and_fills_the_screen(page, lab, places):
    """vega-embed's own menu on a datasette-dashboards chart: "Save as PNG" and "Save as SVG" make
    the image in the page (a link with `download` to a data: or blob: URL), and the browser saves
    it, as in a tab; the dashboard's "Fullscreen" button fills the screen with it, and gives it
    back."""
    nb = open_places(page, lab, "plugin-save-chart.ipynb")
    nb.go("/-/dashboards/places")
    frame = nb.frame()
    frame.locator(".vega-embed canvas, .vega-embed svg.marks").first.wait_for(timeout=30_000)
    for kind, magic in (("PNG", b"\x89PNG\r\n"), ("SVG", b"<svg")):
        menu = frame.locator(".vega-embed details").first
        if not menu.evaluate("(details) => details.open"):
            menu.locator("summary").click()
        with page.expect_download() as download:
            frame.locator(".vega-embed .vega-actions a", has_text=f"Save as {kind}").first.click()
        assert download.value.suggested_filename == f"visualization.{kind.lower()}"
        assert Path(download.value.path()).read_bytes().startswith(magic)

    fullscreen = "() => document.fullscreenElement?.matches('section.content') ?? null"
    frame.get_by_role("button", name="Fullscreen").click()
    page.wait_for_function("() => document.fullscreenElement !== null")
    assert frame.locator("body").evaluate(fullscreen) is True
    frame.get_by_role("button", name="Fullscreen").click()
    page.wait_for_function("() => document.fullscreenElement === null")
