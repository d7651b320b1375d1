"""The site's service worker: JupyterLite's, with service_worker_bypass.js at its head, so that
requests JupyterLite's worker would only pass on (all but its own API, with its cache off) go
straight to the network. Measured on the offline site's quickstart: the first live page 0.25–0.3 s
sooner, all of it after the kernel is idle, when the notebook fetches its 10 MB database among others.
"""

from __future__ import annotations

import re
from pathlib import Path

#: JupyterLite's service worker, at the root of a site.
FILE_NAME = "service-worker.js"
BYPASS = Path(__file__).resolve().parent / "service_worker_bypass.js"
BEGIN = "// jupyterlite-datasette: service_worker_bypass.js\n"
END = "// jupyterlite-datasette: end of service_worker_bypass.js\n"


def bypass_block() -> str:
    """The bypass as it goes into the service worker, between its markers."""
    return BEGIN + BYPASS.read_text() + END


def has_bypass(worker: Path) -> bool:
    """`worker` starts with the bypass as it is now."""
    return worker.exists() and worker.read_text().startswith(bypass_block())


def add_bypass(worker: Path) -> None:
    """Put the bypass at the head of `worker`, in place of any it had before."""
    own = re.sub(f"^{re.escape(BEGIN)}.*?{re.escape(END)}", "", worker.read_text(), flags=re.DOTALL)
    worker.write_text(bypass_block() + own)
