from __future__ import annotations

from django.contrib import admin

from .models import Customer, FollowRelation, Tag, TagGroup


class TagInline(admin.TabularInline):
    model = Tag
    extra = 0
    fields = ["wecom_id", "name", "order", "deleted"]
    readonly_fields = ["wecom_id"]


@admin.register(TagGroup)
class TagGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "wecom_id", "order", "deleted"]
    list_filter = ["deleted"]
    inlines = [TagInline]


class FollowInline(admin.TabularInline):
    model = FollowRelation
    extra = 0
    fields = ("member", "remark", "add_way", "createtime", "deleted", "end_reason")
    readonly_fields = fields
    can_delete = False


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["name", "external_userid", "type", "corp_name", "created_at"]
    list_filter = ["type", "gender"]
    search_fields = ["name", "external_userid", "corp_name", "follows__remark"]
    inlines = [FollowInline]


@admin.register(FollowRelation)
class FollowRelationAdmin(admin.ModelAdmin):
    list_display = ["customer", "member", "remark", "add_way", "createtime", "deleted"]
    list_filter = ["deleted", "end_reason", "add_way"]
    search_fields = ["customer__name", "customer__external_userid", "member__name", "remark"]
    raw_id_fields = ["customer", "member"]
    filter_horizontal = ["tags"]
