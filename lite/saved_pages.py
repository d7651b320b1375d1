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

#: With no browser, the kernel takes each widget's snapshot itself, two seconds after it
#: is shown (SNAPSHOT_UNSHOWN_AFTER in widget.py): waited for this long at most.
SNAPSHOT_WAIT = 30.0
#: How the output beside a widget reads until its snapshot is taken (snapshot.placeholder).
PLACEHOLDER = 'class="jld-snapshot-note">Datasette widget at '
#: Seconds a cell may take at build time.
CELL_TIMEOUT = 120


def is_snapshot(output: dict) -> bool:
    html = output.get("data", {}).get("text/html", "")
    return output.get("output_type") == "display_data" and 'class="jld-snapshot"' in str(html)


def with_saved_pages(notebook: NotebookNode, database: Path) -> NotebookNode | None:
    """`notebook` with each widget's snapshot as its only outputs, run beside a copy of
    `database`; None if a cell fails in CPython (one that needs a plugin the build lacks)."""
    nb = copy.deepcopy(notebook)
    #: display_id -> the outputs showing it; the snapshot arrives as an update of its display,
    #: sent after its cell has finished (nbclient, which keeps only a cell's own messages, misses it).
    displays: dict[str, list[NotebookNode]] = {}

    def keep(outputs: list, msg: dict) -> None:
        if msg["msg_type"] == "update_display_data":
            for output in displays.get(msg["content"]["transient"]["display_id"], []):
                output["data"] = msg["content"]["data"]
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
                reply = client.execute_interactive(
                    cell.source, timeout=CELL_TIMEOUT, output_hook=lambda msg, outputs=cell.outputs: keep(outputs, msg)
                )
                if reply["content"]["status"] != "ok":
                    return None
            deadline = time.monotonic() + SNAPSHOT_WAIT
            while any(PLACEHOLDER in str(output["data"].get("text/html", "")) for output in _all(displays)):
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                try:
                    keep([], client.get_iopub_msg(timeout=left))
                except queue.Empty:
                    break
        finally:
            client.stop_channels()
            manager.shutdown_kernel(now=True)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.execution_count = None
            cell.outputs = [output for output in cell.outputs if is_snapshot(output)]
    return nb


def _all(displays: dict[str, list[NotebookNode]]) -> list[NotebookNode]:
    return [output for outputs in displays.values() for output in outputs]
