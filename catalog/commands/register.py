"""``python -m catalog register``: register a data product from a file, a data-folder path or a
query, with the registration wizard's steps, suggestions and refusals.

Data (one of):

* ``--file PATH``: a CSV or Parquet file, uploaded as the wizard's upload (same size limit);
* ``--path REL [--table SCHEMA.TABLE]``: a file (or a DuckDB table) of the data folder that no
  product serves yet;
* ``--query SQL`` or ``--query-file FILE``: a derived product's read-only query over existing
  products (you need read access to their ports).

Answers: the wizard's fields as options (``--domain``, ``--name``, ``--title``, ``--purpose``,
``--usage``, ``--limitations``, ``--type``, ``--tag`` (repeat), ``--owner``, ``--owner-name``,
``--team``, ``--member`` (repeat), ``--support-channel``, ``--support-url``, ``--version``,
``--new-version-of``, ``--rules``, ``--freshness-column``, ``--sla TOPIC=PRESET`` (repeat)), or a
YAML answers file (``--answers answers.yaml``, the same fields with their model names, e.g.
``product_type``, ``team_name``, ``members``, plus ``properties`` per column); options override
the file. Unset choices take the wizard's defaults (schema inferred from the data, suggested
rules, default service levels, version 1.0.0).

``--dry-run`` prints the generated product (ODPS) and contract (ODCS) in short, the problems
and the quality rules' results on the data, and writes nothing. ``--json`` prints one JSON
object instead: ``product_id``, ``dry_run``, ``published``, ``problems``, ``odps``, ``odcs``,
``validation``, ``findings``, ``checks`` and (once published) ``result``. Acts as the principal
of ``MESH_API_TOKEN`` when set, else as the local user; the catalog decides whether they may
register in the domain.

Exit codes: 0 published (or a clean dry run); 1 a dry run with problems; 2 refused (problems
without ``--dry-run``, bad answers, no right to register, unreadable data), nothing written.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from catalog import (
    Catalog,
    CheckResult,
    DataSource,
    InvalidRequest,
    Principal,
    RegistrationAnswers,
    RegistrationOutcome,
    Settings,
)
from catalog.commands._output import plain, print_json
from catalog.commands._principal import acting_principal
from catalog.manifests.yaml_source import YamlProblem, decode, parse_mapping

NAME = "register"
HELP = "register a data product from a file, a data-folder path or a query"

OPTION_FIELDS: dict[str, str] = {
    "domain": "domain", "name": "name", "title": "title", "purpose": "purpose",
    "usage": "usage", "limitations": "limitations", "type": "product_type", "tags": "tags",
    "owner": "owner", "owner_name": "owner_name", "team": "team_name", "members": "members",
    "support_channel": "support_channel", "support_url": "support_url", "version": "version",
    "new_version_of": "new_version_of", "rules": "rules",
    "freshness_column": "freshness_column",
}
"""Option (argparse destination) → answers field it sets."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the command's arguments on ``parser``."""
    data = parser.add_argument_group("data (one of)")
    source = data.add_mutually_exclusive_group(required=True)
    source.add_argument("--file", metavar="PATH", help="CSV or Parquet file to upload")
    source.add_argument("--path", metavar="REL",
                        help="file of the data folder, relative to it (MESH_DATA_DIR)")
    source.add_argument("--query", metavar="SQL",
                        help="read-only query over existing products (a derived product)")
    source.add_argument("--query-file", metavar="FILE", help="file holding that query")
    data.add_argument("--table", metavar="SCHEMA.TABLE",
                      help="table of a DuckDB file given with --path")
    answers = parser.add_argument_group("answers (override --answers)")
    answers.add_argument("--answers", metavar="FILE",
                         help="YAML file of answers (the fields below, by their model names)")
    answers.add_argument("--domain", help="domain that owns the product")
    answers.add_argument("--name", help="machine name, lowercase snake_case (id: DOMAIN.NAME)")
    answers.add_argument("--title", help="the name people read")
    answers.add_argument("--purpose", help="what the data is for")
    answers.add_argument("--usage", help="how to use it well: one row is…, filter on…")
    answers.add_argument("--limitations", help="what it cannot be used for")
    answers.add_argument("--type", help="sourceAligned or consumerAligned (a query makes an "
                                        "aggregate)")
    answers.add_argument("--tag", dest="tags", action="append", metavar="TAG",
                         help="keyword people search for (repeat)")
    answers.add_argument("--owner", help="user name or e-mail of the accountable person")
    answers.add_argument("--owner-name", help="the owner's full name")
    answers.add_argument("--team", help="the team that runs the product")
    answers.add_argument("--member", dest="members", action="append", metavar="USER",
                         help="other team member (repeat)")
    answers.add_argument("--support-channel", help="where consumers ask for help")
    answers.add_argument("--support-url", help="https:// or mailto: link to that channel")
    answers.add_argument("--version", help="version to publish (default 1.0.0, or the next "
                                           "allowed one for a new version)")
    answers.add_argument("--new-version-of", metavar="PRODUCT",
                         help="publish a new version of this product instead")
    answers.add_argument("--rules", choices=("suggested", "none"),
                         help="quality rules: the suggested ones (default) or none")
    answers.add_argument("--freshness-column", metavar="COLUMN",
                         help="date or time column the freshness promise is measured on")
    answers.add_argument("--sla", action="append", metavar="TOPIC=PRESET", default=[],
                         help="service-level preset for a topic (repeat)")
    parser.add_argument("--dry-run", action="store_true",
                        help="check everything and print what would be published; write nothing")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


# -- answers ---------------------------------------------------------------------------------
def read_answers(args: argparse.Namespace) -> RegistrationAnswers:
    """The answers of the ``--answers`` file with the options given on top.

    Raises:
        InvalidRequest: the file cannot be read, is not a YAML mapping, or the answers do not
            fit the registration model (unknown field, wrong type); the message names the field.
    """
    values: dict[str, Any] = {}
    if args.answers:
        values = _answers_file(Path(args.answers))
    for option, field in OPTION_FIELDS.items():
        given = getattr(args, option)
        if given is not None:
            values[field] = given
    if args.sla:
        sla = dict(values.get("sla") or {})
        for item in args.sla:
            topic, sep, preset = item.partition("=")
            if not sep or not topic.strip() or not preset.strip():
                raise InvalidRequest(f"--sla {item}: write TOPIC=PRESET, e.g. "
                                     "freshness=daily.")
            sla[topic.strip()] = preset.strip()
        values["sla"] = sla
    where = args.answers or "options"
    try:
        return RegistrationAnswers.model_validate(values)
    except ValidationError as err:
        raise InvalidRequest(_validation_message(where, err)) from None


def _answers_file(path: Path) -> dict[str, Any]:
    """The mapping of an answers file, read with the manifests' hardened YAML parser."""
    try:
        if not path.is_file():
            raise InvalidRequest(f"{path}: no such answers file.")
        return parse_mapping(decode(path.read_bytes()))
    except YamlProblem as err:
        line = f":{err.line}" if err.line else ""
        raise InvalidRequest(f"{path}{line}: {err.message}") from None
    except OSError as err:
        raise InvalidRequest(f"{path}: cannot read it ({err.strerror}).") from None


def _validation_message(where: str, err: ValidationError) -> str:
    """Every pydantic error of the answers as ``<where>: <field>: <message>``."""
    lines = []
    for problem in err.errors():
        field = ".".join(str(p) for p in problem["loc"]) or "answers"
        message = ("not a field of the registration answers"
                   if problem["type"] == "extra_forbidden" else problem["msg"])
        lines.append(f"{where}: {field}: {message}")
    return "; ".join(lines)


# -- data ------------------------------------------------------------------------------------
def stage(catalog: Catalog, principal: Principal, args: argparse.Namespace) -> DataSource:
    """Stage the data named by the options, as the wizard's data step does.

    Raises:
        InvalidRequest: ``--table`` without ``--path``, or a file that cannot be read.
        catalog.CatalogError: the catalog's refusal (no right to register, unreadable data,
            a query it does not accept).
    """
    if args.table and not args.path:
        raise InvalidRequest("--table goes with --path (a table of a DuckDB file of the data "
                             "folder).")
    if args.path:
        return catalog.stage_file(principal, args.path, args.table)
    if args.file:
        path = Path(args.file)
        # Read one byte past the limit: the catalog refuses an upload too large in its words.
        data = _read(path, catalog.upload_limit_bytes() + 1)
        return catalog.stage_upload(principal, path.name, data)
    sql = args.query if args.query is not None else _read(
        Path(args.query_file), catalog.upload_limit_bytes() + 1).decode("utf-8", "replace")
    return catalog.stage_query(principal, sql)


def _read(path: Path, limit: int) -> bytes:
    """At most ``limit`` bytes of a file.

    Raises:
        InvalidRequest: not a readable file.
    """
    if not path.is_file():
        raise InvalidRequest(f"{path}: no such file.")
    try:
        with path.open("rb") as handle:
            return handle.read(limit)
    except OSError as err:
        raise InvalidRequest(f"{path}: cannot read it ({err.strerror}).") from None


# -- output ----------------------------------------------------------------------------------
def _check_line(result: CheckResult) -> str:
    """One quality rule's dry-run result on one line."""
    c = result.check
    target = f"{c.object}.{c.property}" if c.property else c.object
    observed = "" if result.observed is None else f", observed {result.observed:,.6g}"
    extra = f" — {result.message}" if result.message else ""
    return f"  {str(result.status).upper():7s} {c.id} [{c.kind} on {target}]{observed}{extra}"


def summary_lines(outcome: RegistrationOutcome) -> list[str]:
    """The product and contract as the review step shows them, in short."""
    form = outcome.form
    basics = form.basics
    review = outcome.review
    kind = (review.odps.get("type") if review is not None else None) or basics.product_type
    replaces = f", replaces version {form.based_on}" if form.based_on else ""
    lines = [f"product {form.product_id} version {form.version} ({form.status}{replaces})",
             f"  title: {basics.title}",
             f"  type: {kind}; owner: {basics.owner_name or '-'} "
             f"<{basics.owner or '-'}>; team: {basics.team_name or '-'}",
             f"  output port {form.port}: {len(form.properties)} properties, "
             f"{sum(r.enabled for r in form.rules)} quality rules"]
    for prop in form.properties:
        flags = [f for f, on in (("required", prop.required), ("unique", prop.unique),
                                 ("primary key", prop.primary_key), ("pii", prop.pii)) if on]
        flag_text = f", {', '.join(flags)}" if flags else ""
        lines.append(f"    {prop.name}: {prop.logical_type} ({prop.physical_type}), "
                     f"{prop.classification}{flag_text}")
    if review is not None:
        for problem in review.problems:
            lines.append(f"  validation {problem.severity}: {problem}")
        for finding in review.findings:
            lines.append(f"  governance {finding.severity}: {finding.policy_id}: "
                         f"{finding.message}")
    return lines


def as_json(outcome: RegistrationOutcome, dry_run: bool) -> dict[str, Any]:
    """The outcome as one JSON-ready object (see the module docstring)."""
    review = outcome.review
    published = outcome.published
    result: dict[str, Any] | None = None
    if published is not None:
        run_ = published.quality
        result = {
            "product_id": published.product_id, "version": published.version,
            "files": [str(f) for f in published.files],
            "data_file": None if published.data_file is None else str(published.data_file),
            "rows": published.rows, "quality_error": published.quality_error,
            "quality": None if run_ is None else {
                "score": run_.score.value, "grade": run_.score.grade,
                "checks": len(run_.results)},
        }
    return {
        "product_id": outcome.form.product_id,
        "version": outcome.form.version,
        "dry_run": dry_run,
        "published": published is not None,
        "problems": list(outcome.problems),
        "odps": None if review is None else plain(review.odps),
        "odcs": None if review is None else plain(review.odcs),
        "validation": [] if review is None else [plain(p) for p in review.problems],
        "findings": [] if review is None else [plain(f) for f in review.findings],
        "checks": [c.as_json() for c in outcome.checks],
        "result": result,
    }


def _print_text(outcome: RegistrationOutcome, dry_run: bool) -> None:
    """A dry run's summary, rule results and problems on standard output; once published, the
    new product's id on standard output and the rest on standard error; when refused, each
    problem as ``error: …`` on standard error."""
    if outcome.published is None and not dry_run:
        for problem in outcome.problems:
            print(f"error: {problem}", file=sys.stderr)
        print(f"error: {outcome.form.product_id} was not published ({len(outcome.problems)} "
              "problem(s)); nothing written", file=sys.stderr)
        return
    report = sys.stdout if dry_run else sys.stderr
    for line in summary_lines(outcome):
        print(line, file=report)
    if outcome.checks:
        print("quality rules on the data:", file=report)
        for check in outcome.checks:
            print(_check_line(check), file=report)
    published = outcome.published
    if published is not None:
        run_ = published.quality
        quality = (f"first quality run: score {run_.score.value} ({run_.score.grade})"
                   if run_ is not None else f"no first quality run: {published.quality_error}")
        print(f"published {published.product_id} {published.version}: {published.rows:,} "
              f"rows; {quality}", file=sys.stderr)
        print(published.product_id)
        return
    for problem in outcome.problems:
        print(f"problem: {problem}")
    verdict = (f"{len(outcome.problems)} problem(s) would stop publishing"
               if outcome.problems else "nothing stops publishing")
    print(f"dry run of {outcome.form.product_id}: {verdict}; nothing written", file=sys.stderr)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Register (or dry-run) the product; returns the exit code of the module docstring."""
    answers = read_answers(args)
    catalog = Catalog(settings)
    principal = acting_principal(catalog)
    source = stage(catalog, principal, args)
    try:
        outcome = catalog.register(principal, answers, source, dry_run=args.dry_run)
    finally:
        catalog.discard_source(source)
    if args.json:
        print_json(as_json(outcome, args.dry_run))
        if outcome.published is None and not args.dry_run:
            for problem in outcome.problems:
                print(f"error: {problem}", file=sys.stderr)
    else:
        _print_text(outcome, args.dry_run)
    if outcome.published is not None:
        return 0
    if args.dry_run:
        return 1 if outcome.problems else 0
    return 2
