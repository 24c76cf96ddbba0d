"""Orders: a customer's deal submitted by a salesperson, audited by the company (S8: every deal goes through it)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zhidu.core.models import BaseModel
from zhidu.customers.models import Customer
from zhidu.org.models import Member

from .catalog import Product


class OrderStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Awaiting review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    FULFILLED = "fulfilled", _("Fulfilled")
    CANCELLED = "cancelled", _("Cancelled")
    REFUNDED = "refunded", _("Refunded")


# Orders whose amount counts towards targets (a refund reverses `refund_amount` of it).
COUNTED_STATUSES = (OrderStatus.APPROVED, OrderStatus.FULFILLED, OrderStatus.REFUNDED)


class Order(BaseModel):
    number = models.CharField(_("order number"), max_length=32)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="orders", verbose_name=_("customer"))
    submitter = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="orders_submitted", verbose_name=_("submitted by")
    )
    status = models.CharField(_("status"), max_length=20, choices=OrderStatus.choices, default=OrderStatus.DRAFT)
    total = models.DecimalField(_("amount"), max_digits=14, decimal_places=2, default=0)
    note = models.TextField(_("note"), blank=True)
    # Review: who must act next (a member), and the lowest role with authority for every line.
    reviewer = models.ForeignKey(
        Member,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders_to_review",
        verbose_name=_("reviewer"),
    )
    required_role = models.CharField(_("approval needs"), max_length=20, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        Member,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders_decided",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reject_reason = models.TextField(_("reason"), blank=True)
    # The company-local date achievement is booked on (the approval date).
    booked_on = models.DateField(_("booked on"), null=True, blank=True, db_index=True)
    fulfilled_at = models.DateTimeField(_("fulfilled at"), null=True, blank=True)
    refunded_at = models.DateTimeField(_("refunded at"), null=True, blank=True)
    refund_amount = models.DecimalField(_("refund"), max_digits=14, decimal_places=2, default=0)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        constraints = [
            models.UniqueConstraint(fields=["number"], name="order_unique_number"),
            models.CheckConstraint(condition=Q(status__in=OrderStatus.values), name="order_status_valid"),
            models.CheckConstraint(condition=Q(total__gte=0), name="order_total_not_negative"),
            models.CheckConstraint(condition=Q(refund_amount__gte=0), name="order_refund_not_negative"),
        ]
        indexes = [
            models.Index(fields=["status", "booked_on"], name="order_status_booked_idx"),
            models.Index(fields=["reviewer", "status"], name="order_reviewer_status_idx"),
        ]

    def __str__(self) -> str:
        return self.number


class OrderLine(BaseModel):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("product"))
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_price = models.DecimalField(_("unit price"), max_digits=14, decimal_places=2)
    list_price = models.DecimalField(_("list price"), max_digits=14, decimal_places=2)  # snapshot at submission

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="order_line_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="order_line_price_not_negative"),
        ]


class OrderCredit(BaseModel):
    """Who gets credit for the order, in percent; the shares of one order add up to 100."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="credits")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="order_credits", verbose_name=_("member"))
    percent = models.DecimalField(_("share (%)"), max_digits=5, decimal_places=2)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["order", "member"], name="order_credit_unique_member"),
            models.CheckConstraint(condition=Q(percent__gt=0) & Q(percent__lte=100), name="order_credit_percent_range"),
        ]
        indexes = [models.Index(fields=["member", "order"], name="order_credit_member_idx")]
