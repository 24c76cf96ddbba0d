import datetime as dt
from decimal import Decimal

import pytest

from zhidu.core.periods import day_bounds, yuan


def test_yuan_refuses_floats_and_rounds_half_up():
    with pytest.raises(TypeError):
        yuan(0.1)
    assert yuan("19.995") == Decimal("20.00") and yuan(3) == Decimal("3.00")


def test_day_bounds_are_company_local_days():
    start, end = day_bounds(dt.date(2026, 11, 29))
    assert start.astimezone(dt.UTC) == dt.datetime(2026, 11, 28, 16, 0, tzinfo=dt.UTC)
    assert end - start == dt.timedelta(days=1)
