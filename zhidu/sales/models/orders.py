"""Orders: a customer's deal submitted by a salesperson, audited by the company (S8: every deal goes through it)."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zhidu.core.models import BaseModel
from zhidu.customers.models import Customer
from zhidu.org.models import Member, Role, work_scope_q

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


class OrderQuerySet(models.QuerySet["Order"]):
    def visible_to(self, member: Member | None) -> OrderQuerySet:
        """Orders whose submitter or a credited member is in `member`'s work scope, or that wait for `member`.

        sales: their own; supervisor: their team's; manager: their department subtree's; director and
        compliance: all; admin: none.
        """
        if member is None or not member.is_active:
            return self.none()
        if member.role in (Role.DIRECTOR, Role.COMPLIANCE):
            return self
        if member.role not in (Role.MANAGER, Role.SUPERVISOR, Role.SALES):
            return self.none()
        scope = work_scope_q(member)
        credited = OrderCredit.objects.filter(member__in=scope).values("order_id")
        return self.filter(Q(submitter__in=scope) | Q(reviewer=member) | Q(pk__in=credited))


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

    objects = OrderQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        constraints = [
            models.UniqueConstraint(fields=["number"], name="order_unique_number"),
            models.CheckConstraint(condition=Q(status__in=OrderStatus.values), name="order_status_valid"),
            models.CheckConstraint(condition=Q(total__gte=0), name="order_total_not_negative"),
            models.CheckConstraint(condition=Q(refund_amount__gte=0), name="order_refund_not_negative"),
            models.CheckConstraint(condition=Q(refund_amount__lte=models.F("total")), name="order_refund_within_total"),
        ]
        indexes = [
            models.Index(fields=["status", "booked_on"], name="order_status_booked_idx"),
            models.Index(fields=["reviewer", "status"], name="order_reviewer_status_idx"),
            models.Index(fields=["submitter", "status"], name="order_submitter_status_idx"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def required_role_label(self) -> str:
        return str(Role(self.required_role).label) if self.required_role in Role.values else ""

    @property
    def is_counted(self) -> bool:
        return self.status in COUNTED_STATUSES


class OrderLine(BaseModel):
    """One product on an order. `list_price` is the product's list price when the order was last saved or submitted."""

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

    @property
    def amount(self) -> Decimal:
        return Decimal(self.unit_price) * self.quantity


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
