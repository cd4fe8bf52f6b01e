"""Who is asking: the portal's sign-in modes, chosen by ``MESH_AUTH``.

The catalog decides what a principal may do; this module only learns *who* the user of a
session is and turns that into a :class:`~catalog.models.principal.Principal`:

``local`` (the default)
    The single user :data:`~catalog.models.principal.LOCAL_USER`, a governance admin. Served
    only to this computer: the server must listen on a loopback address, otherwise the app
    refuses to serve (anyone who can reach it would be an administrator).
``proxy``
    An authenticating proxy (such as oauth2-proxy) signs people in and passes who they are in
    ``X-Forwarded-Email``, ``X-Forwarded-User``, ``X-Forwarded-Preferred-Username`` and
    ``X-Forwarded-Groups``. The headers are believed only when the connection comes from an
    address in ``MESH_TRUSTED_PROXIES``.
``oidc``
    Streamlit's own OpenID Connect sign-in (``st.login``/``st.user``/``st.logout``), set up in
    the ``[auth]`` section of ``.streamlit/secrets.toml``.

The pure parts (mode selection, loopback check, trusted-proxy check, header and claim parsing)
are plain functions; the Streamlit parts read the session's request and render the sign-in,
refusal and identity elements. Nothing per user is kept at module level or in a Streamlit
cache: the principal is worked out from the session's own request on every call.
"""

from __future__ import annotations

import ipaddress
import logging
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import streamlit as st
from streamlit import config as st_config
from streamlit import runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

from catalog import ANONYMOUS, LOCAL_USER, AdminConfig, Catalog, Principal, principal_for
from portal.safe_text import escape_markdown

logger = logging.getLogger(__name__)

AUTH_ENV = "MESH_AUTH"
"""Environment variable naming the sign-in mode."""
TRUSTED_PROXIES_ENV = "MESH_TRUSTED_PROXIES"
"""Environment variable: comma-separated IP addresses or CIDR networks of trusted proxies."""
FORWARDED_ALLOW_IPS_ENV = "FORWARDED_ALLOW_IPS"
"""Environment variable of Streamlit's web server (uvicorn): peers whose ``X-Forwarded-For`` it
believes (default: loopback). Proxy mode wants it empty, so the peer address stays the proxy's."""
DEFAULT_MODE = "local"
"""The mode when ``MESH_AUTH`` is unset or empty."""

LOCAL_BANNER = ":material/person: Local mode: you are the administrator"
"""Shown above every page in local mode."""
LOCAL_ONLY = ("Local mode serves only this computer (server address 127.0.0.1). To serve other "
              "people, set MESH_AUTH=oidc or MESH_AUTH=proxy.")
"""The refusal shown when local mode is served on an address other than loopback."""
NOT_SIGNED_IN = "You are not signed in"
"""Title of the proxy mode's page for a request the trusted proxy did not sign in."""
SIGN_IN_TITLE = "Sign in to the data mesh portal"
"""Title of the OIDC mode's sign-in page."""
SIGN_IN = "Sign in"
"""Label of the OIDC sign-in button."""
SIGN_OUT = "Sign out"
"""Label of the OIDC sign-out button."""
OIDC_NOT_CONFIGURED = (
    "Sign-in is not set up: MESH_AUTH=oidc needs an [auth] section in .streamlit/secrets.toml "
    "(see docs/authentication.md).")
"""Shown when OIDC mode is chosen but Streamlit has no ``[auth]`` secrets."""

SIGN_IN_RECORDED = "auth_sign_in_recorded"
"""Session-state key: the user id whose sign-in this session has written to the audit log."""
SIGN_IN_BUTTON = "auth_sign_in"
"""Widget key of the OIDC sign-in button."""
SIGN_OUT_BUTTON = "auth_sign_out"
"""Widget key of the OIDC sign-out button."""

EMAIL_HEADER = "X-Forwarded-Email"
USER_HEADER = "X-Forwarded-User"
PREFERRED_USERNAME_HEADER = "X-Forwarded-Preferred-Username"
GROUPS_HEADER = "X-Forwarded-Groups"
IDENTITY_HEADERS = (EMAIL_HEADER, USER_HEADER, PREFERRED_USERNAME_HEADER)
"""Headers that must appear at most once: a repeated one means the request is ambiguous."""

LOOPBACK_NAMES = frozenset({"localhost"})
"""Host names taken as loopback besides loopback IP addresses."""

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class AuthConfigError(ValueError):
    """The sign-in configuration (``MESH_AUTH``, ``MESH_TRUSTED_PROXIES``, secrets) is wrong.

    Its message says what to change; the app shows it and serves nothing.
    """


# -- pure functions -----------------------------------------------------------------------------
def mode_name(environ: Mapping[str, str]) -> str:
    """The sign-in mode configured in ``environ``.

    Args:
        environ: environment variables (``os.environ``).

    Returns:
        ``local``, ``proxy`` or ``oidc`` (``local`` when ``MESH_AUTH`` is unset or empty; letter
        case and surrounding spaces are ignored).

    Raises:
        AuthConfigError: ``MESH_AUTH`` names no mode; the message names the three.
    """
    raw = environ.get(AUTH_ENV, "")
    name = raw.strip().lower() or DEFAULT_MODE
    if name not in MODES:
        choices = ", ".join(MODES)
        raise AuthConfigError(f"{AUTH_ENV}={raw.strip()!r} is not a sign-in mode: set it to one "
                              f"of {choices} (see docs/authentication.md).")
    return name


def _ip(address: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """``address`` as an IP address (brackets and IPv4-mapped IPv6 undone), None if it is not
    one."""
    if not address:
        return None
    text = address.strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def is_loopback(address: str | None) -> bool:
    """True when a server bound to ``address`` serves only this computer.

    Args:
        address: Streamlit's ``server.address``; None or ``""`` (unset) means every interface.

    Returns:
        True for ``localhost`` and loopback IP addresses (``127.0.0.0/8``, ``::1``).
    """
    if address is None:
        return False
    if address.strip().lower() in LOOPBACK_NAMES:
        return True
    ip = _ip(address)
    return ip is not None and ip.is_loopback


def parse_trusted_proxies(raw: str | None) -> tuple[Network, ...]:
    """The networks of ``MESH_TRUSTED_PROXIES``.

    Args:
        raw: comma-separated IP addresses (a single host) or CIDR networks, IPv4 or IPv6
            (``"127.0.0.1, 10.0.0.0/8, fd00::/8"``); None or empty trusts nobody.

    Returns:
        The networks, in the given order.

    Raises:
        AuthConfigError: an entry is neither an IP address nor a network.
    """
    networks: list[Network] = []
    for entry in (raw or "").split(","):
        text = entry.strip()
        if not text:
            continue
        try:
            networks.append(ipaddress.ip_network(text, strict=False))
        except ValueError:
            raise AuthConfigError(
                f"{TRUSTED_PROXIES_ENV} has {text!r}, which is neither an IP address nor a "
                "network such as 10.0.0.0/8: list your proxies' addresses, separated by commas."
            ) from None
    return tuple(networks)


def is_trusted_proxy(address: str | None, proxies: Sequence[Network]) -> bool:
    """True when a connection from ``address`` comes from a trusted proxy.

    Args:
        address: the connecting (TCP peer) address; None when unknown.
        proxies: the trusted networks (:func:`parse_trusted_proxies`).

    Returns:
        True when ``address`` is an IP address inside one of ``proxies`` (an IPv4-mapped IPv6
        address counts as its IPv4 address); False for an unknown or malformed address.
    """
    ip = _ip(address)
    return ip is not None and any(ip in network for network in proxies)


@dataclass(frozen=True)
class ProxyIdentity:
    """Who the proxy says the user is.

    Attributes:
        user_id: stable id: the e-mail address, else the proxy's user name.
        name: display name: the preferred user name, else the user name, else the e-mail.
        email: e-mail address, ``""`` when the proxy sent none.
        groups: group names.
    """

    user_id: str
    name: str
    email: str = ""
    groups: tuple[str, ...] = ()


def _header_text(value: str) -> str:
    """A header value as text: servers decode header bytes as Latin-1, proxies send UTF-8."""
    try:
        return value.encode("latin-1").decode("utf-8").strip()
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value.strip()


def identity_from_headers(headers: Iterable[tuple[str, str]]) -> ProxyIdentity | None:
    """Read the proxy's identity headers.

    Args:
        headers: the request's headers as ``(name, value)`` pairs (names in any letter case;
            a header may repeat).

    Returns:
        The identity, or None when there is no ``X-Forwarded-Email`` nor ``X-Forwarded-User``,
        or when an identity header appears more than once (a client may have sent its own).
        ``X-Forwarded-Groups`` may repeat; each value is split at commas.
    """
    values: dict[str, list[str]] = {}
    for name, value in headers:
        values.setdefault(name.strip().lower(), []).append(_header_text(value))
    if any(len(values.get(h.lower(), [])) > 1 for h in IDENTITY_HEADERS):
        return None

    def one(header: str) -> str:
        """The value of a header sent once, ``""`` when absent."""
        found = values.get(header.lower())
        return found[0] if found else ""

    email, user, preferred = one(EMAIL_HEADER), one(USER_HEADER), one(PREFERRED_USERNAME_HEADER)
    user_id = email or user
    if not user_id:
        return None
    groups = tuple(dict.fromkeys(g.strip() for value in values.get(GROUPS_HEADER.lower(), [])
                                 for g in value.split(",") if g.strip()))
    return ProxyIdentity(user_id=user_id, name=preferred or user or email, email=email,
                         groups=groups)


def proxy_principal(headers: Iterable[tuple[str, str]], admins: AdminConfig | None = None
                    ) -> Principal:
    """The principal the proxy's headers name (call only for a trusted proxy's request).

    Args:
        headers: the request's headers as ``(name, value)`` pairs.
        admins: who is a governance admin (default: from the environment).

    Returns:
        The signed-in principal, or :data:`ANONYMOUS` when the headers name nobody.
    """
    identity = identity_from_headers(headers)
    if identity is None:
        return ANONYMOUS
    return principal_for(identity.user_id, name=identity.name, email=identity.email,
                         groups=identity.groups, admins=admins)


def _claim_groups(value: object) -> list[str]:
    """The ``groups`` claim as a list: a list of names, or one comma-separated string."""
    if isinstance(value, str):
        return [g for g in (p.strip() for p in value.split(",")) if g]
    if isinstance(value, list | tuple | set | frozenset):
        return [str(g).strip() for g in value if str(g).strip()]
    return []


def oidc_principal(claims: Mapping[str, object], admins: AdminConfig | None = None
                   ) -> Principal:
    """The principal of a user signed in with OpenID Connect.

    Args:
        claims: the identity token's claims (``st.user``): ``is_logged_in``, ``sub``,
            ``email``, ``name`` and an optional ``groups`` list.
        admins: who is a governance admin (default: from the environment).

    Returns:
        The signed-in principal (user id: the e-mail address, else ``sub``), or
        :data:`ANONYMOUS` when nobody is logged in or the token names nobody.
    """
    if claims.get("is_logged_in") is not True:
        return ANONYMOUS

    def text(key: str) -> str:
        """A string claim, stripped; ``""`` when absent or not a string."""
        value = claims.get(key)
        return value.strip() if isinstance(value, str) else ""

    user_id = text("email") or text("sub")
    if not user_id:
        return ANONYMOUS
    return principal_for(user_id, name=text("name"), email=text("email"),
                         groups=_claim_groups(claims.get("groups")), admins=admins)


# -- reading the session's request -----------------------------------------------------------
def _in_app_test() -> bool:
    """True inside Streamlit's AppTest, which serves nothing (no server, no address)."""
    return bool(st_config.get_option("global.appTest"))


def _server_address() -> str | None:
    """Streamlit's ``server.address`` (None when unset: every interface)."""
    value = st_config.get_option("server.address")
    return value if isinstance(value, str) and value.strip() else None


def connection_address() -> str | None:
    """The IP address of this session's connection (the TCP peer of its websocket).

    ``st.context.ip_address`` reports a loopback peer as None, and a proxy on the same machine
    connects over loopback, so the address is read from the session's client context, where
    ``st.context.ip_address`` reads it too, without that normalisation.

    Returns:
        The address, or None when unknown (no session, or AppTest).
    """
    ctx = get_script_run_ctx()
    if ctx is None or not runtime.exists():
        return None
    client = runtime.get_instance().get_client(ctx.session_id)
    client_context = getattr(client, "client_context", None)
    address = getattr(client_context, "remote_ip", None)
    return address if isinstance(address, str) else None


def _request_headers() -> list[tuple[str, str]]:
    """This session's request headers as ``(name, value)`` pairs, repeats kept."""
    headers = st.context.headers
    return [(name, value) for name in headers for value in headers.get_all(name)]


def _oidc_configured() -> bool:
    """True when the secrets have an ``[auth]`` section for ``st.login``."""
    try:
        return st.secrets.load_if_toml_exists() and "auth" in st.secrets
    except Exception:  # noqa: BLE001 - an unreadable secrets file is "not configured"
        logger.warning("could not read the secrets for OIDC sign-in", exc_info=True)
        return False


def _local_user() -> Principal:
    """:data:`LOCAL_USER` when the server listens on loopback only, else :data:`ANONYMOUS`."""
    address = _server_address()
    if is_loopback(address) or (address is None and _in_app_test()):
        return LOCAL_USER
    return ANONYMOUS


def _proxy_user() -> Principal:
    """The user the trusted proxy names, else :data:`ANONYMOUS`.

    Raises:
        AuthConfigError: ``MESH_TRUSTED_PROXIES`` is malformed.
    """
    proxies = parse_trusted_proxies(os.environ.get(TRUSTED_PROXIES_ENV))
    address = connection_address()
    if not is_trusted_proxy(address, proxies):
        if "X-Forwarded-For" in st.context.headers and FORWARDED_ALLOW_IPS_ENV not in os.environ:
            logger.warning(
                "request from %s not trusted; Streamlit's web server takes a loopback peer's "
                "address from X-Forwarded-For unless %s='' is set (see docs/authentication.md)",
                address, FORWARDED_ALLOW_IPS_ENV)
        return ANONYMOUS
    return proxy_principal(_request_headers())


def _oidc_user() -> Principal:
    """The user logged in with ``st.login``, else :data:`ANONYMOUS`.

    Raises:
        AuthConfigError: there is no ``[auth]`` section in the secrets.
    """
    if not _oidc_configured():
        raise AuthConfigError(OIDC_NOT_CONFIGURED)
    return oidc_principal(st.user.to_dict())


# -- pages and elements ------------------------------------------------------------------------
def _refuse_local(principal: Principal) -> None:
    """Local mode on a non-loopback address: one error, nothing else."""
    st.error(LOCAL_ONLY, icon=":material/block:")


def _refuse_proxy(principal: Principal) -> None:
    """Proxy mode, request not signed in by a trusted proxy: what to do."""
    st.title(NOT_SIGNED_IN, anchor=False)
    st.markdown(
        "This portal signs people in through your organisation's sign-in proxy, and this "
        "request did not come through it.\n\n"
        "Open the portal at the address your organisation gave you and sign in there with your "
        "work account. If you did and still see this page, tell the platform team.")


def _refuse_oidc(principal: Principal) -> None:
    """OIDC mode, nobody logged in: the sign-in page."""
    st.title(SIGN_IN_TITLE, anchor=False)
    st.markdown("Find, understand and use the data products our business domains publish. "
                "Sign in with your organisation account to continue.")
    st.button(SIGN_IN, key=SIGN_IN_BUTTON, icon=":material/login:", type="primary",
              on_click=st.login)


def _who(principal: Principal) -> str:
    """``Signed in as <name>`` in Markdown, the name escaped."""
    return (":material/person: Signed in as "
            f"**{escape_markdown(principal.display_name, one_line=True)}**")


def _identity_strip(text: str, *, sign_out: bool = False) -> None:
    """A small right-aligned line above the page: ``text`` and, optionally, the sign-out
    button."""
    with st.container(horizontal=True, horizontal_alignment="right",
                      vertical_alignment="center", gap="small"):
        st.caption(text, width="content")
        if sign_out:
            st.button(SIGN_OUT, key=SIGN_OUT_BUTTON, icon=":material/logout:", type="tertiary",
                      on_click=st.logout)


def _show_local(principal: Principal) -> None:
    _identity_strip(LOCAL_BANNER)


def _show_proxy(principal: Principal) -> None:
    _identity_strip(_who(principal))


def _show_oidc(principal: Principal) -> None:
    _identity_strip(_who(principal), sign_out=True)


# -- the registry -----------------------------------------------------------------------------
@dataclass(frozen=True)
class SignInMode:
    """One way of learning who is asking.

    Attributes:
        name: the ``MESH_AUTH`` value.
        principal: the user of the current session (:data:`ANONYMOUS` when not signed in); may
            raise :class:`AuthConfigError`.
        refuse: renders the page shown instead of the portal when not signed in.
        show: renders who is signed in, above every page.
    """

    name: str
    principal: Callable[[], Principal]
    refuse: Callable[[Principal], None]
    show: Callable[[Principal], None]


MODES: Mapping[str, SignInMode] = MappingProxyType({
    "local": SignInMode("local", _local_user, _refuse_local, _show_local),
    "proxy": SignInMode("proxy", _proxy_user, _refuse_proxy, _show_proxy),
    "oidc": SignInMode("oidc", _oidc_user, _refuse_oidc, _show_oidc),
})
"""The sign-in modes by ``MESH_AUTH`` value."""


def selected_mode(environ: Mapping[str, str] | None = None) -> SignInMode:
    """The sign-in mode of ``environ`` (default: ``os.environ``).

    Raises:
        AuthConfigError: ``MESH_AUTH`` names no mode.
    """
    return MODES[mode_name(os.environ if environ is None else environ)]


def current_principal() -> Principal:
    """The user of this session, worked out from this session's request on every call.

    Returns:
        The signed-in principal, or :data:`ANONYMOUS` when the session is not signed in or the
        sign-in configuration is wrong (:func:`require_sign_in` shows why).
    """
    try:
        return selected_mode().principal()
    except AuthConfigError:
        return ANONYMOUS


def require_sign_in(open_catalog: Callable[[], Catalog]) -> Principal:
    """Let only a signed-in user through; record the sign-in once per session.

    Shows the mode's refusal page (or the configuration error) and stops the script when the
    session is not signed in. Call it from the entry point before any page runs.

    Args:
        open_catalog: gives the catalog whose audit log records the sign-in.

    Returns:
        The signed-in principal.
    """
    try:
        mode = selected_mode()
        principal = mode.principal()
    except AuthConfigError as err:
        st.error(escape_markdown(str(err)), icon=":material/error:")
        st.stop()
    if not principal.signed_in:
        mode.refuse(principal)
        st.stop()
    if st.session_state.get(SIGN_IN_RECORDED) != principal.username:
        open_catalog().record_sign_in(principal, mode.name)
        st.session_state[SIGN_IN_RECORDED] = principal.username
    return principal


def show_identity(principal: Principal) -> None:
    """Render who is signed in (and, with OIDC, the sign-out button) above the page."""
    try:
        mode = selected_mode()
    except AuthConfigError:
        return
    mode.show(principal)
