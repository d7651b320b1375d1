import os
import sqlite3

import pytest

from jupyterlite_datasette.checks import metadata_file
from jupyterlite_datasette.errors import DatabaseFileError, MetadataFileError
from jupyterlite_datasette.gather import local_copy


def sqlite_database(path, workdir):
    """The SQLite file the widget opens for `path`, as it is checked when named as a source."""
    kind, opened, _, _ = local_copy(path, workdir)
    assert kind == "sqlite"
    return opened


def test_sqlite_file_makes_the_path_absolute(fixtures_db, monkeypatch, tmp_path):
    monkeypatch.chdir(fixtures_db.parent)
    assert sqlite_database("fixtures.db", tmp_path) == fixtures_db.absolute()


def test_a_symlink_keeps_its_own_name(fixtures_db, tmp_path):
    link = tmp_path / "nickname.db"
    link.symlink_to(fixtures_db)
    assert sqlite_database(link, tmp_path).name == "nickname.db"


@pytest.mark.parametrize(
    "make, expected",
    [
        (lambda p: p, "no such file"),
        (lambda p: p.write_text("x") and p / "inner.db", "no such file"),
        (lambda p: p.symlink_to(p) or p, "cannot be read (Too many levels of symbolic links)"),
        (lambda p: p.mkdir() or p, "bad.db: is a folder, not a file; name the files in it (%datasette "),
        (lambda p: os.mkfifo(p) or p, "bad.db: is not a regular file"),
        (lambda p: p.write_bytes(b"") and p or p, "is empty"),
        (lambda p: p.write_text("name,city\nCleo,Paris\n") and p, "is not a SQLite database"),
        (
            lambda p: p.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000) and p,
            "is a corrupt SQLite database",
        ),
    ],
    ids=["missing", "under-a-file", "symlink-loop", "directory", "fifo", "empty", "csv", "corrupt"],
)
def test_sqlite_file_rejects_bad_input_with_one_clear_line(tmp_path, make, expected):
    bad = make(tmp_path / "bad.db")
    with pytest.raises(DatabaseFileError) as info:
        sqlite_database(bad, tmp_path)
    message = str(info.value)
    assert expected in message
    assert str(bad) in message
    assert "\n" not in message


def test_sqlite_file_does_not_touch_the_file(fixtures_copy, tmp_path):
    before = fixtures_copy.read_bytes(), fixtures_copy.stat().st_mtime_ns
    sqlite_database(fixtures_copy, tmp_path)
    assert (fixtures_copy.read_bytes(), fixtures_copy.stat().st_mtime_ns) == before
    assert not fixtures_copy.with_name("fixtures.db-journal").exists()


@pytest.mark.parametrize(
    "filename, content",
    [
        ("meta.json", '{"title": "Hello"}'),
        ("meta.yml", "title: Hello\n"),
    ],
)
def test_metadata_file_reads_json_and_yaml(tmp_path, filename, content):
    path = tmp_path / filename
    path.write_text(content)
    assert metadata_file(path) == {"title": "Hello"}


def test_empty_metadata_is_no_metadata(tmp_path):
    path = tmp_path / "empty.yml"
    path.write_text("")
    assert metadata_file(path) == {}


@pytest.mark.parametrize(
    "setup, expected",
    [
        (lambda p: p, "no such metadata file"),
        (lambda p: p.mkdir() or p, "cannot read metadata file"),
        (lambda p: p.write_bytes(b"\xff\xfe\x00title") and p, "cannot read metadata file"),
        (lambda p: p.write_text("title: [unclosed\n") and p, "not valid JSON or YAML"),
        (lambda p: p.write_text("- a\n- b\n") and p, "must be a JSON or YAML object"),
    ],
    ids=["missing", "directory", "not-utf8", "bad-syntax", "a-list"],
)
def test_metadata_file_rejects_bad_input(tmp_path, setup, expected):
    bad = setup(tmp_path / "meta.yml")
    with pytest.raises(MetadataFileError) as info:
        metadata_file(bad)
    assert expected in str(info.value)
    assert str(bad) in str(info.value)


def test_sqlite_header_constant_matches_sqlite(tmp_path):
    path = tmp_path / "x.db"
    sqlite3.connect(path).execute("create table t (a)").connection.close()
    assert path.read_bytes().startswith(b"SQLite format 3\x00")
