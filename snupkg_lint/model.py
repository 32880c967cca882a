"""The vocabulary shared by every layer: severities, predicted nuget.org outcomes, rules and findings.

This module imports nothing from the rest of the package, so readers, rules, the engine and the
reporters can all depend on it without creating cycles.
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Iterable, TypeVar


_RANKS = {"error": 0, "warning": 1, "info": 2}


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return _RANKS[self._value_]  # asked of every finding (--fail-on): not through Enum's `value` property


class Stage(str, enum.Enum):
    """Where nuget.org would stop the package."""

    PUSH = "push"  # synchronous: `dotnet nuget push` gets an HTTP error
    VALIDATION = "validation"  # asynchronous: push 201, then the symbol validation job fails


@dataclass(frozen=True)
class Outcome:
    """What nuget.org would do about one finding."""

    stage: Stage | None = None
    status: int | None = None  # HTTP status of the push
    code: int | None = None  # asynchronous validation issue code (0, 250-254)
    server_message: str | None = None

    def describe(self) -> str:
        if self.stage is Stage.PUSH:
            return f"push rejected with HTTP {self.status}"
        if self.stage is Stage.VALIDATION:
            return f"push accepted, then symbol validation fails with issue {self.code}"
        return "nuget.org does not reject this"


NO_OUTCOME = Outcome()
MAX_REASON_PHRASE = 512  # NuGetGallery HttpStatusCodeWithBodyResult.MaxReasonPhraseLength


def reason_phrase(message: str) -> str:
    """What a push answer's text becomes on its way to the client (HttpStatusCodeWithBodyResult): lines joined by
    single spaces, each trimmed, and cut to 512 UTF-16 code units, the last three becoming '...'."""
    if "\n" in message or "\r" in message:
        message = " ".join(part.strip() for part in message.replace("\r", "\n").split("\n") if part)
    units = message.encode("utf-16-le", errors="surrogatepass")
    if len(units) > 2 * MAX_REASON_PHRASE:
        # Substring counts code units, so it may cut a surrogate pair: what remains of it is shown as U+FFFD
        message = units[: 2 * (MAX_REASON_PHRASE - 3)].decode("utf-16-le", errors="replace") + "..."
    return message


def push(status: int, server_message: str | None = None) -> Outcome:
    return Outcome(Stage.PUSH, status, None, server_message)


def validation(code: int, server_message: str | None = None) -> Outcome:
    return Outcome(Stage.VALIDATION, None, code, server_message)


_T = TypeVar("_T", bound=type)
_FACTORY = object()  # the default of a field whose default is a factory: call it


def _quick(cls: _T) -> _T:
    """Replace the ``__init__`` of a frozen, slotted dataclass by one with the same signature that stores each
    field through its slot. The dataclass's own calls ``object.__setattr__`` once per field, which makes a finding
    cost twice what it needs to (a package with a finding per file makes one per file and rule); everything else
    (equality, repr, hashing, immutability, pickling, ``replace``) is the dataclass's."""
    fields = dataclasses.fields(cls)
    if "__slots__" not in cls.__dict__ or not cls.__dataclass_params__.frozen or hasattr(cls, "__post_init__") \
            or any(not f.init or f.kw_only for f in fields):  # type: ignore[attr-defined]
        raise TypeError(f"_quick cannot build {cls.__name__}")
    names, params, namespace = [], [], {"_FACTORY": _FACTORY}
    for f in fields:
        names.append(f.name)
        namespace[f"_set_{f.name}"] = cls.__dict__[f.name].__set__  # the slot's member descriptor
        if f.default is not dataclasses.MISSING:
            namespace[f"_default_{f.name}"] = f.default
            params.append(f"{f.name}=_default_{f.name}")
        elif f.default_factory is not dataclasses.MISSING:
            namespace[f"_factory_{f.name}"] = f.default_factory
            params.append(f"{f.name}=_FACTORY")
        else:
            params.append(f.name)
    body = "".join(
        f"    _set_{n}(self, _factory_{n}() if {n} is _FACTORY else {n})\n" if f"_factory_{n}" in namespace else
        f"    _set_{n}(self, {n})\n" for n in names)
    exec(f"def __init__(self, {', '.join(params)}):\n{body}", namespace)  # noqa: S102 (as dataclasses do)
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    cls.__init__ = init  # type: ignore[misc]
    cls.__setattr__ = _frozen_setattr  # type: ignore[assignment]  # the slotted class's own fails on other names
    cls.__delattr__ = _frozen_delattr  # type: ignore[assignment]  # with a TypeError (Python < 3.12)
    return cls


def _frozen_setattr(self: object, name: str, value: object) -> None:
    raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")


def _frozen_delattr(self: object, name: str) -> None:
    raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")


_ENGLISH: dict[tuple, tuple["Message", str]] = {}  # (template, *args) -> (that Message, its English text)
ENGLISH_CACHE = 1024  # messages remembered; when full, forgotten all at once
_PLAIN = frozenset({str, int})  # argument types whose equal values always read the same (1 == 1.0 == True do not)


def _english(message: "Message") -> tuple["Message", str]:
    """A message rendered in English, and an equal Message to keep: the first of equal messages (same template,
    same plain arguments in the same order), so that 5,000 findings saying the same hold one text."""
    args = message.args
    if type(message) is not Message or type(message.template) is not str:
        return message, message._format(None)
    for value in args.values():
        if type(value) not in _PLAIN:
            return message, message._format(None)
    key = (message.template, *args.items())
    found = _ENGLISH.get(key)
    if found is None:
        found = message, message._format(None)
        if len(_ENGLISH) >= ENGLISH_CACHE:
            _ENGLISH.clear()
        _ENGLISH[key] = found
    return found


@_quick
@dataclass(frozen=True, slots=True)
class Message:
    """A message as rules write it: its key, the English template (the msgid a translation looks up, as gettext
    does), and the arguments the template is filled with. Rules never format text; reporters render it
    (``render``), so a translation changes no rule. An argument may itself be a Message (a phrase); the
    others are data (names, numbers, a reader's error), never translated; a tuple of Messages is a list of
    phrases, shown joined by '; '."""

    template: str
    args: dict[str, Any] = field(default_factory=dict)

    def render(self, translate: Callable[[str], str] | None = None) -> str:
        return _english(self)[1] if translate is None else self._format(translate)

    def _format(self, translate: Callable[[str], str] | None) -> str:
        return (translate(self.template) if translate else self.template).format(
            **{k: _rendered(v, translate) for k, v in self.args.items()})


def _rendered(value: Any, translate: Callable[[str], str] | None) -> Any:
    if isinstance(value, Message):
        return value.render(translate)
    if isinstance(value, tuple) and value and all(isinstance(v, Message) for v in value):
        return "; ".join(v.render(translate) for v in value)  # a list of phrases
    return value


def msg(template: str, /, **args: Any) -> Message:
    return Message(template, args)


@_quick
@dataclass(frozen=True, slots=True)
class Hit:
    """What a rule function yields: the variable part of a finding.

    Anything left as None is filled from the rule's declaration.
    """

    message: Message
    entry: str | None = None
    part: str | None = None  # where in the entry, when that helps: "CodeView entry #0", a document name
    server_message: str | None = None  # nuget.org's own words, verbatim: never a Message
    status: int | None = None  # overrides the rule's HTTP status (e.g. 500 instead of 400)
    severity: Severity | None = None
    details: dict[str, Any] = field(default_factory=dict)
    order: int = -1  # validation findings: the position of the assembly in nuget.org's validation order; push
    # findings: the place within their step (the dependency group, the entry) where nuget.org reaches them
    step: str | None = None  # where in nuget.org's order this hit is evaluated, when not where its rule is


@_quick
@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    name: str
    severity: Severity
    message: str  # the message rendered in English (reporters render ``text`` in the reader's language)
    entry: str | None
    outcome: Outcome
    fix: str
    details: dict[str, Any] = field(default_factory=dict)  # the evidence: ids, hashes, paths
    order: int = field(default=-1, compare=False)
    text: Message | None = field(default=None, compare=False)  # the message key and its arguments
    part: str | None = None
    step: str | None = field(default=None, compare=False)  # its place in checks/order.py (default: its rule)

    def sort_key(self) -> tuple:
        return (self.rule, self.entry or "", self.message)


@dataclass(frozen=True)
class Rule:
    """A check: its identity, its default severity, the nuget.org outcome it predicts, and its code."""

    id: str
    name: str
    severity: Severity
    outcome: Outcome
    summary: str
    fix: str
    check: Callable[[Any], Iterable[Hit]] = field(compare=False, repr=False)
    incomplete: bool = False  # a finding of this rule means snupkg-lint could not predict everything
    target: str = "snupkg"  # what it checks: a symbol package (with its .nupkg), a .nupkg given alone, or "any"

    def finding(self, hit: Hit) -> Finding:
        if not isinstance(hit.message, Message):
            raise TypeError(f"rule {self.id}: a finding's message is msg(template, **arguments), not formatted text")
        outcome = self.outcome
        if hit.server_message is not None or hit.status is not None:
            outcome = replace(
                outcome,
                status=hit.status if hit.status is not None else outcome.status,
                server_message=hit.server_message if hit.server_message is not None else outcome.server_message,
            )
        if outcome.stage is Stage.PUSH and outcome.server_message:
            outcome = replace(outcome, server_message=reason_phrase(outcome.server_message))
        text, message = _english(hit.message)
        return Finding(self.id, self.name, hit.severity or self.severity, message, hit.entry, outcome, self.fix,
                       dict(hit.details), hit.order, text, hit.part, hit.step)


VERDICTS = ("pass", "incomplete", "validation-failed", "push-rejected", "no-symbol-package")
KINDS = ("snupkg", "nupkg")  # a symbol package checked (with its .nupkg when known), or a .nupkg alone


@dataclass(frozen=True)
class PackageReport:
    """One package's findings and what nuget.org would do with it.

    ``verdict`` and ``predicted`` are worked out by the engine from every finding, in nuget.org's evaluation
    order (checks/order.py): push-rejected (a push check fails), else validation-failed (a validation step
    fails), else incomplete (nothing fails, but part was not checked: no or no readable .nupkg, a bound, an
    internal error), else pass. ``predicted`` is the finding nuget.org would answer with (None unless it fails).
    """

    path: str
    nupkg: str | None
    findings: tuple[Finding, ...] = field(default_factory=tuple)
    verdict: str = "pass"
    predicted: Finding | None = None
    unchecked: tuple[Finding, ...] = field(default_factory=tuple)  # the findings that make it incomplete
    kind: str = "snupkg"

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity is severity)

    @property
    def has_errors(self) -> bool:
        return self.count(Severity.ERROR) > 0
