"""The static snapshot saved beside the widget: the page's data, and nothing that can run or load."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from support.databases import HOSTILE

from jupyterlite_datasette import snapshot
from jupyterlite_datasette.snapshot import page_snapshot


class Balance(HTMLParser):
    """Counts tags, to check the snapshot is well formed."""

    def __init__(self):
        super().__init__()
        self.stack, self.tags, self.attributes = [], set(), set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.attributes.update(name for name, _ in attrs)
        if tag != "br":
            self.stack.append(tag)

    def handle_endtag(self, tag):
        assert self.stack.pop() == tag


def parsed(html: str) -> Balance:
    balance = Balance()
    balance.feed(html)
    assert balance.stack == []
    return balance


async def page(ds, path):
    return (await ds.client.get(path)).text


async def test_a_table_page_keeps_its_heading_and_rows(ds):
    html = page_snapshot(await page(ds, "/fixtures/facetable?state=MI"), "/fixtures/facetable?state=MI")
    assert '<h1 class="tocSkip">facetable</h1>' in html
    assert html.count("<tr>") == 101  # the header and a page of rows
    assert "Datasette page /fixtures/facetable?state=MI, as last shown" in html
    found = parsed(html)
    assert found.tags <= snapshot.KEPT_TAGS | {"div", "style"}
    assert found.attributes <= snapshot.KEPT_ATTRIBUTES
    # Forms, menus and scripts of the page are left out.
    assert "Apply" not in html and "<form" not in html and "<script" not in html


async def test_nothing_from_a_hostile_database_can_run_or_load(hostile_db):
    from jupyterlite_datasette.instance import build_datasette

    ds = build_datasette([hostile_db])
    for path in ("/hostile/plain", "/hostile"):
        html = page_snapshot(await page(ds, path), path)
        found = parsed(html)
        assert found.attributes <= snapshot.KEPT_ATTRIBUTES
        assert not {"script", "img", "svg", "a", "iframe"} & found.tags
        # Every payload is there as text, escaped; none as markup.
        assert not any(payload in html for payload in HOSTILE[:3])
    assert "&lt;script&gt;window.top.__pwned" in page_snapshot(await page(ds, "/hostile/plain"), "/hostile/plain")


async def test_a_big_page_is_cut_between_rows(ds, monkeypatch):
    monkeypatch.setattr(snapshot, "MAX_CHARS", 3000)
    html = page_snapshot(await page(ds, "/fixtures/facetable"), "/fixtures/facetable")
    assert "What follows the first 3 KB is left out." in html
    assert 1 < html.count("<tr>") < 100
    parsed(html)


@pytest.mark.parametrize("path", ["/", "/fixtures", "/fixtures/states/MI", "/-/versions"])
async def test_every_kind_of_page_makes_a_well_formed_snapshot(ds, path):
    parsed(page_snapshot(await page(ds, path), path))


def content(markup: str) -> str:
    """A page as Datasette lays it out, with `markup` in its content section (as metadata HTML would be)."""
    return f'<html><body><section class="content">{markup}</section><footer>after</footer></body></html>'


def test_one_huge_value_is_cut_to_the_cap_too():
    html = page_snapshot(content("<table><tr><td>" + "&lt;x&gt;" * 1_000_000 + "</td></tr></table>"), "/db/t/1")
    assert len(html) < snapshot.MAX_CHARS + 2_000
    assert "is left out" in html
    parsed(html)


def test_deep_nesting_is_flattened_into_its_text():
    depth = 16_000
    html = page_snapshot(content("<div>" * depth + "deep" + "</div>" * depth + "<p>still here</p>"), "/")
    found = parsed(html)
    assert "deep" in html and "still here" in html
    # The wrapper and the content's divs: never deeper than the cap.
    assert html.count("<div") <= snapshot.MAX_DEPTH + 1
    assert found.tags <= snapshot.KEPT_TAGS | {"style"}


def test_only_datasette_class_names_are_kept():
    html = page_snapshot(
        content(
            '<div class="jp-Dialog lm-Widget content col-name type-int jld-widget facet-info">x</div>'
            '<td colspan="999999" scope="evil">y</td>'
        ),
        "/",
    )
    assert 'class="content facet-info"' in html
    assert "jp-" not in html and "lm-" not in html and "jld-widget" not in html
    # Those Datasette gives every table cell (col-, type-) too: no style of the snapshot's uses them.
    assert "col-" not in html and "type-" not in html
    assert "999999" not in html and "evil" not in html


def test_headings_are_left_out_of_the_notebooks_table_of_contents():
    html = page_snapshot(
        content('<h1 class="page-header evil">t</h1><h2 class="x" class="pattern-heading">u</h2><h3>v</h3><h4>w</h4>'),
        "/",
    )
    assert '<h1 class="page-header tocSkip">t</h1>' in html
    assert '<h2 class="tocSkip">u</h2>' in html  # a browser takes the first class attribute only
    assert '<h3 class="tocSkip">v</h3>' in html and '<h4 class="tocSkip">w</h4>' in html
    assert html.count("tocSkip") == 4


#: Markup whose implied end tags would close the snapshot's wrapper early, were it copied as it is.
WRAPPER_BREAKERS = [
    "<ul><li><div><li>inner</li></div></li></ul>",
    "<li><div><li>no list</li></div></li>",
    "<p><div>block in a paragraph</div></p>",
    "<table><div>in a table</div><tr>text in a row<td>cell</td></tr></table>",
    "<dl><dd><div><dd>dd</dd></div></dd></dl>",
    "<h1><h2>heading in a heading</h2></h1>",
    "</div></div></div></p></li></table>closing more than was opened",
    "<table><tr><td><table><td>nested</td></table></td></tr></table>",
    "<b><p>block in bold</p></b><i><div>block in italic</div></i>",
    "<pre><div>block in pre</div></pre>",
    "<caption>stray caption</caption><thead>stray head</thead><tr>stray row</tr><td>stray cell</td>",
]


@pytest.mark.browser
@pytest.mark.parametrize("markup", WRAPPER_BREAKERS)
def test_a_browser_parses_the_snapshot_all_inside_its_wrapper(browser, markup):
    html = page_snapshot(content(markup + '<p id="last">the end</p>'), "/")
    page = browser.new_page()
    try:
        page.set_content(f"<!doctype html><body>{html}<p id='outside'>outside</p></body>")
        # Chromium's own parser: the wrapper is the body's only child before ours, and holds everything.
        children = page.evaluate("[...document.body.children].map((e) => e.classList[0] || e.id)")
        assert children == ["jld-snapshot", "outside"]
        assert page.evaluate("document.querySelector('.jld-snapshot').textContent").endswith("the end")
    finally:
        page.close()
