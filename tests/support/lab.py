"""A real JupyterLab server on 127.0.0.1 and a notebook driven in headless Chromium."""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from jupyterlite_datasette.datasette_line import IS_1_0

#: Debian's Chromium; Playwright never downloads a browser of its own here.
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
#: Flags that keep Chromium from reaching out to Google's hosts at start.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
#: Chromium puts sandboxed frames, the widget's page frame among them, in a process of
#: their own; Playwright then now and then loses track of the page frame nested in the
#: widget's shell frame. The tests that have a shell frame (all but those of the sites
#: lite/build.py builds, whose pages leave it out) keep them in the notebook's process,
#: which changes nothing a page can see or do (origins, sandbox and policies are the same).
SANDBOXED_FRAMES_IN_PAGE_PROCESS = "--disable-features=IsolateSandboxedIframes"


def launch_chromium(playwright, *, as_users_run_it: bool = False):
    """Debian's Chromium, headless. `as_users_run_it`: with Chromium's own process model,
    sandboxed frames in a process of their own, as users get it (benchmarks, the tests of
    the sites lite/build.py builds)."""
    args = CHROMIUM_ARGS if as_users_run_it else [*CHROMIUM_ARGS, SANDBOXED_FRAMES_IN_PAGE_PROCESS]
    return playwright.chromium.launch(executable_path=CHROMIUM, args=args)


def frames_in_own_process(page) -> int:
    """How many frames of `page`'s browser run in a process of their own (Chromium's "iframe" targets)."""
    session = page.context.browser.new_browser_cdp_session()
    try:
        targets = session.send("Target.getTargets")["targetInfos"]
    finally:
        session.detach()
    return sum(1 for target in targets if target["type"] == "iframe")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_http(url: str, timeout: float, process: subprocess.Popen | None = None) -> bool:
    """Poll `url` until it answers; False once `timeout` seconds pass or `process` has exited."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(url, timeout=2):
                return True
        except OSError:
            time.sleep(0.1)
    return False


#: The kernels notebooks name: CPython's ipykernel, and JupyterLite's Pyodide kernel.
IPYKERNEL = {"name": "python3", "display_name": "Python 3", "language": "python"}
PYODIDE_KERNEL = {"name": "python", "display_name": "Python (Pyodide)", "language": "python"}


def write_notebook(path: Path, cells: list[str], kernelspec: dict = IPYKERNEL) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    nb.metadata["kernelspec"] = kernelspec
    nbformat.write(nb, path)
    return path


class JupyterLab:
    """``jupyter lab`` on a free port with a token, isolated from the user's config."""

    def __init__(self, root: Path, home: Path, environment: dict[str, str] | None = None):
        self.root = root
        self.home = home
        #: Added to the server's environment, which its kernels inherit.
        self.environment = environment or {}
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = home / "jupyterlab.log"
        self.process: subprocess.Popen | None = None

    def _environment(self) -> dict:
        settings = self.home / "settings"
        notification = settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
        notification.parent.mkdir(parents=True, exist_ok=True)
        # No news or update prompts: they would cover the widget in screenshots.
        notification.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))
        # Render every cell, so that cells below a tall widget can be clicked;
        # start the notebook's kernel without asking.
        tracker = settings / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings"
        tracker.parent.mkdir(parents=True, exist_ok=True)
        tracker.write_text(json.dumps({"windowingMode": "none", "autoStartDefaultKernel": True}))
        env = dict(os.environ)
        env.update(
            JUPYTER_CONFIG_DIR=str(self.home / "config"),
            JUPYTER_RUNTIME_DIR=str(self.home / "runtime"),
            JUPYTERLAB_SETTINGS_DIR=str(settings),
            JUPYTERLAB_WORKSPACES_DIR=str(self.home / "workspaces"),
        )
        env.update(self.environment)
        return env

    def start(self) -> JupyterLab:
        log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "jupyter",
                "lab",
                "--no-browser",
                "--allow-root",
                "--ip=127.0.0.1",
                f"--port={self.port}",
                f"--IdentityProvider.token={self.token}",
                f"--ServerApp.root_dir={self.root}",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=self._environment(),
        )
        if wait_for_http(f"{self.base}/api/status?token={self.token}", 60, self.process):
            return self
        self.stop()
        raise RuntimeError(f"JupyterLab did not start:\n{self.log_path.read_text()[-4000:]}")

    def notebook_url(self, name: str) -> str:
        # reset: start from an empty workspace, not the tabs of the last test.
        return f"{self.base}/lab/tree/{name}?token={self.token}&reset"

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()


# Page parts whose markup differs between Datasette's two lines.
APPLY_FILTERS = "input[type=submit][value^=Apply]"  # 0.65 "Apply", 1.0 "Apply filters"
SQL_EDITOR = ".CodeMirror, .cm-editor"  # CodeMirror 5 on 0.65, 6 on 1.0


def widget_cells(line: str) -> list[str]:
    """A notebook's cells: load the extension, run `line` (a %datasette), keep the widget as `w`,
    and print its path (cell 3, the probe of `expect_kernel_path`)."""
    return ["%load_ext jupyterlite_datasette", line, "w = _", 'print("path:", w.path)']


def query_page(database: str) -> str:
    """Where a database page's SQL form goes: 1.0 answers queries at /db/-/query."""
    return f"/{database}/-/query" if IS_1_0 else f"/{database}"


#: What the widget looks for in the notebook's page to leave out its shell frame (widget.js).
FRAME_POLICY_IN_HEAD = """() => [...document.head.querySelectorAll("meta[http-equiv='Content-Security-Policy' i]")]
  .some((meta) => /(^|;)\\s*frame-src\\s+'none'\\s*(;|$)/i.test(meta.content))"""


#: Notes in the page when Notebook 7 next writes its "Last Checkpoint", as it does after a save.
WATCH_CHECKPOINT = """() => {
  window.__jld_checkpointed = false;
  const label = document.querySelector(".jp-NotebookCheckpoint");
  new MutationObserver((_, observer) => {
    window.__jld_checkpointed = true;
    observer.disconnect();
  }).observe(label, { childList: true, characterData: true, subtree: true });
}"""


class NotebookPage:
    """A notebook open in JupyterLab, driven as a person would: menus and keys."""

    def __init__(self, page, url: str | None, status_bar: bool = True, wait_for_kernel: bool = True):
        """Open `url` (or take the notebook the page already shows) and wait for its kernel,
        unless the caller has seen it idle itself (`wait_for_kernel` false)."""
        self.page = page
        #: Notebook 7 has no status bar to read the kernel's state from.
        self.status_bar = status_bar
        if url:
            page.goto(url)
        if wait_for_kernel:
            self.wait_for_kernel_idle()
        #: The site's pages refuse their frames' navigations (the addon's frame policy): the
        #: widget's page frame then sits in the notebook, not in a shell frame.
        self.page_frame_in_notebook: bool = page.evaluate(FRAME_POLICY_IN_HEAD)

    def wait_for_kernel_idle(self, timeout: float = 120_000) -> None:
        # The indicator's data-status is the kernel's state even when a narrow toolbar has
        # folded the indicator into its overflow menu, hidden: so wait for it to be there.
        idle = self.page.locator(".jp-Notebook-ExecutionIndicator[data-status=idle]")
        choose = self.page.locator(".jp-Dialog button", has_text="Select")
        idle.or_(choose).first.wait_for(state="attached", timeout=timeout)
        if choose.count():
            # JupyterLab sometimes asks which kernel to start: the notebook's own.
            choose.click()
            idle.first.wait_for(state="attached", timeout=timeout)
        # The toolbar can say idle while the kernel's connection is still being
        # made; the status bar says "Connecting" until it is.
        if self.status_bar:
            self.page.locator(".jp-StatusBar-TextItem", has_text="| Idle").first.wait_for(timeout=timeout)

    def menu(self, menu: str, item: str) -> None:
        self.page.click(f"div.lm-MenuBar-itemLabel:text-is('{menu}')")
        self.page.click(f"li[role=menuitem]:has(div.lm-Menu-itemLabel:text-is('{item}'))")

    def save_after_snapshot(self, path: str, keys: str | None = None) -> None:
        """Save once the kernel has written the snapshot of the page at `path`: by
        File > Save Notebook, or by pressing `keys` wherever the focus is.

        The snapshot is cell output, so a save made before it arrives leaves the
        notebook dirty again a moment later.
        """
        note = self.page.locator(".jld-snapshot-note", has_text=f"Datasette page {path}, as last shown")
        note.first.wait_for(state="attached")
        if not self.status_bar:
            # Notebook 7 marks nothing dirty; it writes its "Last Checkpoint" anew at each save.
            self.page.evaluate(WATCH_CHECKPOINT)
        if keys:
            self.page.keyboard.press(keys)
        else:
            self.menu("File", "Save Notebook")
        if self.status_bar:
            self.page.locator(".jp-mod-dirty").wait_for(state="detached")
        else:
            self.page.wait_for_function("() => window.__jld_checkpointed")

    def run_all(self) -> None:
        """Run > Run All Cells; wait until the first code cell has started."""
        first = self.page.locator(".jp-Notebook .jp-CodeCell .jp-InputPrompt").first
        self._until_started(first, lambda: self.menu("Run", "Run All Cells"))

    def wait_for_run_all(self, timeout: float = 180_000) -> None:
        """Until every code cell has run: the notebook stops scrolling to the running cell."""
        # textContent: cells scrolled out of view are not laid out, and have no innerText.
        self.page.wait_for_function(
            """() => [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')]
                     .every((prompt) => /\\[\\d+\\]/.test(prompt.textContent))""",
            timeout=timeout,
        )

    def cell(self, index: int):
        return self.page.locator(".jp-Notebook .jp-Cell").nth(index)

    def prompt(self, index: int):
        """Cell `index`'s input prompt: [ ]:, [*]: while it runs, [n]: once it has run."""
        return self.cell(index).locator(".jp-InputPrompt").first

    def run_cell(self, index: int) -> None:
        """Select the cell and run it from the Run menu; wait until it has run."""
        prompt = self.prompt(index)
        before = self.start_cell(index)
        self.page.wait_for_function(
            "([prompt, before]) => /\\[\\d+\\]/.test(prompt.innerText) && prompt.innerText !== before",
            arg=[prompt.element_handle(), before],
            timeout=60_000,
        )

    def is_running(self, index: int) -> bool:
        """Whether cell `index` is still running (its prompt shows [*])."""
        return self.prompt(index).inner_text().strip() == "[*]:"

    def start_cell(self, index: int) -> str:
        """Select the cell and run it from the Run menu; return its prompt's text from before, once it moved."""
        prompt = self.prompt(index)
        cell = self.cell(index)

        def run():
            prompt.click()
            # After a click inside a widget's frame, JupyterLab may not yet
            # track the notebook as current: wait until the cell is active.
            self.page.wait_for_function(
                "cell => cell.classList.contains('jp-mod-active')", arg=cell.element_handle(), timeout=5_000
            )
            self.menu("Run", "Run Selected Cell and Do not Advance")

        return self._until_started(prompt, run)

    def _until_started(self, prompt, action) -> str:
        """Do `action` until `prompt` moves ("[*]" or a new count); return its old text.

        Just after a notebook opens, JupyterLab can ignore a run command although
        the kernel shows idle: the prompt not moving at all means try again.
        """
        handle = prompt.element_handle()
        before = prompt.inner_text()
        for _attempt in range(10):
            action()
            try:
                self.page.wait_for_function(
                    "([prompt, before]) => prompt.innerText !== before",
                    arg=[handle, before],
                    timeout=5_000,
                )
                return before
            except PlaywrightTimeoutError:
                continue
        # What the page shows then, for the report: the kernel's state and any dialog.
        indicator = self.page.locator(".jp-Notebook-ExecutionIndicator").first
        status = indicator.get_attribute("data-status") if indicator.count() else None
        dialogs = self.page.locator(".jp-Dialog").all_inner_texts()
        raise AssertionError(f"the notebook never started running the cell (kernel: {status}; dialogs: {dialogs})")

    def go(self, path: str, nth: int = 0) -> None:
        """Type `path` into the widget's address field and press Enter, as a person does."""
        address = self.widget(nth).locator(".jld-address input")
        address.fill(path)
        address.press("Enter")

    def set_cell_text(self, index: int, text: str) -> None:
        """Replace what cell `index` holds, typed as a person types it."""
        self.cell(index).locator(".cm-content").click()
        self.page.keyboard.press("Control+a")
        self.page.keyboard.type(text)

    def wait_for_output(self, index: int, text: str, timeout: float = 30_000) -> str:
        output = self.cell(index).locator(".jp-OutputArea-output").filter(has_text=text)
        output.first.wait_for(timeout=timeout)
        return output.first.inner_text()

    def widget(self, nth: int = 0):
        return self.page.locator(".jld-widget").nth(nth)

    def page_frame_element(self, nth: int = 0, unmarked: bool = False):
        """The page frame's <iframe>: in the notebook, or in the widget's shell frame. `unmarked`:
        one that `mark_page_frame` did not mark (a fresh one)."""
        own = ":not([data-old])" if unmarked else ""
        if self.page_frame_in_notebook:
            return self.widget(nth).locator(f"iframe.jld-frame{own}")
        return self.widget(nth).locator("iframe.jld-frame").content_frame.locator(f"iframe{own}")

    def mark_page_frame(self, nth: int = 0) -> None:
        """Mark the page frame's <iframe>, to tell a fresh page frame from it."""
        self.page_frame_element(nth).evaluate("(frame) => { frame.dataset.old = 'yes'; }")

    def frame(self, nth: int = 0, unmarked: bool = False):
        """The page frame, to find elements in."""
        return self.page_frame_element(nth, unmarked).content_frame

    def frame_handle(self, nth: int = 0):
        """The page frame, as a Frame (for evaluate); a fresh page frame is another."""
        return self.page_frame_element(nth).element_handle().content_frame()

    def address(self, nth: int = 0) -> str:
        """The path in the widget's address field."""
        return self.widget(nth).locator(".jld-address input").input_value()

    def wait_for_address(self, path: str, nth: int = 0) -> None:
        """Until the widget's address field shows `path`."""
        expect(self.widget(nth).locator(".jld-address input")).to_have_value(path, timeout=30_000)

    def expect_kernel_path(self, path: str, probe_cell: int = 3) -> None:
        """Re-run the probe cell (``print("path:", w.path)``) until the kernel reports `path`."""
        self.run_cell(probe_cell)
        self.wait_for_output(probe_cell, f"path: {path}")

    def type_sql(self, sql: str, nth: int = 0) -> None:
        """Replace the text in the page's SQL editor (Datasette's CodeMirror), as a person types."""
        self.frame(nth).locator(".CodeMirror, .cm-content").first.click()
        self.page.keyboard.press("Control+a")
        self.page.keyboard.type(sql)


def open_widget(page, lab: JupyterLab, name: str, line: str) -> NotebookPage:
    """Open a notebook `name` of `widget_cells(line)` and run them all."""
    nb = open_notebook(page, lab, name, widget_cells(line))
    for cell in range(4):
        nb.run_cell(cell)
    return nb


def answer_dialogs(page, accepts: list[bool]) -> list[str]:
    """From now on, note each of the page's dialogs ("confirm Sure?") in the list returned, and
    answer them in turn: accepted where `accepts` says so, dismissed otherwise and after."""
    shown: list[str] = []

    def answer(dialog) -> None:
        shown.append(f"{dialog.type} {dialog.message}")
        accept = len(shown) <= len(accepts) and accepts[len(shown) - 1]
        dialog.accept() if accept else dialog.dismiss()

    page.on("dialog", answer)
    return shown


def open_notebook(page, lab: JupyterLab, name: str, cells: list[str]) -> NotebookPage:
    """Write a notebook of `cells` into the lab's folder and open it."""
    write_notebook(lab.root / name, cells)
    return NotebookPage(page, lab.notebook_url(name))
