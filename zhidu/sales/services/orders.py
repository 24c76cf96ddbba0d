"""Orders as drafts and their submission: input validated (rows named), the reviewer found, everything audited.

The review itself (approve, reject, escalate) and what follows (fulfil, cancel, refund) are in `order_review`.
Who reviews: the submitter's lead (`reports_to`, up the chain past inactive members), falling back up the
department chain to a manager, then the director. A line whose discount (or price below the floor) is beyond
the reviewer's authority (`pricing.required_role_for`) must be escalated to the first lead up who has it.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Case, IntegerField, Value, When
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from zhidu.core.audit import audit_record, snapshot
from zhidu.core.errors import DomainError
from zhidu.core.notifications import notify
from zhidu.core.periods import local_today
from zhidu.customers.models import FollowRelation
from zhidu.org.models import MAX_DEPTH, Department, Member, MemberStatus, Role

from .. import errors
from ..models import Order, OrderCredit, OrderLine, OrderStatus, Product
from ..pricing import highest_role, required_role_for, role_rank
from ..selectors.catalog import policies_for
from ..selectors.orders import ORDER_WRITER_ROLES
from .catalog import parse_money, parse_percent

ORDER_FIELDS = ["status", "total", "reviewer", "required_role", "decided_by", "booked_on", "refund_amount"]
LEADS = (Role.SUPERVISOR, Role.MANAGER, Role.DIRECTOR)
QUANTITY_MAX = 1_000_000
HUNDRED = Decimal("100")


@dataclass(frozen=True)
class LineInput:
    product_id: Any
    quantity: Any
    unit_price: Any


@dataclass(frozen=True)
class CreditInput:
    member_id: Any
    percent: Any


def _int(value: Any) -> int | None:
    if isinstance(value, (bool, float)):
        return None
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


# --- who leads whom ----------------------------------------------------------------------------------------


def leads_above(member: Member) -> list[Member]:
    """Active leads above `member`, nearest first: the `reports_to` chain, then the managers and directors of
    the member's department and its ancestors (nearest department first). Bounded; cycles cannot loop."""
    out: list[Member] = []
    seen = {member.pk}
    current = member.reports_to
    for _depth in range(MAX_DEPTH):
        if current is None or current.pk in seen:
            break
        seen.add(current.pk)
        if current.is_active and current.role in LEADS:
            out.append(current)
        current = current.reports_to
    department = Department.objects.filter(pk=member.department_id).first()
    dept_ids = [member.department_id, *(department.ancestor_ids() if department else [])]
    nearest = Case(*[When(department_id=d, then=Value(i)) for i, d in enumerate(dept_ids)], output_field=IntegerField())
    rank = Case(When(role=Role.MANAGER, then=Value(0)), default=Value(1), output_field=IntegerField())
    fallback = (
        Member.objects.filter(
            department_id__in=dept_ids, role__in=(Role.MANAGER, Role.DIRECTOR), status=MemberStatus.ACTIVE
        )
        .exclude(pk__in=seen)
        .annotate(_near=nearest, _rank=rank)
        .order_by("_near", "_rank", "id")
    )
    out.extend(fallback)
    return out


def first_lead_above(member: Member, *, min_rank: int, exclude: set[int] = frozenset()) -> Member | None:  # type: ignore[assignment]
    for lead in leads_above(member):
        if role_rank(lead.role) >= min_rank and lead.pk not in exclude:
            return lead
    return None


def order_people(order: Order) -> set[int]:
    """The submitter and every credited member: none of them may review the order."""
    return {order.submitter_id, *OrderCredit.objects.filter(order=order).values_list("member_id", flat=True)}


# --- input -------------------------------------------------------------------------------------------------


def _clean_customer(actor: Member, customer_id: Any) -> int:
    cid = _int(customer_id)
    if cid is None or not FollowRelation.objects.active().filter(member=actor, customer_id=cid).exists():
        raise DomainError(errors.ERR_CUSTOMER_NOT_FOLLOWED, field="customer")
    return cid


def _clean_lines(lines: Sequence[LineInput]) -> list[tuple[Product, int, Decimal]]:
    if not lines:
        raise DomainError(errors.ERR_NO_LINES, field="lines")
    if len(lines) > settings.SALES_ORDER_MAX_LINES:
        raise DomainError(errors.ERR_TOO_MANY_LINES, field="lines", max=settings.SALES_ORDER_MAX_LINES)
    ids = {pid for pid in (_int(line.product_id) for line in lines) if pid is not None and 0 < pid < 2**63}
    products = Product.objects.filter(active=True).in_bulk(ids)
    out: list[tuple[Product, int, Decimal]] = []
    for row, line in enumerate(lines, start=1):
        product = products.get(_int(line.product_id) or 0)
        if product is None:
            raise DomainError(errors.ERR_LINE_PRODUCT, field=f"lines.{row}.product", row=row)
        quantity = _int(line.quantity)
        if quantity is None or not 0 < quantity <= QUANTITY_MAX:
            raise DomainError(errors.ERR_LINE_QUANTITY, field=f"lines.{row}.quantity", row=row)
        try:
            price = parse_money(line.unit_price, field="unit_price", label="")
        except DomainError:
            raise DomainError(errors.ERR_LINE_PRICE, field=f"lines.{row}.unit_price", row=row) from None
        assert price is not None
        out.append((product, quantity, price))
    return out


def _clean_credits(actor: Member, credits: Sequence[CreditInput]) -> list[tuple[Member, Decimal]]:
    if not credits:
        return [(actor, HUNDRED)]
    if len(credits) > settings.SALES_ORDER_MAX_CREDITS:
        raise DomainError(errors.ERR_TOO_MANY_CREDITS, field="credits", max=settings.SALES_ORDER_MAX_CREDITS)
    ids = {mid for mid in (_int(c.member_id) for c in credits) if mid is not None and 0 < mid < 2**63}
    members = Member.objects.active().filter(role__in=ORDER_WRITER_ROLES).in_bulk(ids)
    out: list[tuple[Member, Decimal]] = []
    seen: set[int] = set()
    for row, credit in enumerate(credits, start=1):
        member = members.get(_int(credit.member_id) or 0)
        if member is None:
            raise DomainError(errors.ERR_CREDIT_MEMBER, field=f"credits.{row}.member", row=row)
        if member.pk in seen:
            raise DomainError(errors.ERR_CREDIT_DUPLICATE, field=f"credits.{row}.member", row=row, name=member.name)
        seen.add(member.pk)
        try:
            percent = parse_percent(credit.percent, field="percent", label="")
        except DomainError:
            percent = None
        if percent is None or percent <= 0:
            raise DomainError(errors.ERR_CREDIT_PERCENT, field=f"credits.{row}.percent", row=row)
        out.append((member, percent))
    total = sum((p for _m, p in out), Decimal(0))
    if total != HUNDRED:
        raise DomainError(errors.ERR_CREDITS_SUM, field="credits", total=f"{total.normalize():f}")
    return out


def _write_content(
    order: Order, lines: list[tuple[Product, int, Decimal]], credits: list[tuple[Member, Decimal]]
) -> None:
    OrderLine.objects.filter(order=order).delete()
    OrderCredit.objects.filter(order=order).delete()
    OrderLine.objects.bulk_create(
        [OrderLine(order=order, product=p, quantity=q, unit_price=u, list_price=p.list_price) for p, q, u in lines]
    )
    OrderCredit.objects.bulk_create([OrderCredit(order=order, member=m, percent=pct) for m, pct in credits])


def _content_snapshot(order: Order) -> dict[str, Any]:
    return {
        **snapshot(order, ["customer", "total", "note"]),
        "lines": [
            [line.product_id, line.quantity, str(line.unit_price)] for line in OrderLine.objects.filter(order=order)
        ],
        "credits": [[c.member_id, str(c.percent)] for c in OrderCredit.objects.filter(order=order)],
    }


def _new_number() -> str:
    return f"SO{local_today():%Y%m%d}-{secrets.token_hex(3).upper()}"


def _require_writer(actor: Member) -> None:
    if not actor.is_active or actor.role not in ORDER_WRITER_ROLES:
        raise DomainError(errors.ERR_NOT_SELLER, code="forbidden")


def require_state(order: Order, *states: str) -> None:
    if order.status not in states:
        raise DomainError(
            errors.ERR_WRONG_STATE, code="conflict", number=order.number, status=OrderStatus(order.status).label
        )


def lock(order: Order) -> Order:
    """The order re-read under a row lock (PostgreSQL; SQLite serialises writers anyway)."""
    return Order.objects.select_for_update().get(pk=order.pk)


def order_url(order: Order) -> str:
    return reverse("sales:order_detail", args=[order.pk])


def notify_order(order: Order, member_ids: Sequence[int | None], title: str, body: str = "", action: str = "") -> None:
    """Queue a notification about `order` (in the caller's transaction; WeCom delivers it from the outbox)."""
    ids = [pk for pk in member_ids if pk]
    if ids:
        notify(member_ids=ids, title=title, body=body, url=order_url(order), action=action)


# --- drafts ------------------------------------------------------------------------------------------------


@transaction.atomic
def order_create(
    *,
    actor: Member,
    customer_id: Any,
    lines: Sequence[LineInput],
    credits: Sequence[CreditInput] = (),
    note: str = "",
) -> Order:
    """A draft order for a customer the actor follows. Credits default to 100% for the actor."""
    _require_writer(actor)
    cid = _clean_customer(actor, customer_id)
    clean_lines = _clean_lines(lines)
    clean_credits = _clean_credits(actor, credits)
    total = sum((u * q for _p, q, u in clean_lines), Decimal(0))
    order = Order.objects.create(
        number=_new_number(), customer_id=cid, submitter=actor, total=total, note=(note or "").strip()
    )
    _write_content(order, clean_lines, clean_credits)
    audit_record(actor=actor, verb="order.create", target=order, after=_content_snapshot(order))
    return order


@transaction.atomic
def order_update(
    *,
    actor: Member,
    order: Order,
    customer_id: Any,
    lines: Sequence[LineInput],
    credits: Sequence[CreditInput] = (),
    note: str = "",
) -> Order:
    """Replace a draft's (or a rejected order's) content; a rejected order becomes a draft again."""
    order = lock(order)
    if order.submitter_id != actor.pk:
        raise DomainError(errors.ERR_NOT_SUBMITTER, code="forbidden", number=order.number)
    require_state(order, OrderStatus.DRAFT, OrderStatus.REJECTED)
    cid = _clean_customer(actor, customer_id)
    clean_lines = _clean_lines(lines)
    clean_credits = _clean_credits(actor, credits)
    before = {**_content_snapshot(order), "status": order.status}
    order.customer_id = cid
    order.total = sum((u * q for _p, q, u in clean_lines), Decimal(0))
    order.note = (note or "").strip()
    order.status = OrderStatus.DRAFT
    order.save(update_fields=["customer", "total", "note", "status", "updated_at"])
    _write_content(order, clean_lines, clean_credits)
    audit_record(
        actor=actor,
        verb="order.update",
        target=order,
        before=before,
        after={**_content_snapshot(order), "status": order.status},
    )
    return order


# --- submission --------------------------------------------------------------------------------------------


def line_requirements(order: Order) -> list[tuple[int, str]]:
    """(row, required role) for each line of `order` under the current price policies."""
    lines = list(OrderLine.objects.filter(order=order).select_related("product").order_by("id"))
    policies = policies_for([line.product for line in lines])
    return [
        (row, required_role_for(line.unit_price, line.list_price, policies[line.product_id]))
        for row, line in enumerate(lines, start=1)
    ]


@transaction.atomic
def order_submit(*, actor: Member, order: Order) -> Order:
    """Send a draft for review: list prices re-read, the authority needed computed, the reviewer notified."""
    order = lock(order)
    if order.submitter_id != actor.pk:
        raise DomainError(errors.ERR_NOT_SUBMITTER, code="forbidden", number=order.number)
    _require_writer(actor)
    require_state(order, OrderStatus.DRAFT, OrderStatus.REJECTED)
    _clean_customer(actor, order.customer_id)
    lines = list(OrderLine.objects.filter(order=order).select_related("product"))
    if not lines:
        raise DomainError(errors.ERR_NO_LINES, field="lines")
    for line in lines:
        if line.list_price != line.product.list_price:
            line.list_price = line.product.list_price
            line.save(update_fields=["list_price", "updated_at"])
    required = highest_role([role for _row, role in line_requirements(order)])
    people = order_people(order)
    reviewer = first_lead_above(actor, min_rank=role_rank(actor.role) + 1, exclude=people)
    if reviewer is None:
        raise DomainError(errors.ERR_NO_REVIEWER, code="conflict", number=order.number, member=actor.name)
    before = snapshot(order, ORDER_FIELDS)
    order.status = OrderStatus.SUBMITTED
    order.reviewer = reviewer
    order.required_role = required
    order.submitted_at = timezone.now()
    order.decided_by = None
    order.decided_at = None
    order.reject_reason = ""
    order.save()
    audit_record(actor=actor, verb="order.submit", target=order, before=before, after=snapshot(order, ORDER_FIELDS))
    notify_review(order, actor)
    return order


def notify_review(order: Order, sender: Member) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        notify_order(
            order,
            [order.reviewer_id],
            gettext("Order %(number)s from %(member)s awaits your review")
            % {"number": order.number, "member": sender.name},
            gettext("Customer: %(customer)s, amount: %(total)s yuan")
            % {"customer": order.customer, "total": order.total},
            gettext("Review"),
        )
