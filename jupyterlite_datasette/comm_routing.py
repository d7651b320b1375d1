"""A view's messages are answered in the shell the front end sent them to.

JupyterLab 4.4 and later send a widget's messages over a subshell of ipykernel 7, a thread with
a loop of its own, so that pages load while a cell runs. ipykernel 7.4 sends a comm's incoming
message instead to the shell that last sent on that comm, so that the answer to a question the
kernel asked reaches the loop awaiting it. A view only asks, and the kernel answers. Routed that
way, a widget's first page (a cell opened its comm) and the page a cell set with ``w.path``
went to the main shell and waited there for the cells: the page of an 8-second cell that set it
came after 8 seconds, and Run All left a widget blank until the last cell ended.
(JupyterLab makes the subshell for widgets as a kernel's first widget opens, and may send that
widget's first page before the subshell is there: that one still goes to the main shell.)

ipykernel also remembers, to route the answer to each message it sends with an ``id``, the
shell that sent it; nothing answers a view's replies, so for a widget that would be a memory
leak, an entry for every page and asset.
"""

from __future__ import annotations

from typing import Any


class _Unkept(dict):
    """A mapping that keeps nothing written to it."""

    def __setitem__(self, key: Any, value: Any) -> None:
        pass


def _as_sent(_data: Any, subshell_id: str | None) -> str | None:
    return subshell_id


def answer_where_sent(comm: Any) -> None:
    """Route `comm`'s incoming messages to the shell they were sent to (ipykernel 7.4's hook; with
    an ipykernel that routes them so already, or with none, nothing changes)."""
    if hasattr(comm, "_reply_subshell_for"):
        comm._reply_subshell_for = _as_sent
        comm._reply_subshell_ids = _Unkept()
