"""A Datasette plugin with routes that misbehave on purpose, for transport tests."""

from __future__ import annotations

import asyncio
import contextlib

from datasette import hookimpl
from datasette.plugins import pm
from datasette.utils.asgi import Response


async def loop(request):
    return Response.redirect("/-/test/loop")


async def relative_redirect(request):
    return Response.redirect("../../fixtures")


async def post_redirect(request):
    return Response.redirect("/-/test/echo", status=302)


async def echo(request):
    body = await request.post_body()
    return Response.json(
        {
            "method": request.method,
            "body": body.decode(),
            "cookies": request.cookies,
            "accept": request.headers.get("accept"),
            "content_type": request.headers.get("content-type"),
            "sec_fetch_site": request.headers.get("sec-fetch-site"),
        }
    )


async def set_cookie(request):
    response = Response.redirect("/-/test/echo")
    response.set_cookie("flavour", "oatmeal")
    return response


async def slow(request):
    await asyncio.sleep(float(request.args.get("seconds", "1")))
    return Response.html("<h1>slow</h1>")


async def boom(request):
    raise ValueError("this route always fails")


class MisbehavingRoutes:
    __name__ = "MisbehavingRoutes"

    @hookimpl
    def register_routes(self):
        return [
            (r"^/-/test/loop$", loop),
            (r"^/-/test/relative$", relative_redirect),
            (r"^/-/test/post-redirect$", post_redirect),
            (r"^/-/test/echo$", echo),
            (r"^/-/test/set-cookie$", set_cookie),
            (r"^/-/test/slow$", slow),
            (r"^/-/test/boom$", boom),
        ]


def register_misbehaving_routes() -> None:
    """Register the routes for the rest of the process: a test's own kernel.

    Datasette 0.65 reads routes once, as it is made; 1.0 at every request.
    """
    pm.register(MisbehavingRoutes(), name="jld-test-routes")


@contextlib.contextmanager
def misbehaving_routes():
    """Register the routes for the duration of a test (Datasette's plugin manager is global)."""
    register_misbehaving_routes()
    try:
        yield
    finally:
        pm.unregister(name="jld-test-routes")
