"""The browser end of a widget's comm, for kernel-side tests: records what the kernel sends, delivers
what a view would send."""

from __future__ import annotations

import asyncio


class RecordingComm:
    """Stands in for the browser end of the comm: keeps every message sent."""

    comm_id = "recording"

    def __init__(self):
        self.sent = []

    def send(self, data=None, metadata=None, buffers=None):
        self.sent.append((data, [bytes(b) for b in buffers or []]))

    def on_msg(self, callback):
        pass  # messages from the browser are delivered with from_browser()

    def close(self, *args, **kwargs):
        pass

    def custom(self):
        return [(data["content"], buffers) for data, buffers in self.sent if data["method"] == "custom"]

    def states(self):
        return [data["state"] for data, _ in self.sent if data["method"] == "update"]


def attach(widget):
    widget.comm = RecordingComm()
    return widget.comm


def from_browser(widget, content, buffers=()):
    """Deliver a message exactly as ipywidgets does when one arrives on the comm."""
    widget._handle_msg({"content": {"data": {"method": "custom", "content": content}}, "buffers": list(buffers)})


async def replies(comm, count=1, timeout=10):
    async def wait():
        while len([c for c, _ in comm.custom() if c.get("type") == "response"]) < count:
            await asyncio.sleep(0.01)

    await asyncio.wait_for(wait(), timeout)
    return [(c, b) for c, b in comm.custom() if c.get("type") == "response"]
