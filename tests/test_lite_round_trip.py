"""JupyterLite: a database by URL (fetched by the browser), CSV files, the .db download and save()."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from support.lab import PYODIDE_KERNEL, NotebookPage, write_notebook
from support.lite import expect_only_local_requests, upload

pytestmark = [pytest.mark.browser, pytest.mark.datasette_065]


def test_url_and_csv_sources_download_and_save_in_jupyterlite(lite_site, lite_page, fixtures_db, tmp_path):
    page, log = lite_page
    # Served by the site's own server, as any static host would serve data files.
    shutil.copy(fixtures_db, lite_site.directory / "remote.db")
    (lite_site.directory / "pets.csv").write_text("id,name,legs\n1,Cleo,4\n2,Polly,2\n")
    (tmp_path / "visits.csv").write_text("pet_id,day\n1,2024-05-01\n2,2024-05-02\n1,2024-05-03\n")
    cells = [
        (
            "%load_ext jupyterlite_datasette\n"
            "import jupyterlite_datasette.download as download, jupyterlite_datasette.progress as progress\n"
            "# Small pieces, so that this small file shows the progress a big one would.\n"
            "download.BROWSER_CHUNK, progress.PROGRESS_OVER = 16384, 0"
        ),
        f"%datasette {lite_site.base}/remote.db {lite_site.base}/pets.csv visits.csv --path /data",
        "w = _",
        "print('saved:', w.save('data'))",
    ]
    notebook = write_notebook(tmp_path / "sources.ipynb", cells, PYODIDE_KERNEL)
    page.goto(f"{lite_site.base}/lab/index.html")
    upload(page, tmp_path / "visits.csv", notebook)
    nb = NotebookPage(page, f"{lite_site.base}/lab/index.html?path=sources.ipynb")
    for cell in range(3):
        nb.run_cell(cell)
    nb.wait_for_output(1, f"{lite_site.base}/remote.db: downloaded to")
    # Fetched a piece at a time, with the progress shown.
    nb.wait_for_output(1, "remote.db: 100% of")
    frame = nb.frame()
    frame.locator("a[href='/data/pets']").first.wait_for(timeout=60_000)
    frame.locator("a[href='/data/visits']").first.click()
    # The table page itself: the database page says "3 rows" of visits too.
    frame.locator("h1", has_text="visits").wait_for()
    frame.locator("h3", has_text="3 rows").wait_for()

    nb.go("/remote/facetable")
    frame.get_by_text("300 rows").wait_for()

    # The toolbar's .db button: the database of the page shown, exactly as served.
    with page.expect_download() as download:
        nb.widget().locator("button.jld-download-db").click()
    assert download.value.suggested_filename == "remote.db"
    assert Path(download.value.path()).read_bytes() == fixtures_db.read_bytes()

    # save() puts the imported tables in the notebook's folder, in the file browser.
    nb.run_cell(3)
    nb.wait_for_output(3, "saved: /drive/data.db")
    page.locator(".jp-DirListing-item", has_text="data.db").wait_for()
    with page.expect_download() as download:
        page.locator(".jp-DirListing-item", has_text="data.db").click(button="right")
        page.locator("li[role=menuitem]", has_text="Download").click()
    with sqlite3.connect(Path(download.value.path())) as conn:
        assert conn.execute("select count(*) from visits").fetchone() == (3,)
        assert conn.execute("select name from pets order by id").fetchall() == [("Cleo",), ("Polly",)]

    expect_only_local_requests(log, lite_site)
