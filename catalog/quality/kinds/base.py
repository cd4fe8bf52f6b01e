"""What every rule kind answers, and the registry of kinds.

A rule kind (``nullValues``, ``rowCount``, ``sql``, ``freshness``…) is one subclass of
:class:`Kind` in one module of this package, registered with :func:`register`. It says, once:

- **read**: how a contract entry of that kind is read (default operator, arguments; ODCS v3.1
  §data-quality, §schema constraints, §service-level-agreement);
- **compile**: how it is measured in SQL (a :class:`~catalog.quality.measures.Measure`, DuckDB
  dialect; the engines transpile it with sqlglot);
- **evaluate**: how the measured value becomes the observed value and meets the operator;
- **say**: one sentence for the rule, one for the outcome, a label for a chart axis.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from catalog.quality.measures import CompileError, Measure
from catalog.quality.model import OPERATORS, Check, CheckResult, Status
from catalog.quality.operators import meets, words
from catalog.quality.units import PERCENT, quantity

OPERATOR_ALIASES = {
    "mustBeGreaterThanOrEqualTo": "mustBeGreaterOrEqualTo",
    "mustBeLessThanOrEqualTo": "mustBeLessOrEqualTo",
}
"""Spellings seen in ODCS v3.0 drafts and tools, mapped to the v3.1 operator names."""


class Stated(Protocol):
    """What a rule states, whether read from a contract (:class:`Rule`) or derived
    (:class:`~catalog.quality.model.Check`): enough to word it."""

    @property
    def kind(self) -> str:
        """The kind's name."""
        ...

    @property
    def operator(self) -> str:
        """The ODCS operator, ``""`` when none."""
        ...

    @property
    def threshold(self) -> Any:
        """The operator's value."""
        ...

    @property
    def unit(self) -> str:
        """``rows``, ``percent`` or a time unit."""
        ...

    @property
    def arguments(self) -> dict[str, Any]:
        """The rule's arguments."""
        ...

    @property
    def description(self) -> str:
        """Its own description, ``""`` when none."""
        ...

    @property
    def engine(self) -> str | None:
        """The engine of a ``custom`` rule."""
        ...


@dataclass(frozen=True)
class Rule:
    """A quality rule as read from a contract entry (see :func:`read_rule`).

    Attributes:
        kind: the registered kind's name (``nullValues``, ``sql``…), or the metric as written.
        operator: one of :data:`~catalog.quality.model.OPERATORS`, ``""`` when none.
        threshold: the operator's value (a pair for the ``…Between`` operators).
        unit: ``rows`` (default), ``percent`` or a time unit.
        arguments: the entry's ``arguments`` (normalised by the kind).
        description: the entry's own description (``""`` when none).
        query: the SQL of an ``sql`` rule.
        engine: the engine of a ``custom`` rule.
    """

    kind: str
    operator: str
    threshold: Any
    unit: str = "rows"
    arguments: dict[str, Any] = field(default_factory=dict)
    description: str = ""
    query: str | None = None
    engine: str | None = None


@dataclass(frozen=True)
class Target:
    """What a rule checks: a property (column) of a schema object, or the object itself."""

    object_name: str
    property_name: str | None = None
    business_name: str | None = None

    def phrase(self) -> str:
        """``"Airline code (carrier)"``, ``"carrier"`` or ``"the table flights"``."""
        if self.property_name is None:
            return f"the table {self.object_name}" if self.object_name else "the table"
        if self.business_name and self.business_name != self.property_name:
            return f"{self.business_name} ({self.property_name})"
        return self.property_name


@dataclass(frozen=True)
class Observation:
    """A measured value made into the check's observed value.

    Attributes:
        observed: the value compared with the threshold, in the check's unit; ``None`` when
            nothing could be observed (the rule is then not met, ``message`` says why).
        failing: rows breaking the rule, for row-based checks.
        message: what the runner reports with the result.
    """

    observed: float | None
    failing: int | None = None
    message: str = ""


def humanize(name: str) -> str:
    """``timeToRepair`` or ``time_to_repair`` → ``"Time to repair"``."""
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name).replace("_", " ").split()
    text = " ".join(words).lower()
    return text[:1].upper() + text[1:]


def capital(text: str) -> str:
    """``text`` with its first letter in upper case (the rest untouched)."""
    return text[:1].upper() + text[1:]


def limit(rule: Stated) -> tuple[str, str] | None:
    """The rule's comparison as ``(words, amount)``, e.g. ``("at most", "1%")``; None if unset.

    ``mustBeBetween: [a, b]`` gives ``("between", "a and b")``; the unit ``percent`` adds "%".
    """
    if not rule.operator or rule.threshold is None:
        return None
    unit = rule.unit if (rule.unit or "").lower() in PERCENT else None
    value = rule.threshold
    if isinstance(value, list | tuple) and len(value) == 2:
        return words(rule.operator), f"{quantity(value[0], unit)} and {quantity(value[1], unit)}"
    return words(rule.operator), quantity(value, unit)


def count_phrase(rule: Stated, noun: str) -> str:
    """``"No missing values"``, ``"At most 1% missing values"``, ``"Exactly 3 missing values"``."""
    found = limit(rule)
    if found is None:
        return f"{capital(noun)} are measured"
    said, amount = found
    if amount in ("0", "0%") and said in ("exactly", "at most"):
        return f"No {noun}"
    if amount == "1" and noun.endswith("s"):  # "at most 1 missing value"
        noun = noun[:-1]
    return f"{capital(said)} {amount} {noun}"


def listing(values: Iterable[Any], most: int = 8) -> str:
    """``a, b, c and 4 more``: values as people read them (None is "empty", "" "blank text")."""
    shown = ["empty" if v is None else ("blank text" if v == "" else str(v)) for v in values]
    more = len(shown) - most
    return ", ".join(shown[:most]) + (f" and {more} more" if more > 0 else "")


def amount_text(value: float, digits: int = 2) -> str:
    """``8255`` → ``8,255``; ``2.4511`` → ``2.45``; ``4707.53`` → ``4,707.53``."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.{digits}f}".rstrip("0").rstrip(".")


class Kind:
    """A rule kind; subclasses override what differs. The defaults describe a rule whose
    value is one number (an ``sql`` rule's result) compared with its operator.

    Class attributes:
        name: the kind's name as a check's ``kind`` (ODCS ``metric``, ``type`` or constraint).
        aliases: older names read as this kind (ODCS v3.0 ``rule`` names).
        dimension: ODCS dimension when the rule names none.
        default: ``(operator, threshold)`` when the entry states none.
        noun: what the observed value counts, for outcomes (``missing``, ``duplicate``,
            ``invalid``); ``""`` when it is not a count of rows.
        nulls_fail: for uniqueness kinds, True when a row with a null key part fails too (a
            primary key); its failing-row sample shows those rows.
        sla_property: True when the kind is checked from an SLA property of the same name
            (``slaProperties: [{property: freshness, value, unit, element}]``), not from a
            ``quality`` entry.
        editable: True when owners write the kind as a contract ``quality`` entry (an ODCS
            v3.1 library metric, or ``sql``): the kinds the portal's rule editor offers. Kinds
            derived from the schema (required, unique, primary key, pattern, accepted values,
            bounds, lengths) or from SLA properties are edited where they are stated instead.
        form_rank: the kind's place in the rule editor's list (smaller first).
    """

    name: ClassVar[str] = ""
    aliases: ClassVar[tuple[str, ...]] = ()
    dimension: ClassVar[str] = "accuracy"
    default: ClassVar[tuple[str, Any] | None] = None
    noun: ClassVar[str] = ""
    nulls_fail: ClassVar[bool] = False
    sla_property: ClassVar[bool] = False
    editable: ClassVar[bool] = False
    form_rank: ClassVar[int] = 99

    # -- read --------------------------------------------------------------------------

    def arguments(self, entry: Mapping[str, Any]) -> dict[str, Any]:
        """The entry's arguments as this kind reads them (a copy)."""
        return dict(entry.get("arguments") or {})

    # -- compile -----------------------------------------------------------------------

    def compile(self, check: Check, types: dict[str, str]) -> Measure:
        """How ``check`` is measured against the object's columns (name → DuckDB type).

        Raises:
            CompileError: the check cannot be measured (missing column or argument).
        """
        raise CompileError(f"Unknown rule kind '{check.kind}'.")

    # -- evaluate ----------------------------------------------------------------------

    def observe(self, measure: Measure, value: Any, *, now: Any, total: int | None) -> Observation:
        """The observed value of a measured ``value``: failing rows (in percent of ``total``
        rows when the unit is percent) for row-based measures, else the number returned.

        Raises:
            ValueError: the value is not a number (the result is an ``error``).
        """
        check = measure.check
        if measure.row_based:
            failing = int(value or 0)
            observed = float(failing)
            if check.unit == "percent":
                observed = 100.0 * failing / total if total else 0.0
            return Observation(observed, failing)
        if value is None:  # SQL's three-valued logic: NULL meets no threshold
            return Observation(
                None,
                message="The query returned no value (NULL), which meets "
                "no threshold; return a number, e.g. with COALESCE(…, 0).",
            )
        if isinstance(value, bool):
            return Observation(float(value))
        try:
            return Observation(float(value))
        except (TypeError, ValueError):
            raise ValueError(f"The query returned {value!r}, not a number.") from None

    def evaluate(self, check: Check, observed: float) -> bool | None:
        """True when ``observed`` meets the check's operator (ODCS ``mustBe…``), None when
        the rule states no operator.

        Raises:
            ValueError: unknown operator or a threshold of the wrong shape.
        """
        return meets(check.operator, observed, check.threshold) if check.operator else None

    # -- say ---------------------------------------------------------------------------

    def sentence(self, rule: Stated, target: Target) -> str:
        """The rule in one sentence, e.g. "No missing values in Airline code (carrier)"."""
        return rule.description.strip() or f"A {self.name} check on {target.phrase()}"

    def outcome(self, result: CheckResult) -> str:
        """What was measured, in words (``0 missing``, ``the query returned 0``); for results
        that were not measured, their message."""
        value = result.observed
        if result.status in (Status.ERROR, Status.SKIPPED) or value is None:
            return result.message or "not measured"
        amount = amount_text(value) + ("%" if result.check.unit == "percent" else "")
        return self.counted(amount, value, result.check.unit)

    def counted(self, amount: str, value: float, unit: str) -> str:
        """The observed ``amount`` with what it counts (``3 duplicates``, ``2.45% missing``)."""
        if not self.noun:
            return f"the query returned {amount}"
        plural = self.noun not in ("missing", "invalid") and (unit == "percent" or value != 1)
        return f"{amount} {self.noun}{'s' if plural else ''}"

    def value_label(self, check: Check) -> str:
        """What the observed value counts, for a chart axis (``missing (% of rows)``)."""
        if not self.noun:
            return "query result"
        scale = "% of rows" if check.unit == "percent" else "rows"
        noun = self.noun if self.noun in ("missing", "invalid") else self.noun + "s"
        return f"{noun} ({scale})"

    def limit_unit(self, check: Check) -> str:
        """The word after a threshold's amount in :func:`limit_text` (``rows`` for row
        counts), ``""`` when none."""
        return ""


KINDS: dict[str, Kind] = {}
"""Registered rule kinds by name (see :func:`register`)."""

ALIASES: dict[str, str] = {}
"""Older names (ODCS v3.0 ``rule``) → the registered kind's name."""


def register(cls: type[Kind]) -> type[Kind]:
    """Class decorator: add one instance of the kind to :data:`KINDS` (and its aliases).

    Raises:
        ValueError: a kind of that name (or alias) is registered already.
    """
    kind = cls()
    for name in (kind.name, *kind.aliases):
        if name in KINDS or name in ALIASES:
            raise ValueError(f"Rule kind '{name}' is registered twice.")
    KINDS[kind.name] = kind
    ALIASES.update({alias: kind.name for alias in kind.aliases})
    return cls


class _Unknown(Kind):
    """A kind no module registers: it cannot be compiled; words come from its description."""

    def __init__(self, name: str) -> None:
        self.written = name

    def sentence(self, rule: Stated, target: Target) -> str:
        """Its description, else its name in words on the target."""
        return rule.description.strip() or f"{humanize(self.written)} in {target.phrase()}"


def editable_kinds() -> tuple[str, ...]:
    """The names of the kinds the rule editor offers (:attr:`Kind.editable`), in its order
    (:attr:`Kind.form_rank`, then name)."""
    chosen = [k for k in KINDS.values() if k.editable]
    return tuple(k.name for k in sorted(chosen, key=lambda k: (k.form_rank, k.name)))


def kind_of(name: str) -> Kind:
    """The registered kind called ``name`` (or one of its aliases); an unknown name gets a
    kind that cannot be compiled (its checks are ``error`` results saying so)."""
    found = KINDS.get(name) or KINDS.get(ALIASES.get(name, ""))
    return found if found is not None else _Unknown(name)


def operator_of(
    entry: Mapping[str, Any], default: tuple[str, Any] | None
) -> tuple[str | None, Any]:
    """The first ODCS operator of ``entry`` and its value (aliases read), else ``default``."""
    for key, value in entry.items():
        name = OPERATOR_ALIASES.get(key, key)
        if name in OPERATORS:
            return name, value
    return default if default else (None, None)


def kind_name(entry: Mapping[str, Any]) -> str:
    """The kind of a contract quality entry: ``sql``, ``custom``, ``text`` by its ``type``, else
    its ``metric`` (or v3.0 ``rule``) with older names read (``nullCheck`` → ``nullValues``)."""
    rtype = str(entry.get("type") or "library")
    if rtype in ("sql", "custom", "text"):
        return rtype
    metric = entry.get("metric") or entry.get("rule")
    if not metric:
        return "library"
    return ALIASES.get(str(metric), str(metric))


def read_rule(entry: Mapping[str, Any]) -> Rule:
    """A contract quality entry (ODCS v3.1 §data-quality) as its kind reads it."""
    name = kind_name(entry)
    kind = kind_of(name)
    operator, threshold = operator_of(entry, kind.default)
    return Rule(
        kind=name,
        operator=operator or "",
        threshold=threshold,
        unit=str(entry.get("unit") or "rows"),
        arguments=kind.arguments(entry),
        description=str(entry.get("description") or ""),
        query=entry.get("query"),
        engine=entry.get("engine"),
    )


def rule_sentence(rule: Stated, target: Target) -> str:
    """The one sentence for ``rule`` on ``target``, as every view says it."""
    return kind_of(rule.kind).sentence(rule, target)


def check_sentence(check: Check) -> str:
    """The one sentence for a derived check (its target from the check itself)."""
    return rule_sentence(check, Target(check.object, check.property, check.label))
