"""What the attack tests check in the browser, in JupyterLab and in JupyterLite alike."""

from __future__ import annotations

from .lab import NotebookPage


class Watch:
    """Downloads, new tabs and dialogs while the attacks run: there must be none."""

    def __init__(self, page):
        self.events = []
        page.on("download", lambda d: self.events.append(f"download {d.suggested_filename}"))
        page.context.on("page", lambda p: self.events.append(f"new tab {p.url}"))
        page.on("dialog", self.dialog)

    def dialog(self, dialog) -> None:
        self.events.append(f"dialog {dialog.message}")
        dialog.dismiss()


def visit(nb: NotebookPage, path: str) -> None:
    nb.go(path)


def expect_own_document(nb: NotebookPage) -> None:
    """The page frame holds the widget's own document: its script is there, on its internal origin."""
    own = nb.frame().locator("html[data-internal-origin]")
    own.wait_for(state="attached", timeout=10_000)
    assert own.get_attribute("data-internal-origin") == "http://localhost"


def expect_widget_works(nb: NotebookPage) -> None:
    visit(nb, "/fixtures")
    nb.frame().locator("h1", has_text="fixtures").first.wait_for(timeout=20_000)
    nb.frame().locator("a[href='/fixtures/states']").first.click()
    nb.frame().locator("h1", has_text="states").first.wait_for(timeout=20_000)


def expect_text_never_ran_as_code(nb: NotebookPage) -> None:
    """The CSV and JSON that metadata loads as script and stylesheet (support.attacks.TEXT_AS_CODE) did nothing."""
    body = nb.frame().locator("body")
    assert body.evaluate("() => [window.__text_ran, window.__text_header]") == [None, None]
    assert body.evaluate("(b) => getComputedStyle(b).outlineWidth") != "9px"


#: Attacks that ask to open another host without a click: the address they wait in the widget's bar with.
WAITING_FOR_THE_USER = {
    "bare_location": "/bare-location",
    "window_location": "/window-location",
    "document_location": "/document-location",
    "eval_location": "/eval-location",
    "function_location": "/function-location",
    "forms": "/get-form?q=secret",
}


def decline_waiting_address(nb: NotebookPage, name: str, origin: str) -> None:
    """The attack `name` left an address waiting for the user's confirmation, if it is one that does: say no."""
    if name in WAITING_FOR_THE_USER:
        prompt = nb.widget().locator(".jld-external")
        prompt.get_by_text(origin + WAITING_FOR_THE_USER[name]).wait_for()
        prompt.get_by_role("button", name="Cancel").click()


def watch_notebook_saves(page) -> None:
    """From now on, the notebook's page notes whether the notebook, which has unsaved changes, is saved.

    A save leaves no element marked dirty, if only for a moment: the widget's
    snapshot of the next page changes the notebook again.
    """
    page.locator(".jp-mod-dirty").first.wait_for(state="attached")
    page.evaluate(
        """() => {
            window.__jld_saved = false;
            new MutationObserver(() => {
                if (!document.querySelector(".jp-mod-dirty")) window.__jld_saved = true;
            }).observe(document.body, { subtree: true, attributes: true, attributeFilter: ["class"] });
        }"""
    )


def expect_notebook_unsaved_after(nb: NotebookPage, name: str) -> None:
    """After the attack `keys` (a page script's own Ctrl+S), the notebook has not been saved (watch_notebook_saves)."""
    if name == "keys":
        assert nb.page.evaluate("() => window.__jld_saved") is False, "a page script's keys saved the notebook"


#: What the user put in the clipboard before the attacks.
CLIPBOARD_MARK = "the user's own clipboard"


def mark_clipboard(page) -> None:
    """The user's text in the clipboard, put there by the notebook's page (which may read it back)."""
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.evaluate("(text) => navigator.clipboard.writeText(text)", CLIPBOARD_MARK)


def expect_clipboard_and_screen_kept(page, name: str) -> None:
    """No page script wrote the clipboard (mark_clipboard) or filled the screen."""
    assert page.evaluate("() => navigator.clipboard.readText()") == CLIPBOARD_MARK, f"{name} wrote the clipboard"
    assert page.evaluate("() => document.fullscreenElement") is None, f"{name} filled the screen"


def image_width(image, timeout_ms: int = 10_000) -> int:
    """The natural width of `image` (a locator) once the browser is done with it: 0 if refused or failed."""
    return image.evaluate(
        """(img, timeout) => new Promise((resolve) => {
            const done = () => img.complete && resolve(img.naturalWidth);
            img.addEventListener("load", done);
            img.addEventListener("error", () => resolve(0));
            done();
            setTimeout(() => resolve(-1), timeout);
        })""",
        timeout_ms,
    )
