"""Role changes: nobody gives a role at or above their own; director and admin roles only by admin or director.

One table over actors (API PATCH, which runs `member_update`); denied cases assert nothing changed.
"""

from __future__ import annotations

import json

import pytest

from zhidu.core.errors import DomainError
from zhidu.core.models import AuditEvent
from zhidu.org import services
from zhidu.org.models import Member, Role

from .test_permissions import bearer, snapshot

# (actor, target, new role) -> allowed. Targets are in the actor's scope unless noted.
ROLE_CASES = [
    ("manager", "sales", Role.DIRECTOR, False),  # the reported escalation
    ("manager", "sales", Role.ADMIN, False),
    ("manager", "sales", Role.MANAGER, False),  # at their own level
    ("manager", "sales", Role.COMPLIANCE, False),
    ("manager", "sales", Role.SUPERVISOR, True),
    ("manager", "supervisor", Role.SALES, True),
    ("supervisor", "sales", Role.ADMIN, False),  # the reported escalation
    ("supervisor", "sales", Role.DIRECTOR, False),
    ("supervisor", "sales", Role.SUPERVISOR, False),
    ("supervisor", "sales", Role.COMPLIANCE, False),
    ("director", "sales", Role.DIRECTOR, True),
    ("director", "sales", Role.ADMIN, True),
    ("director", "manager", Role.SALES, True),
    ("admin", "sales", Role.DIRECTOR, True),
    ("admin", "compliance", Role.SALES, True),
    ("compliance", "sales", Role.SUPERVISOR, False),
    ("sales", "sales_b", Role.SUPERVISOR, False),
    ("supervisor_b", "sales", Role.SUPERVISOR, False),  # not their report
    ("outsider", "sales", Role.ADMIN, False),
]


@pytest.mark.parametrize("actor, target, role, allowed", ROLE_CASES, ids=[f"{a}-{t}-{r}" for a, t, r, _ in ROLE_CASES])
def test_role_change_via_api(client, actors, actor, target, role, allowed):
    member = actors.by_name(target)
    headers = bearer(actors.by_name(actor))
    before = snapshot()
    resp = client.patch(
        f"/api/org/members/{member.pk}", data=json.dumps({"role": role}), content_type="application/json", **headers
    )
    member.refresh_from_db()
    if allowed:
        assert resp.status_code == 200 and member.role == role
        event = AuditEvent.objects.get(verb="member.role_change", target_id=str(member.pk))
        assert event.actor == actors.by_name(actor) and event.after == {"role": role}
    else:
        assert resp.status_code in (403, 404)
        if resp.status_code == 403:
            assert resp.json()["code"] == "forbidden" and resp.json()["field"] in ("role", None)
        assert member.role == getattr(actors, target).role
        assert snapshot() == before


def test_manager_cannot_change_a_peer_or_higher(actors):
    """A lead never edits the role of someone at or above their own level, even inside their subtree."""
    peer = Member.objects.create(
        name="同级经理", department=actors.dept1, role=Role.MANAGER, reports_to=actors.director
    )
    with pytest.raises(DomainError) as err:
        services.member_update(actor=actors.manager, member=peer, role=Role.SALES)
    assert err.value.code == "forbidden"
    peer.refresh_from_db()
    assert peer.role == Role.MANAGER


def test_service_is_the_gate_for_create_and_approve(actors):
    """member_create and application_approve run the same rule as member_update."""
    with pytest.raises(DomainError):
        services.member_create(actor=actors.manager, name="新人", department=actors.dept1, role=Role.DIRECTOR)
    assert services.member_create(actor=actors.director, name="新管理员", department=actors.dept1, role=Role.ADMIN)
    app = services.application_submit(
        name="申请人", username="applicant", password="long-enough-1", department=actors.dept1, lead=actors.supervisor
    )
    app.requested_role = Role.MANAGER
    app.save()
    with pytest.raises(DomainError):
        services.application_approve(actor=actors.supervisor, application=app)
    app.refresh_from_db()
    assert app.status == "pending" and not Member.objects.filter(name="申请人").exists()


def test_sync_sets_roles_as_the_system(actors):
    """WeCom sync (actor=None) keeps working: roles there come from the admin's role rules."""
    services.member_update(actor=None, member=actors.sales, role=Role.SUPERVISOR, by_sync=True)
    actors.sales.refresh_from_db()
    assert actors.sales.role == Role.SUPERVISOR
