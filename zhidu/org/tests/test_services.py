from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from zhidu.core.errors import DomainError
from zhidu.core.models import AuditEvent
from zhidu.org import services
from zhidu.org.models import ApplicationStatus, Department, Member, MembershipApplication, MemberStatus, Role


def counts() -> tuple[int, int, int, int]:
    return (
        Member.objects.count(),
        Department.objects.count(),
        AuditEvent.objects.count(),
        MembershipApplication.objects.count(),
    )


def test_member_create_writes_audit(actors):
    before = AuditEvent.objects.count()
    m = services.member_create(
        actor=actors.admin,
        name="新人",
        department=actors.dept1,
        role=Role.SALES,
        reports_to=actors.supervisor,
        wecom_userid="newbie",
    )
    assert m.reports_to == actors.supervisor
    ev = AuditEvent.objects.get(verb="member.create", target_id=str(m.pk))
    assert ev.actor == actors.admin and ev.after["wecom_userid"] == "newbie"
    assert AuditEvent.objects.count() == before + 1


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"role": "ceo"}, "Unknown role"),
        ({"reports_to": "outsider"}, "does not contain"),
        ({"wecom_userid": "taken"}, "already bound"),
    ],
)
def test_member_create_bad_input_writes_nothing(actors, kwargs, message):
    actors.sales.wecom_userid = "taken"
    actors.sales.save()
    if kwargs.get("reports_to") == "outsider":
        kwargs["reports_to"] = actors.outsider  # lead in 销售二部, member in 销售一部
    before = counts()
    with pytest.raises(DomainError, match=message):
        services.member_create(actor=actors.admin, name="X", department=actors.dept1, **kwargs)
    assert counts() == before


def test_department_cycle_refused(actors):
    child = services.department_create(actor=actors.admin, name="一部A组", parent=actors.dept1)
    before = counts()
    with pytest.raises(DomainError, match="cycle"):
        services.department_update(actor=actors.admin, department=actors.dept1, parent=child)
    with pytest.raises(DomainError, match="cycle"):
        services.department_update(actor=actors.admin, department=actors.root, parent=actors.root)
    assert counts() == before
    actors.dept1.refresh_from_db()
    assert actors.dept1.parent == actors.root


def test_department_move_audited(actors):
    services.department_update(actor=actors.admin, department=actors.dept2, parent=actors.dept1)
    ev = AuditEvent.objects.get(verb="department.update")
    assert ev.before["parent"] == actors.root.pk and ev.after["parent"] == actors.dept1.pk


def test_reporting_cycle_refused(actors):
    before = counts()
    with pytest.raises(DomainError, match="cycle"):
        services.member_update(actor=actors.director, member=actors.manager, reports_to=actors.sales)
    assert counts() == before


def test_wecom_binding_one_per_member(actors):
    m = services.member_create(actor=actors.admin, name="无号", department=actors.dept1)
    services.member_bind_wecom(actor=actors.admin, member=m, wecom_userid="wx-new")
    before = counts()
    with pytest.raises(DomainError, match="already has a WeCom account"):
        services.member_bind_wecom(actor=actors.admin, member=m, wecom_userid="wx-other")
    other = services.member_create(actor=actors.admin, name="另一个", department=actors.dept1)
    before = counts()
    with pytest.raises(DomainError, match="already bound"):
        services.member_bind_wecom(actor=actors.admin, member=other, wecom_userid="wx-new")
    assert counts() == before


def test_lifecycle_suspend_reinstate_remove(actors):
    services.member_suspend(actor=actors.supervisor, member=actors.sales, reason="多次违规")
    actors.sales.refresh_from_db()
    assert actors.sales.status == MemberStatus.SUSPENDED
    assert not actors.sales.user.is_active
    with pytest.raises(DomainError):
        services.member_suspend(actor=actors.supervisor, member=actors.sales, reason="again")
    services.member_reinstate(actor=actors.supervisor, member=actors.sales, reason="整改完成")
    services.member_remove(actor=actors.manager, member=actors.sales, reason="离职")
    actors.sales.refresh_from_db()
    assert actors.sales.status == MemberStatus.REMOVED
    verbs = list(AuditEvent.objects.filter(target_id=str(actors.sales.pk)).values_list("verb", "reason"))
    assert ("member.suspend", "多次违规") in verbs and ("member.remove", "离职") in verbs


@pytest.mark.parametrize("actor", ["sales", "supervisor_b", "outsider", "compliance"])
def test_lifecycle_refused_outside_scope(actors, actor):
    before = counts()
    with pytest.raises(DomainError):
        services.member_suspend(actor=actors.by_name(actor), member=actors.sales, reason="x")
    assert counts() == before
    actors.sales.refresh_from_db()
    assert actors.sales.status == MemberStatus.ACTIVE


def test_lifecycle_needs_reason(actors):
    with pytest.raises(DomainError, match="reason"):
        services.member_suspend(actor=actors.supervisor, member=actors.sales, reason="  ")


def test_application_approve_joins_team(actors):
    app = services.application_submit(
        name="陈新人",
        username="chen",
        password="long-enough-1",
        department=actors.dept1,
        lead=actors.supervisor,
        wecom_userid="chenxin",
    )
    member = services.application_approve(actor=actors.supervisor, application=app, reason="面试通过")
    assert member.reports_to == actors.supervisor and member.status == MemberStatus.ACTIVE
    assert member.user.check_password("long-enough-1")
    app.refresh_from_db()
    assert app.status == ApplicationStatus.APPROVED and app.member == member
    assert AuditEvent.objects.filter(verb="application.approve", actor=actors.supervisor).exists()
    with pytest.raises(DomainError, match="already decided"):
        services.application_reject(actor=actors.supervisor, application=app, reason="late")


def test_application_reject_needs_reason_and_lead(actors):
    app = services.application_submit(
        name="李", username="li", password="long-enough-1", department=actors.dept1, lead=actors.supervisor
    )
    before = counts()
    with pytest.raises(DomainError, match="reason"):
        services.application_reject(actor=actors.supervisor, application=app, reason="")
    with pytest.raises(DomainError):
        services.application_reject(actor=actors.supervisor_b, application=app, reason="not mine")
    with pytest.raises(DomainError):
        services.application_approve(actor=actors.sales, application=app)
    assert counts() == before
    services.application_reject(actor=actors.supervisor, application=app, reason="经验不足")
    app.refresh_from_db()
    assert app.status == ApplicationStatus.REJECTED
    assert not get_user_model().objects.filter(username="li").exists()


def test_application_bad_input(actors):
    before = counts()
    with pytest.raises(DomainError, match="taken"):
        services.application_submit(name="x", username="sales", password="long-enough-1", department=actors.dept1)
    with pytest.raises(DomainError, match="8"):
        services.application_submit(name="x", username="new", password="short", department=actors.dept1)
    with pytest.raises(DomainError, match="does not contain"):
        services.application_submit(
            name="x", username="new", password="long-enough-1", department=actors.dept2, lead=actors.supervisor
        )
    assert counts() == before


def test_sync_never_changes_locked_role(actors):
    services.member_update(actor=actors.director, member=actors.sales, role=Role.SUPERVISOR)
    actors.sales.refresh_from_db()
    assert actors.sales.role_locked
    services.member_update(actor=None, member=actors.sales, role=Role.SALES, by_sync=True)
    actors.sales.refresh_from_db()
    assert actors.sales.role == Role.SUPERVISOR


def test_api_token_hashed(actors):
    token, key = services.api_token_create(actor=actors.sales, name="cli")
    assert key not in (token.key_hash, token.prefix) and token.key_hash == token.hash_key(key)
