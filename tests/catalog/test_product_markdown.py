"""The Markdown documentation of a product (catalog/interchange/markdown.py): what a reader
who never opens the portal needs, in the portal's own words, with manifest text made inert."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from catalog.catalog import Catalog
from catalog.config import REPO_ROOT, Settings
from catalog.interchange.importer import import_files
from catalog.interchange.markdown import product_markdown
from catalog.manifests.loader import load_mesh
from catalog.models.principal import LOCAL_USER
from tests.catalog.meshes import empty_mesh

DEMO = load_mesh(REPO_ROOT / "domains")


def test_flights_documentation_covers_purpose_owner_schema_sla_and_quality() -> None:
    product = DEMO.products["operations.flights"]
    text = product_markdown(product)
    assert text.startswith(f"# {product.title}\n")
    assert "`operations.flights`" in text and "version 1.2.0" in text
    assert "## Purpose\n\nEvery flight scheduled to leave a New York City airport" in text
    assert "**Owner:** María López" in text
    assert "| María López | owner | <mailto:maria.lopez@skyport.example> |" in text
    assert "- [\\#ops-data](https://chat.skyport.example/channels/ops-data) (slack, " \
           "interactive)" in text
    assert "| `carrier` | Airline code | string / VARCHAR | required, key | public |" in text
    assert "- Availability 99.5%" in text and "- Records are kept for 5 years" in text
    assert "| No missing values in Airline code (carrier) | Airline code (carrier) | " \
           "Completeness | Error | Every flight names its airline |" in text
    assert "More than 300,000 rows" in text
    assert text.endswith("_Generated from `product.odps.yaml` and its data contracts._\n")


def test_a_derived_product_names_what_it_is_built_from() -> None:
    text = product_markdown(DEMO.products["operations.route_performance"])
    section = text.split("## Built from\n\n", 1)[1].split("\n\n", 1)[0]
    assert section.startswith("- `") and "operations.flights" in section


@pytest.mark.parametrize("product_id", sorted(DEMO.products))
def test_every_demo_product_has_a_section_and_a_schema_table_per_port(product_id: str) -> None:
    product = DEMO.products[product_id]
    text = product_markdown(product)
    for port in product.output_ports:
        assert f"### Output port `{port.name}`" in text
    assert text.count("| Column | Business name |") >= len(product.output_ports)
    for prop in product.properties():
        assert f"| `{prop.name}` |" in text


HOSTILE = """apiVersion: v3.1.0
kind: DataContract
id: sales.tricky.tricky
name: tricky
version: 1.0.0
status: draft
description:
  purpose: "Click [here](javascript:alert(1)) <script>alert(1)</script> | broken | table"
schema:
  - name: t
    properties:
      - name: c
        logicalType: string
        description: "line one\\nline two | <b>bold</b>"
support:
  - {channel: "evil", url: "javascript:alert(1)"}
"""


def test_manifest_text_cannot_inject_links_html_or_break_tables(tmp_path: Path) -> None:
    root = empty_mesh(tmp_path)
    contract = tmp_path / "tricky.odcs.yaml"
    contract.write_text(HOSTILE, encoding="utf-8")
    import_files([contract], root, "sales")
    text = product_markdown(load_mesh(root).products["sales.tricky"])
    assert "<script>" not in text and "<b>" not in text
    assert not re.search(r"(?<!\\)\]\((?!https?:|mailto:)", text)  # no live non-web link
    assert "- evil\n" in text  # the channel, without its javascript: link
    assert "\\[here\\](javascript:alert(1)) \\<script\\>" in text
    row = next(line for line in text.splitlines() if line.startswith("| `c` |"))
    assert row.count(" | ") == 6 and "line one line two \\| \\<b\\>bold\\</b\\>" in row


def test_catalog_offers_the_documentation_as_a_markdown_file(fixture_mesh: Settings) -> None:
    catalog = Catalog(fixture_mesh, recheck_seconds=0)
    product = catalog.all_products(LOCAL_USER)[0]
    file = catalog.product_documentation(LOCAL_USER, product.id)
    assert file.name == f"{product.id}.md" and file.mime == "text/markdown"
    assert file.data.decode("utf-8") == product_markdown(product)
