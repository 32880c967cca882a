"""Frozen dataclasses built at the cost of a plain class, for the objects readers make per file.

A frozen dataclass's own ``__init__`` calls ``object.__setattr__`` once per field, which makes it about three times
as slow to build as a plain object; a package of thousands of assemblies builds a dozen such records per file.
:func:`quick_init` keeps the class exactly as ``@dataclass(frozen=True)`` made it (fields, equality, hash, repr,
immutability, pickling to an equal object) and only fills a new instance's dict directly.
"""

from __future__ import annotations

import dataclasses
from typing import TypeVar

_C = TypeVar("_C", bound=type)


def quick_init(cls: _C) -> _C:
    """Replace the ``__init__`` of a frozen dataclass (no __slots__, __post_init__, default factories, init=False
    or keyword-only fields) by one that stores the same fields in the instance dict; ``__reduce__`` passes the
    field values positionally, so a pickled record is rebuilt through it too."""
    params = dataclasses.fields(cls)
    if not dataclasses.is_dataclass(cls) or not cls.__dataclass_params__.frozen or "__slots__" in cls.__dict__ \
            or hasattr(cls, "__post_init__") or any(not f.init or f.kw_only or
                                                     f.default_factory is not dataclasses.MISSING for f in params):
        raise TypeError(f"quick_init cannot build {cls.__name__}")
    names = [f.name for f in params]
    defaults = {f"_default_{f.name}": f.default for f in params if f.default is not dataclasses.MISSING}
    signature = ", ".join(f"{n}=_default_{n}" if f"_default_{n}" in defaults else n for n in names)
    body = "".join(f"    d[{n!r}] = {n}\n" for n in names)
    values = "".join(f"d[{n!r}], " for n in names)
    namespace: dict = dict(defaults, cls=cls)
    exec(f"def __init__(self, {signature}):\n    d = self.__dict__\n{body}"  # noqa: S102 (as dataclasses do)
         f"def __reduce__(self):\n    d = self.__dict__\n    return cls, ({values})\n", namespace)
    for name in ("__init__", "__reduce__"):
        method = namespace[name]
        method.__qualname__ = f"{cls.__qualname__}.{name}"
        setattr(cls, name, method)
    return cls


__all__ = ["quick_init"]
