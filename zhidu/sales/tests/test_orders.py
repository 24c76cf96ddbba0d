"""Orders: drafts, submission to the right reviewer, escalation by discount authority, and the later states."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection  # noqa: F401  (the skipif condition reads it)
from django.test import override_settings
from django.utils import translation

from zhidu.core.errors import DomainError
from zhidu.core.events import subscribe, unsubscribe
from zhidu.core.models import AuditEvent, Notification
from zhidu.core.periods import local_today
from zhidu.sales.models import Order, OrderCredit, OrderLine
from zhidu.sales.services import order_review as review
from zhidu.sales.services import orders as svc
from zhidu.sales.services.orders import CreditInput, LineInput

from .factories import PolicyFactory, ProductFactory, follow, make_order

DEFAULTS = {"sales": Decimal(0), "supervisor": Decimal(5), "manager": Decimal(10), "director": Decimal(20)}
pytestmark = pytest.mark.usefixtures("_defaults")


@pytest.fixture
def _defaults():
    with override_settings(SALES_DISCOUNT_DEFAULTS=DEFAULTS):
        yield


def written():
    return (Order.objects.count(), OrderLine.objects.count(), OrderCredit.objects.count(), AuditEvent.objects.count())


def zh(exc: DomainError) -> str:
    with translation.override("zh-hans"):
        return exc.message


def test_draft_defaults_to_full_credit_for_the_submitter(actors):
    product = ProductFactory(list_price=Decimal("300.00"))
    customer = follow(actors.sales)
    order = svc.order_create(
        actor=actors.sales, customer_id=customer.pk, lines=[LineInput(product.pk, "3", "250.50")], note="首单"
    )
    assert order.status == "draft" and order.total == Decimal("751.50")
    assert list(order.credits.values_list("member_id", "percent")) == [(actors.sales.pk, Decimal("100.00"))]
    line = order.lines.get()
    assert (line.quantity, line.unit_price, line.list_price) == (3, Decimal("250.50"), Decimal("300.00"))
    assert AuditEvent.objects.filter(verb="order.create", target_id=str(order.pk)).exists()


@pytest.mark.parametrize(
    "lines, credits, field, needle",
    [
        ([("P", 0, "100")], [], "lines.1.quantity", "第1行"),
        ([("P", 1, "100"), ("P", -2, "100")], [], "lines.2.quantity", "第2行"),
        ([("P", "两", "100")], [], "lines.1.quantity", "数量"),
        ([("P", 1, "-1")], [], "lines.1.unit_price", "单价"),
        ([("P", 1, "1.234")], [], "lines.1.unit_price", "第1行"),
        ([(999999, 1, "100")], [], "lines.1.product", "第1行"),
        ([], [], "lines", "产品"),
        ([("P", 1, "100")], [("sales", "60"), ("sales_b", "30")], "credits", "90"),
        ([("P", 1, "100")], [("sales", "60"), ("sales", "40")], "credits.2.member", "第2行"),
        ([("P", 1, "100")], [("sales", "100"), ("compliance", "0")], "credits.2.member", "第2行"),
        ([("P", 1, "100")], [("sales", "110"), ("sales_b", "-10")], "credits.1.percent", "第1行"),
    ],
)
def test_bad_input_names_the_row_and_writes_nothing(actors, lines, credits, field, needle):
    product = ProductFactory()
    customer = follow(actors.sales)
    before = written()
    with pytest.raises(DomainError) as err:
        svc.order_create(
            actor=actors.sales,
            customer_id=customer.pk,
            lines=[LineInput(product.pk if p == "P" else p, q, u) for p, q, u in lines],
            credits=[CreditInput(actors.by_name(m).pk, pct) for m, pct in credits],
        )
    assert err.value.field == field
    assert needle in zh(err.value)
    assert written() == before


def test_customer_not_followed_by_the_submitter(actors):
    product = ProductFactory()
    theirs = follow(actors.sales_b)
    before = written()
    with pytest.raises(DomainError) as err:
        svc.order_create(actor=actors.sales, customer_id=theirs.pk, lines=[LineInput(product.pk, 1, "1000")])
    assert err.value.field == "customer" and "客户" in zh(err.value)
    assert written() == before


def test_split_credit_adds_to_100(actors):
    order = make_order(actors.sales, credits=[(actors.sales, "70"), (actors.sales_b, "30")])
    assert sorted(order.credits.values_list("percent", flat=True)) == [Decimal("30.00"), Decimal("70.00")]


def test_submit_goes_to_the_supervisor_and_notifies(actors):
    order = make_order(actors.sales, submit=True)
    assert order.status == "submitted" and order.reviewer == actors.supervisor and order.required_role == "sales"
    note = Notification.objects.get(recipient=actors.supervisor)
    assert order.number in note.title and note.url == f"/sales/orders/{order.pk}/"


def test_reviewer_falls_back_up_the_department_chain(actors):
    actors.sales.reports_to = None
    actors.sales.save()
    order = make_order(actors.sales, submit=True)
    assert order.reviewer == actors.manager
    actors.supervisor.status = "suspended"
    actors.supervisor.save()
    actors.sales.reports_to = actors.supervisor
    actors.sales.save()
    order = make_order(actors.sales, submit=True)
    assert order.reviewer == actors.manager  # past the inactive supervisor


def test_supervisor_approves_within_authority_and_books_today(actors, django_capture_on_commit_callbacks):
    seen: list[int] = []

    def handler(id):
        seen.append(id)

    subscribe("sales.order.approved", handler)
    try:
        order = make_order(actors.sales, price="960.00", submit=True)
        with django_capture_on_commit_callbacks(execute=True):
            order = review.order_approve(actor=actors.supervisor, order=order)
    finally:
        unsubscribe("sales.order.approved", handler)
    assert order.status == "approved" and order.booked_on == local_today() and order.decided_by == actors.supervisor
    assert seen == [order.pk]
    assert Notification.objects.filter(recipient=actors.sales, title__contains=order.number).exists()


def test_beyond_authority_the_supervisor_can_only_escalate_to_the_manager(actors):
    order = make_order(actors.sales, price="920.00", submit=True)  # 8%: a manager's
    assert order.required_role == "manager"
    with pytest.raises(DomainError) as err:
        review.order_approve(actor=actors.supervisor, order=order)
    assert err.value.field == "lines.1" and "第1行" in zh(err.value) and "销售经理" in zh(err.value)
    order.refresh_from_db()
    assert order.status == "submitted"
    order = review.order_escalate(actor=actors.supervisor, order=order, reason="折扣超出权限")
    assert order.reviewer == actors.manager
    assert Notification.objects.filter(recipient=actors.manager, title__contains=order.number).exists()
    order = review.order_approve(actor=actors.manager, order=order)
    assert order.status == "approved" and order.decided_by == actors.manager
    verbs = list(AuditEvent.objects.filter(target_id=str(order.pk)).order_by("id").values_list("verb", flat=True))
    assert verbs == ["order.create", "order.submit", "order.escalate", "order.approve"]


def test_below_the_floor_escalates_straight_to_the_director(actors):
    product = ProductFactory(list_price=Decimal("1000.00"))
    PolicyFactory(product=product, floor_price=Decimal("990.00"))
    order = make_order(actors.sales, product=product, price="980.00", submit=True)  # 2% off, below the floor
    assert order.required_role == "director"
    with pytest.raises(DomainError):
        review.order_approve(actor=actors.supervisor, order=order)
    order = review.order_escalate(actor=actors.supervisor, order=order)
    assert order.reviewer == actors.director
    with pytest.raises(DomainError):
        review.order_approve(actor=actors.manager, order=order)  # steps in, but lacks the authority
    order = review.order_approve(actor=actors.director, order=order)
    assert order.status == "approved"


def test_category_policy_applies_and_product_policy_wins(actors):
    hardware = ProductFactory(category="硬件", list_price=Decimal("100.00"))
    PolicyFactory(category="硬件", max_discount_supervisor=Decimal("1"))
    order = make_order(actors.sales, product=hardware, price="97.00", submit=True)
    assert order.required_role == "manager"
    PolicyFactory(product=hardware, max_discount_supervisor=Decimal("3"))
    order = make_order(actors.sales, product=hardware, price="97.00", submit=True)
    assert order.required_role == "supervisor"


def test_nobody_approves_their_own_order(actors):
    order = make_order(actors.supervisor, submit=True)
    assert order.reviewer == actors.manager
    before = written()
    with pytest.raises(DomainError) as err:
        review.order_approve(actor=actors.supervisor, order=order)
    assert err.value.code == "forbidden" and "自己" in zh(err.value)
    # a credited member is a party too
    shared = make_order(actors.sales, credits=[(actors.sales, "50"), (actors.supervisor, "50")], submit=True)
    assert shared.reviewer == actors.manager  # the supervisor shares the credit, so the manager reviews
    with pytest.raises(DomainError):
        review.order_approve(actor=actors.supervisor, order=shared)
    assert written()[3] == before[3] + 2  # only the second order's create and submit


def test_other_team_lead_cannot_decide(actors):
    order = make_order(actors.sales, submit=True)
    for actor in (actors.supervisor_b, actors.sales_b, actors.compliance):
        with pytest.raises(DomainError) as err:
            review.order_approve(actor=actor, order=order)
        assert err.value.code == "forbidden"
    order.refresh_from_db()
    assert order.status == "submitted"


def test_wrong_state(actors):
    order = make_order(actors.sales)
    with pytest.raises(DomainError) as err:
        review.order_approve(actor=actors.supervisor, order=order)
    assert err.value.code == "conflict" and "草稿" in zh(err.value)
    with pytest.raises(DomainError):
        review.order_fulfil(actor=actors.sales, order=order)


def test_reject_needs_a_reason_then_edit_and_resubmit(actors):
    order = make_order(actors.sales, submit=True)
    with pytest.raises(DomainError) as err:
        review.order_reject(actor=actors.supervisor, order=order, reason=" ")
    assert err.value.field == "reason"
    order = review.order_reject(actor=actors.supervisor, order=order, reason="客户信息有误")
    assert order.status == "rejected" and order.reject_reason == "客户信息有误"
    product = order.lines.get().product
    order = svc.order_update(
        actor=actors.sales, order=order, customer_id=order.customer_id, lines=[LineInput(product.pk, 2, "1000")]
    )
    assert order.status == "draft" and order.total == Decimal("2000.00")
    order = svc.order_submit(actor=actors.sales, order=order)
    assert order.status == "submitted" and order.reject_reason == ""


def test_fulfil_and_refund(actors, django_capture_on_commit_callbacks):
    order = make_order(actors.sales, quantity=2, submit=True)
    order = review.order_approve(actor=actors.supervisor, order=order)
    order = review.order_fulfil(actor=actors.sales, order=order)
    assert order.status == "fulfilled" and order.fulfilled_at is not None
    for amount in ("0", "2000.01", "abc"):
        with pytest.raises(DomainError) as err:
            review.order_refund(actor=actors.supervisor, order=order, amount=amount, reason="退货")
        assert err.value.field == "refund_amount"
    with pytest.raises(DomainError):
        review.order_refund(actor=actors.sales, order=order, amount="100", reason="退货")  # not a lead
    order = review.order_refund(actor=actors.supervisor, order=order, amount="500.00", reason="退货")
    assert order.status == "refunded" and order.refund_amount == Decimal("500.00")


def test_cancel(actors):
    draft = make_order(actors.sales)
    assert review.order_cancel(actor=actors.sales, order=draft).status == "cancelled"
    approved = review.order_approve(actor=actors.supervisor, order=make_order(actors.sales, submit=True))
    with pytest.raises(DomainError):
        review.order_cancel(actor=actors.sales, order=approved, reason="客户反悔")  # approved: a lead's call
    with pytest.raises(DomainError) as err:
        review.order_cancel(actor=actors.manager, order=approved, reason="")
    assert err.value.field == "reason"
    assert review.order_cancel(actor=actors.manager, order=approved, reason="客户反悔").status == "cancelled"


def test_higher_lead_may_step_in(actors):
    order = make_order(actors.sales, submit=True)
    order = review.order_approve(actor=actors.manager, order=order)
    assert order.status == "approved" and order.decided_by == actors.manager


@pytest.mark.postgres
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_approvers_at_once_exactly_one_wins(actors):
    import threading

    from django.db import connections

    order = make_order(actors.sales, submit=True)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def act(actor, decide):
        try:
            barrier.wait()
            decide(actor=actor, order=order)
            outcomes.append("ok")
        except DomainError as exc:
            outcomes.append(exc.code)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=act, args=(actors.supervisor, review.order_approve)),
        threading.Thread(target=act, args=(actors.manager, review.order_approve)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict", "ok"]
    assert AuditEvent.objects.filter(verb="order.approve").count() == 1
    order.refresh_from_db()
    assert order.status == "approved"
