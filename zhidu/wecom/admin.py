from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import CallbackInbox, OutboxMessage, RoleRule, SyncRun


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "channel",
        "msgtype",
        "recipients",
        "status",
        "attempts",
        "next_attempt_at",
        "last_errcode",
        "sent_at",
        "created_at",
    ]
    list_filter = ["status", "channel", "msgtype"]
    search_fields = ["dedupe_key", "last_error"]
    readonly_fields = ["wecom_msgid", "sent_at", "created_at", "updated_at"]
    exclude = ["content"]  # message bodies may quote violation evidence: delivery state only here
    actions = ["retry"]

    @admin.display(description=_("recipients"))
    def recipients(self, obj: OutboxMessage) -> str:
        return ", ".join(obj.to_userids) if obj.to_userids else str(_("robot"))

    @admin.action(description=_("Retry the selected messages"))
    def retry(self, request: HttpRequest, queryset: QuerySet[OutboxMessage]) -> None:
        from .send import outbox_retry

        member = getattr(request, "member", None)
        count = outbox_retry(
            actor=member,
            actor_label="" if member else f"admin:{request.user}",
            message_ids=list(queryset.values_list("pk", flat=True)),
        )
        self.message_user(request, _("%(count)d message(s) queued again.") % {"count": count}, messages.SUCCESS)


@admin.register(CallbackInbox)
class CallbackInboxAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "event",
        "change_type",
        "create_time",
        "received_at",
        "processed_at",
        "attempts",
        "replays",
        "short_error",
    ]
    list_filter = ["event", "change_type", ("processed_at", admin.EmptyFieldListFilter)]
    search_fields = ["raw_xml", "error"]
    readonly_fields = [f.name for f in CallbackInbox._meta.fields]
    actions = ["reprocess"]

    @admin.display(description=_("error"))
    def short_error(self, obj: CallbackInbox) -> str:
        return obj.error[:80]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=_("Process the selected events again"))
    def reprocess(self, request: HttpRequest, queryset: QuerySet[CallbackInbox]) -> None:
        from .callbacks import callback_process

        outcomes: dict[str, Any] = {}
        for row in queryset:
            CallbackInbox.objects.filter(pk=row.pk).update(processed_at=None, attempts=0)
            outcome = callback_process(row.pk)
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
        self.message_user(request, str(outcomes))


@admin.register(SyncRun)
class SyncRunAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "started_at", "finished_at", "seconds", "error"]
    readonly_fields = ["kind", "started_at", "finished_at", "counts", "error"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(RoleRule)
class RoleRuleAdmin(admin.ModelAdmin):
    list_display = ["keyword", "role", "order", "active"]
    list_editable = ["role", "order", "active"]
    list_display_links = ["keyword"]
