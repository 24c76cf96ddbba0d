"""Working time arithmetic (pure Python, no Django): which instants are working time under a calendar, how many
working seconds lie between two instants, and which instant comes N working seconds after another.

A `WorkCalendar` is: the ISO weekdays that are working days, the working spans of such a day in minutes after local
midnight (e.g. 09:00–12:00 and 13:00–18:00 with a lunch break), dated exceptions (a holiday on a working weekday,
a make-up working day 调休 on a weekend) and a time zone. Instants are aware datetimes; spans are local wall time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

MAX_SEARCH_DAYS = 3660  # `add` gives up after ten years without enough working time


@dataclass(frozen=True)
class WorkCalendar:
    workdays: frozenset[int] = frozenset({1, 2, 3, 4, 5})  # ISO weekdays, Monday = 1
    spans: tuple[tuple[int, int], ...] = ((9 * 60, 12 * 60), (13 * 60, 18 * 60))  # minutes after local midnight
    tz: dt.tzinfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))
    exceptions: Mapping[dt.date, bool] = field(default_factory=dict)  # date -> working day?
    _spans_cache: dict[dt.date, list[tuple[dt.datetime, dt.datetime]]] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )

    def is_working_day(self, day: dt.date) -> bool:
        special = self.exceptions.get(day)
        if special is not None:
            return special
        return day.isoweekday() in self.workdays

    def _day_spans(self, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
        """The day's working spans as UTC instants (memoised: deadlines hit the same few days again and again)."""
        hit = self._spans_cache.get(day)
        if hit is None:
            hit = self._spans_cache[day] = self._compute_spans(day)
            if len(self._spans_cache) > 4096:
                self._spans_cache.clear()
                self._spans_cache[day] = hit
        return hit

    def _compute_spans(self, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
        if not self.is_working_day(day):
            return []
        midnight = dt.datetime(day.year, day.month, day.day, tzinfo=self.tz)
        return [
            (
                (midnight + dt.timedelta(minutes=a)).astimezone(dt.UTC),
                (midnight + dt.timedelta(minutes=b)).astimezone(dt.UTC),
            )
            for a, b in self.spans
            if b > a
        ]

    def working_seconds(self, start: dt.datetime, end: dt.datetime) -> int:
        """Working seconds in [start, end) (0 when end <= start)."""
        if end <= start:
            return 0
        day = start.astimezone(self.tz).date() - dt.timedelta(days=1)  # spans never cross midnight, but be safe
        last = end.astimezone(self.tz).date()
        total = 0.0
        while day <= last:
            for a, b in self._day_spans(day):
                lo, hi = max(a, start), min(b, end)
                if hi > lo:
                    total += (hi - lo).total_seconds()
            day += dt.timedelta(days=1)
        return int(total)

    def working_minutes(self, start: dt.datetime, end: dt.datetime) -> float:
        return self.working_seconds(start, end) / 60.0

    def add_seconds(self, start: dt.datetime, seconds: int) -> dt.datetime:
        """The earliest instant t with working_seconds(start, t) == seconds (start itself when seconds <= 0)."""
        if seconds <= 0:
            return start
        remaining = float(seconds)
        day = start.astimezone(self.tz).date() - dt.timedelta(days=1)
        for _i in range(MAX_SEARCH_DAYS):
            for a, b in self._day_spans(day):
                lo = max(a, start)
                if b <= lo:
                    continue
                available = (b - lo).total_seconds()
                if remaining <= available:
                    return lo + dt.timedelta(seconds=remaining)
                remaining -= available
            day += dt.timedelta(days=1)
        raise ValueError("calendar has no working time in the next ten years")

    def add_minutes(self, start: dt.datetime, minutes: int) -> dt.datetime:
        return self.add_seconds(start, minutes * 60)


def parse_spans(text: str) -> tuple[tuple[int, int], ...]:
    """ "09:00-12:00, 13:00-18:00" -> ((540, 720), (780, 1080)); raises ValueError on a malformed, empty,
    reversed or overlapping span."""
    out: list[tuple[int, int]] = []
    for part in text.replace("，", ",").split(","):
        part = part.strip()
        if not part:
            continue
        a, sep, b = part.replace("–", "-").partition("-")
        if not sep:
            raise ValueError(part)
        lo, hi = _minute(a), _minute(b)
        if hi <= lo:
            raise ValueError(part)
        out.append((lo, hi))
    out.sort()
    if not out or any(out[i][1] > out[i + 1][0] for i in range(len(out) - 1)):
        raise ValueError(text)
    return tuple(out)


def _minute(text: str) -> int:
    h, sep, m = text.strip().partition(":")
    hours, minutes = int(h), int(m) if sep else 0
    if not (0 <= hours <= 24 and 0 <= minutes < 60) or hours * 60 + minutes > 24 * 60:
        raise ValueError(text)
    return hours * 60 + minutes


def format_spans(spans: tuple[tuple[int, int], ...]) -> str:
    return ", ".join(f"{a // 60:02d}:{a % 60:02d}-{b // 60:02d}:{b % 60:02d}" for a, b in spans)
