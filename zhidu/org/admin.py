"""Configuration screens for the organisation. Member edits go through the audited services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from zhidu.core.errors import DomainError

from . import services
from .login import ThrottledAdminAuthenticationForm
from .models import ApiToken, Department, Member, MembershipApplication

# /admin/ signs in through the same throttle as the web login page.
admin.site.login_form = ThrottledAdminAuthenticationForm


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("name", "parent", "wecom_id", "order")
    search_fields = ("name",)


class MemberAdminForm(forms.ModelForm):
    class Meta:
        model = Member
        fields = ("name", "department", "role", "reports_to", "position", "mobile", "email")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        actor = getattr(self.request, "member", None)  # type: ignore[attr-defined]
        role = data.get("role")
        if role:
            try:  # the service checks again on save; here it becomes a form error
                services.check_role_grant(actor, role, Member.objects.get(pk=self.instance.pk))
            except DomainError as exc:
                self.add_error("role", exc.message)
        return data


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    """Members come from WeCom sync and applications; edits here run `member_update` (role rule, audit)."""

    form = MemberAdminForm
    list_display = ("name", "department", "role", "role_locked", "reports_to", "status", "wecom_userid")
    list_filter = ("role", "status")
    search_fields = ("name", "wecom_userid")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # members are removed through their lifecycle (audited), never deleted

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        form.request = request  # type: ignore[attr-defined]
        return form

    def save_model(self, request: HttpRequest, obj: Member, form: Any, change: bool) -> None:
        d = form.cleaned_data
        try:
            services.member_update(
                actor=getattr(request, "member", None),
                member=Member.objects.get(pk=obj.pk),
                name=d["name"],
                role=d["role"],
                department=d["department"],
                reports_to=d["reports_to"],
                position=d["position"],
                mobile=d["mobile"],
                email=d["email"],
            )
        except DomainError as exc:  # checked in the form already; a race lands here
            self.message_user(request, exc.message, level="error")


@admin.register(MembershipApplication)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ("name", "department", "lead", "status", "decided_by", "created_at")
    list_filter = ("status",)
    exclude = ("password_hash",)
    readonly_fields = ("requested_role", "status", "decided_by", "decided_at", "member")  # decided in the app

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("member", "name", "prefix", "created_at", "last_used_at", "revoked_at")
    exclude = ("key_hash",)
    readonly_fields = ("member", "prefix", "last_used_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # tokens are created by their member (web page) or by an operator (`zhidu token create`)
