"""SQL that Datasette runs (canned queries from someone else's metadata, write SQL from a page) reaches no other file
and sets nothing for every database in the kernel."""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from urllib.parse import urlencode

import pytest
import sqlite_utils
from support.comm import attach, from_browser, replies

from jupyterlite_datasette import DatasetteWidget
from jupyterlite_datasette.datasette_line import IS_1_0
from jupyterlite_datasette.errors import DatasetteInputError
from jupyterlite_datasette.instance import build_datasette

SECRET = "the-secret-in-another-file"


@pytest.fixture
def secret_db(tmp_path):
    """A file the user never opened, with something worth stealing."""
    path = tmp_path / "elsewhere" / "secret.db"
    path.parent.mkdir()
    sqlite_utils.Database(path)["secrets"].insert({"value": SECRET})
    return path


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def hostile_queries(secret, created):
    """Canned queries as hostile metadata would carry them: paths in the SQL and from the URL."""
    return {
        "attach": f"attach database '{secret}' as other",
        "attach_param": "attach database :path as other",
        "read": "select value from other.secrets",
        "vacuum_into": f"vacuum into '{created}'",
        "vacuum_into_param": "vacuum into :path",
        "attach_write": {"sql": f"attach database '{secret}' as other", "write": True},
        "insert_write": {"sql": "insert into other.secrets (value) values ('written')", "write": True},
        "create_write": {"sql": f"attach database '{created}' as fresh", "write": True},
        "vacuum_write": {"sql": f"vacuum into '{created}'", "write": True},
    }


@pytest.mark.parametrize("write", [False, True], ids=["writes off", "writes on"])
async def test_canned_queries_cannot_attach_read_write_or_create_other_files(fixtures_copy, secret_db, tmp_path, write):
    created = tmp_path / "created.db"
    before = digest(secret_db)
    metadata = {"databases": {"fixtures": {"queries": hostile_queries(secret_db, created)}}}
    ds = build_datasette([fixtures_copy], metadata=metadata, write=write)
    await ds.invoke_startup()

    answers = []
    for path in (
        "/fixtures/attach",
        f"/fixtures/attach_param?path={secret_db}",
        "/fixtures/read",
        "/fixtures/read.json",
        "/fixtures/vacuum_into",
        f"/fixtures/vacuum_into_param?path={created}",
    ):
        answers.append(await ds.client.get(path))
    # The write queries through their forms, with Datasette's CSRF token, as the widget posts them.
    for name in ("attach_write", "insert_write", "create_write", "vacuum_write", "read"):
        form = await ds.client.get(f"/fixtures/{name}")
        token = form.cookies.get("ds_csrftoken")
        answers.append(
            await ds.client.post(f"/fixtures/{name}", data={"csrftoken": token}, cookies={"ds_csrftoken": token})
        )

    for answer in answers:
        assert SECRET not in answer.text
    refusals = [a for a in answers if "too many attached databases" in a.text]
    assert refusals, "SQLite's refusal should show on the pages that tried"
    assert digest(secret_db) == before
    assert not created.exists()
    with sqlite3.connect(secret_db) as conn:
        assert conn.execute("select value from secrets").fetchall() == [(SECRET,)]


async def test_the_attach_limit_is_on_every_connection_datasette_makes(fixtures_db, secret_db):
    ds = build_datasette([fixtures_db], memory=True, write=False)
    await ds.invoke_startup()
    # Datasette 1.0 keeps its internal database apart from the others.
    internal = ds.get_internal_database() if IS_1_0 else ds.databases["_internal"]
    for db in (ds.databases["fixtures"], ds.databases["_memory"], internal):

        def attach(conn):
            with pytest.raises(sqlite3.OperationalError, match="too many attached databases"):
                conn.execute(f"attach database '{secret_db}' as other")

        await db.execute_fn(attach)


async def test_crossdb_attaches_the_databases_opened_and_nothing_more(fixtures_db, secret_db, tmp_path):
    # A name that SQLite's URI syntax (#, %) and SQL's quoting (], ") would each misread.
    name = 'pets #1 ]"100%'
    sqlite_utils.Database(tmp_path / f"{name}.db")["pets"].insert({"name": "Cleo"})
    ds = build_datasette([fixtures_db, tmp_path / f"{name}.db"], crossdb=True)
    await ds.invoke_startup()
    sql = 'select name from "pets #1 ]""100%".pets'
    # (Datasette 1.0 answers queries at /_memory/-/query.json, by a redirect.)
    response = await ds.client.get("/_memory.json", params={"sql": sql, "_shape": "array"}, follow_redirects=True)
    assert response.json() == [{"name": "Cleo"}]
    attached = await ds.databases["_memory"].execute("select name from pragma_database_list")
    assert [row[0] for row in attached] == ["main", "fixtures", name]

    def attach(conn):
        with pytest.raises(sqlite3.OperationalError, match="too many attached databases"):
            conn.execute(f"attach database '{secret_db}' as other")

    await ds.databases["_memory"].execute_fn(attach)


@pytest.mark.parametrize(
    "sql, write",
    [
        ("pragma temp_store_directory = '{folder}'", None),
        ("PRAGMA main.\"Temp_Store_Directory\" = '{folder}'", True),
        ("pragma data_store_directory = '{folder}'", False),
        ("pragma hard_heap_limit = 100000", None),
    ],
    ids=["the query's SQL alone", "quoted, as a write", "data_store_directory", "a memory cap"],
)
def test_canned_queries_cannot_choose_a_folder_for_all_of_sqlite(fixtures_copy, tmp_path, sql, write):
    """SQLite's temp_store_directory sets where every database of the process writes its temporary
    files; SQLite acts on it as it reads the SQL. Metadata carrying it is refused, naming the query."""
    folder = tmp_path / "chosen"
    folder.mkdir()
    # A canned query is its SQL alone, or a mapping with its SQL.
    query = sql.format(folder=folder) if write is None else {"sql": sql.format(folder=folder), "write": write}
    meta = tmp_path / "meta.json"
    meta.write_text(json.dumps({"databases": {"fixtures": {"queries": {"innocent": query}}}}))
    refusal = f"^{re.escape(str(meta))}: canned query 'innocent' of database 'fixtures' sets"
    with pytest.raises(DatasetteInputError, match=refusal):
        build_datasette([fixtures_copy], metadata=meta, write=True)
    assert sqlite3.connect(":memory:").execute("pragma temp_store_directory").fetchall() == []
    assert list(folder.iterdir()) == []


def process_setting(pragma: str) -> list:
    return sqlite3.connect(":memory:").execute(f"pragma {pragma}").fetchall()


@pytest.mark.skipif(not IS_1_0, reason="write SQL sent from a page is Datasette 1.0's")
@pytest.mark.parametrize("pragma, value", [("temp_store_directory", "{folder}"), ("soft_heap_limit", "100000")])
async def test_write_sql_from_a_page_cannot_set_what_all_of_the_kernel_s_sqlite_shares(tmp_path, pragma, value):
    """On 1.0 whoever may run write SQL (root, with writes on) may send it from a page, or a link in
    a page may name its analysis, a GET; SQLite acts on these pragmas as 1.0 analyses the SQL. Both
    are refused, naming the pragma, and the process's SQLite is as it was; other write SQL runs."""
    folder = tmp_path / "chosen"
    folder.mkdir()
    path = tmp_path / "notes.db"
    sqlite_utils.Database(path)["notes"].insert({"id": 1, "body": "first"}, pk="id")
    # Quoted and in mixed case, as SQLite still reads it.
    hostile = f"""PRAGMA main."{pragma.title()}" = '{value.format(folder=folder)}'"""
    honest = "insert into notes (id, body) values (2, 'second')"
    before = process_setting(pragma)
    w = DatasetteWidget(path, write=True, root=True)
    comm = attach(w)
    post = {"method": "POST", "path": "/notes/-/execute-write", "headers": {"content-type": "application/json"}}
    try:
        analysis = f"/notes/-/execute-write/analyze?{urlencode({'sql': hostile})}"
        from_browser(w, {"type": "request", "id": 1, "method": "GET", "path": analysis})
        from_browser(w, {"type": "request", "id": 2, **post}, [json.dumps({"sql": hostile}).encode()])
        from_browser(w, {"type": "request", "id": 3, **post}, [json.dumps({"sql": honest}).encode()])
        answers = {reply["id"]: (reply, body.decode()) for reply, [body] in await replies(comm, 3)}
        assert process_setting(pragma) == before
    finally:
        # Had the attack worked, the rest of the tests would run under its setting.
        sqlite3.connect(":memory:").execute(f"pragma {pragma} = {before[0][0] if before else chr(39) * 2}")
    for refused in (1, 2):
        assert f"not authorized: {pragma} would be set for every database in the kernel" in answers[refused][1]
    assert list(folder.iterdir()) == []
    assert answers[3][0]["status"] == 200, answers[3][1]
    assert [row["body"] for row in sqlite_utils.Database(path)["notes"].rows] == ["first", "second"]
