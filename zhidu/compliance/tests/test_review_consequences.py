"""Confirming records the consequence facts the sanction policies read; overturning sets a violation aside."""

from __future__ import annotations

from decimal import Decimal

import pytest

from zhidu.compliance import services
from zhidu.compliance.models import Impact, Violation, ViolationStatus
from zhidu.core import events
from zhidu.core.errors import DomainError
from zhidu.core.models import AuditEvent, EventDelivery
from zhidu.org import services as org_services

from .factories import make_violation

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard():  # type: ignore[no-untyped-def]
    """A real subscriber to both violation events; records what it was called with."""
    calls: list[tuple[str, int]] = []

    def on_confirmed(id: int) -> None:
        calls.append(("confirmed", id))

    def on_overturned(id: int) -> None:
        calls.append(("overturned", id))

    events.subscribe("violation.confirmed", on_confirmed)
    events.subscribe("violation.overturned", on_overturned)
    yield calls
    events.unsubscribe("violation.confirmed", on_confirmed)
    events.unsubscribe("violation.overturned", on_overturned)


def test_confirm_records_loss_and_impact_and_publishes(actors, heard, django_capture_on_commit_callbacks):
    v = make_violation(actors.sales)
    with django_capture_on_commit_callbacks(execute=True):
        services.violation_confirm(
            actor=actors.supervisor, violation=v, reason="属实", loss_amount="1200.5", impact=Impact.BAD
        )
    v.refresh_from_db()
    assert (v.status, v.loss_amount, v.impact) == (ViolationStatus.CONFIRMED, Decimal("1200.50"), "bad")
    event = AuditEvent.objects.get(verb="violation.confirm")
    assert event.after == {"status": "confirmed", "loss_amount": "1200.50", "impact": "bad"}
    assert heard == [("confirmed", v.pk)]


@pytest.mark.parametrize(
    "loss, impact", [("-1", "none"), ("abc", "none"), ("1.234", "none"), ("", "catastrophic"), (1.5, "none")]
)
def test_bad_facts_are_refused_and_nothing_changes(actors, loss, impact):
    v = make_violation(actors.sales)
    with pytest.raises(DomainError) as err:
        services.violation_confirm(actor=actors.supervisor, violation=v, loss_amount=loss, impact=impact)
    assert err.value.field in ("loss_amount", "impact")
    v.refresh_from_db()
    assert v.status == "open" and v.loss_amount is None
    assert not AuditEvent.objects.filter(verb__startswith="violation.").exists()
    assert not EventDelivery.objects.filter(name="violation.confirmed").exists()


def test_dismiss_keeps_no_facts(actors):
    v = make_violation(actors.sales)
    services.violation_dismiss(actor=actors.supervisor, violation=v, reason="误报")
    v.refresh_from_db()
    assert (v.loss_amount, v.impact) == (None, Impact.NONE)


def test_overturn_only_a_confirmed_violation_with_a_reason(actors, heard, django_capture_on_commit_callbacks):
    v = make_violation(actors.sales)
    with pytest.raises(DomainError):
        services.violation_overturn(actor=actors.manager, violation=v, reason="申诉成立")  # still open
    services.violation_confirm(actor=actors.supervisor, violation=v)
    with pytest.raises(DomainError) as err:
        services.violation_overturn(actor=actors.manager, violation=v, reason=" ")
    assert err.value.field == "reason"
    with django_capture_on_commit_callbacks(execute=True):
        services.violation_overturn(actor=actors.manager, violation=v, reason="申诉成立")
    assert Violation.objects.get(pk=v.pk).status == ViolationStatus.OVERTURNED
    audit = AuditEvent.objects.get(verb="violation.overturn")
    assert (audit.before, audit.after, audit.reason) == (
        {"status": "confirmed"},
        {"status": "overturned"},
        "申诉成立",
    )
    assert ("overturned", v.pk) in heard


def test_review_page_takes_the_facts(login, actors):
    v = make_violation(actors.sales)
    client = login(actors.supervisor)
    page = client.get(f"/compliance/violations/{v.pk}/")
    assert 'name="loss_amount"' in page.content.decode() and "造成不良影响" in page.content.decode()
    resp = client.post(
        f"/compliance/violations/{v.pk}/review/",
        {"decision": "confirm", "reason": "属实", "loss_amount": "-5", "impact": "bad"},
        HTTP_HX_REQUEST="true",
    )
    assert 'role="alert"' in resp.content.decode() and Violation.objects.get(pk=v.pk).status == "open"
    client.post(
        f"/compliance/violations/{v.pk}/review/",
        {"decision": "confirm", "reason": "属实", "loss_amount": "800", "impact": "image"},
    )
    v.refresh_from_db()
    assert (v.status, v.loss_amount, v.impact) == ("confirmed", Decimal("800.00"), "image")
    page = client.get(f"/compliance/violations/{v.pk}/").content.decode()
    assert "损害公司形象" in page and "800.00" in page


def test_api_confirm_with_facts(client, actors):
    v = make_violation(actors.sales)
    _token, key = org_services.api_token_create(actor=actors.supervisor, name="t")
    headers = {"Authorization": f"Bearer {key}"}
    bad = client.post(
        f"/api/compliance/violations/{v.pk}/confirm",
        {"reason": "x", "loss_amount": "-3", "impact": "none"},
        content_type="application/json",
        headers=headers,
    )
    assert bad.status_code == 400 and bad.json()["field"] == "loss_amount"
    ok = client.post(
        f"/api/compliance/violations/{v.pk}/confirm",
        {"reason": "属实", "loss_amount": "99.90", "impact": "secret"},
        content_type="application/json",
        headers=headers,
    )
    assert ok.status_code == 200
    assert (ok.json()["loss_amount"], ok.json()["impact"]) == ("99.90", "secret")
