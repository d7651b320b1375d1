"""Python's cyclic garbage collector waits while the widget answers a page.

Rendering a table page allocates some hundred thousand short-lived objects. In a kernel, whose
heap also holds IPython, the widgets and the reader's own data, the collections they trigger
cost every answer a few milliseconds, and about one in six a full collection of the whole heap
(30 ms on the flights table). Paused until the reply has been sent, the collector catches up
once, after it, while the browser lays the page out; nothing goes uncollected, as nothing is
frozen. Nested and concurrent answers share one pause.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

#: Answers under way, and whether the collector was on when the first of them began.
_answers = 0
_was_enabled = False


@contextlib.contextmanager
def collection_after_answer() -> Iterator[None]:
    """The collector off for the block, and back as it was once no answer is under way."""
    global _answers, _was_enabled
    if _answers == 0:
        _was_enabled = gc.isenabled()
        gc.disable()
    _answers += 1
    try:
        yield
    finally:
        _answers -= 1
        if _answers == 0 and _was_enabled:
            gc.enable()
