"""Credentials of the engines, from the environment or a secrets file, never from a manifest.

A contract's server entry says *where* the data is (host, port, database, schema); who the
portal is there comes from the deployment. For a server entry named ``<server>`` (its ODCS
``server`` field, written upper case with ``_`` for other characters: ``operations-postgres``
→ ``OPERATIONS_POSTGRES``):

``MESH_PG_URL_<SERVER>``
    a libpq connection URL or ``key=value`` string, e.g.
    ``postgresql://mesh_reader:…@db.internal:5432/mesh?sslmode=require``; it replaces the
    entry's host, port and database (the schema stays the contract's).
``MESH_PG_USER_<SERVER>`` and ``MESH_PG_PASSWORD_<SERVER>``
    the role and its password, with host, port and database from the contract.
the secrets file
    ``MESH_SECRETS_FILE`` (default ``<data dir>/.secrets.toml``), TOML, readable by its owner
    only (mode 0600; a file others can read is refused)::

        [servers.operations-postgres]
        user = "mesh_reader"
        password = "…"
        # url = "postgresql://…"   (instead of user/password, as MESH_PG_URL_<SERVER>)

Environment variables win over the file. libpq's own fallbacks still apply to what is not
given (``PGPASSWORD``, ``~/.pgpass``, ``PGSSLMODE``…). A PostgreSQL server entry with none of
the above is *not configured*: the resolver then reads the contract's next server entry, or
says what to set.

Passwords are never logged, shown or put in messages: :func:`catalog.engines.base.scrub`
removes them from engine errors.
"""

from __future__ import annotations

import logging
import os
import stat
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from catalog.engines.base import env_key
from catalog.errors import CatalogError

logger = logging.getLogger(__name__)

SECRETS_FILE_ENV = "MESH_SECRETS_FILE"
"""Environment variable naming the secrets file."""
SECRETS_FILE = ".secrets.toml"
"""The secrets file's name in the data folder when ``MESH_SECRETS_FILE`` is unset."""


class SecretsRefused(CatalogError):
    """The secrets file cannot be used: others may read it, or it is not valid TOML."""


@dataclass(frozen=True)
class Credentials:
    """How to sign in to one server entry.

    Attributes:
        url: a libpq URL or ``key=value`` string replacing the entry's host/port/database.
        user: the role name.
        password: its password (``repr`` hides it).
        source: where they came from, for messages: ``MESH_PG_URL_X``, ``the secrets file``.
    """

    url: str | None = field(default=None, repr=False)
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    source: str = ""

    @property
    def configured(self) -> bool:
        """True when a URL or a user is given."""
        return bool(self.url or self.user)

    def secrets(self) -> tuple[str | None, ...]:
        """The values to keep out of every message (password, URL)."""
        return (self.password, self.url)


def secrets_path(data_dir: Path, env: Mapping[str, str]) -> Path:
    """The secrets file: ``MESH_SECRETS_FILE`` or ``<data dir>/.secrets.toml``."""
    given = env.get(SECRETS_FILE_ENV, "").strip()
    return Path(given) if given else data_dir / SECRETS_FILE


def read_secrets(path: Path) -> dict[str, Any]:
    """The secrets file's tables (empty when the file does not exist).

    Raises:
        SecretsRefused: group or others may read it, or it does not parse.
    """
    try:
        info = path.stat()
    except FileNotFoundError:
        return {}
    if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise SecretsRefused(f"The secrets file {path} can be read by others; make it "
                             f"readable by its owner only (chmod 600 {path}).")
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as err:
        raise SecretsRefused(f"The secrets file {path} is not valid TOML "
                             f"({str(err).splitlines()[0]}).") from None


def postgres_credentials(server_name: str, data_dir: Path,
                         env: Mapping[str, str] | None = None) -> Credentials:
    """The credentials of a PostgreSQL server entry (see the module docstring for the order).

    Args:
        server_name: the entry's ``server`` name.
        data_dir: the data folder (default place of the secrets file).
        env: the environment (default ``os.environ``).

    Returns:
        The credentials; ``configured`` is False when nothing is given.

    Raises:
        SecretsRefused: the secrets file exists but cannot be used.
    """
    env = os.environ if env is None else env
    key = env_key(server_name)
    url = env.get(f"MESH_PG_URL_{key}", "").strip()
    if url:
        return Credentials(url=url, source=f"MESH_PG_URL_{key}")
    user = env.get(f"MESH_PG_USER_{key}", "").strip()
    if user:
        return Credentials(user=user, password=env.get(f"MESH_PG_PASSWORD_{key}") or None,
                           source=f"MESH_PG_USER_{key}")
    table = (read_secrets(secrets_path(data_dir, env)).get("servers") or {}).get(server_name)
    if isinstance(table, dict) and (table.get("url") or table.get("user")):
        return Credentials(url=str(table["url"]) if table.get("url") else None,
                           user=str(table["user"]) if table.get("user") else None,
                           password=str(table["password"]) if table.get("password") else None,
                           source="the secrets file")
    return Credentials()
