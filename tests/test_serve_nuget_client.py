"""The real NuGet client (NuGet.exe 5.8.0 on Mono) pushes to `snupkg-lint serve` and gets nuget.org's statuses
and texts: it prints only the status and the reason phrase (client reference §2, §7), so each test asserts the
exit code and that line. Skips here without Mono or the client; fails under CI, which installs both."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from snupkg_lint.checks import messages as m
from tests import serving
from tests.factory import package as pkg
from tests.factory.pair import matched_pair
from tests.serving import KEY, failure_line, nuget_push, put

DIR = "lib/net8.0"
PUSHED = "Your package was pushed."


@pytest.fixture(scope="module")
def nuget() -> list[str]:
    serving.require_server()
    return serving.require_client()


@pytest.fixture(scope="module")
def server(tmp_path_factory, nuget):
    served = serving.serve(tmp_path_factory.mktemp("serve"), "--api-key", KEY)
    yield served
    code, err = served.stop()
    assert code == 0 and "Traceback" not in err, err


def pair(name: str, version: str = "1.0.0", **snupkg) -> tuple[bytes, bytes]:
    built = matched_pair(name)
    nupkg = pkg.package({f"{DIR}/{name}.dll": built.dll}, id=name, version=version, symbols=False)
    files = snupkg.pop("files", {f"{DIR}/{name}.pdb": built.pdb})
    return nupkg, pkg.package(files, id=name, version=version, **snupkg)


def write(folder: Path, name: str, version: str, nupkg: bytes | None, snupkg: bytes | None) -> tuple[str, str]:
    base = f"{name}.{version}"
    n = pkg.write(folder, f"{base}.nupkg", nupkg) if nupkg is not None else str(folder / f"{base}.nupkg")
    s = pkg.write(folder, f"{base}.snupkg", snupkg) if snupkg is not None else str(folder / f"{base}.snupkg")
    return n, s


def test_nupkg_then_its_sibling_snupkg_are_pushed_and_validated(nuget, server, tmp_path):
    nupkg, snupkg = write(tmp_path, "Contoso.Flow", "1.0.0", *pair("Contoso.Flow"))
    done = nuget_push(nuget, tmp_path / "home", nupkg, server.url, "-ApiKey", KEY)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count(PUSHED) == 2
    assert f"Pushing Contoso.Flow.1.0.0.snupkg to '{server.base}/api/v2/symbolpackage'..." in done.stdout
    assert f"  Created {server.base}/api/v2/symbolpackage/" in done.stdout
    assert server.wait_validated("Contoso.Flow", "1.0.0")["status"] == "succeeded"


def _no_pdb(name):
    return {"files": {}}


def _not_symbols(name):
    return {"nuspec": pkg.nuspec_xml(name, "1.0.0", package_types="")}


def _authors(name):
    return {"nuspec": pkg.nuspec_xml(name, "1.0.0", authors="Contoso")}


def _dll_inside(name):
    built = matched_pair(name)
    return {"files": {f"{DIR}/{name}.pdb": built.pdb, f"{DIR}/{name}.dll": built.dll}}


def _future(name):
    built = matched_pair(name)
    return {"files": [pkg.Entry(f"{DIR}/{name}.pdb", built.pdb, date_time=(2099, 1, 1, 0, 0, 0))]}


def _duplicates(name):
    built = matched_pair(name)
    return {"files": [pkg.Entry(f"{DIR}/{name}.pdb", built.pdb), pkg.Entry(f"{DIR}/{name}.PDB", built.pdb)]}


def _no_description(name):
    return {"nuspec": pkg.nuspec_xml(name, "1.0.0", description=None)}


def _restricted(name):
    return {"nuspec": pkg.nuspec_xml(name, "1.0.0", extra="<listed>true</listed>")}


def _bad_boolean(name):
    return {"nuspec": pkg.nuspec_xml(name, "1.0.0", extra="<serviceable>yes</serviceable>")}


def _backslashes(name):
    return {"files": {f"lib\\\\net8.0/{name}.pdb": matched_pair(name).pdb}}


def _no_metadata(name):
    return {"nuspec": f'<?xml version="1.0"?><package xmlns="{pkg.NS}"><other/></package>'}


# (case, the snupkg's change, status, reason phrase): one package per family of push rules
REJECTIONS = [
    ("no-pdb", _no_pdb, 400, m.NO_SYMBOLS),
    ("package-type", _not_symbols, 400, m.NOT_SYMBOLS_PACKAGE),
    ("authors", _authors, 400, m.INVALID_METADATA_ITEMS.format("Authors")),
    ("extension", _dll_inside, 400, m.INVALID_FILES.format(".pdb")),
    ("future-date", _future, 400, m.ENTRY_FROM_FUTURE.format("{name}.pdb")),
    ("duplicates", _duplicates, 400, m.DUPLICATED_ENTRIES),
    ("backslashes", _backslashes, 400, m.DOUBLE_BACK_SLASH.format("{name}.pdb")),
    ("description", _no_description, 400, m.PROPERTY_MISSING.format("Description")),
    ("restricted-element", _restricted, 400, m.INVALID_METADATA.format("listed")),
    ("boolean", _bad_boolean, 400, m.INVALID_BOOLEAN.format("serviceable")),
    ("no-metadata", _no_metadata, 500, m.MISSING_METADATA_NODE.format("metadata")),
]


@pytest.mark.parametrize("case, change, status, reason", REJECTIONS, ids=[r[0] for r in REJECTIONS])
def test_each_push_rule_family_answers_nugets_status_and_text(nuget, server, tmp_path, case, change, status, reason):
    name = f"Contoso.Reject.{case.replace('-', '')}"
    nupkg, _ = pair(name)
    assert put(f"{server.base}/api/v2/package/", nupkg)[0] == 201
    _, snupkg = write(tmp_path, name, "1.0.0", None, pair(name, **change(name))[1])
    done = nuget_push(nuget, tmp_path / "home", snupkg, server.url, "-ApiKey", KEY)
    assert done.returncode == 1
    expected = failure_line(status, reason.replace("{name}", name))
    assert expected in done.stderr, done.stderr


@pytest.mark.parametrize("body, status, text", [
    (b"not a zip file at all, only text", 400,
     m.INVALID_PACKAGE.format("End of Central Directory record could not be found.")),
    # under 18 bytes, ZipArchive's first seek fails on the request stream: an uncaught 500 (P101)
    (b"not a zip at all", 500, "Specified argument was out of the range of valid values. Parameter name: offset"),
])
def test_not_a_zip_is_answered_with_the_dotnet_error(nuget, server, tmp_path, body, status, text):
    path = pkg.write(tmp_path, "Broken.1.0.0.snupkg", body)
    done = nuget_push(nuget, tmp_path / "home", path, server.url, "-ApiKey", KEY)
    assert done.returncode == 1
    assert failure_line(status, text) in done.stderr, done.stderr


def test_symbols_without_their_package_are_404(nuget, server, tmp_path):
    _, snupkg = write(tmp_path, "Contoso.Orphan", "2.0.0", None, pair("Contoso.Orphan", "2.0.0")[1])
    done = nuget_push(nuget, tmp_path / "home", snupkg, server.url, "-ApiKey", KEY)
    assert done.returncode == 1
    assert failure_line(404, m.PARENT_NOT_FOUND.format("Contoso.Orphan", "2.0.0")) in done.stderr
    assert "  NotFound " in done.stdout


def test_no_key_is_401_and_an_unknown_key_403(nuget, server, tmp_path):
    _, snupkg = write(tmp_path, "Contoso.Keys", "1.0.0", None, pair("Contoso.Keys")[1])
    done = nuget_push(nuget, tmp_path / "home1", snupkg, server.url)
    assert done.returncode == 1
    assert failure_line(401, m.API_KEY_REQUIRED) in done.stderr
    done = nuget_push(nuget, tmp_path / "home2", snupkg, server.url, "-ApiKey", "not-a-key")
    assert done.returncode == 1
    assert failure_line(403, m.API_KEY_NOT_AUTHORIZED) in done.stderr


def test_a_key_scoped_to_other_ids_is_403_on_packages_and_401_on_symbols(nuget, tmp_path):
    keys = tmp_path / "keys.toml"
    keys.write_text(f'[keys."{KEY}"]\nglobs = ["*"]\n[keys."narrow-key"]\nglobs = ["Fabrikam.*"]\n')
    served = serving.serve(tmp_path / "data", "--keys", str(keys))
    try:
        nupkg, snupkg = write(tmp_path, "Contoso.Scoped", "1.0.0", *pair("Contoso.Scoped"))
        done = nuget_push(nuget, tmp_path / "home1", nupkg, served.url, "-ApiKey", "narrow-key")
        assert done.returncode == 1
        assert failure_line(403, m.API_KEY_NOT_AUTHORIZED) in done.stderr
        assert put(f"{served.base}/api/v2/package/", pair("Contoso.Scoped")[0])[0] == 201
        done = nuget_push(nuget, tmp_path / "home2", snupkg, served.url, "-ApiKey", "narrow-key")
        assert done.returncode == 1
        assert failure_line(401, m.API_KEY_NOT_AUTHORIZED) in done.stderr
    finally:
        assert served.stop()[0] == 0


def test_an_existing_version_is_409_and_skip_duplicate_goes_on_to_the_symbols(nuget, server, tmp_path):
    nupkg, snupkg = write(tmp_path, "Contoso.Again", "1.0.0", *pair("Contoso.Again"))
    assert put(f"{server.base}/api/v2/package/", Path(nupkg).read_bytes())[0] == 201
    done = nuget_push(nuget, tmp_path / "home1", nupkg, server.url, "-ApiKey", KEY)
    assert done.returncode == 1
    assert failure_line(409, m.PACKAGE_EXISTS.format("Contoso.Again", "1.0.0")) in done.stderr
    assert "To skip already published packages, use the option -SkipDuplicate" in done.stdout
    done = nuget_push(nuget, tmp_path / "home2", nupkg, server.url, "-ApiKey", KEY, "-SkipDuplicate")
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"already exists at feed '{server.base}/api/v2/package'." in done.stdout
    assert PUSHED in done.stdout  # then the sibling .snupkg


def test_symbols_still_validating_are_409_and_skip_duplicate_exits_0(nuget, tmp_path):
    served = serving.serve(tmp_path / "data", "--api-key", KEY, "--validation-delay", "60")
    try:
        nupkg, snupkg = write(tmp_path, "Contoso.Pending", "1.0.0", *pair("Contoso.Pending"))
        assert nuget_push(nuget, tmp_path / "home1", nupkg, served.url, "-ApiKey", KEY).returncode == 0
        done = nuget_push(nuget, tmp_path / "home2", snupkg, served.url, "-ApiKey", KEY)
        assert done.returncode == 1
        assert failure_line(409, m.SYMBOLS_CONFLICT_VALIDATING) in done.stderr
        done = nuget_push(nuget, tmp_path / "home3", snupkg, served.url, "-ApiKey", KEY, "-SkipDuplicate")
        assert done.returncode == 0
        assert f"Package '{snupkg}' already exists at feed '{served.base}/api/v2/symbolpackage'." in done.stdout
        assert served.result("Contoso.Pending", "1.0.0")["status"] == "validating"
    finally:
        assert served.stop()[0] == 0  # stops at once although a validation is waiting


def test_a_body_over_the_limit_is_413(nuget, tmp_path):
    served = serving.serve(tmp_path / "data", "--api-key", KEY, "--max-size", "4096")
    try:
        big = pkg.package([pkg.Entry(f"{DIR}/Big.pdb", bytes(range(256)) * 200, compress_type=0)], id="Big")
        path = pkg.write(tmp_path, "Big.1.0.0.snupkg", big)
        done = nuget_push(nuget, tmp_path / "home", path, served.url, "-ApiKey", KEY)
        assert done.returncode == 1
        assert failure_line(413, m.FILE_TOO_LARGE) in done.stderr
    finally:
        assert served.stop()[0] == 0


def _corpus_pairs(corpus: Path) -> list[dict]:
    pairs = json.loads((corpus / "expected.json").read_text())["pairs"]
    chosen, seen = [], set()
    for p in pairs:  # one pair per expected outcome
        key = (p["expect"]["verdict"], p["expect"]["code"])
        if key not in seen and (corpus / p["dll"]).is_file() and (corpus / p["pdb"]).is_file():
            seen.add(key)
            chosen.append(p)
    return chosen


def test_fixture_pairs_get_nugets_validation_result(nuget, server, tmp_path, corpus):
    for n, case in enumerate(_corpus_pairs(corpus)):
        name, folder = f"Fixture.Pair{n}", tmp_path / str(n)
        stem = Path(case["dll"]).stem
        ext = Path(case["dll"]).suffix
        nupkg = pkg.package({f"lib/{case['tfm']}/{stem}{ext}": (corpus / case["dll"]).read_bytes()}, id=name,
                            symbols=False)
        snupkg = pkg.package({f"lib/{case['tfm']}/{Path(case['pdb']).name}": (corpus / case["pdb"]).read_bytes()},
                             id=name)
        path, _ = write(folder, name, "1.2.3", nupkg, snupkg)
        done = nuget_push(nuget, folder / "home", path, server.url, "-ApiKey", KEY)
        assert done.returncode == 0, (case, done.stderr)
        result = server.wait_validated(name, "1.2.3")
        expected = case["expect"]
        if expected["verdict"] == "validation-failed":
            assert result["status"] == "failed" and result["issue"]["code"] == expected["code"], (case, result)
        else:
            assert result["status"] == "succeeded", (case, result)


def test_the_baget_fixture_pair_is_pushed_like_on_nuget_org(nuget, server, tmp_path, corpus):
    folder = corpus / "loic-sharma.BaGet"
    for name in ("TestData.1.2.3.nupkg", "TestData.1.2.3.snupkg"):
        (tmp_path / name).write_bytes((folder / name).read_bytes())
    done = nuget_push(nuget, tmp_path / "home", str(tmp_path / "TestData.1.2.3.nupkg"), server.url, "-ApiKey", KEY)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count(PUSHED) == 2
    assert server.wait_validated("TestData", "1.2.3")["status"] in ("succeeded", "failed")
