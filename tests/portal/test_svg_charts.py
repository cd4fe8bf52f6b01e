"""Charts drawn as SVG pictures: round ticks, true time axes without odd ticks, gaps marked and
the line broken there, every text escaped."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from catalog.quality import presentation as pres
from portal import svg_charts as svg
from portal.components import governance_charts, quality_charts


@pytest.mark.parametrize(("low", "high", "ticks"), [
    (0, 100, [0, 20, 40, 60, 80, 100]),
    (1.9, 3.5, [1.5, 2.0, 2.5, 3.0, 3.5]),
    (0, 7, [0, 2, 4, 6, 8]),
])
def test_nice_ticks_cover_the_values(low: float, high: float, ticks: list[float]) -> None:
    assert svg.nice_ticks(low, high) == ticks
    assert svg.nice_ticks(low, high)[0] <= low and svg.nice_ticks(low, high)[-1] >= high


def test_a_time_axis_ticks_on_whole_minutes_hours_or_days() -> None:
    start = dt.datetime(2026, 11, 30, 7, 36, 13, 999_000)
    for span in (dt.timedelta(minutes=3), dt.timedelta(hours=5), dt.timedelta(days=9),
                 dt.timedelta(days=400)):
        ticks = svg.time_ticks(start, start + span)
        assert 1 <= len(ticks) <= 7, span
        for moment, label in ticks:
            assert moment.second == 0 and moment.microsecond == 0
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}( \d{2}:\d{2})?", label), label
            assert start <= moment <= start + span


def test_the_compliance_trend_is_a_true_time_axis() -> None:
    at = dt.datetime(2026, 11, 30, 7, 36, 13)
    picture = governance_charts.compliance_trend(
        [(at, 90.0, 300), (at + dt.timedelta(hours=1), 92.0, 300),
         (at + dt.timedelta(hours=5), 93.0, 310)])
    xs = [float(x) for x in re.findall(r'<circle cx="([\d.]+)"', picture)]
    # Points stand at distances proportional to the time between them (1 h, then 4 h).
    assert (xs[2] - xs[1]) == pytest.approx(4 * (xs[1] - xs[0]), rel=0.02)
    assert "07:36:13" not in picture and ".999" not in picture


def test_a_gap_of_years_breaks_the_line_and_is_named() -> None:
    moments = [dt.datetime(2013, m, 28, 23, 59, 59) for m in range(1, 13)]
    points, gaps = pres.trend([(m, 90.0 + i, ()) for i, m in enumerate(moments)]
                              + [(dt.datetime(2026, 11, 30, 10, 0), 95.0, ())])
    picture = quality_charts._line(points, gaps, "Score")
    assert picture.count("<polyline") == 1, "the 2026 point is not joined to 2013"
    assert "12 years without a run" in picture
    assert picture.count("<circle") == 13


def test_every_text_is_escaped() -> None:
    hostile = '<a href="https://evil.example">x</a> & $x$'
    picture = svg.bars([svg.Bar(hostile, 50.0, text=hostile)], x_title=hostile)
    assert "<a " not in picture and "href=\"https" not in picture
    assert "&lt;a href=&quot;https://evil.example&quot;&gt;" in picture
    heat = svg.heatmap([hostile], ["p"], [[(None, "n/a")]], title=hostile)
    assert set(re.findall(r"<([a-z]+)", heat)) <= {"svg", "title", "text", "rect"}
