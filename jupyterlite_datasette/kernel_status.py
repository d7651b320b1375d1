"""A view's messages leave the kernel's status as the cells set it.

ipykernel publishes a busy status, then an idle one, for every message it handles, and JupyterLab
shows the kernel's state in its status bar, its toolbar and the tab's icon. For a view's request
the pair says nothing: the handler only starts the task that answers (widget.py), so both come
before the answer. And it did harm:

- JupyterLab 4.4 and later send a widget's messages over a subshell, while cells run in the main
  shell (comm_routing.py): a click's idle came while a cell was still running, and the status bar
  said Idle under that cell until it ended.
- JupyterLab redraws its indicators at each change of state, on the cores that the kernel's
  answer and the frame's paint need: on 2 cores, a row page took 44-47 ms from click to paint
  with them, 31-35 without (benchmarks/navigation.py, runs alternating).

But JupyterLab's page also keeps every message it sends to a kernel until that message's idle
comes, and forgets it then; with none it would keep each of a widget's messages, bodies and all,
for the kernel's life. So a view's request gets its idle and no busy, and its idle waits until
the kernel shows idle for everything else: the cell running, if any, has ended. JupyterLab
redraws nothing for an idle kernel's idle. The widget shows its own busy state (widget.js: a
spinner once a page is slow); cells, other widgets and every other request keep both statuses.

ipykernel has no setting for this: each kernel's ``_publish_status`` is wrapped, once. A kernel
without one (Pyodide's, whose worker publishes status itself) is left as it is.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from typing import Any


class QuietStatus:
    """A kernel's status publisher that leaves the busy out of a view's requests, and holds back
    their idle while the kernel shows busy for anything else."""

    def __init__(self, kernel: Any, publish: Callable[..., None]):
        self.kernel = kernel
        self.publish = publish
        #: The views' comms, by id; weak, so that a closed comm is not kept for the kernel's life.
        self.comms: weakref.WeakValueDictionary[str, Any] = weakref.WeakValueDictionary()
        #: The state the front ends show: the last one published for anything but a view. A comm
        #: is first made while a cell runs.
        self.shown = "busy"
        #: Views' requests whose idle waits for the kernel to show idle.
        self.waiting: list[dict] = []
        # Cells publish from the main thread, views from a subshell's: each decision and its
        # publishing in one piece, so that an idle never overtakes a busy it was not to follow.
        self.lock = threading.Lock()

    def __call__(self, status: str, channel: str, parent: dict | None = None) -> None:
        # ipykernel's own default: the request handled on `channel` (the subshell's own, in a subshell).
        request = parent or self.kernel.get_parent(channel) or {}
        with self.lock:
            if not self.from_view(request):
                self.publish(status, channel, parent)
                self.shown = status
                if status == "idle":
                    for waiting in self.waiting:
                        self.publish("idle", channel, waiting)
                    self.waiting.clear()
            elif status == "idle":
                if self.shown == "idle":
                    self.publish("idle", channel, request)
                else:
                    self.waiting.append(request)

    def from_view(self, request: dict) -> bool:
        content = request.get("content")
        return (
            request.get("header", {}).get("msg_type") == "comm_msg"
            and isinstance(content, dict)
            and content.get("comm_id") in self.comms
        )


def leave_status_alone(comm: Any) -> None:
    """Messages to `comm` make its kernel publish no busy, and their idle only once it is idle."""
    kernel: Any = getattr(comm, "kernel", None)
    publish = getattr(kernel, "_publish_status", None)
    if publish is None or not callable(getattr(kernel, "get_parent", None)):
        return
    if not isinstance(publish, QuietStatus):
        publish = kernel._publish_status = QuietStatus(kernel, publish)
    publish.comms[comm.comm_id] = comm
