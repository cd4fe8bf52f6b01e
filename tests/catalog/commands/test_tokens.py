"""``token create|list|revoke`` and ``MESH_API_TOKEN``: the command line acts as the token's
owner, refuses a bad token, and acts as the local user without one."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from catalog.config import REPO_ROOT
from tests.catalog.commands.conftest import CONSUMER, ENVIRONMENT, OWNER, Cli


def test_create_list_revoke_round_trip(cli: Cli) -> None:
    owner = cli.token(OWNER, "laptop")
    created = cli("token", "create", "--name", "ci", "--days", "7", token=owner)
    assert created.code == 0, created.err
    secret = created.out.strip()
    assert created.out == secret + "\n" and secret.startswith("mesh_")  # the secret alone
    assert "ci" in created.err and secret not in created.err

    listed = cli("token", "list", "--json", token=secret).json()
    assert [(t["name"], t["status"]) for t in listed] == [("ci", "active"), ("laptop", "active")]
    assert all(secret not in json.dumps(t) for t in listed)
    token_id = listed[0]["id"]
    assert secret[:8] in cli("token", "list", token=owner).out  # the prefix, to recognise it

    assert cli("token", "revoke", token_id, token=cli.token(CONSUMER)).code == 2  # not theirs
    revoked = cli("token", "revoke", token_id, "--json", token=owner)
    assert revoked.code == 0, revoked.err
    assert (revoked.json()["id"], revoked.json()["status"]) == (token_id, "revoked")
    refused = cli("token", "list", token=secret)
    assert refused.code == 2 and refused.err.startswith("error: MESH_API_TOKEN: ")
    assert cli("token", "revoke", token_id, token=owner).code == 2  # already revoked


def test_create_with_json_prints_the_secret_once(cli: Cli) -> None:
    created = cli("token", "create", "--name", "script", "--json")
    body = created.json()
    assert created.code == 0 and body["name"] == "script" and body["secret"].startswith("mesh_")
    assert cli("token", "create", "--name", "", token=None).code == 2
    assert cli("token", "create", "--name", "long", "--days", "999").code == 2


def test_the_token_decides_who_is_acting(cli: Cli) -> None:
    secret = cli.token(CONSUMER)
    cli("request-access", "sales.orders", "--port", "orders", "--purpose",
        "Monthly revenue report", token=secret)
    as_consumer = cli("requests", "--json", token=secret).json()
    assert [r["requester"] for r in as_consumer] == ["carl@elsewhere.example"]
    as_local = cli("requests", "--json").json()  # no token: the local user, who asked nothing
    assert as_local == []
    queue = cli("requests", "--to-decide", "--json").json()  # the local user is an admin
    assert [r["requester"] for r in queue] == ["carl@elsewhere.example"]


def test_an_invalid_or_empty_token_is_refused_never_ignored(cli: Cli) -> None:
    for bad in ("mesh_not-a-real-token", "something else", "  "):
        result = cli("requests", token=bad)
        assert (result.code, result.out) == (2, "")
        assert result.err.startswith("error: MESH_API_TOKEN")


def test_token_create_in_a_shell_substitution(cli: Cli) -> None:
    """A real process: ``TOKEN=$(python -m catalog token create --name ci)`` then use it."""
    env = {k: v for k, v in os.environ.items() if k not in ENVIRONMENT}
    env.update(MESH_ROOT=str(cli.settings.mesh_root), MESH_DATA_DIR=str(cli.settings.data_dir),
               MESH_API_TOKEN=cli.token(CONSUMER))
    created = subprocess.run([sys.executable, "-m", "catalog", "token", "create", "--name",
                              "ci"], cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                             timeout=120, check=False)
    assert created.returncode == 0, created.stderr
    secret = created.stdout.strip()
    assert secret.startswith("mesh_") and "\n" not in secret
    listed = subprocess.run([sys.executable, "-m", "catalog", "token", "list", "--json"],
                            cwd=REPO_ROOT, env={**env, "MESH_API_TOKEN": secret},
                            capture_output=True, text=True, timeout=120, check=False)
    assert listed.returncode == 0, listed.stderr
    assert {t["name"] for t in json.loads(listed.stdout)} == {"ci", "cli"}


def test_names_people_typed_cannot_drive_the_terminal(cli: Cli) -> None:
    created = cli("token", "create", "--name", "ci\x1b[2J\rnot a token")
    assert created.code == 0, created.err
    listed = cli("token", "list")
    assert "\x1b" not in listed.out and "\x1b" not in created.err
    assert "ci [2J not a token" in listed.out
