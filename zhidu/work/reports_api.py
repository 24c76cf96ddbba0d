"""REST: periodic reports (prefix "work/reports"), scoped like the pages: my reports and the lead's inbox, the
reports due now, a period's draft (made on first request, figures refreshed while a draft), save, submit,
comments, review, a team's completeness, and the templates."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.conf import settings
from django.http import HttpRequest
from ninja import Query, Router, Schema

from zhidu.core.errors import NotFound
from zhidu.core.schemas import FilterText, PageIn, Text
from zhidu.org.models import Department, Member

from . import reports_selectors as sel
from . import reports_services as svc
from .models import Report, ReportComment, ReportKind, ReportStatus, ReportTemplate
from .reports_figures import FIGURES

router = Router(tags=["work: reports"])

KindIn = Literal["daily", "weekly", "monthly"]


def _me(request: HttpRequest) -> Member:
    return request.auth  # type: ignore[attr-defined,no-any-return]


class ReportSectionOut(Schema):
    label: str
    required: bool
    text: str


class ReportFigureOut(Schema):
    key: str
    value: int | str | None


class ReportOut(Schema):
    id: int
    member_id: int
    member_name: str
    kind: str
    period_start: dt.date
    status: str
    due_at: dt.datetime
    submitted_at: dt.datetime | None
    late: bool


class ReportCommentOut(Schema):
    id: int
    author_id: int
    author_name: str
    text: str
    created_at: dt.datetime


class ReportDetailOut(ReportOut):
    sections: list[ReportSectionOut]
    figures: list[ReportFigureOut]
    figures_at: dt.datetime | None
    comments: list[ReportCommentOut]
    may_review: bool


class ReportDueOut(Schema):
    kind: str
    period_start: dt.date
    due_at: dt.datetime
    overdue: bool
    report_id: int | None


class ReportDraftIn(Schema):
    kind: KindIn
    period_start: dt.date


class ReportTextsIn(Schema):
    texts: list[Annotated[str, Text(settings.WORK_REPORT_TEXT_MAX)]]


class ReportCommentIn(Schema):
    text: Annotated[str, Text(settings.WORK_REPORT_TEXT_MAX)]


class ReportFilter(Schema):
    box: Literal["mine", "inbox"] = "mine"
    status: FilterText = ""


class ReportCompletenessIn(Schema):
    kind: KindIn = "daily"
    period_start: dt.date


class ReportStandingOut(Schema):
    member_id: int
    member_name: str
    standing: str
    due_at: dt.datetime
    report_id: int | None


class ReportTeamOut(Schema):
    lead_id: int | None
    lead_name: str
    rows: list[ReportStandingOut]


class ReportCompletenessOut(Schema):
    kind: str
    period_start: dt.date
    teams: list[ReportTeamOut]
    next_after: int | None


class ReportTemplateSectionIn(Schema):
    label: Annotated[str, Text(svc.LABEL_MAX)]
    required: bool = False


class ReportTemplateIn(Schema):
    department_id: int | None = None
    kind: KindIn
    sections: list[ReportTemplateSectionIn]
    due_hour: int | None = None
    roles: list[Annotated[str, Text(20)]] = ["sales"]


class ReportTemplateOut(Schema):
    id: int
    department_id: int | None
    department_name: str
    kind: str
    sections: list[dict[str, Any]]
    due_hour: int
    roles: list[str]


def _out(r: Report) -> dict[str, Any]:
    return {
        "id": r.pk,
        "member_id": r.member_id,
        "member_name": r.member.name,
        "kind": r.kind,
        "period_start": r.period_start,
        "status": r.status,
        "due_at": r.due_at,
        "submitted_at": r.submitted_at,
        "late": r.late,
    }


def _comment(c: ReportComment) -> ReportCommentOut:
    return ReportCommentOut(
        id=c.pk, author_id=c.author_id, author_name=c.author.name, text=c.text, created_at=c.created_at
    )


def _detail(me: Member, report_id: int) -> ReportDetailOut:
    r = sel.report_get_for(me, report_id)
    return ReportDetailOut(
        **_out(r),
        sections=[ReportSectionOut(**s) for s in r.sections],
        figures=[ReportFigureOut(key=f.key, value=r.figures.get(f.key)) for f in FIGURES],
        figures_at=r.figures_at,
        comments=[_comment(c) for c in sel.report_comments(r)],
        may_review=r.status == ReportStatus.SUBMITTED and svc.can_review(me, r),
    )


def _template_out(t: ReportTemplate) -> ReportTemplateOut:
    return ReportTemplateOut(
        id=t.pk,
        department_id=t.department_id,
        department_name=t.department.name if t.department else "",
        kind=t.kind,
        sections=t.sections,
        due_hour=t.due_hour,
        roles=t.roles,
    )


@router.get("", response=list[ReportOut])
def report_list(request: HttpRequest, page: Query[PageIn], f: Query[ReportFilter]) -> list[ReportOut]:
    """Newest first; page with `after` = the last id of the previous page (ids descend)."""
    me = _me(request)
    status = f.status if f.status in ReportStatus.values else ""
    rows = sel.report_page(me, box=f.box, status=status, before=page.after, limit=page.limit)
    return [ReportOut(**_out(r)) for r in rows]


@router.get("/due", response=list[ReportDueOut])
def report_due(request: HttpRequest) -> list[ReportDueOut]:
    rows = sel.reports_due_for(_me(request), limit=settings.WORK_REPORT_DUE_SHOWN)
    return [
        ReportDueOut(
            kind=d.kind,
            period_start=d.period_start,
            due_at=d.due_at,
            overdue=d.overdue,
            report_id=d.report.pk if d.report else None,
        )
        for d in rows
    ]


@router.post("/draft", response=ReportDetailOut)
def report_draft(request: HttpRequest, payload: ReportDraftIn) -> ReportDetailOut:
    """The caller's report for the period: made as a draft on first request; a draft's figures are refreshed."""
    me = _me(request)
    r = svc.report_draft(actor=me, kind=payload.kind, period_start=payload.period_start)
    return _detail(me, r.pk)


@router.get("/completeness", response=ReportCompletenessOut)
def report_completeness(
    request: HttpRequest, q: Query[ReportCompletenessIn], page: Query[PageIn]
) -> ReportCompletenessOut:
    """Who of the caller's teams must report for the period and has (on time / late), has not yet, or is missing.
    Page with `after` = `next_after` of the previous page."""
    teams, next_after = sel.completeness(
        _me(request), kind=q.kind, period_start=q.period_start, after=page.after, limit=page.limit
    )
    return ReportCompletenessOut(
        kind=q.kind,
        period_start=q.period_start,
        teams=[
            ReportTeamOut(
                lead_id=t.lead.pk if t.lead else None,
                lead_name=t.lead.name if t.lead else "",
                rows=[
                    ReportStandingOut(
                        member_id=row.member.pk,
                        member_name=row.member.name,
                        standing=row.standing,
                        due_at=row.due_at,
                        report_id=row.report.pk if row.report else None,
                    )
                    for row in t.rows
                ],
            )
            for t in teams
        ],
        next_after=next_after,
    )


@router.get("/templates", response=list[ReportTemplateOut])
def report_templates(request: HttpRequest) -> list[ReportTemplateOut]:
    return [_template_out(t) for t in sel.templates_for(_me(request))]


@router.put("/templates", response=ReportTemplateOut)
def report_template_save(request: HttpRequest, payload: ReportTemplateIn) -> ReportTemplateOut:
    """Create or replace the template of a department (`department_id` null: the company-wide one)."""
    me = _me(request)
    department = None
    if payload.department_id is not None:
        department = Department.objects.visible_to(me).filter(pk=payload.department_id).first()
        if department is None:
            raise NotFound
    t = svc.template_save(
        actor=me,
        department=department,
        kind=ReportKind(payload.kind),
        sections=[s.dict() for s in payload.sections],
        due_hour=payload.due_hour,
        roles=payload.roles,
    )
    return _template_out(ReportTemplate.objects.select_related("department").get(pk=t.pk))


@router.get("/{report_id}", response=ReportDetailOut)
def report_get(request: HttpRequest, report_id: int) -> ReportDetailOut:
    return _detail(_me(request), report_id)


@router.post("/{report_id}/refresh", response=ReportDetailOut)
def report_refresh(request: HttpRequest, report_id: int) -> ReportDetailOut:
    me = _me(request)
    svc.report_refresh(actor=me, report=sel.report_get_for(me, report_id))
    return _detail(me, report_id)


@router.post("/{report_id}/save", response=ReportDetailOut)
def report_save(request: HttpRequest, report_id: int, payload: ReportTextsIn) -> ReportDetailOut:
    me = _me(request)
    svc.report_save(actor=me, report=sel.report_get_for(me, report_id), texts=payload.texts)
    return _detail(me, report_id)


@router.post("/{report_id}/submit", response=ReportDetailOut)
def report_submit(request: HttpRequest, report_id: int, payload: ReportTextsIn) -> ReportDetailOut:
    me = _me(request)
    svc.report_submit(actor=me, report=sel.report_get_for(me, report_id), texts=payload.texts)
    return _detail(me, report_id)


@router.post("/{report_id}/comments", response={201: ReportDetailOut})
def report_comment(request: HttpRequest, report_id: int, payload: ReportCommentIn) -> tuple[int, ReportDetailOut]:
    me = _me(request)
    svc.report_comment(actor=me, report=sel.report_get_for(me, report_id), text=payload.text)
    return 201, _detail(me, report_id)


@router.post("/{report_id}/review", response=ReportDetailOut)
def report_review(request: HttpRequest, report_id: int, payload: ReportCommentIn) -> ReportDetailOut:
    me = _me(request)
    svc.report_review(actor=me, report=sel.report_get_for(me, report_id), text=payload.text)
    return _detail(me, report_id)
