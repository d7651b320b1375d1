"""The static snapshot saved beside the widget: the page's data, and nothing that can run or load."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from jupyterlite_datasette import snapshot
from jupyterlite_datasette.snapshot import page_snapshot
from support.databases import HOSTILE


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
    assert "<h1>facetable</h1>" in html
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
    assert "Rows past the first 3 KB are left out." in html
    assert 1 < html.count("<tr>") < 100
    parsed(html)


@pytest.mark.parametrize("path", ["/", "/fixtures", "/fixtures/states/MI", "/-/versions"])
async def test_every_kind_of_page_makes_a_well_formed_snapshot(ds, path):
    parsed(page_snapshot(await page(ds, path), path))
