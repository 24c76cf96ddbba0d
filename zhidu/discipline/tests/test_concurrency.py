"""Two leads deciding one proposal at once: one decision wins, the other is told it was already decided."""

from __future__ import annotations

import pytest
from django.db import connection  # noqa: F401  (read by the skipif condition)

from zhidu.core.errors import DomainError
from zhidu.core.models import AuditEvent
from zhidu.discipline.models import Sanction
from zhidu.discipline.services import policy_defaults, sanction_approve, sanction_propose_for_violation, sanction_reject


@pytest.mark.postgres
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_decisions_one_wins(actors):  # type: ignore[no-untyped-def]
    import threading

    from django.db import connections

    from zhidu.compliance.services.review import violation_confirm
    from zhidu.compliance.tests.factories import make_violation

    policy_defaults()
    v = make_violation(actors.sales)
    violation_confirm(actor=actors.supervisor, violation=v, loss_amount="100")
    s = Sanction.objects.filter(violation=v).first() or sanction_propose_for_violation(violation_id=v.pk)
    assert s is not None
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def decide(run):  # type: ignore[no-untyped-def]
        try:
            barrier.wait()
            run()
            outcomes.append("ok")
        except DomainError as exc:
            outcomes.append(exc.code)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=decide, args=(lambda: sanction_approve(actor=actors.supervisor, sanction=s),)),
        threading.Thread(target=decide, args=(lambda: sanction_reject(actor=actors.manager, sanction=s, reason="x"),)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict", "ok"]
    assert AuditEvent.objects.filter(verb__in=["sanction.approve", "sanction.reject"]).count() == 1
