"""`snupkg-lint push`: what it sends (the real client's request, byte for byte apart from GUIDs and the
User-Agent), what it refuses to send, and how it explains each answer of `snupkg-lint serve`."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from snupkg_lint.checks import messages as m
from tests import serving
from tests.conftest import require
from tests.factory import package as pkg
from tests.factory.pair import matched_pair
from tests.recording import Recorder
from tests.serving import KEY, ROOT, nuget_push, put

DIR = "lib/net8.0"
GUID = re.compile(rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def push(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    import os

    return subprocess.run([sys.executable, "-m", "snupkg_lint", "push", *args], capture_output=True, text=True,
                          timeout=120, env=dict(os.environ, PYTHONPATH=str(ROOT), **(env or {})))


def write_pair(folder: Path, name: str, version: str = "1.0.0", **snupkg) -> tuple[str, str]:
    built = matched_pair(name)
    nupkg = pkg.write(folder, f"{name}.{version}.nupkg",
                      pkg.package({f"{DIR}/{name}.dll": built.dll}, id=name, version=version, symbols=False))
    files = snupkg.pop("files", {f"{DIR}/{name}.pdb": built.pdb})
    return nupkg, pkg.write(folder, f"{name}.{version}.snupkg", pkg.package(files, id=name, version=version,
                                                                             **snupkg))


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    serving.require_server()
    served = serving.serve(tmp_path_factory.mktemp("serve"), "--api-key", KEY)
    yield served
    assert served.stop()[0] == 0


def normalised(request: bytes) -> bytes:
    request = GUID.sub(b"<guid>", request)
    return re.sub(rb"User-Agent: [^\r]*", b"User-Agent: <agent>", request)


def test_push_sends_what_nuget_exe_sends(tmp_path):
    command = serving.require_client()
    nupkg, _ = write_pair(tmp_path, "Contoso.Wire")
    with Recorder() as theirs:
        done = nuget_push(command, tmp_path / "home", nupkg, theirs.url, "-ApiKey", KEY)
        assert done.returncode == 0, done.stderr
    with Recorder() as ours:
        done = push(nupkg, "--source", ours.url, "--api-key", KEY)
        assert done.returncode == 0, done.stdout + done.stderr
    assert len(theirs.puts()) == len(ours.puts()) == 2
    for mine, client in zip(ours.puts(), theirs.puts()):
        assert normalised(mine).replace(str(ours.port).encode(), b"PORT") == \
            normalised(client).replace(str(theirs.port).encode(), b"PORT")
    index = [r for r in ours.requests if r.startswith(b"GET ")][0]
    assert b"X-NuGet-ApiKey" not in index and ours.connections == 1


def test_the_request_layout_is_the_client_references(tmp_path):
    """§4 and §5 of the client reference, without needing the client here."""
    _, snupkg = write_pair(tmp_path, "Contoso.Layout")
    with Recorder() as recorder:
        assert push(snupkg, "--source", recorder.url, "--api-key", KEY).returncode == 0
    request = normalised(recorder.puts()[0]).replace(str(recorder.port).encode(), b"PORT")
    data = Path(snupkg).read_bytes()
    head = (b"PUT /api/v2/symbolpackage/ HTTP/1.1\r\nTransfer-Encoding: chunked\r\nX-NuGet-ApiKey: " + KEY.encode()
            + b"\r\nX-NuGet-Session-Id: <guid>\r\nUser-Agent: <agent>\r\nX-NuGet-Client-Version: 5.8.0\r\n"
            b"Accept-Encoding: gzip, deflate\r\nContent-Type: multipart/form-data; boundary=\"<guid>\"\r\n"
            b"Host: 127.0.0.1:PORT\r\n\r\n")
    body = (b"28\r\n--<guid>\r\n\r\n90\r\nContent-Type: application/octet-stream\r\nContent-Disposition: form-data; "
            b"name=package; filename=package.nupkg; filename*=utf-8''package.nupkg\r\n\r\n\r\n"
            + b"%X\r\n" % len(data) + data + b"\r\n2C\r\n\r\n--<guid>--\r\n\r\n0\r\n\r\n")
    assert request == head + body


def test_server_errors_are_tried_three_times(tmp_path):
    _, snupkg = write_pair(tmp_path, "Contoso.Retry")
    with Recorder([(500, "Internal Server Error"), (503, "Service Unavailable"), (201, "Created")]) as recorder:
        done = push(snupkg, "--source", recorder.url, "--api-key", KEY)
    assert done.returncode == 0, done.stdout
    assert len(recorder.puts()) == 3
    with Recorder([(500, "Boom")] * 3) as recorder:
        done = push(snupkg, "--source", recorder.url, "--api-key", KEY)
    assert done.returncode == 1 and "500 (Boom)" in done.stdout and len(recorder.puts()) == 3


def test_a_nupkg_and_its_symbols_are_pushed_then_validated(server, tmp_path):
    nupkg, _ = write_pair(tmp_path, "Contoso.PushFlow")
    done = push(nupkg, "--source", server.url, "--api-key", KEY)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Contoso.PushFlow.1.0.0.nupkg: pushed (201 Created)." in done.stdout
    assert "snupkg-lint predicts it succeeds" in done.stdout
    assert server.wait_validated("Contoso.PushFlow", "1.0.0")["status"] == "succeeded"


def test_what_nuget_org_would_reject_is_not_sent_unless_forced(server, tmp_path):
    nupkg, snupkg = write_pair(tmp_path, "Contoso.NoPdb", files={})
    done = push(snupkg, "--source", server.url, "--api-key", KEY)
    assert done.returncode == 1
    assert f"nuget.org would reject this push with 400 ({m.NO_SYMBOLS})" in done.stdout
    assert "Rule P225" in done.stdout and "Nothing was sent" in done.stdout
    assert put(f"{server.base}/api/v2/package/", Path(nupkg).read_bytes())[0] == 201
    done = push(snupkg, "--source", server.url, "--api-key", KEY, "--force")
    assert done.returncode == 1
    assert f"400 ({m.NO_SYMBOLS})" in done.stdout and "Rule P225" in done.stdout


@pytest.mark.parametrize("args, env, status, words", [
    ((), {}, 401, "no API key was sent"),
    (("--api-key", "wrong"), {}, 403, "glob pattern matching 'Contoso.Refused403'"),
    ((), {"NUGET_API_KEY": KEY}, 404, "push the .nupkg first"),
])
def test_each_refusal_is_explained(server, tmp_path, args, env, status, words):
    _, snupkg = write_pair(tmp_path, f"Contoso.Refused{status}")
    done = push(snupkg, "--source", server.url, *args, env=env)
    assert done.returncode == 1
    assert f": {status} (" in done.stdout and words in done.stdout


def test_409_and_skip_duplicate(server, tmp_path):
    nupkg, _ = write_pair(tmp_path, "Contoso.Twice")
    assert push(nupkg, "--source", server.url, "--api-key", KEY).returncode == 0
    done = push(nupkg, "--source", server.url, "--api-key", KEY)
    assert done.returncode == 1 and "versions cannot be replaced" in done.stdout
    done = push(nupkg, "--source", server.url, "--api-key", KEY, "--skip-duplicate")
    assert done.returncode == 0 and "skipped (--skip-duplicate)" in done.stdout


def test_413_from_a_small_limit(tmp_path):
    serving.require_server()
    served = serving.serve(tmp_path / "data", "--api-key", KEY, "--max-size", "2048")
    try:
        _, snupkg = write_pair(tmp_path, "Contoso.Huge",
                               files=[pkg.Entry(f"{DIR}/Huge.pdb", bytes(range(256)) * 400, compress_type=0)])
        done = push(snupkg, "--source", served.url, "--api-key", KEY, "--force")
        assert done.returncode == 1 and f"413 ({m.FILE_TOO_LARGE})" in done.stdout, done.stdout
    finally:
        assert served.stop()[0] == 0


def test_a_direct_endpoint_url_is_used_as_is(server, tmp_path):
    nupkg, _ = write_pair(tmp_path, "Contoso.Direct")
    done = push(nupkg, "--source", f"{server.base}/api/v2/package", "--api-key", KEY)
    assert "Contoso.Direct.1.0.0.nupkg: pushed (201 Created)." in done.stdout


def test_usage_and_connection_problems_exit_2(tmp_path):
    _, snupkg = write_pair(tmp_path, "Contoso.Nowhere")
    listener = __import__("socket").create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    listener.close()
    done = push(snupkg, "--source", f"http://127.0.0.1:{port}/v3/index.json", "--api-key", KEY)
    assert done.returncode == 2 and "cannot load the service index" in done.stderr and "Traceback" not in done.stderr
    done = push(str(tmp_path / "missing.snupkg"), "--source", "http://127.0.0.1:1/v3/index.json")
    assert done.returncode == 2 and "no such file" in done.stderr


def test_a_folder_goes_packages_first_then_symbols(tmp_path):
    for name in ("Contoso.One", "Contoso.Two"):
        write_pair(tmp_path, name)
    with Recorder() as recorder:
        done = push(str(tmp_path), "--source", recorder.url, "--api-key", KEY)
    assert done.returncode == 0, done.stdout
    targets = [r.split(b" ", 2)[1] for r in recorder.puts()]
    assert targets == [b"/api/v2/package/"] * 2 + [b"/api/v2/symbolpackage/"] * 2


def test_a_403_names_a_glob_for_the_package(tmp_path):
    _, snupkg = write_pair(tmp_path, "Fabrikam.Tools")
    with Recorder([(403, m.API_KEY_NOT_AUTHORIZED)]) as recorder:
        done = push(snupkg, "--source", recorder.url, "--api-key", "old")
    assert done.returncode == 1 and "matching 'Fabrikam.Tools' (e.g. 'Fabrikam.*'" in done.stdout


def test_https_is_verified_with_the_systems_certificates(tmp_path):
    import shutil
    import ssl
    import threading

    openssl = shutil.which("openssl")
    require(openssl, "openssl is not installed (.ci/run's ca-certificates-mono brings it)")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True, timeout=60)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    listener = __import__("socket").create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def accept_once():
        try:
            connection, _ = listener.accept()
            with context.wrap_socket(connection, server_side=True):
                pass
        except (OSError, ssl.SSLError):
            pass

    thread = threading.Thread(target=accept_once, daemon=True)
    thread.start()
    _, snupkg = write_pair(tmp_path, "Contoso.Tls")
    done = push(snupkg, "--source", f"https://127.0.0.1:{port}/v3/index.json", "--api-key", KEY)
    listener.close()
    assert done.returncode == 2 and "CERTIFICATE_VERIFY_FAILED" in done.stderr, done.stderr
