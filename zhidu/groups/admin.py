from __future__ import annotations

from django.contrib import admin

from .models import GroupChat, GroupMember


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
