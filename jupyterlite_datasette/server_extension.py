"""Jupyter Server: a kernel's messages reach the browser without waiting on Nagle's algorithm.

Jupyter Server leaves TCP_NODELAY off on the websocket between a kernel and the browser
(tornado's default). A small message written while the previous one is not yet
acknowledged then waits for the acknowledgement, which the browser delays by up to
40 ms: the widget's reply for a small page comes right after the kernel's "idle" status,
and so arrived 30-44 ms late (benchmarks/navigation.py, a row page: 64 ms from click to
paint, 39 ms with TCP_NODELAY). Every widget's kernel messages gain the same.

Enabled by `etc/jupyter/jupyter_server_config.d/jupyterlite_datasette.json`, which the
package installs. It keeps whatever websocket connection the server is configured with
(the kernel gateway's included), and only turns TCP_NODELAY on as each connects.
"""

from __future__ import annotations

from typing import Any


def _load_jupyter_server_extension(serverapp: Any) -> None:
    settings = serverapp.web_app.settings
    settings["kernel_websocket_connection_class"] = without_nagle(settings["kernel_websocket_connection_class"])


def without_nagle(connection_class: type) -> type:
    """`connection_class`, with TCP_NODELAY turned on as a browser connects to the kernel."""

    class Connection(connection_class):
        def connect(self) -> Any:
            # Called once the websocket is open, so its stream exists.
            self.websocket_handler.set_nodelay(True)
            return super().connect()

    Connection.__name__ = Connection.__qualname__ = f"NoDelay{connection_class.__name__}"
    return Connection
