"""Every message between the kernel, the widget's view and its frames, in one place.

Three channels, each a chain link of the request path
(kernel ``widget.py`` <-> view ``static/widget.js`` <-> [shell frame] <-> page frame ``static/frame/``;
the shell is left out where the notebook's own page refuses its frames' navigations, see widget.js):

1. Kernel <-> view: anywidget custom messages on the widget's comm, told apart by ``type``;
   a body travels as the message's one buffer. The TypedDicts below are these messages.

   ========== ============= =============================================================
   type       direction     fields (reply)
   ========== ============= =============================================================
   request    view->kernel  id, method, path, navigation, headers; buffer: body (-> response)
   database   view->kernel  id, path: the .db button, the database of `path` (-> response)
   location   view->kernel  path: a page script moved the address (pushState); ``w.path`` follows
   response   kernel->view  id, and either status, content_type, final_path, headers with the
                            body as buffer; or error (one line to show); or cancelled (a newer
                            navigation superseded it)
   navigate   kernel->view  path: Python set ``w.path``; the view loads it. The trait alone
                            cannot say this: ``path`` also changes when the kernel records
                            where the view's own navigation ended, and a late record must
                            not send the view back while the user is already elsewhere
   ========== ============= =============================================================

   Synced traits: ``path``, ``height``, ``image_hosts``, ``_frame_js`` (the page frame's script),
   ``_local_storage`` (the pages' localStorage, written by the view).

   The view's messages make ipykernel publish no busy, and their idle only once the kernel is
   idle for everything else (kernel_status.py); the view shows its own busy state.

2. View <-> shell frame, where there is one: a MessagePort, told apart by ``type``.

   ``connect`` (view->shell, by postMessage to the window, with the port; once), ``open``
   (view->shell: ``html``, the page frame's document, with the page frame's port), ``left``
   (shell->view: the page frame held some other document and was removed).

3. View <-> page frame: a MessagePort handed to the page frame's document by the shell, or
   by the view where there is none (``connect``), told apart by ``type``. Requests from the
   frame carry an ``id``, answered by a ``reply`` with the same id.

   ========== ============= =============================================================
   type       direction     fields (reply)
   ========== ============= =============================================================
   storage    view->frame   local and/or session: Web Storage items, first message of every
                            frame and again when another view changes localStorage
   render     view->frame   id, path, timing, html (bytes): show this page
   text       view->frame   id, path, timing, text: show a non-HTML response as text
   reply      view->frame   id, and assets {script, stylesheet: {path: text}}, or status,
                            headers, body (a fetch), or error
   ready      frame->view   the frame's script is listening
   visit      frame->view   method, path, body, content_type, replace: a link, form or location
                            change to show (the view asks the kernel: a ``request`` with
                            navigation); replace (``location.replace``) takes the history
                            entry of the page shown
   external   frame->view   url: another host, shown in the view's bar to open on a click
   download   frame->view   name, body (bytes): a file the page made (a link with ``download``
                            to a blob: or data: URL) that the user clicked; the view saves it
                            as it saves Datasette's downloads (frame/downloads.js)
   assets     frame->view   id, script, stylesheet (lists of paths) (-> reply with assets)
   fetch      frame->view   id, method, path, headers, body (-> reply with the response)
   history    frame->view   path, replace: pushState/replaceState moved the page's URL
   storage    frame->view   area ("local" or "session"), items: all of that area, after a change
   save       frame->view   ctrl, meta: the user typed Ctrl+S (Cmd+S) in the page; the view gives
                            JupyterLab that key, which saves the notebook (frame/keys.js)
   ========== ============= =============================================================

The benchmarks time pages by the ``datasette:rendered`` event the page frame dispatches on
its own window as each page goes in (a long table's first screen of rows, before the rest and
before the page's scripts; detail: path and the timing marks); no message carries it.
"""

from __future__ import annotations

from typing import Literal, TypedDict


class Request(TypedDict, total=False):
    """View -> kernel: answer `path` through ds.client (a navigation, a fetch, an asset)."""

    type: Literal["request"]
    id: str
    method: str
    path: str
    #: A page to show: the last navigation wins, and the kernel records where it ended.
    navigation: bool
    headers: dict[str, str]


class DatabaseRequest(TypedDict, total=False):
    """View -> kernel: the database file of the page at `path`, as it is now."""

    type: Literal["database"]
    id: str
    path: str


class Location(TypedDict):
    """View -> kernel: a page script moved the page's address with no new page."""

    type: Literal["location"]
    path: str


class Response(TypedDict, total=False):
    """Kernel -> view: the answer to a request with the same id; the body is the buffer."""

    type: Literal["response"]
    id: str | None
    status: int
    content_type: str
    final_path: str
    headers: list[list[str]]
    error: str
    cancelled: bool


class Navigate(TypedDict):
    """Kernel -> view: Python set ``w.path``."""

    type: Literal["navigate"]
    path: str
