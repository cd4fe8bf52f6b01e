"""Personal API tokens: a secret that stands for one person in scripts, the HTTP API and MCP.

A signed-in person creates a token with a name and a lifetime (1 to 365 days, 90 by default).
The secret, ``mesh_`` followed by 43 random URL-safe characters (:func:`secrets.token_urlsafe`
of 32 bytes, 256 bits), is shown once and never stored: the store keeps its SHA-256 hash (a fast
hash is right for a secret that random; a slow password hash protects guessable secrets only),
its first characters for display, and a snapshot of the owner (user id, display name, e-mail,
groups) taken at creation. Presenting the secret (:func:`authenticate`) gives back the owner's
:class:`~catalog.models.principal.Principal`, with governance-admin status worked out again from
the configuration of the moment (``MESH_ADMINS``, ``MESH_ADMIN_GROUPS``), exactly as at sign-in
(:func:`catalog.access.identity.principal_for`).

A token created by the local-mode user (:data:`~catalog.models.principal.LOCAL_USER`) stands for
that user, an administrator, only while the deployment is still in local mode (``MESH_AUTH``
unset or ``local``); once the portal serves other people it is refused.

Creating and revoking a token are audited (``token.created`` / ``token.revoked``, target: the
token id); the secret never appears in the audit log, the application log or any message.
Who may create, list and revoke is decided by the façade
(:class:`catalog.access.token_facade.TokenUseCases`) before it calls in here.

Times are naive UTC :class:`~datetime.datetime` values, stored as ISO 8601 strings.
Statements are SQLAlchemy Core over :mod:`catalog.store.tables` (every store adapter runs them).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.engine import Connection, Row

from catalog.access.identity import principal_for
from catalog.errors import InvalidRequest, PermissionDenied, Unauthenticated
from catalog.models.principal import LOCAL_USER, Principal
from catalog.store import StateStore, insert_audit
from catalog.store.tables import api_tokens

logger = logging.getLogger(__name__)

SECRET_PREFIX = "mesh_"
"""Every token secret starts with this (so secret scanners and people recognise one)."""
SECRET_BYTES = 32
"""Random bytes in a secret (256 bits)."""
PREFIX_CHARS = len(SECRET_PREFIX) + 6
"""Characters of the secret kept for display (``mesh_`` and six random ones)."""
DEFAULT_DAYS = 90
"""Lifetime of a token when none is given, in days."""
MAX_DAYS = 365
"""Longest lifetime of a token, in days."""
MAX_NAME = 80
"""Most characters of a token's name."""
TOKEN_DEFAULT_DAYS = DEFAULT_DAYS
TOKEN_MAX_DAYS = MAX_DAYS
TOKEN_MAX_NAME = MAX_NAME
"""The same three limits under the names the public API exports them by."""
LAST_USED_EVERY_S = 60
"""``last_used_at`` is written at most this often per token, in seconds (keeps writes low)."""
MAX_SECRET_CHARS = 200
"""Longer presented secrets are refused without hashing them."""

CREATED = "token.created"
REVOKED = "token.revoked"
"""Audit actions written here (target: the token id)."""

ACTIVE, EXPIRED, REVOKED_STATUS = "active", "expired", "revoked"
"""The three states of a token."""

TokenStatus = Literal["active", "expired", "revoked"]

HOW_TO_RENEW = ("Create a new token on the \"My tokens\" page of the portal or with "
                "`python -m catalog token create`.")
"""What every refusal of a token tells the person to do."""

_T = api_tokens.c
_COLUMNS = (_T.id, _T.prefix, _T.name, _T.username, _T.display_name, _T.email, _T.groups_json,
            _T.local_mode, _T.created_at, _T.expires_at, _T.last_used_at, _T.revoked_at,
            _T.revoked_by)


class TokenNotFound(InvalidRequest):
    """No API token has the id asked for."""

    def __init__(self, token_id: str) -> None:
        self.token_id = token_id
        super().__init__(f"There is no API token '{token_id}'. The \"My tokens\" page lists "
                         "yours; reload it in case this one was removed.")


@dataclass(frozen=True)
class NewToken:
    """A token just created; the only object that ever holds its secret.

    Attributes:
        id: the token's public id (``tok_`` and 16 hex digits), for listing and revoking.
        name: what the owner called it.
        secret: the secret to present (``Authorization: Bearer <secret>``); shown once, not
            stored anywhere.
        expires_at: when it stops working (timezone-aware, UTC).
    """

    id: str
    name: str
    secret: str
    expires_at: datetime

    def __repr__(self) -> str:
        """The token without its secret (so logs and tracebacks never show it)."""
        return (f"NewToken(id={self.id!r}, name={self.name!r}, secret='{self.secret[:PREFIX_CHARS]}"
                f"…', expires_at={self.expires_at!r})")


@dataclass(frozen=True)
class TokenInfo:
    """What can be shown about a token (never its secret).

    Attributes:
        id: the token's public id.
        name: what the owner called it.
        prefix: the first characters of the secret (``mesh_`` and six more), to recognise it.
        created_at: when it was created (timezone-aware, UTC).
        expires_at: when it stops (or stopped) working (timezone-aware, UTC).
        last_used_at: when it last authenticated someone, to the minute (UTC); ``None`` if never.
        revoked_at: when it was revoked (UTC); ``None`` unless revoked.
        status: ``active``, ``expired`` or ``revoked`` (revoked wins over expired).
        owner: user id of the person it stands for.
        revoked_by: user id of whoever revoked it; ``None`` unless revoked.
    """

    id: str
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    status: TokenStatus
    owner: str = ""
    revoked_by: str | None = None


@dataclass(frozen=True)
class _Row:
    """A stored token with the owner's snapshot (module-internal)."""

    info: TokenInfo
    display_name: str
    email: str
    groups: tuple[str, ...]
    local_mode: bool


# -- helpers ------------------------------------------------------------------------------------
def _clock(now: datetime | None) -> datetime:
    """``now`` as naive UTC (the clock when None)."""
    if now is None:
        return dt.datetime.now(dt.UTC).replace(tzinfo=None)
    return now.astimezone(dt.UTC).replace(tzinfo=None) if now.tzinfo else now


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="microseconds")


def _utc(text: str | None) -> datetime | None:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC) if text else None


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "never"


def hash_secret(secret: str) -> str:
    """The stored form of a secret: its SHA-256 digest as 64 hex digits.

    Args:
        secret: the secret as presented.

    Returns:
        The hex digest.
    """
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def local_mode() -> bool:
    """Whether the deployment runs in local mode (``MESH_AUTH`` unset, empty or ``local``).

    Returns:
        True in local mode, where the one user is an administrator.
    """
    return (os.environ.get("MESH_AUTH") or "").strip().lower() in ("", "local")


def is_local_user(principal: Principal) -> bool:
    """Whether ``principal`` is the local-mode user (:data:`LOCAL_USER`)."""
    return principal == LOCAL_USER


def rebuild_principal(username: str, display_name: str, email: str, groups: Iterable[str],
                      local: bool) -> Principal:
    """The principal a stored or signed snapshot stands for, as sign-in would make it now.

    Args:
        username: the user id.
        display_name: the name shown.
        email: the e-mail address (``""`` when unknown).
        groups: the groups the person had at the time of the snapshot.
        local: True when the snapshot was taken of the local-mode user.

    Returns:
        :data:`LOCAL_USER` for a local-mode snapshot (in local mode only), otherwise
        :func:`~catalog.access.identity.principal_for` of the snapshot: admin status comes from
        today's ``MESH_ADMINS`` and ``MESH_ADMIN_GROUPS``.

    Raises:
        Unauthenticated: a local-mode snapshot outside local mode.
    """
    if local:
        if not local_mode():
            raise Unauthenticated("This was issued by the local-mode user, and the portal no "
                                  "longer runs in local mode (MESH_AUTH is set); it does not "
                                  "identify anyone now. " + HOW_TO_RENEW)
        return LOCAL_USER
    return principal_for(username, display_name, email, groups)


def _status(revoked_at: datetime | None, expires_at: datetime, now: datetime) -> TokenStatus:
    if revoked_at is not None:
        return "revoked"
    return "expired" if now >= expires_at else "active"


def _row(row: Row[Any] | tuple[Any, ...], now: datetime) -> _Row:
    (tid, prefix, name, username, display_name, email, groups, local, created, expires,
     last_used, revoked, revoked_by) = tuple(row)
    expires_at = _utc(expires)
    revoked_at = _utc(revoked)
    assert expires_at is not None
    info = TokenInfo(id=tid, name=name, prefix=prefix, created_at=_utc(created) or expires_at,
                     expires_at=expires_at, last_used_at=_utc(last_used), revoked_at=revoked_at,
                     status=_status(revoked_at, expires_at, now.replace(tzinfo=dt.UTC)),
                     owner=username, revoked_by=revoked_by)
    return _Row(info, display_name, email or "", tuple(json.loads(groups or "[]")), bool(local))


def _load(conn: Connection, token_id: str, now: datetime) -> _Row:
    found = conn.execute(select(*_COLUMNS).where(_T.id == str(token_id))).first()
    if found is None:
        raise TokenNotFound(str(token_id))
    return _row(found, now)


def _name(name: str) -> str:
    text = " ".join((name or "").split()) if isinstance(name, str) else ""
    if not text:
        raise InvalidRequest("Give the token a name that says where it is used, e.g. "
                             "'nightly report script'.")
    if len(text) > MAX_NAME:
        raise InvalidRequest(f"Keep the token's name to {MAX_NAME} characters; it has "
                             f"{len(text)}.")
    return text


def _days(days: int) -> int:
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise InvalidRequest(f"A token lasts a whole number of days from 1 to {MAX_DAYS}; "
                             f"{days!r} is not. Create a new one when it expires.")
    return days


def same_person(owner: str, principal: Principal) -> bool:
    """Whether the token owner's user id is ``principal``'s (letter case ignored)."""
    return owner.strip().lower() == principal.username.strip().lower()


# -- changes ------------------------------------------------------------------------------------
def create(store: StateStore, owner: Principal, name: str, days: int = DEFAULT_DAYS,
           now: datetime | None = None) -> NewToken:
    """Create a token for ``owner`` and audit it as ``token.created`` (without the secret).

    Args:
        store: the operational store.
        owner: the signed-in person the token stands for (checked by the caller).
        name: what it is for, 1 to 80 characters (spaces collapsed).
        days: its lifetime, 1 to 365 days from ``now``.
        now: the creation time (naive UTC); the clock by default.

    Returns:
        The new token with its secret (the only time the secret is available).

    Raises:
        InvalidRequest: no name, a name longer than 80 characters, or ``days`` out of range.
        catalog.store.StoreError: the store cannot be written.
    """
    label = _name(name)
    lifetime = _days(days)
    moment = _clock(now)
    expires = moment + dt.timedelta(days=lifetime)
    secret = SECRET_PREFIX + secrets.token_urlsafe(SECRET_BYTES)
    token_id = "tok_" + secrets.token_hex(8)
    with store.write() as conn:
        conn.execute(insert(api_tokens).values(
            secret_sha256=hash_secret(secret), id=token_id, prefix=secret[:PREFIX_CHARS],
            name=label, username=owner.username, display_name=owner.display_name,
            email=owner.email, groups_json=json.dumps(sorted(owner.groups)),
            local_mode=int(is_local_user(owner)), created_at=_iso(moment),
            expires_at=_iso(expires)))
        insert_audit(conn, _iso(moment), owner.username, CREATED, token_id,
                     {"name": label, "prefix": secret[:PREFIX_CHARS], "days": lifetime,
                      "expires_at": _iso(expires)})
    logger.info("API token %s (%s) created by %s, expires %s", token_id, secret[:PREFIX_CHARS],
                owner.username, _when(expires))
    return NewToken(token_id, label, secret, expires.replace(tzinfo=dt.UTC))


def revoke(store: StateStore, actor: Principal, token_id: str, may_revoke_any: bool = False,
           now: datetime | None = None) -> TokenInfo:
    """Revoke a token at ``now`` and audit it as ``token.revoked``.

    Args:
        store: the operational store.
        actor: who revokes.
        token_id: the token.
        may_revoke_any: True when ``actor`` may revoke other people's tokens (an admin).
        now: the revocation time (naive UTC); the clock by default.

    Returns:
        The revoked token.

    Raises:
        TokenNotFound: no such token.
        catalog.errors.PermissionDenied: the token is someone else's and ``actor`` may not
            revoke any.
        InvalidRequest: it was already revoked.
        catalog.store.StoreError: the store cannot be written.
    """
    moment = _clock(now)
    with store.write(lock=f"api_token:{token_id}") as conn:
        row = _load(conn, token_id, moment)
        info = row.info
        if not same_person(info.owner, actor) and not may_revoke_any:
            raise PermissionDenied(f"API token {info.id} is not yours; only its owner or a "
                                   "governance admin can revoke it.")
        if info.revoked_at is not None:
            raise InvalidRequest(f"API token {info.id} ({info.name}) was already revoked by "
                                 f"{info.revoked_by} on {_when(info.revoked_at)}; nothing was "
                                 "changed.")
        conn.execute(update(api_tokens).where(_T.id == info.id)
                     .values(revoked_at=_iso(moment), revoked_by=actor.username))
        insert_audit(conn, _iso(moment), actor.username, REVOKED, info.id,
                     {"name": info.name, "prefix": info.prefix, "owner": info.owner})
        revoked = _load(conn, info.id, moment).info
    logger.info("API token %s of %s revoked by %s", info.id, info.owner, actor.username)
    return revoked


# -- reads --------------------------------------------------------------------------------------
def tokens_of(store: StateStore, owner: Principal, now: datetime | None = None
              ) -> list[TokenInfo]:
    """The tokens of ``owner`` (user id, letter case ignored), newest first.

    Args:
        store: the operational store.
        owner: whose tokens.
        now: the moment statuses are worked out for (naive UTC); the clock by default.

    Returns:
        Every token of theirs, active, expired and revoked.
    """
    moment = _clock(now)
    with store.read() as conn:
        rows = conn.execute(select(*_COLUMNS)
                            .where(func.lower(_T.username) == owner.username.strip().lower())
                            .order_by(_T.created_at.desc(), _T.id.desc())).all()
    return [_row(r, moment).info for r in rows]


def token_by_id(store: StateStore, token_id: str, now: datetime | None = None) -> TokenInfo:
    """The token with ``token_id``.

    Raises:
        TokenNotFound: there is none.
    """
    moment = _clock(now)
    with store.read() as conn:
        return _load(conn, token_id, moment).info


def authenticate(store: StateStore, secret: str, now: datetime | None = None) -> Principal:
    """The principal a presented secret stands for.

    Records the use in ``last_used_at`` when the stored time is more than
    :data:`LAST_USED_EVERY_S` seconds old (no write otherwise).

    Args:
        store: the operational store.
        secret: the secret as presented (surrounding spaces ignored).
        now: the moment of use (naive UTC); the clock by default.

    Returns:
        The owner as sign-in would make them now (see :func:`rebuild_principal`).

    Raises:
        Unauthenticated: the secret is unknown, or the token expired (the message says when)
            or was revoked; each message says how to get a new one.
        catalog.store.StoreError: the store cannot be read.
    """
    text = (secret or "").strip() if isinstance(secret, str) else ""
    if not text.startswith(SECRET_PREFIX) or len(text) > MAX_SECRET_CHARS:
        raise Unauthenticated("That is not an API token of this portal (they start with "
                              f"'{SECRET_PREFIX}'). " + HOW_TO_RENEW)
    moment = _clock(now)
    digest = hash_secret(text)
    with store.read() as conn:
        found = conn.execute(select(*_COLUMNS).where(_T.secret_sha256 == digest)).first()
    if found is None:
        raise Unauthenticated("This API token is unknown: it was never issued here, or was "
                              "copied incompletely. " + HOW_TO_RENEW)
    row = _row(found, moment)
    info = row.info
    if info.status == "revoked":
        raise Unauthenticated(f"API token '{info.name}' ({info.prefix}…) was revoked on "
                              f"{_when(info.revoked_at)}. " + HOW_TO_RENEW)
    if info.status == "expired":
        raise Unauthenticated(f"API token '{info.name}' ({info.prefix}…) expired on "
                              f"{_when(info.expires_at)}. " + HOW_TO_RENEW)
    principal = rebuild_principal(info.owner, row.display_name, row.email, row.groups,
                                  row.local_mode)
    stale = _iso(moment - dt.timedelta(seconds=LAST_USED_EVERY_S))
    last = info.last_used_at
    if last is None or _iso(last.replace(tzinfo=None)) < stale:
        with store.write() as conn:
            conn.execute(update(api_tokens)
                         .where(_T.id == info.id,
                                or_(_T.last_used_at.is_(None), _T.last_used_at < stale))
                         .values(last_used_at=_iso(moment)))
    return principal
