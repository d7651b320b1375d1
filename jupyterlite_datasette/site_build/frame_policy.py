"""The site's pages refuse every navigation of their frames (`frame-src 'none'`; the about:srcdoc
documents that JupyterLab's viewers and the widget make are exempt). A page frame can always try
to navigate itself, and only the policy of the document that holds it can refuse that: with this
policy on the notebook's page, the widget's page frame sits in the notebook, and the shell frame
it needs anywhere else (whose policy refuses that) is left out (see static/widget.js). Frames that
load an address (an IFrame output) are refused in the site too.
"""

from __future__ import annotations

import re
from pathlib import Path

POLICY = "frame-src 'none'"
#: The policy, as it goes first into each page's head.
META = f'<meta http-equiv="Content-Security-Policy" content="{POLICY}">'


def pages(output_dir: Path) -> list[Path]:
    """The site's HTML pages: its root, and each app's (lab, notebooks, tree, repl, ...)."""
    return sorted(page for page in [output_dir / "index.html", *output_dir.glob("*/index.html")] if page.exists())


def site_has_policy(output_dir: Path) -> bool:
    """The site has its pages, and each has the policy."""
    found = pages(output_dir)
    return bool(found) and all(META in page.read_text() for page in found)


def add_to_site(output_dir: Path) -> None:
    """Put the policy first in the head of each of the site's pages that lacks it."""
    for page in pages(output_dir):
        html = page.read_text()
        if META in html:
            continue
        with_policy, found = re.subn(
            r"<head(\s[^>]*)?>", lambda head: head.group(0) + META, html, count=1, flags=re.IGNORECASE
        )
        if not found:
            raise ValueError(f"{page}: no <head> to put the frame policy in")
        page.write_text(with_policy)
