"""Money and percentages typed in by people: Decimal yuan with 2 places, never float.

amount = parse_money(form["fine"], field="amount", label="罚款金额")          # Decimal("200.00")
share = parse_percent(form["discount"], field="discount", label="折扣")        # Decimal("15.00") or None
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext_noop

from .errors import DomainError

CENT = Decimal("0.01")
MONEY_MAX = Decimal("999999999999.99")

ERR_MONEY = gettext_noop("{label}: enter an amount in yuan of at least 0 with at most 2 decimals.")
ERR_PERCENT = gettext_noop("{label}: enter a percentage from 0 to 100 with at most 2 decimals.")


def _decimal(value: Any) -> Decimal:
    if isinstance(value, float):
        raise InvalidOperation
    return Decimal(str(value).strip())


def parse_money(value: Any, *, field: str, label: str, required: bool = True) -> Decimal | None:
    """A yuan amount ≥ 0 with at most 2 decimals (str, int or Decimal; never float); None when blank and optional."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise DomainError(ERR_MONEY, field=field, label=label)
        return None
    try:
        amount = _decimal(value)
    except (InvalidOperation, ValueError):
        raise DomainError(ERR_MONEY, field=field, label=label) from None
    if not amount.is_finite() or amount < 0 or amount > MONEY_MAX or amount != amount.quantize(CENT):
        raise DomainError(ERR_MONEY, field=field, label=label)
    return amount.quantize(CENT)


def parse_percent(value: Any, *, field: str, label: str) -> Decimal | None:
    """A percentage from 0 to 100 with at most 2 decimals; None when blank."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        pct = _decimal(value)
    except (InvalidOperation, ValueError):
        raise DomainError(ERR_PERCENT, field=field, label=label) from None
    if not pct.is_finite() or not Decimal(0) <= pct <= Decimal(100) or pct != pct.quantize(CENT):
        raise DomainError(ERR_PERCENT, field=field, label=label)
    return pct.quantize(CENT)
