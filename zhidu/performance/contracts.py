"""What performance hands to other apps of its layer (discipline reads frozen rankings to propose rewards).

When a period's rankings are frozen, performance publishes `performance.ranking_frozen` with
`snapshot_id=<id>` (after commit); a subscriber reads the frozen rows with `frozen_ranking_rows(snapshot_id)`.
A frozen snapshot never changes, so the same id always gives the same rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

RANKING_FROZEN = "performance.ranking_frozen"


@dataclass(frozen=True)
class RankedRow:
    snapshot_id: int
    period_kind: str  # "month" | "quarter" | "year" (zhidu.core.periods.PERIOD_KINDS)
    period_start: dt.date
    scope: str  # "team" (members reporting to one lead) | "department" (a department subtree) | "company"
    scope_id: int | None  # team: the lead's member id; department: the department id; company: None
    scope_name: str
    member_id: int
    rank: int  # 1 is best; tied scores share a rank (1, 2, 2, 4)
    score: Decimal  # the scorecard's total, 0-100 with 2 decimals
    achievement: Decimal | None  # revenue target achievement in percent (Decimal("123.40")); None without a target


def frozen_ranking_rows(snapshot_id: int) -> list[RankedRow]:
    """Every row of one frozen ranking snapshot, best first within each scope."""
    from .selectors import snapshot_rows  # implemented by the performance app's selectors

    return snapshot_rows(snapshot_id)
