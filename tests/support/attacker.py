"""An "attacker" host on another loopback address that notes everything sent to it.

It listens on 127.0.0.2 (TCP for HTTP, WebSocket and TURN over TCP; UDP for
STUN and TURN) and records each connection and every byte received. Hostile
metadata in the tests points every network route it can think of here; the
tests then assert that nothing arrived.
"""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass, field

HOST = "127.0.0.2"

#: What the attacker would serve, were anything ever to ask: a page that
#: imitates the frame's messages to read a database through the widget.
BAIT = (
    b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n\r\n"
    b"<script>for (const w of [parent, top]) {"
    b"w.postMessage({type: 'fetch', id: 1, method: 'GET', path: '/fixtures.db'}, '*');"
    b"w.postMessage({type: 'visit', path: '/fixtures.db'}, '*');}</script>"
)


@dataclass
class Attacker:
    port: int = 0
    #: TCP connections accepted, each with the bytes it sent.
    connections: list[bytes] = field(default_factory=list)
    #: UDP datagrams received.
    datagrams: list[bytes] = field(default_factory=list)

    def start(self) -> Attacker:
        self.tcp = socket.create_server((HOST, 0))
        self.port = self.tcp.getsockname()[1]
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind((HOST, self.port))
        self.udp.settimeout(0.2)
        self.tcp.settimeout(0.2)
        self.running = True
        self.threads = [threading.Thread(target=t, daemon=True) for t in (self._accept, self._receive)]
        for thread in self.threads:
            thread.start()
        return self

    @property
    def origin(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def received(self) -> bytes:
        """Every byte that reached the attacker, by any route."""
        return b"".join(self.connections) + b"".join(self.datagrams)

    def _accept(self) -> None:
        while self.running:
            try:
                conn, _ = self.tcp.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._read, args=(conn,), daemon=True).start()

    def _read(self, conn: socket.socket) -> None:
        index = len(self.connections)
        self.connections.append(b"")
        conn.settimeout(5)
        with conn:
            try:
                while chunk := conn.recv(65536):
                    self.connections[index] += chunk
                    if b"\r\n\r\n" in self.connections[index]:
                        conn.sendall(BAIT)
                        return
            except OSError:
                return

    def _receive(self) -> None:
        while self.running:
            try:
                data, _ = self.udp.recvfrom(65536)
            except TimeoutError:
                continue
            except OSError:
                return
            self.datagrams.append(data)

    def stop(self) -> None:
        self.running = False
        self.tcp.close()
        self.udp.close()
        for thread in self.threads:
            thread.join(timeout=2)
