"""The sealed frame, attacked in real JupyterLab and Chromium by hostile metadata.

An attacker host on 127.0.0.2 notes every byte sent to it. Each canned query
page of the hostile metadata tries routes out of the widget (see
support/attacks.py); the browser is not told to refuse anything, so whatever
the page could reach, it would.
"""

from __future__ import annotations

import json

import pytest
from support.attacks import NAVIGATIONS, attack_metadata, attacks
from support.lab import open_notebook
from support.sealed import (
    Watch,
    decline_waiting_address,
    expect_clipboard_and_screen_kept,
    expect_notebook_unsaved_after,
    expect_own_document,
    expect_text_never_ran_as_code,
    expect_widget_works,
    image_width,
    mark_clipboard,
    visit,
    watch_notebook_saves,
)

pytestmark = pytest.mark.browser


def test_hostile_metadata_reaches_nothing_and_the_widget_recovers(open_page, lab, attacker):
    page = open_page
    watch = Watch(page)
    (lab.root / "attack.json").write_text(json.dumps(attack_metadata("fixtures", attacker.origin)))
    cells = [
        "%load_ext jupyterlite_datasette",
        "%datasette fixtures.db -m attack.json --height 400",
        "w = _",
    ]
    nb = open_notebook(page, lab, "attack.ipynb", cells)
    for index in range(len(cells)):
        nb.run_cell(index)
    nb.frame().locator("h1").first.wait_for()
    # JupyterLab's page has no policy on its frames: the page frame sits in the shell frame.
    assert not nb.page_frame_in_notebook
    prompt = nb.widget().locator(".jld-external")
    error = nb.widget().locator(".jld-error")

    watch_notebook_saves(page)
    mark_clipboard(page)
    for name in attacks(attacker.origin):
        visit(nb, f"/fixtures/attack_{name}")
        left = error.filter(has_text="tried")
        if name in NAVIGATIONS:
            # The shell's policy refused the navigation; the widget put a fresh frame in, and says so.
            left.wait_for(timeout=20_000)
        else:
            nb.frame().locator("h1", has_text=f"attack {name}").wait_for(timeout=20_000)
        page.wait_for_timeout(1_500)
        if name not in NAVIGATIONS and name != "javascript_url":
            assert left.count() == 0, f"{name}: {error.inner_text()}"
        expect_own_document(nb)

        if name == "links":
            # A click on each: the SVG link and the new-tab link ask first; the ping goes nowhere.
            for link, asks in (("#svg-link", True), ("#blank-link", True), ("#ping-link", False)):
                nb.frame().locator(link).click()
                if asks:
                    prompt.get_by_text(attacker.origin).wait_for()
                    prompt.get_by_role("button", name="Cancel").click()
            nb.frame().locator("h1", has_text="Datasette").wait_for()
        if name == "popups":
            nb.frame().locator("#open-button").click()
        # A bare location.href and a GET form's requestSubmit() wait for the user; the POST went nowhere.
        decline_waiting_address(nb, name, attacker.origin)
        expect_notebook_unsaved_after(nb, name)
        expect_clipboard_and_screen_kept(page, name)
        if name == "imitation":
            assert prompt.is_hidden()
        if name == "webrtc":
            assert nb.frame().locator("iframe").count() == 0
        page.wait_for_timeout(500)
        assert attacker.received == b"", f"{name}: the attacker received {attacker.received[:300]!r}"
        assert attacker.datagrams == []
        assert watch.events == [], f"{name}: {watch.events}"

    # Chromium may open a connection to the host of a refused frame navigation
    # (it warms it up before the policy is checked): nothing is ever sent on it.
    print(f"connections opened to the attacker, with nothing sent: {len(attacker.connections)}")
    expect_widget_works(nb)
    expect_text_never_ran_as_code(nb)
    assert watch.events == []
    assert attacker.received == b""


def tiles_metadata(host: str) -> str:
    """A page with an image and a stylesheet background from `host`, and scripts that try it by other routes."""
    html = (
        f'<img id="tile" src="{host}/tile.svg">'
        f'<div id="tile-css" style="width:8px;height:8px;background-image:url({host}/background.svg)"></div>'
        f'<script src="{host}/script.js"></script>'
        f'<script>fetch("{host}/fetched").then(() => document.body.dataset.fetch = "answered",'
        ' () => document.body.dataset.fetch = "refused");</script>'
    )
    return json.dumps({"databases": {"fixtures": {"description_html": html}}})


def test_images_load_only_from_the_hosts_the_user_names(open_page, lab, image_host):
    page = open_page
    (lab.root / "tiles.json").write_text(tiles_metadata(image_host.base))
    line = "%datasette fixtures.db -m tiles.json --path /fixtures --height 300"
    cells = ["%load_ext jupyterlite_datasette", line, f"{line} --image-host {image_host.base}", "_.image_hosts = []"]
    nb = open_notebook(page, lab, "image-hosts.ipynb", cells)
    for index in range(2):
        nb.run_cell(index)
    # By default the page frame loads no image from the network.
    assert image_width(nb.frame(0).locator("#tile")) == 0
    nb.frame(0).locator("body[data-fetch='refused']").wait_for()
    assert image_host.requested == []

    # Named, the host serves the page's images, and nothing else: no script, no fetch.
    nb.run_cell(2)
    assert image_width(nb.frame(1).locator("#tile")) == 8
    nb.frame(1).locator("body[data-fetch='refused']").wait_for()
    page.wait_for_timeout(500)
    assert sorted(image_host.requested) == ["/background.svg", "/tile.svg"]

    # Taken back from Python: the widget's frames start again under the narrower policy.
    nb.frame(1).locator("body").evaluate("body => body.dataset.old = 'yes'")
    nb.run_cell(3)
    nb.frame(1).locator("body[data-fetch='refused']:not([data-old])").wait_for()
    assert image_width(nb.frame(1).locator("#tile")) == 0
    assert sorted(image_host.requested) == ["/background.svg", "/tile.svg"]
