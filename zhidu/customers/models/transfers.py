"""Customer transfers (在职转接, 离职继承): a batch moving customers and customer groups from one member to another.

The state transitions live in `zhidu.customers.transfers`; talking to WeCom lives in `zhidu.wecom.transfers`.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zhidu.core.models import BaseModel
from zhidu.org.models import Member, work_scope_q

from .contacts import Customer


class TransferKind(models.TextChoices):
    ONJOB = "onjob", _("On-job transfer")
    RESIGNED = "resigned", _("Resigned inheritance")


class TransferStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting a receiver")
    QUEUED = "queued", _("Queued")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_STATUSES = (TransferStatus.PENDING, TransferStatus.QUEUED, TransferStatus.IN_PROGRESS)


class ItemStatus(models.TextChoices):
    QUEUED = "queued", _("Not sent yet")
    WAITING = "waiting", _("Waiting for takeover")
    SUCCEEDED = "succeeded", _("Succeeded")
    REFUSED = "refused", _("Refused by the customer")
    FAILED = "failed", _("Failed")
    NOT_SENT = "not_sent", _("Not sent")


FINAL_ITEM_STATUSES = (ItemStatus.SUCCEEDED, ItemStatus.REFUSED, ItemStatus.FAILED, ItemStatus.NOT_SENT)


class ItemReason(models.TextChoices):
    """Why an item did not succeed (with `errcode` when WeCom answered with one)."""

    NONE = "", _("—")
    LIMIT = "limit", _("Transferred too often: WeCom allows 2 on-job transfers of a customer per 90 days")
    IN_TRANSFER = "in_transfer", _("Already being transferred")
    NOT_FOLLOWING = "not_following", _("The handover member no longer follows this customer")
    NOT_OWNER = "not_owner", _("The handover member no longer owns this group")
    OVER_BATCH = "over_batch", _("Over the size limit of one transfer")
    REFUSED = "refused", _("The customer refused the transfer")
    TAKEOVER_FULL = "takeover_full", _("The receiver has reached WeCom's customer limit")
    NO_RECORD = "no_record", _("WeCom has no record of this transfer")
    WECOM = "wecom", _("WeCom refused the request")


# WeCom per-customer / per-group error codes (API.md §1.2, §4.8) as reasons people can read.
ERRCODE_LABELS = {
    40050: _("The group does not exist or was dismissed"),
    40096: _("WeCom does not know this customer"),
    40097: _("The handover member has not left WeCom yet"),
    40099: _("The receiver has reached WeCom's customer limit"),
    40100: _("This member's customers are already in a transfer flow"),
    40128: _("Transferred too often: WeCom allows 2 on-job transfers of a customer per 90 days"),
    40129: _("Already being transferred"),
    40130: _("The handover member and the receiver are the same person"),
    40131: _("The handover member no longer follows this customer"),
    60111: _("The member is not in WeCom"),
    90500: _("The group owner has not left: use an on-job transfer"),
    90502: _("The group owner has left: use a resigned inheritance"),
}


class TransferQuerySet(models.QuerySet["Transfer"]):
    def visible_to(self, member: Member | None) -> TransferQuerySet:
        """Transfers from or to a member whose work `member` may read."""
        if member is None or not member.is_active:
            return self.none()
        scope = work_scope_q(member)
        return self.filter(Q(handover__in=scope) | Q(takeover__in=scope))


class Transfer(BaseModel):
    """One batch: customers and groups of `handover` moving to `takeover`."""

    kind = models.CharField(_("kind"), max_length=20, choices=TransferKind.choices)
    status = models.CharField(_("status"), max_length=20, choices=TransferStatus.choices)
    handover = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="transfers_out", verbose_name=_("handover member")
    )
    takeover = models.ForeignKey(
        Member,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transfers_in",
        verbose_name=_("receiver"),
    )
    created_by = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("started by")
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)

    objects = TransferQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=TransferKind.values), name="transfer_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=TransferStatus.values), name="transfer_status_valid"),
            models.CheckConstraint(
                condition=Q(status=TransferStatus.PENDING)
                | Q(status=TransferStatus.CANCELLED)
                | Q(takeover__isnull=False),
                name="transfer_takeover_when_sent",
            ),
            # A removed member has at most one resigned transfer waiting for its receiver.
            models.UniqueConstraint(
                fields=["handover"], condition=Q(status="pending"), name="transfer_one_pending_per_handover"
            ),
        ]
        indexes = [models.Index(fields=["status", "id"], name="transfer_status_idx")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class TransferItem(BaseModel):
    """One customer (or one customer group) of a transfer, with its own status."""

    transfer = models.ForeignKey(Transfer, on_delete=models.CASCADE, related_name="items", verbose_name=_("transfer"))
    customer = models.ForeignKey(
        Customer,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transfer_items",
        verbose_name=_("customer"),
    )
    group = models.ForeignKey(
        "groups.GroupChat",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transfer_items",
        verbose_name=_("group chat"),
    )
    external_id = models.CharField(_("WeCom id"), max_length=64)
    status = models.CharField(_("status"), max_length=20, choices=ItemStatus.choices, default=ItemStatus.QUEUED)
    reason = models.CharField(_("reason"), max_length=20, choices=ItemReason.choices, default="", blank=True)
    errcode = models.IntegerField(_("WeCom error code"), default=0)
    attempted_at = models.DateTimeField(null=True, blank=True)
    takeover_time = models.DateTimeField(_("takeover time"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("transfer item")
        verbose_name_plural = _("transfer items")
        constraints = [
            models.UniqueConstraint(fields=["transfer", "external_id"], name="transferitem_unique_per_transfer"),
            models.CheckConstraint(
                condition=Q(customer__isnull=False, group__isnull=True) | Q(customer__isnull=True, group__isnull=False),
                name="transferitem_customer_xor_group",
            ),
            models.CheckConstraint(condition=Q(status__in=ItemStatus.values), name="transferitem_status_valid"),
            models.CheckConstraint(condition=Q(reason__in=ItemReason.values), name="transferitem_reason_valid"),
        ]
        indexes = [
            models.Index(fields=["transfer", "status"], name="transferitem_status_idx"),
            models.Index(fields=["customer", "status"], name="transferitem_customer_idx"),
        ]

    def __str__(self) -> str:
        return self.external_id

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_ITEM_STATUSES

    @property
    def reason_label(self) -> str:
        """The reason in the reader's language (WeCom's error code when it gave one)."""
        if self.errcode and self.errcode in ERRCODE_LABELS:
            return str(ERRCODE_LABELS[self.errcode])
        if self.reason:
            label = str(ItemReason(self.reason).label)
            return f"{label} ({self.errcode})" if self.errcode else label
        return ""
