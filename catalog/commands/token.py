"""``python -m catalog token create|list|revoke``: personal API tokens.

* ``token create --name NAME [--days N] [--json]`` makes a token that stands for the acting
  principal, for N days (default 90, at most 365). Standard output gets **only the secret**,
  shown this once, so ``TOKEN=$(python -m catalog token create --name ci)`` keeps it; the id,
  name and expiry go to standard error. ``--json`` prints one object with the secret instead.
* ``token list [--json]`` lists the acting principal's tokens, newest first, without secrets.
* ``token revoke TOKEN_ID [--json]`` revokes one of them (a governance admin: anyone's); it
  stops working at once.

A token is used by setting ``MESH_API_TOKEN`` (every command then acts as its owner) or, over
HTTP, ``Authorization: Bearer <secret>``. Without ``MESH_API_TOKEN`` the commands act as the
local user. Exit codes: 0 done; 2 refused (bad name or lifetime, unknown or already revoked
token, someone else's token).
"""

from __future__ import annotations

import argparse
import sys

from catalog import Catalog, Settings
from catalog.commands._output import one_line, print_json, print_table
from catalog.commands._principal import TOKEN_VARIABLE, acting_principal

NAME = "token"
HELP = "create, list and revoke your personal API tokens"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the command's sub-commands and their arguments on ``parser``."""
    sub = parser.add_subparsers(dest="token_command", required=True, metavar="ACTION")
    create = sub.add_parser("create", help="create a token (its secret is printed once)",
                            description="Create a personal API token; only its secret goes to "
                                        "standard output.")
    create.add_argument("--name", required=True, help="what the token is for, e.g. ci")
    create.add_argument("--days", type=int,
                        help="lifetime in days (default: the catalog's, 90; at most 365)")
    create.add_argument("--json", action="store_true",
                        help="print one JSON object, secret included")
    listing = sub.add_parser("list", help="list your tokens (never their secrets)",
                             description="List your API tokens, newest first.")
    listing.add_argument("--json", action="store_true", help="print a JSON array of tokens")
    revoke = sub.add_parser("revoke", help="revoke a token now",
                            description="Revoke an API token: it stops working at once.")
    revoke.add_argument("token_id", metavar="TOKEN_ID", help="the token's id (token list)")
    revoke.add_argument("--json", action="store_true", help="print the token as JSON")


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run the token action; returns 0 (refusals raise and exit 2)."""
    catalog = Catalog(settings)
    principal = acting_principal(catalog)
    if args.token_command == "create":
        token = (catalog.create_token(principal, args.name) if args.days is None
                 else catalog.create_token(principal, args.name, args.days))
        if args.json:
            print_json(token)
        else:
            print(token.secret)
        print(f"Created API token {token.id} '{one_line(token.name)}' for "
              f"{one_line(principal.username)}, valid "
              f"until {token.expires_at:%Y-%m-%d %H:%M} UTC. Its secret is shown only now: "
              f"keep it in a secret store; set {TOKEN_VARIABLE} to it to act as yourself.",
              file=sys.stderr)
        return 0
    if args.token_command == "list":
        tokens = catalog.tokens(principal)
        if args.json:
            print_json(tokens)
            return 0
        print_table(("ID", "NAME", "PREFIX", "CREATED", "EXPIRES", "LAST USED", "STATUS"),
                    [(t.id, t.name, f"{t.prefix}…", t.created_at, t.expires_at,
                      t.last_used_at, t.status) for t in tokens],
                    "You have no API token.")
        return 0
    info = catalog.revoke_token(principal, args.token_id)
    if args.json:
        print_json(info)
    else:
        print(f"{info.id} {info.status}")
    print(f"Revoked API token {info.id} '{one_line(info.name)}': it no longer works.",
          file=sys.stderr)
    return 0
