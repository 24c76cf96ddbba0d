"""Who reads and decides what, over the canonical actors, for the discipline pages and endpoints.

Records: sales their own, supervisors their team, managers their department subtree, directors and compliance
officers everything (compliance read-only); administrators none. Deciding: a lead whose scope holds the member.
Policies: administrators and compliance officers. A denied change leaves records and the audit log as they were.
"""

from __future__ import annotations

import pytest

from conftest import ACTOR_NAMES
from zhidu.core.models import AuditEvent
from zhidu.discipline.models import Appeal, Sanction, SanctionPolicy, Status
from zhidu.discipline.services import policy_defaults, sanction_approve
from zhidu.org import services as org_services

from .factories import confirm

pytestmark = pytest.mark.django_db

# Who reads the salesperson's (team A) records.
READS = {"director", "manager", "supervisor", "sales", "compliance"}
DECIDES = {"director", "manager", "supervisor"}
POLICY = {"admin", "compliance"}


def bearer(member):  # type: ignore[no-untyped-def]
    _token, key = org_services.api_token_create(actor=member, name="t")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def state():  # type: ignore[no-untyped-def]
    return (
        AuditEvent.objects.count(),
        list(Sanction.objects.order_by("pk").values_list("pk", "status", "kind", "amount", "lead_id")),
        list(Appeal.objects.values_list("pk", "status")),
        list(SanctionPolicy.objects.values_list("pk", "name", "fine_amount")),
    )


@pytest.fixture
def proposal(actors, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    policy_defaults()
    _v, s = confirm(actors, django_capture_on_commit_callbacks, loss="300")
    assert s is not None
    return s


@pytest.mark.parametrize("actor", ACTOR_NAMES)
def test_record_page(actors, login, proposal, actor, django_assert_max_num_queries):  # type: ignore[no-untyped-def]
    client = login(actors.by_name(actor))
    with django_assert_max_num_queries(15):
        resp = client.get(f"/discipline/{proposal.pk}/")
    if actor == "admin":
        assert resp.status_code == 403
        return
    assert resp.status_code == (200 if actor in READS else 404)
    if resp.status_code == 200:
        body = resp.content.decode()
        assert ('data-testid="decide-form"' in body) == (actor in DECIDES)


@pytest.mark.parametrize("actor", ACTOR_NAMES)
def test_records_list_page_and_api(actors, login, client, proposal, actor, django_assert_max_num_queries):  # type: ignore[no-untyped-def]
    member = actors.by_name(actor)
    c = login(member)
    with django_assert_max_num_queries(12):
        resp = c.get("/discipline/")
    if actor == "admin":
        assert resp.status_code == 403
    else:
        assert resp.status_code == 200
        assert (f'data-testid="sanction-{proposal.pk}"' in resp.content.decode()) == (actor in READS)
    c.logout()
    api = client.get("/api/discipline/records", **bearer(member))
    assert api.status_code == 200
    assert ([r["id"] for r in api.json()] == [proposal.pk]) == (actor in READS)
    detail = client.get(f"/api/discipline/records/{proposal.pk}", **bearer(member))
    assert detail.status_code == (200 if actor in READS else 404)


@pytest.mark.parametrize("actor", ACTOR_NAMES)
def test_approve_via_page_and_api(actors, login, client, proposal, actor):  # type: ignore[no-untyped-def]
    member = actors.by_name(actor)
    auth = bearer(member)
    before = state()
    resp = client.post(f"/api/discipline/records/{proposal.pk}/approve", {}, "application/json", **auth)
    if actor in DECIDES:
        assert resp.status_code == 200 and resp.json()["status"] == Status.APPROVED
        return
    assert resp.status_code in (403, 404)
    assert state() == before
    page = login(member).post(f"/discipline/{proposal.pk}/decide/", {"action": "approve"})
    assert page.status_code in (403, 404)
    assert state() == before


@pytest.mark.parametrize("actor", ACTOR_NAMES)
def test_inbox_page(actors, login, proposal, actor, django_assert_max_num_queries):  # type: ignore[no-untyped-def]
    c = login(actors.by_name(actor))
    with django_assert_max_num_queries(14):
        resp = c.get("/discipline/inbox/")
    if actor not in ("director", "manager", "supervisor", "supervisor_b"):
        assert resp.status_code == 403
        return
    assert resp.status_code == 200
    assert (f'data-testid="sanction-{proposal.pk}"' in resp.content.decode()) == (actor in DECIDES)


@pytest.mark.parametrize("actor", ACTOR_NAMES)
def test_policies_page_and_api(actors, login, client, proposal, actor):  # type: ignore[no-untyped-def]
    member = actors.by_name(actor)
    page = login(member).get("/discipline/policies/")
    assert page.status_code == (200 if actor in POLICY else 403)
    policy = SanctionPolicy.objects.get(category="")
    data = {
        "name": "默认", "fine_amount": "300.00", "serious_loss": "20000.00", "repeat_threshold": 3, "window_days": 90
    }  # fmt: skip
    auth = bearer(member)
    before = state()
    resp = client.put(f"/api/discipline/policies/{policy.pk}", data, "application/json", **auth)
    if actor in POLICY:
        assert resp.status_code == 200 and resp.json()["fine_amount"] == "300.00"
    else:
        assert resp.status_code == 404
        assert state() == before


def test_appeal_by_someone_else_over_the_api_writes_nothing(actors, client, proposal):  # type: ignore[no-untyped-def]
    sanction_approve(actor=actors.supervisor, sanction=proposal)
    auth = bearer(actors.supervisor)
    before = state()
    resp = client.post(
        f"/api/discipline/records/{proposal.pk}/appeal", {"text": "代为申诉"}, "application/json", **auth
    )
    assert resp.status_code == 403
    assert state() == before
    ok = client.post(
        f"/api/discipline/records/{proposal.pk}/appeal", {"text": "我申诉"}, "application/json", **bearer(actors.sales)
    )
    assert ok.status_code == 200 and ok.json()["status"] == "pending"


def test_negative_amounts_are_refused(actors, client, proposal):  # type: ignore[no-untyped-def]
    auth = bearer(actors.supervisor)
    before = state()
    resp = client.post(
        f"/api/discipline/records/{proposal.pk}/change",
        {"kind": "fine", "amount": "-10", "reason": "减轻"},
        "application/json",
        **auth,
    )
    assert resp.status_code == 422
    assert state() == before
