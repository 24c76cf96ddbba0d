from django.contrib import admin

from .models import Acknowledgement, Article, Chapter, Comment, Item, Policy, PolicyNotice, PolicyVersion


class VersionInline(admin.TabularInline):
    model = PolicyVersion
    fields = ("number", "title", "status", "effective_date", "published_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    list_display = ("code", "title", "current_version")
    search_fields = ("code", "title")
    readonly_fields = ("current_version", "created_by")
    inlines = [VersionInline]


class ChapterInline(admin.TabularInline):
    model = Chapter
    fields = ("number", "title", "order")
    extra = 0


@admin.register(PolicyVersion)
class PolicyVersionAdmin(admin.ModelAdmin):
    """Read-mostly: the lifecycle goes through the app (audited services), not through this screen."""

    list_display = ("policy", "number", "title", "status", "template", "effective_date", "published_at")
    list_filter = ("status",)
    search_fields = ("policy__code", "title")
    readonly_fields = (
        "policy",
        "number",
        "status",
        "effective_date",
        "created_by",
        "approved_by",
        "approved_at",
        "published_by",
        "published_at",
        "superseded_at",
        "discussion_opened_at",
        "warnings",
        "template",
    )
    inlines = [ChapterInline]


class ItemInline(admin.TabularInline):
    model = Item
    fields = ("number", "label", "text", "order")
    extra = 0


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ("__str__", "version", "number", "title")
    list_filter = ("version__policy",)
    search_fields = ("text", "title")
    inlines = [ItemInline]


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ("article", "member", "created_at")
    readonly_fields = ("article", "member", "text")


@admin.register(Acknowledgement)
class AcknowledgementAdmin(admin.ModelAdmin):
    list_display = ("version", "member", "at")
    list_filter = ("version",)
    readonly_fields = ("version", "member", "at")


@admin.register(PolicyNotice)
class PolicyNoticeAdmin(admin.ModelAdmin):
    list_display = ("title", "effective_date", "recipients", "created_at")
