"""What a policy is: a kind of check with parameters, made into a policy with an id and severity.

A :class:`PolicyKind` is the code (one module of :mod:`catalog.governance.policies` per group):
a pure check ``(product, mesh, context, params) -> violations``. A :class:`Policy` is a kind in
force: an id, a severity, parameters and where it was defined (``global`` or a domain's
``policies.yaml``). Global policies and domain-added ones are both :class:`Policy` objects.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from catalog.confine import PathRefused, read_regular_file
from catalog.governance.model import GLOBAL_ORIGIN, Finding, NotMeasured, Severity
from catalog.manifests.line_index import LineIndex
from catalog.manifests.yaml_source import MAX_MANIFEST_BYTES, PathPart, format_path
from catalog.mesh import DataProduct, Mesh

SEVERITY_RANK = {"warning": 1, "error": 2}
"""Stricter severities rank higher; a domain may raise a severity, never lower an error."""


class PolicyParams(BaseModel):
    """Parameters of a policy kind; each field says which way is stricter.

    Mark every field with ``json_schema_extra={"stricter": "higher" | "lower" | "more" |
    "fewer" | "true"}``: a larger number, a smaller number, a superset of a list, a subset of a
    list, or ``True`` is stricter.
    :meth:`loosened` uses it to refuse a domain file that loosens a global ``error`` policy.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    def loosened(self, base: PolicyParams) -> list[str]:
        """Names of the fields in which ``self`` is less strict than ``base``."""
        out = []
        for name, info in type(self).model_fields.items():
            extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
            rule = _LOOSER.get(str(extra.get("stricter")))
            if rule is not None and rule(getattr(self, name), getattr(base, name)):
                out.append(name)
        return out


_LOOSER: dict[str, Callable[[Any, Any], bool]] = {
    "higher": lambda mine, base: mine < base,
    "lower": lambda mine, base: mine > base,
    "more": lambda mine, base: not set(base) <= set(mine),
    "fewer": lambda mine, base: not set(mine) <= set(base),
    "true": lambda mine, base: bool(base) and not mine,
}
"""Per ``stricter`` rule: is ``mine`` looser than ``base``?"""


class NoParams(PolicyParams):
    """A policy kind without parameters."""


@dataclass(frozen=True)
class Where:
    """A field of one of a product's files.

    Attributes:
        path: JSON path inside the document, e.g. ``("schema", 0, "properties", 2)``.
        port: output port whose contract holds the field; ``None`` for the ODPS document.
        file: another file of the product (e.g. its ``build.sql``), which is not a manifest:
            the finding names it with ``line`` instead of a path's line.
        line: 1-based line in ``file``.
    """

    path: tuple[PathPart, ...] = ()
    port: str | None = None
    file: Path | None = None
    line: int | None = None


@dataclass(frozen=True)
class Violation:
    """What a policy kind's check returns: one message at one place (the policy adds the rest)."""

    message: str
    where: Where = field(default_factory=Where)


class Locator:
    """Names files relative to the mesh and finds a field's line; caches each file's index.

    Args:
        root: the mesh root (files are named relative to its parent, as manifest problems are);
            ``None`` names files as given.
    """

    def __init__(self, root: Path | None) -> None:
        self.base = root.parent if root is not None else None
        self._indexes: dict[Path, LineIndex | None] = {}

    def display(self, path: Path | None) -> str:
        """``path`` relative to the mesh root's parent (``domains/…``), ``""`` for None."""
        if path is None:
            return ""
        if self.base is not None:
            try:
                return str(path.relative_to(self.base))
            except ValueError:
                pass
        return str(path)

    def line(self, path: Path | None, fields: tuple[PathPart, ...]) -> int | None:
        """1-based line of ``fields`` in the file (``None`` when it cannot be read)."""
        if path is None:
            return None
        if path not in self._indexes:
            try:  # only a regular file inside the mesh (never a pipe or a link leading out)
                root = self.base if self.base is not None else path.parent
                raw = read_regular_file(path, root, MAX_MANIFEST_BYTES)
                self._indexes[path] = LineIndex(raw.decode("utf-8"))
            except (PathRefused, OSError, UnicodeDecodeError):
                self._indexes[path] = None
        index = self._indexes[path]
        return index.line(fields) if index is not None else None


@dataclass
class EvaluationContext:
    """What policies may read besides the product and the mesh.

    Attributes:
        locator: turns a :class:`Where` into file and line.
        quality_scores: latest quality score (0..100, ``None`` when unscored) by product id, or
            ``None`` when quality results are not available at all.
    """

    locator: Locator
    quality_scores: Mapping[str, float | None] | None = None


Check = Callable[[DataProduct, Mesh, EvaluationContext, Any], "list[Violation] | NotMeasured"]


@dataclass(frozen=True)
class PolicyKind:
    """The code of a policy: what it checks, how to fix it, its parameters.

    Attributes:
        kind: stable name, also the id of its global policy (``pii-classified``).
        title: short title.
        message: the rule in plain language.
        fix: how to comply.
        params: the parameters model (defaults are the global values).
        check: the pure check.
        rule: the rule's source (a standard section or our convention).
    """

    kind: str
    title: str
    message: str
    fix: str
    check: Check
    params: type[PolicyParams] = NoParams
    rule: str = ""

    def policy(self, severity: Severity, **overrides: Any) -> Policy:
        """This kind in force as a policy (global unless ``origin`` is given)."""
        values: dict[str, Any] = {"id": self.kind, "origin": GLOBAL_ORIGIN, "title": self.title}
        values.update(overrides)
        if "params" not in values:
            values["params"] = self.params()
        return Policy(kind=self, severity=severity, **values)


@dataclass(frozen=True)
class Policy:
    """A policy in force: a kind with an id, severity, parameters and origin.

    Attributes:
        id: policy id shown in findings (``min-quality-score``, ``operations-required-tags``).
        kind: its code.
        severity: ``error`` or ``warning``.
        params: parameter values.
        origin: ``global`` or the ``policies.yaml`` that added or tightened it.
        title: title shown to readers.
        note: what a domain changed (empty for an untouched global policy).
    """

    id: str
    kind: PolicyKind
    severity: Severity
    params: PolicyParams
    origin: str
    title: str
    note: str = ""

    @property
    def fix(self) -> str:
        """How to comply."""
        return self.kind.fix

    @property
    def message(self) -> str:
        """The rule in plain language."""
        return self.kind.message

    def with_changes(self, **changes: Any) -> Policy:
        """A copy with some attributes changed."""
        return replace(self, **changes)

    def evaluate(self, product: DataProduct, mesh: Mesh, context: EvaluationContext
                 ) -> list[Finding] | NotMeasured:
        """Check ``product``; pure (reads files only to find lines).

        Returns:
            The findings (empty when the product complies), or :class:`NotMeasured`.
        """
        outcome = self.kind.check(product, mesh, context, self.params)
        if isinstance(outcome, NotMeasured):
            return outcome
        return [self._finding(product, v, context.locator) for v in outcome]

    def _finding(self, product: DataProduct, violation: Violation, locator: Locator) -> Finding:
        where = violation.where
        file: Path | None = product.odps_file
        if where.file is not None:
            return Finding(policy_id=self.id, severity=self.severity, message=violation.message,
                           fix=self.fix, product_id=product.id, file=locator.display(where.file),
                           line=where.line, field="", origin=self.origin)
        if where.port is not None:
            port = next((p for p in product.output_ports if p.name == where.port), None)
            file = port.contract_file if port is not None else None
        return Finding(policy_id=self.id, severity=self.severity, message=violation.message,
                       fix=self.fix, product_id=product.id, file=locator.display(file),
                       line=locator.line(file, where.path), field=format_path(list(where.path)),
                       origin=self.origin)
