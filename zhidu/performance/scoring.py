"""Scoring curves (pure): a metric's raw value and its KPI item give a score of 0..100 (linear_cap: 0..cap).

* linear: the share of the target reached, in percent, capped at 100. For a metric where lower is better
  (violations, reply minutes), 100 at zero falling linearly to 0 at the target.
* linear_cap: like linear, but a higher metric may go beyond 100 up to `cap` percent (over-achievement pays).
* thresholds: a list of [value, score] pairs; higher is better: the score of the highest value reached (0 when
  none is); lower is better: the score of the lowest value not exceeded (0 when the raw value is above all).

A missing raw value (nothing to measure, e.g. no target) scores 0. Contribution = score × weight / 100, and a
scorecard's total is the sum of its contributions, so the breakdown always adds up to the total.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
ZERO = Decimal(0)


def q2(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def curve_score(
    *,
    curve: str,
    raw: Decimal | None,
    target: Decimal,
    higher_is_better: bool = True,
    cap: Decimal | None = None,
    thresholds: Sequence[Sequence[object]] = (),
) -> Decimal:
    if raw is None:
        return ZERO
    if curve == "thresholds":
        pairs = sorted((Decimal(str(v)), Decimal(str(s))) for v, s in thresholds)
        if higher_is_better:
            reached = [s for v, s in pairs if raw >= v]
            return q2(reached[-1]) if reached else ZERO
        within = [s for v, s in pairs if raw <= v]
        return q2(within[0]) if within else ZERO
    upper = HUNDRED if curve == "linear" or cap is None else max(cap, ZERO)
    if higher_is_better:
        if target <= 0:
            return q2(min(HUNDRED, upper))
        value = raw / target * HUNDRED
    else:
        if target <= 0:
            return HUNDRED if raw <= 0 else ZERO
        value = HUNDRED - raw / target * HUNDRED
    return q2(max(ZERO, min(upper, value)))


def contribution(score: Decimal, weight: Decimal) -> Decimal:
    return q2(score * weight / HUNDRED)


def competition_ranks(scores: Sequence[Decimal]) -> list[int]:
    """Ranks for scores sorted best first: tied scores share a rank and the next rank skips (1, 2, 2, 4)."""
    ranks: list[int] = []
    for i, score in enumerate(scores):
        ranks.append(ranks[-1] if i and score == scores[i - 1] else i + 1)
    return ranks
