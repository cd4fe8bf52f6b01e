"""Access requests and grants: a consumer asks for an output port, an owner decides.

A consumer files an **access request** for one or more output ports of a data product (and,
optionally, sensitive columns), with a **purpose** and a duration in days (or permanent). An
owner approves it, which makes one **grant** per port, or denies it with a note. A grant is
active from its start until its **expiry** (``None``: permanent) or until it is revoked; it can
be renewed (a new expiry counted from the renewal) unless revoked. The requester can withdraw a
pending request.

This module keeps the state and the rules of those steps; *who* may take them is decided by the
authorization point (:mod:`catalog.access.policy`) in the :class:`~catalog.catalog.Catalog`
façade before it calls in here. Every change and its audit record (target: the product id;
detail: the ``port`` or ``ports`` concerned) are written in one transaction, and each decision
re-reads the request's status inside that transaction, so two owners deciding the same request
at once cannot both succeed (the write names the request as its lock key, so on a database
server the second decider waits for the first and then sees its decision). Statements are
SQLAlchemy Core over :mod:`catalog.store.tables`, so they run on every store adapter.

Times are naive UTC :class:`~datetime.datetime` values, stored as ISO 8601 strings.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, func, insert, select, update
from sqlalchemy.engine import Connection, Row

from catalog.errors import CatalogError, InvalidRequest
from catalog.models.principal import Principal
from catalog.store import StateStore, insert_audit
from catalog.store.tables import access_grants, access_requests, audit_log

logger = logging.getLogger(__name__)

PENDING = "pending"
APPROVED = "approved"
DENIED = "denied"
WITHDRAWN = "withdrawn"
STATUSES = (PENDING, APPROVED, DENIED, WITHDRAWN)
"""Every status an access request can have."""

REQUESTED = "access.requested"
GRANTED = "access.granted"
DENIED_ACTION = "access.denied"
RENEWED = "access.renewed"
REVOKED = "access.revoked"
WITHDRAWN_ACTION = "access.withdrawn"
"""Audit actions written here (target: the product id)."""

MIN_PURPOSE = 10
"""Characters a purpose needs at least (after trimming spaces)."""
MAX_PURPOSE = 2000
"""Characters a purpose or a note may have at most."""
MAX_DAYS = 3650
"""Longest access duration, in days (ten years); longer means permanent (``None``)."""

_R, _G = access_requests.c, access_grants.c
_REQUEST_COLUMNS = (_R.id, _R.requester, _R.requester_name, _R.product_id, _R.ports_json,
                    _R.columns_json, _R.purpose, _R.duration_days, _R.status, _R.created_at,
                    _R.decided_by, _R.decided_at, _R.note)
_GRANT_COLUMNS = (_G.id, _G.request_id, _G.consumer, _G.consumer_name, _G.product_id, _G.port,
                  _G.columns_json, _G.starts_at, _G.expires_at, _G.revoked_at, _G.revoked_by,
                  _G.note)
_CHUNK = 500
"""Values per ``IN (…)`` list (well under every driver's limit on parameters)."""


class RequestNotFound(CatalogError):
    """No access request has the id asked for."""

    def __init__(self, request_id: int) -> None:
        self.request_id = request_id
        super().__init__(f"There is no access request #{request_id}. The access page lists "
                         "the requests you can see; reload it in case this one was removed.")


class GrantNotFound(CatalogError):
    """No grant has the id asked for."""

    def __init__(self, grant_id: int) -> None:
        self.grant_id = grant_id
        super().__init__(f"There is no access grant #{grant_id}. The access page lists the "
                         "grants you can see; reload it in case this one was removed.")


@dataclass(frozen=True)
class AccessRequest:
    """A consumer's request for access to output ports of one data product.

    Attributes:
        id: the request's number.
        requester: user id of the consumer asking.
        requester_name: their display name.
        product_id: the data product.
        ports: output port names asked for (at least one).
        columns: sensitive columns asked for (may be empty).
        purpose: why the consumer needs the data.
        duration_days: how long the access should last, in days; ``None`` for permanent.
        status: ``pending``, ``approved``, ``denied`` or ``withdrawn``.
        created_at: when it was filed (naive UTC).
        decided_by: user id of whoever approved, denied or withdrew it; ``None`` while pending.
        decided_at: when that happened (naive UTC); ``None`` while pending.
        note: the decider's note (required for a denial), ``""`` when none.
    """

    id: int
    requester: str
    requester_name: str
    product_id: str
    ports: tuple[str, ...]
    columns: tuple[str, ...]
    purpose: str
    duration_days: int | None
    status: str
    created_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    note: str


@dataclass(frozen=True)
class Grant:
    """An approved access to one output port of a data product, for one consumer.

    Attributes:
        id: the grant's number.
        request_id: the access request it was approved from.
        consumer: user id of the grantee.
        consumer_name: their display name.
        product_id: the data product.
        port: the output port.
        columns: sensitive columns it opens (may be empty).
        starts_at: when it started (naive UTC).
        expires_at: when it ends (naive UTC); ``None`` for permanent.
        revoked_at: when it was revoked (naive UTC); ``None`` unless revoked.
        revoked_by: user id of whoever revoked it.
        note: the latest revoke note, ``""`` when none.
    """

    id: int
    request_id: int
    consumer: str
    consumer_name: str
    product_id: str
    port: str
    columns: tuple[str, ...]
    starts_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    revoked_by: str | None
    note: str

    def active(self, now: datetime) -> bool:
        """Whether the grant opens its port at ``now``.

        Args:
            now: the moment asked about (naive UTC).

        Returns:
            True when started, not yet expired and not revoked at ``now``.
        """
        if now < self.starts_at:
            return False
        if self.revoked_at is not None and now >= self.revoked_at:
            return False
        return self.expires_at is None or now < self.expires_at

    def state(self, now: datetime) -> str:
        """The grant's state in words at ``now``.

        Args:
            now: the moment asked about (naive UTC).

        Returns:
            ``revoked``, ``active``, ``not started`` or ``expired``.
        """
        if self.revoked_at is not None and now >= self.revoked_at:
            return "revoked"
        if self.active(now):
            return "active"
        return "not started" if now < self.starts_at else "expired"

    def expires_within(self, now: datetime, days: int) -> bool:
        """Whether the active grant ends within ``days`` days of ``now``.

        Args:
            now: the moment asked about (naive UTC).
            days: the look-ahead, in days.

        Returns:
            True when active at ``now`` with an expiry at or before ``now + days``; False for
            permanent, expired or revoked grants.
        """
        return (self.active(now) and self.expires_at is not None
                and self.expires_at <= now + dt.timedelta(days=days))


# -- time and validation helpers ----------------------------------------------------------------
def _clock(now: datetime | None) -> datetime:
    """``now`` as naive UTC (the clock when None)."""
    if now is None:
        return dt.datetime.now(dt.UTC).replace(tzinfo=None)
    return now.astimezone(dt.UTC).replace(tzinfo=None) if now.tzinfo else now


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="microseconds")


def _time(text: str | None) -> datetime | None:
    return dt.datetime.fromisoformat(text) if text else None


def _when(text: str) -> datetime:
    return dt.datetime.fromisoformat(text)


def _day(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "never"


def _names(values: Iterable[str] | str, what: str) -> tuple[str, ...]:
    """Trimmed, non-empty, de-duplicated names in their first order (one string: one name)."""
    if isinstance(values, str):
        values = [values]
    out: list[str] = []
    for value in values:
        if not isinstance(value, str):
            raise InvalidRequest(f"Each {what} must be a name, not {value!r}.")
        name = value.strip()
        if name and name not in out:
            out.append(name)
    return tuple(out)


def _days(days: int | None, what: str) -> int | None:
    if days is None:
        return None
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise InvalidRequest(f"The {what} must be a whole number of days from 1 to {MAX_DAYS} "
                             f"(ten years), or permanent; {days!r} is not.")
    return days


def _note(note: str, required: str | None) -> str:
    text = (note or "").strip()
    if required and not text:
        raise InvalidRequest(required)
    if len(text) > MAX_PURPOSE:
        raise InvalidRequest(f"Keep the note to {MAX_PURPOSE} characters; it has {len(text)}.")
    return text


def _ids(principal: Principal) -> list[str]:
    """The principal's user id and e-mail address, lower case (how grants match them)."""
    return sorted({i.strip().lower() for i in (principal.username, principal.email)
                   if i and i.strip()})


def _expiry(start: datetime, days: int | None) -> datetime | None:
    return None if days is None else start + dt.timedelta(days=days)


def _request_lock(request_id: int) -> str:
    """The lock key of writes that check and change one access request."""
    return f"access_request:{int(request_id)}"


def _grant_lock(grant_id: int) -> str:
    """The lock key of writes that check and change one grant."""
    return f"access_grant:{int(grant_id)}"


# -- rows -----------------------------------------------------------------------------------
def _request(row: Row[Any] | tuple[Any, ...]) -> AccessRequest:
    (rid, requester, name, product_id, ports, columns, purpose, days, status, created,
     decided_by, decided_at, note) = tuple(row)
    return AccessRequest(int(rid), requester, name, product_id, tuple(json.loads(ports)),
                         tuple(json.loads(columns)), purpose,
                         None if days is None else int(days), status, _when(created), decided_by,
                         _time(decided_at), note or "")


def _grant(row: Row[Any] | tuple[Any, ...]) -> Grant:
    (gid, request_id, consumer, name, product_id, port, columns, starts, expires, revoked,
     revoked_by, note) = tuple(row)
    return Grant(int(gid), int(request_id), consumer, name, product_id, port,
                 tuple(json.loads(columns)), _when(starts), _time(expires), _time(revoked),
                 revoked_by, note or "")


def _load_request(conn: Connection, request_id: int) -> AccessRequest:
    row = conn.execute(select(*_REQUEST_COLUMNS).where(_R.id == int(request_id))).first()
    if row is None:
        raise RequestNotFound(request_id)
    return _request(row)


def _load_grant(conn: Connection, grant_id: int) -> Grant:
    row = conn.execute(select(*_GRANT_COLUMNS).where(_G.id == int(grant_id))).first()
    if row is None:
        raise GrantNotFound(grant_id)
    return _grant(row)


def request_by_id(store: StateStore, request_id: int) -> AccessRequest:
    """The access request with ``request_id``.

    Raises:
        RequestNotFound: there is none.
    """
    with store.read() as conn:
        return _load_request(conn, request_id)


def grant_by_id(store: StateStore, grant_id: int) -> Grant:
    """The grant with ``grant_id``.

    Raises:
        GrantNotFound: there is none.
    """
    with store.read() as conn:
        return _load_grant(conn, grant_id)


def _already(request: AccessRequest) -> InvalidRequest:
    """The refusal for deciding a request that is no longer pending."""
    return InvalidRequest(
        f"Access request #{request.id} was already {request.status} by {request.decided_by} "
        f"on {_day(request.decided_at)}; nothing was changed. Reload to see its decision.")


def _grant_detail(grant: Grant, **extra: Any) -> dict[str, Any]:
    return {"grant_id": grant.id, "request_id": grant.request_id, "consumer": grant.consumer,
            "port": grant.port, "ports": [grant.port], **extra}


# -- changes --------------------------------------------------------------------------------
def request_access(store: StateStore, requester: Principal, product_id: str,
                   ports: Sequence[str], purpose: str, duration_days: int | None,
                   columns: Sequence[str] = (), now: datetime | None = None) -> AccessRequest:
    """File an access request (status ``pending``) and audit it as ``access.requested``.

    Args:
        store: the operational store.
        requester: the consumer asking.
        product_id: the data product.
        ports: output port names asked for (at least one; spaces trimmed, duplicates dropped).
        purpose: why the data is needed, 10 to 2,000 characters after trimming spaces.
        duration_days: how long access should last, 1 to 3,650 days; ``None`` for permanent.
        columns: sensitive columns asked for (may be empty).
        now: when the request is filed (naive UTC); the clock by default.

    Returns:
        The new pending request.

    Raises:
        InvalidRequest: a field is missing or out of range, or the requester already has a
            pending request for one of these ports of the product.
        catalog.store.StoreError: the store cannot be written.
    """
    product = (product_id or "").strip()
    if not product:
        raise InvalidRequest("Name the data product you ask access to.")
    port_names = _names(ports, "output port")
    if not port_names:
        raise InvalidRequest("Pick at least one output port to ask access to.")
    column_names = _names(columns, "column")
    reason = (purpose or "").strip()
    if len(reason) < MIN_PURPOSE:
        raise InvalidRequest(f"Say what you need the data for in at least {MIN_PURPOSE} "
                             "characters, so the owner can decide (e.g. 'monthly delay report "
                             "for the operations board').")
    if len(reason) > MAX_PURPOSE:
        raise InvalidRequest(f"Keep the purpose to {MAX_PURPOSE} characters; it has "
                             f"{len(reason)}.")
    days = _days(duration_days, "duration")
    moment = _clock(now)
    ids = _ids(requester)
    with store.write(lock=f"access_requests:{product}") as conn:
        pending = [_request(r) for r in conn.execute(
            select(*_REQUEST_COLUMNS).where(_R.product_id == product, _R.status == PENDING,
                                            func.lower(_R.requester).in_(ids))
            .order_by(_R.id))]
        for earlier in pending:
            overlap = [p for p in port_names if p in earlier.ports]
            if overlap:
                raise InvalidRequest(
                    f"You already asked for {', '.join(overlap)} of {product} on "
                    f"{_day(earlier.created_at)} (request #{earlier.id}); wait for its decision "
                    "or withdraw it first.")
        request_id = int(conn.execute(insert(access_requests).values(
            requester=requester.username, requester_name=requester.display_name,
            product_id=product, ports_json=json.dumps(port_names),
            columns_json=json.dumps(column_names), purpose=reason, duration_days=days,
            status=PENDING, created_at=_iso(moment), note="").returning(_R.id)).scalar_one())
        insert_audit(conn, _iso(moment), requester.username, REQUESTED, product,
                     {"request_id": request_id, "ports": list(port_names),
                      "columns": list(column_names), "purpose": reason, "duration_days": days})
        created = _load_request(conn, request_id)
    logger.info("access request #%d by %s for %s %s", request_id, requester.username, product,
                port_names)
    return created


def decide_request(store: StateStore, decider: Principal, request_id: int, approve: bool,
                   note: str = "", now: datetime | None = None) -> AccessRequest:
    """Approve or deny a pending access request.

    Approving makes one grant per requested port, starting at ``now`` and expiring
    ``duration_days`` days later (never for a permanent request); the status change, the grants
    and the audit record (``access.granted`` or ``access.denied``) are one transaction.

    Args:
        store: the operational store.
        decider: who decides (their rights were checked by the caller).
        request_id: the request.
        approve: True to approve, False to deny.
        note: the decider's note; required to deny (the consumer reads it).
        now: the decision time (naive UTC); the clock by default.

    Returns:
        The request with its new status.

    Raises:
        RequestNotFound: no such request.
        InvalidRequest: the request is no longer pending (e.g. someone else decided it first),
            or a denial has no note.
        catalog.store.StoreError: the store cannot be written (nothing is changed).
    """
    text = _note(note, None if approve else
                 "Say why you deny the request; the consumer reads your note.")
    moment = _clock(now)
    status = APPROVED if approve else DENIED
    with store.write(lock=_request_lock(request_id)) as conn:
        request = _load_request(conn, request_id)
        if request.status != PENDING:
            raise _already(request)
        changed = conn.execute(update(access_requests)
                               .where(_R.id == request.id, _R.status == PENDING)
                               .values(status=status, decided_by=decider.username,
                                       decided_at=_iso(moment), note=text)).rowcount
        if changed != 1:  # decided meanwhile (a writer that took no lock): change nothing
            raise _already(_load_request(conn, request.id))
        detail: dict[str, Any] = {"request_id": request.id, "consumer": request.requester,
                                  "ports": list(request.ports), "note": text}
        if approve:
            expires = _expiry(moment, request.duration_days)
            grant_ids: dict[str, int] = {}
            for port in request.ports:
                grant_ids[port] = int(conn.execute(insert(access_grants).values(
                    request_id=request.id, consumer=request.requester,
                    consumer_name=request.requester_name, product_id=request.product_id,
                    port=port, columns_json=json.dumps(list(request.columns)),
                    starts_at=_iso(moment), expires_at=None if expires is None else _iso(expires),
                    note="").returning(_G.id)).scalar_one())
            detail.update(grant_ids=grant_ids, columns=list(request.columns),
                          expires_at=None if expires is None else _iso(expires))
        insert_audit(conn, _iso(moment), decider.username, GRANTED if approve else DENIED_ACTION,
                     request.product_id, detail)
        decided = _load_request(conn, request.id)
    logger.info("access request #%d %s by %s", decided.id, status, decider.username)
    return decided


def renew(store: StateStore, actor: Principal, grant_id: int, days: int | None,
          now: datetime | None = None) -> Grant:
    """Give a grant a new expiry counted from ``now`` (or make it permanent).

    An expired grant can be renewed; a revoked one cannot (the consumer files a new request).

    Args:
        store: the operational store.
        actor: who renews (their rights were checked by the caller).
        grant_id: the grant.
        days: the new duration from ``now``, 1 to 3,650 days; ``None`` for permanent.
        now: the renewal time (naive UTC); the clock by default.

    Returns:
        The grant with its new expiry.

    Raises:
        GrantNotFound: no such grant.
        InvalidRequest: the grant was revoked, or ``days`` is out of range.
        catalog.store.StoreError: the store cannot be written.
    """
    duration = _days(days, "renewal")
    moment = _clock(now)
    expires = _expiry(moment, duration)
    with store.write(lock=_grant_lock(grant_id)) as conn:
        grant = _load_grant(conn, grant_id)
        if grant.revoked_at is not None:
            raise InvalidRequest(
                f"Grant #{grant.id} ({grant.consumer} on {grant.product_id} {grant.port}) was "
                f"revoked by {grant.revoked_by} on {_day(grant.revoked_at)} and cannot be "
                "renewed; the consumer can file a new access request.")
        conn.execute(update(access_grants).where(_G.id == grant.id)
                     .values(expires_at=None if expires is None else _iso(expires)))
        insert_audit(conn, _iso(moment), actor.username, RENEWED, grant.product_id,
                     _grant_detail(grant, days=duration,
                                   from_expiry=None if grant.expires_at is None
                                   else _iso(grant.expires_at),
                                   to_expiry=None if expires is None else _iso(expires)))
        renewed = _load_grant(conn, grant.id)
    logger.info("grant #%d renewed by %s until %s", grant.id, actor.username, _day(expires))
    return renewed


def revoke(store: StateStore, actor: Principal, grant_id: int, note: str,
           now: datetime | None = None) -> Grant:
    """End a grant at ``now``, with a note saying why.

    Args:
        store: the operational store.
        actor: who revokes (their rights were checked by the caller).
        grant_id: the grant.
        note: why (required; the consumer reads it).
        now: the revocation time (naive UTC); the clock by default.

    Returns:
        The revoked grant.

    Raises:
        GrantNotFound: no such grant.
        InvalidRequest: no note, or the grant was already revoked.
        catalog.store.StoreError: the store cannot be written.
    """
    text = _note(note, "Say why you revoke the grant; the consumer reads your note.")
    moment = _clock(now)
    with store.write(lock=_grant_lock(grant_id)) as conn:
        grant = _load_grant(conn, grant_id)
        if grant.revoked_at is not None:
            raise InvalidRequest(f"Grant #{grant.id} was already revoked by {grant.revoked_by} "
                                 f"on {_day(grant.revoked_at)}; nothing was changed.")
        conn.execute(update(access_grants).where(_G.id == grant.id)
                     .values(revoked_at=_iso(moment), revoked_by=actor.username, note=text))
        insert_audit(conn, _iso(moment), actor.username, REVOKED, grant.product_id,
                     _grant_detail(grant, note=text))
        revoked = _load_grant(conn, grant.id)
    logger.info("grant #%d revoked by %s", grant.id, actor.username)
    return revoked


def withdraw(store: StateStore, requester: Principal, request_id: int,
             now: datetime | None = None) -> AccessRequest:
    """Withdraw one's own pending access request.

    Args:
        store: the operational store.
        requester: who withdraws; must be the request's requester (user id, case ignored).
        request_id: the request.
        now: the withdrawal time (naive UTC); the clock by default.

    Returns:
        The request, status ``withdrawn``.

    Raises:
        RequestNotFound: no such request.
        InvalidRequest: someone else filed it, or it is no longer pending.
        catalog.store.StoreError: the store cannot be written.
    """
    moment = _clock(now)
    with store.write(lock=_request_lock(request_id)) as conn:
        request = _load_request(conn, request_id)
        if request.requester.strip().lower() != requester.username.strip().lower():
            raise InvalidRequest(f"Access request #{request.id} was filed by "
                                 f"{request.requester_name}; only they can withdraw it.")
        if request.status != PENDING:
            raise _already(request)
        changed = conn.execute(update(access_requests)
                               .where(_R.id == request.id, _R.status == PENDING)
                               .values(status=WITHDRAWN, decided_by=requester.username,
                                       decided_at=_iso(moment))).rowcount
        if changed != 1:
            raise _already(_load_request(conn, request.id))
        insert_audit(conn, _iso(moment), requester.username, WITHDRAWN_ACTION,
                     request.product_id, {"request_id": request.id, "ports": list(request.ports)})
        withdrawn = _load_request(conn, request.id)
    logger.info("access request #%d withdrawn by %s", request.id, requester.username)
    return withdrawn


# -- reads ----------------------------------------------------------------------------------
def _select(store: StateStore, query: Select[Any], person: tuple[Any, Principal | None],
            product_column: Any, product_ids: Iterable[str] | None,
            newest: Any) -> list[Any]:
    """Rows of ``query`` for one person (column, principal) and products, newest first by
    ``newest`` then id (the query's first column)."""
    column, principal = person
    if principal is not None:
        query = query.where(func.lower(column).in_(_ids(principal)))
    order = (newest.desc(), query.selected_columns[0].desc())
    with store.read() as conn:
        if product_ids is None:
            return list(conn.execute(query.order_by(*order)).all())
        wanted = sorted(set(product_ids))
        rows: list[Any] = []
        for start in range(0, len(wanted), _CHUNK):
            rows += conn.execute(query.where(product_column.in_(wanted[start:start + _CHUNK]))
                                 .order_by(*order)).all()
    if len(wanted) > _CHUNK:  # several lists: merge them newest first again
        key = newest.key
        rows.sort(key=lambda r: (r._mapping[key], r[0]), reverse=True)
    return rows


def requests(store: StateStore, *, requester: Principal | None = None,
             product_ids: Iterable[str] | None = None, status: str | None = None
             ) -> list[AccessRequest]:
    """Access requests, newest first.

    Args:
        store: the operational store.
        requester: only this person's (user id or e-mail, case ignored); everyone's when None.
        product_ids: only for these products (e.g. those the viewer owns); all when None.
        status: only this status (``pending``, ``approved``, ``denied``, ``withdrawn``).

    Returns:
        The matching requests.

    Raises:
        InvalidRequest: ``status`` is not a request status.
    """
    if status is not None and status not in STATUSES:
        raise InvalidRequest(f"'{status}' is not a request status; use one of "
                             f"{', '.join(STATUSES)}.")
    query = select(*_REQUEST_COLUMNS)
    if status is not None:
        query = query.where(_R.status == status)
    rows = _select(store, query, (_R.requester, requester), _R.product_id, product_ids,
                   _R.created_at)
    return [_request(r) for r in rows]


def grants(store: StateStore, *, consumer: Principal | None = None,
           product_ids: Iterable[str] | None = None, include_inactive: bool = True,
           now: datetime | None = None) -> list[Grant]:
    """Grants, newest first.

    Args:
        store: the operational store.
        consumer: only this person's (user id or e-mail, case ignored); everyone's when None.
        product_ids: only on these products; all when None.
        include_inactive: False to leave out expired and revoked grants.
        now: the moment "active" is judged at (naive UTC); the clock by default.

    Returns:
        The matching grants.
    """
    rows = _select(store, select(*_GRANT_COLUMNS), (_G.consumer, consumer), _G.product_id,
                   product_ids, _G.starts_at)
    found = [_grant(r) for r in rows]
    if include_inactive:
        return found
    moment = _clock(now)
    return [g for g in found if g.active(moment)]


def active_grants(store: StateStore, principal: Principal, product_id: str | None = None,
                  now: datetime | None = None) -> list[Grant]:
    """The grants ``principal`` holds at ``now``: started, unexpired and unrevoked.

    Args:
        store: the operational store.
        principal: the consumer; a grant matches their user id or e-mail (case ignored).
        product_id: only on this product; all products when None.
        now: the moment asked about (naive UTC); the clock by default.

    Returns:
        The active grants, newest first.
    """
    return grants(store, consumer=principal,
                  product_ids=None if product_id is None else [product_id],
                  include_inactive=False, now=now)


def granted_ports(store: StateStore, principal: Principal, product_id: str,
                  now: datetime | None = None) -> set[str]:
    """Output ports of ``product_id`` that ``principal`` holds an active grant on.

    Args:
        store: the operational store.
        principal: the consumer.
        product_id: the data product.
        now: the moment asked about (naive UTC); the clock by default.

    Returns:
        Port names; empty when none.
    """
    return {g.port for g in active_grants(store, principal, product_id, now)}


def granted_columns(store: StateStore, principal: Principal, product_id: str, port: str,
                    now: datetime | None = None) -> set[str]:
    """Sensitive columns of one output port that ``principal``'s active grants open.

    Args:
        store: the operational store.
        principal: the consumer.
        product_id: the data product.
        port: the output port.
        now: the moment asked about (naive UTC); the clock by default.

    Returns:
        Column names; empty when no active grant on the port names any.
    """
    return {c for g in active_grants(store, principal, product_id, now) if g.port == port
            for c in g.columns}


def expiring(store: StateStore, consumer: Principal, within_days: int = 14,
             now: datetime | None = None) -> list[Grant]:
    """``consumer``'s active grants that expire within ``within_days`` days, soonest first.

    Args:
        store: the operational store.
        consumer: the grantee.
        within_days: the look-ahead, in days (0 or more).
        now: the moment counted from (naive UTC); the clock by default.

    Returns:
        The grants (permanent grants never expire, so never appear).

    Raises:
        InvalidRequest: ``within_days`` is negative.
    """
    if within_days < 0:
        raise InvalidRequest("Look ahead 0 days or more for expiring grants.")
    moment = _clock(now)
    soon = [g for g in active_grants(store, consumer, now=moment)
            if g.expires_within(moment, within_days)]
    return sorted(soon, key=lambda g: (g.expires_at or moment, g.id))


def _names_port(detail: Any, port: str) -> bool:
    """Whether an audit detail names ``port`` as its ``port`` or in its ``ports`` list."""
    if not isinstance(detail, dict):
        return False
    ports = detail.get("ports")
    return detail.get("port") == port or (isinstance(ports, list) and port in ports)


def _like_literal(text: str) -> str:
    """``text`` for a ``LIKE`` pattern with ``\\`` as escape: ``%``, ``_`` and ``\\`` taken
    literally."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def port_history(store: StateStore, product_id: str, port: str) -> list[dict[str, Any]]:
    """Every audit event about one output port, oldest first.

    An event is about the port when its target is the product and its detail names the port
    as ``port`` or in ``ports``: access requested, granted, denied, withdrawn, renewed and
    revoked (written here), and data extracts when their audit detail names the port. The
    database narrows the product's events to those whose detail contains the port's JSON
    string; the detail is then parsed to keep exactly those that name it.

    Args:
        store: the operational store.
        product_id: the data product.
        port: the output port.

    Returns:
        Dicts ``seq``, ``at`` (ISO 8601 UTC), ``actor``, ``action``, ``target``, ``detail``.
    """
    a = audit_log.c
    mention: ColumnElement[bool] = a.detail_json.like(
        f"%{_like_literal(json.dumps(port))}%", escape="\\")
    query = (select(a.seq, a.at, a.actor, a.action, a.target, a.detail_json)
             .where(a.target == product_id, mention).order_by(a.seq))
    events = []
    with store.read() as conn:
        for seq, at, actor, action, target, detail_json in conn.execute(query):
            try:
                detail = json.loads(detail_json)
            except ValueError:
                continue
            if _names_port(detail, port):
                events.append({"seq": int(seq), "at": at, "actor": actor, "action": action,
                               "target": target, "detail": detail})
    return events
