"""Operator screens: rules (with their terms), archive cursors and agreements, messages and violations (read)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from zhidu.core.audit import audit_record

from .models import ArchiveAgreement, ArchiveCursor, ArchiveMessage, Rule, RuleTerm, Violation


class RuleTermInline(admin.TabularInline):
    model = RuleTerm
    extra = 1
    max_num = 2000
    classes = ["collapse"]


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "category", "severity", "article", "enabled", "builtin"]
    list_filter = ["category", "severity", "enabled", "builtin"]
    list_editable = ["enabled"]
    search_fields = ["code", "name", "term_rows__term"]
    filter_horizontal = ["departments", "members"]
    inlines = [RuleTermInline]
    fieldsets = [
        (None, {"fields": ["code", "name", "category", "severity", "article", "enabled", "description"]}),
        ("Matching", {"fields": ["patterns", "detectors", "allow", "yield_to"]}),
        ("Scope", {"fields": ["departments", "members", "chat_types", "sides", "msgtypes", "hour_start", "hour_end"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).distinct()

    def save_model(self, request: HttpRequest, obj: Rule, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        audit_record(
            actor=getattr(request.user, "member", None),
            actor_label="" if hasattr(request.user, "member") else "admin",
            verb="rule.update" if change else "rule.create",
            target=obj,
            after={"fields": sorted(form.changed_data)} if change else {"code": obj.code},
        )


@admin.register(ArchiveCursor)
class ArchiveCursorAdmin(admin.ModelAdmin):
    list_display = ["source", "seq", "updated_at"]


@admin.register(ArchiveAgreement)
class ArchiveAgreementAdmin(admin.ModelAdmin):
    list_display = ["userid", "external_userid", "status", "changed_at", "checked_at"]
    list_filter = ["status"]
    search_fields = ["userid", "external_userid"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ArchiveMessage)
class ArchiveMessageAdmin(ReadOnlyAdmin):
    list_display = ["msgid", "sent_at", "msgtype", "sender", "chat_type", "recalled"]
    list_filter = ["chat_type", "msgtype", "recalled", "side"]
    search_fields = ["msgid", "sender", "roomid", "text"]
    date_hierarchy = "sent_at"


@admin.register(Violation)
class ViolationAdmin(ReadOnlyAdmin):
    """Review happens on the violation page (audited); the admin only reads."""

    list_display = ["id", "occurred_at", "category", "severity", "member", "supervisor", "status"]
    list_filter = ["status", "category", "severity"]
    search_fields = ["matched", "message__msgid"]
    raw_id_fields = ["message", "member", "supervisor", "reviewed_by"]
