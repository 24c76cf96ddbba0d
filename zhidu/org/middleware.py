from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class CurrentMemberMiddleware:
    """Sets `request.member` (the logged-in user's Member, or None)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        member = None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            member = getattr(user, "member", None)
        request.member = member  # type: ignore[attr-defined]
        return self.get_response(request)


class NotFoundMiddleware:
    """Turns `NotFound` from selectors into the ordinary 404 page (missing and foreign look alike)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from django.http import Http404
        from django.views.defaults import page_not_found

        from zhidu.core.errors import NotFound

        if isinstance(exception, NotFound):
            return page_not_found(request, Http404())
        return None
