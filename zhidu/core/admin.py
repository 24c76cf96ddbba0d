from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .events import deliveries_retry_now
from .models import AuditEvent, EventDelivery


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("at", "actor", "actor_label", "verb", "target_type", "target_id", "reason")
    list_filter = ("verb", "target_type")
    search_fields = ("target_id", "target_label", "actor_label")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(EventDelivery)
class EventDeliveryAdmin(admin.ModelAdmin):
    """Operators watch domain events that are stuck (a failing handler) and can make them due at once."""

    list_display = ("id", "name", "handler", "status", "attempts", "next_attempt_at", "done_at")
    list_filter = ("status", "name")
    readonly_fields = [f.name for f in EventDelivery._meta.fields]
    actions = ["retry_now"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    @admin.action(description=_("Retry the selected deliveries now"), permissions=["change"])
    def retry_now(self, request, queryset):  # type: ignore[no-untyped-def]
        member = getattr(request.user, "member", None)
        count = deliveries_retry_now(
            actor=member, ids=list(queryset.values_list("pk", flat=True)), actor_label=request.user.get_username()
        )
        self.message_user(
            request, ngettext("%(n)d delivery is due now.", "%(n)d deliveries are due now.", count) % {"n": count}
        )
