"""Excel export of a period's scorecards (the ones the viewer may read): total, achievement and each metric's
score. Text cells go through core.xlsx (formula injection)."""

from __future__ import annotations

import datetime as dt
import io

from django.utils.translation import gettext

from zhidu.core.xlsx import xlsx_row
from zhidu.org.models import Member

from . import selectors as sel
from .metrics import get_metric
from .models import ScoreLine

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def scorecards_xlsx(viewer: Member, kind: str, start: dt.date) -> bytes:
    from openpyxl import Workbook

    qs = sel.scorecard_list(viewer, kind, start)
    cards = list(qs)
    lines: dict[int, dict[str, ScoreLine]] = {}
    codes: list[str] = []
    for line in ScoreLine.objects.filter(scorecard__in=qs.order_by().values("pk")).order_by("id"):
        lines.setdefault(line.scorecard_id, {})[line.metric] = line
        if line.metric not in codes:
            codes.append(line.metric)
    labels = [str(m.label) if (m := get_metric(c)) else c for c in codes]
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "scorecards"
    head = [gettext("Member"), gettext("Department"), gettext("Period start"), gettext("Score")]
    ws.append(xlsx_row([*head, gettext("Revenue achievement (%)"), *labels, gettext("Acknowledged")]))
    for c in cards:
        row = [c.member.name, c.member.department.name, c.start.isoformat(), c.total, c.achievement]
        mine = lines.get(c.pk, {})
        row += [mine[code].score if code in mine else None for code in codes]
        row.append(gettext("Yes") if c.acknowledged_at else gettext("No"))
        ws.append(xlsx_row(row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
