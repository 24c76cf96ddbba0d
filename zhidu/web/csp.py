"""Content-Security-Policy header (Django 5.2 has none built in; 6.0 adds one).

The policy comes from the `CONTENT_SECURITY_POLICY` setting. Templates load scripts only from /static/
(HTMX, ECharts, web/zhidu.js) and carry no inline `<script>` or `on*=` handlers, so `script-src 'self'` holds.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = settings.CONTENT_SECURITY_POLICY
        if policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy
        return response
