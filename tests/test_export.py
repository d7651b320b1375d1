"""Data out: every row of a view as a DataFrame, saving databases, the toolbar's .db download."""

from __future__ import annotations

import shutil
import sqlite3

import pandas as pd
import pytest
import sqlite_utils
from support.comm import attach, from_browser, replies

from jupyterlite_datasette import DatasetteWidget
from jupyterlite_datasette.errors import ExportError
from jupyterlite_datasette.instance import build_datasette


@pytest.fixture
def small_pages(fixtures_db):
    """At most 40 rows per answer: 300 rows take eight pages."""
    return DatasetteWidget(fixtures_db, settings={"max_returned_rows": 40})


async def test_to_pandas_reads_every_page_of_the_filtered_view(small_pages):
    frame = await small_pages.to_pandas("/fixtures/facetable?state=CA&_sort_desc=score")
    expected = small_pages.query("select * from facetable where state = 'CA' order by score desc, id")
    assert len(frame) == 100 == len(expected)
    assert list(frame.columns) == list(expected[0])
    assert frame["score"].tolist() == [row["score"] for row in expected]


async def test_to_pandas_defaults_to_the_page_shown(small_pages):
    small_pages.path = "/fixtures/states"
    frame = await small_pages.to_pandas()
    assert frame.to_dict("records") == [
        {"code": "CA", "name": "California"},
        {"code": "MI", "name": "Michigan"},
        {"code": "NY", "name": "New York"},
    ]


async def test_to_pandas_of_a_query_warns_when_truncated(small_pages):
    with pytest.warns(UserWarning, match="only the first 40 rows"):
        frame = await small_pages.to_pandas("/fixtures?sql=select+id+from+facetable")
    assert len(frame) == 40


async def test_to_pandas_of_a_page_without_rows_is_a_clear_error(small_pages):
    with pytest.raises(ExportError, match="no rows; open a table"):
        await small_pages.to_pandas("/")


def test_save_writes_imported_data_to_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    w = DatasetteWidget(tables={"cities": pd.DataFrame({"city": ["Oslo", "Lima"]})}, write=True)
    saved = w.save()
    assert saved == tmp_path / "data.db"
    assert list(sqlite_utils.Database(saved)["cities"].rows) == [{"city": "Oslo"}, {"city": "Lima"}]


def test_save_knows_each_database_by_where_it_came_from(tmp_path, monkeypatch, fixtures_db, files_server):
    monkeypatch.chdir(tmp_path)
    # The user's own file, in a folder named as the kernel's own working folders are: saved in place.
    own = tmp_path / "jupyterlite-datasette-notes" / "own.db"
    own.parent.mkdir()
    shutil.copy(fixtures_db, own)
    w = DatasetteWidget(own, files_server.url("fixtures.db"))
    assert w.save("own") == own
    assert sorted(path.name for path in tmp_path.iterdir()) == ["jupyterlite-datasette-notes"]
    # A download goes to the working directory.
    assert w.save("fixtures") == tmp_path / "fixtures.db"
    # A Datasette built elsewhere (ds=) holds files opened in place.
    assert DatasetteWidget(ds=build_datasette([own])).save("own") == own


async def test_save_after_a_write(tmp_path, fixtures_db, capsys):
    mine = tmp_path / "mine.db"
    shutil.copy(fixtures_db, mine)
    w = DatasetteWidget(mine, write=True)
    await w.ds.databases["mine"].execute_write("delete from facetable where state = 'NY'")
    # A file opened in place already holds the change.
    assert w.save() == mine
    copy = w.save(to=tmp_path / "copy.db")
    assert "mine: saved to" in capsys.readouterr().out
    with sqlite3.connect(copy) as conn:
        assert conn.execute("select count(*) from facetable").fetchone() == (200,)


def test_save_names_bad_databases(fixtures_db):
    w = DatasetteWidget(fixtures_db, memory=True)
    with pytest.raises(ExportError, match="no database named 'nope'"):
        w.save("nope")
    with pytest.raises(ExportError, match="in-memory database"):
        w.save("_memory")


async def test_the_toolbar_download_is_the_database_of_the_page(fixtures_db, hostile_db):
    w = DatasetteWidget(hostile_db, fixtures_db)
    attach(w)
    from_browser(w, {"type": "database", "id": 7, "path": "/fixtures/facetable?state=CA"})
    [(reply, buffers)] = await replies(w.comm)
    assert reply["status"] == 200
    assert reply["headers"] == [["content-disposition", 'attachment; filename="fixtures.db"']]
    assert bytes(buffers[0]) == fixtures_db.read_bytes()
    # A page of no database: the first one.
    from_browser(w, {"type": "database", "id": 8, "path": "/-/versions"})
    _, (reply, _) = await replies(w.comm, 2)
    assert reply["final_path"] == "/hostile.db"


async def test_the_toolbar_download_of_memory_only_says_why(fixtures_db):
    w = DatasetteWidget(memory=True)
    attach(w)
    from_browser(w, {"type": "database", "id": 1, "path": "/_memory"})
    [(reply, _)] = await replies(w.comm)
    assert "in-memory database" in reply["error"]
