"""CSV extracts never start a cell or a header name with a formula character, whatever the
column's DuckDB type, while numbers keep their sign and rows keep the table's order.

The product is a real DuckDB file (and the same table as Parquet) in a temporary data folder,
read through :class:`catalog.engine.Engine` exactly as the portal's downloads are.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import duckdb
import pytest

from catalog.engine import Engine
from catalog.extracts import ExtractRequest, FilterOp, RowFilter
from catalog.manifests.documents import LazyContract
from catalog.mesh import OutputPortView

# Spelled out here, not imported: the test must notice if the guarded list ever shrinks.
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
ROWS = 300_000
"""More than two DuckDB row groups (122,880 rows each), so a plan that reorders rows shows."""

NUMERIC = ("id", "qty", "price", "'+x")
HEADER = ["id", "text", "bytes", "doc", "mood", "uid", "qty", "price", "day", "at", "ok", "tags",
          "info", "attrs", "choice", "'=SUM(A1)", "'+x", "'@y"]

_PREFIXES_SQL = "['=', '+', '-', '@', chr(9), chr(13)]"
_MOOD = ", ".join(f"'{p}mood'" for p in DANGEROUS)  # raw tab / CR inside the SQL literals
_TABLE_SQL = f"""
CREATE TYPE mood AS ENUM ({_MOOD});
CREATE TABLE things AS
SELECT i AS id,
       p || 'text ' || i AS "text",
       (p || 'HYPERLINK("http://evil.example/' || i || '")')::BLOB AS "bytes",
       (CASE i % 3 WHEN 0 THEN '-' || i WHEN 1 THEN chr(9) || i
             ELSE chr(13) || '[' || i || ']' END)::JSON AS doc,
       (p || 'mood')::mood AS mood,
       ('00000000-0000-4000-8000-' || lpad(i::VARCHAR, 12, '0'))::UUID AS uid,
       (-i)::INTEGER AS qty,
       (-i - 0.5)::DOUBLE AS price,
       DATE '2013-01-01' + (i % 365)::INTEGER AS day,
       TIMESTAMP '2013-01-01' + to_seconds(i) AS at,
       i % 2 = 0 AS ok,
       [p || 'tag', 'b'] AS tags,
       {{'a': p || 'inner'}} AS info,
       MAP {{p || 'k': -i}} AS attrs,
       union_value(s := p || 'choice')::UNION(s VARCHAR, n INTEGER) AS choice,
       p || 'named' AS "=SUM(A1)",
       (-i)::INTEGER AS "+x",
       (p || 'at')::BLOB AS "@y"
FROM (SELECT range AS i, {_PREFIXES_SQL}[range % 6 + 1] AS p FROM range({ROWS}))
ORDER BY i
"""


def _port(server: dict[str, str]) -> OutputPortView:
    raw = {
        "apiVersion": "v3.1.0", "kind": "DataContract", "id": "lab.things.things",
        "name": "things", "version": "1.0.0", "status": "active",
        "servers": [server],
        "schema": [{"name": "things", "physicalName": "things", "physicalType": "table"}],
    }
    return OutputPortView(name="things", description=None, type="tables", version="1.0.0",
                          contract_id="lab.things.things", source=LazyContract(raw))


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder with ``things.duckdb`` and ``things.parquet`` (no UNION in Parquet)."""
    folder = tmp_path_factory.mktemp("formula-data")
    with duckdb.connect(str(folder / "things.duckdb")) as con:
        con.execute(_TABLE_SQL)
        target = str(folder / "things.parquet").replace("'", "''")
        con.execute(f"COPY (SELECT * EXCLUDE (choice) FROM things) TO '{target}' "
                    "(FORMAT parquet)")
    return folder


PORTS = {
    "duckdb": {"server": "db", "type": "duckdb", "database": "things.duckdb", "schema": "main"},
    "parquet": {"server": "files", "type": "local", "path": "things.parquet",
                "format": "parquet"},
}


def _read(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


@pytest.mark.parametrize("kind", sorted(PORTS))
def test_no_cell_or_header_starts_with_a_formula_character(data_dir: Path, kind: str) -> None:
    engine = Engine(data_dir)
    port = _port(PORTS[kind])
    types = {c.name: c.type for c in engine.columns(port)}
    if kind == "duckdb":  # the table really holds every kind of column the guard must cover
        assert types["bytes"] == "BLOB" and types["doc"] == "JSON"
        assert types["mood"].startswith("ENUM(") and types["choice"].startswith("UNION(")
        assert types["uid"] == "UUID" and types["tags"] == "VARCHAR[]"
        assert types["info"].startswith("STRUCT(") and types["attrs"].startswith("MAP(")
    rows = _read(engine.extract_csv(port, ExtractRequest()))
    header, body = rows[0], rows[1:]
    assert header == [h for h in HEADER if kind == "duckdb" or h != "choice"]
    assert not [h for h in header if h.startswith(DANGEROUS)]
    assert len(body) == ROWS

    position = {name: n for n, name in enumerate(header)}
    ids = [int(r[position["id"]]) for r in body]
    assert ids == list(range(ROWS)), "rows must come out in the table's order"

    numeric = {position[name] for name in NUMERIC}
    bad = [(i, header[n], cell) for i, row in enumerate(body) for n, cell in enumerate(row)
           if n not in numeric and cell.startswith(DANGEROUS)]
    assert bad == [], f"{len(bad)} formula cells, e.g. {bad[:5]}"

    for i, row in enumerate(body):
        prefix = DANGEROUS[i % 6]
        # Numbers are not text: a negative number keeps its sign and is not prefixed.
        assert row[position["qty"]] == row[position["'+x"]] == str(-i)
        assert float(row[position["price"]]) == -i - 0.5 and row[position["price"]][0] == "-"
        # Text keeps its content behind the one added quote.
        assert row[position["text"]] == f"'{prefix}text {i}"
        assert row[position["'=SUM(A1)"]] == f"'{prefix}named"
        assert row[position["mood"]] == f"'{prefix}mood"
    first = body[0]
    # BLOB text escapes bytes other than printable ASCII and the double quote as \xNN.
    assert first[position["bytes"]] == "'=HYPERLINK(\\x22http://evil.example/0\\x22)"
    assert first[position["doc"]] == "'-0"
    assert body[1][position["doc"]] == "'\t1" and body[2][position["doc"]] == "'\r[2]"
    assert body[4][position["bytes"]].startswith("\\x09HYPERLINK")  # tab byte escaped
    assert first[position["uid"]] == "00000000-0000-4000-8000-000000000000"
    assert first[position["ok"]] == "true" and first[position["day"]] == "2013-01-01"
    if kind == "duckdb":
        assert first[position["choice"]] == "'=choice"


def test_columns_named_like_formulas_can_be_picked_and_filtered(data_dir: Path,
                                                                tmp_path: Path) -> None:
    engine = Engine(data_dir)
    request = ExtractRequest(columns=("=SUM(A1)", "+x", "@y"),
                             filters=(RowFilter("+x", FilterOp.GREATER, -3),))
    target = tmp_path / "picked.csv"
    engine.write_csv(_port(PORTS["duckdb"]), request, target)
    assert _read(target.read_bytes()) == [
        ["'=SUM(A1)", "'+x", "'@y"],
        ["'=named", "0", "'=at"],
        ["'+named", "-1", "'+at"],
        ["'-named", "-2", "'-at"],
    ]
