import asyncio
import json

import httpx
import pytest
from bs4 import BeautifulSoup
from datasette.app import Datasette
from support.routes import misbehaving_routes

from jupyterlite_datasette.instance import build_datasette
from jupyterlite_datasette.transport import RequestError, internal_path, request


@pytest.fixture
async def routed_ds(fixtures_db):
    # Datasette builds its router when constructed: register the routes first.
    with misbehaving_routes():
        ds = build_datasette([fixtures_db])
        await ds.invoke_startup()
        yield ds


@pytest.mark.parametrize(
    "path, expected",
    [
        ("/fixtures", "/fixtures"),
        ("/fixtures/facetable?_sort=city#x", "/fixtures/facetable?_sort=city"),
        ("http://localhost/fixtures?a=1", "/fixtures?a=1"),
    ],
)
def test_internal_paths_are_kept(path, expected):
    assert internal_path(path) == expected


@pytest.mark.parametrize("path", ["fixtures", "", "https://example.com/x", "//example.com/x"])
def test_other_places_are_refused(path):
    with pytest.raises(RequestError):
        internal_path(path)


async def test_a_page_comes_back_as_html(ds):
    response = await request(ds, "/fixtures/facetable?state=CA")
    assert response.status == 200
    assert response.content_type.startswith("text/html")
    soup = BeautifulSoup(response.body, "html.parser")
    assert soup.find("h1").text.strip() == "facetable"
    assert '100 rows where state = "CA"' in soup.text
    assert response.final_path == "/fixtures/facetable?state=CA"


async def test_redirects_are_followed_and_the_final_path_kept(ds):
    response = await request(ds, "/fixtures/facetable/")
    assert response.status == 200
    assert response.final_path == "/fixtures/facetable"


async def test_relative_redirects_resolve_against_the_request(routed_ds):
    response = await request(routed_ds, "/-/test/relative")
    assert response.final_path == "/fixtures"
    assert response.status == 200


async def test_a_redirect_loop_is_an_error_not_a_hang(routed_ds):
    with pytest.raises(RequestError, match="more than 10 redirects"):
        await request(routed_ds, "/-/test/loop")


async def test_post_redirected_with_302_becomes_a_get(routed_ds):
    form = {"content-type": "application/x-www-form-urlencoded", "accept": "text/html"}
    response = await request(routed_ds, "/-/test/post-redirect", method="POST", body=b"a=1", headers=form)
    echoed = await request(routed_ds, "/-/test/echo", method="POST", body=b"a=1", headers=form)
    assert response.final_path == "/-/test/echo"
    # As a browser: the body and its type are dropped, what it accepts is not.
    redirected = httpx.Response(200, content=response.body).json()
    assert (redirected["method"], redirected["body"], redirected["content_type"]) == ("GET", "", None)
    assert redirected["accept"] == "text/html"
    assert httpx.Response(200, content=echoed.body).json() == {
        "method": "POST",
        "body": "a=1",
        "cookies": {},
        "accept": "text/html",
        "content_type": "application/x-www-form-urlencoded",
        "sec_fetch_site": None,
    }


async def test_cookies_set_by_a_response_are_sent_back(routed_ds):
    jar = httpx.Cookies()
    response = await request(routed_ds, "/-/test/set-cookie", cookies=jar)
    assert jar.get("flavour") == "oatmeal"
    assert httpx.Response(200, content=response.body).json()["cookies"] == {"flavour": "oatmeal"}


async def test_errors_come_back_as_datasette_renders_them(routed_ds):
    missing = await request(routed_ds, "/fixtures/no_such_table")
    assert missing.status == 404
    assert b"Table not found" in missing.body
    failing = await request(routed_ds, "/-/test/boom")
    assert failing.status == 500
    assert failing.content_type.startswith("text/html")


async def test_stylesheets_a_page_links_are_served(ds):
    page = await request(ds, "/fixtures")
    links = BeautifulSoup(page.body, "html.parser").select("link[rel=stylesheet]")
    assert links, "Datasette pages link their CSS"
    for link in links:
        css = await request(ds, link["href"])
        assert css.status == 200
        assert css.content_type.startswith("text/css")
        assert b"{" in css.body


async def test_the_first_request_runs_datasettes_startup(fixtures_db):
    fresh = build_datasette([fixtures_db])
    assert not fresh._startup_invoked
    response = await request(fresh, "/fixtures")
    assert response.status == 200
    assert fresh._startup_invoked


async def test_first_requests_made_together_run_the_startup_once_and_all_answer(fixtures_db):
    """Datasette 1.0's start-up deletes the canned queries from config and saves them again: run
    twice at once, one run's delete could land while the other's page looks its query up. The
    first caller is cancelled mid-start-up, as a newer click cancels an older navigation, and one
    asks from another thread's loop, as a widget's messages in a subshell do."""
    query = {"sql": "select count(*) as n from facetable"}
    ds = build_datasette([fixtures_db], metadata={"databases": {"fixtures": {"queries": {"count_rows": query}}}})
    startups = 0
    startup = Datasette.invoke_startup

    async def counted(self):
        nonlocal startups
        startups += 1
        await asyncio.sleep(0.05)
        await startup(self)

    path = "/fixtures/count_rows.json?_shape=array"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Datasette, "invoke_startup", counted)
        cancelled = asyncio.create_task(request(ds, path))
        await asyncio.sleep(0.01)
        cancelled.cancel()
        in_thread = asyncio.to_thread(asyncio.run, request(ds, path))
        responses = await asyncio.gather(in_thread, *(request(ds, path) for _ in range(3)))
    assert cancelled.cancelled()
    assert [(r.status, json.loads(r.body)) for r in responses] == [(200, [{"n": 300}])] * 4
    assert startups == 1


async def test_a_failed_startup_is_run_again_by_the_next_request(fixtures_db):
    ds = build_datasette([fixtures_db])
    failures = [RuntimeError("startup exploded")]
    startup = Datasette.invoke_startup

    async def failing_once(self):
        if failures:
            raise failures.pop()
        await startup(self)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Datasette, "invoke_startup", failing_once)
        with pytest.raises(RuntimeError, match="startup exploded"):
            await request(ds, "/fixtures")
        assert (await request(ds, "/fixtures")).status == 200


async def test_with_a_base_url_every_link_carries_it_once_and_answers(fixtures_db):
    """Datasette's links already carry base_url, and requests go out as they are: never doubled."""
    ds = build_datasette([fixtures_db], settings={"base_url": "/prefix/"})
    index = await request(ds, "/prefix/")
    links = {a["href"] for a in BeautifulSoup(index.body, "html.parser").select("a[href^='/']")}
    assert "/prefix/fixtures/facetable" in links
    assert not [link for link in links if link.startswith("/prefix/prefix/") or not link.startswith("/prefix/")]
    table = await request(ds, "/prefix/fixtures/facetable?_sort=id")
    assert (table.status, table.final_path) == (200, "/prefix/fixtures/facetable?_sort=id")
    stylesheets = [link["href"] for link in BeautifulSoup(table.body, "html.parser").select("link[rel=stylesheet]")]
    assert stylesheets and all(href.startswith("/prefix/-/static/") for href in stylesheets)
    for href in stylesheets:
        assert (await request(ds, href)).status == 200
