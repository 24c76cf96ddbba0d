"""Working-time arithmetic: nights, weekends, lunch breaks, holidays and make-up working days (properties checked
with hypothesis), and the calendar a department inherits."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhidu.org.workcal import WorkCalendar, format_spans, parse_spans

SH = ZoneInfo("Asia/Shanghai")
CAL = WorkCalendar(
    exceptions={
        dt.date(2026, 10, 1): False,  # Thursday: national holiday
        dt.date(2026, 10, 2): False,
        dt.date(2026, 10, 10): True,  # Saturday: make-up working day
    }
)


def at(y: int, mo: int, d: int, h: int, mi: int = 0) -> dt.datetime:
    return dt.datetime(y, mo, d, h, mi, tzinfo=SH)


def test_same_morning():
    assert CAL.working_minutes(at(2026, 9, 28, 9, 10), at(2026, 9, 28, 9, 40)) == 30


def test_lunch_break_does_not_count():
    assert CAL.working_minutes(at(2026, 9, 28, 11, 50), at(2026, 9, 28, 13, 10)) == 20


def test_overnight_counts_only_working_hours():
    # Monday 17:50 → Tuesday 09:20: 10 + 20 minutes
    assert CAL.working_minutes(at(2026, 9, 28, 17, 50), at(2026, 9, 29, 9, 20)) == 30


def test_weekend_skipped():
    # Friday 17:30 → Monday 09:30
    assert CAL.working_minutes(at(2026, 9, 25, 17, 30), at(2026, 9, 28, 9, 30)) == 60


def test_holiday_skipped_and_makeup_day_counts():
    # Wednesday 17:00 → (Thu, Fri holidays; Sat 10th is far) → Monday 5th 10:00
    assert CAL.working_minutes(at(2026, 9, 30, 17, 0), at(2026, 10, 5, 10, 0)) == 60 + 60
    # Friday 9th 17:00 → Saturday 10th (make-up day) 10:00
    assert CAL.working_minutes(at(2026, 10, 9, 17, 0), at(2026, 10, 10, 10, 0)) == 120
    assert CAL.add_minutes(at(2026, 10, 9, 17, 30), 60) == at(2026, 10, 10, 9, 30)


def test_add_across_night_weekend_and_holiday():
    assert CAL.add_minutes(at(2026, 9, 25, 17, 30), 60) == at(2026, 9, 28, 9, 30)
    assert CAL.add_minutes(at(2026, 9, 30, 17, 30), 60) == at(2026, 10, 5, 9, 30)
    # asked on Sunday night: the clock starts on Monday morning
    assert CAL.add_minutes(at(2026, 9, 27, 22, 0), 30) == at(2026, 9, 28, 9, 30)
    assert CAL.add_minutes(at(2026, 9, 28, 11, 45), 30) == at(2026, 9, 28, 13, 15)


def test_utc_instants_are_converted():
    start = at(2026, 9, 28, 9, 0).astimezone(dt.UTC)
    assert CAL.add_minutes(start, 15) == at(2026, 9, 28, 9, 15)


def test_no_working_time_raises():
    with pytest.raises(ValueError):
        WorkCalendar(workdays=frozenset()).add_minutes(at(2026, 1, 1, 0), 1)


def test_spans_parse_and_format():
    assert parse_spans("09:00-12:00，13:00-18:30") == ((540, 720), (780, 1110))
    assert format_spans(((540, 720), (780, 1110))) == "09:00-12:00, 13:00-18:30"
    for bad in ("", "9-8", "09:00-12:00, 11:00-13:00", "25:00-26:00", "abc"):
        with pytest.raises(ValueError):
            parse_spans(bad)


instants = st.datetimes(
    min_value=dt.datetime(2026, 9, 1), max_value=dt.datetime(2026, 11, 30), timezones=st.just(SH)
).map(lambda d: d.replace(microsecond=0))


@settings(max_examples=150, deadline=None)
@given(start=instants, minutes=st.integers(min_value=0, max_value=5000))
def test_add_then_measure_is_identity(start, minutes):
    end = CAL.add_minutes(start, minutes)
    assert end >= start
    assert CAL.working_seconds(start, end) == minutes * 60
    if minutes:  # the earliest such instant: a second earlier is short
        assert CAL.working_seconds(start, end - dt.timedelta(seconds=1)) == minutes * 60 - 1


@settings(max_examples=150, deadline=None)
@given(a=instants, b=instants, c=instants)
def test_measure_is_additive_and_bounded(a, b, c):
    a, b, c = sorted([a, b, c])
    assert CAL.working_seconds(a, b) + CAL.working_seconds(b, c) == CAL.working_seconds(a, c)
    assert 0 <= CAL.working_seconds(a, b) <= (b - a).total_seconds()
    assert CAL.working_seconds(b, a) == 0 or a == b
