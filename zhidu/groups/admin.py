from __future__ import annotations

from django.contrib import admin

from .models import GroupChat, GroupMember, ModerationAction, ModerationCase


class GroupMemberInline(admin.TabularInline):
    model = GroupMember
    extra = 0
    fields = ("userid", "type", "name", "group_nickname", "is_admin", "join_time", "join_scene", "left_at")
    readonly_fields = fields
    can_delete = False


@admin.register(GroupChat)
class GroupChatAdmin(admin.ModelAdmin):
    list_display = ["name", "chat_id", "owner", "status", "created"]
    list_filter = ["status"]
    search_fields = ["name", "chat_id", "owner__name"]
    raw_id_fields = ["owner"]
    inlines = [GroupMemberInline]


@admin.register(ModerationAction)
class ModerationActionAdmin(admin.ModelAdmin):
    list_display = ["group", "kind", "target_name", "decided_by", "status", "created_at"]
    list_filter = ["kind", "status"]
    search_fields = ["target_userid", "target_name", "group__name"]
    readonly_fields = [f.name for f in ModerationAction._meta.fields]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False


@admin.register(ModerationCase)
class ModerationCaseAdmin(admin.ModelAdmin):
    list_display = ["chat_key", "reason", "offender_userid", "status", "created_at"]
    list_filter = ["status", "source"]
    readonly_fields = [f.name for f in ModerationCase._meta.fields]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False
