"""Reviewing violations: who may, what is required, and that every decision is audited and locked."""

from __future__ import annotations

import pytest
from django.db import connection  # noqa: F401  (pytest skipif expression)

from zhidu.compliance import services
from zhidu.compliance.models import ViolationStatus
from zhidu.compliance.selectors import highlight, violation_evidence
from zhidu.core.errors import DomainError
from zhidu.core.models import AuditEvent

from .factories import make_violation

# who may review a violation of `sales` (reports to `supervisor`, in manager's department)
REVIEWERS = {
    "supervisor": True,
    "manager": True,
    "director": True,
    "compliance": True,
    "supervisor_b": False,
    "sales": False,
    "sales_b": False,
    "admin": False,
    "outsider": False,
}


@pytest.mark.parametrize("actor, allowed", REVIEWERS.items())
def test_who_may_confirm(actors, actor, allowed):
    v = make_violation(actors.sales)
    if allowed:
        services.violation_confirm(actor=actors.by_name(actor), violation=v, reason="属实")
        v.refresh_from_db()
        assert (v.status, v.reviewed_by, v.reason) == ("confirmed", actors.by_name(actor), "属实")
        assert v.reviewed_at is not None
    else:
        with pytest.raises(DomainError) as err:
            services.violation_confirm(actor=actors.by_name(actor), violation=v)
        assert err.value.code == "forbidden"
        v.refresh_from_db()
        assert v.status == "open" and v.reviewed_by is None
        assert not AuditEvent.objects.filter(verb__startswith="violation.").exists()


def test_nobody_reviews_their_own_violation(actors):
    v = make_violation(actors.supervisor)  # reports to manager
    with pytest.raises(DomainError):
        services.violation_confirm(actor=actors.supervisor, violation=v)
    services.violation_dismiss(actor=actors.manager, violation=v, reason="客户要求的报价")
    v.refresh_from_db()
    assert v.status == ViolationStatus.DISMISSED


def test_dismiss_needs_a_reason(actors):
    v = make_violation(actors.sales)
    with pytest.raises(DomainError) as err:
        services.violation_dismiss(actor=actors.supervisor, violation=v, reason="  ")
    assert err.value.message == services.ERR_REASON_REQUIRED
    v.refresh_from_db()
    assert v.status == "open"


def test_review_is_audited_and_final(actors):
    v = make_violation(actors.sales)
    services.violation_dismiss(actor=actors.supervisor, violation=v, reason="误报：客户原话")
    event = AuditEvent.objects.get(verb="violation.dismiss")
    assert (event.actor, event.target_id, event.reason) == (actors.supervisor, str(v.pk), "误报：客户原话")
    assert event.before == {"status": "open"} and event.after == {"status": "dismissed"}
    with pytest.raises(DomainError) as err:
        services.violation_confirm(actor=actors.compliance, violation=v)
    assert err.value.code == "conflict"
    v.refresh_from_db()
    assert v.status == "dismissed" and v.reviewed_by == actors.supervisor


def test_highlight_escapes_html():
    out = highlight('<b>全网最低价</b>&"', 3, 8)
    assert out == "&lt;b&gt;<mark>全网最低价</mark>&lt;/b&gt;&amp;&quot;"


def test_evidence_is_five_before_and_after_in_the_same_chat(actors):
    from zhidu.compliance.models import ArchiveMessage, ms_to_datetime

    v = make_violation(actors.sales, text="<script>全网最低价</script>")
    msg = v.message

    def add(i: int, key: str, text: str) -> None:
        ms = msg.msgtime + i * 1000
        ArchiveMessage.objects.create(
            msgid=f"e{key}{i}",
            msgtime=ms,
            sent_at=ms_to_datetime(ms),
            chat_key=key,
            sender="x",
            msgtype="text",
            text=text,
            raw={},
            action="send",
        )

    for i in range(-7, 8):
        if i:
            add(i, msg.chat_key, f"第{i}句")
            add(i, "other|chat", "别的会话")
    lines = violation_evidence(v)
    assert [line.message.text for line in lines if not line.focus] == [
        f"第{i}句" for i in [-5, -4, -3, -2, -1, 1, 2, 3, 4, 5]
    ]
    focus = next(line for line in lines if line.focus)
    assert str(focus.html) == "&lt;script&gt;<mark>全网最低价</mark>&lt;/script&gt;"
    assert all("<mark>" not in str(line.html) for line in lines if not line.focus)


@pytest.mark.postgres
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_reviews_one_wins(actors):
    import threading

    from django.db import connections

    v = make_violation(actors.sales)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def review(actor, decide):
        try:
            barrier.wait()
            decide(actor=actor, violation=v, reason="并发")
            outcomes.append("ok")
        except DomainError as exc:
            outcomes.append(exc.code)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=review, args=(actors.supervisor, services.violation_confirm)),
        threading.Thread(target=review, args=(actors.compliance, services.violation_dismiss)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict", "ok"]
    assert AuditEvent.objects.filter(verb__startswith="violation.").count() == 1
