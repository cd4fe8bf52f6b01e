"""The review step: generated documents, what validation and governance say, and a dry run.

The same checks CI runs: the loader's validation (:func:`documents.validate`, i.e.
``parse_document``) and the domain's governance policies
(:func:`catalog.governance.evaluate.evaluate_product` on the product built in memory by
:func:`catalog.manifests.loader.product_from_documents`). A governance *error* blocks
publishing, exactly as it fails ``python -m catalog validate``; warnings inform.

The dry run derives the contract's checks (:func:`catalog.quality.derive.derive_checks`) and
runs them (:func:`catalog.quality.runner.run_checks`) on the staged data, columns renamed as
the schema says, ages measured where the first quality run will measure them (a historical
snapshot's last day), so the person sees which rules pass before anything is published. The
review runs it too and hands its score to the minimum-quality-score policy: a product the
review lets through passes that policy on its first run, instead of failing it right after
publishing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from catalog.governance.evaluate import evaluate_product
from catalog.governance.model import Finding
from catalog.manifests.loader import product_from_documents
from catalog.mesh import ManifestProblem
from catalog.quality.derive import derive_checks, snapshot_end
from catalog.quality.model import CheckResult
from catalog.quality.runner import run_checks
from catalog.quality.scoring import score
from catalog.registration import documents, guidance
from catalog.registration.forms import RegistrationForm
from catalog.registration.sources import DataSource, projected

if TYPE_CHECKING:
    from catalog.catalog import Catalog


@dataclass
class Review:
    """What the review step shows.

    Attributes:
        odps: the product document; ``odps_yaml`` its text.
        odcs: the contract document; ``odcs_yaml`` its text.
        problems: validation problems of the two files (file, line, field, message).
        findings: governance findings (policy, severity, message, fix), errors first.
        checks: the dry run of the contract's checks on the staged data (empty when the
            files do not validate).
        fixes: every blocking problem as the wizard step and field to change.
        summary: what will be published, in plain sentences.
    """

    odps: dict[str, Any]
    odcs: dict[str, Any]
    odps_yaml: str
    odcs_yaml: str
    problems: list[ManifestProblem] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    checks: list[CheckResult] = field(default_factory=list)
    fixes: list[guidance.Fix] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)

    @property
    def score(self) -> float | None:
        """The quality score the dry run predicts for the first run (0..100), None when no
        check could be measured."""
        return score(self.checks).value if self.checks else None

    @property
    def blocking(self) -> list[str]:
        """Messages of everything that stops publishing (validation and governance errors)."""
        out = [str(p) for p in self.problems if p.severity == "error"]
        out += [f"{f.policy_id}: {f.message}" for f in self.findings if f.severity == "error"]
        return out


def review(catalog: Catalog, form: RegistrationForm, source: DataSource) -> Review:
    """Generate both documents and check them as CI would.

    Args:
        catalog: the catalog (its mesh: lineage, the domain's ``policies.yaml``).
        form: the completed form.
        source: the staged data (a derived product's input ports come from it).

    Returns:
        The review; :attr:`Review.blocking` is empty when the product may be published.
    """
    odps = documents.build_odps(form, source.inputs)
    odcs = documents.build_odcs(form)
    odps_yaml, odcs_yaml = documents.to_yaml(odps), documents.to_yaml(odcs)
    result = Review(odps, odcs, odps_yaml, odcs_yaml,
                    problems=documents.validate(odps_yaml, odcs_yaml, form))
    if any(p.severity == "error" for p in result.problems):
        result.fixes = guidance.fixes(result, form)
        return result
    result.checks = dry_run(catalog, form, source)
    result.summary = guidance.summary(form, source, result.checks)
    mesh = catalog.mesh()
    directory = catalog.settings.mesh_root / form.basics.domain / form.basics.name
    product, _ = product_from_documents(odps, {form.port: odcs}, directory)
    if product is not None:
        result.findings = evaluate_product(product, mesh,
                                           quality_scores={form.product_id: result.score})
    result.fixes = guidance.fixes(result, form)
    return result


def dry_run(catalog: Catalog, form: RegistrationForm, source: DataSource) -> list[CheckResult]:
    """Run the contract's checks on the staged data now (nothing is stored).

    Args:
        catalog: for its engine.
        form: the form; its schema and rules make the contract.
        source: the staged data.

    Returns:
        One result per check, in contract order (failed/error results say why).
    """
    contract = documents.build_odcs(form)
    checks = derive_checks(contract, form.product_id, form.port)
    relation = projected(source, [(p.source_name, p.name) for p in form.properties])
    frozen = snapshot_end(contract)  # measured as the product's runs will measure it
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    return run_checks(catalog.engine, lambda _obj: relation, checks, raw_contract=contract,
                      now=now, ages_at=frozen if frozen is not None and frozen < now else None)
