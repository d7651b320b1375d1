"""A static, script-free copy of a Datasette page, saved in the notebook beside the widget.

A notebook viewed without a kernel (on GitHub, nbviewer, or reopened later)
shows this instead of an empty box. It is rebuilt from an allowlist: only the
tags and attributes below survive, all text is escaped, and no URL of any
kind is kept, so nothing in it can run or load.
"""

from __future__ import annotations

import asyncio
import re
from html import escape
from html.parser import HTMLParser
from typing import Any

#: The snapshot's HTML stops growing past this size (rows beyond it are left out).
MAX_CHARS = 200_000
#: Seconds after a page is shown before its snapshot is taken (quick clicks make one).
DELAY = 0.5

KEPT_TAGS = {
    "h1", "h2", "h3", "h4", "p", "div", "span", "ul", "ol", "li", "dl", "dt", "dd",
    "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td",
    "em", "strong", "b", "i", "code", "pre", "br",
}
#: Elements whose whole content is left out: scripts, styles, forms, menus, pictures.
DROPPED_SUBTREES = {
    "script", "style", "template", "noscript", "form", "details", "svg", "math",
    "iframe", "object", "embed", "select", "textarea", "button",
}
KEPT_ATTRIBUTES = {"class", "colspan", "rowspan", "scope"}
VOID_TAGS = {"br"}

#: Minimal looks for viewers that keep <style> (nbviewer); GitHub strips it and shows a plain table.
STYLE = (
    "<style>.jld-snapshot table{border-collapse:collapse;font-size:12px}"
    ".jld-snapshot th,.jld-snapshot td{border:1px solid #ddd;padding:2px 6px;text-align:left;vertical-align:top}"
    ".jld-snapshot-note{color:#666;font-style:italic}</style>"
)


class _Snapshot(HTMLParser):
    """Re-emits the page's content section from the allowlist."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.size = 0
        self.open: list[str] = []  # kept tags open in the output
        self.depth_in_content = 0  # >0 inside <section class="content">
        self.dropped_tag: str | None = None  # the root of the subtree being left out
        self.dropped_depth = 0  # how many of that tag are open inside it
        self.truncated = False

    def emit(self, text: str) -> None:
        self.out.append(text)
        self.size += len(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.depth_in_content == 0:
            if tag == "section" and "content" in (dict(attrs).get("class") or "").split():
                self.depth_in_content = 1
            return
        if tag == "section":
            self.depth_in_content += 1
        if self.dropped_tag:
            self.dropped_depth += tag == self.dropped_tag
            return
        if tag in DROPPED_SUBTREES:
            self.dropped_tag, self.dropped_depth = tag, 1
            return
        if tag not in KEPT_TAGS or self.truncated:
            return
        if self.size > MAX_CHARS and tag in ("tr", "li", "p", "h2", "h3"):
            self.truncated = True
            return
        kept = "".join(
            f' {name}="{escape(value or "", quote=True)}"' for name, value in attrs if name in KEPT_ATTRIBUTES
        )
        self.emit(f"<{tag}{kept}>")
        if tag not in VOID_TAGS:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.depth_in_content == 0:
            return
        if tag == "section":
            self.depth_in_content -= 1
            return
        if self.dropped_tag:
            if tag == self.dropped_tag:
                self.dropped_depth -= 1
                if self.dropped_depth == 0:
                    self.dropped_tag = None
            return
        if tag in self.open:
            # Close what the page left open inside it, as a browser would.
            while self.open:
                closing = self.open.pop()
                self.emit(f"</{closing}>")
                if closing == tag:
                    break

    def handle_data(self, data: str) -> None:
        if self.depth_in_content and not self.dropped_tag and not self.truncated:
            # Templates indent generously; runs of space matter only in <pre>.
            text = data if "pre" in self.open else re.sub(r"\s+", " ", data)
            self.emit(escape(text, quote=False))


def page_snapshot(html: str, path: str) -> str:
    """The snapshot of the Datasette page `html`, shown at `path`."""
    parser = _Snapshot()
    parser.feed(html)
    parser.close()
    content = "".join(parser.out) + "".join(f"</{tag}>" for tag in reversed(parser.open))
    cut = f" Rows past the first {MAX_CHARS // 1000} KB are left out." if parser.truncated else ""
    note = (
        f'<p class="jld-snapshot-note">Datasette page {escape(path)}, as last shown. '
        f"This is a copy saved with the notebook; run the cell to browse it live.{cut}</p>"
    )
    return f'<div class="jld-snapshot">{STYLE}{note}{content}</div>'


def placeholder(path: str) -> str:
    """What the saved output says before any page has been shown."""
    return (
        f'<div class="jld-snapshot"><p class="jld-snapshot-note">Datasette widget at {escape(path)}: '
        "run the cell to browse it.</p></div>"
    )


class SnapshotOutputs:
    """The outputs beside one widget's displays that hold its snapshot, kept to the page shown."""

    def __init__(self) -> None:
        self.handles: list[Any] = []
        self.timer: asyncio.TimerHandle | None = None
        self.shown_any = False

    def add(self, path: str) -> None:
        """Display a new snapshot output (under the widget just displayed)."""
        from IPython.display import HTML, display

        self.handles.append(display(HTML(placeholder(path)), display_id=True))

    def page_shown(self, html: bytes, path: str, content_type: str) -> None:
        """A page was shown: snapshot it once the clicking stops."""
        self.shown_any = True
        if not self.handles or not content_type.startswith("text/html"):
            return
        if self.timer is not None:
            self.timer.cancel()
        self.timer = asyncio.get_running_loop().call_later(DELAY, self.update, html, path)

    def update(self, html: bytes, path: str) -> None:
        from IPython.display import HTML

        snapshot = HTML(page_snapshot(html.decode("utf-8", "replace"), path))
        for handle in self.handles:
            handle.update(snapshot)
