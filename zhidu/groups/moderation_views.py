"""Moderation pages: order an action for a group, an owner's tasks (confirm / decline), ban re-join alerts."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhidu.core.access import member_required
from zhidu.core.errors import DomainError
from zhidu.core.selectors import safe_link
from zhidu.core.text import id_param
from zhidu.policies.models import Article, Policy

from . import moderation, moderation_selectors, selectors
from .forms import DeclineForm, OrderForm
from .models import ModerationCase
from .views import READERS


def _before(request: HttpRequest) -> int | None:
    return id_param(request.GET.get("before"))


def _attempt(request: HttpRequest, done: str, call: Callable[[], object]) -> bool:
    """Run one service call for a form post: its success message, or the domain error's (never a 500)."""
    try:
        call()
    except DomainError as exc:
        messages.error(request, exc.message)
        return False
    messages.success(request, done)
    return True


@member_required(*READERS)
def order(request: HttpRequest, group_id: int) -> HttpResponse:
    group = selectors.group_get_for(request.member, group_id)  # type: ignore[attr-defined]
    if not moderation.can_order(request.member, group):  # type: ignore[attr-defined]
        raise Http404
    articles = moderation.articles_in_force()
    form = OrderForm(request.POST or None, group=group, articles=articles, initial=request.GET.dict())
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        case = ModerationCase.objects.filter(pk=d["case"], group=group).first() if d["case"] else None
        try:
            moderation.moderation_action_order(
                actor=request.member,  # type: ignore[attr-defined]
                group=group,
                kind=d["kind"],
                target_userid=d["target"],
                article=Article.objects.select_related("version").filter(pk=d["article"]).first(),
                reason=d["reason"],
                msgid=case.msgid if case else "",
                message_text=case.text if case else "",
                case=case,
                company_wide=d["company_wide"],
            )
            messages.success(request, _("Action recorded."))
            return redirect("groups:detail", group.pk)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    return render(request, "groups/moderation_order.html", {"g": group, "form": form})


@member_required(*READERS)
def tasks(request: HttpRequest) -> HttpResponse:
    mine = moderation_selectors.my_tasks(member=request.member, before=_before(request))  # type: ignore[attr-defined]
    return render(request, "groups/moderation_tasks.html", {"tasks": mine, "decline_form": DeclineForm()})


@require_POST
@member_required(*READERS)
def task_confirm(request: HttpRequest, action_id: int) -> HttpResponse:
    actor = request.member  # type: ignore[attr-defined]
    _attempt(
        request, _("Marked as done."), lambda: moderation.moderation_action_confirm(actor=actor, action_id=action_id)
    )
    return redirect("groups:moderation_tasks")


@require_POST
@member_required(*READERS)
def task_decline(request: HttpRequest, action_id: int) -> HttpResponse:
    actor = request.member  # type: ignore[attr-defined]
    form = DeclineForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    _attempt(
        request,
        _("Declined."),
        lambda: moderation.moderation_action_decline(actor=actor, action_id=action_id, reason=reason),
    )
    return redirect("groups:moderation_tasks")


@require_POST
@member_required(*READERS)
def announcement_confirm(request: HttpRequest, announcement_id: int) -> HttpResponse:
    actor = request.member  # type: ignore[attr-defined]
    _attempt(
        request,
        _("Marked as posted."),
        lambda: moderation.rules_announcement_confirm(actor=actor, announcement_id=announcement_id),
    )
    return redirect("groups:moderation_tasks")


@require_POST
@member_required(*READERS)
def case_close(request: HttpRequest, case_id: int) -> HttpResponse:
    actor = request.member  # type: ignore[attr-defined]
    case = ModerationCase.objects.visible_to(actor).filter(pk=case_id).first()
    if case is None:
        raise Http404
    _attempt(request, _("Case closed."), lambda: moderation.moderation_case_close(actor=actor, case=case))
    return redirect(safe_link(request.POST.get("next", "")) or "groups:moderation_tasks")


@member_required(*READERS)
def alerts(request: HttpRequest) -> HttpResponse:
    rows = moderation_selectors.alerts_for(member=request.member, before=_before(request))  # type: ignore[attr-defined]
    return render(request, "groups/moderation_alerts.html", {"alerts": rows})


@require_POST
@member_required(*READERS)
def rules_link(request: HttpRequest, group_id: int) -> HttpResponse:
    group = selectors.group_get_for(request.member, group_id)  # type: ignore[attr-defined]
    policy = Policy.objects.filter(pk=id_param(request.POST.get("policy")) or 0).first()
    actor = request.member  # type: ignore[attr-defined]

    def link() -> object:
        if policy is None:
            raise DomainError(moderation.ERR_NOT_PUBLISHED, field="policy")
        return moderation.group_rules_link(actor=actor, policy=policy, group=group)

    _attempt(request, _("Saved."), link)
    return redirect("groups:detail", group.pk)


@require_POST
@member_required(*READERS)
def robot_set(request: HttpRequest, group_id: int) -> HttpResponse:
    actor = request.member  # type: ignore[attr-defined]
    group = selectors.group_get_for(actor, group_id)
    webhook = request.POST.get("webhook", "")
    _attempt(request, _("Saved."), lambda: moderation.group_robot_set(actor=actor, group=group, webhook=webhook))
    return redirect("groups:detail", group.pk)
