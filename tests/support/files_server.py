"""The tests' one static file server: files from a folder over HTTP, as static hosts serve them.

Range requests (``Range: bytes=a-b``) are answered with 206 and that piece, as GitHub Pages and
CDNs answer them, which lets the kernel show progress while the browser downloads a big database.
Besides the files: a path under /slow/ answers after 3 s, and /any/NAME answers for any NAME at all
(a hostile URL chooses its own last segment). Every path asked for is noted.

In the tests' process (`FilesServer`: URL sources, image hosts), or as a process of its own for
the JupyterLite site, which a browser loads hundreds of files of at once:

    python tests/support/files_server.py PORT DIRECTORY
"""

from __future__ import annotations

import functools
import io
import os
import re
import sys
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

#: What /any/NAME answers.
ANY_BODY = b"bytes whose name the URL chose"


class Handler(SimpleHTTPRequestHandler):
    #: Paths asked for, in order (each server sets its own).
    requested: list[str]
    #: Whether pages of other origins may read the answers (the server sets it).
    cors = False

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
        super().do_GET()

    def send_head(self):
        wanted = re.fullmatch(r"bytes=(\d+)-(\d*)", self.headers.get("Range", ""))
        path = self.translate_path(self.path)
        if not wanted or not os.path.isfile(path):
            return super().send_head()
        size = os.path.getsize(path)
        start = int(wanted[1])
        end = min(int(wanted[2]) if wanted[2] else size - 1, size - 1)
        if start >= size:
            self.send_response(416)
            self.send_header("Content-Range", f"bytes */{size}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        with open(path, "rb") as f:
            f.seek(start)
            piece = f.read(end - start + 1)
        self.send_response(206)
        self.send_header("Content-Type", self.guess_type(path))
        self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Content-Length", str(len(piece)))
        self.end_headers()
        return io.BytesIO(piece)

    def end_headers(self):
        if self.cors:
            self.send_header("Access-Control-Allow-Origin", "*")
        super().end_headers()

    def log_message(self, *args):
        pass


def serving(directory: Path, host: str, port: int, cors: bool) -> tuple[ThreadingHTTPServer, list[str]]:
    requested: list[str] = []
    handler = type("RecordingHandler", (Handler,), {"requested": requested, "cors": cors})
    return ThreadingHTTPServer((host, port), functools.partial(handler, directory=str(directory))), requested


class FilesServer:
    """`directory` served from a thread of the tests' process; pages on other ports (JupyterLab's)
    may fetch from it, as from any server allowing it."""

    def __init__(self, directory: Path, host: str = "127.0.0.1"):
        self.directory = directory
        self.server, self.requested = serving(directory, host, 0, cors=True)
        self.base = f"http://{host}:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, name: str) -> str:
        return f"{self.base}/{name}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


if __name__ == "__main__":
    port, directory = int(sys.argv[1]), Path(sys.argv[2])
    serving(directory, "127.0.0.1", port, cors=False)[0].serve_forever()
