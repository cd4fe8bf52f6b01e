"""A product's trust verdict: one answer to "can I trust this data now?", the same on every view.

Every door (the portal's pages, the HTTP API, the MCP server) shows the verdict this module
computes from the product's latest stored quality run, so two pages never disagree. A verdict
says which run it comes from and when that run measured the data, and whether it is **stale**:

- the run measured the data as it stood at a past date (a history run rebuilt at a month end),
  not the data as it is;
- the run was made for another version of the product than the current one;
- the product's data was rebuilt after the run;
- the run is older than the product's promised update frequency (ODCS ``slaProperties``
  ``frequency``; ``freshness`` when no frequency is promised). A frozen historical snapshot
  (contract custom property ``historicalSnapshot``) promises no updates, so its runs do not
  age: only a new version or rebuilt data makes them stale.

Pure functions over :mod:`catalog.quality.model` and :mod:`catalog.mesh` objects: no I/O.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from catalog.mesh import DataProduct
from catalog.quality.derive import snapshot_end
from catalog.quality.model import QualityRun
from catalog.quality.operators import unit_seconds
from catalog.quality.presentation import (
    GRADE_COLORS,
    NOT_CHECKED,
    STATUS_LABELS,
    grade_bands,
    product_status,
    rule_tally,
)

PAST_DATA_SLACK = dt.timedelta(hours=1)
"""A run whose data cut-off lies further than this before the moment it ran measured past data
(a history run), not the data as it was then."""


def _when(moment: dt.datetime) -> str:
    """``2026-05-02 10:14 UTC`` (stored times are naive UTC)."""
    return f"{moment:%Y-%m-%d %H:%M} UTC"


def _day(moment: dt.datetime) -> str:
    """A data cut-off: a day for month ends, else a day and time."""
    if moment.time() >= dt.time(23, 59, 59):
        return f"{moment:%Y-%m-%d}"
    return _when(moment)


def measured_text(run: QualityRun) -> str:
    """When a run ran and which data it saw: ``checked 2026-05-02 10:14 UTC on the data as it
    was then`` or ``checked 2026-05-02 10:14 UTC on the data as it stood on 2013-03-31``."""
    if run.as_of < run.started_at - PAST_DATA_SLACK:
        return f"checked {_when(run.started_at)} on the data as it stood on {_day(run.as_of)}"
    return f"checked {_when(run.started_at)} on the data as it was then"


def _max_age(product: DataProduct) -> tuple[dt.timedelta, str] | None:
    """How long a run stays current: the promised update frequency (else freshness) of the
    product's first port that promises one; None for frozen snapshots or no promise."""
    for port in product.output_ports:
        raw = port.raw_contract
        if snapshot_end(raw) is not None:
            return None
        slas = [s for s in raw.get("slaProperties") or [] if isinstance(s, dict)]
        for name in ("frequency", "freshness"):
            sla = next((s for s in slas if str(s.get("property") or "").lower() == name), None)
            if sla is None or not isinstance(sla.get("value"), int | float):
                continue
            unit = str(sla.get("unit") or "d")
            try:
                seconds = float(sla["value"]) * unit_seconds(unit)
            except (KeyError, ValueError):
                continue
            word = "update frequency" if name == "frequency" else "freshness"
            return dt.timedelta(seconds=seconds), f"{word} ({sla['value']:g} {unit})"
    return None


def product_snapshot_end(product: DataProduct) -> dt.datetime | None:
    """The end of the frozen historical snapshot the product's first port declares, or None."""
    for port in product.output_ports:
        end = snapshot_end(port.raw_contract)
        if end is not None:
            return end
    return None


def stale_reasons(product: DataProduct, run: QualityRun, now: dt.datetime,
                  data_changed_at: dt.datetime | None = None) -> tuple[str, ...]:
    """Why ``run`` no longer tells how the product is now (empty when it still does).

    Args:
        product: the product as it is now.
        run: its latest stored run.
        now: the current time (naive UTC).
        data_changed_at: when the product's data was last written (naive UTC), if known.
    """
    reasons = []
    if run.as_of < run.started_at - PAST_DATA_SLACK:
        reasons.append(f"it measured the data as it stood on {_day(run.as_of)} (a history "
                       "run), not the data as it is now")
    if run.product_version != product.version:
        reasons.append(f"it was made for version {run.product_version}; the product is now "
                       f"at version {product.version}")
    if data_changed_at is not None and data_changed_at > run.started_at:
        reasons.append(f"the data was rebuilt on {_when(data_changed_at)}, after the run")
    limit = _max_age(product)
    if limit is not None and now - run.started_at > limit[0]:
        reasons.append(f"it is older than the promised {limit[1]}: the data may have changed "
                       "since")
    return tuple(reasons)


@dataclass(frozen=True)
class Verdict:
    """A product's trust verdict as every view shows it.

    Attributes:
        product_id: the product.
        run: the latest stored run the verdict comes from; None when never checked.
        status: the run's worst result, one of
            :data:`catalog.quality.presentation.PRODUCT_STATUSES`.
        stale_reasons: why the run no longer describes the product now (empty: current).
        snapshot_end: the end of the product's frozen historical snapshot, if it is one.
        now: the moment the verdict was made (naive UTC).
    """

    product_id: str
    run: QualityRun | None
    status: str
    stale_reasons: tuple[str, ...]
    snapshot_end: dt.datetime | None
    now: dt.datetime

    @property
    def checked(self) -> bool:
        """True when a run is stored."""
        return self.run is not None

    @property
    def stale(self) -> bool:
        """True when the run no longer describes the product as it is now."""
        return bool(self.stale_reasons)

    @property
    def grade(self) -> str:
        """``A``–``E``, ``–`` when unscored, ``not checked`` without a run."""
        return self.run.score.grade if self.run is not None else NOT_CHECKED

    @property
    def score(self) -> float | None:
        """The score 0..100, None when unscored or never checked."""
        return self.run.score.value if self.run is not None else None

    @property
    def checked_at(self) -> dt.datetime | None:
        """When the run ran (naive UTC)."""
        return self.run.started_at if self.run is not None else None

    @property
    def color(self) -> str:
        """Badge colour: the grade's, gray when stale or never checked."""
        if self.run is None or self.stale:
            return "gray"
        return GRADE_COLORS.get(self.grade, "gray")

    def label(self) -> str:
        """Badge text: ``Quality A``, ``Quality A · stale``, ``Quality not checked``."""
        if self.run is None:
            return "Quality not checked"
        return f"Quality {self.grade}" + (" · stale" if self.stale else "")

    def moment(self) -> str:
        """When it was measured, e.g. ``checked 2026-05-02 10:14 UTC on the data as it was
        then``; ``never checked`` without a run."""
        return measured_text(self.run) if self.run is not None else "never checked"

    def snapshot_text(self) -> str:
        """``Historical snapshot up to 2013-12-31, not updated any more.`` or ``""``."""
        if self.snapshot_end is None:
            return ""
        return (f"Historical snapshot up to {self.snapshot_end:%Y-%m-%d}, not updated any "
                "more; ages of records are measured at that date.")

    def sentence(self) -> str:
        """The whole verdict in words: grade, score, rules, when, and why it is stale."""
        if self.run is None:
            return "No quality run is stored for this product yet."
        value = "–" if self.score is None else f"{self.score:.1f}"
        text = (f"Grade {self.grade} (score {value} of 100; {grade_bands()}), "
                f"{self.moment()}: {rule_tally(self.run).sentence()} "
                f"({STATUS_LABELS.get(self.status, self.status).lower()}).")
        if self.stale:
            text += " Stale: " + "; ".join(self.stale_reasons) + ". Run the checks again."
        if self.snapshot_end is not None:
            text += " " + self.snapshot_text()
        return text


def verdict(product: DataProduct, run: QualityRun | None, now: dt.datetime,
            data_changed_at: dt.datetime | None = None) -> Verdict:
    """The product's verdict from its latest stored run.

    Args:
        product: the product as it is now.
        run: its latest stored run (by data cut-off, then start), None when never checked.
        now: the current time (naive UTC).
        data_changed_at: when its data was last written (naive UTC), if known.
    """
    reasons = stale_reasons(product, run, now, data_changed_at) if run is not None else ()
    return Verdict(product.id, run, product_status(run), reasons, product_snapshot_end(product),
                   now)
