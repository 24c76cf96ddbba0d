"""Authentication backends: password login with brute-force protection, and the admin console by role.

The Django admin (`/admin/`) is the configuration console. Nobody in the demo is a Django superuser:
a staff login whose member has the `admin` role gets every permission on the configuration models
listed in `ADMIN_CONSOLE_MODELS` and nothing else — archived chats, violations and their evidence,
customers and group chats are sales work, read in the app by the roles whose scope covers them.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import BaseBackend, ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from . import throttle
from .models import Role

# "app_label.model_name" of every model the admin role may see and edit in /admin/.
ADMIN_CONSOLE_MODELS = frozenset(
    {
        "org.department",
        "org.member",
        "org.membershipapplication",
        "org.apitoken",
        "policies.policy",
        "policies.policyversion",
        "policies.article",
        "policies.chapter",
        "policies.item",
        "policies.policynotice",
        "policies.acknowledgement",
        "compliance.rule",
        "compliance.ruleterm",
        "compliance.archivecursor",
        "compliance.archiveagreement",
        "customers.taggroup",
        "customers.tag",
        "wecom.rolerule",
        "wecom.syncrun",
        "wecom.callbackinbox",
        "wecom.outboxmessage",
        "core.auditevent",
        "core.eventdelivery",
    }
)


class ThrottledModelBackend(ModelBackend):
    """ModelBackend behind the login throttle: a locked account or address is refused unchecked."""

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Any:
        if username is None or password is None:
            return None
        address = throttle.client_address(request)
        if throttle.login_locked(username, address):
            raise PermissionDenied  # stops the backend chain; the password is never checked
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            throttle.login_failed(username, address)
        else:
            throttle.login_succeeded(username)
        return user


def _console_member(user_obj: Any) -> Any:
    if not (user_obj.is_active and user_obj.is_staff):
        return None
    member = getattr(user_obj, "member", None)
    if member is None or not member.is_active or member.role != Role.ADMIN:
        return None
    return member


class AdminRoleBackend(BaseBackend):
    """Grants the admin role (staff logins only) the permissions on `ADMIN_CONSOLE_MODELS`."""

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        if _console_member(user_obj) is None:
            return False
        app_label, _dot, codename = perm.partition(".")
        _action, _sep, model = codename.partition("_")
        return f"{app_label}.{model}" in ADMIN_CONSOLE_MODELS

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        if _console_member(user_obj) is None:
            return False
        return any(name.startswith(f"{app_label}.") for name in ADMIN_CONSOLE_MODELS)
