"""The registration wizard's frame: its state, the step indicator, Back/Next, start over.

Everything the person enters is kept in one :class:`RegistrationForm` under
``state.REGISTER_FORM``; each step's widgets are seeded from it (:func:`seed`) and written back
to it (the step's ``sync``) before "Next" validates, so a rejected step keeps what was typed and
"Back" never loses anything. Steps are a registry: key → :class:`Step` (render, sync, problems).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import streamlit as st

from catalog import STEP_TITLES, STEPS, Catalog, DataSource, Profile, RegistrationForm
from portal import state
from portal.safe_text import escape_markdown
from portal.services import get_catalog


@dataclass(frozen=True)
class Step:
    """One wizard step: draw it, copy its widgets into the form, say what blocks it."""

    render: Callable[[Catalog], None]
    sync: Callable[[], None]
    problems: Callable[[Catalog], list[str]]
    on_enter: Callable[[Catalog], None] | None = None


def form() -> RegistrationForm:
    """The form of this session (created empty on first use)."""
    return st.session_state.setdefault(state.REGISTER_FORM, RegistrationForm())


def source() -> DataSource | None:
    """The staged data, if any."""
    return st.session_state.get(state.REGISTER_SOURCE)


def profile() -> Profile | None:
    """The staged data's profile, if any."""
    return st.session_state.get(state.REGISTER_PROFILE)


def step_index() -> int:
    """The current step, 0-based."""
    return int(st.session_state.setdefault(state.REGISTER_STEP, 0))


def is_new_version() -> bool:
    """True when the wizard publishes a new version of an existing product."""
    return form().based_on is not None


def seed(key: str, value: Any) -> str:
    """Give widget ``key`` the form's value unless it already has one; returns ``key``."""
    if key not in st.session_state:
        st.session_state[key] = value
    return key


def value(key: str, default: Any = None) -> Any:
    """The widget value under ``key`` (``default`` when it was never shown)."""
    return st.session_state.get(key, default)


def set_problems(problems: list[str]) -> None:
    """Show ``problems`` above the step until the next attempt."""
    st.session_state[state.REGISTER_PROBLEMS] = list(problems)


def _go_next(catalog: Catalog, registry: dict[str, Step]) -> None:
    index = step_index()
    current = registry[STEPS[index]]
    current.sync()
    problems = current.problems(catalog)
    set_problems(problems)
    if problems:
        st.session_state[state.REGISTER_ATTEMPTED] = index
    if problems or index + 1 >= len(STEPS):
        return
    _enter(catalog, registry, index + 1)


def _enter(catalog: Catalog, registry: dict[str, Step], index: int) -> None:
    st.session_state[state.REGISTER_STEP] = index
    st.session_state.pop(state.REGISTER_ATTEMPTED, None)
    st.session_state.pop(state.REGISTER_FOCUS, None)
    following = registry[STEPS[index]]
    if following.on_enter is not None:
        following.on_enter(catalog)


def _go_back(registry: dict[str, Step]) -> None:
    index = step_index()
    registry[STEPS[index]].sync()
    set_problems([])
    st.session_state.pop(state.REGISTER_ATTEMPTED, None)
    st.session_state.pop(state.REGISTER_FOCUS, None)
    st.session_state[state.REGISTER_STEP] = max(0, index - 1)


def go_to(step: str, field: str) -> None:
    """Go back to ``step`` with ``field`` highlighted (a review problem's "go there"); the
    review is the last step, so every earlier step has been entered already."""
    set_problems([])
    st.session_state.pop(state.REGISTER_ATTEMPTED, None)
    st.session_state[state.REGISTER_FOCUS] = field
    st.session_state[state.REGISTER_STEP] = STEPS.index(step)


def focus(field: str, widget_key: str | None = None) -> bool:
    """Highlight ``field`` when a review problem sent the person here for it: a callout
    above it and, for a widget, the cursor in it. Returns True when it is the field asked for.

    Args:
        field: the form field (a Basics field name, ``freshness``, a column name, ``rules``).
        widget_key: the widget's key (from :mod:`portal.state`), to put the cursor in it.
    """
    if not field or st.session_state.get(state.REGISTER_FOCUS) != field:
        return False
    st.warning("Change this to publish: the review sent you here.", icon=":material/edit:")
    if widget_key:  # the key is one of portal.state's constants, never typed text
        selector = f".st-key-{widget_key} input, .st-key-{widget_key} textarea"
        st.html(f"<script>setTimeout(() => {{const e = window.parent.document.querySelector("
                f"'{selector}') || document.querySelector('{selector}'); if (e) {{ "
                "e.scrollIntoView({block: 'center'}); e.focus(); }}, 300);</script>",
                unsafe_allow_javascript=True)
    return True


def reset() -> None:
    """Forget everything (the staged file is removed) and start at Basics again; the choice
    of a new product or a new version (and of which product) stays."""
    get_catalog().discard_source(source())
    for key in [k for k in st.session_state if str(k).startswith("register_")]:
        if key not in {state.REGISTER_MODE, state.REGISTER_VERSION_OF, state.REGISTER_RESTART}:
            del st.session_state[key]


def progress() -> None:
    """The step indicator: "Step 2 of 6: Data" and a bar."""
    index = step_index()
    st.progress((index + 1) / len(STEPS),
                text=f"Step {index + 1} of {len(STEPS)}: {STEP_TITLES[STEPS[index]]}")
    st.caption(" → ".join(f"**{STEP_TITLES[s]}**" if i == index else STEP_TITLES[s]
                          for i, s in enumerate(STEPS)))


def show_problems(catalog: Catalog, registry: dict[str, Step]) -> None:
    """The problems that stopped the last "Next", as one error listing what to fix; checked
    again after every change, so a fixed problem disappears at once."""
    problems = st.session_state.get(state.REGISTER_PROBLEMS) or []
    if problems and st.session_state.get(state.REGISTER_ATTEMPTED) == step_index():
        current = registry[STEPS[step_index()]]
        current.sync()
        problems = current.problems(catalog)
        set_problems(problems)
        if not problems:
            st.success("Everything on this step is fixed: continue with Next.",
                       icon=":material/check_circle:")
    if problems:  # they repeat names, files and values that were typed or uploaded: escaped
        st.error("Fix these to continue:\n\n"
                 + "\n".join(f"- {escape_markdown(p, one_line=True)}" for p in problems),
                 icon=":material/error:")


def navigation(catalog: Catalog, registry: dict[str, Step]) -> None:
    """Back and Next buttons (Next is absent on the last step, which has Publish)."""
    index = step_index()
    with st.container(horizontal=True):
        st.button("Back", icon=":material/arrow_back:", key=state.REGISTER_BACK,
                  disabled=index == 0, on_click=_go_back, args=(registry,))
        if index + 1 < len(STEPS):
            st.button("Next", icon=":material/arrow_forward:", type="primary",
                      key=state.REGISTER_NEXT, on_click=_go_next, args=(catalog, registry))
        if index + 1 < len(STEPS) and state.REGISTER_FOCUS in st.session_state:
            st.button("Back to the review", icon=":material/fact_check:",
                      key=state.REGISTER_TO_REVIEW, on_click=_to_review,
                      args=(catalog, registry),
                      help="Check this step, then show the review again with the change.")
        elif 0 < index < len(STEPS) - 1 and source() is not None:
            st.button("Review now, with the suggestions", icon=":material/fast_forward:",
                      key=state.REGISTER_TO_REVIEW, on_click=_to_review,
                      args=(catalog, registry),
                      help="Keep the suggested schema, service levels and quality rules for "
                           "the steps not visited yet; the review says everything in words, "
                           "and Back leads to any step. A step that needs an answer stops "
                           "on the way and says which.")


def _to_review(catalog: Catalog, registry: dict[str, Step]) -> None:
    """Check this step and the steps after it (each entered as Next would, so rules are
    suggested), then show the review; stop at the first step that needs an answer."""
    start = step_index()
    registry[STEPS[start]].sync()
    for index in range(start, len(STEPS) - 1):  # the steps between are checked too
        if index > start:
            _enter(catalog, registry, index)
        problems = registry[STEPS[index]].problems(catalog)
        if problems:
            st.session_state[state.REGISTER_STEP] = index
            set_problems(problems)
            st.session_state[state.REGISTER_ATTEMPTED] = index
            return
    set_problems([])
    _enter(catalog, registry, len(STEPS) - 1)
