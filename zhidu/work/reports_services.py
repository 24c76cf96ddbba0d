"""Writes of periodic reports: templates (managers for their subtree, the director and the admin for any
department), a member's draft and its submission, and the lead's comments and review. Each validates first, then
writes in one transaction with its audit record; the other side is notified (outbox).

Figures are recomputed from the period's records whenever a draft is opened, saved or refreshed, and once more at
submission; after that they are never touched again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from zhidu.core.audit import audit_record, snapshot
from zhidu.core.errors import DomainError
from zhidu.core.notifications import notify
from zhidu.core.periods import local_today
from zhidu.core.text import clean_text
from zhidu.org.calendars import calendar_resolver, department_config_can_edit
from zhidu.org.models import MAX_DEPTH, SALES_ROLES, Department, Member, Role
from zhidu.org.workcal import WorkCalendar

from . import errors as E
from . import reports_periods as periods
from .models import SENT_STATUSES, Report, ReportComment, ReportKind, ReportStatus, ReportTemplate
from .reports_figures import compute_figures

LABEL_MAX = 40
REPORTING_ROLES = SALES_ROLES  # roles a template may ask to report
TEMPLATE_AUDITED = ["sections", "due_hour", "roles"]


# --- templates ------------------------------------------------------------------------------------------


@dataclass
class TemplateResolver:
    """Templates of every department loaded once (two queries); `for_member` walks up the tree in memory."""

    by_key: dict[tuple[int | None, str], ReportTemplate]
    parents: dict[int, int | None]

    def for_department(self, department_id: int | None, kind: str) -> ReportTemplate | None:
        current = department_id
        for _depth in range(MAX_DEPTH):
            if current is None:
                break
            hit = self.by_key.get((current, kind))
            if hit is not None:
                return hit
            current = self.parents.get(current)
        return self.by_key.get((None, kind))

    def must_report(self, member: Member, kind: str) -> ReportTemplate | None:
        """The template `member` reports under for `kind`, or None when they need not report."""
        t = self.for_department(member.department_id, kind)
        return t if t is not None and member.is_active and member.role in t.roles else None


def template_resolver() -> TemplateResolver:
    return TemplateResolver(
        by_key={(t.department_id, t.kind): t for t in ReportTemplate.objects.all()},
        parents=dict(Department.objects.values_list("id", "parent_id")),
    )


def template_can_edit(actor: Member, department: Department | None) -> bool:
    return department_config_can_edit(actor, department)


def clean_sections(sections: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if not sections:
        raise DomainError(E.ERR_REPORT_SECTIONS_EMPTY, field="sections")
    if len(sections) > settings.WORK_REPORT_SECTIONS_MAX:
        raise DomainError(E.ERR_REPORT_SECTIONS_MAX, field="sections", max=settings.WORK_REPORT_SECTIONS_MAX)
    seen: set[str] = set()
    for s in sections:
        label = clean_text(str(s.get("label", "")), field="sections", max_length=LABEL_MAX).strip()
        if not label:
            raise DomainError(E.ERR_REPORT_SECTION_LABEL, field="sections")
        if label in seen:
            raise DomainError(E.ERR_REPORT_SECTION_DUPLICATE, field="sections", label=label)
        seen.add(label)
        out.append({"label": label, "required": bool(s.get("required", False))})
    if not any(s["required"] for s in out):
        raise DomainError(E.ERR_REPORT_SECTION_REQUIRED, field="sections")
    return out


def template_save(
    *,
    actor: Member,
    department: Department | None,
    kind: str,
    sections: Sequence[dict[str, Any]],
    due_hour: int | None = None,
    roles: Sequence[str] = (Role.SALES,),
) -> ReportTemplate:
    """Create or replace the `kind` template of `department` (None: the company-wide one)."""
    if not template_can_edit(actor, department):
        raise DomainError(E.ERR_REPORT_TEMPLATE_FORBIDDEN, code="forbidden")
    if kind not in ReportKind.values:
        raise DomainError(E.ERR_REPORT_KIND, field="kind")
    clean = clean_sections(sections)
    hour = periods.default_due_hour(kind) if due_hour is None else due_hour
    if not 0 <= hour <= 23:
        raise DomainError(E.ERR_REPORT_DUE_HOUR, field="due_hour")
    role_list = list(dict.fromkeys(str(r) for r in roles))
    if not role_list or any(r not in REPORTING_ROLES for r in role_list):
        raise DomainError(E.ERR_REPORT_ROLES, field="roles")
    with transaction.atomic():
        t = ReportTemplate.objects.select_for_update().filter(department=department, kind=kind).first()
        before = snapshot(t, TEMPLATE_AUDITED) if t is not None else None
        if t is None:
            t = ReportTemplate(department=department, kind=kind)
        t.sections, t.due_hour, t.roles, t.updated_by = clean, hour, role_list, actor
        t.save()
        audit_record(
            actor=actor,
            verb="report_template.save",
            target=t,
            before=before,
            after=snapshot(t, TEMPLATE_AUDITED),
        )
    return t


# --- drafts and submission ------------------------------------------------------------------------------


def member_calendar(member: Member) -> WorkCalendar:
    return calendar_resolver().for_department(member.department_id)


def _check_period(kind: str, period_start: dt.date, cal: WorkCalendar) -> None:
    if kind not in ReportKind.values:
        raise DomainError(E.ERR_REPORT_KIND, field="kind")
    if not periods.is_period_start(kind, period_start) or period_start > local_today():
        raise DomainError(E.ERR_REPORT_PERIOD, field="period_start")
    if not periods.is_required(kind, period_start, cal):
        raise DomainError(E.ERR_REPORT_NOT_OWED, field="period_start")


def report_draft(*, actor: Member, kind: str, period_start: dt.date, now: dt.datetime | None = None) -> Report:
    """The actor's report for the period: the existing one (a draft's figures refreshed), else a new draft with
    the template's sections and the period's figures."""
    if not actor.is_active:
        raise DomainError(E.ERR_REPORT_INACTIVE, code="forbidden")
    cal = member_calendar(actor)
    _check_period(kind, period_start, cal)
    existing = Report.objects.filter(member=actor, kind=kind, period_start=period_start).first()
    if existing is not None:
        return report_refresh(actor=actor, report=existing, now=now) if existing.is_draft else existing
    template = template_resolver().must_report(actor, kind)
    if template is None:
        raise DomainError(E.ERR_REPORT_NO_TEMPLATE, field="kind")
    now = now or timezone.now()
    try:
        with transaction.atomic():
            report = Report.objects.create(
                member=actor,
                department_id=actor.department_id,
                kind=kind,
                period_start=period_start,
                template=template,
                sections=[{**s, "text": ""} for s in template.sections],
                figures=compute_figures(actor, kind, period_start, now=now),
                figures_at=now,
                due_at=periods.due_at(kind, period_start, cal, template.due_hour),
            )
            audit_record(
                actor=actor, verb="report.draft", target=report, after={"kind": kind, "period": str(period_start)}
            )
    except IntegrityError:  # a parallel request made it first
        return Report.objects.get(member=actor, kind=kind, period_start=period_start)
    return report


def _check_author_draft(actor: Member, report: Report) -> None:
    if report.member_id != actor.pk:
        raise DomainError(E.ERR_REPORT_NOT_AUTHOR, code="forbidden")
    if not report.is_draft:
        raise DomainError(E.ERR_REPORT_SUBMITTED, code="conflict")


def report_refresh(*, actor: Member, report: Report, now: dt.datetime | None = None) -> Report:
    """Recompute a draft's figures (derived data: not audited)."""
    _check_author_draft(actor, report)
    now = now or timezone.now()
    figures = compute_figures(actor, report.kind, report.period_start, now=now)
    with transaction.atomic():
        r = Report.objects.select_for_update().get(pk=report.pk)
        _check_author_draft(actor, r)
        r.figures, r.figures_at = figures, now
        r.save(update_fields=["figures", "figures_at", "updated_at"])
    return r


def _filled(report: Report, texts: Sequence[str]) -> list[dict[str, Any]]:
    if len(texts) != len(report.sections):
        raise DomainError(E.ERR_REPORT_SECTION_COUNT, field="sections")
    out = []
    for section, text in zip(report.sections, texts, strict=True):
        clean = clean_text(str(text), field="sections", max_length=settings.WORK_REPORT_TEXT_MAX).strip()
        out.append({"label": section["label"], "required": bool(section["required"]), "text": clean})
    return out


def report_save(*, actor: Member, report: Report, texts: Sequence[str], now: dt.datetime | None = None) -> Report:
    """Keep the draft's texts (nothing required yet) and refresh its figures."""
    _check_author_draft(actor, report)
    sections = _filled(report, texts)
    now = now or timezone.now()
    figures = compute_figures(actor, report.kind, report.period_start, now=now)
    with transaction.atomic():
        r = Report.objects.select_for_update().get(pk=report.pk)
        _check_author_draft(actor, r)
        r.sections, r.figures, r.figures_at = sections, figures, now
        r.save(update_fields=["sections", "figures", "figures_at", "updated_at"])
        audit_record(actor=actor, verb="report.save", target=r)
    return r


def report_submit(*, actor: Member, report: Report, texts: Sequence[str], now: dt.datetime | None = None) -> Report:
    """Submit: every required section filled; the figures are computed one last time and frozen."""
    _check_author_draft(actor, report)
    sections = _filled(report, texts)
    for s in sections:
        if s["required"] and not s["text"]:
            raise DomainError(E.ERR_REPORT_SECTION_MISSING, field="sections", label=s["label"])
    now = now or timezone.now()
    figures = compute_figures(actor, report.kind, report.period_start, now=now)
    with transaction.atomic():
        r = Report.objects.select_for_update().get(pk=report.pk)
        _check_author_draft(actor, r)
        r.sections, r.figures, r.figures_at = sections, figures, now
        r.status, r.submitted_at, r.late = ReportStatus.SUBMITTED, now, now > r.due_at
        r.save(update_fields=["sections", "figures", "figures_at", "status", "submitted_at", "late", "updated_at"])
        audit_record(
            actor=actor,
            verb="report.submit",
            target=r,
            before={"status": ReportStatus.DRAFT},
            after={"status": r.status, "late": r.late, "figures": figures},
        )
        lead = actor.reports_to
        notify(
            member_ids=[lead.pk] if lead is not None and lead.is_active else [],
            title=gettext("New report to read"),
            body=f"{actor.name} · {r.get_kind_display()} {r.period_start:%Y-%m-%d}",
            url=reverse("work:report", args=[r.pk]),
            dedupe_key=f"report:{r.pk}:submitted",
        )
    return r


# --- the lead's side ------------------------------------------------------------------------------------


def can_review(actor: Member, report: Report) -> bool:
    return Report.objects.reviewable_by(actor).filter(pk=report.pk).exists()


def report_comment(*, actor: Member, report: Report, text: str) -> ReportComment:
    text = clean_text(text, field="text", max_length=settings.WORK_REPORT_TEXT_MAX).strip()
    if not text:
        raise DomainError(E.ERR_REPORT_COMMENT, field="text")
    is_author = report.member_id == actor.pk
    if not is_author and not can_review(actor, report):
        raise DomainError(E.ERR_REPORT_COMMENT_FORBIDDEN, code="forbidden")
    if report.is_draft:
        raise DomainError(E.ERR_REPORT_NOT_SUBMITTED, code="conflict")
    with transaction.atomic():
        c = ReportComment.objects.create(report=report, author=actor, text=text)
        audit_record(actor=actor, verb="report.comment", target=report, after={"comment": c.pk}, reason=text)
        # The author's comment goes to whoever reviewed the report, else to their lead; a lead's to the author.
        told = (report.reviewed_by_id or report.member.reports_to_id) if is_author else report.member_id
        notify(
            member_ids=[told] if told else [],
            title=gettext("New comment on a report"),
            body=text[:200],
            url=reverse("work:report", args=[report.pk]),
        )
    return c


def report_review(*, actor: Member, report: Report, text: str = "", now: dt.datetime | None = None) -> Report:
    """The lead marks a submitted report reviewed, optionally with a comment; the author is told."""
    text = clean_text(text, field="text", max_length=settings.WORK_REPORT_TEXT_MAX).strip()
    if not can_review(actor, report):
        raise DomainError(E.ERR_REPORT_NOT_LEAD, code="forbidden")
    with transaction.atomic():
        r = Report.objects.select_for_update().get(pk=report.pk)
        if r.status == ReportStatus.REVIEWED:
            raise DomainError(E.ERR_REPORT_REVIEWED, code="conflict")
        if r.status != ReportStatus.SUBMITTED:
            raise DomainError(E.ERR_REPORT_NOT_SUBMITTED, code="conflict")
        r.status, r.reviewed_by, r.reviewed_at = ReportStatus.REVIEWED, actor, now or timezone.now()
        r.save(update_fields=["status", "reviewed_by", "reviewed_at", "updated_at"])
        if text:
            ReportComment.objects.create(report=r, author=actor, text=text)
        audit_record(
            actor=actor,
            verb="report.review",
            target=r,
            before={"status": ReportStatus.SUBMITTED},
            after={"status": r.status},
            reason=text,
        )
        notify(
            member_ids=[r.member_id],
            title=gettext("Your report was reviewed"),
            body=text[:200] or f"{r.get_kind_display()} {r.period_start:%Y-%m-%d}",
            url=reverse("work:report", args=[r.pk]),
            dedupe_key=f"report:{r.pk}:reviewed",
        )
    return r


# --- reminders ------------------------------------------------------------------------------------------


def report_reminders(*, now: dt.datetime | None = None) -> int:
    """Once the due time of a member's latest owed report has passed and it is not submitted, remind the member
    once, and send their lead one summary of the missing members (once per lead, kind and period). Daily reports
    are chased on working days only. Idempotent (`notify` dedupe keys). Returns the notifications written."""
    now = now or timezone.now()
    resolver = template_resolver()
    calendars = calendar_resolver()
    members = list(Member.objects.active().filter(role__in=REPORTING_ROLES).select_related("reports_to").order_by("pk"))
    owed: dict[tuple[str, dt.date], list[Member]] = {}
    for m in members:
        cal = calendars.for_department(m.department_id)
        for kind in ReportKind.values:
            template = resolver.must_report(m, kind)
            if template is None:
                continue
            if kind == ReportKind.DAILY and not cal.is_working_day(now.astimezone(cal.tz).date()):
                continue
            start = periods.latest_past_due(kind, now, cal, template.due_hour)
            if start is not None:
                owed.setdefault((kind, start), []).append(m)
    sent = 0
    for (kind, start), group in owed.items():
        done = set(
            Report.objects.filter(
                kind=kind, period_start=start, status__in=SENT_STATUSES, member__in=[m.pk for m in group]
            ).values_list("member_id", flat=True)
        )
        missing = [m for m in group if m.pk not in done]
        sent += _remind(kind, start, missing)
    return sent


def _remind(kind: str, start: dt.date, missing: list[Member]) -> int:
    label = ReportKind(kind).label
    sent = 0
    by_lead: dict[int, list[Member]] = {}
    with transaction.atomic():
        for m in missing:
            sent += len(
                notify(
                    member_ids=[m.pk],
                    title=gettext("Your %(kind)s for %(period)s is past due") % {"kind": label, "period": start},
                    url=reverse("work:reports"),
                    dedupe_key=f"report:{kind}:{start}:remind",
                )
            )
            lead = m.reports_to
            if lead is not None and lead.is_active:
                by_lead.setdefault(lead.pk, []).append(m)
        for lead_id, late in by_lead.items():
            sent += len(
                notify(
                    member_ids=[lead_id],
                    title=gettext("%(count)d of your team have not written their %(kind)s for %(period)s")
                    % {"count": len(late), "kind": label, "period": start},
                    body="、".join(m.name for m in late),
                    url=reverse("work:reports") + f"?view=completeness&kind={kind}&period={start}",
                    dedupe_key=f"report:{kind}:{start}:team",
                )
            )
    return sent
