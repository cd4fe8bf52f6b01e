"""Sign-in in a real browser: behind an authenticating proxy (the proxy's headers set by the
browser), and with OpenID Connect against a real provider started by the test
(``oidc-provider-mock``), two people in two browser contexts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from catalog.catalog import Catalog
from catalog.config import Settings
from catalog.models.principal import LOCAL_USER
from portal import auth
from tests.e2e.conftest import TIMEOUT_MS, new_page, serve_portal, wait_for_text
from tests.e2e.oidc import oidc_provider, server_folder, sign_in

pytestmark = pytest.mark.e2e

ANA_HEADERS = {"X-Forwarded-Email": "ana@skyport.example", "X-Forwarded-User": "ana",
               "X-Forwarded-Preferred-Username": "Ana Souza", "X-Forwarded-Groups": "analysts",
               # what a proxy on the same machine adds: the browser's own address
               "X-Forwarded-For": "203.0.113.9"}


def _home(page: Any) -> Any:
    """The home page's title (exactly: the sign-in page's title contains it too)."""
    return page.get_by_role("heading", name="Data mesh portal", exact=True)


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
        context, page = new_page(browser, ANA_HEADERS)
        try:
            page.goto(url)
            wait_for_text(page, "Signed in as")
            _home(page).wait_for(timeout=TIMEOUT_MS)
            assert page.get_by_text("Signed in as Ana Souza").count() == 1
            assert page.get_by_text(auth.NOT_SIGNED_IN).count() == 0
        finally:
            context.close()
        context, page = new_page(browser)  # the proxy let nobody in: no headers
        try:
            page.goto(url)
            wait_for_text(page, auth.NOT_SIGNED_IN)
            assert _home(page).count() == 0
        finally:
            context.close()

    with _proxy_server(demo_settings, tmp_path, "10.0.0.0/8") as url:
        context, page = new_page(browser, ANA_HEADERS)
        try:
            page.goto(url)
            wait_for_text(page, auth.NOT_SIGNED_IN)
            wait_for_text(page, "sign-in proxy")  # the explanation renders after the title
            assert page.get_by_text("sign-in proxy", exact=False).count() == 1
            assert page.get_by_text("Ana Souza").count() == 0
            assert _home(page).count() == 0
        finally:
            context.close()
    after = _sign_ins(demo_settings, "ana@skyport.example")
    assert after[:len(after) - before] == ["proxy"], "one sign-in; the refused ones are not"


# -- OpenID Connect ---------------------------------------------------------------------------


def test_oidc_sign_in_two_people_and_sign_out(
        browser: Any, demo_settings: Settings, tmp_path: Path) -> None:
    with oidc_provider(tmp_path / "provider.log") as issuer, serve_portal(
            demo_settings, tmp_path / "oidc.log", cwd=server_folder(tmp_path / "cwd", issuer),
            env={"MESH_AUTH": "oidc", "MESH_ADMINS": None, "MESH_ADMIN_GROUPS": None}) as url:
        maria_context, maria = new_page(browser)
        ana_context, ana = new_page(browser)
        try:
            maria.goto(url)
            wait_for_text(maria, auth.SIGN_IN_TITLE)
            assert _home(maria).count() == 0

            sign_in(maria, url, "maria.lopez@skyport.example")
            sign_in(ana, url, "ana@example.com")
            for page, name, other in ((maria, "María López", "Ana Consumer"),
                                      (ana, "Ana Consumer", "María López")):
                _home(page).wait_for(timeout=TIMEOUT_MS)
                assert page.get_by_text(f"Signed in as {name}").count() == 1
                assert page.get_by_text(other).count() == 0
            maria.wait_for_timeout(500)
            maria.screenshot(path="/tmp/signin.png")

            maria.reload()  # the identity cookie keeps her signed in
            wait_for_text(maria, "Signed in as María López")

            ana.get_by_role("button", name=auth.SIGN_OUT).click()
            end_session = ana.get_by_role("button", name="End session")
            end_session.wait_for(timeout=TIMEOUT_MS)  # the provider's own sign-out
            end_session.click()
            wait_for_text(ana, auth.SIGN_IN_TITLE)
            assert ana.get_by_text("Ana Consumer").count() == 0
            ana.goto(url)
            wait_for_text(ana, auth.SIGN_IN_TITLE)

            maria.reload()  # signing Ana out did not sign María out
            wait_for_text(maria, "Signed in as María López")
            assert set(_sign_ins(demo_settings, "maria.lopez@skyport.example")) == {"oidc"}
            assert _sign_ins(demo_settings, "ana@example.com") == ["oidc"]
        finally:
            maria_context.close()
            ana_context.close()
