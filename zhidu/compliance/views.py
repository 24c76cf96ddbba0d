"""Compliance pages: the violations inbox (by scope), a violation with its evidence and review forms,
and the rule list with enable toggles, term import and export."""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from django.views.decorators.http import require_POST

from zhidu.core.access import member_required
from zhidu.core.errors import DomainError, NotFound
from zhidu.core.periods import local_today
from zhidu.core.text import FILTER_MAX, clean_query, clean_text, model_max_length
from zhidu.org.models import Member, Role, work_scope_q
from zhidu.policies.models import PolicyVersion, VersionStatus
from zhidu.policies.selectors import version_clauses
from zhidu.web.dashboard import register

from . import selectors, services
from .models import Category, Impact, Rule, Severity, ViolationStatus

VIOLATION_ROLES = (Role.DIRECTOR, Role.MANAGER, Role.SUPERVISOR, Role.SALES, Role.COMPLIANCE)
RULE_ROLES = (Role.COMPLIANCE, Role.ADMIN, Role.DIRECTOR)
ERR_NO_FILE = gettext_noop("Choose a file to import.")

register("open_violations", gettext_lazy("Open violations in my scope"), selectors.open_violations_count)


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


@member_required(*VIOLATION_ROLES)
def violations(request: HttpRequest) -> HttpResponse:
    viewer = request.member  # type: ignore[attr-defined]
    params = clean_query(request)
    filters = selectors.ViolationFilters.from_query(params)
    page = Paginator(selectors.violation_list(viewer=viewer, filters=filters), 50).get_page(params.get("page"))
    query = params.copy()
    query.pop("page", None)
    return render(
        request,
        "compliance/violations.html",
        {
            "page": page,
            "filters": filters,
            "query": query.urlencode(),
            "categories": Category.choices,
            "severities": Severity.choices,
            "statuses": ViolationStatus.choices,
            "members": Member.objects.filter(pk__in=work_scope_q(viewer)).order_by("name"),
        },
    )


def _detail_context(viewer: Member, violation_id: int) -> dict[str, object]:
    violation = selectors.violation_get_for(viewer, violation_id)
    evidence = selectors.violation_evidence(violation)
    return {
        "v": violation,
        "evidence": evidence,
        "can_review": violation.is_open and services.can_review(viewer, violation),
        "impacts": Impact.choices,
    }


@member_required(*VIOLATION_ROLES)
def violation_detail(request: HttpRequest, violation_id: int) -> HttpResponse:
    ctx = _detail_context(request.member, violation_id)  # type: ignore[attr-defined]
    return render(request, "compliance/violation_detail.html", ctx)


@require_POST
@member_required(*VIOLATION_ROLES)
def violation_review(request: HttpRequest, violation_id: int) -> HttpResponse:
    viewer = request.member  # type: ignore[attr-defined]
    violation = selectors.violation_get_for(viewer, violation_id)
    decision, reason = request.POST.get("decision", ""), request.POST.get("reason", "")
    error = ""
    try:
        reason = clean_text(reason, field="reason")
        if decision == "confirm":
            services.violation_confirm(
                actor=viewer,
                violation=violation,
                reason=reason,
                loss_amount=request.POST.get("loss_amount", ""),
                impact=request.POST.get("impact", Impact.NONE),
            )
        elif decision == "dismiss":
            services.violation_dismiss(actor=viewer, violation=violation, reason=reason)
        else:
            raise NotFound
    except DomainError as exc:
        if exc.code == "forbidden":
            raise PermissionDenied from None
        error = exc.message
    if _is_htmx(request):
        ctx = _detail_context(viewer, violation_id) | {
            "error": error,
            "reason": reason,
            "loss_amount": request.POST.get("loss_amount", ""),
            "impact": request.POST.get("impact", ""),
        }
        return render(request, "compliance/_review.html", ctx)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Review saved."))
    return redirect("compliance:violation_detail", violation_id=violation_id)


@member_required(*RULE_ROLES)
def rules(request: HttpRequest) -> HttpResponse:
    viewer = request.member  # type: ignore[attr-defined]
    params = clean_query(request)
    category = params.get("category", "")
    items = selectors.rule_list(viewer=viewer, category=category, q=params.get("q", ""))
    items = selectors.rules_with_citations(selectors.rules_with_hits(viewer, items))
    return render(
        request,
        "compliance/rules.html",
        {
            "rules": items,
            "category": category,
            "q": params.get("q", ""),
            "categories": Category.choices,
            "severities": Severity.choices,
            "can_edit": viewer.role in services.RULE_ADMINS,
            "can_map": viewer.role in CITATION_PAGE_ROLES,
            "can_edit_rules": viewer.role in services.RULE_EDITORS,
            "hit_days": settings.RULE_HITS_DAYS,
            "show_hits": viewer.role in VIOLATION_ROLES,
        },
    )


@require_POST
@member_required(*RULE_ROLES)
def rule_toggle(request: HttpRequest, rule_id: int) -> HttpResponse:
    viewer = request.member  # type: ignore[attr-defined]
    rule = selectors.rule_get_for(viewer, rule_id)
    try:
        rule = services.rule_set_enabled(actor=viewer, rule=rule, enabled=request.POST.get("enabled") == "1")
    except DomainError as exc:
        raise PermissionDenied(exc.message) from None
    if _is_htmx(request):
        rule.term_count = selectors.rule_term_count(rule)  # type: ignore[attr-defined]
        rule = selectors.rules_with_citations(selectors.rules_with_hits(viewer, [rule]))[0]
        ctx = {
            "r": rule,
            "can_edit": True,
            "can_edit_rules": viewer.role in services.RULE_EDITORS,
            "show_hits": viewer.role in VIOLATION_ROLES,
        }
        return render(request, "compliance/_rule_row.html", ctx)
    return redirect("compliance:rules")


@require_POST
@member_required(*RULE_ROLES)
def rules_import(request: HttpRequest) -> HttpResponse:
    viewer = request.member  # type: ignore[attr-defined]
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise DomainError(ERR_NO_FILE, field="file")
        rows = services.parse_terms_file(
            upload.name or "",
            upload.read(),
            category=clean_text(request.POST.get("category", ""), field="category", max_length=FILTER_MAX),
            severity=clean_text(
                request.POST.get("severity") or Severity.MEDIUM, field="severity", max_length=FILTER_MAX
            ),
            article=clean_text(
                request.POST.get("article", "").strip(), field="article", max_length=model_max_length(Rule, "article")
            ),
        )
        result = services.rules_import(actor=viewer, rows=rows)
    except DomainError as exc:
        if exc.code == "forbidden":
            raise PermissionDenied from None
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Imported %(added)d new terms (%(existing)d already present) into %(rules)s.")
            % {"added": result.terms_added, "existing": result.terms_existing, "rules": ", ".join(result.rules)},
        )
    return redirect("compliance:rules")


@member_required(*RULE_ROLES)
def rules_export(request: HttpRequest) -> HttpResponse:
    buffer = io.BytesIO()
    services.rules_export_xlsx(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = 'attachment; filename="zhidu-rules.xlsx"'
    return response


# ---------------------------------------------------------------------------------------------- citation maps

CITATION_PAGE_ROLES = (Role.COMPLIANCE, Role.ADMIN)
CITATION_RULES_PER_PAGE = 30


def _citation_version(viewer: Member, params: QueryDict, versions: list[PolicyVersion]) -> PolicyVersion | None:
    wanted = params.get("version", "")
    if wanted.isdigit():
        return selectors.citation_version_get_for(viewer, int(wanted))
    return versions[0] if versions else None


@member_required(*CITATION_PAGE_ROLES)
def citations(request: HttpRequest) -> HttpResponse:
    viewer = request.member  # type: ignore[attr-defined]
    params = clean_query(request)
    versions = selectors.citation_versions(viewer)
    version = _citation_version(viewer, params, versions)
    ctx: dict[str, object] = {
        "versions": versions,
        "version": version,
        "categories": Category.choices,
        "today": local_today(),
    }
    if version is not None:
        category = params.get("category", "")
        rules = selectors.rule_list(viewer=viewer, category=category)
        page = Paginator(rules, CITATION_RULES_PER_PAGE).get_page(params.get("page"))
        ctx |= {
            "page": page,
            "category": category,
            "maps": selectors.citation_map(viewer=viewer, version=version, rules=list(page)),
            "clauses": version_clauses(version),
            "add_rule": _int(params.get("rule")),
            "not_citable": ""
            if version.status == VersionStatus.PUBLISHED
            else DomainError(services.ERR_NOT_CITABLE, status=version.get_status_display()).message,
        }
    return render(request, "compliance/citations.html", ctx)


def _back_to_map(version_id: int, rule_id: int, category: str) -> HttpResponse:
    """Back to the rule's card: its category's list, where it is on the first pages whatever the pack's size."""
    query = urlencode({"version": version_id, "category": category})
    return redirect(f"{reverse('compliance:citations')}?{query}#rule-{rule_id}")


@require_POST
@member_required(*CITATION_PAGE_ROLES)
def citation_decide(request: HttpRequest, citation_id: int, action: str) -> HttpResponse:
    viewer = request.member  # type: ignore[attr-defined]
    row = selectors.citation_get_for(viewer, citation_id)
    act = {
        "confirm": services.citation_confirm,
        "reject": services.citation_reject,
        "remove": services.citation_remove,
    }.get(action)
    if act is None:
        raise NotFound
    try:
        act(actor=viewer, citation=row)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Citation map saved."))
    return _back_to_map(row.version_id, row.rule_id, row.rule.category)


@require_POST
@member_required(*CITATION_PAGE_ROLES)
def citation_add(request: HttpRequest) -> HttpResponse:
    viewer = request.member  # type: ignore[attr-defined]
    version = selectors.citation_version_get_for(viewer, _int(request.POST.get("version")))
    rule = selectors.rule_get_for(viewer, _int(request.POST.get("rule")))
    clause = request.POST.get("clause", "")
    article_id, _sep, item_id = clause.partition(".")
    try:
        services.citation_add(
            actor=viewer, rule=rule, version=version, article_id=_int(article_id), item_id=_int(item_id) or None
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Citation map saved."))
    return _back_to_map(version.pk, rule.pk, rule.category)


def _int(value: object) -> int:
    text = str(value or "")
    return int(text) if text.isdigit() and len(text) < 12 else 0


# --------------------------------------------------------------------------------------------- rule editing

EDIT_TEXTAREAS = ("terms", "patterns", "allow")
EDIT_LISTS = ("detectors", "chat_types", "sides", "msgtypes", "departments", "members")


def _rule_form(post: QueryDict) -> dict[str, Any]:
    """The editor's fields as `services.rule_update` takes them (checking is the service's job)."""
    fields: dict[str, Any] = {name: post.get(name, "") for name in ("name", "severity", "article")}
    fields |= {name: post.get(name, "") for name in EDIT_TEXTAREAS}
    fields |= {name: post.getlist(name) for name in EDIT_LISTS}
    fields |= {
        "enabled": post.get("enabled") == "1",
        "hour_start": post.get("hour_start"),
        "hour_end": post.get("hour_end"),
    }
    return fields


def _editor_context(
    viewer: Member, rule: Rule | None, values: dict[str, Any], error: DomainError | None = None
) -> dict[str, Any]:
    return selectors.rule_editor_context(viewer=viewer, rule=rule, values=values) | {
        "show_hits": viewer.role in VIOLATION_ROLES,
        "error": error.message if error else "",
        "error_field": error.field if error else "",
    }


@member_required()
def rule_edit(request: HttpRequest, rule_id: int) -> HttpResponse:
    viewer = request.member  # type: ignore[attr-defined]
    rule = selectors.rule_get_for_editor(viewer, rule_id)
    if request.method != "POST":
        return render(request, "compliance/rule_edit.html", _editor_context(viewer, rule, services.rule_snapshot(rule)))
    fields = _rule_form(request.POST)
    if rule.builtin and fields["name"] == _(rule.name):  # the page shows a default rule's name translated
        fields["name"] = rule.name
    try:
        services.rule_update(actor=viewer, rule=rule, reason=request.POST.get("reason", ""), **fields)
    except DomainError as exc:
        return render(request, "compliance/rule_edit.html", _editor_context(viewer, rule, fields, exc), status=400)
    messages.success(request, _("Rule saved."))
    return redirect("compliance:rule_edit", rule_id=rule.pk)


@member_required()
def rule_new(request: HttpRequest) -> HttpResponse:
    viewer = request.member  # type: ignore[attr-defined]
    selectors.rule_editor_check(viewer)
    if request.method != "POST":
        return render(request, "compliance/rule_edit.html", _editor_context(viewer, None, {"enabled": True}))
    fields = _rule_form(request.POST)
    code, category = request.POST.get("code", ""), request.POST.get("category", "")
    try:
        rule = services.rule_create(
            actor=viewer, code=code, category=category, reason=request.POST.get("reason", ""), **fields
        )
    except DomainError as exc:
        ctx = _editor_context(viewer, None, fields | {"code": code, "category": category}, exc)
        return render(request, "compliance/rule_edit.html", ctx, status=400)
    messages.success(request, _("Rule created."))
    return redirect("compliance:rule_edit", rule_id=rule.pk)


@require_POST
@member_required()
def rule_test(request: HttpRequest, rule_id: int | None = None) -> HttpResponse:
    """The test box (HTMX): scans the sample with the form's unsaved values; writes nothing."""
    viewer = request.member  # type: ignore[attr-defined]
    selectors.rule_editor_check(viewer)
    rule = selectors.rule_get_for_editor(viewer, rule_id) if rule_id else None
    post = request.POST
    ctx: dict[str, Any] = {}
    try:
        hour = int(post.get("sample_hour") or 10)
        result = services.rule_test(
            actor=viewer,
            rule=rule,
            fields=_rule_form(post),
            text=post.get("sample", ""),
            code=post.get("code") or "draft",
            category=post.get("category", ""),
            chat_type=post.get("sample_chat_type", "single"),
            side=post.get("sample_side", "staff"),
            hour=hour,
        )
        ctx["lines"] = selectors.rule_test_lines(result)
    except (DomainError, ValueError) as exc:
        ctx["error"] = exc.message if isinstance(exc, DomainError) else _("Choose an hour between 0 and 23.")
    return render(request, "compliance/_rule_test.html", ctx)


@require_POST
@member_required()
def rule_restore(request: HttpRequest, rule_id: int, number: int) -> HttpResponse:
    viewer = request.member  # type: ignore[attr-defined]
    rule = selectors.rule_get_for_editor(viewer, rule_id)
    try:
        services.rule_revision_restore(actor=viewer, rule=rule, number=number, reason=request.POST.get("reason", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Revision %(number)d restored as a new revision.") % {"number": number})
    return redirect("compliance:rule_edit", rule_id=rule.pk)


@member_required()
def rule_revision(request: HttpRequest, rule_id: int, number: int) -> HttpResponse:
    """One revision and what changed against another (`?against=`, by default the one before it)."""
    viewer = request.member  # type: ignore[attr-defined]
    rule = selectors.rule_get_for_editor(viewer, rule_id)
    revision = selectors.rule_revision_get(rule, number)
    against = request.GET.get("against", "")
    number_b = int(against) if against.isdigit() and len(against) < 9 else number - 1
    other = selectors.rule_revision_get(rule, number_b) if number_b >= 1 else None
    changes = services.revision_diff(other.snapshot if other else {}, revision.snapshot)
    ctx = {"rule": rule, "revision": revision, "other": other, "changes": selectors.labelled_changes(changes)}
    return render(request, "compliance/rule_revision.html", ctx)
