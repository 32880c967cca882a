"""Starting `snupkg-lint serve` for tests (in a process of its own, on 127.0.0.1, any free port), pushing to it
over plain HTTP, and running the real NuGet client against it with a fresh HOME."""

from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import require
from tests.nuget_client import client

ROOT = Path(__file__).resolve().parent.parent
KEY = "test-key-0123456789"


def require_server() -> None:
    from snupkg_lint import server

    require(server.available(), "the server extra is not installed (pip install '.[server]')")


def require_client() -> list[str]:
    command = client()
    require(not isinstance(command, str), command if isinstance(command, str) else "")
    return command  # type: ignore[return-value]


@dataclass
class Served:
    process: subprocess.Popen
    url: str  # the service index
    data: Path
    stdout: list[str]

    @property
    def base(self) -> str:
        return self.url[: -len("/v3/index.json")]

    def stop(self, sig: int = signal.SIGTERM) -> tuple[int, str]:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        err = self.process.stderr.read() if self.process.stderr else ""
        return self.process.returncode, err

    def result(self, package_id: str, version: str) -> dict:
        try:
            with urllib.request.urlopen(f"{self.base}/api/v2/symbolpackage/{package_id}/{version}", timeout=10) as r:
                return json.load(r)
        except urllib.error.HTTPError as exc:
            return json.load(exc)

    def wait_validated(self, package_id: str, version: str, timeout: float = 30) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            document = self.result(package_id, version)
            if document.get("status") not in ("validating", "not-found") or time.monotonic() > deadline:
                return document
            time.sleep(0.1)


def serve(data: Path, *args: str) -> Served:
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1")
    process = subprocess.Popen([sys.executable, "-m", "snupkg_lint", "serve", "--port", "0", "--data", str(data),
                                *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    lines: list[str] = []
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if not selector.select(timeout=deadline - time.monotonic()):
            break
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line.rstrip("\n"))
        if "/v3/index.json" in line:
            return Served(process, line.split()[-1], data, lines)
    process.kill()
    raise AssertionError(f"serve did not start: {lines} {process.stderr.read()}")


def multipart(data: bytes, boundary: str | None = None) -> tuple[bytes, str]:
    """The body NuGet.exe sends (client reference §5.1) and its Content-Type."""
    boundary = boundary or str(uuid.uuid4())
    head = (f"--{boundary}\r\nContent-Type: application/octet-stream\r\nContent-Disposition: form-data; "
            f"name=package; filename=package.nupkg; filename*=utf-8''package.nupkg\r\n\r\n").encode()
    return head + data + f"\r\n--{boundary}--\r\n".encode(), f'multipart/form-data; boundary="{boundary}"'


def put(url: str, data: bytes, key: str | None = KEY, timeout: float = 30) -> tuple[int, str, str]:
    """PUT a package as the client does (multipart, one part); (status, reason, body)."""
    body, content_type = multipart(data)
    request = urllib.request.Request(url, data=body, method="PUT", headers={"Content-Type": content_type})
    if key is not None:
        request.add_header("X-NuGet-ApiKey", key)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as r:
            return r.status, r.reason, r.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.reason, exc.read().decode()


def nuget_push(command: list[str], home: Path, path: str, source: str, *extra: str,
               timeout: float = 120) -> subprocess.CompletedProcess:
    home.mkdir(parents=True, exist_ok=True)
    env = {"HOME": str(home), "LANG": "C.UTF-8", "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    return subprocess.run([*command, "push", path, "-Source", source, "-NonInteractive", *extra], env=env,
                          capture_output=True, text=True, timeout=timeout)


def failure_line(status: int, reason: str) -> str:
    return f"Response status code does not indicate success: {status} ({reason})."
