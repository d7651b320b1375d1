import asyncio
import hashlib
import subprocess
import sys
import threading

import pytest
import sqlite_utils
from datasette.app import Datasette
from support.databases import instance_metadata

from jupyterlite_datasette.datasette_line import IS_1_0
from jupyterlite_datasette.errors import SettingError
from jupyterlite_datasette.instance import build_datasette, coerce_setting


def test_files_are_opened_immutable(fixtures_db):
    ds = build_datasette([fixtures_db])
    assert not ds.databases["fixtures"].is_mutable


async def test_writes_are_opt_in(tmp_path):
    import sqlite_utils

    path = tmp_path / "notes.db"
    sqlite_utils.Database(path)["notes"].insert({"body": "first"})
    assert not build_datasette([path]).databases["notes"].is_mutable
    ds = build_datasette([path], write=True)
    assert ds.databases["notes"].is_mutable
    await ds.databases["notes"].execute_write("insert into notes (body) values ('second')")
    assert [r["body"] for r in sqlite_utils.Database(path)["notes"].rows] == ["first", "second"]


@pytest.mark.parametrize("write", [False, True], ids=["read-only", "writes on"])
async def test_a_file_opens_by_its_name_whatever_characters_it_holds(tmp_path, write):
    # SQLite reads the path in Datasette's `file:` URI: # as a fragment, ? as a query, %xx.
    names = ["report #3", "what?", "100%", "50%25 off"]
    for name in names:
        sqlite_utils.Database(tmp_path / f"{name}.db")["t"].insert({"name": name})
    before = set(tmp_path.iterdir())
    ds = build_datasette([tmp_path / f"{name}.db" for name in names], write=write)
    for name in names:
        assert await ds.databases[name].table_names() == ["t"]
        assert [row[0] for row in await ds.databases[name].execute("select name from t")] == [name]
    # ... and no file appears beside them, as "report " would from "report #3.db".
    assert set(tmp_path.iterdir()) == before


def test_memory_database_is_added_on_request(fixtures_db):
    assert "_memory" in build_datasette([fixtures_db], memory=True).databases
    assert "_memory" not in build_datasette([fixtures_db]).databases


def test_metadata_from_a_mapping_or_a_file(fixtures_db, tmp_path):
    assert instance_metadata(build_datasette([fixtures_db], metadata={"title": "T"}))["title"] == "T"
    meta = tmp_path / "m.yml"
    meta.write_text("title: From YAML\n")
    assert instance_metadata(build_datasette([fixtures_db], metadata=meta))["title"] == "From YAML"


async def test_reads_run_in_the_loop_unless_threads_are_asked_for_and_never_in_pyodide(fixtures_db, monkeypatch):
    def reading_thread(conn):
        return threading.get_ident()

    here = threading.get_ident()
    ds = build_datasette([fixtures_db])
    assert ds.reads_in_loop
    assert await ds.databases["fixtures"].execute_fn(reading_thread) == here
    # Without Datasette's threads, as under Pyodide, but on a connection of this thread.
    assert build_datasette([fixtures_db], settings={"num_sql_threads": 0}).reads_in_loop
    ds = build_datasette([fixtures_db], settings={"num_sql_threads": 3})
    assert not ds.reads_in_loop
    assert await ds.databases["fixtures"].execute_fn(reading_thread) != here
    monkeypatch.setattr("sys.platform", "emscripten")
    ds = build_datasette([fixtures_db], settings={"num_sql_threads": 3})
    assert (ds.setting("num_sql_threads"), ds.executor, ds.reads_in_loop) == (0, None, False)


@pytest.mark.parametrize("settings", [{}, {"num_sql_threads": 3}], ids=["in the loop", "in threads"])
async def test_a_newer_click_cancels_a_page_between_its_queries(fixtures_db, settings):
    """A page's queries run in the loop one after another; each read lets the loop turn first,
    so the task of a page that a newer click supersedes stops at its next query, as with threads."""
    from jupyterlite_datasette import transport
    from jupyterlite_datasette.datasette_line import READ_METHOD
    from jupyterlite_datasette.sql_in_loop import LoopReadingDatabase

    ds = build_datasette([fixtures_db], settings=settings)
    await ds.invoke_startup()
    reads = []
    original = getattr(LoopReadingDatabase, READ_METHOD)

    async def counted(self, fn):
        reads.append(fn)
        return await original(self, fn)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(LoopReadingDatabase, READ_METHOD, counted)
        await transport.request(ds, "/fixtures/facetable")
        whole_page = len(reads)
        reads.clear()
        page = asyncio.ensure_future(transport.request(ds, "/fixtures/facetable"))
        while len(reads) < 3:
            await asyncio.sleep(0)
        page.cancel()
        with pytest.raises(asyncio.CancelledError):
            await page
    assert whole_page > 10
    assert len(reads) <= 4


TWO_LOOPS = """
import asyncio, sys, threading
from datasette.database import QueryInterrupted
from jupyterlite_datasette.instance import build_datasette

ds = build_datasette([sys.argv[1]])
db = ds.databases["fixtures"]
done = threading.Event()
interrupted = []

async def long_queries():
    # Each runs until Datasette's time limit stops it, in SQLite's progress handler.
    try:
        for _ in range(30):
            try:
                await db.execute(
                    "with recursive c(x) as (select 1 union all select x + 1 from c) select count(*) from c",
                    custom_time_limit=30,
                )
            except QueryInterrupted:
                interrupted.append(True)
    finally:
        done.set()

async def reads_until_done():
    count = 0
    while not done.is_set():
        await db.execute("select count(*) from facetable")
        count += 1
    return count

asyncio.run(db.execute("select 1"))
other = threading.Thread(target=asyncio.run, args=(long_queries(),))
other.start()
reads = asyncio.run(reads_until_done())
other.join()
print(len(interrupted), reads)
"""


def in_own_process(script: str, database, doing: str) -> str:
    """What `script` prints, run on `database` in a Python of its own: two threads that deadlock
    must not hang the test run."""
    try:
        run = subprocess.run(
            [sys.executable, "-c", script, str(database)], check=False, capture_output=True, text=True, timeout=60
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"two threads {doing} one database at once deadlocked")
    assert run.returncode == 0, run.stderr
    return run.stdout


def test_two_threads_each_with_a_loop_read_at_once(fixtures_db):
    """As in JupyterLab 4.4 and later, where a widget's messages come over a kernel subshell (a
    thread with a loop of its own) while cells run in the main thread's: the two read the same
    database at once. Sharing one connection, they deadlocked every time, the GIL held by one thread
    and the connection by the other, so this runs in a process of its own, with a timeout."""
    interrupted, reads = map(int, in_own_process(TWO_LOOPS, fixtures_db, "reading").split())
    assert interrupted == 30
    assert reads > 0


TWO_WRITERS = """
import asyncio, sys, threading
from jupyterlite_datasette.instance import build_datasette

ds = build_datasette([sys.argv[1]], write=True, settings={"num_sql_threads": 0})
db = ds.databases["notes"]
failures = []

async def write(who):
    for _ in range(300):
        try:
            await db.execute_write("insert into notes (who) values (?)", [who])
        except Exception as e:
            failures.append(repr(e))

other = threading.Thread(target=asyncio.run, args=(write("cell"),))
other.start()
asyncio.run(write("widget"))
other.join()
print(failures[:3], asyncio.run(db.execute("select count(*) from notes")).single_value())
"""


def test_two_threads_each_with_a_loop_write_at_once_without_datasette_s_threads(tmp_path):
    """``num_sql_threads`` 0 is Datasette's way without threads: every write on one connection, from
    whichever thread asks. In a kernel two threads write (a cell, and a page over the subshell), and
    their writes crossed inside each other's transactions: some failed, some were lost. Each ends,
    in a process of its own in case two meet in SQLite's progress handler as the reads once did."""
    path = tmp_path / "notes.db"
    sqlite_utils.Database(path)["notes"].insert({"id": 0, "who": "first"}, pk="id")
    assert in_own_process(TWO_WRITERS, path, "writing").split() == ["[]", "601"]


@pytest.mark.parametrize(
    "name, value, expected",
    [
        ("default_page_size", "5", 5),
        ("allow_facet", "off", False),
        ("allow_facet", True, True),
        ("template_debug", "1", True),
        ("force_https_urls", "false", False),
    ],
)
def test_settings_are_converted_like_the_cli(name, value, expected):
    assert coerce_setting(name, value) == expected


@pytest.mark.parametrize(
    "name, value, expected",
    [
        ("no_such_setting", "1", "'no_such_setting' is not a Datasette setting"),
        ("default_page_size", "many", "takes an integer, not 'many'"),
        ("allow_facet", "perhaps", "takes on/off/true/false/1/0, not 'perhaps'"),
    ],
)
def test_bad_settings_say_what_is_wrong(name, value, expected):
    with pytest.raises(SettingError, match=expected):
        coerce_setting(name, value)


def test_imports_skip_the_working_directory_in_pyodide(monkeypatch, tmp_path):
    import sys

    from jupyterlite_datasette.runtime import imports_off_drive

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", ["", str(tmp_path), "/usr/lib/python"])
    monkeypatch.setattr("sys.platform", "emscripten")
    with imports_off_drive():
        assert sys.path == ["/usr/lib/python"]
    assert sys.path == ["", str(tmp_path), "/usr/lib/python"]


def test_read_only_tables_are_counted_once_for_datasette(fixtures_db, hostile_db):
    from jupyterlite_datasette.inspect_record import count_in_background

    ds = Datasette(immutables=[str(fixtures_db), str(hostile_db)])
    count_in_background(ds).join(timeout=30)
    record = ds.inspect_data["fixtures"]
    assert record["tables"]["facetable"] == {"count": 300}
    assert (record["size"], record["file"]) == (fixtures_db.stat().st_size, str(fixtures_db))
    assert record["hash"] == hashlib.sha256(fixtures_db.read_bytes()).hexdigest()
    # Odd table names (quotes, markup) are counted too.
    assert sum(t["count"] for t in ds.inspect_data["hostile"]["tables"].values()) == 8


def test_writable_files_are_not_counted_ahead(fixtures_copy):
    from jupyterlite_datasette.inspect_record import count_in_background

    assert count_in_background(Datasette(files=[str(fixtures_copy)])) is None


async def test_every_page_works_once_the_record_has_landed(fixtures_db):
    ds = build_datasette([fixtures_db])
    await asyncio.sleep(0)
    for thread in threading.enumerate():
        if thread.name == "jupyterlite-datasette row counts":
            thread.join(timeout=30)
    assert ds.inspect_data
    for path in ("/", "/fixtures", "/fixtures/facetable", "/-/databases.json", "/.json", "/fixtures.json"):
        assert (await ds.client.get(path)).status_code == 200, path


async def test_a_plugin_installed_after_datasette_was_imported_is_registered(fixtures_db, tmp_path, monkeypatch):
    # What `%pip install datasette-x` leaves in a running kernel: a module and its entry point on the path.
    (tmp_path / "jld_late_plugin.py").write_text(
        "from datasette import hookimpl\n\n@hookimpl\ndef extra_body_script():\n    return 'window.jldLate = 1;'\n"
    )
    info = tmp_path / "jld_late_plugin-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: jld-late-plugin\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[datasette]\njld_late_plugin = jld_late_plugin\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    from datasette.plugins import pm

    try:
        ds = build_datasette([fixtures_db])
        plugins = (await ds.client.get("/-/plugins.json")).json()
        assert [p["version"] for p in plugins if p["name"] == "jld-late-plugin"] == ["0.1"]
        assert "window.jldLate = 1;" in (await ds.client.get("/fixtures")).text
        build_datasette([fixtures_db])  # a second widget: registered once
        assert [name for name, _ in pm.list_name_plugin()].count("jld_late_plugin") == 1
    finally:
        pm.unregister(name="jld_late_plugin")


@pytest.mark.skipif(not IS_1_0, reason="permissions blocks are Datasette 1.0's")
@pytest.mark.parametrize("granted", [True, False], ids=["granted", "not-granted"])
async def test_a_permissions_block_in_metadata_lets_rows_be_edited_on_1_0(tmp_path, granted):
    import sqlite_utils

    path = tmp_path / "notes.db"
    sqlite_utils.Database(path)["notes"].insert({"id": 1, "body": "first"}, pk="id")
    permissions = {"databases": {"notes": {"tables": {"notes": {"permissions": {"update-row": True}}}}}}
    ds = build_datasette([path], write=True, metadata=permissions if granted else {})
    await ds.invoke_startup()
    response = await ds.client.post("/notes/notes/1/-/update", json={"update": {"body": "edited"}})
    assert response.status_code == (200 if granted else 403), response.text
    assert [r["body"] for r in sqlite_utils.Database(path)["notes"].rows] == ["edited" if granted else "first"]
