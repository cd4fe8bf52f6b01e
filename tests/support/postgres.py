"""A throw-away local PostgreSQL server for the tests (Debian's ``postgresql`` binaries).

``start(folder)`` creates a cluster in ``folder`` (``initdb``, trust authentication on
127.0.0.1 and a socket inside ``folder``), starts it on a free TCP port and returns its URL;
``stop(folder)`` stops it. PostgreSQL refuses to run as root, so as root the cluster runs as the
``postgres`` system user (created by Debian's package), which then owns ``folder``.

Run as a program it is what CI uses around the test suite::

    python3 -m tests.support.postgres start /tmp/mesh-pg   # prints the URL
    python3 -m tests.support.postgres stop /tmp/mesh-pg

``create_database(server_url, prefix)`` makes a new, empty database on a running server (the
fixtures ``fresh_postgres_url``, the engine tests' mesh and the replicas' shared store use it).

Only the standard library is used, so it runs before the virtual environment exists.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

SUPERUSER = "mesh"
"""The cluster's superuser (trust authentication, no password)."""

URL_FILE = "url"
"""Name of the file in the cluster folder holding the server's URL."""

PASSWORD_USER = "mesh_password_checked"
"""The one role whose TCP logins must give a password (SCRAM): the cluster's ``pg_hba.conf``
asks it of this role only, so a test can check what a wrong password says."""


def binaries() -> Path | None:
    """The folder of ``initdb``/``pg_ctl`` (newest Debian version first), or None if absent."""
    for found in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True,
                        key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit()
                        else 0):
        if (Path(found) / "initdb").exists():
            return Path(found)
    on_path = shutil.which("initdb")
    return Path(on_path).parent if on_path else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_owner(argv: list[str]) -> list[str]:
    """``argv`` run as the ``postgres`` user when we are root (initdb refuses root)."""
    if os.geteuid() != 0:
        return argv
    return ["runuser", "-u", "postgres", "--", *argv]


def start(folder: Path, timeout_s: float = 60.0) -> str:
    """Create and start a cluster in ``folder`` (or start the stopped one already there);
    return ``postgresql://mesh@127.0.0.1:PORT/postgres``.

    Raises:
        RuntimeError: no PostgreSQL binaries, or the server did not start within ``timeout_s``.
    """
    bin_dir = binaries()
    if bin_dir is None:
        raise RuntimeError("PostgreSQL is not installed (no initdb); install Debian's "
                           "'postgresql' package.")
    folder = Path(folder).resolve()
    data = folder / "data"
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        owner = pwd.getpwnam("postgres")
        os.chown(folder, owner.pw_uid, owner.pw_gid)
    if not (data / "PG_VERSION").exists():  # a stopped cluster (the benchmark's) is reused
        subprocess.run(_as_owner([str(bin_dir / "initdb"), "-D", str(data), "-U", SUPERUSER,
                                  "-A", "trust", "-E", "UTF8", "--no-sync"]),
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        hba = data / "pg_hba.conf"  # rules are read top down: this one before the trust ones
        hba.write_text(f"host all {PASSWORD_USER} 127.0.0.1/32 scram-sha-256\n"
                       + hba.read_text())
    port = _free_port()
    options = (f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off "
               "-c max_connections=200 -c shared_buffers=64MB")
    subprocess.run(_as_owner([str(bin_dir / "pg_ctl"), "-D", str(data), "-l",
                              str(folder / "server.log"), "-o", options, "-w", "-t",
                              str(int(timeout_s)), "start"]),
                   check=True, stdout=subprocess.DEVNULL)
    url = f"postgresql://{SUPERUSER}@127.0.0.1:{port}/postgres"
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            time.sleep(0.2)
    else:
        raise RuntimeError(f"PostgreSQL did not start; see {folder / 'server.log'}")
    (folder / URL_FILE).write_text(url + "\n")
    return url


def stop(folder: Path) -> None:
    """Stop the cluster in ``folder`` (fast shutdown); nothing happens if it is not running."""
    bin_dir = binaries()
    data = Path(folder).resolve() / "data"
    if bin_dir is None or not (data / "postmaster.pid").exists():
        return
    subprocess.run(_as_owner([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w",
                              "stop"]), check=False, stdout=subprocess.DEVNULL)


def create_database(server_url: str, prefix: str) -> str:
    """Create a new, empty database on a running server with ``createdb``.

    Args:
        server_url: a URL of the server, as :func:`start` returns it (its user must be
            allowed to create databases; its database part is ignored).
        prefix: the start of the new database's name (lower case letters, digits and ``_``);
            a random 16-hex-digit suffix makes it unique.

    Returns:
        The URL of the new database: ``server_url`` with its path replaced.

    Raises:
        subprocess.CalledProcessError: ``createdb`` failed (server down, name refused).
    """
    parts = urlsplit(server_url)
    name = f"{prefix}_{uuid.uuid4().hex[:16]}"
    bin_dir = binaries()
    createdb = str(bin_dir / "createdb") if bin_dir else "createdb"
    subprocess.run([createdb, "-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 5432),
                    "-U", parts.username or SUPERUSER, name], check=True)
    return urlunsplit(parts._replace(path=f"/{name}"))


def password_database(server_url: str, password: str) -> str | None:
    """A database owned by :data:`PASSWORD_USER` (created with that password) on a server
    :func:`start` made; returns its URL with the password, or None when the server does not
    ask that role for a password (a server started elsewhere).

    Raises:
        subprocess.CalledProcessError: ``psql`` or ``createdb`` failed.
    """
    parts = urlsplit(server_url)
    bin_dir = binaries()
    psql = str(bin_dir / "psql") if bin_dir else "psql"
    base = [psql, "-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 5432),
            "-U", parts.username or SUPERUSER, "-d", "postgres", "-tAq", "-v", "ON_ERROR_STOP=1"]
    checked = subprocess.run(
        [*base, "-c", f"SELECT count(*) FROM pg_hba_file_rules WHERE '{PASSWORD_USER}' = "
                      "ANY(user_name) AND auth_method = 'scram-sha-256'"],
        check=True, capture_output=True, text=True).stdout.strip()
    if checked in ("", "0"):
        return None
    subprocess.run([*base, "-c", f"DO $$ BEGIN CREATE ROLE {PASSWORD_USER} LOGIN; "
                                 "EXCEPTION WHEN duplicate_object THEN NULL; END $$; "
                                 f"ALTER ROLE {PASSWORD_USER} PASSWORD '{password}'"],
                   check=True, capture_output=True)
    name = f"pw_{uuid.uuid4().hex[:16]}"
    createdb = str(bin_dir / "createdb") if bin_dir else "createdb"
    subprocess.run([createdb, "-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 5432),
                    "-U", parts.username or SUPERUSER, "-O", PASSWORD_USER, name], check=True)
    netloc = f"{PASSWORD_USER}:{password}@{parts.hostname}:{parts.port}"
    return urlunsplit(parts._replace(netloc=netloc, path=f"/{name}"))


def main(argv: list[str]) -> int:
    """Command line: ``start FOLDER`` (prints the URL) or ``stop FOLDER``."""
    if len(argv) != 2 or argv[0] not in {"start", "stop"}:
        print("usage: python3 -m tests.support.postgres start|stop FOLDER", file=sys.stderr)
        return 2
    if argv[0] == "start":
        print(start(Path(argv[1])))
    else:
        stop(Path(argv[1]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
