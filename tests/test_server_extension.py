"""The package's Jupyter Server extension, in a real server with a real kernel: the kernel's
websocket to the browser has TCP_NODELAY on (jupyterlite_datasette/server_extension.py)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from support.lab import JupyterLab
from support.server_probe.jld_kernel_sockets import PATH
from tornado.httpclient import AsyncHTTPClient
from tornado.websocket import websocket_connect

#: Only the probe: the kernel, which inherits PYTHONPATH, must not see the tests' own modules.
PROBE = Path(__file__).parent / "support" / "server_probe"

pytestmark = pytest.mark.kernel


@pytest.fixture
def lab_with_probe(tmp_path):
    """JupyterLab with the installed package's server config, as a user has it, and the tests' probe."""
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "jupyter_server_config.json").write_text(
        json.dumps({"ServerApp": {"jpserver_extensions": {"jld_kernel_sockets": True}}})
    )
    (tmp_path / "root").mkdir()
    server = JupyterLab(tmp_path / "root", tmp_path, environment={"PYTHONPATH": str(PROBE)}).start()
    yield server
    server.stop()


async def api(lab: JupyterLab, path: str, method: str = "GET", body: str | None = None):
    response = await AsyncHTTPClient().fetch(f"{lab.base}{path}?token={lab.token}", method=method, body=body)
    return json.loads(response.body) if response.body else None


async def test_a_kernel_websocket_sends_small_messages_at_once(lab_with_probe):
    lab = lab_with_probe
    kernel = await api(lab, "/api/kernels", "POST", "{}")
    url = f"ws://127.0.0.1:{lab.port}/api/kernels/{kernel['id']}/channels?token={lab.token}&session_id={uuid.uuid4()}"
    websocket = await websocket_connect(url, connect_timeout=60)
    try:
        await websocket.read_message()  # the kernel's first status: the connection is open
        sockets = await api(lab, PATH)
    finally:
        websocket.close()
        await api(lab, f"/api/kernels/{kernel['id']}", "DELETE")
    # The server's own connection class, with TCP_NODELAY turned on as the browser connected.
    assert sockets == [{"nodelay": 1, "connection": "NoDelayZMQChannelsWebsocketConnection"}]
