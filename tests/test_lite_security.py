"""The sealed frame and the kernel's file names in the offline JupyterLite site, attacked.

The same hostile metadata as in JupyterLab (support/attacks.py), uploaded
through the file browser and opened in the Pyodide kernel; and a download
whose URL names a path outside the kernel's folder.
"""

from __future__ import annotations

import json

import pytest
from support.attacks import NAVIGATIONS, attack_metadata, attacks
from support.lab import NotebookPage
from support.lite import expect_only_local_requests
from support.sealed import (
    Watch,
    decline_waiting_address,
    expect_clipboard_and_screen_kept,
    expect_notebook_unsaved_after,
    expect_own_document,
    expect_text_never_ran_as_code,
    mark_clipboard,
    visit,
    watch_notebook_saves,
)

pytestmark = [pytest.mark.browser, pytest.mark.datasette_065]


def replace_cell(nb: NotebookPage, index: int, source: str) -> None:
    """Put `source` in cell `index` as pasted text (typing would auto-close brackets)."""
    nb.cell(index).locator(".cm-content").click()
    nb.page.keyboard.press("Control+a")
    nb.page.keyboard.insert_text(source)


def test_hostile_metadata_reaches_nothing_in_jupyterlite(lite_site, lite_page, attacker):
    page, log = lite_page
    watch = Watch(page)
    nb = NotebookPage(page, f"{lite_site.base}/lab/index.html?path=quickstart.ipynb")
    # The site's pages refuse their frames' navigations: the page frame sits in the notebook, no shell around it.
    assert nb.page_frame_in_notebook
    metadata = json.dumps(attack_metadata("flights", attacker.origin))
    nb.run_cell(1)
    replace_cell(
        nb,
        2,
        "import json\nfrom jupyterlite_datasette import DatasetteWidget\n"
        f"DatasetteWidget('flights.db', metadata=json.loads({metadata!r}), height=400)",
    )
    nb.run_cell(2)
    nb.frame().locator("h1").first.wait_for(timeout=60_000)
    error = nb.widget().locator(".jld-error")

    watch_notebook_saves(page)
    mark_clipboard(page)
    for name in attacks(attacker.origin):
        visit(nb, f"/flights/attack_{name}")
        if name in NAVIGATIONS:
            error.filter(has_text="tried").wait_for(timeout=30_000)
        else:
            nb.frame().locator("h1", has_text=f"attack {name}").wait_for(timeout=30_000)
        page.wait_for_timeout(1_500)
        expect_own_document(nb)
        decline_waiting_address(nb, name, attacker.origin)
        expect_notebook_unsaved_after(nb, name)
        expect_clipboard_and_screen_kept(page, name)
        assert attacker.received == b"", f"{name}: the attacker received {attacker.received[:300]!r}"
        assert watch.events == [], f"{name}: {watch.events}"

    visit(nb, "/flights")
    nb.frame().locator("h1", has_text="flights").first.wait_for(timeout=30_000)
    expect_text_never_ran_as_code(nb)
    assert attacker.received == b"" and attacker.datagrams == []
    # Every request the site made went to the site; none to the attacker's host.
    expect_only_local_requests(log, lite_site)


def test_a_url_never_chooses_where_its_download_lands_in_jupyterlite(lite_site, lite_page, files_server):
    page, _log = lite_page
    nb = NotebookPage(page, f"{lite_site.base}/lab/index.html?path=quickstart.ipynb")
    url = f"{files_server.base}/any/..%2F..%2F..%2Fplanted.py"
    replace_cell(
        nb,
        1,
        "import pathlib\n"
        "from jupyterlite_datasette.download import download\n"
        "folder = pathlib.Path('/tmp/jld-traversal/a/b'); folder.mkdir(parents=True, exist_ok=True)\n"
        f"landed = download({url!r}, folder)\n"
        "print('landed:', landed)\n"
        "print('files:', sorted(str(p) for p in pathlib.Path('/tmp').rglob('*planted*')))\n",
    )
    nb.run_cell(1)
    nb.wait_for_output(1, "landed: /tmp/jld-traversal/a/b/_.._.._planted.py", timeout=60_000)
    nb.wait_for_output(1, "files: ['/tmp/jld-traversal/a/b/_.._.._planted.py']")
