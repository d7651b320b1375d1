"""The demo notebooks, saved with the pages their widgets open, as a static copy.

A reader who opens a shared link sees each widget's first page (its snapshot:
script-free HTML, jupyterlite_datasette/snapshot.py) as soon as the notebook is
on screen, before the Pyodide kernel has started; running the cells puts the
live widget in its place, and the widget's stylesheet hides the copy.

The notebooks run once at build time in CPython's ipykernel, in a scratch
folder, so nothing they write reaches the site. Only the snapshot outputs are
kept: other outputs would show what CPython printed (and where), not the site.
"""

from __future__ import annotations

import copy
import queue
import shutil
import tempfile
import time
from pathlib import Path

from jupyter_client.manager import start_new_kernel
from nbformat import NotebookNode
from nbformat.v4 import output_from_msg

from jupyterlite_datasette.snapshot import WRAPPER

#: With no browser, the kernel takes each widget's snapshot itself, two seconds after it
#: is shown (SNAPSHOT_UNSHOWN_AFTER in widget.py), as an update of the output it displayed
#: beside the widget: waited for this long at most.
SNAPSHOT_WAIT = 30.0
#: Seconds a cell may take at build time.
CELL_TIMEOUT = 120


def is_snapshot(output: dict) -> bool:
    html = output.get("data", {}).get("text/html", "")
    return output.get("output_type") == "display_data" and WRAPPER in str(html)


def with_saved_pages(notebook: NotebookNode, database: Path) -> NotebookNode | None:
    """`notebook` with each widget's snapshot as its only outputs, run beside a copy of
    `database`; None if a cell fails in CPython (one that needs a plugin the build lacks)."""
    nb = copy.deepcopy(notebook)
    #: display_id -> the outputs showing it. The snapshot arrives as an update of its display,
    #: sent once its cell has finished, so every message is read here: nbclient and
    #: execute_interactive keep only the running cell's own, and would miss it.
    displays: dict[str, list[NotebookNode]] = {}
    #: The displays updated since they were shown.
    updated: set[str] = set()

    def keep(outputs: list, msg: dict) -> None:
        if msg["msg_type"] == "update_display_data":
            display_id = msg["content"]["transient"]["display_id"]
            for output in displays.get(display_id, []):
                output["data"] = msg["content"]["data"]
            updated.add(display_id)
            return
        if msg["msg_type"] not in ("display_data", "execute_result", "stream", "error"):
            return
        output = output_from_msg(msg)
        outputs.append(output)
        display_id = msg["content"].get("transient", {}).get("display_id")
        if display_id:
            displays.setdefault(display_id, []).append(output)

    with tempfile.TemporaryDirectory() as scratch:
        shutil.copy(database, Path(scratch) / database.name)
        manager, client = start_new_kernel(kernel_name="python3", cwd=scratch)
        try:
            for cell in nb.cells:
                if cell.cell_type != "code":
                    continue
                cell.outputs = []
                msg_id = client.execute(cell.source)
                while True:
                    msg = client.get_iopub_msg(timeout=CELL_TIMEOUT)
                    own = msg["parent_header"].get("msg_id") == msg_id
                    if own and msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                        break
                    keep(cell.outputs if own else [], msg)
                if any(output.output_type == "error" for output in cell.outputs):
                    return None
            snapshots = {display_id for display_id, shown in displays.items() if any(map(is_snapshot, shown))}
            deadline = time.monotonic() + SNAPSHOT_WAIT
            while snapshots - updated:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                try:
                    keep([], client.get_iopub_msg(timeout=left))
                except queue.Empty:
                    break
        finally:
            client.stop_channels()
            # Asked, not killed: Datasette 1.0 removes its temporary files as the kernel exits.
            manager.shutdown_kernel(now=False)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.execution_count = None
            cell.outputs = [output for output in cell.outputs if is_snapshot(output)]
    return nb
