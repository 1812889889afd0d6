"""A tiny SMTP server on 127.0.0.1 for tests: it accepts, refuses, rejects recipients or never answers."""

from __future__ import annotations

import socketserver
import threading
from email import message_from_bytes, policy


class _Handler(socketserver.StreamRequestHandler):
    timeout = 10

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")
        self.wfile.flush()

    def handle(self) -> None:
        server: FakeSMTP = self.server.fake  # type: ignore[attr-defined]
        server.connections += 1
        if server.mode == "hang":
            server.stopped.wait()  # never greet: the client must time out
            return
        if server.mode == "refuse":
            self.reply("554 fake.test no service here")
            return
        self.reply("220 fake.test ESMTP")
        while True:
            line = self.rfile.readline()
            if not line:
                return
            verb = line.decode(errors="replace").strip().split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250-fake.test\r\n250 8BITMIME")
            elif verb == "RCPT" and server.mode == "reject":
                self.reply("550 no such mailbox")
            elif verb == "DATA":
                self.reply("354 go on")
                data = b""
                while not data.endswith(b"\r\n.\r\n"):
                    chunk = self.rfile.readline()
                    if not chunk:
                        return
                    data += chunk
                with server.lock:
                    server.messages.append(message_from_bytes(data[: -len(b".\r\n")], policy=policy.default))
                self.reply("250 queued")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("250 ok")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class FakeSMTP:
    """`with FakeSMTP("accept") as smtp:` ... `smtp.port`, `smtp.messages`; modes: accept, refuse, reject, hang."""

    def __init__(self, mode: str = "accept"):
        self.mode = mode
        self.messages: list = []
        self.connections = 0
        self.lock = threading.Lock()
        self.stopped = threading.Event()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.fake = self  # type: ignore[attr-defined]
        self.port = self._server.server_address[1]

    def __enter__(self) -> FakeSMTP:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopped.set()
        self._server.shutdown()
        self._server.server_close()


def closed_port() -> int:
    """A local port nothing listens on (connections are refused)."""
    server = socketserver.TCPServer(("127.0.0.1", 0), socketserver.BaseRequestHandler)
    port = server.server_address[1]
    server.server_close()
    return port
