"""The WeCom callback endpoint: GET answers URL verification, POST stores an event and says "success"."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from .callbacks import CallbackRefused, callback_receive, callback_verify


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
