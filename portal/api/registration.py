"""``POST /api/v1/products`` (register from a data file) and ``POST /api/v1/imports`` (publish
ODCS/ODPS documents): the registration wizard and the import, headless.

Both take a multipart form. Who may register where, what is refused and what is published is
the catalog's business; a refusal comes back as a JSON error listing every problem.
"""

from __future__ import annotations

from starlette.datastructures import UploadFile
from starlette.responses import Response

from catalog import InvalidRequest, RegistrationAnswers, RegistrationOutcome
from portal.api.errors import json_error
from portal.api.operation import API_PREFIX, ApiCall, Body, Operation, Reply, json_model
from portal.api.schemas import (
    CheckOut,
    FindingOut,
    ImportForm,
    ImportOut,
    ProblemOut,
    PublishedOut,
    RegisterForm,
    RegistrationOut,
)

MAX_IMPORT_FILES = 20
"""Most documents one import may send."""
MAX_FIELD_BYTES = 1024 * 1024
"""Largest non-file form field (the answers), in bytes."""


def _yes(value: object) -> bool:
    """A form field's yes/no value (``true``, ``1``, ``yes`` in any case mean yes).

    Raises:
        catalog.InvalidRequest: anything else but ``false``/``0``/``no``/absent.
    """
    text = str(value or "false").strip().lower()
    if text in {"true", "1", "yes"}:
        return True
    if text in {"false", "0", "no", ""}:
        return False
    raise InvalidRequest(f"'dry_run' must be true or false, not '{text[:40]}'.")


def _text(value: object, name: str) -> str | None:
    """A form field that must be text (not a file), None when absent or blank.

    Raises:
        catalog.InvalidRequest: it is a file.
    """
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidRequest(f"'{name}' must be a text field, not a file.")
    return value.strip() or None


def registration_out(outcome: RegistrationOutcome, dry_run: bool) -> RegistrationOut:
    """The API form of a registration outcome (file names only, never host paths)."""
    review = outcome.review
    published = outcome.published
    return RegistrationOut(
        dry_run=dry_run, problems=list(outcome.problems),
        findings=[FindingOut(policy_id=f.policy_id, severity=str(f.severity), message=f.message,
                             fix=f.fix) for f in (review.findings if review else [])],
        checks=[CheckOut.from_result(c) for c in outcome.checks],
        odps=review.odps if review else {}, odcs=review.odcs if review else {},
        published=PublishedOut(
            product_id=published.product_id, version=published.version,
            files=[f.name for f in published.files], rows=published.rows,
            quality_score=published.quality.score.value if published.quality else None)
        if published else None)


async def register(call: ApiCall) -> Response:
    """Stage the uploaded file, register it (or dry-run), discard the staged copy."""
    principal = await call.principal()
    async with call.request.form(max_files=1, max_fields=10,
                                 max_part_size=MAX_FIELD_BYTES) as form:
        upload = form.get("file")
        answers_text = _text(form.get("answers"), "answers")
        dry_run = _yes(form.get("dry_run"))
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise InvalidRequest("Send the data file in the 'file' field of a multipart form.")
        if answers_text is None:
            raise InvalidRequest("Send the registration answers as JSON in the 'answers' field.")
        answers = RegistrationAnswers.model_validate_json(answers_text)
        limit = call.catalog.upload_limit_bytes()
        if upload.size is not None and upload.size > limit:
            return json_error(413, "too_large", f"The file is larger than the {limit // 2**20} MB "
                              "this portal accepts (MESH_UPLOAD_LIMIT_MB).")
        data = await upload.read()
        file_name = upload.filename
    source = await call.run(call.catalog.stage_upload, principal, file_name, data)
    try:
        outcome = await call.run(call.catalog.register, principal, answers, source,
                                 dry_run=dry_run)
    finally:
        await call.run(call.catalog.discard_source, source)
    if outcome.problems and not dry_run:
        return json_error(422, "registration_refused", "The product cannot be published as it "
                          "is: " + "; ".join(outcome.problems),
                          [{"message": p} for p in outcome.problems])
    return json_model(registration_out(outcome, dry_run),
                      status=201 if outcome.published else 200)


async def import_documents(call: ApiCall) -> Response:
    """Validate (and unless ``dry_run``, publish) uploaded ODCS/ODPS documents."""
    principal = await call.principal()
    async with call.request.form(max_files=MAX_IMPORT_FILES, max_fields=10,
                                 max_part_size=MAX_FIELD_BYTES) as form:
        uploads = [f for f in form.getlist("files") if isinstance(f, UploadFile)]
        domain, name = _text(form.get("domain"), "domain"), _text(form.get("name"), "name")
        dry_run = _yes(form.get("dry_run"))
        if not uploads:
            raise InvalidRequest("Send one or more ODCS (and optionally one ODPS) YAML files in "
                                 "the 'files' field of a multipart form.")
        files: dict[str, bytes] = {}
        for upload in uploads:
            file_name = (upload.filename or "").replace("\\", "/").rsplit("/", 1)[-1]
            if not file_name or file_name in files:
                raise InvalidRequest("Every file needs a distinct name, e.g. "
                                     "orders.odcs.yaml.")
            files[file_name] = await upload.read()
    outcome = await call.run(call.catalog.import_contracts, principal, files, domain, name,
                             dry_run=dry_run)
    if outcome.problems and not dry_run:
        return json_error(422, "import_refused", "The documents cannot be published as they "
                          "are: " + "; ".join(outcome.problems),
                          [{"message": p} for p in outcome.problems])
    return json_model(ImportOut(
        product_id=outcome.product_id, files=list(outcome.files), dry_run=dry_run,
        problems=list(outcome.problems),
        published=outcome.published,
        warnings=[ProblemOut(file=w.file, line=w.line, field=w.field, message=w.message,
                             severity=w.severity) for w in outcome.warnings]),
        status=201 if outcome.published else 200)


OPERATIONS = [
    Operation("POST", f"{API_PREFIX}/products", "registerProduct", "Register a data product",
              "The registration wizard in one call: upload the data file and the answers; the "
              "catalog infers the schema, suggests quality rules and service levels, writes "
              "the ODPS and ODCS documents, checks the data and publishes (status proposed). "
              "With dry_run=true nothing is published and the review is returned. Only a "
              "domain's team (or a governance admin) may register in it.", "registration",
              register, body=Body("multipart/form-data", RegisterForm, "The data and answers."),
              replies=[Reply(201, "Published.", RegistrationOut),
                       Reply(200, "Dry run: what would be published.", RegistrationOut)]),
    Operation("POST", f"{API_PREFIX}/imports", "importDocuments",
              "Import ODCS/ODPS documents", "Publish a product from existing data contracts "
              "(ODCS v3) and optionally its ODPS document, through the same checks as the "
              "wizard. With dry_run=true the documents are only validated.", "registration",
              import_documents,
              body=Body("multipart/form-data", ImportForm, "The documents."),
              replies=[Reply(201, "Published.", ImportOut),
                       Reply(200, "Dry run: valid, nothing published.", ImportOut)]),
]
"""The registration routes."""
