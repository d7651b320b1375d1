"""A Datasette plugin that ships its own script and stylesheet, to see them run in the widget."""

from datasette import hookimpl

NAME = "jld_test_plugin"


@hookimpl
def extra_css_urls(datasette):
    return [datasette.urls.static_plugins(NAME, "plugin.css")]


@hookimpl
def extra_js_urls(datasette):
    return [datasette.urls.static_plugins(NAME, "plugin.js")]
