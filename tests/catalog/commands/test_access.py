"""``request-access``, ``requests``, ``decide``, ``grants``, ``approve`` and ``send-back``: the
core decides, the commands print; two principals act through API tokens."""

from __future__ import annotations

from tests.catalog.commands.conftest import CONSUMER, OWNER, PRODUCT_OWNER, Cli


def test_a_consumer_requests_access_and_the_owner_approves_by_token(cli: Cli) -> None:
    consumer, owner = cli.token(CONSUMER, "laptop"), cli.token(OWNER, "ci")
    asked = cli("request-access", "sales.orders", "--port", "orders", "--purpose",
                "Monthly revenue report for finance", "--days", "30", token=consumer)
    assert asked.code == 0, asked.err
    request_id, status = asked.out.split()
    assert status == "pending"
    assert "sales.orders" in asked.err and "30 days" in asked.err

    mine = cli("requests", "--json", token=consumer)
    assert [(r["id"], r["requester"], r["status"]) for r in mine.json()] == [
        (int(request_id), "carl@elsewhere.example", "pending")]
    assert cli("requests", "--to-decide", "--json", token=consumer).json() == []
    queue = cli("requests", "--queue", token=owner)
    assert queue.code == 0 and request_id in queue.out and "carl@elsewhere.example" in queue.out

    refused = cli("decide", request_id, "--approve", token=consumer)
    assert refused.code == 2 and refused.err.startswith("error: ") and refused.out == ""
    decided = cli("decide", request_id, "--approve", "--note", "ok for the report", "--json",
                  token=owner)
    assert decided.code == 0, decided.err
    assert decided.json()["status"] == "approved"
    assert decided.json()["decided_by"] == "ana@shop.example"

    grants = cli("grants", "--json", token=consumer).json()
    assert [(g["product_id"], g["port"], g["consumer"], g["state"]) for g in grants] == [
        ("sales.orders", "orders", "carl@elsewhere.example", "active")]
    assert grants[0]["expires_at"] is not None
    table = cli("grants", "--product", "sales.orders", token=owner)
    assert table.code == 0 and table.out.splitlines()[0].split()[:3] == ["ID", "PRODUCT", "PORT"]
    assert "carl@elsewhere.example" in table.out and "active" in table.out
    assert cli("grants", "--product", "sales.orders", token=consumer).code == 2


def test_a_denial_needs_a_note_and_unknown_ports_are_refused(cli: Cli) -> None:
    consumer = cli.token(CONSUMER)
    bad = cli("request-access", "sales.orders", "--port", "nope", "--purpose",
              "Monthly revenue report", token=consumer)
    assert bad.code == 2 and "no output port nope" in bad.err
    short = cli("request-access", "sales.orders", "--port", "orders", "--purpose", "why",
                token=consumer)
    assert short.code == 2 and short.err.startswith("error: ")
    request_id = cli("request-access", "sales.orders", "--port", "orders", "--permanent",
                     "--purpose", "Monthly revenue report", token=consumer).out.split()[0]
    assert cli("requests", "--json", token=consumer).json()[0]["duration_days"] is None
    no_note = cli("decide", request_id, "--deny")
    assert no_note.code == 2 and "note" in no_note.err.lower()
    denied = cli("decide", request_id, "--deny", "--note", "Use the monthly aggregate")
    assert (denied.code, denied.out.split()) == (0, [request_id, "denied"])


def test_empty_listings_say_so_on_standard_error(cli: Cli) -> None:
    token = cli.token(CONSUMER)
    for argv in (("grants",), ("requests",), ("requests", "--to-decide")):
        result = cli(*argv, token=token)
        assert (result.code, result.out) == (0, "")
        assert result.err.strip()
        assert cli(*argv, "--json", token=token).json() == []


def test_approval_refusals_come_from_the_core(cli: Cli) -> None:
    # sales.customers is proposed; Bo owns the product but not its domain.
    not_domain = cli("approve", "sales.customers", token=cli.token(PRODUCT_OWNER))
    assert not_domain.code == 2 and not_domain.err.startswith("error: ")
    consumer = cli("send-back", "sales.customers", "--reason", "Add a description",
                   token=cli.token(CONSUMER))
    assert consumer.code == 2
    active = cli("approve", "sales.orders", token=cli.token(OWNER))
    assert active.code == 2 and "proposed" in active.err
    assert cli("approve", "sales.nothing").code == 2
    sent = cli("send-back", "sales.customers", "--reason", "Add a description", "--json",
               token=cli.token(OWNER))
    assert sent.code == 0, sent.err
    assert (sent.json()["product_id"], sent.json()["new_status"]) == ("sales.customers", "draft")


def test_a_product_with_error_findings_is_not_approved(cli: Cli) -> None:
    refused = cli("approve", "sales.customers")  # the local user: a governance admin
    assert (refused.code, refused.out) == (2, "")
    assert refused.err.startswith("error: sales.customers cannot be approved")
