"""Sign-in in a real browser: behind an authenticating proxy (the proxy's headers set by the
browser), and with OpenID Connect against a real provider started by the test
(``oidc-provider-mock``), two people in two browser contexts."""

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

import pytest

from catalog.catalog import Catalog
from catalog.config import REPO_ROOT, Settings
from catalog.models.principal import LOCAL_USER
from portal import auth
from tests.e2e.conftest import _free_port, serve_portal

pytestmark = pytest.mark.e2e

ANA_HEADERS = {"X-Forwarded-Email": "ana@skyport.example", "X-Forwarded-User": "ana",
               "X-Forwarded-Preferred-Username": "Ana Souza", "X-Forwarded-Groups": "analysts",
               # what a proxy on the same machine adds: the browser's own address
               "X-Forwarded-For": "203.0.113.9"}
PEOPLE = {
    "maria.lopez@skyport.example": {"email": "maria.lopez@skyport.example",
                                    "name": "María López", "groups": ["operations"]},
    "ana@example.com": {"email": "ana@example.com", "name": "Ana Consumer"},
}
TIMEOUT_MS = 60_000


def _new_page(browser: Any, headers: dict[str, str] | None = None) -> tuple[Any, Any]:
    """A fresh browser context (its own cookies) and a page in it."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    if headers:
        context.set_extra_http_headers(headers)
    return context, context.new_page()


def _home(page: Any) -> Any:
    """The home page's title (exactly: the sign-in page's title contains it too)."""
    return page.get_by_role("heading", name="Data mesh portal", exact=True)


def _wait_for_text(page: Any, text: str) -> None:
    page.get_by_text(text, exact=False).first.wait_for(timeout=TIMEOUT_MS)


def _sign_ins(settings: Settings, user: str) -> list[str]:
    """The modes of ``user``'s sign-ins in the mesh's audit log."""
    events = Catalog(settings).audit_log(LOCAL_USER, actor=user, action_prefix="user.signed_in")
    return [str(e["detail"]["mode"]) for e in events]


def _proxy_server(settings: Settings, tmp_path: Path, trusted: str) -> Any:
    # FORWARDED_ALLOW_IPS="" keeps the connection's address the proxy's own, as the
    # documentation tells a proxy deployment to do.
    return serve_portal(settings, tmp_path / f"proxy-{trusted.replace('/', '_')}.log",
                        env={"MESH_AUTH": "proxy", "MESH_TRUSTED_PROXIES": trusted,
                             "FORWARDED_ALLOW_IPS": "", "MESH_ADMINS": None,
                             "MESH_ADMIN_GROUPS": None})


def test_proxy_headers_sign_in_only_from_a_trusted_proxy(
        browser: Any, demo_settings: Settings, tmp_path: Path) -> None:
    before = len(_sign_ins(demo_settings, "ana@skyport.example"))
    with _proxy_server(demo_settings, tmp_path, "127.0.0.1/32") as url:
        context, page = _new_page(browser, ANA_HEADERS)
        try:
            page.goto(url)
            _wait_for_text(page, "Signed in as")
            _home(page).wait_for(timeout=TIMEOUT_MS)
            assert page.get_by_text("Signed in as Ana Souza").count() == 1
            assert page.get_by_text(auth.NOT_SIGNED_IN).count() == 0
        finally:
            context.close()
        context, page = _new_page(browser)  # the proxy let nobody in: no headers
        try:
            page.goto(url)
            _wait_for_text(page, auth.NOT_SIGNED_IN)
            assert _home(page).count() == 0
        finally:
            context.close()

    with _proxy_server(demo_settings, tmp_path, "10.0.0.0/8") as url:
        context, page = _new_page(browser, ANA_HEADERS)
        try:
            page.goto(url)
            _wait_for_text(page, auth.NOT_SIGNED_IN)
            assert page.get_by_text("sign-in proxy", exact=False).count() == 1
            assert page.get_by_text("Ana Souza").count() == 0
            assert _home(page).count() == 0
        finally:
            context.close()
    after = _sign_ins(demo_settings, "ana@skyport.example")
    assert after[:len(after) - before] == ["proxy"], "one sign-in; the refused ones are not"


# -- OpenID Connect ---------------------------------------------------------------------------


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
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def _server_folder(folder: Path, issuer: str) -> Path:
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


def _sign_in(page: Any, url: str, who: str) -> None:
    page.goto(url)
    page.get_by_role("button", name=auth.SIGN_IN).click(timeout=TIMEOUT_MS)
    page.get_by_placeholder("sub").fill(who, timeout=TIMEOUT_MS)
    page.get_by_role("button", name="Authorize").click()
    _wait_for_text(page, "Signed in as")


def test_oidc_sign_in_two_people_and_sign_out(
        browser: Any, demo_settings: Settings, tmp_path: Path) -> None:
    with oidc_provider(tmp_path / "provider.log") as issuer, serve_portal(
            demo_settings, tmp_path / "oidc.log", cwd=_server_folder(tmp_path / "cwd", issuer),
            env={"MESH_AUTH": "oidc", "MESH_ADMINS": None, "MESH_ADMIN_GROUPS": None}) as url:
        maria_context, maria = _new_page(browser)
        ana_context, ana = _new_page(browser)
        try:
            maria.goto(url)
            _wait_for_text(maria, auth.SIGN_IN_TITLE)
            assert _home(maria).count() == 0

            _sign_in(maria, url, "maria.lopez@skyport.example")
            _sign_in(ana, url, "ana@example.com")
            for page, name, other in ((maria, "María López", "Ana Consumer"),
                                      (ana, "Ana Consumer", "María López")):
                _home(page).wait_for(timeout=TIMEOUT_MS)
                assert page.get_by_text(f"Signed in as {name}").count() == 1
                assert page.get_by_text(other).count() == 0
            maria.wait_for_timeout(500)
            maria.screenshot(path="/tmp/signin.png")

            maria.reload()  # the identity cookie keeps her signed in
            _wait_for_text(maria, "Signed in as María López")

            ana.get_by_role("button", name=auth.SIGN_OUT).click()
            end_session = ana.get_by_role("button", name="End session")
            end_session.wait_for(timeout=TIMEOUT_MS)  # the provider's own sign-out
            end_session.click()
            _wait_for_text(ana, auth.SIGN_IN_TITLE)
            assert ana.get_by_text("Ana Consumer").count() == 0
            ana.goto(url)
            _wait_for_text(ana, auth.SIGN_IN_TITLE)

            maria.reload()  # signing Ana out did not sign María out
            _wait_for_text(maria, "Signed in as María López")
            assert set(_sign_ins(demo_settings, "maria.lopez@skyport.example")) == {"oidc"}
            assert _sign_ins(demo_settings, "ana@example.com") == ["oidc"]
        finally:
            maria_context.close()
            ana_context.close()
