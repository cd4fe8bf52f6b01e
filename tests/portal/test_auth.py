"""Sign-in modes (portal/auth.py): the pure rules, and what the app shows in each mode."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterator

import pytest
from streamlit import config as st_config
from streamlit.testing.v1 import AppTest

from catalog.access.identity import AdminConfig
from catalog.catalog import Catalog
from catalog.models.principal import ANONYMOUS, CONSUMER, GOVERNANCE_ADMIN, LOCAL_USER, Principal
from portal import auth
from tests.portal.pagetest import APP, OIDC_SECRETS, TIMEOUT, assert_clean, open_page, texts

# -- mode selection ---------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "mode"), [
    (None, "local"), ("", "local"), ("  ", "local"), ("local", "local"), ("proxy", "proxy"),
    ("oidc", "oidc"), (" OIDC ", "oidc"), ("Proxy", "proxy"),
])
def test_mode_name_defaults_to_local(value: str | None, mode: str) -> None:
    environ = {} if value is None else {"MESH_AUTH": value}
    assert auth.mode_name(environ) == mode
    assert auth.selected_mode(environ).name == mode


def test_unknown_mode_names_the_three() -> None:
    with pytest.raises(auth.AuthConfigError) as raised:
        auth.mode_name({"MESH_AUTH": "saml"})
    message = str(raised.value)
    assert "MESH_AUTH" in message and "'saml'" in message
    for name in ("local", "proxy", "oidc"):
        assert name in message


def test_mode_registry() -> None:
    assert set(auth.MODES) == {"local", "proxy", "oidc"}
    for name, mode in auth.MODES.items():
        assert mode.name == name
        assert callable(mode.principal) and callable(mode.refuse) and callable(mode.show)
    with pytest.raises(TypeError):
        auth.MODES["saml"] = auth.MODES["local"]  # type: ignore[index]


# -- loopback ---------------------------------------------------------------------------------


@pytest.mark.parametrize("address", ["127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost",
                                     "LocalHost", " 127.0.0.1 ", "::ffff:127.0.0.1"])
def test_loopback_addresses(address: str) -> None:
    assert auth.is_loopback(address)


@pytest.mark.parametrize("address", [None, "", "0.0.0.0", "::", "192.168.1.10", "10.0.0.1",
                                     "example.com", "localhost.example.com", "fe80::1"])
def test_other_addresses_are_not_loopback(address: str | None) -> None:
    assert not auth.is_loopback(address)


# -- trusted proxies --------------------------------------------------------------------------


def test_parse_trusted_proxies() -> None:
    networks = auth.parse_trusted_proxies(" 127.0.0.1, 10.0.0.0/8,fd00::/8 ,::1,, 10.1.2.3/16")
    assert networks == (ipaddress.ip_network("127.0.0.1/32"), ipaddress.ip_network("10.0.0.0/8"),
                        ipaddress.ip_network("fd00::/8"), ipaddress.ip_network("::1/128"),
                        ipaddress.ip_network("10.1.0.0/16"))
    assert auth.parse_trusted_proxies(None) == () == auth.parse_trusted_proxies(" , ")


@pytest.mark.parametrize("raw", ["proxy.example", "10.0.0.0/33", "127.0.0.1;10.0.0.1", "*"])
def test_malformed_trusted_proxies_are_refused(raw: str) -> None:
    with pytest.raises(auth.AuthConfigError, match="MESH_TRUSTED_PROXIES"):
        auth.parse_trusted_proxies(raw)


@pytest.mark.parametrize(("address", "trusted"), [
    ("127.0.0.1", True), ("10.20.30.40", True), ("10.255.255.255", True), ("11.0.0.1", False),
    ("192.168.0.1", False), ("::1", True), ("fd00::abcd", True), ("fe80::1", False),
    ("::ffff:10.0.0.7", True), ("::ffff:11.0.0.7", False), ("127.0.0.2", False),
    (None, False), ("", False), ("not-an-ip", False), ("10.0.0.1, 127.0.0.1", False),
])
def test_trusted_proxy_match(address: str | None, trusted: bool) -> None:
    proxies = auth.parse_trusted_proxies("127.0.0.1/32, 10.0.0.0/8, ::1, fd00::/8")
    assert auth.is_trusted_proxy(address, proxies) is trusted


def test_nobody_is_trusted_without_proxies() -> None:
    assert not auth.is_trusted_proxy("127.0.0.1", ())


# -- proxy headers ----------------------------------------------------------------------------

ANA = [("X-Forwarded-Email", "ana@skyport.example"), ("x-forwarded-user", "ana"),
       ("X-FORWARDED-PREFERRED-USERNAME", "Ana Souza"),
       ("X-Forwarded-Groups", "analysts, mesh-admins,"), ("X-Forwarded-Groups", "pilots"),
       ("Host", "portal.skyport.example")]


def test_identity_from_headers() -> None:
    identity = auth.identity_from_headers(ANA)
    assert identity == auth.ProxyIdentity(user_id="ana@skyport.example", name="Ana Souza",
                                          email="ana@skyport.example",
                                          groups=("analysts", "mesh-admins", "pilots"))


def test_identity_without_email_uses_the_user_header() -> None:
    identity = auth.identity_from_headers([("X-Forwarded-User", " ana ")])
    assert identity == auth.ProxyIdentity(user_id="ana", name="ana")
    only_email = auth.identity_from_headers([("X-Forwarded-Email", "ana@skyport.example")])
    assert only_email is not None and only_email.name == "ana@skyport.example"


@pytest.mark.parametrize("headers", [
    [], [("Host", "x")], [("X-Forwarded-Email", "  ")],
    [("X-Forwarded-Preferred-Username", "Ana"), ("X-Forwarded-Groups", "mesh-admins")],
    [("X-Forwarded-Email", "mallory@evil.example"), ("X-Forwarded-Email", "ana@skyport.example")],
    [*ANA, ("X-Forwarded-User", "mallory")],
])
def test_no_or_ambiguous_identity(headers: list[tuple[str, str]]) -> None:
    assert auth.identity_from_headers(headers) is None
    assert auth.proxy_principal(headers, AdminConfig()) == ANONYMOUS


def test_utf8_header_values_read_as_text() -> None:
    # The server decodes header bytes as Latin-1; the proxy sent UTF-8.
    raw = "María López".encode().decode("latin-1")
    identity = auth.identity_from_headers([("X-Forwarded-Email", "maria.lopez@skyport.example"),
                                           ("X-Forwarded-Preferred-Username", raw)])
    assert identity is not None and identity.name == "María López"
    latin1_only = auth.identity_from_headers([("X-Forwarded-User", "Jos\xe9")])
    assert latin1_only is not None and latin1_only.user_id == "Jos\xe9"


def test_proxy_principal_roles_come_from_configuration() -> None:
    consumer = auth.proxy_principal(ANA, AdminConfig())
    assert consumer.signed_in and consumer.username == "ana@skyport.example"
    assert consumer.display_name == "Ana Souza" and consumer.email == "ana@skyport.example"
    assert consumer.roles == {CONSUMER}
    assert consumer.groups == {"analysts", "mesh-admins", "pilots"}
    admin = auth.proxy_principal(ANA, AdminConfig(groups=frozenset({"mesh-admins"})))
    assert admin.roles == {CONSUMER, GOVERNANCE_ADMIN}


# -- OIDC claims ------------------------------------------------------------------------------


def test_oidc_principal() -> None:
    claims = {"is_logged_in": True, "sub": "a1b2", "email": "maria.lopez@skyport.example",
              "name": "María López", "groups": ["ops", " mesh-admins "]}
    admins = AdminConfig(users=frozenset({"maria.lopez@skyport.example"}))
    maria = auth.oidc_principal(claims, admins)
    assert maria.username == "maria.lopez@skyport.example" and maria.display_name == "María López"
    assert maria.roles == {CONSUMER, GOVERNANCE_ADMIN} and maria.groups == {"ops", "mesh-admins"}
    by_sub = auth.oidc_principal({"is_logged_in": True, "sub": "a1b2", "groups": "x, y"},
                                 AdminConfig())
    assert by_sub.username == "a1b2" and by_sub.display_name == "a1b2"
    assert by_sub.email == "" and by_sub.groups == {"x", "y"} and by_sub.roles == {CONSUMER}


@pytest.mark.parametrize("claims", [
    {}, {"is_logged_in": False, "email": "ana@example.com"}, {"email": "ana@example.com"},
    {"is_logged_in": "true", "email": "ana@example.com"}, {"is_logged_in": True},
    {"is_logged_in": True, "email": "", "sub": " "},
])
def test_oidc_nobody(claims: dict[str, object]) -> None:
    assert auth.oidc_principal(claims, AdminConfig()) == ANONYMOUS


# -- the app in each mode ---------------------------------------------------------------------


@pytest.fixture()
def server_address() -> Iterator[Callable[[str | None], None]]:
    """Set Streamlit's ``server.address`` for one test; restored after."""
    saved = st_config.get_option("server.address")
    yield lambda value: st_config.set_option("server.address", value)
    st_config.set_option("server.address", saved)


@pytest.fixture()
def sign_ins(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Principal, str]]:
    """The sign-ins the app records (``Catalog.record_sign_in`` replaced for the test)."""
    calls: list[tuple[Principal, str]] = []

    def record(self: Catalog, principal: Principal, mode: str) -> None:
        calls.append((principal, mode))

    monkeypatch.setattr(Catalog, "record_sign_in", record)
    return calls


def _nothing_of_the_portal(at: AppTest) -> None:
    assert not at.metric and not at.page_link and not at.text_input and not at.tabs
    assert "Data mesh portal" not in [t.value for t in at.title]


def _app(mode: str | None, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    if mode is None:
        monkeypatch.delenv("MESH_AUTH", raising=False)
    else:
        monkeypatch.setenv("MESH_AUTH", mode)
    return AppTest.from_file(str(APP), default_timeout=TIMEOUT)


@pytest.mark.usefixtures("demo_env")
def test_local_mode_shows_the_banner_on_home(
        monkeypatch: pytest.MonkeyPatch, server_address: Callable[[str | None], None],
        sign_ins: list[tuple[Principal, str]]) -> None:
    monkeypatch.delenv("MESH_AUTH", raising=False)
    server_address("127.0.0.1")
    at = open_page()
    assert_clean(at)
    assert at.title[0].value == "Data mesh portal"
    assert [c.value for c in at.caption].count(auth.LOCAL_BANNER) == 1
    at.run()
    assert sign_ins == [(LOCAL_USER, "local")], "recorded once per session"


@pytest.mark.usefixtures("demo_env")
@pytest.mark.parametrize("address", ["0.0.0.0", "::", "192.168.1.10", "portal.example"])
def test_local_mode_refuses_to_serve_other_computers(
        address: str, monkeypatch: pytest.MonkeyPatch,
        server_address: Callable[[str | None], None],
        sign_ins: list[tuple[Principal, str]]) -> None:
    server_address(address)
    at = _app(None, monkeypatch)
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == [auth.LOCAL_ONLY]
    assert not at.caption and not at.markdown
    _nothing_of_the_portal(at)
    assert sign_ins == []
    monkeypatch.setenv("MESH_AUTH", "local")
    assert auth.current_principal() == ANONYMOUS, "no page gets the administrator either"


@pytest.mark.usefixtures("demo_env")
def test_unknown_mode_is_an_error_and_nothing_else(
        monkeypatch: pytest.MonkeyPatch, sign_ins: list[tuple[Principal, str]]) -> None:
    at = _app("saml", monkeypatch)
    at.run()
    assert not at.exception and len(at.error) == 1
    assert all(name in at.error[0].value for name in ("saml", "local", "proxy", "oidc"))
    _nothing_of_the_portal(at)
    assert sign_ins == []


@pytest.mark.usefixtures("demo_env")
def test_proxy_mode_without_a_trusted_proxy_is_not_signed_in(
        monkeypatch: pytest.MonkeyPatch, sign_ins: list[tuple[Principal, str]]) -> None:
    monkeypatch.setenv("MESH_TRUSTED_PROXIES", "127.0.0.1/32")
    at = _app("proxy", monkeypatch)
    at.run()
    assert not at.exception and not at.error
    assert at.title[0].value == auth.NOT_SIGNED_IN
    assert "sign-in proxy" in texts(at)
    _nothing_of_the_portal(at)
    assert sign_ins == []


@pytest.mark.usefixtures("demo_env")
def test_proxy_mode_with_malformed_trusted_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MESH_TRUSTED_PROXIES", "proxy.example")
    at = _app("proxy", monkeypatch)
    at.run()
    assert len(at.error) == 1 and "MESH_TRUSTED_PROXIES" in at.error[0].value
    _nothing_of_the_portal(at)



@pytest.mark.usefixtures("demo_env")
def test_oidc_mode_signed_out_shows_the_sign_in_page(
        monkeypatch: pytest.MonkeyPatch, sign_ins: list[tuple[Principal, str]]) -> None:
    at = _app("oidc", monkeypatch)
    at.secrets = OIDC_SECRETS
    at.user = {"is_logged_in": False}
    at.run()
    assert not at.exception and not at.error
    assert at.title[0].value == auth.SIGN_IN_TITLE
    assert [b.label for b in at.button] == [auth.SIGN_IN]
    _nothing_of_the_portal(at)
    assert sign_ins == []


@pytest.mark.usefixtures("demo_env")
def test_oidc_mode_signed_in_shows_the_user_and_signs_out(
        monkeypatch: pytest.MonkeyPatch, sign_ins: list[tuple[Principal, str]]) -> None:
    monkeypatch.setenv("MESH_ADMINS", "")
    monkeypatch.setenv("MESH_ADMIN_GROUPS", "")
    at = _app("oidc", monkeypatch)
    at.secrets = OIDC_SECRETS
    at.user = {"is_logged_in": True, "sub": "u-17", "email": "maria.lopez@skyport.example",
               "name": "María López"}
    at.run()
    assert_clean(at)
    assert at.title[0].value == "Data mesh portal"
    assert "Signed in as **María López**" in texts(at)
    assert auth.LOCAL_BANNER not in texts(at)
    [(principal, mode)] = sign_ins
    assert mode == "oidc" and principal.username == "maria.lopez@skyport.example"
    assert principal.roles == {CONSUMER}
    at.button(key=auth.SIGN_OUT_BUTTON).click().run()
    assert at.title[0].value == auth.SIGN_IN_TITLE
    _nothing_of_the_portal(at)


@pytest.mark.usefixtures("demo_env")
def test_oidc_mode_without_auth_secrets_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    at = _app("oidc", monkeypatch)
    at.secrets = {"unrelated": "value"}
    at.user = {"is_logged_in": True, "email": "ana@example.com"}
    at.run()
    assert [e.value for e in at.error] == [auth.OIDC_NOT_CONFIGURED.replace("[auth]",
                                                                             "\\[auth\\]")]
    _nothing_of_the_portal(at)
