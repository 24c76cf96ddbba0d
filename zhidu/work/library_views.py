"""Library pages: the list (search, filters, sort, key paging), an item (text, tags, likes, the copy button, the
review form with the compliance findings), the write / edit form, and cases: the list, a case, making one from a
conversation. Every read goes through `visible_to`; what a member may not see is a 404."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhidu.core.access import member_required
from zhidu.core.errors import DomainError, NotFound
from zhidu.core.text import clean_query, id_param
from zhidu.org.models import LEAD_ROLES, Member

from . import library_selectors as sel
from . import library_services as svc
from .library_forms import LibraryCaseForm, LibraryItemForm, LibraryReviewForm
from .models import CaseVerdict, LibraryItem, LibraryKind, LibraryStatus, LibraryTopic


def _me(request: HttpRequest) -> Member:
    return request.member  # type: ignore[attr-defined,no-any-return]


def _item(request: HttpRequest, item_id: int) -> LibraryItem:
    try:
        return sel.item_get_for(_me(request), item_id)
    except NotFound:
        raise Http404 from None


def _form_error(form: Form, exc: DomainError) -> None:
    if exc.code == "forbidden":
        raise PermissionDenied from None
    if isinstance(exc, svc.LibraryBlocked):  # every rule the text breaks, not only the first
        for f in exc.findings:
            form.add_error("body" if "body" in form.fields else None, _blocked_message(f))
        return
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def _blocked_message(f: Any) -> str:
    citation = f.citation or _("not backed by a regulation in force")
    return _("Breaks the rule “%(rule)s” (%(citation)s): “%(matched)s”") % {
        "rule": _(f.rule_name),
        "citation": citation,
        "matched": f.matched,
    }


def _query(request: HttpRequest) -> sel.LibraryQuery:
    p = clean_query(request)
    box = p.get("box", "published")
    return sel.LibraryQuery(
        q=p.get("q", "").strip(),
        kind=p.get("kind", ""),
        topic=p.get("topic", ""),
        tag=p.get("tag", "").strip(),
        sort=p.get("sort", "new") if p.get("sort") in sel.SORTS else "new",
        box=box if box in sel.BOXES else "published",
        after=p.get("after", ""),
    )


@member_required()
def library(request: HttpRequest) -> HttpResponse:
    me, f = _me(request), _query(request)
    rows = sel.library_page(me, f)
    context = {
        "f": f,
        "rows": rows,
        "liked": sel.liked_ids(me, rows),
        "kinds": LibraryKind.choices,
        "topics": LibraryTopic.choices,
        "is_lead": me.role in LEAD_ROLES,
        "pending": sel.pending_count(me),
        "next_key": sel.row_key(rows[-1], f.sort) if len(rows) >= sel.page_size() else "",
    }
    return render(request, "work/library.html", context)


def _item_fields(form: LibraryItemForm) -> dict[str, Any]:
    d = form.cleaned_data
    product = d["product"]
    return {
        "kind": d["kind"],
        "topic": d["topic"],
        "title": d["title"],
        "body": d["body"],
        "tags": svc.parse_tags(d["tags"]),
        "product_id": product.pk if product else None,
    }


@member_required()
def library_new(request: HttpRequest) -> HttpResponse:
    form = LibraryItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            item = svc.item_create(actor=_me(request), submit="submit" in request.POST, **_item_fields(form))
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("work:library_item", item.pk)
    return render(request, "work/library_form.html", {"form": form, "item": None}, status=400 if form.errors else 200)


@member_required()
def library_edit(request: HttpRequest, item_id: int) -> HttpResponse:
    item = _item(request, item_id)
    if item.author_id != _me(request).pk:
        raise PermissionDenied
    initial = {"kind": item.kind, "topic": item.topic, "product": item.product_id, "title": item.title}
    initial |= {"body": item.body, "tags": "，".join(item.tags)}
    form = LibraryItemForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            svc.item_edit(actor=_me(request), item=item, **_item_fields(form))
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("work:library_item", item.pk)
    return render(request, "work/library_form.html", {"form": form, "item": item}, status=400 if form.errors else 200)


@member_required()
def library_item(request: HttpRequest, item_id: int) -> HttpResponse:
    me, item = _me(request), _item(request, item_id)
    reviewer = item.status == LibraryStatus.PENDING and svc.can_review(me, item)
    form = LibraryReviewForm(request.POST or None) if reviewer else None
    if request.method == "POST" and _reviewed(request, item, form):
        messages.success(request, _("Your review is saved and the author is told."))
        return redirect("work:library_item", item.pk)
    context = {
        "item": item,
        "form": form,
        "is_author": item.author_id == me.pk,
        "liked": bool(sel.liked_ids(me, [item])),
        "findings": sel.item_findings(me, item),
    }
    return render(request, "work/library_item.html", context, status=400 if form is not None and form.errors else 200)


def _reviewed(request: HttpRequest, item: LibraryItem, form: LibraryReviewForm | None) -> bool:
    """Apply a posted review; False (with the errors on the form) when it is refused."""
    if form is None:
        raise PermissionDenied
    if not form.is_valid():
        return False
    try:
        svc.item_review(
            actor=_me(request), item=item, decision=form.cleaned_data["decision"], note=form.cleaned_data["note"]
        )
    except DomainError as exc:
        _form_error(form, exc)
        return False
    return True


def _action(request: HttpRequest, item_id: int, action: Any, done: str) -> HttpResponse:
    item = _item(request, item_id)
    try:
        result = action(actor=_me(request), item=item)
    except DomainError as exc:
        if exc.code == "forbidden":
            raise PermissionDenied from None
        messages.error(request, exc.message)
    else:
        if done:
            messages.success(request, done)
        if request.headers.get("Accept", "").startswith("application/json"):
            fresh = LibraryItem.objects.get(pk=item.pk)
            return JsonResponse(
                {"result": result is True, "use_count": fresh.use_count, "like_count": fresh.like_count}
            )
    return redirect("work:library_item", item.pk)


@require_POST
@member_required()
def library_submit(request: HttpRequest, item_id: int) -> HttpResponse:
    return _action(request, item_id, svc.item_submit, _("Submitted for review."))


@require_POST
@member_required()
def library_like(request: HttpRequest, item_id: int) -> HttpResponse:
    return _action(request, item_id, svc.item_like_toggle, "")


@require_POST
@member_required()
def library_use(request: HttpRequest, item_id: int) -> HttpResponse:
    return _action(request, item_id, svc.item_use, "")


# ------------------------------------------------------------------------------------------------------ cases


@member_required()
def library_cases(request: HttpRequest) -> HttpResponse:
    me, p = _me(request), clean_query(request)
    verdict = p.get("verdict", "") if p.get("verdict") in CaseVerdict.values else ""
    rows = sel.case_page(me, before=id_param(p.get("before")), verdict=verdict)
    context = {
        "rows": rows,
        "verdict": verdict,
        "verdicts": CaseVerdict.choices,
        "is_lead": me.role in LEAD_ROLES,
        "more": len(rows) >= sel.page_size(),
    }
    return render(request, "work/library_cases.html", context)


@member_required()
def library_case(request: HttpRequest, case_id: int) -> HttpResponse:
    me = _me(request)
    try:
        case = sel.case_get_for(me, case_id)
    except NotFound:
        raise Http404 from None
    if request.method == "POST":
        try:
            svc.case_publish(actor=me, case=case)
        except DomainError as exc:
            if exc.code == "forbidden":
                raise PermissionDenied from None
            messages.error(request, exc.message)
        return redirect("work:library_case", case.pk)
    return render(request, "work/library_case.html", {"case": case, "lines": sel.case_display(case)})


@member_required(*LEAD_ROLES)
def library_case_new(request: HttpRequest) -> HttpResponse:
    me, p = _me(request), clean_query(request)
    chat, chosen, q = p.get("chat", ""), id_param(p.get("member")), p.get("q", "").strip()
    form = LibraryCaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case = svc.case_create(actor=me, chat_key=chat, **_case_fields(form))
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("The case is saved as a draft: publish it when it reads well."))
            return redirect("work:library_case", case.pk)
    context: dict[str, Any] = {"form": form, "chat": chat, "chosen": chosen, "q": q}
    context["members"] = sel.case_members(me, q=q) if not chat and chosen is None else []
    context["chats"] = sel.case_chats(me, chosen) if not chat else []
    context["lines"] = sel.chat_preview(svc.case_messages(me, chat))
    return render(request, "work/library_case_new.html", context, status=400 if form.errors else 200)


def _case_fields(form: LibraryCaseForm) -> dict[str, Any]:
    d = form.cleaned_data
    fields = {"first_id": d["first"], "last_id": d["last"], "verdict": d["verdict"], "title": d["title"]}
    return fields | {"lesson": d["lesson"], "topic": d["topic"]}
