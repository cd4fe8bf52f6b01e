"""``python -m catalog register``: the wizard's steps, suggestions and refusals from the command
line — dry runs, refusals, a real publish with its first quality run, then four eyes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from catalog import LOCAL_USER, Catalog
from tests.catalog.commands.conftest import CONSUMER, OWNER, Cli
from tests.catalog.registration.conftest import orders_csv

ANSWERS = """\
domain: sales
name: returns
product_type: consumerAligned
title: Web shop returns
purpose: Every returned order of the web shop.
usage: One row per return; filter on return_date.
owner: ana@shop.example
owner_name: Ana Silva
team_name: Sales Data Team
support_channel: "#sales-data"
support_url: https://chat.shop.example/sales
tags: [returns]
properties:
  email: {description: Customer e-mail, classification: restricted, pii: true}
"""


@pytest.fixture()
def files(tmp_path: Path) -> tuple[str, str]:
    """The returns CSV and its answers file, outside the mesh."""
    csv, answers = tmp_path / "returns.csv", tmp_path / "answers.yaml"
    csv.write_bytes(orders_csv())
    answers.write_text(ANSWERS, encoding="utf-8")
    return str(csv), str(answers)


def _product_folder(cli: Cli) -> Path:
    return cli.settings.mesh_root / "sales" / "returns"


def test_a_dry_run_prints_the_documents_and_checks_and_writes_nothing(
        cli: Cli, files: tuple[str, str]) -> None:
    csv, answers = files
    result = cli("register", "--file", csv, "--answers", answers, "--title",
                 "Returned orders", "--dry-run", "--json")
    assert result.code == 0, result.err
    body = result.json()
    assert (body["product_id"], body["dry_run"], body["published"]) == (
        "sales.returns", True, False)
    assert body["problems"] == [] and body["result"] is None
    assert body["odps"]["id"] == "sales.returns"
    assert "Returned orders" in json.dumps(body["odps"])  # the option overrides the file
    assert body["odcs"]["schema"][0]["properties"]
    assert body["checks"] and all(c["check_id"] and c["status"] for c in body["checks"])
    assert not _product_folder(cli).exists()

    text = cli("register", "--file", csv, "--answers", answers, "--dry-run")
    assert text.code == 0, text.err
    assert text.out.startswith("product sales.returns version 1.0.0")
    assert "email: string" in text.out and "quality rules on the data:" in text.out
    assert "nothing written" in text.err
    assert not list((cli.settings.data_dir / ".staging").glob("*.parquet"))


def test_problems_exit_1_in_a_dry_run_and_2_otherwise(cli: Cli, files: tuple[str, str]
                                                      ) -> None:
    csv, answers = files
    dry = cli("register", "--file", csv, "--answers", answers, "--name", "Bad Name",
              "--dry-run", "--json")
    assert dry.code == 1
    assert any(p.startswith("name: ") for p in dry.json()["problems"])
    refused = cli("register", "--file", csv, "--answers", answers, "--name", "Bad Name")
    assert (refused.code, refused.out) == (2, "")
    assert "error: name: " in refused.err
    as_json = cli("register", "--file", csv, "--answers", answers, "--name", "Bad Name",
                  "--json")
    assert as_json.code == 2 and as_json.json()["published"] is False
    assert "error: name: " in as_json.err
    assert cli("register", "--file", csv, "--answers", answers, "--table", "main.t").code == 2
    assert not (cli.settings.mesh_root / "sales" / "Bad Name").exists()


def test_bad_answers_and_foreign_domains_are_refused(cli: Cli, files: tuple[str, str],
                                                     tmp_path: Path) -> None:
    csv, answers = files
    extra = tmp_path / "extra.yaml"
    extra.write_text(ANSWERS + "colour: blue\n", encoding="utf-8")
    unknown = cli("register", "--file", csv, "--answers", str(extra), "--dry-run")
    assert unknown.code == 2 and "colour: not a field" in unknown.err
    broken = tmp_path / "broken.yaml"
    broken.write_text("domain: [sales\n", encoding="utf-8")
    assert cli("register", "--file", csv, "--answers", str(broken)).code == 2
    stranger = cli("register", "--file", csv, "--answers", answers, "--dry-run",
                   token=cli.token(CONSUMER))
    assert (stranger.code, stranger.out) == (2, "")
    assert stranger.err.startswith("error: ")
    assert cli("register", "--file", str(tmp_path / "none.csv"), "--answers", answers
               ).code == 2


def test_a_real_publish_then_four_eyes(cli: Cli, files: tuple[str, str]) -> None:
    csv, answers = files
    owner = cli.token(OWNER)
    published = cli("register", "--file", csv, "--answers", answers, "--json", token=owner)
    assert published.code == 0, published.err
    body = published.json()
    assert body["published"] is True and body["result"]["rows"] == 200
    assert body["result"]["quality"] is not None
    catalog = Catalog(cli.settings)
    product = catalog.product(LOCAL_USER, "sales.returns")
    assert product.status == "proposed"
    assert catalog.latest_quality(LOCAL_USER, "sales.returns") is not None
    again = cli("register", "--file", csv, "--answers", answers, token=owner)
    assert again.code == 2  # the id is taken

    own = cli("approve", "sales.returns", token=owner)  # the submitter: four eyes
    assert own.code == 2 and own.err.startswith("error: ")
    approved = cli("approve", "sales.returns", "--json")  # the local user, an admin
    assert approved.code == 0, approved.err
    assert approved.json()["new_status"] == "active"
    assert Catalog(cli.settings).product(LOCAL_USER, "sales.returns").status == "active"


def test_a_data_folder_file_and_a_query_are_sources_too(cli: Cli, files: tuple[str, str]
                                                        ) -> None:
    _, answers = files
    (cli.settings.data_dir / "returns.csv").write_bytes(orders_csv())
    by_path = cli("register", "--path", "returns.csv", "--answers", answers, "--dry-run")
    assert by_path.code == 0, by_path.err
    served = cli("register", "--path", "customers.csv", "--answers", answers, "--dry-run")
    assert served.code == 2 and "served by a product already" in served.err
    query = cli("register", "--query", "SELECT customer_id, sum(amount) AS total "
                "FROM sales.orders GROUP BY customer_id", "--dry-run", "--json",
                "--domain", "sales", "--name", "order_totals", "--title", "Order totals",
                "--purpose", "What each customer ordered in total.",
                "--usage", "One row per customer.", "--owner", "ana@shop.example",
                "--owner-name", "Ana Silva", "--team", "Sales Data Team",
                "--support-channel", "#sales-data",
                "--support-url", "https://chat.shop.example/sales", "--tag", "orders")
    assert query.code in (0, 1), query.err
    body = query.json()
    assert body["product_id"] == "sales.order_totals"
    assert body["odps"]["inputPorts"][0]["name"] == "sales.orders", body["problems"]
