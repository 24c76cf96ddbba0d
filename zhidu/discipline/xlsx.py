"""Excel export of a period's rewards and penalties (openpyxl; text cells through core.xlsx)."""

from __future__ import annotations

import io
from collections.abc import Sequence

from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from zhidu.core.xlsx import xlsx_row

from .models import Sanction

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

COLUMNS = [
    gettext_noop("Member"),
    gettext_noop("Department"),
    gettext_noop("Measure"),
    gettext_noop("Amount (yuan)"),
    gettext_noop("Status"),
    gettext_noop("Citation"),
    gettext_noop("Proposed measure"),
    gettext_noop("Reason for the change"),
    gettext_noop("Approved by"),
    gettext_noop("Confirmed by"),
    gettext_noop("Decided at"),
    gettext_noop("Appeal"),
]


def sanctions_xlsx(rows: Sequence[Sanction]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = gettext("Rewards and penalties")
    ws.append([gettext(c) for c in COLUMNS])
    for s in rows:
        appeal = getattr(s, "appeal", None)
        decided = timezone.localtime(s.decided_at).strftime("%Y-%m-%d %H:%M") if s.decided_at else ""
        ws.append(
            xlsx_row(
                [
                    s.member.name,
                    str(s.member.department),
                    s.get_kind_display(),
                    s.amount,
                    s.get_status_display(),
                    s.citation,
                    s.get_proposed_kind_display(),
                    s.change_reason,
                    s.lead.name if s.lead else "",
                    s.upper.name if s.upper else "",
                    decided,
                    appeal.get_status_display() if appeal else "",
                ]
            )
        )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
