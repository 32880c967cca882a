"""`snupkg-lint serve` over plain HTTP (no NuGet client needed): the index, keys, state across restarts, the HTML
page in a real browser, and robustness on loopback, each bounded in count and time."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from snupkg_lint.checks import messages as m
from snupkg_lint.server import keys as keys_mod
from snupkg_lint.server.storage import safe_component
from tests import serving
from tests.conftest import require
from tests.factory import package as pkg
from tests.factory.pair import matched_pair
from tests.serving import KEY, ROOT, multipart, put

DIR = "lib/net8.0"


@pytest.fixture(scope="module", autouse=True)
def _server_extra():
    serving.require_server()


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    running = serving.serve(tmp_path_factory.mktemp("serve") / "data", "--api-key", KEY, "--max-size", str(1 << 20))
    yield running
    code, err = running.stop()
    assert code == 0 and "Traceback" not in err, err
    assert KEY not in err  # keys are never logged
    assert "PUT /api/v2/symbolpackage/ 201 Contoso.Http 1.2.3 " in err  # one line per request
    assert "PUT /api/v2/symbolpackage/ 401 - - " in err


def nupkg(name: str, version: str = "1.0.0") -> bytes:
    return pkg.package({f"{DIR}/{name}.dll": name.encode() * 50}, id=name, version=version, symbols=False)


def good_pair(name: str, **pe) -> tuple[bytes, bytes]:
    built = matched_pair(name, **pe)
    return (pkg.package({f"{DIR}/{name}.dll": built.dll}, id=name, symbols=False),
            pkg.package({f"{DIR}/{name}.pdb": built.pdb}, id=name))


def raw(port: int, data: bytes, *, half_close: bool = False, timeout: float = 10) -> bytes:
    """Send `data` on a connection of its own and read until the server closes it."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(data)
        if half_close:
            s.shutdown(socket.SHUT_WR)
        out = b""
        while chunk := s.recv(65536):
            out += chunk
        return out


def port_of(running) -> int:
    return int(running.base.rsplit(":", 1)[1])


def still_serving(running) -> None:
    with urllib.request.urlopen(running.url, timeout=10) as r:
        assert json.load(r)["version"] == "3.0.0"


def test_the_index_names_both_resources_at_the_requests_host(served):
    connection = http.client.HTTPConnection("127.0.0.1", port_of(served), timeout=10)
    connection.request("GET", "/v3/index.json", headers={"Host": "feed.example:8080"})
    document = json.loads(connection.getresponse().read())
    types = {r["@type"]: r["@id"] for r in document["resources"]}
    assert types["PackagePublish/2.0.0"] == "http://feed.example:8080/api/v2/package"
    assert types["SymbolPackagePublish/4.9.0"] == "http://feed.example:8080/api/v2/symbolpackage"


@pytest.mark.parametrize("bad_id", ["../../x", "..", "a/../../evil"])
def test_the_package_endpoint_refuses_an_invalid_id_as_manifest_validator_does(served, bad_id):
    data = pkg.package({f"{DIR}/Bad.dll": b"MZ" * 50}, id="Bad", nuspec=pkg.nuspec_xml(bad_id, "1.0.0", symbols=False),
                       symbols=False)
    status, reason, _ = put(f"{served.base}/api/v2/package/", data)
    assert (status, reason) == (400, m.INVALID_NUSPEC.format(m.MANIFEST_INVALID_ID.format(bad_id)))
    assert not any(".." in p.name for p in served.data.rglob("*"))  # nothing stored under the id
    near_miss = "Contoso.Valid." + str(len(bad_id))
    assert put(f"{served.base}/api/v2/package/", nupkg(near_miss))[0] == 201


def test_statuses_and_texts_over_http(served):
    n, s = good_pair("Contoso.Http")
    sym = f"{served.base}/api/v2/symbolpackage/"
    assert put(sym, s, key=None)[:2] == (401, m.API_KEY_REQUIRED)
    assert put(sym, s, key="nope")[:2] == (403, m.API_KEY_NOT_AUTHORIZED)
    assert put(sym, s)[:2] == (404, m.PARENT_NOT_FOUND.format("Contoso.Http", "1.2.3"))
    assert put(f"{served.base}/api/v2/package/", s)[:2] == (400, m.SYMBOLS_NOT_ALLOWED_ON_PACKAGE_ENDPOINT)
    assert put(f"{served.base}/api/v2/package/", n)[0] == 201
    status, reason, body = put(sym, s)
    assert status == 201 and body == ""
    result = served.wait_validated("Contoso.Http", "1.2.3")
    assert result["status"] == "succeeded" and result["issue"] is None


def test_a_failed_validation_gives_the_issue_and_the_findings(served):
    n, s = good_pair("Contoso.NoSum", checksums=[])
    assert put(f"{served.base}/api/v2/package/", n)[0] == 201
    assert put(f"{served.base}/api/v2/symbolpackage/", s)[0] == 201
    result = served.wait_validated("Contoso.NoSum", "1.2.3")
    assert result["status"] == "failed"
    assert result["issue"]["code"] == 250 and result["issue"]["message"] == m.ISSUE_CHECKSUM
    assert any(f["rule"] == result["issue"]["rule"] and f["entry"] for f in result["findings"])


def test_the_401_challenge_is_nuget_orgs(served):
    connection = http.client.HTTPConnection("127.0.0.1", port_of(served), timeout=10)
    connection.request("PUT", "/api/v2/symbolpackage/", body=b"x")
    response = connection.getresponse()
    assert response.status == 401
    assert response.getheader("WWW-Authenticate") == f'ApiKey realm="127.0.0.1:{port_of(served)}"'


def test_scoped_keys(tmp_path):
    keys = tmp_path / "keys.toml"
    keys.write_text('[keys."all"]\nowner = "contoso"\n'
                    '[keys."versions-only"]\nowner = "contoso"\nactions = ["pushversion"]\n'
                    '[keys."fabrikam"]\nowner = "fabrikam"\n'
                    '[keys."old"]\nexpires = 2020-01-01\n')
    running = serving.serve(tmp_path / "data", "--keys", str(keys))
    try:
        url = f"{running.base}/api/v2/package/"
        assert put(url, nupkg("Contoso.A"), key="versions-only")[0] == 403  # a new id needs push
        assert put(url, nupkg("Contoso.A"), key="all")[0] == 201
        assert put(url, nupkg("Contoso.A", "1.0.1"), key="versions-only")[0] == 201
        assert put(url, nupkg("Contoso.A", "1.0.2"), key="fabrikam")[0] == 403  # another owner's id
        assert put(url, nupkg("Contoso.B"), key="old")[:2] == (403, m.API_KEY_NOT_AUTHORIZED)
        assert put(url, nupkg("Contoso.A"), key="all")[:2] == (409, m.PACKAGE_EXISTS.format("Contoso.A", "1.0.0"))
    finally:
        code, err = running.stop()
    assert code == 0 and "versions-only" not in err and "fabrikam\n" not in err


@pytest.mark.parametrize("text, words", [
    ("[keys]\n", "needs a [keys"),
    ('[keys."k"]\nactions = ["delete"]\n', "actions are push and pushversion"),
    ("not toml =", "not valid TOML"),
])
def test_a_bad_keys_file_is_one_line_and_exit_2(tmp_path, text, words):
    keys = tmp_path / "keys.toml"
    keys.write_text(text)
    done = subprocess.run([sys.executable, "-m", "snupkg_lint", "serve", "--keys", str(keys), "--data",
                           str(tmp_path / "d")], capture_output=True, text=True, timeout=30,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert done.returncode == 2 and words in done.stderr and len(done.stderr.splitlines()) == 1


def test_a_key_is_generated_and_printed_when_none_is_given(tmp_path):
    running = serving.serve(tmp_path / "data")
    try:
        line = next(x for x in running.stdout if "API key (generated)" in x) if any(
            "API key" in x for x in running.stdout) else None
        while line is None:  # the lines after the URL
            extra = running.process.stdout.readline()
            line = extra if "API key (generated)" in extra else None
        key = line.split()[-1]
        assert put(f"{running.base}/api/v2/package/", nupkg("Contoso.Gen"), key=key)[0] == 201
    finally:
        code, err = running.stop(signal.SIGINT)
    assert code == 0 and "Traceback" not in err and key not in err


def test_without_the_server_extra_serve_says_how_to_install_it():
    code = ("import sys; sys.modules['aiohttp'] = None\n"
            "from snupkg_lint.cli import main\nmain(['serve', '--port', '0'])")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert done.returncode == 2
    assert done.stderr.strip() == "snupkg-lint: error: snupkg-lint serve needs the server extra: " \
                                  "pip install 'snupkg-lint[server]'"


def test_ids_and_versions_never_leave_the_data_folder():
    for text in ("../../etc/passwd", "..", ".hidden", "a/b\\c", "Ünï.cødé", "x" * 300, ""):
        name = safe_component(text)
        assert "/" not in name and "\\" not in name and not name.startswith(".") and 0 < len(name) <= 128


def test_the_reason_phrase_is_one_ascii_line_of_at_most_512_characters():
    from snupkg_lint.server.decide import Answer

    assert Answer(404, m.PARENT_NOT_FOUND.format("Café.Lib", "1.0.0")).reason.startswith("A package with ID 'Caf?.Lib'")
    long = Answer(400, "line one\r\nline two " + "x" * 600).reason
    assert len(long) == 512 and long.endswith("...") and long.startswith("line one line two")


def test_keys_are_not_shown_by_repr():
    assert "secret" not in repr(keys_mod.Key("secret-value", "o"))


def test_a_restart_keeps_every_package_and_result(tmp_path):
    data = tmp_path / "data"
    running = serving.serve(data, "--api-key", KEY)
    n, s = good_pair("Contoso.Kept")
    try:
        assert put(f"{running.base}/api/v2/package/", n)[0] == 201
        assert put(f"{running.base}/api/v2/symbolpackage/", s)[0] == 201
        before = running.wait_validated("Contoso.Kept", "1.2.3")
    finally:
        assert running.stop()[0] == 0
    running = serving.serve(data, "--api-key", KEY)
    try:
        assert running.result("Contoso.Kept", "1.2.3") == before
        assert put(f"{running.base}/api/v2/package/", n)[0] == 409
        with urllib.request.urlopen(f"{running.base}/api/v2/package/Contoso.Kept/1.2.3.0", timeout=10) as r:
            assert r.read() == n
    finally:
        assert running.stop()[0] == 0


def test_a_validation_left_pending_by_a_stop_ends_after_the_restart(tmp_path):
    data = tmp_path / "data"
    running = serving.serve(data, "--api-key", KEY, "--validation-delay", "60")
    n, s = good_pair("Contoso.Later")
    try:
        assert put(f"{running.base}/api/v2/package/", n)[0] == 201
        assert put(f"{running.base}/api/v2/symbolpackage/", s)[0] == 201
        assert put(f"{running.base}/api/v2/symbolpackage/", s)[:2] == (409, m.SYMBOLS_CONFLICT_VALIDATING)
    finally:
        started = time.monotonic()
        assert running.stop()[0] == 0
        assert time.monotonic() - started < 15
    running = serving.serve(data, "--api-key", KEY)
    try:
        assert running.wait_validated("Contoso.Later", "1.2.3")["status"] == "succeeded"
    finally:
        assert running.stop()[0] == 0


def test_the_page_in_a_real_browser(served, tmp_path):
    chromium = shutil.which("chromium")
    require(chromium, "Debian's chromium is not installed (.ci/run installs it)")
    for name, pe in (("Contoso.Fine", {}), ("Contoso.Unsummed", {"checksums": []})):
        n, s = good_pair(name, **pe)
        assert put(f"{served.base}/api/v2/package/", n)[0] == 201
        assert put(f"{served.base}/api/v2/symbolpackage/", s)[0] == 201
        served.wait_validated(name, "1.2.3")
    assert put(f"{served.base}/api/v2/package/", nupkg("Contoso.Alone"))[0] == 201
    done = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                           "--no-first-run", "--disable-background-networking", "--disable-component-update",
                           "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom",
                           f"{served.base}/"], capture_output=True, text=True, timeout=120)
    dom = done.stdout
    assert done.returncode == 0 and "<table>" in dom, done.stderr[-2000:]
    rows = {line.split('data-id="')[1].split('"')[0]: line for line in dom.split("<tr")[1:] if 'data-id="' in line}
    assert 'data-status="succeeded"' in rows["Contoso.Fine"]
    assert 'data-status="failed"' in rows["Contoso.Unsummed"] and "issue 250" in rows["Contoso.Unsummed"]
    assert "no symbol package" in rows["Contoso.Alone"]


# robustness
def test_a_hundred_concurrent_pushes_are_all_stored(served):
    names = [f"Contoso.Many{n:03}" for n in range(100)]
    packages = {name: nupkg(name) for name in names}
    with ThreadPoolExecutor(max_workers=50) as pool:
        statuses = list(pool.map(lambda name: put(f"{served.base}/api/v2/package/", packages[name])[0], names))
    assert statuses == [201] * 100
    for name in names:
        with urllib.request.urlopen(f"{served.base}/api/v2/package/{name}/1.0.0", timeout=10) as r:
            assert r.read() == packages[name]


def _head(port: int, length: str = "", chunked: bool = False, content_type: str = "application/octet-stream",
          key: str = KEY) -> bytes:
    framing = "Transfer-Encoding: chunked\r\n" if chunked else f"Content-Length: {length}\r\n"
    return (f"PUT /api/v2/package/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-NuGet-ApiKey: {key}\r\n"
            f"Content-Type: {content_type}\r\nConnection: close\r\n{framing}\r\n").encode()


def test_a_body_shorter_than_its_content_length(served):
    port = port_of(served)
    answer = raw(port, _head(port, "100000") + b"PK" * 50, half_close=True)
    assert answer == b"" or answer.startswith(b"HTTP/1.1 400")
    still_serving(served)


def test_a_content_length_over_the_limit_is_413_before_the_body(served):
    port = port_of(served)
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(_head(port, str(1 << 30)))  # announces 1 GiB, sends nothing
        answer = s.recv(65536)
    assert answer.startswith(f"HTTP/1.1 413 {m.FILE_TOO_LARGE}".encode())
    still_serving(served)


@pytest.mark.parametrize("body, content_type", [
    (multipart(nupkg("Contoso.Cut"))[0][:300], None),  # truncated: no closing delimiter, file cut short
    (b"garbage without any boundary", 'multipart/form-data; boundary="abc"'),
    (b"--abc\r\nno headers end", 'multipart/form-data; boundary="abc"'),
    (b"whatever", "multipart/form-data"),  # no boundary at all
])
def test_a_malformed_multipart_body_is_a_clean_400(served, body, content_type):
    port = port_of(served)
    content_type = content_type or multipart(b"")[1]
    answer = raw(port, _head(port, str(len(body)), content_type=content_type) + body)
    assert answer.startswith(b"HTTP/1.1 400 "), answer[:200]
    still_serving(served)


def test_a_slow_client_does_not_hold_up_the_others(served):
    port = port_of(served)
    data, content_type = multipart(nupkg("Contoso.Slow"))
    with socket.create_connection(("127.0.0.1", port), timeout=20) as slow:
        slow.sendall(_head(port, str(len(data)), content_type=content_type))
        for n in range(0, 10):
            slow.sendall(data[n * 10:(n + 1) * 10])
            time.sleep(0.1)
            if n == 5:  # meanwhile another client is served at once
                started = time.monotonic()
                assert put(f"{served.base}/api/v2/package/", nupkg("Contoso.Fast"))[0] == 201
                assert time.monotonic() - started < 5
        slow.sendall(data[100:])
        assert slow.recv(65536).startswith(b"HTTP/1.1 201")


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def test_a_gigabyte_upload_against_a_small_limit(served):
    """1 GiB, chunked, against a 1 MiB limit: 413 comes while the client is still sending, the server holds none
    of it, and goes on serving."""
    import select

    port = port_of(served)
    before = _rss_kib(served.process.pid)
    sent, chunk = 0, b"0" * (1 << 20)
    frame = b"%X\r\n%s\r\n" % (len(chunk), chunk)
    answer = b""
    with socket.create_connection(("127.0.0.1", port), timeout=20) as s:
        opening, content_type = multipart(b"", "0" * 36)
        opening = opening[: opening.index(b"\r\n\r\n") + 4]  # delimiter and part headers, then the file
        s.sendall(_head(port, chunked=True, content_type=content_type) + b"%X\r\n%s\r\n" % (len(opening), opening))
        try:
            while sent < (1 << 30):
                s.sendall(frame)
                sent += len(chunk)
                if select.select([s], [], [], 0)[0]:
                    answer = s.recv(65536)
                    break
        except (BrokenPipeError, ConnectionResetError):
            pass
    assert answer.startswith(f"HTTP/1.1 413 {m.FILE_TOO_LARGE}".encode()), answer[:100]
    assert sent < (64 << 20)  # answered long before the end of the body
    assert _rss_kib(served.process.pid) - before < 100_000  # nothing like the upload held in memory
    still_serving(served)
    assert not any((served.data / "incoming").iterdir())  # the partial upload is gone


def test_broken_chunked_framing_is_a_clean_400(served):
    port = port_of(served)
    answer = raw(port, _head(port, chunked=True, content_type=multipart(b"")[1]) + b"ZZZ\r\nnot hex\r\n0\r\n\r\n")
    assert answer.split(b"\r\n", 1)[0].split(b" ")[1] == b"400", answer[:200]
    still_serving(served)
