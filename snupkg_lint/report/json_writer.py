"""JSON written exactly as ``json.dumps(value, indent=2, ensure_ascii=False)`` writes it, but faster and in pieces.

With ``indent`` set, the standard library encodes in pure Python, one generator per list and dict; a report with a
finding per file spends most of its time there and holds the whole document, as one string, before the first byte
goes out. Here the same text (the same escaping, by the standard library's own string escaper; the same spelling of
numbers, NaN and Infinity; the same errors for what JSON cannot hold) is appended to a list of pieces that a
:class:`Pieces` hands to its stream every few thousand pieces. A reporter that knows the shape of what it writes can
put a :class:`Fragment` where a value goes, and write that part from templates.
"""

from __future__ import annotations

from json.encoder import encode_basestring as escape  # the C escaper when the interpreter has it, as json uses
from typing import Any, Callable

INDENT = "  "
_INFINITY = float("inf")
_intstr = int.__repr__
_floatrepr = float.__repr__
_LEVELS = 32  # levels whose line starts are made once (deeper ones are made when needed)
_NEWLINES = tuple("\n" + INDENT * n for n in range(_LEVELS))  # "\n" and the indentation of each level
_KEYS: tuple[dict[str, str], ...] = tuple({} for _ in range(_LEVELS))  # per level: a key's '\n<indent>"key": '
KEY_CACHE = 1024  # keys remembered per level; when full, forgotten all at once


def newline(level: int) -> str:
    return _NEWLINES[level] if level < _LEVELS else "\n" + INDENT * level


def floatstr(value: float) -> str:
    """A float as json spells it (allow_nan: NaN, Infinity and -Infinity, as JavaScript does)."""
    if value != value:
        return "NaN"
    if value == _INFINITY:
        return "Infinity"
    if value == -_INFINITY:
        return "-Infinity"
    return _floatrepr(value)


class Fragment:
    """A value a reporter writes itself: ``write`` appends exactly what json would write for the value it stands
    for, at ``level``, to ``out.parts``, and may call ``out.spill()`` between the pieces it writes."""

    def write(self, out: "Pieces", level: int) -> None:
        raise NotImplementedError


class Pieces:
    """The text written so far, as a list of pieces; with a ``write`` (a stream's), ``spill`` passes them on once
    there are ``limit`` of them, so that a large document is never held whole."""

    __slots__ = ("parts", "_write", "limit")

    def __init__(self, write: Callable[[str], Any] | None = None, limit: int = 4096) -> None:
        self.parts: list[str] = []
        self._write = write
        self.limit = limit

    def spill(self) -> None:
        if self._write is not None and len(self.parts) >= self.limit:
            self.flush()

    def flush(self) -> None:
        if self._write is not None and self.parts:
            self._write("".join(self.parts))
            self.parts.clear()

    def text(self) -> str:
        return "".join(self.parts)


def dumps(value: Any) -> str:
    """``json.dumps(value, indent=2, ensure_ascii=False)``."""
    out = Pieces()
    encode(out, value)
    return out.text()


def dump(value: Any, write: Callable[[str], Any], limit: int = 4096) -> None:
    """``write(json.dumps(value, indent=2, ensure_ascii=False))``, in pieces."""
    out = Pieces(write, limit)
    encode(out, value)
    out.flush()


def encode(out: Pieces, value: Any, level: int = 0, markers: dict | None = None) -> None:
    """Append `value` as json writes it when it is at indentation `level` (the level of the line it starts on)."""
    parts = out.parts
    if isinstance(value, str):
        parts.append(escape(value))
    elif value is None:
        parts.append("null")
    elif value is True:
        parts.append("true")
    elif value is False:
        parts.append("false")
    elif isinstance(value, int):  # int and float subclasses (IntEnum) are written as the number, as json does
        parts.append(_intstr(value))
    elif isinstance(value, float):
        parts.append(floatstr(value))
    elif isinstance(value, (list, tuple)):
        encode_list(out, value, level, markers)
    elif isinstance(value, dict):
        encode_dict(out, value, level, markers)
    elif isinstance(value, Fragment):
        value.write(out, level)
    else:
        raise TypeError(f"Object of type {value.__class__.__name__} is not JSON serializable")


def _enter(container: Any, markers: dict | None) -> dict:
    if markers is None:
        markers = {}
    elif id(container) in markers:
        raise ValueError("Circular reference detected")
    markers[id(container)] = container
    return markers


def encode_list(out: Pieces, values: list | tuple, level: int = 0, markers: dict | None = None) -> None:
    if not values:
        out.parts.append("[]")
        return
    inner = newline(level + 1)
    try:  # most lists in a report are lists of strings: escaped and joined at C speed
        out.parts.append("[" + inner + ("," + inner).join(map(escape, values)) + newline(level) + "]")
        return
    except TypeError:
        pass
    markers = _enter(values, markers)
    parts = out.parts
    separator = "[" + inner
    for value in values:
        if isinstance(value, str):
            parts.append(separator + escape(value))
        elif value is None:
            parts.append(separator + "null")
        elif value is True:
            parts.append(separator + "true")
        elif value is False:
            parts.append(separator + "false")
        elif isinstance(value, int):
            parts.append(separator + _intstr(value))
        elif isinstance(value, float):
            parts.append(separator + floatstr(value))
        else:
            parts.append(separator)
            encode(out, value, level + 1, markers)
        separator = "," + inner
    parts.append(newline(level) + "]")
    del markers[id(values)]


def key_text(key: Any) -> str:
    """A dict key as json writes it (keys that are numbers, booleans or None become their JSON spelling)."""
    if isinstance(key, str):
        return key
    if isinstance(key, float):
        return floatstr(key)
    if key is True:
        return "true"
    if key is False:
        return "false"
    if key is None:
        return "null"
    if isinstance(key, int):
        return _intstr(key)
    raise TypeError(f"keys must be str, int, float, bool or None, not {key.__class__.__name__}")


def encode_dict(out: Pieces, values: dict, level: int = 0, markers: dict | None = None) -> None:
    if not values:
        out.parts.append("{}")
        return
    parts = out.parts
    append = parts.append
    inner = newline(level + 1)
    keys = _KEYS[level + 1] if level + 1 < _LEVELS else {}
    entered = False  # in the markers once a value is a container, before it is written (as only it can cycle)
    append("{")
    first = True
    for key, value in values.items():
        if type(key) is str:
            heads = keys.get(key)
            if heads is None:
                if len(keys) >= KEY_CACHE:
                    keys.clear()
                head = inner + escape(key) + ": "
                heads = keys[key] = (head, "," + head)
        else:
            head = inner + escape(key_text(key)) + ": "
            heads = (head, "," + head)
        if first:
            append(heads[0])
            first = False
        else:
            append(heads[1])
        if isinstance(value, str):
            append(escape(value))
        elif value is None:
            append("null")
        elif value is True:
            append("true")
        elif value is False:
            append("false")
        elif isinstance(value, int):
            append(_intstr(value))
        elif isinstance(value, float):
            append(floatstr(value))
        else:
            if not entered:
                markers = _enter(values, markers)
                entered = True
            if isinstance(value, (list, tuple)):
                encode_list(out, value, level + 1, markers)
            elif isinstance(value, dict):
                encode_dict(out, value, level + 1, markers)
            else:
                encode(out, value, level + 1, markers)
    append(newline(level) + "}")
    if entered:
        del markers[id(values)]  # type: ignore[index]


__all__ = ["Fragment", "Pieces", "dump", "dumps", "encode", "encode_dict", "encode_list", "escape", "floatstr",
           "key_text", "newline"]
