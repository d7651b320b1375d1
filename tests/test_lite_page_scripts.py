"""In the offline JupyterLite site too: Datasette's JavaScript, a plugin, writes and downloads.

Everything runs in the Pyodide kernel in headless Chromium, from files a user
uploads through the file browser, with no request leaving 127.0.0.1.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from support.databases import datasette_answer, make_notes_db
from support.lab import PYODIDE_KERNEL, NotebookPage, write_notebook
from support.lite import expect_only_local_requests, upload
from support.plugin import expect_plugin_ran, install_cell

pytestmark = [pytest.mark.browser, pytest.mark.datasette_065]

LOCAL = "/tmp/jupyterlite-datasette"

CELLS = [
    install_cell(),
    "%load_ext jupyterlite_datasette",
    "%datasette fixtures.db --path /fixtures/facetable",
    "%datasette notes_on.db -m notes_on.json --write --path /notes_on/add_note",
    "w_on = _",
    "%datasette notes_off.db -m notes_off.json --path /notes_off/add_note",
    (
        "import hashlib, pathlib\n"
        "print('rows:', w_on.query('select body from notes'))\n"
        f"print('off:', hashlib.sha256(pathlib.Path('{LOCAL}/notes_off.db').read_bytes()).hexdigest())"
    ),
    "saved = w_on.save()",
    (
        "import shutil, sqlite3\n"
        "shutil.copy(saved, '/tmp/check.db')\n"
        "print('in the notebook folder:', sqlite3.connect('/tmp/check.db').execute('select body from notes').fetchall())"
    ),
]


def test_scripts_plugin_writes_and_downloads_in_jupyterlite(lite_site, lite_page, fixtures_db, tmp_path):
    page, log = lite_page
    files = [shutil.copy(fixtures_db, tmp_path / "fixtures.db")]
    for name in ("notes_on", "notes_off"):
        files += [make_notes_db(tmp_path / f"{name}.db", tmp_path / f"{name}.json"), tmp_path / f"{name}.json"]
    files.append(write_notebook(tmp_path / "fidelity.ipynb", CELLS, PYODIDE_KERNEL))
    off_digest = hashlib.sha256((tmp_path / "notes_off.db").read_bytes()).hexdigest()

    page.goto(f"{lite_site.base}/lab/index.html")
    upload(page, *map(Path, files))
    nb = NotebookPage(page, f"{lite_site.base}/lab/index.html?path=fidelity.ipynb")
    nb.run_all()
    # Every cell, so that JupyterLab has stopped scrolling to the running one before any click.
    nb.wait_for_run_all()
    nb.wait_for_output(6, f"off: {off_digest}")
    tables, notes_on, notes_off = nb.frame(0), nb.frame(1), nb.frame(2)

    # The plugin's script and stylesheet, with fetch and XHR answered by Pyodide.
    expect_plugin_ran(tables, "/fixtures/facetable")

    # The cog menu.
    tables.locator("th.col-score .dropdown-menu-icon").click()
    tables.locator(".dropdown-menu a.dropdown-sort-desc").click()
    tables.locator("th.col-score", has_text="score ▲").wait_for()
    assert nb.address(0) == "/fixtures/facetable?_sort_desc=score"

    # A CSV download, byte for byte what Datasette answers.
    csv_link = tables.locator("a[href*='.csv']", has_text="CSV").first
    with page.expect_download() as download:
        csv_link.click()
    assert download.value.suggested_filename == "facetable.csv"
    assert Path(download.value.path()).read_bytes() == datasette_answer(fixtures_db, csv_link.get_attribute("href"))

    # CodeMirror and Shift+Enter.
    tables.locator(".crumbs a[href='/fixtures']").click()
    tables.locator(".CodeMirror").wait_for()
    nb.type_sql("select 2 + 3 as five")
    page.keyboard.press("Shift+Enter")
    tables.locator("td.col-five", has_text="5").wait_for()

    # A write canned query with writes on: the kernel's copy of the file changes.
    notes_on.locator("input[name=body]").fill("written in JupyterLite")
    notes_on.locator("input[type=submit][value='Run SQL']").click()
    notes_on.locator(".message-info", has_text="Query executed, 1 row affected").wait_for()
    # With writes off, Datasette refuses and the file is untouched.
    notes_off.locator(".message-error", has_text="the database is immutable").wait_for()
    assert notes_off.locator("input[type=submit][value='Run SQL']").is_disabled()
    nb.run_cell(6)
    nb.wait_for_output(6, "rows: [{'body': 'written in JupyterLite'}]")
    nb.wait_for_output(6, f"off: {off_digest}")
    # save() writes the kernel's copy back over the file in the notebook's folder.
    nb.run_cell(7)
    nb.wait_for_output(7, "notes_on: saved to /drive/notes_on.db")
    nb.run_cell(8)
    nb.wait_for_output(8, "in the notebook folder: [('written in JupyterLite',)]")

    expect_only_local_requests(log, lite_site)
