"""``PATCH /api/v1/products/{product_id}``: an owner's edit of a product's manifests, published
as a new version (no new data), or previewed with ``dry_run=true``.

The body is the catalog's :class:`catalog.ProductChanges` (only the fields to change). Who may
edit, the version the changes need, what blocks them and the publish itself are the catalog's
business; ``based_on`` lets a program refuse to overwrite a version it has not seen.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response

from catalog import EditDraft, ProductChanges, PublishConflict, PublishResult
from portal.api.errors import json_error
from portal.api.operation import API_PREFIX, ApiCall, Body, Operation, Param, Reply, json_model
from portal.api.params import PRODUCT_ID


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EditChangeOut(_Out):
    """One change of an edit, in words."""

    message: str = Field(description="The change in one sentence.")
    path: str = Field(description="Where: product.<field> or the contract's path.")
    bump: str = Field(description="patch (documentation), minor (compatible) or major (breaking).")
    breaking: bool = Field(description="True when consumers may break.")


class EditProblemOut(_Out):
    """Something that stops the edit, naming the field."""

    field: str = Field(description="The field, e.g. columns.note.classification.")
    message: str = Field(description="What is wrong and how to fix it.")


class EditOut(_Out):
    """The outcome of an edit: its changes, the version, what stops it, what was published."""

    product_id: str
    based_on: str = Field(description="The version the edit started from.")
    version: str = Field(description="The version the edit publishes (or would publish).")
    bump: str = Field(description="none, patch, minor or major.")
    dry_run: bool
    changes: list[EditChangeOut]
    problems: list[EditProblemOut]
    warnings: list[EditProblemOut]
    published: bool = Field(description="True when the new version was written.")
    quality_score: float | None = Field(
        default=None, description="Score of the new version's first quality run, 0-100."
    )


def edit_out(draft: EditDraft, dry_run: bool, result: PublishResult | None) -> EditOut:
    """The API form of a draft and its publish result."""
    return EditOut(
        product_id=draft.product_id,
        based_on=draft.based_on,
        version=draft.version,
        bump=draft.bump,
        dry_run=dry_run,
        changes=[
            EditChangeOut(message=c.message, path=c.path, bump=c.bump, breaking=c.breaking)
            for c in draft.changes
        ],
        problems=[EditProblemOut(field=p.field, message=p.message) for p in draft.problems],
        warnings=[EditProblemOut(field=p.field, message=p.message) for p in draft.warnings],
        published=result is not None,
        quality_score=result.quality.score.value if result and result.quality else None,
    )


async def edit_product(call: ApiCall) -> Response:
    """Draft the edit; publish it unless ``dry_run`` (or it has problems)."""
    principal = await call.principal()
    product_id = call.path("product_id")
    dry_run = call.query_bool("dry_run")
    based_on = call.query("based_on")
    changes = ProductChanges.model_validate_json(await call.request.body() or b"{}")
    draft = await call.run(call.catalog.draft_edit, principal, product_id, changes)
    if based_on is not None and based_on != draft.based_on:
        raise PublishConflict(
            f"{product_id} is at version {draft.based_on}, not {based_on}; "
            "read it again and send the edit against that version."
        )
    if dry_run:
        return json_model(edit_out(draft, True, None))
    if draft.problems:
        return json_error(
            422,
            "edit_refused",
            "The edit cannot be published as it is: " + "; ".join(str(p) for p in draft.problems),
            [{"field": p.field, "message": p.message} for p in draft.problems],
        )
    result = await call.run(call.catalog.publish_edit, principal, draft)
    return json_model(edit_out(draft, False, result))


OPERATIONS = [
    Operation(
        "PATCH",
        f"{API_PREFIX}/products/{{product_id}}",
        "editProduct",
        "Edit a data product",
        "Change a product's description, usage, limitations, tags, team, support, column "
        "descriptions and classifications, service levels or quality rules, and publish them "
        "as a new version (PATCH for documentation, MINOR for compatible changes, MAJOR for "
        "breaking ones); the data is not sent again. Send only the fields to change; a list "
        "(tags, team, support, service_levels, quality) is the whole new list. Only an owner "
        "or data steward of the product or its domain, or a governance admin, may edit. With "
        "dry_run=true the changes are only previewed.",
        "products",
        edit_product,
        params=[
            PRODUCT_ID,
            Param(
                "dry_run",
                "query",
                "true: preview the changes, publish nothing.",
                {"type": "boolean", "default": False},
            ),
            Param(
                "based_on",
                "query",
                "The version the edit was made against; a product "
                "at another version is refused with 409.",
            ),
        ],
        body=Body("application/json", ProductChanges, "The fields to change."),
        replies=[Reply(200, "Published (or, with dry_run, previewed).", EditOut)],
    ),
]
"""The edit route."""
