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

#: The snapshot's HTML stops growing past this size: rows, and then text, beyond it are left out.
MAX_CHARS = 200_000
#: Only this much of a page is read: the snapshot could not hold more, and a huge page
#: (a 30 MB cell) must not hold up the kernel.
MAX_INPUT_CHARS = 2_000_000
#: Deeper markup is flattened into its text: parsing stays linear, and nesting bounded.
MAX_DEPTH = 32
#: Seconds after a page is shown before its snapshot is taken (quick clicks make one).
DELAY = 0.5

#: Elements that hold blocks; the snapshot's wrapper is one too ("" below).
FLOW_PARENTS = frozenset({"", "div", "li", "dd", "td", "th"})
PHRASING = frozenset({"span", "em", "strong", "b", "i", "code", "br"})
#: Where text may stand (elsewhere a browser would move it out of its table or list).
TEXT_PARENTS = FLOW_PARENTS | PHRASING | {"p", "h1", "h2", "h3", "h4", "pre", "dt", "caption"}
#: Each kept tag, and the tags it may stand directly inside. A tag anywhere else
#: is dropped and its text kept, so that a browser parses the snapshot into
#: exactly this tree: no implied end tag can ever close the wrapper early.
ALLOWED_PARENTS = {
    **dict.fromkeys(("div", "p", "h1", "h2", "h3", "h4", "ul", "ol", "dl", "table", "pre"), FLOW_PARENTS),
    "li": {"ul", "ol"},
    "dt": {"dl"},
    "dd": {"dl"},
    **dict.fromkeys(("caption", "thead", "tbody", "tfoot"), frozenset({"table"})),
    "tr": {"table", "thead", "tbody", "tfoot"},
    "td": {"tr"},
    "th": {"tr"},
    **dict.fromkeys(PHRASING, TEXT_PARENTS - {"br"}),
}
KEPT_TAGS = set(ALLOWED_PARENTS)
#: Elements whose whole content is left out: scripts, styles, forms, menus, pictures.
DROPPED_SUBTREES = {
    "script",
    "style",
    "template",
    "noscript",
    "form",
    "details",
    "svg",
    "math",
    "iframe",
    "object",
    "embed",
    "select",
    "textarea",
    "button",
}
KEPT_ATTRIBUTES = {"class", "colspan", "rowspan", "scope"}
VOID_TAGS = {"br"}
HEADINGS = frozenset({"h1", "h2", "h3", "h4"})
#: On each heading: the copied page's headings are not the notebook's. Tables of contents leave
#: headings with this class out (JupyterLab's, the classic notebook's toc2), and JupyterLab's
#: reads every HTML output, the hidden snapshot beside a live widget too.
HEADING_CLASS = "tocSkip"
#: Class names of Datasette's own templates, and the prefixes of those it makes from names
#: (facet-<...>, message-<kind>). Any other class, such as one of the notebook's own that
#: metadata HTML might borrow, is dropped; so are those Datasette gives every table cell
#: (col-<column>, type-<type>), which no style of the snapshot's uses: they were 60 of a
#: table page's 99 kB, all parsed and sanitized by JupyterLab as a shared notebook opens.
DATASETTE_CLASSES = {
    "actor",
    "bullets",
    "column-descriptions",
    "content",
    "crumbs",
    "db-table",
    "extra-wheres",
    "facet-info",
    "facet-info-name",
    "facet-info-total",
    "facet-results",
    "facet-truncated",
    "facets-timed-out",
    "ft",
    "metadata-description",
    "not-footer",
    "page-header",
    "pattern-heading",
    "rows-and-columns",
    "small-screen-only",
    "sql",
    "suggested-facets",
    "table-wrapper",
    "tight-bullets",
    "two-col",
    "wrapped-sql",
    "zero-results",
}
DATASETTE_CLASS_PREFIXES = ("facet-", "message-")
#: An entity cut short at the end of a string.
PARTIAL_ENTITY = re.compile(r"&[a-z]*$")
#: Longer attribute values (a class made from a huge column name) are dropped.
MAX_ATTRIBUTE_CHARS = 200
SPAN_VALUE = re.compile(r"[0-9]{1,4}")
SCOPE_VALUES = {"row", "col", "rowgroup", "colgroup"}

#: The wrapper's opening tag. Its classes past the first keep math typesetters off the copied
#: data: JupyterLab typesets every HTML output with MathJax (3: mathjax_ignore; nbviewer's and the
#: classic notebook's MathJax 2: tex2jax_ignore), and would show a value "$5 and $10" as math.
WRAPPER = '<div class="jld-snapshot mathjax_ignore tex2jax_ignore">'

#: Minimal looks for viewers that keep <style> (nbviewer); GitHub strips it and shows a plain table.
STYLE = (
    "<style>.jld-snapshot table{border-collapse:collapse;font-size:12px}"
    ".jld-snapshot th,.jld-snapshot td{border:1px solid #ddd;padding:2px 6px;text-align:left;vertical-align:top}"
    ".jld-snapshot-note{color:#666;font-style:italic}</style>"
)


def kept_attribute(name: str, value: str | None) -> str | None:
    """The value to keep of attribute `name`, or None to drop it."""
    value = value or ""
    if len(value) > MAX_ATTRIBUTE_CHARS:
        return None
    if name == "class":
        names = [c for c in value.split() if c in DATASETTE_CLASSES or c.startswith(DATASETTE_CLASS_PREFIXES)]
        return " ".join(names) or None
    if name in ("colspan", "rowspan"):
        return value if SPAN_VALUE.fullmatch(value) else None
    if name == "scope":
        return value if value in SCOPE_VALUES else None
    return None


class _Snapshot(HTMLParser):
    """Re-emits the page's content section from the allowlist, as a tree a browser parses back the same."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.size = 0
        self.open: list[str] = []  # kept tags open in the output; never deeper than MAX_DEPTH
        self.depth_in_content = 0  # >0 inside <section class="content">
        self.dropped_tag: str | None = None  # the root of the subtree being left out
        self.dropped_depth = 0  # how many of that tag are open inside it
        self.truncated = False

    @property
    def current(self) -> str:
        return self.open[-1] if self.open else ""

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
        if self.truncated or self.current not in ALLOWED_PARENTS.get(tag, ()) or len(self.open) >= MAX_DEPTH:
            return
        if self.size > MAX_CHARS:
            self.truncated = True
            return
        first: dict[str, str | None] = {}
        for name, value in attrs:
            first.setdefault(name, value)  # a browser takes the first of a repeated attribute
        kept = {
            name: safe
            for name, value in first.items()
            if name in KEPT_ATTRIBUTES and (safe := kept_attribute(name, value)) is not None
        }
        if tag in HEADINGS:
            kept["class"] = f"{kept['class']} {HEADING_CLASS}" if "class" in kept else HEADING_CLASS
        markup = "".join(f' {name}="{escape(value, quote=True)}"' for name, value in kept.items())
        self.emit(f"<{tag}{markup}>")
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
        if tag in self.open:  # at most MAX_DEPTH to look through
            # Close what the page left open inside it, as a browser would.
            while self.open:
                closing = self.open.pop()
                self.emit(f"</{closing}>")
                if closing == tag:
                    break

    def handle_data(self, data: str) -> None:
        if not self.depth_in_content or self.dropped_tag or self.truncated:
            return
        if self.current not in TEXT_PARENTS:
            return  # whitespace between rows or items; other text would move out of its table
        # Templates indent generously; runs of space matter only in <pre>.
        text = escape(data if "pre" in self.open else re.sub(r"\s+", " ", data), quote=False)
        room = MAX_CHARS - self.size
        if len(text) > room:
            # One huge value is cut too, not only the rows after it (never inside an entity).
            text, self.truncated = PARTIAL_ENTITY.sub("", text[: max(room, 0)]), True
        self.emit(text)


def page_snapshot(html: str, path: str) -> str:
    """The snapshot of the Datasette page `html`, shown at `path`."""
    parser = _Snapshot()
    parser.feed(html[:MAX_INPUT_CHARS])
    parser.close()
    content = "".join(parser.out) + "".join(f"</{tag}>" for tag in reversed(parser.open))
    cut = f" What follows the first {MAX_CHARS // 1000} KB is left out." if parser.truncated else ""
    note = (
        f'<p class="jld-snapshot-note">Datasette page {escape(path)}, as last shown. '
        f"This is a copy saved with the notebook; run the cell to browse it live.{cut}</p>"
    )
    return f"{WRAPPER}{STYLE}{note}{content}</div>"


def placeholder(path: str) -> str:
    """What the saved output says before any page has been shown."""
    return (
        f'{WRAPPER}<p class="jld-snapshot-note">Datasette widget at {escape(path)}: '
        "run the cell to browse it.</p></div>"
    )


def html_bundle(html: str) -> dict[str, str]:
    """`html` as a raw display bundle. Not IPython's HTML(), which first looks for a file
    named like its text: in JupyterLite a request to the busy page, through /drive."""
    return {"text/html": html}


class SnapshotOutputs:
    """The outputs beside one widget's displays that hold its snapshot, kept to the page shown."""

    def __init__(self) -> None:
        self.handles: list[Any] = []
        self.timer: asyncio.TimerHandle | None = None
        self.shown_any = False

    def add(self, path: str) -> None:
        """Display a new snapshot output (under the widget just displayed)."""
        from IPython.display import display

        self.handles.append(display(html_bundle(placeholder(path)), raw=True, display_id=True))

    def page_shown(self, html: bytes, path: str, content_type: str) -> None:
        """A page was shown: snapshot it once the clicking stops."""
        self.shown_any = True
        if not self.handles or not content_type.startswith("text/html"):
            return
        if self.timer is not None:
            self.timer.cancel()
        self.timer = asyncio.get_running_loop().call_later(DELAY, self.update, html, path)

    def update(self, html: bytes, path: str) -> None:
        # Never more than the parser reads: a 30 MB page is not decoded whole.
        snapshot = html_bundle(page_snapshot(html[:MAX_INPUT_CHARS].decode("utf-8", "replace"), path))
        for handle in self.handles:
            handle.update(snapshot, raw=True)
