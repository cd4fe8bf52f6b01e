"""Domain policies.yaml: adding, tightening, and trying to loosen (refused, with file:line)."""

from __future__ import annotations

from pathlib import Path

from catalog.governance.evaluate import domain_policies, evaluate_mesh
from catalog.governance.overrides import parse_domain_policies
from tests.catalog.governance.mesh_builder import mesh_of, odcs, odps

FILE = "domains/sales/policies.yaml"


def _parse(text: str):  # noqa: ANN202 - DomainPolicies
    return parse_domain_policies(text.encode(), "sales", FILE)


def _policy(result, policy_id: str):  # noqa: ANN001, ANN202
    return next(p for p in result.policies if p.id == policy_id)


def test_no_file_means_the_global_set(tmp_path: Path) -> None:
    mesh = mesh_of(tmp_path / "domains", (odps(), odcs()))
    policies = domain_policies(mesh, "sales")
    assert policies.problems == [] and policies.file == ""
    assert all(p.origin == "global" for p in policies.policies)


def test_a_domain_adds_a_policy_that_applies_to_its_products_only(tmp_path: Path) -> None:
    root = tmp_path / "domains"
    mesh = mesh_of(root, (odps(), odcs()), (odps(domain="hr", name="staff"),
                                           odcs(domain="hr", name="staff")))
    (root / "sales" / "policies.yaml").write_text(
        "policies:\n"
        "  - id: sales-tagged\n"
        "    uses: required-tags\n"
        "    severity: error\n"
        "    params: {tags: [sales, revenue]}\n")
    compliance = evaluate_mesh(mesh, None)
    sales = compliance.reports["sales.orders"].findings
    assert [(f.policy_id, f.severity, f.origin, f.message) for f in sales] == [
        ("sales-tagged", "error", FILE, "missing required tags sales, revenue")]
    assert compliance.reports["hr.staff"].findings == []
    assert compliance.problems == []


def test_a_domain_tightens_severity_and_parameters(tmp_path: Path) -> None:
    result = _parse("policies:\n"
                    "  - id: pii-marked\n"
                    "    severity: error\n"
                    "  - id: min-quality-score\n"
                    "    params: {minimum: 90}\n"
                    "    reason: Managers act on these figures.\n")
    assert result.problems == []
    marked = _policy(result, "pii-marked")
    assert (marked.severity, marked.origin) == ("error", FILE)
    assert "severity raised from warning to error" in marked.note
    score = _policy(result, "min-quality-score")
    assert score.params.minimum == 90 and score.origin == FILE
    assert "minimum 80.0 → 90.0" in score.note and "Managers" in score.note


def test_tightened_policies_are_applied(tmp_path: Path) -> None:
    root = tmp_path / "domains"
    mesh = mesh_of(root, (odps(), odcs()))
    (root / "sales" / "policies.yaml").write_text(
        "policies:\n  - id: min-quality-score\n    params: {minimum: 90}\n")
    report = evaluate_mesh(mesh, {"sales.orders": 85.0}).reports["sales.orders"]
    assert [(f.policy_id, f.message, f.origin) for f in report.findings] == [
        ("min-quality-score", "quality score 85 is below the minimum of 90", FILE)]


def test_loosening_a_global_error_is_refused_with_file_and_line() -> None:
    result = _parse("# comment\n"
                    "policies:\n"
                    "  - id: pii-classified\n"
                    "    enabled: false\n"
                    "  - id: sla-freshness\n"
                    "    severity: warning\n"
                    "  - id: min-quality-score\n"
                    "    params: {minimum: 50}\n"
                    "  - id: naming-convention\n"
                    "    params: {max_length: 30}\n")
    messages = [(p.line, p.field, p.severity, p.policy_id) for p in result.problems]
    assert messages == [(4, "policies[0].enabled", "error", "domain-policies"),
                        (6, "policies[1].severity", "error", "domain-policies"),
                        (8, "policies[2].params.minimum", "error", "domain-policies")]
    text = [p.message for p in result.problems]
    assert "cannot switch off the global error policy 'pii-classified'" in text[0]
    assert "cannot lower the global policy 'sla-freshness' from error to warning" in text[1]
    assert "cannot loosen the global error policy 'min-quality-score'" in text[2]
    assert all(p.file == FILE for p in result.problems)
    # the global policies stay in force unchanged; the valid tightening still applies
    assert _policy(result, "pii-classified").origin == "global"
    assert _policy(result, "sla-freshness").severity == "error"
    assert _policy(result, "min-quality-score").params.minimum == 80
    assert _policy(result, "naming-convention").params.max_length == 30


def test_a_global_warning_may_be_switched_off() -> None:
    result = _parse("policies:\n  - id: no-deprecated-inputs\n    enabled: false\n")
    assert result.problems == []
    assert "no-deprecated-inputs" not in {p.id for p in result.policies}
    info = next(i for i in result.infos if i.policy_id == "no-deprecated-inputs")
    assert not info.enabled and info.origin == FILE


def test_invalid_entries_are_reported_and_the_rest_applies() -> None:
    result = _parse("policies:\n"
                    "  - id: sales-x\n"
                    "    uses: no-such-kind\n"
                    "  - id: Bad Id\n"
                    "  - id: sales-tags\n"
                    "    uses: required-tags\n"
                    "    params: {tags: []}\n"
                    "  - id: unknown-global\n"
                    "  - id: pii-marked\n"
                    "    severity: error\n"
                    "    colour: red\n"
                    "  - id: sales-ok\n"
                    "    uses: required-tags\n"
                    "    params: {tags: [sales]}\n")
    lines = [(p.line, p.field) for p in result.problems]
    assert lines == [(3, "policies[0].uses"), (4, "policies[1].id"),
                     (7, "policies[2].params.tags"), (8, "policies[3].id"),
                     (11, "policies[4].colour")]
    assert "unknown kind of policy 'no-such-kind'" in result.problems[0].message
    assert "name its kind with 'uses:'" in result.problems[3].message
    added = _policy(result, "sales-ok")
    assert (added.severity, added.origin) == ("warning", FILE)


def test_broken_yaml_is_one_finding_and_the_globals_apply() -> None:
    result = _parse("policies:\n  - id: [oops\n")
    assert len(result.problems) == 1 and result.problems[0].line
    assert {p.id for p in result.policies} == {p.id for p in _parse("").policies}
