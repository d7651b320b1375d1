"""A real ipykernel, driven through jupyter_client with the messages the browser sends."""

from __future__ import annotations

import json
import time
import uuid

import pytest
from jupyter_client.manager import start_new_kernel

pytestmark = pytest.mark.kernel


class Kernel:
    def __init__(self, client, manager=None):
        self.client = client
        #: To interrupt the kernel, as Kernel > Interrupt does.
        self.manager = manager
        #: Comm messages that arrived while a cell ran (execute_interactive reads iopub).
        self.comm_messages: list[dict] = []
        #: Outputs displayed while a cell ran.
        self.displays: list[dict] = []

    def execute(self, code: str) -> str:
        """Run code; return its stdout; fail on an error."""
        chunks = []

        def hook(msg):
            if msg["msg_type"] == "stream":
                chunks.append(msg["content"]["text"])
            elif msg["msg_type"] == "error":
                chunks.append("\n".join(msg["content"]["traceback"]))
            elif msg["msg_type"] == "comm_msg":
                self.comm_messages.append(msg)
            elif msg["msg_type"] == "display_data":
                self.displays.append(msg["content"])

        reply = self.client.execute_interactive(code, output_hook=hook, timeout=60)
        assert reply["content"]["status"] == "ok", "".join(chunks)
        return "".join(chunks)

    def comm_send(
        self, comm_id: str, content: dict, buffers: list[bytes] | None = None, subshell_id: str | None = None
    ) -> str:
        """What the widget manager sends when widget.js calls model.send(); over `subshell_id`, as
        JupyterLab 4.4 and later send it. Returns the message's id."""
        msg = self.client.session.msg(
            "comm_msg", {"comm_id": comm_id, "data": {"method": "custom", "content": content}}
        )
        if subshell_id:
            msg["header"]["subshell_id"] = subshell_id
        self.client.session.send(self.client.shell_channel.socket, msg, buffers=buffers or [])
        return msg["header"]["msg_id"]

    def create_subshell(self) -> str:
        """A new subshell of the kernel, as JupyterLab 4.4 and later make one for widgets."""
        self.client.control_channel.send(self.client.session.msg("create_subshell_request", {}))
        return self.client.get_control_msg(timeout=10)["content"]["subshell_id"]

    def comm_replies(self, comm_id: str, count: int, timeout: float = 30) -> list[tuple[dict, list]]:
        """The next `count` messages on the comm: custom replies and state updates."""
        received = []
        deadline = time.monotonic() + timeout
        while len(received) < count:
            if self.comm_messages:
                msg = self.comm_messages.pop(0)
            else:
                msg = self.client.get_iopub_msg(timeout=max(0.1, deadline - time.monotonic()))
            if msg["msg_type"] == "comm_msg" and msg["content"]["comm_id"] == comm_id:
                received.append((msg["content"]["data"], msg["buffers"]))
        return received


@pytest.fixture(scope="module")
def kernel():
    manager, client = start_new_kernel(kernel_name="python3")
    try:
        yield Kernel(client, manager)
    finally:
        client.stop_channels()
        # Asked, not killed: the kernel's exit hooks run, and Datasette 1.0 removes the temporary
        # internal databases it made (a killed kernel left two in the temporary folder each run).
        manager.shutdown_kernel(now=False)


@pytest.fixture(scope="module")
def widget_id(kernel, fixtures_db):
    out = kernel.execute(f"%load_ext jupyterlite_datasette\nw = %datasette {fixtures_db}\nprint(w.model_id)")
    return out.strip()


def request(kernel, widget_id, path, navigation=True, body=None, subshell_id=None, **extra):
    request_id = uuid.uuid4().hex
    content = {"type": "request", "id": request_id, "path": path, "navigation": navigation, **extra}
    kernel.comm_send(widget_id, content, [body] if body else None, subshell_id)
    return request_id


def test_a_click_is_answered_with_the_page(kernel, widget_id):
    request_id = request(kernel, widget_id, "/fixtures/facetable?state=MI")
    (reply, buffers), (update, _) = kernel.comm_replies(widget_id, 2)
    assert reply["method"] == "custom"
    assert reply["content"]["id"] == request_id
    assert reply["content"]["status"] == 200
    assert b"100 rows where state = &#34;MI&#34;" in bytes(buffers[0])
    assert update == {"method": "update", "state": {"path": "/fixtures/facetable?state=MI"}, "buffer_paths": []}
    assert kernel.execute("print(w.path)").strip() == "/fixtures/facetable?state=MI"


def test_redirects_and_errors_come_back(kernel, widget_id):
    request(kernel, widget_id, "/fixtures/facetable/")
    (reply, _), _update = kernel.comm_replies(widget_id, 2)
    assert reply["content"]["final_path"] == "/fixtures/facetable"
    request(kernel, widget_id, "not-a-path", navigation=False)
    [(reply, _)] = kernel.comm_replies(widget_id, 1)
    assert reply["content"]["error"] == "RequestError: 'not-a-path' must start with '/'"
    assert kernel.execute("print(w.path)").strip() == "/fixtures/facetable"


def test_a_post_body_arrives_and_its_cookie_comes_back(kernel, widget_id):
    # Datasette's flash messages: the POST sets a cookie and redirects; the
    # widget's cookie jar sends it back, so the next page shows the message.
    request(
        kernel,
        widget_id,
        "/-/messages",
        navigation=False,
        method="POST",
        headers={"content-type": "application/x-www-form-urlencoded"},
        body=b"message=Hello+from+the+kernel+test&message_type=WARNING",
    )
    [(reply, buffers)] = kernel.comm_replies(widget_id, 1)
    assert reply["content"]["status"] == 200
    assert reply["content"]["final_path"] == "/"
    assert b'<p class="message-warning">Hello from the kernel test</p>' in bytes(buffers[0])


def test_no_collection_runs_while_datasette_answers_and_the_collector_catches_up_after(kernel, widget_id):
    """Python's cyclic collector waits while the widget answers a page (collection.py): with it
    made to run every 50 allocations, none starts inside Datasette's code, and some do after."""
    kernel.execute(
        "import gc, sys\n"
        "collections = {'inside Datasette': 0, 'elsewhere': 0}\n"
        "def seen(phase, info):\n"
        "    if phase != 'start':\n"
        "        return\n"
        "    frame, inside = sys._getframe(1), False\n"
        "    while frame is not None and not inside:\n"
        "        inside, frame = '/datasette/' in frame.f_code.co_filename, frame.f_back\n"
        "    collections['inside Datasette' if inside else 'elsewhere'] += 1\n"
        "thresholds = gc.get_threshold()\n"
        "gc.callbacks.append(seen)\n"
        "gc.set_threshold(50)"
    )
    try:
        request(kernel, widget_id, "/fixtures/facetable?_sort=city")
        (reply, _), _update = kernel.comm_replies(widget_id, 2)
        assert reply["content"]["status"] == 200
    finally:
        restored = "gc.set_threshold(*thresholds); gc.callbacks.remove(seen)"
        counted = json.loads(kernel.execute(f"{restored}; import json; print(json.dumps(collections))"))
    assert counted["inside Datasette"] == 0, counted
    assert counted["elsewhere"] > 0, counted
    assert kernel.execute("print(gc.isenabled())").strip() == "True"


def test_setting_path_in_python_tells_the_browser(kernel, widget_id):
    kernel.execute("w.navigate('/fixtures/states')")
    messages = [data for data, _ in kernel.comm_replies(widget_id, 2)]
    assert {"method": "custom", "content": {"type": "navigate", "path": "/fixtures/states"}} in messages
    assert {"method": "update", "state": {"path": "/fixtures/states"}, "buffer_paths": []} in messages


@pytest.mark.one_line
def test_a_page_asked_over_a_subshell_is_answered_while_a_cell_runs_that_set_the_path(kernel, widget_id):
    """As JupyterLab 4.4 and later send a widget's messages: over a subshell, a thread of the
    kernel's own. ipykernel 7.4 routes a comm's messages to the shell that last sent on it, which
    after `w.navigate` in a cell is the main shell, busy with that cell (comm_routing.py)."""
    subshell_id = kernel.create_subshell()
    started = time.monotonic()
    cell = kernel.client.execute(
        "w.navigate('/fixtures/facetable?_sort=state')\nimport time\nstart = time.monotonic()\n"
        "while time.monotonic() - start < 8:\n    pass"
    )
    assert {"method": "custom", "content": {"type": "navigate", "path": "/fixtures/facetable?_sort=state"}} in [
        data for data, _ in kernel.comm_replies(widget_id, 2)
    ]
    request_id = request(kernel, widget_id, "/fixtures/facetable", navigation=False, subshell_id=subshell_id)
    [(reply, buffers)] = kernel.comm_replies(widget_id, 1)
    answered = time.monotonic() - started
    assert reply["content"]["id"] == request_id and reply["content"]["status"] == 200
    assert b"facetable" in bytes(buffers[0])
    assert answered < 6, f"answered after {answered:.1f} s, once the cell had ended"
    assert kernel.client.get_shell_msg(timeout=30)["parent_header"]["msg_id"] == cell
    # The comm keeps nothing for each reply sent (ipykernel would, to route its answer).
    assert kernel.execute("print(len(getattr(w.comm, '_reply_subshell_ids', {})))").strip() == "0"


def statuses_until(kernel, last: tuple[str, str], request_id: str | None = None) -> list[tuple[str, str]]:
    """The kernel's statuses, (parent message id, state) in order, until `last` has come and,
    for a `request_id`, the widget's answer to it too."""
    statuses: list[tuple[str, str]] = []
    answered = request_id is None
    deadline = time.monotonic() + 30
    while last not in statuses or not answered:
        msg = kernel.client.get_iopub_msg(timeout=max(0.1, deadline - time.monotonic()))
        if msg["msg_type"] == "status":
            statuses.append((msg["parent_header"].get("msg_id"), msg["content"]["execution_state"]))
        elif msg["msg_type"] == "comm_msg" and msg["content"]["data"].get("content", {}).get("id") == request_id:
            assert msg["content"]["data"]["content"]["status"] == 200
            answered = True
    return statuses


def ask_for_a_page(kernel, widget_id, subshell_id=None) -> tuple[str, str]:
    """A view's request for a page; its request id, and its message's id."""
    request_id = uuid.uuid4().hex
    content = {"type": "request", "id": request_id, "path": "/fixtures", "navigation": False}
    return request_id, kernel.comm_send(widget_id, content, subshell_id=subshell_id)


@pytest.mark.one_line
def test_a_views_messages_publish_only_an_idle_and_only_once_the_kernel_is_idle(kernel, widget_id):
    """ipykernel publishes busy, then idle, for each message; for a view's request, in a subshell,
    that said Idle under a running cell (kernel_status.py). JupyterLab forgets a message it sent
    at its idle: each request still gets one. Over the main shell and over a subshell, as
    JupyterLab sends them; other widgets and cells keep both."""
    slider_id = kernel.execute("import ipywidgets\nslider = ipywidgets.IntSlider()\nprint(slider.model_id)").strip()
    subshell_id = kernel.create_subshell()
    for shell in (None, subshell_id):
        # One after the other: ipykernel 7.4 may route the slider's message to another shell.
        request_id, asked = ask_for_a_page(kernel, widget_id, shell)
        statuses = statuses_until(kernel, (asked, "idle"), request_id)
        slid = kernel.comm_send(slider_id, {"to": "the slider"}, subshell_id=shell)
        statuses += statuses_until(kernel, (slid, "idle"))
        ours = [status for status in statuses if status[0] in (asked, slid)]
        assert ours == [(asked, "idle"), (slid, "busy"), (slid, "idle")], f"subshell {shell}"

    # While a cell runs, the page is answered over the subshell, and its idle follows the cell's.
    cell = kernel.client.execute("import time\ntime.sleep(3)")
    statuses_until(kernel, (cell, "busy"))
    request_id, asked = ask_for_a_page(kernel, widget_id, subshell_id)
    statuses = statuses_until(kernel, (asked, "idle"), request_id)
    assert [status for status in statuses if status[0] in (cell, asked)] == [(cell, "idle"), (asked, "idle")]
    assert kernel.client.get_shell_msg(timeout=30)["parent_header"]["msg_id"] == cell


def test_the_kernel_stays_usable_after_bad_magic_input(kernel):
    out = kernel.client.execute_interactive("%datasette /nowhere/x.db", timeout=30)
    assert out["content"]["status"] == "error"
    assert out["content"]["ename"] == "UsageError"
    assert kernel.execute("print(6 * 7)").strip() == "42"


def test_interrupt_stops_a_sql_file_that_runs_on_and_the_kernel_stays_usable(kernel, tmp_path):
    forever = tmp_path / "forever.sql"
    forever.write_text(
        "create table t as with recursive c(x) as (select 1 union all select x + 1 from c) select count(*) from c;"
    )
    message_id = kernel.client.execute(f"%reload_ext jupyterlite_datasette\n%datasette {forever}")
    time.sleep(1.5)
    kernel.manager.interrupt_kernel()
    reply = kernel.client.get_shell_msg(timeout=30)
    assert reply["parent_header"]["msg_id"] == message_id
    assert (reply["content"]["status"], reply["content"]["ename"]) == ("error", "KeyboardInterrupt"), reply["content"]
    assert kernel.execute("print(6 * 7)").strip() == "42"


def test_the_output_saves_a_snapshot_of_the_page_without_a_browser(kernel, fixtures_db):
    """Run headless (as nbconvert would): the kernel fills the snapshot beside the widget itself."""
    kernel.displays.clear()
    kernel.execute(f"%datasette {fixtures_db} --path /fixtures/states")
    widget_output, snapshot_output = kernel.displays[-2:]
    assert "application/vnd.jupyter.widget-view+json" in widget_output["data"]
    display_id = snapshot_output["transient"]["display_id"]
    assert "run the cell to browse it" in snapshot_output["data"]["text/html"]
    deadline = time.monotonic() + 30
    while True:
        msg = kernel.client.get_iopub_msg(timeout=max(0.1, deadline - time.monotonic()))
        if msg["msg_type"] == "update_display_data" and msg["content"]["transient"]["display_id"] == display_id:
            break
    html = msg["content"]["data"]["text/html"]
    assert "Datasette page /fixtures/states, as last shown" in html
    assert "<td" in html and "Michigan" in html
    assert "<script" not in html and "href" not in html
