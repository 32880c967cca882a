"""formats/records.quick_init: a frozen dataclass built faster is still exactly that dataclass."""

import copy
import dataclasses
import pickle

import pytest

from snupkg_lint.formats.records import quick_init


@dataclasses.dataclass(frozen=True)
class Plain:
    name: str
    size: int
    extra: tuple = ()


@quick_init
@dataclasses.dataclass(frozen=True)
class Quick:
    name: str
    size: int
    extra: tuple = ()


def test_a_quick_record_is_the_dataclass_it_was():
    for args, kwargs in (((), {"name": "a", "size": 1}), (("a", 1), {}), (("a", 1, (2,)), {}), (("a",), {"size": 3})):
        quick, plain = Quick(*args, **kwargs), Plain(*args, **kwargs)
        assert dataclasses.astuple(quick) == dataclasses.astuple(plain)
        assert repr(quick) == repr(plain).replace("Plain", "Quick")
        assert quick == Quick(*args, **kwargs) and hash(quick) == hash(Quick(*args, **kwargs))
        assert quick != Quick("other", 0)
        assert pickle.loads(pickle.dumps(quick)) == quick == copy.deepcopy(quick)
        assert dataclasses.replace(quick, size=9) == Quick(quick.name, 9, quick.extra)
        with pytest.raises(dataclasses.FrozenInstanceError):
            quick.size = 2  # type: ignore[misc]
    with pytest.raises(TypeError):
        Quick("a")


def test_quick_init_refuses_what_it_cannot_build():
    @dataclasses.dataclass
    class Mutable:
        a: int

    @dataclasses.dataclass(frozen=True)
    class Factory:
        a: list = dataclasses.field(default_factory=list)

    @dataclasses.dataclass(frozen=True, slots=True)
    class Slotted:
        a: int

    for cls in (Mutable, Factory, Slotted):
        with pytest.raises(TypeError):
            quick_init(cls)
