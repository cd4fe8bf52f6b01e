"""The wizard's steps and what makes each one complete.

Each ``*_problems`` function returns plain-language problems (empty when the step may be left);
it never changes the form, so a rejected step keeps everything the person typed.
"""

from __future__ import annotations

import re
from urllib.parse import urlparse

from catalog.mesh import Mesh
from catalog.registration import naming, sla
from catalog.registration.forms import (
    CLASSIFICATION_CHOICES,
    PRODUCT_TYPES,
    PropertyForm,
    RegistrationForm,
    RuleForm,
    SlaForm,
)
from catalog.registration.profile import Profile
from catalog.registration.rules import rule_problems

STEPS = ("basics", "data", "schema", "sla", "rules", "review")
"""Step keys, in order."""
STEP_TITLES = {"basics": "Basics", "data": "Data", "schema": "Schema",
               "sla": "Service levels", "rules": "Quality rules", "review": "Review & publish"}
"""Step titles as the wizard shows them."""

MIN_PURPOSE = 20
"""Fewest characters of a purpose: at least one real sentence."""
MAX_TITLE = 120
PII_HINTS = ("email", "e_mail", "phone", "mobile", "address", "birth", "first_name",
             "last_name", "full_name", "surname", "passport", "ssn", "iban", "ip_address",
             "postcode", "zip_code")
"""Column-name fragments that suggest personal data (PII starts ticked for them)."""
TEMPORAL = ("date", "timestamp")
"""Logical types a freshness promise can be measured on."""
_USERNAME = re.compile(r"^[^\s@]+(@[^\s@]+\.[^\s@]+)?$")


def basics_problems(form: RegistrationForm, mesh: Mesh, *, new_product: bool = True
                    ) -> dict[str, list[str]]:
    """Problems of step 1, by field name of :class:`~catalog.registration.forms.Basics`.

    Args:
        form: the form so far.
        mesh: the loaded mesh (domains, ids taken).
        new_product: False for a new version (domain and name are fixed then).

    Returns:
        Field → problems; empty when the step is complete.
    """
    b = form.basics
    out: dict[str, list[str]] = {}

    def need(field: str, ok: bool, message: str) -> None:
        """Record ``message`` for ``field`` unless ``ok``."""
        if not ok:
            out.setdefault(field, []).append(message)

    if new_product:
        if b.domain not in mesh.domains:
            need("domain", False, "Choose the domain that owns the product.")
        else:
            for problem in naming.check_new_product(mesh, b.domain, b.name):
                need("name", False, problem)
    need("product_type", b.product_type in PRODUCT_TYPES,
         "Choose whether the product is source-aligned or consumer-aligned.")
    need("title", bool(b.title.strip()), "Give the product a title people will recognise.")
    need("title", len(b.title) <= MAX_TITLE, f"Keep the title under {MAX_TITLE} characters.")
    need("purpose", len(b.purpose.strip()) >= MIN_PURPOSE,
         f"Say in a sentence or two what the data is for (at least {MIN_PURPOSE} characters).")
    need("usage", bool(b.usage.strip()), "Say how to use the data well (what one row is, "
                                         "which columns matter).")
    need("owner", bool(_USERNAME.match(b.owner.strip())),
         "Give the owner's user name or e-mail address (no spaces).")
    need("team_name", bool(b.team_name.strip()), "Name the team that runs the product.")
    for member in b.members:
        need("members", bool(_USERNAME.match(member.strip())),
             f"'{member}' is not a user name or e-mail address.")
    need("support_channel", bool(b.support_channel.strip()),
         "Name the channel where consumers get help, e.g. #sales-data.")
    url = urlparse(b.support_url.strip())
    need("support_url", (url.scheme == "https" and bool(url.netloc)) or
         (url.scheme == "mailto" and "@" in url.path),
         "Give a link to the support channel: https://… or mailto:team@example.com.")
    for tag in b.tags:
        need("tags", 0 < len(tag.strip()) <= 40, "Tags are short words, up to 40 characters.")
    return out


def properties_from_profile(profile: Profile) -> list[PropertyForm]:
    """The schema step's starting point: one property per profiled column.

    Names are made to meet the naming standard (``Dep Delay`` → ``dep_delay``, duplicates
    numbered); columns whose name suggests personal data start as PII and confidential.
    """
    out: list[PropertyForm] = []
    used: set[str] = set()
    for col in profile.columns:
        name = col.name if not naming.name_problems(col.name, min_length=1) \
            else naming.suggest_name(col.name)
        base, n = name, 2
        while name in used:
            name, n = f"{base}_{n}", n + 1
        used.add(name)
        pii = any(hint in name for hint in PII_HINTS)
        out.append(PropertyForm(source_name=col.name, name=name, logical_type=col.logical_type,
                                physical_type=col.physical_type, pii=pii,
                                classification="confidential" if pii else "internal",
                                examples=list(col.examples)))
    return out


def schema_problems(properties: list[PropertyForm]) -> list[str]:
    """Problems of step 3: names, duplicates, classification, PII."""
    if not properties:
        return ["The data has no columns; go back and choose other data."]
    out: list[str] = []
    seen: set[str] = set()
    for prop in properties:
        for problem in naming.name_problems(prop.name, what="column name", min_length=1):
            out.append(f"{prop.source_name}: {problem}")
        if prop.name in seen:
            out.append(f"Two columns are called {prop.name}; rename one.")
        seen.add(prop.name)
        if prop.classification not in CLASSIFICATION_CHOICES:
            out.append(f"{prop.name}: choose a classification "
                       f"({', '.join(CLASSIFICATION_CHOICES)}).")
        elif prop.pii and prop.classification == "public":
            out.append(f"{prop.name} holds personal data, so it cannot be public; classify it "
                       "as confidential or restricted.")
    return out


def schema_warnings(properties: list[PropertyForm]) -> list[str]:
    """Non-blocking hints of step 3 (e.g. columns without a description)."""
    missing = [p.name for p in properties if not p.description.strip()]
    if not missing:
        return []
    shown = ", ".join(missing[:8]) + (" …" if len(missing) > 8 else "")
    return [f"{len(missing)} of {len(properties)} columns have no description ({shown}); "
            "readers will guess what they mean."]


def temporal_columns(properties: list[PropertyForm]) -> list[str]:
    """Columns a freshness promise can be measured on (dates and timestamps)."""
    return [p.name for p in properties if p.logical_type in TEMPORAL]


FRESHNESS_FIELD = "How often is it updated?"
"""The service-levels question a freshness promise answers (named in problems)."""
COLUMN_FIELD = "Date or time column that shows how recent a row is"
"""The service-levels chooser of the column freshness and retention are measured on."""


def sla_problems(form: SlaForm, properties: list[PropertyForm],
                 product_type: str | None = None) -> list[str]:
    """Problems of step 4: known presets, a real date/time column when one is named, and the
    freshness promise governance requires of a source-aligned product.

    Args:
        form: the service-levels answers.
        properties: the schema.
        product_type: the Basics' product type; ``sourceAligned`` must promise freshness
            (global policy ``sla-freshness``, ODCS v3.1 §sla). None skips that rule.

    Returns:
        Problems, each starting with the question it is about.
    """
    out: list[str] = []
    for topic in sla.TOPICS:
        try:
            sla.preset(topic, form.choices.get(topic, sla.DEFAULTS[topic]))
        except KeyError:
            out.append(f"Choose one of the offered {topic} options.")
    if out:
        return out
    freshness = sla.preset("freshness", form.choices.get("freshness", sla.DEFAULTS["freshness"]))
    if product_type == "sourceAligned" and not freshness.properties:
        out.append(f"{FRESHNESS_FIELD} A source-aligned product must promise how fresh its data "
                   "is (governance policy sla-freshness). Choose how often it is updated, or "
                   "'Not updated any more' for a snapshot of a past period.")
    columns = temporal_columns(properties)
    if form.freshness_column is not None and form.freshness_column not in columns:
        out.append(f"{COLUMN_FIELD}: {form.freshness_column} is not a date or time column of the "
                   "schema; choose another.")
    elif columns and form.freshness_column is None and freshness.measured_on_column:
        out.append(f"{COLUMN_FIELD}: choose the column that shows how recent the data is; the "
                   "freshness promise is measured on it.")
    return out


def sla_warnings(form: SlaForm, properties: list[PropertyForm], product_type: str
                 ) -> list[str]:
    """Non-blocking hints of step 4 (what the checks will say later)."""
    freshness = sla.preset("freshness", form.choices.get("freshness", sla.DEFAULTS["freshness"]))
    if freshness.measured_on_column and not temporal_columns(properties):
        return ["The data has no date or time column, so the freshness promise cannot be "
                "measured; its check will show as skipped."]
    return []


def rules_problems(rules: list[RuleForm], properties: list[PropertyForm]) -> list[str]:
    """Problems of step 5: every switched-on rule must be complete and name a real column."""
    logical = {p.name: p.logical_type for p in properties}
    out: list[str] = []
    ids: set[str] = set()
    for rule in rules:
        if rule.id in ids:
            out.append(f"Two rules have the id {rule.id}.")
        ids.add(rule.id)
        if rule.property is not None and rule.property not in logical and rule.enabled:
            out.append(f"{rule.id}: column {rule.property} is not in the schema; switch the "
                       "rule off.")
            continue
        out += rule_problems(rule, logical.get(rule.property or ""))
    return out
