"""What stops publishing, said as "change this field on that step", and the review's summary.

The review step checks the generated files as CI would (validation, then the domain's
governance policies). Their findings name a policy and a path in a YAML file
(``slaProperties``, ``schema[0].properties[2].classification``); a person filling in a form
needs the step and the field instead. :func:`fixes` turns every blocking finding into a
:class:`Fix` that names the wizard's step and field in words, so a door can offer "go there";
:func:`summary` says in plain sentences what will be published.

Mapping rules (sources: the policy kinds of :mod:`catalog.governance.policies` and the
documents written by :mod:`catalog.registration.documents`): a policy about service levels
goes to the service-levels step, quality score and rules to the rules step, a path under
``schema[0].properties[i]`` to the schema step's column ``i``, ODPS fields (team, description,
support, tags, title) to Basics, servers and ports to the data step.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from catalog.quality.model import CheckResult
from catalog.registration import sla
from catalog.registration.forms import RegistrationForm
from catalog.registration.steps import FRESHNESS_FIELD, STEP_TITLES

if TYPE_CHECKING:
    from catalog.registration.review import Review
    from catalog.registration.sources import DataSource


@dataclass(frozen=True)
class Fix:
    """One thing to change before publishing.

    Attributes:
        step: the wizard step to go back to (a key of :data:`~catalog.registration.steps.STEPS`).
        field: the form field to change there (a Basics field name, ``freshness``, a column
            name of the schema step, ``rules``), or ``""`` for the step as a whole.
        label: the field as the wizard labels it, e.g. "How often is it updated?".
        message: what is wrong and what to do, in plain words.
        policy: the governance policy (or ``validation``) that found it.
    """

    step: str
    field: str
    label: str
    message: str
    policy: str

    @property
    def where(self) -> str:
        """ "<step title> → <label>", e.g. "Service levels → How often is it updated?"."""
        title = STEP_TITLES.get(self.step, self.step)
        return f"{title} → {self.label}" if self.label else title


_BASICS = {
    "team": ("owner", "Owner (user name or e-mail)"),
    "description.purpose": ("purpose", "Purpose"),
    "description.usage": ("usage", "How to use it"),
    "description.limitations": ("limitations", "Limitations"),
    "support": ("support_url", "Support link"),
    "tags": ("tags", "Tags"),
    "customProperties": ("title", "Title"),
    "id": ("domain", "Domain"),
    "domain": ("domain", "Domain"),
    "name": ("name", "Product name"),
}
"""ODPS field path prefix → (Basics field, its label)."""
_PROPERTY = re.compile(r"^schema\[\d+\]\.properties\[(\d+)\]")
_BY_POLICY = {
    "sla-freshness": ("sla", "freshness", FRESHNESS_FIELD),
    "min-quality-score": ("rules", "rules", "Quality rules"),
    "retired-inputs": ("data", "", ""),
    "deprecated-inputs": ("data", "", ""),
    "sql-sandboxed": ("data", "", ""),
    "data-confined": ("data", "", ""),
    "required-tags": ("basics", "tags", "Tags"),
}
"""Policy id → (step, field, label) when the policy alone says where to go."""


def locate(policy: str, path: str, message: str, form: RegistrationForm) -> tuple[str, str, str]:
    """(step, field, label) of a finding of ``policy`` at field ``path``.

    Args:
        policy: the policy id (``validation`` for a file that does not validate).
        path: the dotted field path the finding names (may be empty).
        message: the finding's message (the required-metadata policy says which field).
        form: the form (a schema path's index names its column).
    """
    if policy in _BY_POLICY:
        return _BY_POLICY[policy]
    column = _PROPERTY.match(path)
    if column and int(column.group(1)) < len(form.properties):
        name = form.properties[int(column.group(1))].name
        return "schema", name, f"column {name}"
    if path.startswith("slaProperties") or "(slaProperties)" in message:
        return "sla", "freshness", FRESHNESS_FIELD
    if path.startswith("schema") and "quality" in message:
        return "rules", "rules", "Quality rules"
    if path.startswith("schema"):
        return "schema", "", ""
    if path.startswith(("servers", "outputPorts", "inputPorts")):
        return "data", "", ""
    for prefix, (field, label) in _BASICS.items():
        if path == prefix or path.startswith(prefix + ".") or path.startswith(prefix + "["):
            return "basics", field, label
    return "basics", "", ""


def fixes(found: Review, form: RegistrationForm) -> list[Fix]:
    """Every problem that stops publishing, as a step and field to change.

    Args:
        found: the review (validation problems and governance findings).
        form: the form reviewed.

    Returns:
        One fix per error (validation errors first), in the review's order.
    """
    out = []
    for problem in found.problems:
        if problem.severity == "error":
            step, field, label = locate("validation", problem.field, problem.message, form)
            out.append(Fix(step, field, label, problem.message, "validation"))
    for finding in found.findings:
        if finding.severity != "error":
            continue
        message = finding.message[:1].upper() + finding.message[1:]
        failing = [c for c in found.checks if c.status.value in ("failed", "error")]
        if finding.policy_id == "min-quality-score" and failing:
            out += [_failing_check(c, message, form) for c in failing]
            continue
        step, field, label = locate(finding.policy_id, finding.field, finding.message, form)
        out.append(Fix(step, field, label, f"{message}.", finding.policy_id))
    return out


_REMEDY = {
    "rules": "switch the rule off or change it, or fix the data",
    "schema": "untick the flag that promises it (Required, Unique or Primary key), or fix the data",
    "sla": "choose a promise the data meets",
}
"""What to do about a check that fails on the data, by the step that asks for it."""


def _failing_check(result: CheckResult, score: str, form: RegistrationForm) -> Fix:
    """A check that fails on the staged data, as the step that says it: a quality rule (rules
    step), a column's flag such as its key (schema step) or a promise (service levels)."""
    check = result.check
    named = [check.property] if check.property else list(check.arguments.get("properties") or [])
    if ".quality[" in check.source or check.source.startswith("quality"):
        step, field, label = "rules", "rules", "Quality rules"
    elif check.source.startswith("schema") and named and \
            named[0] in {p.name for p in form.properties}:
        step, field, label = "schema", str(named[0]), f"column {named[0]}"  # or a key's first
    else:
        step, field, label = locate("check", check.source, "", form)
    rows = f" on {result.failing_rows:,} rows" if result.failing_rows else ""
    message = (f"'{check.description}' fails{rows} of the data as uploaded. {score}: "
               f"{_REMEDY.get(step, 'fix the data')}.")
    return Fix(step, field, label, message, "min-quality-score")


def step_problems(found: Review, form: RegistrationForm, step: str) -> list[str]:
    """The review's blocking problems that belong to ``step``, in the step's words, so a
    policy is asked for where its field is (not only at the end).

    Args:
        found: the review of the form as filled in so far.
        form: that form.
        step: a key of :data:`~catalog.registration.steps.STEPS`.

    Returns:
        ``"<label>: <message>"`` per problem (the message alone when the fix names no field).
    """
    return [f"{fix.label}: {fix.message}" if fix.label else fix.message
            for fix in fixes(found, form) if fix.step == step]


def summary(form: RegistrationForm, source: DataSource, checks: list[CheckResult]) -> list[str]:
    """What will be published, in plain sentences (no YAML), for the review step.

    Args:
        form: the completed form.
        source: the staged data (its row count).
        checks: the dry run of the contract's checks on the staged data.
    """
    b = form.basics
    personal = [p.name for p in form.properties if p.pii]
    promises = sla.describe(form.sla.choices)
    if form.sla.choices.get("freshness") == sla.SNAPSHOT and form.sla.snapshot_end:
        promises = [
            f"Not updated any more: a snapshot ending {form.sla.snapshot_end}",
            *promises[1:],
        ]
    rules = [r for r in form.rules if r.enabled]
    passed = sum(c.status.value == "passed" for c in checks)
    measured = sum(c.status.value in ("passed", "failed", "warning") for c in checks)
    lines = [
        f"{b.title or b.name} ({form.product_id}, version {form.version}), owned by "
        f"{b.owner_name or b.owner} of {b.team_name}; help at {b.support_channel}.",
        f"{source.rows:,} rows and {len(form.properties)} columns"
        + (f"; personal data in {', '.join(personal)}." if personal else "; no personal data."),
        "Promises: " + ("; ".join(promises) if promises else "none") + ".",
        f"{len(rules)} quality rules; with the checks its schema and promises add, "
        + (f"all {measured} checks pass" if passed == measured
           else f"{passed} of {measured} checks pass") + " on the data as uploaded.",
    ]
    if form.sla.freshness_column:
        lines.append(f"Freshness and retention are measured on {form.sla.freshness_column}.")
    return lines
