"""What Datasette 1.0's pages add, in the widget: jump-to, the row editor, autocomplete, the
table editor's confirmation before a table is dropped, the row inserter's Copy button.

Each is Datasette's own JavaScript, fetching from the kernel through the frame;
the edit is a JSON POST that 1.0's CSRF check (Sec-Fetch-Site) lets through.
Real JupyterLab and headless Chromium, on 1.0 only (``bash tests/run-datasette-1.sh``).
"""

from __future__ import annotations

import json
import sqlite3

import pytest
import sqlite_utils
from support.lab import answer_dialogs, open_widget

from jupyterlite_datasette.datasette_line import IS_1_0

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not IS_1_0, reason="these pages are Datasette 1.0's")]


def test_jump_to_finds_a_table_and_goes_there(page, lab):
    nb = open_widget(page, lab, "jump.ipynb", "%datasette fixtures.db")
    frame = nb.frame()
    frame.locator("a[href='/fixtures']").first.wait_for()

    # "/" (pressed in the page, as a reader would) opens the menu; what is typed is
    # searched for at /-/jump, by fetch.
    frame.locator("h1").first.click()
    page.keyboard.press("/")
    search = frame.locator("navigation-search .search-input")
    search.wait_for()
    search.fill("facetab")
    frame.locator(".result-item", has_text="facetable").first.wait_for()
    search.press("Enter")
    frame.locator("h1", has_text="facetable").wait_for()
    assert nb.address() == "/fixtures/facetable"
    nb.expect_kernel_path("/fixtures/facetable")


def make_pets_db(root, **permissions: bool) -> None:
    """Pets and their owners (a foreign key), and metadata that lets anyone edit pets (and do
    what `permissions` adds)."""
    db = sqlite_utils.Database(root / "pets.db", recreate=True)
    db["owners"].insert_all([{"id": 1, "name": "Ada"}, {"id": 2, "name": "Grace"}], pk="id")
    db["pets"].insert({"id": 1, "name": "Cleo", "owner_id": 1}, pk="id", foreign_keys=[("owner_id", "owners")])
    allowed = {"update-row": True} | {action.replace("_", "-"): value for action, value in permissions.items()}
    metadata = {"databases": {"pets": {"tables": {"pets": {"permissions": allowed}}}}}
    (root / "pets.json").write_text(json.dumps(metadata))


def test_the_row_editor_saves_with_an_owner_chosen_by_autocomplete(page, lab):
    make_pets_db(lab.root)
    nb = open_widget(page, lab, "edit.ipynb", "%datasette pets.db -m pets.json --write --path /pets/pets")
    frame = nb.frame()

    # The row's edit button opens 1.0's editor, which fetches the row as JSON.
    frame.locator("button[data-row-action=edit]").first.click()
    form = frame.locator("form.row-edit-form")
    name = form.locator("input[name=name]")
    name.wait_for()
    assert name.input_value() == "Cleo"
    name.fill("Cleopatra")

    # The foreign key's field suggests owners, fetched from /pets/owners/-/autocomplete.
    owner = form.locator("input[name=owner_id]")
    owner.fill("Gra")
    form.locator("[role=option]", has_text="Grace").first.click()

    # Saving is a JSON POST to /pets/pets/1/-/update; the table shows the new row.
    form.locator(".row-edit-save").click()
    frame.locator("td.col-name", has_text="Cleopatra").wait_for()
    with sqlite3.connect(lab.root / "pets.db") as conn:
        assert conn.execute("select name, owner_id from pets").fetchall() == [("Cleopatra", 2)]


def test_dropping_a_table_asks_the_user_first(page, lab):
    """1.0's table editor asks with the browser's confirm() before it drops a table: the dialog
    shows, as in a tab, after the user's own click in the page."""
    make_pets_db(lab.root, alter_table=True, drop_table=True)
    nb = open_widget(page, lab, "drop.ipynb", "%datasette pets.db -m pets.json --write --path /pets/pets")
    frame = nb.frame()
    asked = answer_dialogs(page, [False, True])
    frame.locator("details.actions-menu-links summary").first.click()
    frame.locator("button[data-table-action=alter-table]").click()
    drop = frame.locator("#table-alter-dialog .table-alter-drop")
    # Declined, the table stays; accepted, it goes, and the page moves to its database.
    drop.click()
    page.wait_for_timeout(500)
    assert asked == [
        'confirm Permanently delete the table "pets"? This will delete all of its data and cannot be undone.'
    ]
    assert "pets" in sqlite_utils.Database(lab.root / "pets.db").table_names()
    drop.click()
    nb.wait_for_address("/pets")
    nb.expect_kernel_path("/pets")
    assert len(asked) == 2
    assert sqlite_utils.Database(lab.root / "pets.db").table_names() == ["owners"]


def test_the_row_inserter_copies_its_spreadsheet_template(page, lab):
    """1.0's dialog for inserting many rows copies a template of the table's columns with the
    Clipboard API, as the user's click asks."""
    make_pets_db(lab.root, insert_row=True)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    nb = open_widget(page, lab, "insert.ipynb", "%datasette pets.db -m pets.json --write --path /pets/pets")
    frame = nb.frame()
    frame.locator("button[data-table-action=insert-row]").click()
    frame.locator(".row-edit-bulk-insert").click()
    frame.locator(".row-edit-copy-template").click()
    frame.locator(".row-edit-copy-template", has_text="Copied").wait_for()
    assert page.evaluate("() => navigator.clipboard.readText()").split("\t") == ["name", "owner_id"]
