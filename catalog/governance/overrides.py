"""Domain policies: ``domains/<domain>/policies.yaml`` adds and tightens, never loosens an error.

Format (documented in README.md, "Policies")::

    policies:
      - id: min-quality-score          # a global policy: tighten it
        severity: error                # may only go up (warning → error)
        params: {minimum: 90}          # may only get stricter
        reason: Managers read our punctuality figures every morning.
      - id: operations-tagged          # a policy of this domain
        uses: required-tags            # the kind of check (catalog.governance.registry)
        title: Tagged for the operations dashboard
        severity: warning              # default warning
        params: {tags: [operations]}
      - id: pii-marked                 # a global *warning* may be switched off
        enabled: false

Refused (each as a ``domain-policies`` error finding naming file and line; the global policy
then applies unchanged): switching off a global ``error``, lowering its severity or loosening
its parameters, and any entry that does not validate. The rule: "they cannot switch off a
global error". A global ``warning`` may be switched off, lowered nowhere (it is the lowest) and
its parameters changed either way: it informs, it does not block.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from catalog.confine import PathRefused, read_regular_file
from catalog.governance.model import Finding, PolicyInfo, Severity, param_text
from catalog.governance.policy import SEVERITY_RANK, Policy
from catalog.governance.registry import global_policies, policy_kinds
from catalog.manifests.line_index import LineIndex
from catalog.manifests.yaml_source import (
    MAX_MANIFEST_BYTES,
    YamlProblem,
    decode,
    format_path,
    parse_mapping,
)

POLICIES_FILE = "policies.yaml"
"""Name of a domain's policy file, next to its ``domain.yaml``."""

PROBLEM_ID = "domain-policies"
"""Policy id of findings about a ``policies.yaml`` itself."""


class PolicyEntry(BaseModel):
    """One entry of a domain's ``policies.yaml``: a new policy or a change to a global one."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$", max_length=63,
                    description="A global policy's id to tighten it, or a new kebab-case id.",
                    examples=["min-quality-score", "operations-tagged"])
    uses: str | None = Field(default=None, description="Kind of check of a new policy.",
                             examples=["required-tags"])
    title: str | None = Field(default=None, description="Title of a new policy.")
    severity: Literal["error", "warning"] | None = Field(
        default=None, description="error blocks publishing, warning informs.")
    params: dict[str, Any] = Field(default_factory=dict,
                                   description="Parameters of the kind of check.")
    enabled: bool = Field(default=True, description="false switches a global warning off.")
    reason: str | None = Field(default=None, description="Why the domain needs this.")


@dataclass
class DomainPolicies:
    """The policies in force in one domain.

    Attributes:
        domain: the domain name.
        policies: effective policies (globals, tightened where the domain says, plus the
            domain's own), in registry order then file order.
        infos: the same for display, including switched-off global warnings.
        problems: ``domain-policies`` findings about the file (refusals, invalid entries).
        file: display name of the file, ``""`` when the domain has none.
    """

    domain: str
    policies: list[Policy]
    infos: list[PolicyInfo]
    problems: list[Finding] = field(default_factory=list)
    file: str = ""


def _info(policy: Policy, enabled: bool = True) -> PolicyInfo:
    return PolicyInfo(policy.id, policy.title, policy.severity, policy.origin,
                      policy.params.model_dump(), policy.note, enabled)


def global_only(domain: str) -> DomainPolicies:
    """The policies of a domain without a ``policies.yaml``: the global set."""
    policies = list(global_policies())
    return DomainPolicies(domain, policies, [_info(p) for p in policies])


class _Builder:
    """Applies one file's entries to the global set, collecting refusals."""

    def __init__(self, domain: str, display: str, lines: LineIndex) -> None:
        self.domain = domain
        self.display = display
        self.lines = lines
        self.globals = {p.id: p for p in global_policies()}
        self.changed: dict[str, Policy] = {}
        self.disabled: set[str] = set()
        self.added: list[Policy] = []
        self.problems: list[Finding] = []

    def refuse(self, path: tuple[str | int, ...], message: str, fix: str = "") -> None:
        """Record a refused entry as an error finding at ``path`` of the file."""
        self.problems.append(Finding(
            PROBLEM_ID, "error", message, fix or "Fix or remove the entry; until then the "
            "global policies apply unchanged.", "", self.display, self.lines.line(path),
            format_path(list(path)), self.display))

    def validation(self, err: ValidationError, prefix: tuple[str | int, ...]) -> None:
        """Record each pydantic error of an entry (paths under ``prefix``)."""
        for item in err.errors()[:20]:
            path = (*prefix, *[p for p in item["loc"] if isinstance(p, (str, int))])
            message = ("unknown field; check its spelling" if item["type"] == "extra_forbidden"
                       else item["msg"])
            self.refuse(path, message)

    def entry(self, index: int, entry: PolicyEntry) -> None:
        """Apply entry ``index``: tighten a global policy or add a domain one."""
        at = ("policies", index)
        if entry.id in self.changed or entry.id in self.disabled or any(
                p.id == entry.id for p in self.added):
            self.refuse((*at, "id"), f"policy '{entry.id}' is listed twice")
        elif entry.id in self.globals:
            self.tighten(at, entry, self.globals[entry.id])
        else:
            self.add(at, entry)

    def add(self, at: tuple[str | int, ...], entry: PolicyEntry) -> None:
        """Add a policy of the domain (``uses`` names its kind)."""
        kinds = policy_kinds()
        if entry.uses is None:
            self.refuse((*at, "id"), f"'{entry.id}' is not a global policy; to add a policy of "
                        f"this domain, name its kind with 'uses:' ({', '.join(sorted(kinds))})")
            return
        kind = kinds.get(entry.uses)
        if kind is None:
            self.refuse((*at, "uses"), f"unknown kind of policy '{entry.uses}'; use one of "
                        f"{', '.join(sorted(kinds))}")
            return
        try:
            params = kind.params.model_validate(entry.params)
        except ValidationError as err:
            self.validation(err, (*at, "params"))
            return
        if entry.enabled:
            self.added.append(kind.policy(entry.severity or "warning", id=entry.id,
                                          params=params, origin=self.display,
                                          title=entry.title or kind.title,
                                          note=entry.reason or f"added by the {self.domain} "
                                          "domain"))

    def tighten(self, at: tuple[str | int, ...], entry: PolicyEntry, base: Policy) -> None:
        """Tighten (or, for a warning, switch off) global policy ``base``; refuse loosening."""
        if entry.uses is not None or entry.title is not None:
            key = "uses" if entry.uses is not None else "title"
            self.refuse((*at, key), f"'{entry.id}' is a global policy: only its severity and "
                        f"params can be tightened, not its '{key}'")
            return
        if not entry.enabled:
            if base.severity == "error":
                self.refuse((*at, "enabled"), f"cannot switch off the global error policy "
                            f"'{entry.id}': a domain may add or tighten policies, never switch "
                            "off a global error", "Remove 'enabled: false'; fix the products "
                            "instead, or ask the governance team to change the global policy.")
            else:
                self.disabled.add(entry.id)
            return
        severity: Severity = entry.severity or base.severity
        if SEVERITY_RANK[severity] < SEVERITY_RANK[base.severity]:
            self.refuse((*at, "severity"), f"cannot lower the global policy '{entry.id}' from "
                        f"{base.severity} to {severity}: a domain may only tighten it")
            return
        try:
            params = base.kind.params.model_validate({**base.params.model_dump(),
                                                      **entry.params})
        except ValidationError as err:
            self.validation(err, (*at, "params"))
            return
        looser = params.loosened(base.params)
        if looser and base.severity == "error":
            self.refuse((*at, "params", looser[0]), f"cannot loosen the global error policy "
                        f"'{entry.id}' ({', '.join(looser)} less strict than "
                        f"{_params_text(base.params.model_dump(), looser)}): a domain may only "
                        "tighten it")
            return
        self.changed[entry.id] = base.with_changes(
            severity=severity, params=params, origin=self.display,
            note=_change_note(base, severity, params.model_dump(), entry.reason))

    def result(self, file: str) -> DomainPolicies:
        """The domain's effective policies after every entry."""
        policies: list[Policy] = []
        infos: list[PolicyInfo] = []
        for policy in global_policies():
            if policy.id in self.disabled:
                infos.append(_info(policy.with_changes(
                    origin=self.display, note=f"switched off by {self.display}"), False))
                continue
            effective = self.changed.get(policy.id, policy)
            policies.append(effective)
            infos.append(_info(effective))
        policies.extend(self.added)
        infos.extend(_info(p) for p in self.added)
        return DomainPolicies(self.domain, policies, infos, self.problems, file)


def _params_text(params: dict[str, Any], names: list[str]) -> str:
    return ", ".join(f"global {n} {params[n]}" for n in names)


def _change_note(base: Policy, severity: str, params: dict[str, Any], reason: str | None) -> str:
    parts = []
    if severity != base.severity:
        parts.append(f"severity raised from {base.severity} to {severity}")
    old = base.params.model_dump()
    parts.extend(f"{k} {param_text(old[k])} → {param_text(v)}" for k, v in params.items()
                 if old.get(k) != v)
    text = "tightened: " + "; ".join(parts) if parts else "restated unchanged"
    return f"{text} ({reason})" if reason else text


_cache: dict[str, tuple[int, int, DomainPolicies]] = {}
_cache_lock = threading.Lock()


def load_domain_policies(domain_dir: Path, display: str) -> DomainPolicies:
    """The policies in force in the domain whose folder is ``domain_dir``.

    Args:
        domain_dir: ``<mesh root>/<domain>``.
        display: how findings name the file (``domains/<domain>/policies.yaml``).

    Returns:
        The global set when there is no ``policies.yaml``; otherwise the set the file makes,
        with a ``domain-policies`` error finding (file, line, field) for every refused entry.
        Results are cached by the file's (size, mtime).
    """
    domain = domain_dir.name
    file = domain_dir / POLICIES_FILE
    try:
        st = os.lstat(file)
    except OSError:
        return global_only(domain)
    with _cache_lock:
        hit = _cache.get(str(file))
    if hit and hit[:2] == (st.st_size, st.st_mtime_ns) and hit[2].file == display:
        return hit[2]
    try:  # a regular file inside the mesh only: no pipe, no link leading out
        raw = read_regular_file(file, domain_dir.parent, MAX_MANIFEST_BYTES)
    except PathRefused as err:
        problem = Finding(PROBLEM_ID, "error", err.reason, "Replace it with a regular file.", "",
                          display, 1, "", display)
        base = global_only(domain)
        return DomainPolicies(domain, base.policies, base.infos, [problem], display)
    result = parse_domain_policies(raw, domain, display)
    with _cache_lock:
        _cache[str(file)] = (st.st_size, st.st_mtime_ns, result)
    return result


def parse_domain_policies(raw: bytes, domain: str, display: str) -> DomainPolicies:
    """Parse and apply a ``policies.yaml`` (no file system; see :func:`load_domain_policies`)."""
    try:
        text = decode(raw)
        data = parse_mapping(text)
    except YamlProblem as err:
        problem = Finding(PROBLEM_ID, "error", err.message, "Fix the YAML syntax.", "",
                          display, err.line, "", display)
        base = global_only(domain)
        return DomainPolicies(domain, base.policies, base.infos, [problem], display)
    builder = _Builder(domain, display, LineIndex(text))
    unknown = sorted(set(data) - {"policies"})
    entries = data.get("policies")
    if unknown:
        builder.refuse((unknown[0],), f"unknown field '{unknown[0]}'; the file has one field, "
                       "'policies', a list of entries")
    if entries is None:
        entries = []
    if not isinstance(entries, list):
        builder.refuse(("policies",), "'policies' must be a list of entries")
        entries = []
    for index, raw_entry in enumerate(entries):
        try:
            entry = PolicyEntry.model_validate(raw_entry)
        except ValidationError as err:
            builder.validation(err, ("policies", index))
            continue
        builder.entry(index, entry)
    return builder.result(display)
