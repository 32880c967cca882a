"""API keys as nuget.org has them: an owner, package id globs and the actions `push` / `pushversion`.

`--api-key KEY` gives a key that may push anything; `--keys FILE` reads scoped keys from TOML:

    [keys."the-key-itself"]
    owner = "contoso"                 # the account the key pushes as (default: "local")
    globs = ["Contoso.*"]             # package ids the key covers (default: ["*"])
    actions = ["push", "pushversion"] # push: new ids and versions; pushversion: new versions of existing ids
    expires = 2030-01-01T00:00:00Z    # optional: after it the key is refused (403), as an expired key is

A key's value is never logged or shown after start.
"""

from __future__ import annotations

import datetime as _dt
import fnmatch
import hmac
import secrets
from dataclasses import dataclass

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

ACTIONS = ("push", "pushversion")
LOCAL_OWNER = "local"


class KeyFileError(Exception):
    """A keys file that cannot be used; the message is the line shown."""


@dataclass(frozen=True)
class Key:
    value: str
    owner: str | None = None  # None: a --api-key key, which may push any id whoever owns it
    globs: tuple[str, ...] = ("*",)
    actions: tuple[str, ...] = ACTIONS
    expires: _dt.datetime | None = None

    def __repr__(self) -> str:  # never shows the key itself
        return f"Key(owner={self.owner!r}, globs={self.globs!r}, actions={self.actions!r})"

    def expired(self, now: _dt.datetime) -> bool:
        return self.expires is not None and now >= self.expires

    def covers(self, package_id: str, action: str) -> bool:
        """ApiScopeEvaluator: some glob matches the id (case-insensitively) and the key allows the action."""
        if action not in self.actions:
            return False
        return any(fnmatch.fnmatchcase(package_id.lower(), glob.lower()) for glob in self.globs)

    def owns(self, registration_owner: str | None) -> bool:
        """The key's owner owns the id (nobody owns a new id yet)."""
        return self.owner is None or registration_owner is None or registration_owner == self.owner

    @property
    def account(self) -> str:
        """The owner recorded for an id this key pushes first."""
        return self.owner or LOCAL_OWNER


@dataclass
class Keyring:
    keys: tuple[Key, ...]

    def find(self, given: str | None) -> Key | None:
        if not given:
            return None
        found = None
        for key in self.keys:  # compare every key in constant time
            if hmac.compare_digest(key.value.encode("utf-8"), given.encode("utf-8", "surrogateescape")):
                found = key
        return found


def generated() -> Key:
    return Key(secrets.token_urlsafe(24))


def _as_utc(value: object, where: str) -> _dt.datetime:
    if isinstance(value, _dt.datetime):
        return value.replace(tzinfo=_dt.timezone.utc) if value.tzinfo is None else value.astimezone(_dt.timezone.utc)
    if isinstance(value, _dt.date):
        return _dt.datetime(value.year, value.month, value.day, tzinfo=_dt.timezone.utc)
    raise KeyFileError(f"{where}: expires must be a TOML date or date-time")


def _strings(value: object, where: str, name: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
        raise KeyFileError(f"{where}: {name} must be a non-empty list of strings")
    return tuple(value)


def load(path: str) -> list[Key]:
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except OSError as exc:
        raise KeyFileError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise KeyFileError(f"{path}: not valid TOML ({exc})") from None
    table = data.get("keys")
    if not isinstance(table, dict) or not table:
        raise KeyFileError(f"{path}: needs a [keys.\"<key>\"] table for each key")
    out = []
    for n, (value, spec) in enumerate(table.items(), 1):
        where = f"{path}: key #{n}"  # the key itself is never shown
        if not isinstance(spec, dict):
            raise KeyFileError(f"{where}: must be a table")
        unknown = set(spec) - {"owner", "globs", "actions", "expires"}
        if unknown:
            raise KeyFileError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
        owner = spec.get("owner", LOCAL_OWNER)
        if not isinstance(owner, str) or not owner:
            raise KeyFileError(f"{where}: owner must be a non-empty string")
        globs = _strings(spec.get("globs", ["*"]), where, "globs")
        actions = _strings(spec.get("actions", list(ACTIONS)), where, "actions")
        bad = [a for a in actions if a not in ACTIONS]
        if bad:
            raise KeyFileError(f"{where}: actions are push and pushversion, not {', '.join(bad)}")
        expires = _as_utc(spec["expires"], where) if "expires" in spec else None
        out.append(Key(value, owner, globs, actions, expires))
    return out
