"""Shared pieces of the access pages: action outcomes, dates, durations, grant states, links."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

import streamlit as st

from catalog import MASK, CatalogError, Grant
from portal import routes
from portal.safe_text import escape_markdown
from portal.services import UNEXPECTED_ERROR
from portal.wording import plural

logger = logging.getLogger(__name__)

MASK_HINT = MASK
"""What a masked cell shows (named in the sentences that explain masking)."""


def run_action(outcome_key: str, section: str, action: Callable[[], str]) -> None:
    """Button callback: run ``action`` and keep its outcome to show after the rerun.

    Args:
        outcome_key: session-state key the outcome is kept under.
        section: where on the page the outcome is shown (:func:`show_outcome`).
        action: calls the catalog and returns the success message; a catalog refusal
            (:class:`CatalogError`, e.g. ``PermissionDenied``) becomes the error shown.
    """
    try:
        st.session_state[outcome_key] = (section, "success", action())
    except CatalogError as err:
        st.session_state[outcome_key] = (section, "error", str(err))
    except Exception:  # noqa: BLE001 - shown as a message, logged with its trace
        logger.exception("access action in section %s failed", section)
        st.session_state[outcome_key] = (section, "error", UNEXPECTED_ERROR)


def show_outcome(outcome_key: str, section: str) -> bool:
    """Show (once) the outcome :func:`run_action` kept for ``section``, escaped.

    Returns:
        True when a success was shown (the caller need not say it again).
    """
    outcome = st.session_state.get(outcome_key)
    if not outcome or outcome[0] != section:
        return False
    del st.session_state[outcome_key]
    _, kind, message = outcome
    if kind == "success":
        st.success(escape_markdown(message), icon=":material/check_circle:")
        return True
    st.error(escape_markdown(message), icon=":material/error:")
    return False


def now_utc() -> dt.datetime:
    """The current time as naive UTC, how grants store their times."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def day(moment: dt.datetime | None, none: str = "permanent") -> str:
    """A stored time as a date (``2026-03-01``); ``none`` when there is no time."""
    return moment.strftime("%Y-%m-%d") if moment else none


def duration_text(days: int | None) -> str:
    """``30 days`` or ``permanent``."""
    return "permanent" if days is None else plural(days, "day")


def grant_state(grant: Grant, now: dt.datetime | None = None) -> str:
    """``active``, ``expired``, ``revoked`` or ``not started`` at ``now``."""
    return grant.state(now or now_utc())


def product_link(product_id: str, titles: dict[str, str]) -> None:
    """A link to the product's page, labelled with its title (escaped)."""
    title = titles.get(product_id, product_id)
    st.page_link(routes.PRODUCT, label=f"{escape_markdown(title, one_line=True)} "
                                        f"({escape_markdown(product_id, one_line=True)})",
                 icon=":material/dataset:",
                 query_params=routes.product_params(product_id, routes.DATA))


def names(values: tuple[str, ...] | list[str], empty: str = "none") -> str:
    """Comma-separated names, ``empty`` when there are none (plain text, not escaped)."""
    return ", ".join(values) if values else empty
