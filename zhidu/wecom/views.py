"""The WeCom callback endpoint (GET answers URL verification, POST stores an event and says "success"), and the
form that changes a member's public profile in WeCom."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from zhidu.core.access import member_required
from zhidu.core.errors import DomainError
from zhidu.core.text import clean_text
from zhidu.org.selectors import member_get_for

from .callbacks import CallbackRefused, callback_receive, callback_verify
from .profiles import ALIAS_MAX, profile_update


@csrf_exempt
@require_http_methods(["GET", "POST"])
def callback(request: HttpRequest) -> HttpResponse:
    params = {name: request.GET.get(name, "") for name in ("msg_signature", "timestamp", "nonce")}
    if _declared_length(request) > settings.WECOM_CALLBACK_MAX_BYTES:  # refused before the body is read
        return HttpResponse("body too large", status=413, content_type="text/plain; charset=utf-8")
    try:
        if request.method == "GET":
            plaintext = callback_verify(echostr=request.GET.get("echostr", ""), **params)
            return HttpResponse(plaintext, content_type="text/plain; charset=utf-8")
        callback_receive(body=request.body, **params)
    except CallbackRefused as exc:
        return HttpResponse(exc.reason, status=exc.status, content_type="text/plain; charset=utf-8")
    return HttpResponse("success", content_type="text/plain; charset=utf-8")


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


@require_POST
@member_required()
def member_profile(request: HttpRequest, member_id: int) -> HttpResponse:
    """A lead changes the member's alias / external position in WeCom; the new values are approved at once."""
    viewer = request.member  # type: ignore[attr-defined]
    member = member_get_for(viewer, member_id)
    try:
        alias = clean_text(request.POST.get("alias", ""), field="alias", max_length=ALIAS_MAX)
        position = clean_text(request.POST.get("external_position", ""), field="external_position", max_length=64)
        profile_update(actor=viewer, member=member, alias=alias, external_position=position)
        messages.success(request, _("Saved to WeCom."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("org:member", member_id=member.pk)
