"""Excel: the customer list out (within scope), follow-up records in (all rows checked first, nothing written
when any row is wrong; errors in Chinese name the row and column)."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from openpyxl import Workbook, load_workbook

from zhidu.core.errors import DomainError
from zhidu.core.periods import company_tz
from zhidu.core.xlsx import xlsx_row, xlsx_uncell
from zhidu.org.models import Member

from ..models import FollowRelation, FollowUpKind, Stage
from .selectors import FollowFilters, development_or_none, follow_list, stage_of
from .services import WRITERS, _followup_write, followup_validate

EXPORT_HEADERS = [
    gettext_noop("Customer"),
    gettext_noop("External userid"),
    gettext_noop("Company"),
    gettext_noop("Salesperson in charge"),
    gettext_noop("Stage"),
    gettext_noop("Tags"),
    gettext_noop("Budget"),
    gettext_noop("Need"),
    gettext_noop("Decision maker"),
    gettext_noop("Timing"),
    gettext_noop("Next action"),
    gettext_noop("Next action date"),
    gettext_noop("Last contact"),
    gettext_noop("Added at"),
]
IMPORT_HEADERS = [
    gettext_noop("External userid"),
    gettext_noop("Owner userid"),
    gettext_noop("Kind"),
    gettext_noop("Time"),
    gettext_noop("Follow-up summary"),
    gettext_noop("Outcome"),
    gettext_noop("Next step"),
]
ERR_ROW = gettext_noop("Row {row}: {error}")
ERR_HEADERS = gettext_noop("The first row must be the columns: {columns}.")
ERR_NOT_XLSX = gettext_noop("The file is not an Excel workbook (.xlsx).")
ERR_EMPTY = gettext_noop("The file has no follow-up rows.")
ERR_TOO_MANY = gettext_noop("The file has {count} rows; at most {max} at once.")
ERR_ROW_FOLLOW = gettext_noop("no customer {customer} followed by {owner} in your scope")
ERR_ROW_KIND = gettext_noop("Kind: use one of {kinds}")
ERR_ROW_TIME = gettext_noop("Time: not a date and time (use 2025-03-01 14:30)")


def _local(value: dt.datetime | None) -> Any:
    return value.astimezone(company_tz()).replace(tzinfo=None) if value else None


def follows_export(*, viewer: Member, filters: FollowFilters) -> bytes:
    """The filtered customer list (the viewer's scope only), at most CUSTOMER_EXPORT_MAX_ROWS rows."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("Customers"))
    ws.append([_(h) for h in EXPORT_HEADERS])
    qs = follow_list(viewer=viewer, filters=filters).prefetch_related("tags")
    for f in qs[: settings.CUSTOMER_EXPORT_MAX_ROWS]:
        dev = development_or_none(f)
        ws.append(
            xlsx_row(
                [
                    f.customer.name,
                    f.customer.external_userid,
                    f.customer.corp_name,
                    f.member.name,
                    str(Stage(stage_of(f)).label),
                    "、".join(t.name for t in f.tags.all()),
                    dev.budget if dev else "",
                    dev.need if dev else "",
                    dev.decision_maker if dev else "",
                    dev.timing if dev else "",
                    dev.next_action if dev else "",
                    dev.next_action_on if dev else None,
                    _local(f.last_contact),  # type: ignore[attr-defined]
                    _local(f.createtime),
                ]
            )
        )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@dataclass(frozen=True)
class _Row:
    number: int
    follow: FollowRelation
    kind: str
    at: dt.datetime
    summary: str
    outcome: str
    next_step: str


def _kind(value: str) -> str | None:
    value = value.strip()
    for choice in FollowUpKind:
        if value in (choice.value, str(choice.label), _(str(choice.label))):
            return choice.value
    return None


def _time(value: Any) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value, dt.time(9, 0))
    else:
        text = str(value or "").strip()
        for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d", "%Y/%m/%d %H:%M", "%Y/%m/%d"):
            try:
                moment = dt.datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
        else:
            return None
    return moment.replace(tzinfo=company_tz()) if timezone.is_naive(moment) else moment


def _cell(value: Any) -> str:
    return xlsx_uncell(str(value)).strip() if value is not None else ""


def followups_import(*, actor: Member, file: IO[bytes]) -> int:
    """Read every row, check every row, then write all of them in one transaction. Returns the rows written."""
    if actor.role not in WRITERS:
        from .errors import ERR_FORBIDDEN

        raise DomainError(ERR_FORBIDDEN, code="forbidden")
    try:
        wb = load_workbook(file, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types for a file that is not a workbook
        raise DomainError(ERR_NOT_XLSX, field="file") from None
    ws = wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    header = [_cell(v) for v in next(rows, ())]
    expected = [_(h) for h in IMPORT_HEADERS]
    if header[: len(expected)] != expected:
        raise DomainError(ERR_HEADERS, field="file", columns="、".join(expected))
    raw: list[tuple[int, tuple[Any, ...]]] = []
    for number, values in enumerate(rows, start=2):
        if values is None or all(v is None or str(v).strip() == "" for v in values):
            continue
        raw.append((number, tuple(values) + (None,) * (len(expected) - len(values))))
        if len(raw) > settings.CUSTOMER_IMPORT_MAX_ROWS:
            raise DomainError(ERR_TOO_MANY, field="file", count=len(raw), max=settings.CUSTOMER_IMPORT_MAX_ROWS)
    if not raw:
        raise DomainError(ERR_EMPTY, field="file")
    pairs = {(_cell(v[0]), _cell(v[1])) for _n, v in raw}
    follows = {
        (f.customer.external_userid, f.member.wecom_userid): f
        for f in FollowRelation.objects.visible_to(actor)
        .filter(customer__external_userid__in={p[0] for p in pairs}, member__wecom_userid__in={p[1] for p in pairs})
        .select_related("customer", "member")
    }
    good: list[_Row] = []
    errors: list[str] = []
    for number, v in raw:
        try:
            good.append(_check_row(number, v, follows))
        except DomainError as exc:
            errors.append(_(ERR_ROW).format(row=number, error=exc.message))
    if errors:
        raise DomainError("\n".join(errors[:50]), field="file")
    with transaction.atomic():
        for row in good:
            _followup_write(
                actor=actor,
                follow=row.follow,
                kind=row.kind,
                summary=row.summary,
                outcome=row.outcome,
                next_step=row.next_step,
                next_action_on=None,
                happened_at=row.at,
            )
    return len(good)


def _check_row(number: int, v: tuple[Any, ...], follows: dict[tuple[str, str | None], FollowRelation]) -> _Row:
    external_userid, owner = _cell(v[0]), _cell(v[1])
    follow = follows.get((external_userid, owner))
    if follow is None:
        raise DomainError(ERR_ROW_FOLLOW, customer=external_userid or "—", owner=owner or "—")
    kind = _kind(_cell(v[2]))
    if kind is None:
        raise DomainError(ERR_ROW_KIND, kinds="、".join(str(_(str(c.label))) for c in FollowUpKind))
    at = _time(v[3])
    if at is None:
        raise DomainError(ERR_ROW_TIME)
    summary, outcome, next_step = followup_validate(
        kind=kind, summary=_cell(v[4]), outcome=_cell(v[5]), next_step=_cell(v[6]), happened_at=at
    )
    return _Row(number, follow, kind, at, summary, outcome, next_step)


def import_template() -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append([_(h) for h in IMPORT_HEADERS])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
