"""A recording HTTP/1.1 server for the push tests: keeps every request's bytes as received (chunked framing
included) and answers from a script: the service index for GET, then a status per PUT."""

from __future__ import annotations

import json
import socket
import threading


class Recorder:
    def __init__(self, statuses: list[tuple[int, str]] | None = None):
        self.statuses = list(statuses or [])
        self.requests: list[bytes] = []
        self.connections = 0
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/v3/index.json"
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._server.close()

    def __enter__(self) -> "Recorder":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def puts(self) -> list[bytes]:
        return [r for r in self.requests if r.startswith(b"PUT ")]

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self._server.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(connection,), daemon=True).start()

    def _serve(self, connection: socket.socket) -> None:
        reader = connection.makefile("rb")
        with connection, reader:
            while True:
                head = b""
                while not head.endswith(b"\r\n\r\n"):
                    line = reader.readline()
                    if not line:
                        return
                    head += line
                raw = head
                if b"transfer-encoding: chunked" in head.lower():
                    while True:
                        size_line = reader.readline()
                        raw += size_line
                        size = int(size_line.strip(), 16)
                        raw += reader.read(size + 2)
                        if size == 0:
                            break
                self.requests.append(raw)
                if head.startswith(b"GET "):
                    base = f"http://127.0.0.1:{self.port}"
                    body = json.dumps({"version": "3.0.0", "resources": [
                        {"@id": f"{base}/api/v2/package", "@type": "PackagePublish/2.0.0"},
                        {"@id": f"{base}/api/v2/symbolpackage", "@type": "SymbolPackagePublish/4.9.0"}]}).encode()
                    status, reason = 200, "OK"
                else:
                    status, reason = self.statuses.pop(0) if self.statuses else (201, "Created")
                    body = b""
                connection.sendall(f"HTTP/1.1 {status} {reason}\r\nContent-Length: {len(body)}\r\n\r\n".encode()
                                   + body)
