"""A Jupyter Server extension for the tests only: reports, for each browser connected to a
kernel, whether its websocket's TCP socket has TCP_NODELAY on, and which connection class
serves it. Enabled by tests/test_server_extension.py in a server of its own."""

from __future__ import annotations

import json
import socket

from jupyter_server.base.handlers import JupyterHandler
from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection
from tornado import web

PATH = "/jld-test/kernel-sockets"


class KernelSocketsHandler(JupyterHandler):
    @web.authenticated
    def get(self) -> None:
        sockets = []
        for handler in ZMQChannelsWebsocketConnection._open_sessions.values():
            tcp = handler.ws_connection.stream.socket
            sockets.append(
                {
                    "nodelay": tcp.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY),
                    "connection": type(handler.connection).__name__,
                }
            )
        self.finish(json.dumps(sockets))


def _load_jupyter_server_extension(serverapp) -> None:
    serverapp.web_app.add_handlers(".*$", [(serverapp.base_url.rstrip("/") + PATH, KernelSocketsHandler)])
