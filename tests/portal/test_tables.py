"""Table rows of the portal (portal/tables.py), on the demo product operations.flights."""

from __future__ import annotations

import pytest

from catalog.catalog import Catalog
from catalog.mesh import DataProduct
from catalog.models.odps import Team, TeamMember
from catalog.models.principal import LOCAL_USER
from catalog.wording import sla_lines
from portal.tables import (
    SCHEMA_COLUMNS,
    member_rows,
    quality_rows,
    schema_rows,
    server_rows,
    table_height,
)


@pytest.fixture(scope="module")
def flights(demo_catalog: Catalog) -> DataProduct:
    return demo_catalog.product(LOCAL_USER, "operations.flights")


def test_schema_rows(flights: DataProduct) -> None:
    rows = {r["Property"]: r for r in schema_rows(flights.port())}
    assert set(next(iter(rows.values()))) == set(SCHEMA_COLUMNS)
    assert rows["carrier"]["Business name"] == "Airline code"
    assert rows["carrier"]["Type"] == "string (VARCHAR)"
    assert rows["carrier"]["Required"] and rows["carrier"]["Key"]
    assert rows["tailnum"]["Classification"] == "internal" and not rows["tailnum"]["Personal data"]
    assert schema_rows(flights.port(), "no_such_object") == []


def test_quality_rows(flights: DataProduct) -> None:
    rows = quality_rows(flights.port().contract)
    by_id = {r["Id"]: r for r in rows}
    carrier = by_id["flights-carrier-not-null"]
    assert carrier["Rule"] == "No missing values in Airline code (carrier)"
    assert carrier["Why"] == "Every flight names its airline"
    assert carrier["Dimension"] == "Completeness" and carrier["Severity"] == "Error"
    assert by_id["flights-row-count"]["Applies to"] == "The table flights"
    assert by_id["flights-tailnum-nulls"]["Severity"] == "Warning"
    assert quality_rows(None) == []


def test_sla_and_servers(flights: DataProduct) -> None:
    sentences = [s for s, _ in sla_lines(flights.port().contract)]
    assert "Availability 99.5%" in sentences and "Records are kept for 5 years" in sentences
    servers = server_rows(flights.port().contract)
    assert servers[0]["Type"] == "postgres" and "operations" in servers[0]["Location"]
    assert servers[1]["Type"] == "duckdb" and "mesh.duckdb" in servers[1]["Location"]


def test_member_rows_and_table_height() -> None:
    team = Team(name="T", members=[TeamMember(username="a@x.example", name="Ann", role="owner"),
                                   TeamMember(username="bob"),
                                   TeamMember(username="javascript:alert(1)//@x.example")])
    assert member_rows(team) == [
        {"Name": "Ann", "Role": "owner", "Contact": "mailto:a@x.example"},
        {"Name": "bob", "Role": "", "Contact": None},  # a user name is not a link target
        {"Name": "javascript:alert(1)//@x.example", "Role": "",
         "Contact": "mailto:javascript:alert%281%29//@x.example"},  # only ever a mailto link
    ]
    assert member_rows(None) == []
    assert table_height(2) == 35 * 3 + 3 and table_height(500) == table_height(40)
