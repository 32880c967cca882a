"""Values the files of one package repeat, held once.

A package built for several frameworks and runtimes holds many PDBs of one source tree: the same document names,
GUIDs, compilation options and documents come back in each. :class:`Shared` gives back the object already held
for an equal value, so thousands of PDBs cost the memory of their distinct values. Only immutable values (or
records the readers' callers treat as read-only) are shared; each table is bounded, and starts again when full.
"""

from __future__ import annotations

from typing import Callable, Generic, Hashable, TypeVar

_K = TypeVar("_K", bound=Hashable)
_V = TypeVar("_V")

KEPT = 4096  # values a table holds before it is emptied


class Shared(Generic[_K, _V]):
    def __init__(self, kept: int = KEPT):
        self._values: dict[_K, _V] = {}
        self._kept = kept

    def get(self, key: _K, make: Callable[[_K], _V]) -> _V:
        """The value held for `key`, made from it (and held) the first time."""
        found = self._values.get(key)
        if found is None:
            if len(self._values) >= self._kept:
                self._values.clear()
            found = self._values[key] = make(key)
        return found

    def same(self, value: _V) -> _V:  # type: ignore[misc]
        """`value`, or the equal one held already (the value is its own key)."""
        found = self._values.get(value)  # type: ignore[call-overload]
        if found is None:
            if len(self._values) >= self._kept:
                self._values.clear()
            found = self._values[value] = value  # type: ignore[index]
        return found
