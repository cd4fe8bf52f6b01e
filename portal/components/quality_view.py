"""The product page's *Quality* tab: score and grade with their arithmetic, freshness SLA, every
rule in plain language with its result, failing samples, trends, and "Run checks now".

The trend's rule chooser runs as a fragment (choosing a rule redraws that chart only), and the
figures are cached on the ids of the runs they are drawn from: stored runs never change.
"""

from __future__ import annotations

from typing import Any, Literal

import pandas as pd
import streamlit as st

from catalog import (
    Catalog,
    CatalogError,
    CheckResult,
    DataProduct,
    Principal,
    QualityRun,
    Status,
    explain,
)
from catalog import quality_presentation as pres
from portal import state
from portal.components import quality_charts as charts
from portal.safe_text import code_span, escape_markdown
from portal.services import show_error
from portal.tables import EMPTY_CELL, WRAP_ROW_HEIGHT, table_height
from portal.wording import HELP, plural

_NOT_MET = (Status.FAILED, Status.WARNING)
_DONE_KEY = "quality_run_done:"
"""Session key prefix of the summary of a run just made (shown once after the rerun)."""
_TRIGGERS = {"build": "current check made by the build", "history": "history check",
             "portal": "checked from the portal", "cli": "checked from the command line",
             "registration": "first check at registration"}
"""Who made a run, in words."""


_DELTA_COLOR: dict[bool | None, Literal["green", "red", "gray"]] = {
    True: "green", False: "red", None: "gray"}
"""Colour of the freshness verdict: met, not met, not measured."""


def quality_view(catalog: Catalog, principal: Principal, product: DataProduct,
                 may_run: bool = True) -> None:
    """Render the Quality tab of ``product``: a run button, then the latest stored run.

    Args:
        catalog: the catalog (runs checks, reads the operational store).
        principal: the signed-in user.
        product: the product shown.
        may_run: whether the principal may run the checks (the button is hidden otherwise;
            the catalog refuses anyway).
    """
    clicked = False
    if may_run:
        with st.container(horizontal=True, vertical_alignment="center"):
            clicked = st.button("Run checks now", key=state.product_quality_run(product.id),
                                icon=":material/play_arrow:",
                                help="Run every rule of the contract on the data as it is now.")
            st.caption("Checks run where the data lives; each run is kept, so trends build up.")
    done = _DONE_KEY + product.id
    if clicked and _run_now(catalog, principal, product):
        st.rerun()  # every view of the page (the header's badges too) shows the new verdict
    if done in st.session_state:
        st.success(st.session_state.pop(done), icon=":material/check_circle:")
    runs = catalog.quality_history(principal, product.id)
    if not runs:
        st.info("No quality run is stored for this product yet. "
                + ("Run the checks now to see whether its data keeps its contract." if may_run
                   else "Its team runs the checks; their results will show here."),
                icon=":material/info:")
        return
    latest = runs[-1]
    tally = pres.rule_tally(latest)
    verdict = catalog.verdict(principal, product.id, run=latest)
    st.markdown(f"**{verdict.label()}** · {verdict.moment()}",
                help=f"{explain('grade')} {explain('stale')}")
    if verdict.stale:
        st.warning("This result is stale: "
                   + escape_markdown("; ".join(verdict.stale_reasons), one_line=True)
                   + ". Run the checks again to see how the data is now.",
                   icon=":material/history:")
    if verdict.snapshot_end is not None:
        st.caption(verdict.snapshot_text(), help=explain("historical snapshot"))
    st.caption(f"Latest check: data as of {pres.as_of_label(latest)} · "
               f"{_TRIGGERS.get(latest.trigger, latest.trigger)} · "
               f"version {escape_markdown(latest.product_version, one_line=True)} · "
               f"{tally.sentence()} · checked in {latest.duration_s:.2f} s")
    _score(runs)
    _failing_rules(product.id, latest)
    _trends(product.id, runs)
    _all_rules(latest)


def _run_now(catalog: Catalog, principal: Principal, product: DataProduct) -> bool:
    """Run the checks with a progress bar inside a status box; errors shown, never raised.

    Returns:
        True when the run was stored (its summary is kept for the page's next run).
    """
    with st.status("Running the quality checks…", expanded=True) as box:
        bar = st.progress(0.0, text="Starting")

        def progress(done: int, total: int, label: str) -> None:
            """Advance the bar: ``done`` of ``total`` checks, the last one's description."""
            bar.progress(done / total if total else 1.0,
                         text=f"{done} of {total}: {escape_markdown(label, one_line=True)}")

        try:
            run = catalog.run_quality(principal, product.id, progress=progress)
        except CatalogError as err:
            box.update(label="The checks could not be run", state="error")
            show_error(err)
            return False
        tally = pres.rule_tally(run)
        st.session_state[_DONE_KEY + product.id] = (
            f"Checked {plural(tally.rules, 'rule')} in {run.duration_s:.1f} s: grade "
            f"{run.score.grade}, {tally.met} met, {tally.not_met} not met, "
            f"{tally.not_checked} could not be checked.")
        box.update(label=f"Checked {plural(tally.rules, 'rule')} in {run.duration_s:.1f} s:"
                         f" score {run.score.value if run.score.value is not None else '–'}, "
                         f"grade {run.score.grade}, {tally.met} met, {tally.not_met} not met, "
                         f"{tally.not_checked} could not be checked",
                   state="complete", expanded=False)
        return True


def _score(runs: list[QualityRun]) -> None:
    """Score (with its change and history), grade, rules met and freshness as metrics; the
    weights and arithmetic below."""
    run = runs[-1]
    tally = pres.rule_tally(run)
    fresh = pres.freshness(run)
    cols = st.columns(4)
    value = run.score.value
    earlier = runs[-2].score.value if len(runs) > 1 else None
    cols[0].metric("Quality score", f"{value:.1f} / 100" if value is not None else "–",
                   delta=round(value - earlier, 1) if value is not None and earlier is not None
                   else None, delta_description="since the run before", border=True,
                   help=explain("quality score"))
    cols[1].metric("Grade", run.score.grade, border=True, help=explain("grade"))
    cols[2].metric("Rules met", f"{tally.met} of {tally.checked}", border=True,
                   help=f"Of the rules that could be checked. {tally.sentence()}.")
    if fresh is None:
        cols[3].metric("Freshness", "no promise", border=True, help=explain("sla"))
    else:
        verdict = {True: "met", False: "not met", None: "not measured"}[fresh.met]
        actual = escape_markdown(fresh.actual, one_line=True)
        promised = escape_markdown(fresh.promised, one_line=True)
        cols[3].metric("Freshness", actual, delta=f"{verdict}: {promised}",
                       delta_color=_DELTA_COLOR[fresh.met],
                       delta_arrow="off", border=True,
                       help=explain("freshness"))
        st.caption(f":material/schedule: Freshness promise: newest record {promised} "
                   f"old; it is {actual} old ({verdict}). "
                   f"{escape_markdown(fresh.detail, one_line=True)}")
    left, right = st.columns([3, 2], gap="large")
    with left:
        rows = [{"Kind of rule": d.dimension, "Counts for": d.weight, "Rules met": d.passed,
                 "Rules checked": d.scored, "Share met": 100 * d.rate}
                for d in run.score.dimensions]
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch",
                     placeholder=EMPTY_CELL, column_config={
                         "Kind of rule": st.column_config.TextColumn(help=explain("dimension")),
                         "Counts for": st.column_config.NumberColumn(
                             format="%.2f", help=explain("weight")),
                         "Share met": st.column_config.ProgressColumn(
                             format="%.1f%%", min_value=0, max_value=100,
                             help=explain("pass rate"))})
    with right:
        st.markdown("**How the score is computed**")
        st.markdown(f"Score = {escape_markdown(run.score.arithmetic, one_line=True)}")
        st.caption(f"Weights: {pres.weights_text()}. Dimensions without a scored rule are left "
                   "out and the weights of the others rescaled; rules that could not run or "
                   f"were skipped do not count. Grades: {pres.grade_bands()}.")


def _failing_rules(product_id: str, run: QualityRun) -> None:
    """The rules not met, each with a sample of its failing rows."""
    failing = [r for r in pres.ordered(run.results) if r.status in _NOT_MET]
    st.markdown("**Rules not met**" if failing else "**Every rule that ran is met.**",
                help=HELP["quality"])
    for result in failing:
        _failing(product_id, result)


def rule_rows(run: QualityRun) -> list[dict[str, Any]]:
    """The All rules table: one row per rule (failing first), its result in words, never a
    symbol a data grid's font may lack."""
    return [{"Rule and result": pres.result_sentence(r, mark=False),
             "Result": pres.RESULT_WORDS[r.status], "Dimension": r.check.dimension,
             "Severity": r.check.severity, "Limit": pres.limit_text(r), "Rule id": r.check.id}
            for r in pres.ordered(run.results)]


def _all_rules(run: QualityRun) -> None:
    """Every rule with its result in a table (failing first), then those that did not run."""
    results = pres.ordered(run.results)
    st.markdown("**All rules**")
    rows = rule_rows(run)
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", placeholder=EMPTY_CELL,
                 row_height=WRAP_ROW_HEIGHT,
                 height=table_height(len(rows), row_height=WRAP_ROW_HEIGHT), column_config={
                     "Rule and result": st.column_config.TextColumn(width="large"),
                     "Result": st.column_config.TextColumn(width="small"),
                     "Dimension": st.column_config.TextColumn(help=HELP["dimension"])})
    not_run = [r for r in results if r.status in (Status.ERROR, Status.SKIPPED)]
    if not_run:
        st.markdown("**Rules that could not be checked**")
        for r in not_run:
            st.markdown(f"- {escape_markdown(pres.rule_sentence(r.check), one_line=True)} — "
                        f"{pres.RESULT_WORDS[r.status]}: "
                        f"{escape_markdown(r.message, one_line=True)}")


def _failing(product_id: str, result: CheckResult) -> None:
    """One rule not met: its sentence, where it applies, and a sample of failing rows (its
    table is built only while the expander is open: a closed one costs the page nothing)."""
    with st.container(border=True):
        icon = ":red[:material/cancel:]" if result.status == Status.FAILED else \
            ":orange[:material/warning:]"
        st.markdown(f"{icon} {escape_markdown(pres.result_sentence(result), one_line=True)}")
        if result.check.description != pres.rule_sentence(result.check):  # the rule's own words
            st.caption(escape_markdown(result.check.description, one_line=True))
        where = result.check.object + (f".{result.check.property}" if result.check.property
                                       else "")
        st.caption(f"{escape_markdown(result.check.dimension, one_line=True)} · severity "
                   f"{escape_markdown(result.check.severity, one_line=True)} · limit "
                   f"{escape_markdown(pres.limit_text(result), one_line=True)} · on "
                   f"{code_span(where)} · rule {code_span(result.check.id)}")
        if result.sample:
            sample = st.expander(f"Failing rows (first {len(result.sample)})",
                                 icon=":material/table_rows:", on_change="rerun",
                                 key=state.product_quality_sample(product_id, result.check.id))
            if sample.open:
                sample.dataframe(pd.DataFrame(result.sample), hide_index=True,
                                 width="stretch", placeholder=EMPTY_CELL)


def _runs_key(runs: list[QualityRun]) -> tuple[str, ...]:
    """What identifies a set of stored runs (a figure drawn from them never changes)."""
    return tuple(r.run_id for r in runs)


@st.cache_data(max_entries=256, show_spinner=False)
def _score_figure(product_id: str, run_ids: tuple[str, ...], _runs: list[QualityRun]) -> str:
    """The score trend of these runs (cached on the product and its runs' ids)."""
    return charts.score_trend(_runs)


@st.cache_data(max_entries=256, show_spinner=False)
def _rule_figure(product_id: str, run_ids: tuple[str, ...], check_id: str, label: str,
                 _runs: list[QualityRun]) -> str:
    """One rule's trend over these runs (cached on the product, its runs' ids and the rule)."""
    return charts.rule_trend(_runs, check_id, label)


def _trends(product_id: str, runs: list[QualityRun]) -> None:
    """The score over runs, and one chosen rule's observed value over runs."""
    st.markdown("**Trends**", help="Each point is one run, at the data cut-off it saw: month "
                                   "ends of the history, then the runs made since. A long gap "
                                   "between two runs is marked on the axis.")
    left, right = st.columns(2, gap="large")
    key = _runs_key(runs)
    with left:
        st.caption("Quality score per run")
        st.image(_score_figure(product_id, key, runs))
    with right:
        _rule_trend(product_id, runs)


@st.fragment
def _rule_trend(product_id: str, runs: list[QualityRun]) -> None:
    """The rule chooser and its trend; a choice reruns this fragment only."""
    latest = {r.check.id: r for r in pres.ordered(runs[-1].results) if r.observed is not None}
    if not latest:
        st.caption("No rule has a measured value to draw.")
        return
    chosen = st.selectbox("Rule", list(latest), key=state.product_quality_rule(product_id),
                          format_func=lambda cid: pres.rule_sentence(latest[cid].check))
    label = pres.value_label(latest[chosen])
    st.image(_rule_figure(product_id, _runs_key(runs), chosen, label, runs))
