"""Datasette 0.65's units: pint imported and its registry built at their first use
(jupyterlite_datasette/units.py)."""

import json
import subprocess
import sys

import pytest

from jupyterlite_datasette.datasette_line import IS_1_0

pytestmark = pytest.mark.skipif(IS_1_0, reason="Datasette 1.0 has no units")

SCRIPT = """
import asyncio, json, sqlite3, sys
import jupyterlite_datasette
jupyterlite_datasette.DatasetteWidget  # imports Datasette as the magic and the widget do
pint_at_import = "datasette.vendored.pint" in sys.modules
from datasette.views.base import ureg
built_at_import = ureg._registry is not None
db = sqlite3.connect(sys.argv[1])
db.execute("create table walks (name text, length integer)")
db.executemany("insert into walks values (?, ?)", [("short", 1000), ("long", 6000)])
db.commit()
from datasette.app import Datasette
metadata = {"databases": {"walks": {"tables": {"walks": {"units": {"length": "m"}}}}}}
ds = Datasette([sys.argv[1]], metadata=metadata)
response = asyncio.run(ds.client.get("/walks/walks.json?length__gt=5km&_shape=array"))
from datasette.vendored import pint
print(json.dumps([
    pint_at_import, built_at_import, ureg._registry is not None, type(ureg._registry) is pint.UnitRegistry,
    [row["name"] for row in response.json()],
]))
"""


def test_the_registry_of_units_is_built_when_a_filter_first_uses_it(tmp_path):
    # A fresh interpreter: Datasette is imported once per process.
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path / "walks.db")], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    # Neither imported nor built as Datasette was imported; pint's own registry is built for
    # `5km`, which it converts to the column's metres.
    assert json.loads(result.stdout) == [False, False, True, True, ["long"]]
