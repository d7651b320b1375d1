"""End to end in JupyterLab: a URL, a CSV file and a DataFrame in one widget, and back to Python."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from support.lab import APPLY_FILTERS, open_notebook

pytestmark = pytest.mark.browser


def test_url_csv_and_dataframe_then_pandas_download_and_save(page, lab, files_server):
    (lab.root / "pets.csv").write_text("id,name,legs\n1,Cleo,4\n2,Polly,2\n")
    cells = [
        (
            "import pandas as pd\n"
            "cities = pd.DataFrame({'city': ['Oslo', 'Lima', 'Pune'], 'population': [709000, 10000000, 3100000]})"
        ),
        "%load_ext jupyterlite_datasette",
        f"%datasette {files_server.url('fixtures.db')} pets.csv cities --write --path /data",
        "w = _",
        "frame = await w.to_pandas()\nprint('rows:', len(frame), list(frame.columns))",
        "print('saved:', w.save('data'))",
    ]
    nb = open_notebook(page, lab, "round-trip.ipynb", cells)
    for cell in range(4):
        nb.run_cell(cell)
    frame = nb.frame()
    frame.locator("h1", has_text="data").wait_for()
    frame.locator("a[href='/data/pets']").first.wait_for()

    # The DataFrame's table, filtered in the widget, comes back as a DataFrame.
    frame.locator("a[href='/data/cities']").first.click()
    frame.locator("select[name=_filter_column]").select_option("population")
    frame.locator("select[name=_filter_op]").select_option("gt")
    frame.locator("input[name=_filter_value]").fill("1000000")
    frame.locator(APPLY_FILTERS).click()
    frame.get_by_text("2 rows where population > 1000000").wait_for()
    nb.run_cell(4)
    nb.wait_for_output(4, "rows: 2 ['rowid', 'city', 'population']")

    # The URL's database is there too.
    nb.go("/fixtures/facetable")
    frame.get_by_text("300 rows").wait_for()

    # The toolbar's .db button downloads the database of the page shown.
    nb.go("/data/pets")
    frame.locator("td", has_text="Polly").wait_for()
    with page.expect_download() as download:
        nb.widget().locator("button.jld-download-db").click()
    assert download.value.suggested_filename == "data.db"
    with sqlite3.connect(Path(download.value.path())) as conn:
        assert conn.execute("select name, legs from pets order by id").fetchall() == [("Cleo", 4), ("Polly", 2)]
        assert conn.execute("select count(*) from cities").fetchone() == (3,)

    # save() puts the database beside the notebook.
    nb.run_cell(5)
    nb.wait_for_output(5, f"saved: {lab.root / 'data.db'}")
    with sqlite3.connect(lab.root / "data.db") as conn:
        assert conn.execute("select city from cities order by population desc").fetchall()[0] == ("Lima",)
