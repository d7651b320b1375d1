"""Every kind of source, and every bad one: files, URLs (a real HTTP server), table files, DataFrames."""

from __future__ import annotations

import _thread
import json
import socket
import sqlite3
import tempfile
import threading

import pandas as pd
import pytest
import sqlite_utils
from support.databases import instance_metadata

from jupyterlite_datasette import DatasetteWidget
from jupyterlite_datasette.download import download
from jupyterlite_datasette.errors import (
    DatabaseFileError,
    DatasetteInputError,
    DownloadError,
    TableNameError,
    TabularFileError,
)
from jupyterlite_datasette.gather import gather
from jupyterlite_datasette.instance import build_datasette

CSV = "id,name,score,joined\n1,Cleo,9.5,2024-01-02\n2,Pancakes,7,2024-03-04\n"
TSV = CSV.replace(",", "\t")
ROWS = [{"id": 1, "name": "Cleo", "score": 9.5}, {"id": 2, "name": "Pancakes", "score": 7.0}]
TABLE_FILES = {
    "pets.csv": CSV,
    "pets.tsv": TSV,
    "pets.json": json.dumps(ROWS),
    "pets.ndjson": "\n".join(json.dumps(row) for row in ROWS) + "\n",
    "pets.jsonl": "\n".join(json.dumps(row) for row in ROWS) + "\n",
}


@pytest.fixture(autouse=True)
def own_tempdir(tmp_path, monkeypatch):
    """Kernel-local folders land here, so a test can see that none is left behind."""
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    return scratch


def user_databases(ds):
    return set(ds.databases) - {"_internal"}


def user_tables(ds, database="data"):
    return sqlite_utils.Database(ds.databases[database].path).table_names()


def rows_of(ds, table, database="data"):
    return list(sqlite_utils.Database(ds.databases[database].path)[table].rows)


@pytest.mark.parametrize("name", sorted(TABLE_FILES))
def test_table_files_become_tables_named_after_the_file(tmp_path, name):
    path = tmp_path / name
    path.write_text(TABLE_FILES[name])
    ds = build_datasette([path])
    assert user_tables(ds) == ["pets"]
    assert [(r["id"], r["name"], r["score"]) for r in rows_of(ds, "pets")] == [(1, "Cleo", 9.5), (2, "Pancakes", 7)]
    columns = sqlite_utils.Database(ds.databases["data"].path)["pets"].columns_dict
    # Types detected from CSV/TSV text, kept from JSON.
    assert (columns["id"], columns["name"], columns["score"]) == (int, str, float)
    assert not ds.databases["data"].is_mutable


def test_several_files_go_into_one_database_beside_sqlite_files(tmp_path, fixtures_db):
    (tmp_path / "pets.csv").write_text(CSV)
    (tmp_path / "owners.json").write_text(json.dumps([{"owner": "Ada"}]))
    ds = build_datasette([fixtures_db, tmp_path / "pets.csv", tmp_path / "owners.json"])
    assert user_databases(ds) == {"fixtures", "data"}
    assert sorted(user_tables(ds)) == ["owners", "pets"]


def test_dataframes_positional_and_named(tmp_path):
    frame = pd.DataFrame({"city": ["Oslo", "Lima"], "population": [709_000, 10_000_000]})
    indexed = frame.set_index("city")
    (tmp_path / "pets.csv").write_text(CSV)
    ds = build_datasette([frame], tables={"cities": indexed, "animals": tmp_path / "pets.csv"})
    assert sorted(user_tables(ds)) == ["animals", "cities", "dataframe"]
    assert rows_of(ds, "dataframe") == [
        {"city": "Oslo", "population": 709_000},
        {"city": "Lima", "population": 10_000_000},
    ]
    # A meaningful index is kept as a column; 0, 1, 2... is not.
    assert rows_of(ds, "cities")[0] == {"city": "Oslo", "population": 709_000}


def test_urls_of_sqlite_and_table_files(files_server):
    (files_server.directory / "pets.csv").write_text(CSV)
    ds = build_datasette([files_server.url("fixtures.db"), files_server.url("pets.csv")])
    assert user_databases(ds) == {"fixtures", "data"}
    assert user_tables(ds) == ["pets"]
    assert sqlite_utils.Database(ds.databases["fixtures"].path)["facetable"].count == 300


DUMP = """BEGIN TRANSACTION;
CREATE TABLE birds (id INTEGER PRIMARY KEY, name TEXT, wingspan REAL);
INSERT INTO birds VALUES(1,'Puffin',0.55);
INSERT INTO birds VALUES(2,'Albatross',3.4);
CREATE VIEW big_birds AS SELECT name FROM birds WHERE wingspan > 1;
COMMIT;
"""


def test_sql_files_and_urls_become_databases_named_after_them(tmp_path, files_server, own_tempdir):
    """A dump (``sqlite3 birds.db .dump``), local or by URL, as Datasette Lite's ``?sql=``."""
    (tmp_path / "birds.sql").write_text(DUMP)
    (files_server.directory / "seabirds.sql").write_text(DUMP.replace("Puffin", "Gannet"))
    w = DatasetteWidget(tmp_path / "birds.sql", files_server.url("seabirds.sql"))
    assert user_databases(w.ds) == {"birds", "seabirds"}
    assert w.query("select name from big_birds", "birds") == [{"name": "Albatross"}]
    assert w.query("select name from birds order by id", "seabirds")[0] == {"name": "Gannet"}
    # Opened as any file is: read-only unless asked.
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        w.query("insert into birds (name) values ('Gull')", "birds")
    assert (tmp_path / "birds.sql").read_text() == DUMP


@pytest.mark.parametrize(
    "sql, message",
    [
        ("create table t (x);\nselect * from nowhere;", "no such table: nowhere; fix the SQL"),
        ("", "is empty"),
        # Someone else's SQL reaches no other file: neither reads it nor writes one.
        ("attach database 'secret.db' as s; create table t as select * from s.secrets;", "too many attached"),
        ("create table t (x); vacuum into 'written.db';", "too many attached"),
        ("create table t (x); pragma temp_store_directory = '.';", "not authorized"),
    ],
)
def test_bad_sql_files_are_one_error_and_touch_no_other_file(tmp_path, own_tempdir, monkeypatch, sql, message):
    monkeypatch.chdir(tmp_path)
    sqlite_utils.Database(tmp_path / "secret.db")["secrets"].insert({"key": "hunter2"})
    (tmp_path / "bad.sql").write_text(sql)
    with pytest.raises(DatasetteInputError, match=message) as raised:
        build_datasette([tmp_path / "bad.sql"])
    assert str(raised.value).startswith(f"{tmp_path / 'bad.sql'}: ")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.sql", "scratch", "secret.db"]
    assert list(own_tempdir.iterdir()) == []
    assert sqlite3.connect(":memory:").execute("pragma temp_store_directory").fetchall() == []


def test_sql_that_runs_on_stops_at_the_interrupt(tmp_path, own_tempdir):
    """A recursive query with no end: the kernel's Interrupt (a KeyboardInterrupt) stops it."""
    (tmp_path / "forever.sql").write_text(
        "create table t as with recursive c(x) as (select 1 union all select x + 1 from c) select count(*) from c;"
    )
    interrupt = threading.Timer(0.5, _thread.interrupt_main)
    interrupt.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            build_datasette([tmp_path / "forever.sql"])
    finally:
        interrupt.cancel()
    assert list(own_tempdir.iterdir()) == []


def test_metadata_by_url_is_read_and_not_kept(files_server, fixtures_db, own_tempdir, capsys):
    (files_server.directory / "meta.yml").write_text("title: Served metadata\n")
    ds = build_datasette([fixtures_db], metadata=files_server.url("meta.yml"))
    assert instance_metadata(ds)["title"] == "Served metadata"
    # (Datasette 1.0 keeps a temporary database of its own there.)
    assert [p for p in own_tempdir.iterdir() if not p.name.startswith("datasette_temp_")] == []
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("missing.yml", None, "the server answered 404"),
        ("broken.yml", "a: [b\n", "metadata is not valid JSON or YAML"),
        ("list.json", "[1, 2]", "metadata must be a JSON or YAML object"),
    ],
)
def test_bad_metadata_by_url_is_one_line_naming_the_url(files_server, fixtures_db, own_tempdir, name, content, message):
    if content is not None:
        (files_server.directory / name).write_text(content)
    url = files_server.url(name)
    with pytest.raises(DatasetteInputError, match=message) as raised:
        build_datasette([fixtures_db], metadata=url)
    assert str(raised.value).startswith(f"{url}: ") and "\n" not in str(raised.value)
    assert list(own_tempdir.iterdir()) == []


def test_large_downloads_show_progress(files_server, capsys, monkeypatch):
    monkeypatch.setattr("jupyterlite_datasette.progress.PROGRESS_OVER", 1000)
    path = download(files_server.url("fixtures.db"))
    out = capsys.readouterr().out
    assert "100% of" in out and f"downloaded to {path}" in out


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}/gone.db"


BAD = {
    "missing file": (lambda d, s: d / "nope.db", DatabaseFileError, "nope.db: no such file"),
    "missing csv": (lambda d, s: d / "nope.csv", DatabaseFileError, "nope.csv: no such file"),
    "empty sqlite": (lambda d, s: write(d / "empty.db", b""), DatabaseFileError, "is empty"),
    "not sqlite": (lambda d, s: write(d / "notes.txt", b"hello"), DatabaseFileError, "is not a SQLite database"),
    "corrupt sqlite": (
        lambda d, s: write(d / "bad.db", b"SQLite format 3\x00" + b"\xff" * 2000),
        DatabaseFileError,
        "is a corrupt SQLite database",
    ),
    "empty csv": (lambda d, s: write(d / "e.csv", b""), TabularFileError, "e.csv: is empty"),
    "csv with extra fields": (
        lambda d, s: write(d / "x.csv", b"a,b\n1,2,3\n"),
        TabularFileError,
        "more fields than the header",
    ),
    "csv not utf-8": (lambda d, s: write(d / "y.csv", b"a,b\n\xff\xfe,1\n"), TabularFileError, "cannot be read as CSV"),
    "malformed json": (lambda d, s: write(d / "m.json", b'[{"a": 1},'), TabularFileError, "is not valid JSON"),
    "json of numbers": (lambda d, s: write(d / "n.json", b"[1, 2]"), TabularFileError, "not an object"),
    "bad ndjson line": (lambda d, s: write(d / "l.ndjson", b'{"a": 1}\nnope\n'), TabularFileError, "not valid JSON"),
    "parquet not parquet": (
        lambda d, s: write(d / "p.parquet", b"id,name\n1,Cleo\n"),
        TabularFileError,
        "p.parquet: cannot be read as Parquet",
    ),
    "404 url": (lambda d, s: s.url("missing.db"), DownloadError, "the server answered 404"),
    "unreachable host": (lambda d, s: closed_port_url(), DownloadError, "cannot be downloaded"),
    "url of not sqlite": (lambda d, s: s.url("hello.txt"), DatabaseFileError, "hello.txt: is not a SQLite database"),
}


def write(path, data: bytes):
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_sources_fail_with_one_line_and_leave_nothing(tmp_path, files_server, own_tempdir, fixtures_db, case):
    (files_server.directory / "hello.txt").write_text("hello")
    make, error, message = BAD[case]
    source = make(tmp_path, files_server)
    # A good source before the bad one: it must not stay half-registered either.
    with pytest.raises(error, match=message) as raised:
        build_datasette([files_server.url("fixtures.db"), source])
    text = str(raised.value)
    assert "\n" not in text and str(source) in text
    assert list(own_tempdir.iterdir()) == []


def test_parquet_files_and_urls_become_typed_tables(tmp_path, files_server):
    import datetime

    import pyarrow as pa
    import pyarrow.parquet as pq

    columns = {
        "id": [1, 2, None],
        "name": ["Cleo", None, "Pancakes"],
        "score": [9.5, None, 7.0],
        "good": [True, False, None],
        "born": [datetime.datetime(2020, 1, 2, 3, 4, 5), None, None],
        "photo": [b"\x89PNG", None, b""],
        "tags": [["cat", "grey"], [], None],
    }
    pq.write_table(pa.table(columns), tmp_path / "pets.parquet")
    pq.write_table(pa.table({"city": pa.array([], pa.string())}), files_server.directory / "empty.parquet")
    ds = build_datasette([tmp_path / "pets.parquet", files_server.url("empty.parquet")])
    assert user_tables(ds) == ["pets", "empty"]
    assert rows_of(ds, "pets")[0] == {
        "id": 1,
        "name": "Cleo",
        "score": 9.5,
        "good": 1,
        "born": "2020-01-02T03:04:05",
        "photo": b"\x89PNG",
        "tags": '["cat", "grey"]',
    }
    types = {c.name: c.type for c in sqlite_utils.Database(ds.databases["data"].path)["pets"].columns}
    assert types == {
        "id": "INTEGER",
        "name": "TEXT",
        "score": "REAL",
        "good": "INTEGER",
        "born": "TEXT",
        "photo": "BLOB",
        "tags": "TEXT",
    }
    # A file with columns and no rows is still a table, with its columns.
    assert [c.name for c in sqlite_utils.Database(ds.databases["data"].path)["empty"].columns] == ["city"]


def test_parquet_without_pyarrow_says_to_install_it(tmp_path, monkeypatch, own_tempdir):
    (tmp_path / "pets.parquet").write_bytes(b"PAR1")
    monkeypatch.setitem(__import__("sys").modules, "pyarrow", None)  # as if it were not installed
    with pytest.raises(
        TabularFileError, match=r"pets.parquet: reading Parquet needs pyarrow: install it \(%pip install"
    ):
        build_datasette([tmp_path / "pets.parquet"])
    assert list(own_tempdir.iterdir()) == []


def test_a_url_that_does_not_answer_in_time(files_server):
    with pytest.raises(DownloadError, match="no answer within 0.5 s"):
        download(files_server.url("slow/fixtures.db"), timeout=0.5)


def test_name_collisions_are_refused(tmp_path, own_tempdir):
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "pets.csv").write_text(CSV)
    with pytest.raises(TableNameError, match="makes a table named 'pets' already"):
        build_datasette([tmp_path / "a" / "pets.csv", tmp_path / "b" / "pets.csv"])
    with pytest.raises(TableNameError, match="'pets'"):
        build_datasette([tmp_path / "a" / "pets.csv"], tables={"pets": pd.DataFrame({"x": [1]})})
    assert list(own_tempdir.iterdir()) == []


@pytest.mark.parametrize(
    "tables, message",
    [
        ({"": pd.DataFrame({"x": [1]})}, "non-empty string"),
        ({"t": 42}, "is a int; pass a pandas DataFrame"),
        ({"t": pd.DataFrame({"x": [{1, 2}]})}, "cannot be written to SQLite"),
    ],
)
def test_bad_tables(tables, message):
    with pytest.raises(DatasetteInputError, match=message):
        build_datasette([], tables=tables)


def test_sqlite_files_in_tables_are_refused(fixtures_db):
    with pytest.raises(TabularFileError, match="pass SQLite databases as files"):
        build_datasette([], tables={"t": fixtures_db})


def test_imported_data_is_writable_on_request(tmp_path):
    (tmp_path / "pets.csv").write_text(CSV)
    assert build_datasette([tmp_path / "pets.csv"], write=True).databases["data"].is_mutable


def test_gather_keeps_order_and_leaves_no_folder_for_plain_files(fixtures_db, hostile_db, own_tempdir):
    found = gather([hostile_db, fixtures_db])
    assert found.all == [hostile_db, fixtures_db] and found.imported is None
    assert list(own_tempdir.iterdir()) == []


def test_the_widget_takes_every_kind(tmp_path, files_server, fixtures_db):
    (tmp_path / "pets.csv").write_text(CSV)
    w = DatasetteWidget(fixtures_db, files_server.url("fixtures.db"), tmp_path / "pets.csv", pd.DataFrame({"x": [1]}))
    assert user_databases(w.ds) == {"fixtures", "fixtures_2", "data"}
    tables = w.query("select name from sqlite_master where type = 'table' order by name", "data")
    assert tables == [{"name": "dataframe"}, {"name": "pets"}]


@pytest.mark.parametrize(
    "name, kept_as",
    [
        ("..%2F..%2Fescaped.py", "_.._escaped.py"),
        ("%2Ftmp%2Fabsolute.py", "_tmp_absolute.py"),
        ("..%5C..%5Cbackslash.py", "_.._backslash.py"),
        ("nul%00byte.db", "nul_byte.db"),
        ("%2E%2E", "127.0.0.1"),
        ("%2E", "127.0.0.1"),
        (".hidden.db", "hidden.db"),
    ],
)
def test_a_url_never_chooses_where_its_download_lands(files_server, tmp_path, name, kept_as):
    from support.files_server import ANY_BODY

    folder = tmp_path / "nest" / "downloads"
    folder.mkdir(parents=True)
    path = download(f"{files_server.base}/any/{name}", folder)
    assert path.parent == folder.resolve()
    assert path.name == kept_as
    assert path.read_bytes() == ANY_BODY
    # Nothing anywhere else under tmp_path, nor beside the folder.
    written = {p for p in tmp_path.rglob("*") if p.is_file()}
    assert written == {path}


def test_a_traversing_url_given_to_the_widget_writes_nothing_outside(files_server, own_tempdir, tmp_path):
    with pytest.raises(DatabaseFileError, match="is not a SQLite database"):
        build_datasette([f"{files_server.base}/any/..%2F..%2F..%2Fplanted.py"])
    assert not list(tmp_path.rglob("planted.py"))
    assert list(own_tempdir.iterdir()) == []


async def test_a_url_whose_name_is_uri_syntax_opens_what_it_downloaded_and_no_other_file(files_server, own_tempdir):
    """Datasette opens a file by the SQLite URI `file:{path}`, where `%2F` is a slash: a name
    that spells `..%2F` once its URL is decoded must not open a file in a folder above."""
    secret = own_tempdir / "secret.db"  # where the name's path leads from the download's folder
    sqlite_utils.Database(secret)["secrets"].insert({"value": "not yours"})
    name = "x%2F..%2F..%2F..%2Fsecret.db"
    sqlite_utils.Database(files_server.directory / name)["served"].insert({"value": "downloaded"})

    for write in (False, True):
        ds = build_datasette([files_server.url(name.replace("%", "%25"))], write=write)
        (db,) = [db for db in ds.databases.values() if db.path]
        assert db.path.endswith("/" + name)
        assert await db.table_names() == ["served"]
        if write:
            await db.execute_write("insert into served (value) values ('written')")
    assert sqlite_utils.Database(secret)["secrets"].count == 1


def test_a_symlinked_name_in_the_folder_is_refused(files_server, tmp_path):
    folder = tmp_path / "downloads"
    folder.mkdir()
    (folder / "trap.db").symlink_to(tmp_path / "outside.db")
    with pytest.raises(DatasetteInputError, match="would be written outside"):
        download(f"{files_server.base}/any/trap.db", folder)
    assert not (tmp_path / "outside.db").exists()
