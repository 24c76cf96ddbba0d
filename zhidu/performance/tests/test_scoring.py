"""Scorecard arithmetic for every curve, for metrics where higher and where lower is better."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhidu.performance.scoring import competition_ranks, contribution, curve_score

D = Decimal


@pytest.mark.parametrize(
    ("raw", "target", "expected"),
    [
        ("0", "100", "0.00"),
        ("50", "100", "50.00"),
        ("80", "200", "40.00"),
        ("150", "100", "100.00"),
        ("1", "3", "33.33"),
        ("2", "3", "66.67"),
    ],
)
def test_linear_is_the_share_of_the_target_capped_at_100(raw: str, target: str, expected: str) -> None:
    assert curve_score(curve="linear", raw=D(raw), target=D(target)) == D(expected)


@pytest.mark.parametrize(("raw", "expected"), [("0", "100.00"), ("1", "50.00"), ("2", "0.00"), ("5", "0.00")])
def test_linear_lower_is_better_falls_to_zero_at_the_target(raw: str, expected: str) -> None:
    assert curve_score(curve="linear", raw=D(raw), target=D("2"), higher_is_better=False) == D(expected)


@pytest.mark.parametrize(("raw", "expected"), [("90", "90.00"), ("110", "110.00"), ("150", "120.00")])
def test_linear_cap_pays_over_achievement_up_to_the_cap(raw: str, expected: str) -> None:
    assert curve_score(curve="linear_cap", raw=D(raw), target=D("100"), cap=D("120")) == D(expected)


@pytest.mark.parametrize(
    ("raw", "expected"), [("59.99", "0"), ("60", "60"), ("99", "80"), ("100", "100"), ("300", "100")]
)
def test_thresholds_take_the_highest_reached(raw: str, expected: str) -> None:
    pairs = [["100", "100"], ["60", "60"], ["80", "80"]]  # unsorted on purpose
    assert curve_score(curve="thresholds", raw=D(raw), target=D("0"), thresholds=pairs) == D(expected)


@pytest.mark.parametrize(("raw", "expected"), [("0", "100"), ("1", "60"), ("2", "60"), ("3", "0")])
def test_thresholds_lower_is_better_take_the_lowest_not_exceeded(raw: str, expected: str) -> None:
    pairs = [["0", "100"], ["2", "60"]]
    got = curve_score(curve="thresholds", raw=D(raw), target=D("0"), thresholds=pairs, higher_is_better=False)
    assert got == D(expected)


def test_missing_raw_value_scores_zero() -> None:
    assert curve_score(curve="linear", raw=None, target=D("10")) == 0


@given(
    raw=st.decimals(min_value=0, max_value=10**6, places=2),
    target=st.decimals(min_value=D("0.01"), max_value=10**6, places=2),
    cap=st.decimals(min_value=100, max_value=300, places=2),
    higher=st.booleans(),
)
def test_scores_stay_within_zero_and_their_ceiling(raw: Decimal, target: Decimal, cap: Decimal, higher: bool) -> None:
    linear = curve_score(curve="linear", raw=raw, target=target, higher_is_better=higher)
    capped = curve_score(curve="linear_cap", raw=raw, target=target, cap=cap, higher_is_better=higher)
    assert 0 <= linear <= 100
    assert 0 <= capped <= cap
    assert capped >= linear if higher else capped == linear
    assert linear == linear.quantize(D("0.01"))


@given(raw=st.decimals(min_value=0, max_value=1000, places=2), step=st.decimals(min_value=0, max_value=50, places=2))
def test_more_is_never_worse_when_higher_is_better(raw: Decimal, step: Decimal) -> None:
    pairs = [["10", "20"], ["100", "70"], ["500", "100"]]
    for curve in ("linear", "linear_cap", "thresholds"):
        low = curve_score(curve=curve, raw=raw, target=D("200"), cap=D("150"), thresholds=pairs)
        high = curve_score(curve=curve, raw=raw + step, target=D("200"), cap=D("150"), thresholds=pairs)
        assert high >= low


def test_contribution_is_score_times_weight() -> None:
    assert contribution(D("66.67"), D("60")) == D("40.00")
    assert contribution(D("50"), D("33.33")) == D("16.67")


def test_ties_share_a_rank_and_the_next_rank_skips() -> None:
    assert competition_ranks([D(90), D(80), D(80), D(70)]) == [1, 2, 2, 4]
    assert competition_ranks([D(50), D(50), D(50)]) == [1, 1, 1]
    assert competition_ranks([]) == []
