"""Suggestion-box pages: my suggestions and the ones to answer (with the form to write one), and a suggestion's
page with its answers and, for the lead who may answer, the decision form."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from zhidu.core.access import member_required
from zhidu.core.errors import DomainError, NotFound
from zhidu.core.text import clean_query, id_param
from zhidu.org.models import LEAD_ROLES

from . import suggestions_selectors as sel
from . import suggestions_services as svc
from .forms import DecisionForm, SuggestionForm
from .models import SuggestionStatus


def _form_error(form: SuggestionForm | DecisionForm, exc: DomainError) -> None:
    if exc.code == "forbidden":
        raise PermissionDenied from None
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


@member_required()
def suggestion_box(request: HttpRequest) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    params = clean_query(request)
    is_lead = member.role in LEAD_ROLES
    box = params.get("box", "inbox" if is_lead else "mine")
    if box not in sel.BOXES or (box == "inbox" and not is_lead):
        box = "mine"
    status = params.get("status", "")
    form = SuggestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            s = svc.suggestion_submit(
                actor=member, title=d["title"], body=d["body"], topic=d["topic"], anonymous=d["anonymous"]
            )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Thank you: your suggestion is submitted."))
            return redirect("work:suggestion", s.pk)
    rows = sel.suggestion_page(member, box=box, status=status, before=id_param(params.get("before")))
    context = {
        "form": form,
        "rows": rows,
        "box": box,
        "status": status,
        "statuses": SuggestionStatus.choices,
        "is_lead": is_lead,
        "open_count": sel.suggestion_open_count(member) if is_lead else 0,
        "more": len(rows) >= sel.PAGE,
    }
    return render(request, "work/suggestions.html", context, status=400 if form.errors else 200)


@member_required()
def suggestion_detail(request: HttpRequest, suggestion_id: int) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    try:
        s = sel.suggestion_get_for(member, suggestion_id)
    except NotFound:
        raise Http404 from None
    may_answer = svc.can_answer(member, s)
    form = DecisionForm(request.POST or None, choices=svc.decision_choices(s)) if may_answer else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            d = form.cleaned_data
            try:
                svc.suggestion_decide(
                    actor=member, suggestion=s, decision=d["decision"], text=d["text"], planned_on=d["planned_on"]
                )
            except DomainError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, _("Your answer is sent to the author."))
                return redirect("work:suggestion", s.pk)
    context = {
        "s": s,
        "replies": sel.suggestion_replies(s),
        "form": form if form is not None and form.fields["decision"].choices else None,  # type: ignore[attr-defined]
        "is_author": s.author_id == member.pk,
    }
    return render(
        request, "work/suggestion_detail.html", context, status=400 if form is not None and form.errors else 200
    )
