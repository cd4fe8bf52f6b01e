"""OpenID Connect for browser tests: a real provider (``oidc-provider-mock``) on a free local
port knowing :data:`PEOPLE`, a working folder whose ``secrets.toml`` points the portal's
``st.login`` at it, and signing a person in through the provider's form.
"""

from __future__ import annotations

import json
import secrets
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from catalog.config import REPO_ROOT
from portal import auth
from tests.e2e.conftest import TIMEOUT_MS, _free_port, stop, wait_for_text

PEOPLE: dict[str, dict[str, Any]] = {
    "maria.lopez@skyport.example": {"email": "maria.lopez@skyport.example",
                                    "name": "María López", "groups": ["operations"]},
    # owner of the passengers domain (domains/passengers/domain.yaml): decides its access
    "sofia.rossi@skyport.example": {"email": "sofia.rossi@skyport.example",
                                    "name": "Sofia Rossi"},
    "ana@example.com": {"email": "ana@example.com", "name": "Ana Consumer"},
}
"""The provider's users by ``sub``, with their claims."""
OIDC_ENV: dict[str, str | None] = {"MESH_AUTH": "oidc", "MESH_ADMINS": None,
                                   "MESH_ADMIN_GROUPS": None}
"""Server environment of an OIDC portal with no governance admin configured."""


def _wait_for_provider(issuer: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the OIDC provider exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{issuer}/.well-known/openid-configuration",
                                        timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the OIDC provider did not start in time")


@contextmanager
def oidc_provider(log_path: Path) -> Iterator[str]:
    """A real OpenID Connect provider on a free local port, knowing :data:`PEOPLE`; yields its
    issuer URL."""
    port = _free_port()
    users = [json.dumps({"sub": sub, **claims}) for sub, claims in PEOPLE.items()]
    log = log_path.open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "oidc_provider_mock", "--host", "127.0.0.1", "--port", str(port),
         "--require-nonce", *[arg for user in users for arg in ("--user-claims", user)]],
        stdout=log, stderr=subprocess.STDOUT)
    issuer = f"http://127.0.0.1:{port}"
    try:
        _wait_for_provider(issuer, process)
        yield issuer
    finally:
        stop(process)
        log.close()


def server_folder(folder: Path, issuer: str) -> Path:
    """A working folder for the portal: the repository's config.toml and a secrets.toml whose
    ``[auth]`` section points at ``issuer`` (test-only secrets, made up now)."""
    streamlit_dir = folder / ".streamlit"
    streamlit_dir.mkdir(parents=True)
    shutil.copy(REPO_ROOT / ".streamlit" / "config.toml", streamlit_dir / "config.toml")
    (streamlit_dir / "secrets.toml").write_text(
        "[auth]\n"
        'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_urlsafe(32)}"\n'
        'client_id = "data-mesh-portal"\n'
        f'client_secret = "{secrets.token_urlsafe(16)}"\n'
        f'server_metadata_url = "{issuer}/.well-known/openid-configuration"\n')
    return folder


def sign_in(page: Any, url: str, who: str) -> None:
    """Sign ``who`` (a ``sub`` of :data:`PEOPLE`) in on the portal at ``url`` through the
    provider's form; returns once the portal says who is signed in."""
    page.goto(url)
    page.get_by_role("button", name=auth.SIGN_IN).click(timeout=TIMEOUT_MS)
    page.get_by_placeholder("sub").fill(who, timeout=TIMEOUT_MS)
    page.get_by_role("button", name="Authorize").click()
    wait_for_text(page, "Signed in as")
