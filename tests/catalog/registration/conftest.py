"""Fixtures of the registration tests: a writable copy of the small fixture mesh, a CSV that
looks like real data, and a complete form for it."""

from __future__ import annotations

import pytest

from catalog.catalog import Catalog
from catalog.registration import profile as profiling
from catalog.registration import rules, sources, steps
from catalog.registration.forms import Basics, RegistrationForm, SlaForm
from catalog.registration.sources import DataSource

CARRIERS = ["AA", "B6", "DL", "UA"]


def orders_csv(rows: int = 200) -> bytes:
    """A CSV of web-shop returns: a key, a low-cardinality code, a date, a number with nulls,
    an e-mail column and a note with one formula-like cell."""
    lines = ["return_id,Carrier Code,return_date,amount,email,note"]
    for i in range(rows):
        amount = "" if i % 10 == 0 else f"{i * 1.25:.2f}"
        note = "=HYPERLINK(\"http://x\")" if i == 3 else f"note {i}"
        lines.append(f"{1000 + i},{CARRIERS[i % 4]},2024-01-{i % 28 + 1:02d},{amount},"
                     f"user{i}@shop.example,{note}")
    return ("\n".join(lines) + "\n").encode()


def basics(name: str = "returns", **changes: str) -> Basics:
    """Step 1 filled in for the fixture mesh's ``sales`` domain."""
    values = dict(domain="sales", name=name, product_type="consumerAligned",
                  title="Web shop returns", purpose="Every returned order of the web shop.",
                  usage="One row per return; filter on return_date.", owner="ana@shop.example",
                  owner_name="Ana Silva", team_name="Sales Data Team",
                  support_channel="#sales-data", support_url="https://chat.shop.example/sales",
                  tags=["returns"])
    values.update(changes)
    return Basics(**values)


def complete_form(catalog: Catalog, source: DataSource, name: str = "returns"
                  ) -> RegistrationForm:
    """A form as the wizard completes it with every suggestion accepted."""
    data_profile = profiling.profile(catalog.engine, source)
    props = steps.properties_from_profile(data_profile)
    return RegistrationForm(basics=basics(name), properties=props,
                            rules=rules.suggest(data_profile, props, name),
                            sla=SlaForm(choices={"freshness": "none"}))


@pytest.fixture()
def staged(fixture_catalog: Catalog) -> DataSource:
    """The orders CSV uploaded and staged in the fixture mesh's data folder."""
    return sources.stage_upload(fixture_catalog.settings, fixture_catalog.engine,
                                "returns.csv", orders_csv())
