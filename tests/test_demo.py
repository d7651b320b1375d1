"""The README's demo: the quickstart notebook over the real flights database, in JupyterLab."""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

import pytest
from support.lab import JupyterLab, NotebookPage
from support.real_plugins import PLUGINS, expect_charts_and_maps

from jupyterlite_datasette.datasette_line import IS_1_0

pytestmark = pytest.mark.browser

ROOT = Path(__file__).parent.parent
DEMO_DB = ROOT / "notebooks" / "flights.db"


@pytest.fixture(scope="session")
def demo_db() -> Path:
    """The demo database, built as the demo command builds it (kept for the next run)."""
    if not DEMO_DB.exists():
        sys.path.insert(0, str(ROOT / "lite"))
        from make_demo_db import build

        build(DEMO_DB)
    return DEMO_DB


@pytest.fixture
def demo_lab(demo_db, tmp_path):
    """JupyterLab on the demo notebooks and database; its kernels have the plugins charts-and-maps uses,
    as if pip had installed them (on Datasette 0.65 only: those releases are 0.65's)."""
    root = tmp_path / "notebooks"
    root.mkdir()
    for notebook in ("quickstart.ipynb", "charts-and-maps.ipynb"):
        shutil.copy(ROOT / "notebooks" / notebook, root)
    (root / "flights.db").symlink_to(demo_db)
    server = JupyterLab(root, tmp_path, {} if IS_1_0 else {"PYTHONPATH": str(PLUGINS)}).start()
    yield server
    server.stop()


# demo_lab before page: set up first, it is torn down last, once the page is closed. Stopped under
# an open page, its kernel's last messages (cut short as it exits) reached the page as errors.
def test_quickstart_runs_top_to_bottom(demo_lab, page, demo_db):
    size = demo_db.stat().st_size
    nb = NotebookPage(page, demo_lab.notebook_url("quickstart.ipynb"))
    nb.run_all()
    frame = nb.frame()
    frame.locator("h1", has_text="flights").first.wait_for(timeout=60_000)
    frame.get_by_text("336,776 rows").wait_for()
    nb.wait_for_output(6, "'/flights/flights'")

    # Facet the big table by carrier, as the notebook suggests.
    nb.go("/flights/flights?_facet=carrier&_facet=origin")
    frame.locator("#facet-carrier").wait_for()
    # 0.65 labels a carrier by its airline's name; 1.0 by its code (its one unique text column).
    frame.locator("#facet-carrier a", has_text=re.compile("^(United Air Lines Inc.|UA)$")).first.click()
    # (1.0 counts a table this big only up to 10,000 unless asked: the facet has the count.)
    frame.get_by_text(re.compile('where carrier = "UA"')).first.wait_for()
    assert "58,665" in frame.locator("#facet-carrier").inner_text()
    if os.environ.get("JLD_UPDATE_SCREENSHOT"):
        # The README's picture: the widget in JupyterLab, under the cell that made it.
        nb.cell(2).scroll_into_view_if_needed()
        page.evaluate("document.querySelector('.jp-WindowedPanel-outer').scrollBy(0, 40)")
        page.screenshot(path=str(ROOT / "docs" / "widget.png"))
    assert demo_db.stat().st_size == size


@pytest.mark.datasette_065
def test_charts_and_maps_runs_top_to_bottom(demo_lab, page, demo_db):
    size = demo_db.stat().st_size
    nb = NotebookPage(page, demo_lab.notebook_url("charts-and-maps.ipynb"))
    nb.run_all()
    nb.wait_for_run_all()
    errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    assert errors.count() == 0, errors.all_inner_texts()
    expect_charts_and_maps(nb, 336_776)
    assert demo_db.stat().st_size == size
