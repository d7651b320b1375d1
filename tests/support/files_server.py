"""A real HTTP server (on 127.0.0.1 unless told) for URL sources and image hosts: files from a folder,
a path that never answers in time, and /any/NAME, which answers for any NAME at all (a hostile URL
chooses its own last segment). It notes every path asked for."""

from __future__ import annotations

import functools
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

#: What /any/NAME answers.
ANY_BODY = b"bytes whose name the URL chose"


class Handler(SimpleHTTPRequestHandler):
    #: Paths asked for, in order (the server sets it).
    requested: list[str]

    def do_GET(self):
        self.requested.append(self.path)
        if self.path.startswith("/any/"):
            self.send_response(200)
            self.send_header("Content-Length", str(len(ANY_BODY)))
            self.end_headers()
            self.wfile.write(ANY_BODY)
            return
        if self.path.startswith("/slow/"):
            time.sleep(3)
        # Pages in the browser on another port fetch from here, as from any server allowing it.
        super().do_GET()

    def end_headers(self):
        self.send_header("Access-Control-Allow-Origin", "*")
        super().end_headers()

    def log_message(self, *args):
        pass


class FilesServer:
    def __init__(self, directory: Path, host: str = "127.0.0.1"):
        self.directory = directory
        #: Every path asked for, by any client.
        self.requested: list[str] = []
        handler = type("RecordingHandler", (Handler,), {"requested": self.requested})
        self.server = ThreadingHTTPServer((host, 0), functools.partial(handler, directory=str(directory)))
        self.base = f"http://{host}:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, name: str) -> str:
        return f"{self.base}/{name}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
