"""Pages: regulations list, a version with its articles, discussion, acknowledgement, import, lifecycle."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhidu.core.access import member_required
from zhidu.core.errors import DomainError
from zhidu.core.text import SOURCE_MAX, clean_text, model_max_length
from zhidu.org.models import Member

from . import selectors, services
from .library import template_get
from .models import (
    ACK_REPORT_ROLES,
    APPROVER_ROLES,
    EDITOR_ROLES,
    PUBLISHER_ROLES,
    Policy,
    PolicyVersion,
    VersionStatus,
    role_in,
)


def _me(request: HttpRequest) -> Member:
    return request.member  # type: ignore[attr-defined,no-any-return]


def _fail(request: HttpRequest, exc: DomainError) -> None:
    if exc.code == "forbidden":
        raise PermissionDenied
    messages.error(request, exc.message)


def _back(version: PolicyVersion) -> HttpResponse:
    return redirect("policies:version", version.pk)


@member_required()
def policy_list(request: HttpRequest) -> HttpResponse:
    member = _me(request)
    return render(
        request,
        "policies/list.html",
        {
            "policies": selectors.policy_list(viewer=member),
            "notices": selectors.notice_list(viewer=member),
            "pending": {v.pk for v in selectors.pending_acknowledgements(member)},
            "can_import": role_in(member, EDITOR_ROLES),
        },
    )


@member_required(*EDITOR_ROLES)
def library(request: HttpRequest) -> HttpResponse:
    return render(request, "policies/library.html", {"entries": selectors.library_list(viewer=_me(request))})


@member_required(*EDITOR_ROLES)
@require_POST
def library_adopt(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        title = clean_text(request.POST.get("title", ""), field="title", max_length=model_max_length(Policy, "title"))
        version = services.template_adopt(actor=_me(request), slug=slug, title=title)
    except DomainError as exc:
        _fail(request, exc)
        return redirect("policies:library")
    messages.success(request, _("Adopted as a draft. Edit its text if needed, then open the discussion."))
    return _back(version)


@member_required()
def policy_detail(request: HttpRequest, code: str) -> HttpResponse:
    member = _me(request)
    policy = selectors.policy_get_for(member, code)
    return _back(selectors.policy_default_version(member, policy))


@member_required()
def version_detail(request: HttpRequest, pk: int) -> HttpResponse:
    member = _me(request)
    version = selectors.version_get_for(member, pk)
    show_ack = version.status == VersionStatus.PUBLISHED and role_in(member, ACK_REPORT_ROLES)
    return render(
        request,
        "policies/version.html",
        {
            "version": version,
            "outline": selectors.version_outline(version),
            "versions": PolicyVersion.objects.visible_to(member).filter(policy=version.policy),
            "ack": selectors.acknowledgement_of(member, version),
            **(_unacknowledged_summary(member, version) if show_ack else {"unacknowledged": None}),
            "can_discuss": role_in(member, EDITOR_ROLES) and version.status == VersionStatus.DRAFT,
            "template": template_get(version.template) if version.template else None,
            "can_approve": role_in(member, APPROVER_ROLES) and version.status == VersionStatus.DISCUSSION,
            "can_publish": role_in(member, PUBLISHER_ROLES) and version.status == VersionStatus.APPROVED,
            "earliest": services.earliest_effective_date(),
            "announced": version.status == VersionStatus.PUBLISHED
            and version.effective_date is not None
            and version.effective_date > services.today_local(),
        },
    )


@member_required()
def article_detail(request: HttpRequest, pk: int) -> HttpResponse:
    member = _me(request)
    article = selectors.article_get_for(member, pk)
    template = "policies/_comments.html" if request.headers.get("HX-Request") else "policies/article.html"
    return render(
        request,
        template,
        {
            "article": article,
            "version": article.version,
            "comments": selectors.comment_list(viewer=member, article=article),
        },
    )


@member_required()
@require_POST
def comment_add(request: HttpRequest, pk: int) -> HttpResponse:
    member = _me(request)
    article = selectors.article_get_for(member, pk)
    error = ""
    try:
        text = clean_text(request.POST.get("text", ""), field="text")
        services.comment_add(actor=member, article=article, text=text)
    except DomainError as exc:
        if not request.headers.get("HX-Request"):
            _fail(request, exc)
        error = exc.message
    if not request.headers.get("HX-Request"):
        return redirect("policies:article", article.pk)
    return render(
        request,
        "policies/_comments.html",
        {
            "article": article,
            "version": article.version,
            "error": error,
            "comments": selectors.comment_list(viewer=member, article=article),
        },
    )


@member_required()
@require_POST
def acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    member = _me(request)
    version = selectors.version_get_for(member, pk)
    try:
        _ack, created = services.version_acknowledge(actor=member, version=version)
        if created:
            messages.success(request, _("Thank you: your acknowledgement is recorded."))
    except DomainError as exc:
        _fail(request, exc)
    return _back(version)


@member_required(*ACK_REPORT_ROLES)
def unacknowledged(request: HttpRequest, pk: int) -> HttpResponse:
    member = _me(request)
    version = selectors.version_get_for(member, pk)
    members = selectors.version_unacknowledged(viewer=member, version=version)
    context = {"version": version, "members": members[:UNACK_ROWS_MAX], "count": members.count()}
    return render(request, "policies/unacknowledged.html", context | {"rows_max": UNACK_ROWS_MAX})


UNACK_ROWS_MAX = 500  # the full list page shows this many; the API pages through the rest
UNACK_PREVIEW = 30  # names on the version page


def _unacknowledged_summary(member: Member, version: PolicyVersion) -> dict[str, Any]:
    """The first names and the count of members yet to acknowledge: two bounded queries, never the whole list."""
    members = selectors.version_unacknowledged(viewer=member, version=version)
    return {"unacknowledged": list(members[:UNACK_PREVIEW]), "unacknowledged_count": members.count()}


@member_required(*EDITOR_ROLES)
@require_POST
def open_discussion(request: HttpRequest, pk: int) -> HttpResponse:
    version = selectors.version_get_for(_me(request), pk)
    try:
        services.version_open_discussion(actor=_me(request), version=version)
    except DomainError as exc:
        _fail(request, exc)
    return _back(version)


@member_required(*APPROVER_ROLES)
@require_POST
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    version = selectors.version_get_for(_me(request), pk)
    try:
        services.version_approve(
            actor=_me(request),
            version=version,
            reason=clean_text(request.POST.get("reason", ""), field="reason"),
        )
    except DomainError as exc:
        _fail(request, exc)
    return _back(version)


@member_required(*PUBLISHER_ROLES)
@require_POST
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    version = selectors.version_get_for(_me(request), pk)
    try:
        effective = dt.date.fromisoformat(request.POST.get("effective_date", ""))
    except ValueError:
        effective = None
    try:
        services.version_publish(
            actor=_me(request),
            version=version,
            effective_date=effective,
            reason=clean_text(request.POST.get("reason", ""), field="reason"),
        )
    except DomainError as exc:
        _fail(request, exc)
    return _back(version)


@member_required(*EDITOR_ROLES)
def import_page(request: HttpRequest) -> HttpResponse:
    """GET: the form. POST with a file: preview (dry run). POST with `source` (from the preview): import."""
    ctx: dict[str, object] = {"title": request.POST.get("title", ""), "code": request.POST.get("code", "")}
    if request.method == "POST":
        try:
            ctx.update(_import_step(request))
        except DomainError as exc:
            _fail(request, exc)
        if "version" in ctx:
            return _back(ctx["version"])  # type: ignore[arg-type]
    return render(request, "policies/import.html", ctx)


def _import_step(request: HttpRequest) -> dict[str, object]:
    title = clean_text(request.POST.get("title", ""), field="title", max_length=model_max_length(Policy, "title"))
    code = clean_text(request.POST.get("code", ""), field="code", max_length=model_max_length(Policy, "code"))
    upload = request.FILES.get("file")
    if upload is not None:
        parsed, text, fmt = services.parse_upload(upload.read(), upload.name or "", title=title)
        clean_text(text, field="file", max_length=SOURCE_MAX)
        return {
            "parsed": parsed,
            "source": text,
            "fmt": fmt,
            "source_name": upload.name,
            "title": title or parsed.title,
        }
    source = clean_text(request.POST.get("source", ""), field="source", max_length=SOURCE_MAX)
    fmt = request.POST.get("fmt", "text")
    parsed, text, fmt = services.parse_upload(source.encode(), "x.md" if fmt == "md" else "x.txt", title=title)
    version = services.policy_import(
        actor=_me(request),
        parsed=parsed,
        source=text,
        source_name=clean_text(
            request.POST.get("source_name", ""),
            field="source_name",
            max_length=model_max_length(PolicyVersion, "source_name"),
        ),
        source_format=fmt,
        code=code,
        title=title,
    )
    messages.success(request, _("Imported as a draft. Open the discussion when it is ready."))
    return {"version": version}


@member_required(*EDITOR_ROLES)
def version_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the draft's source text in a textarea, the shape recognised and the warnings. POST: save it (re-parsed)
    and come back here; a text that cannot be read stays in the form with the parser's error naming the line."""
    version = selectors.version_get_for(_me(request), pk)
    ctx: dict[str, object] = {"version": version, "text": version.source_text, "title": version.title}
    if request.method == "POST":
        try:
            _edit_step(request, version)
            return redirect("policies:edit", version.pk)
        except DomainError as exc:
            if exc.code == "forbidden":
                raise PermissionDenied from None
            ctx.update(text=request.POST.get("text", ""), title=request.POST.get("title", ""), error=exc.message)
    ctx["editable"] = version.status == VersionStatus.DRAFT
    return render(request, "policies/edit.html", ctx)


def _edit_step(request: HttpRequest, version: PolicyVersion) -> None:
    text = clean_text(request.POST.get("text", ""), field="text", max_length=SOURCE_MAX, min_length=1)
    title = clean_text(request.POST.get("title", ""), field="title", max_length=model_max_length(Policy, "title"))
    services.version_edit_text(actor=_me(request), version=version, text=text, title=title)
    messages.success(request, _("Saved: the articles were read again from the text."))
