"""The data folder: what was pushed, kept across restarts.

`index.sqlite` (standard library sqlite3) holds one row per package version and per symbol package, with the
symbol validation's state; package files live under `packages/<id>/<version>/`, their names built from the
normalised id and version with every character outside [a-z0-9._-] escaped, so nothing from a request reaches
outside the folder. Uploads stream into `incoming/` and are moved into place with os.replace (atomic).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import sqlite3
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path

from snupkg_lint.formats import netpath

_SAFE = set("abcdefghijklmnopqrstuvwxyz0123456789._-")
PENDING, SUCCEEDED, FAILED = "validating", "succeeded", "failed"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS packages (
    id_key TEXT NOT NULL, version_key TEXT NOT NULL, id TEXT NOT NULL, version TEXT NOT NULL,
    owner TEXT NOT NULL, file TEXT NOT NULL, pushed TEXT NOT NULL, PRIMARY KEY (id_key, version_key));
CREATE TABLE IF NOT EXISTS symbols (
    id_key TEXT NOT NULL, version_key TEXT NOT NULL, id TEXT NOT NULL, version TEXT NOT NULL,
    file TEXT NOT NULL, status TEXT NOT NULL, result TEXT, pushed TEXT NOT NULL, finished TEXT,
    PRIMARY KEY (id_key, version_key));
"""


def id_key(package_id: str) -> str:
    """How nuget.org's SQL compares ids: case-insensitive, trailing spaces ignored."""
    return netpath.upper_invariant(package_id.rstrip(" "))


def version_key(normalized_version: str) -> str:
    return normalized_version.upper()


def safe_component(text: str) -> str:
    """A file-name component from an id or version: lower case, [a-z0-9._-] kept, anything else escaped."""
    out = "".join(c if c in _SAFE else f"~{ord(c):x}~" for c in text.lower())
    if len(out) > 120:
        out = hashlib.sha256(out.encode()).hexdigest()
    return "~" + out if out.startswith(".") or not out else out


def now_text() -> str:
    return _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Stored:
    id: str
    version: str
    path: str
    owner: str | None = None
    status: str | None = None
    result: dict | None = None
    pushed: str | None = None
    finished: str | None = None


class Store:
    def __init__(self, root: str):
        self.root = Path(root).resolve()
        (self.root / "incoming").mkdir(parents=True, exist_ok=True)
        (self.root / "packages").mkdir(exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(self.root / "index.sqlite"), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA)
        for leftover in (self.root / "incoming").iterdir():  # uploads cut off by a stop
            leftover.unlink(missing_ok=True)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # files
    def incoming(self) -> Path:
        return self.root / "incoming" / f"{uuid.uuid4().hex}.upload"

    def _place(self, upload: Path, package_id: str, version: str, suffix: str) -> str:
        folder = self.root / "packages" / safe_component(id_key(package_id)) / safe_component(version)
        target = (folder / f"{safe_component(id_key(package_id))}.{safe_component(version)}{suffix}").resolve()
        if self.root not in target.parents:  # cannot happen with safe components; never write outside
            raise ValueError("package path outside the data folder")
        folder.mkdir(parents=True, exist_ok=True)
        os.replace(upload, target)
        return str(target.relative_to(self.root))

    def path(self, stored: Stored) -> str:
        return str(self.root / stored.path)

    # packages
    def package(self, package_id: str, normalized_version: str) -> Stored | None:
        row = self._one("SELECT id, version, file, owner, pushed FROM packages WHERE id_key=? AND version_key=?",
                        (id_key(package_id), version_key(normalized_version)))
        return Stored(row[0], row[1], row[2], owner=row[3], pushed=row[4]) if row else None

    def owner(self, package_id: str) -> str | None:
        row = self._one("SELECT owner FROM packages WHERE id_key=? ORDER BY pushed LIMIT 1", (id_key(package_id),))
        return row[0] if row else None

    def add_package(self, upload: Path, package_id: str, normalized_version: str, owner: str) -> bool:
        """Store a package version; False when that version is already there (a concurrent push)."""
        with self._lock:
            exists = self._db.execute("SELECT 1 FROM packages WHERE id_key=? AND version_key=?",
                                      (id_key(package_id), version_key(normalized_version))).fetchone()
            if exists:
                return False
            file = self._place(upload, package_id, normalized_version, ".nupkg")
            self._db.execute("INSERT INTO packages VALUES (?,?,?,?,?,?,?)",
                             (id_key(package_id), version_key(normalized_version), package_id, normalized_version,
                              owner, file, now_text()))
            return True

    def packages(self) -> list[Stored]:
        with self._lock:
            rows = self._db.execute("SELECT id, version, file, owner, pushed FROM packages ORDER BY pushed, id").fetchall()
        return [Stored(r[0], r[1], r[2], owner=r[3], pushed=r[4]) for r in rows]

    # symbol packages
    def symbols(self, package_id: str, normalized_version: str) -> Stored | None:
        row = self._one("SELECT id, version, file, status, result, pushed, finished FROM symbols "
                        "WHERE id_key=? AND version_key=?", (id_key(package_id), version_key(normalized_version)))
        return _symbols_row(row) if row else None

    def add_symbols(self, upload: Path, package_id: str, normalized_version: str) -> bool:
        """Store (or replace) a symbol package as pending validation; False when one is still validating."""
        with self._lock:
            row = self._db.execute("SELECT status FROM symbols WHERE id_key=? AND version_key=?",
                                   (id_key(package_id), version_key(normalized_version))).fetchone()
            if row and row[0] == PENDING:
                return False
            file = self._place(upload, package_id, normalized_version, ".snupkg")
            self._db.execute("INSERT OR REPLACE INTO symbols VALUES (?,?,?,?,?,?,NULL,?,NULL)",
                             (id_key(package_id), version_key(normalized_version), package_id, normalized_version,
                              file, PENDING, now_text()))
            return True

    def finish_symbols(self, package_id: str, normalized_version: str, status: str, result: dict) -> None:
        with self._lock:
            self._db.execute("UPDATE symbols SET status=?, result=?, finished=? WHERE id_key=? AND version_key=?",
                             (status, json.dumps(result), now_text(), id_key(package_id),
                              version_key(normalized_version)))

    def all_symbols(self) -> list[Stored]:
        with self._lock:
            rows = self._db.execute("SELECT id, version, file, status, result, pushed, finished FROM symbols "
                                    "ORDER BY pushed, id").fetchall()
        return [_symbols_row(r) for r in rows]

    def pending(self) -> list[Stored]:
        return [s for s in self.all_symbols() if s.status == PENDING]

    def _one(self, sql: str, args: tuple) -> tuple | None:
        with self._lock:
            return self._db.execute(sql, args).fetchone()


def _symbols_row(row: tuple) -> Stored:
    return Stored(row[0], row[1], row[2], status=row[3], result=json.loads(row[4]) if row[4] else None,
                  pushed=row[5], finished=row[6])
