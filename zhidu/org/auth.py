"""REST API authentication: per-member bearer tokens (stored hashed) or the web session."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import APIKeyCookie, HttpBearer

from .models import ApiToken, Member


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Member | None:
        row = (
            ApiToken.objects.select_related("member", "member__department")
            .filter(key_hash=ApiToken.hash_key(token), revoked_at__isnull=True)
            .first()
        )
        if row is None or not row.member.is_active:
            return None
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
        request.member = row.member  # type: ignore[attr-defined]
        return row.member


class SessionMemberAuth(APIKeyCookie):
    """The logged-in web session (CSRF-checked for unsafe methods by ninja)."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        member = getattr(request, "member", None)
        if member is not None and member.is_active:
            return member
        return None


api_auth = [TokenAuth(), SessionMemberAuth()]
