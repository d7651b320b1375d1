"""A Datasette plugin that ships its own script, stylesheet and image, to see them work in the widget."""

from datasette import hookimpl
from datasette.utils.asgi import Response
from markupsafe import Markup, escape

NAME = "jld_test_plugin"


@hookimpl
def extra_css_urls(datasette):
    return [datasette.urls.static_plugins(NAME, "plugin.css")]


@hookimpl
def extra_js_urls(datasette):
    return [
        datasette.urls.static_plugins(NAME, "first.js"),
        datasette.urls.static_plugins(NAME, "plugin.js"),
        {"url": datasette.urls.static_plugins(NAME, "module.js"), "module": True},
    ]


@hookimpl
def render_cell(row, value, column, table, datasette):
    # An image on Datasette's own paths in the page's HTML, as datasette-media puts them.
    if table == "facetable" and column == "city" and row["id"] == 1:
        src = datasette.urls.static_plugins(NAME, "dot.svg")
        # And in the page's own CSS: a <style> block and a style attribute.
        return Markup(
            f'{escape(value)} <img class="jld-plugin-image" src="{src}" alt="dot">'
            f'<img class="jld-plugin-srcset" srcset="{src} 2x" alt="dot">'
            f"<style>.jld-plugin-style-block {{ background-image: url('{src}'); }}</style>"
            '<span class="jld-plugin-style-block jld-plugin-css-image"></span>'
            f'<span class="jld-plugin-css-image" id="jld-plugin-style-attribute" style="background-image: url({src})"></span>'
        )
    return None


async def request_headers(request):
    """The headers of the request, as a page: what the browser (here, the widget) sent."""
    accept = escape(request.headers.get("accept", ""))
    cookie = escape(request.headers.get("cookie", ""))
    return Response.html(
        f'<!doctype html><title>headers</title><p id="jld-accept">{accept}</p><p id="jld-cookie">{cookie}</p>'
    )


@hookimpl
def register_routes():
    return [(r"^/-/jld-request-headers$", request_headers)]
