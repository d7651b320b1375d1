"""The site's notebooks are saved with their widgets' first pages, and nothing else that CPython printed."""

import sys
import tempfile
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "lite"))
from saved_pages import with_saved_pages


def notebook(*cells: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# A demo"), *map(nbformat.v4.new_code_cell, cells)]
    return nb


def test_only_the_snapshot_of_each_widget_is_kept(fixtures_db):
    nb = notebook(
        "%load_ext jupyterlite_datasette",
        "import os; print(os.getcwd())",
        "%datasette fixtures.db --path /fixtures/facetable",
        "_.path",
    )
    temporary = set(Path(tempfile.gettempdir()).glob("datasette_temp_*"))
    saved = with_saved_pages(nb, fixtures_db)
    # The kernel was asked to shut down, not killed: Datasette 1.0's temporary database went with it.
    assert set(Path(tempfile.gettempdir()).glob("datasette_temp_*")) <= temporary
    code = [cell for cell in saved.cells if cell.cell_type == "code"]
    assert [len(cell.outputs) for cell in code] == [0, 0, 1, 0]
    assert all(cell.execution_count is None for cell in code)
    html = code[2].outputs[0]["data"]["text/html"]
    assert "Datasette page /fixtures/facetable, as last shown" in html
    assert "city 1" in html and "<script" not in html
    # Nothing of the machine that built it: the scratch folder it ran in is gone, and not named.
    assert "/tmp" not in nbformat.writes(saved) and str(fixtures_db.parent) not in nbformat.writes(saved)
    # The notebook given is left as it was.
    assert all(not cell.get("outputs") for cell in nb.cells)


def test_a_notebook_with_a_failing_cell_is_not_saved_with_pages(fixtures_db):
    assert with_saved_pages(notebook("import a_plugin_the_build_lacks"), fixtures_db) is None
