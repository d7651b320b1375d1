"""``%datasette`` through a real IPython shell: every option and every bad input."""

import pytest
from IPython.core.interactiveshell import InteractiveShell
from support.databases import instance_metadata

from jupyterlite_datasette import DatasetteWidget


@pytest.fixture
def ip(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "jupyterlite_datasette")
    yield shell
    shell.user_ns.pop("w", None)


def user_databases(widget):
    # Datasette adds its own _internal database once started.
    return set(widget.ds.databases) - {"_internal"}


def run(shell, line):
    result = shell.run_cell(line, store_history=True)
    return result


def test_the_magic_returns_the_widget_as_the_cell_result(ip, fixtures_db):
    run(ip, f"%datasette {fixtures_db}")
    run(ip, "w = _")
    w = ip.user_ns["w"]
    assert isinstance(w, DatasetteWidget)
    assert user_databases(w) == {"fixtures"}
    assert (w.path, w.height) == ("/", 600)


def test_every_option(ip, fixtures_db, hostile_db, tmp_path):
    (tmp_path / "meta.yml").write_text("title: Flights of fancy\n")
    w = ip.run_line_magic(
        "datasette",
        f"{fixtures_db} {hostile_db} -m meta.yml --memory --setting default_page_size 5 "
        "-s allow_facet off --path /fixtures/facetable --height 420",
    )
    assert user_databases(w) == {"fixtures", "hostile", "_memory"}
    assert instance_metadata(w.ds)["title"] == "Flights of fancy"
    assert w.ds.setting("default_page_size") == 5
    assert w.ds.setting("allow_facet") is False
    assert (w.path, w.height) == ("/fixtures/facetable", 420)
    assert not w.ds.databases["fixtures"].is_mutable


def test_root_signs_the_widget_in_as_datasette_serve_root_does(ip, fixtures_db):
    def signed_in(widget):
        return [cookie.name for cookie in widget._cookies.jar] == ["ds_actor"]

    w = ip.run_line_magic("datasette", f"{fixtures_db} --root")
    assert w.ds.root_enabled and signed_in(w)
    assert not signed_in(ip.run_line_magic("datasette", str(fixtures_db)))


def test_image_hosts_are_named_one_by_one(ip, fixtures_db):
    w = ip.run_line_magic(
        "datasette", f"{fixtures_db} --image-host https://*.tile.openstreetmap.org --image-host http://127.0.0.2:8123/"
    )
    assert w.image_hosts == ["https://*.tile.openstreetmap.org", "http://127.0.0.2:8123"]
    assert ip.run_line_magic("datasette", str(fixtures_db)).image_hosts == []


def test_write_opens_the_files_for_writing(ip, fixtures_db):
    assert ip.run_line_magic("datasette", f"{fixtures_db} --write").ds.databases["fixtures"].is_mutable


def test_metadata_long_option_and_json(ip, fixtures_db, tmp_path):
    (tmp_path / "meta.json").write_text('{"title": "JSON title"}')
    w = ip.run_line_magic("datasette", f"{fixtures_db} --metadata meta.json")
    assert instance_metadata(w.ds)["title"] == "JSON title"


def test_relative_paths_and_quotes(ip, fixtures_db, tmp_path):
    spaced = tmp_path / "my data.db"
    spaced.write_bytes(fixtures_db.read_bytes())
    w = ip.run_line_magic("datasette", '"my data.db"')
    assert user_databases(w) == {"my data"}


def test_crossdb_lets_memory_read_every_database(ip, fixtures_db, hostile_db):
    w = ip.run_line_magic("datasette", f"{fixtures_db} {hostile_db} --crossdb")
    assert user_databases(w) == {"fixtures", "hostile", "_memory"}
    for name in ("fixtures", "hostile"):
        tables = "select name from {}sqlite_master where type = 'table' order by name"
        assert w.query(tables.format(f"{name}."), "_memory") == w.query(tables.format(""), name) != []
    assert not ip.run_line_magic("datasette", str(fixtures_db)).ds.attaches_databases


def test_memory_alone(ip):
    assert user_databases(ip.run_line_magic("datasette", "--memory")) == {"_memory"}


def test_dataframes_by_name_table_files_and_urls(ip, tmp_path, files_server):
    (tmp_path / "pets.csv").write_text("id,name\n1,Cleo\n")
    run(ip, "import pandas as pd\ncities = pd.DataFrame({'city': ['Oslo', 'Lima']})")
    w = ip.run_line_magic("datasette", f"cities pets.csv {files_server.url('fixtures.db')}")
    assert user_databases(w) == {"data", "fixtures"}
    assert w.query("select city from cities", "data") == [{"city": "Oslo"}, {"city": "Lima"}]
    assert w.query("select name from pets", "data") == [{"name": "Cleo"}]


def test_a_file_wins_over_a_variable_of_the_same_name(ip, tmp_path, fixtures_db):
    (tmp_path / "fixtures").write_bytes(fixtures_db.read_bytes())
    run(ip, "import pandas as pd\nfixtures = pd.DataFrame({'x': [1]})")
    assert user_databases(ip.run_line_magic("datasette", "fixtures")) == {"fixtures"}


def test_patterns_name_every_file_they_match(ip, tmp_path, fixtures_db):
    """As a shell gives ``datasette serve data/*.db`` its files: in order, dotfiles left out."""
    data = tmp_path / "data"
    data.mkdir()
    for name in ("birds.db", "ants.db", ".hidden.db"):
        (data / name).write_bytes(fixtures_db.read_bytes())
    (data / "notes.txt").write_text("not matched")
    w = ip.run_line_magic("datasette", "data/*.db")
    assert [name for name in w.ds.databases if name != "_internal"] == ["ants", "birds"]
    assert w.query("select count(*) as n from facetable", "birds")[0]["n"] > 0
    # A file whose own name looks like a pattern is that file.
    (tmp_path / "what?.db").write_bytes(fixtures_db.read_bytes())
    assert user_databases(ip.run_line_magic("datasette", '"what?.db"')) == {"what?"}


@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_help_prints_the_options_and_opens_nothing(ip, fixtures_db, capsys, flag):
    result = run(ip, f"%datasette {fixtures_db} {flag}")
    assert result.success and result.result is None
    out = capsys.readouterr().out
    assert out.startswith("  %datasette [-m FILE]")
    assert "--image-host HOST" in out and "SQLite files (read-only unless --write)" in out


def test_unbalanced_quotes_are_a_usage_error(ip, capsys):
    result = run(ip, '%datasette "unfinished.db')
    assert type(result.error_in_exec).__name__ == "UsageError"
    assert "No closing quotation" in capsys.readouterr().err


@pytest.mark.parametrize(
    "prepare, line, expected",
    [
        (None, "missing.db", "missing.db: no such file"),
        (None, "'nowhere/*.db'", "nowhere/*.db: no file matches this pattern"),
        (lambda d: (d / "notes.txt").write_text("hello"), "notes.txt", "notes.txt: is not a SQLite database"),
        (lambda d: (d / "empty.db").touch(), "empty.db", "empty.db: is empty"),
        (None, "{db} -m nowhere.yml", "nowhere.yml: no such metadata file"),
        (
            lambda d: (d / "bad.yml").write_text("a: [b\n"),
            "{db} -m bad.yml",
            "bad.yml: metadata is not valid JSON or YAML",
        ),
        (lambda d: (d / "adir").mkdir(), "{db} -m adir", "adir: cannot read metadata file"),
        (None, "{db} --bogus", "unrecognized arguments: --bogus; %datasette --help lists the options"),
        (None, "{db} --setting nope 1", "'nope' is not a Datasette setting"),
        (None, "{db} --setting default_page_size lots", "takes an integer, not 'lots'"),
        (None, "{db} --setting default_page_size", "expected 2 arguments"),
        (None, "{db} --height tall", "invalid int value: 'tall'"),
        (None, "{db} --height 0", "--height must be a positive number of pixels"),
        (None, "{db} --path fixtures", "'fixtures' must start with '/'"),
        (lambda d: (d / "x.csv").write_text("a,b\n1,2,3\n"), "x.csv", "x.csv: a row has more fields than the header"),
        (lambda d: (d / "j.json").write_text("[{"), "j.json", "j.json: is not valid JSON"),
        (None, "http://127.0.0.1:9/gone.db", "http://127.0.0.1:9/gone.db: cannot be downloaded"),
        (None, "{db} --image-host tiles.example.com", "image host 'tiles.example.com': give a scheme and host"),
    ],
)
def test_bad_input_is_one_usage_error_line(ip, fixtures_db, tmp_path, capsys, prepare, line, expected):
    if prepare:
        prepare(tmp_path)
    capsys.readouterr()
    result = run(ip, "%datasette " + line.format(db=fixtures_db))
    captured = capsys.readouterr()
    assert type(result.error_in_exec).__name__ == "UsageError"
    lines = [line for line in captured.err.splitlines() if line.strip()]
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("UsageError: ")
    assert expected in lines[0]
    assert "Traceback" not in captured.out + captured.err
    # The shell is still usable and nothing half-built was kept.
    assert run(ip, "21 * 2").result == 42
