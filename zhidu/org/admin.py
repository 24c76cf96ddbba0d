from django.contrib import admin

from .models import ApiToken, Department, Member, MembershipApplication


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("name", "parent", "wecom_id", "order")
    search_fields = ("name",)


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = ("name", "department", "role", "role_locked", "reports_to", "status", "wecom_userid")
    list_filter = ("role", "status")
    search_fields = ("name", "wecom_userid")
    readonly_fields = ("status",)


@admin.register(MembershipApplication)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ("name", "department", "lead", "status", "decided_by", "created_at")
    list_filter = ("status",)
    exclude = ("password_hash",)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("member", "name", "prefix", "created_at", "last_used_at", "revoked_at")
    exclude = ("key_hash",)
