"""Convention issues per group: what is found, inheritance, designated admins vs WeCom's admin list, resolving."""

from __future__ import annotations

import pytest

from zhidu.core.errors import DomainError, NotFound
from zhidu.core.models import AuditEvent
from zhidu.groups import conventions
from zhidu.groups.models import ConventionIssue, GroupAdminDesignation, GroupConvention, GroupMember, GroupStatus
from zhidu.groups.tests.conventions_world import build_world
from zhidu.org.models import Role
from zhidu.org.tests.factories import DepartmentFactory, MemberFactory

pytestmark = pytest.mark.django_db


def designate(actor, group, member):  # type: ignore[no-untyped-def]
    return conventions.group_admin_designate(actor=actor, group_id=group.pk, member_id=member.pk)


def revoke(actor, group, member):  # type: ignore[no-untyped-def]
    return conventions.group_admin_revoke(actor=actor, group_id=group.pk, member_id=member.pk)


def open_issues(group) -> set[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return set(ConventionIssue.objects.open().filter(group=group).values_list("kind", "userid"))


@pytest.fixture
def world(actors):  # type: ignore[no-untyped-def]
    w = build_world(actors)
    conventions.conventions_check_all()
    return w


def test_issues_found_per_group(actors, world):  # type: ignore[no-untyped-def]
    sup = actors.supervisor.wecom_userid
    assert open_issues(world.customer) == {("nickname", sup), ("admin_undesignated", sup), ("no_admin", "")}
    nick = ConventionIssue.objects.get(group=world.customer, kind="nickname")
    assert (nick.expected, nick.actual, nick.responsible, nick.member) == (
        "销售一部孙主管",
        "孙主管🌟",
        actors.supervisor,
        actors.supervisor,
    )
    # internal groups: the name against '{部门}群' of the creator's department; no nicknames, no WeCom admin list
    assert open_issues(world.internal) == {("group_name", ""), ("no_admin", "")}
    name = ConventionIssue.objects.get(group=world.internal, kind="group_name")
    assert (name.expected, name.actual, name.responsible) == ("销售一部群", "闲聊", actors.supervisor)
    assert ConventionIssue.objects.get(group=world.internal, kind="no_admin").responsible == actors.manager
    assert open_issues(world.outside) == {("no_admin", "")}
    # the head of 销售二部 is nobody: the director is responsible
    assert ConventionIssue.objects.get(group=world.outside, kind="no_admin").responsible == actors.director


def test_check_is_idempotent_and_audited_only_on_change(actors, world):  # type: ignore[no-untyped-def]
    audits = AuditEvent.objects.filter(verb="group.conventions_check").count()
    assert audits == 3
    before = list(ConventionIssue.objects.values_list("pk", "first_seen"))
    assert conventions.conventions_check_all() == {"groups": 3, "opened": 0, "resolved": 0, "updated": 0}
    assert list(ConventionIssue.objects.values_list("pk", "first_seen")) == before
    assert AuditEvent.objects.filter(verb="group.conventions_check").count() == audits


def test_designation_resolves_and_fixing_the_nickname_resolves(actors, world, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    sup = actors.supervisor.wecom_userid
    with django_capture_on_commit_callbacks(execute=True):
        designate(actors.manager, world.customer, actors.supervisor)
    assert open_issues(world.customer) == {("nickname", sup)}
    resolved = ConventionIssue.objects.filter(group=world.customer, resolved_at__isnull=False)
    assert set(resolved.values_list("kind", flat=True)) == {"admin_undesignated", "no_admin"}
    row = GroupAdminDesignation.objects.get(group=world.customer)
    assert (row.member, row.designated_by, row.revoked_at) == (actors.supervisor, actors.manager, None)
    assert AuditEvent.objects.filter(verb="group.admin_designate", actor=actors.manager).count() == 1

    GroupMember.objects.filter(group=world.customer, userid=sup).update(group_nickname="销售一部 · 孙主管")
    conventions.conventions_check(group_ids=[world.customer.pk])
    assert open_issues(world.customer) == set()
    fixed = ConventionIssue.objects.get(group=world.customer, kind="nickname")
    assert fixed.resolved_at is not None

    # breaking it again opens a new issue, the old one stays resolved
    GroupMember.objects.filter(group=world.customer, userid=sup).update(group_nickname="老孙")
    conventions.conventions_check(group_ids=[world.customer.pk])
    assert ConventionIssue.objects.filter(group=world.customer, kind="nickname").count() == 2
    assert ConventionIssue.objects.get(group=world.customer, kind="nickname", resolved_at=None).actual == "老孙"


def test_designated_but_not_admin_in_wecom(actors, world, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        for member in (actors.supervisor, actors.sales):  # the owner counts as managing the group
            conventions.group_admin_designate(actor=actors.director, group_id=world.customer.pk, member_id=member.pk)
    assert open_issues(world.customer) == {("nickname", actors.supervisor.wecom_userid)}
    with django_capture_on_commit_callbacks(execute=True):
        revoke(actors.director, world.customer, actors.supervisor)
    assert ("admin_undesignated", actors.supervisor.wecom_userid) in open_issues(world.customer)
    # a WeCom admin who leaves WeCom's admin list while designated: designated but not admin
    with django_capture_on_commit_callbacks(execute=True):
        designate(actors.director, world.customer, actors.supervisor)
    GroupMember.objects.filter(group=world.customer, userid=actors.supervisor.wecom_userid).update(is_admin=False)
    conventions.conventions_check(group_ids=[world.customer.pk])
    issue = ConventionIssue.objects.get(group=world.customer, kind="admin_not_set", resolved_at=None)
    assert (issue.userid, issue.member, issue.responsible) == (
        actors.supervisor.wecom_userid,
        actors.supervisor,
        actors.sales,
    )


DESIGNATE = {
    "director": "ok",
    "manager": "ok",
    "supervisor": "forbidden",
    "supervisor_b": "not_found",
    "sales": "forbidden",
    "sales_b": "not_found",
    "compliance": "forbidden",
    "admin": "not_found",
    "outsider": "not_found",
    "manager_2": "not_found",
}


@pytest.mark.parametrize("actor_name", list(DESIGNATE))
def test_only_the_department_head_or_director_designates(actors, world, actor_name):  # type: ignore[no-untyped-def]
    if actor_name == "manager_2":
        actor = MemberFactory(role=Role.MANAGER, department=actors.dept2)
    else:
        actor = actors.by_name(actor_name)
    audits = AuditEvent.objects.count()
    call = {"actor": actor, "group_id": world.customer.pk, "member_id": actors.supervisor.pk}
    expected = DESIGNATE[actor_name]
    if expected == "ok":
        conventions.group_admin_designate(**call)
        assert GroupAdminDesignation.objects.filter(group=world.customer, revoked_at=None).count() == 1
        return
    with pytest.raises(NotFound if expected == "not_found" else DomainError) as exc:
        conventions.group_admin_designate(**call)
    if expected == "forbidden":
        assert exc.value.code == "forbidden"  # type: ignore[union-attr]
    assert not GroupAdminDesignation.objects.exists()
    assert AuditEvent.objects.count() == audits


def test_designate_only_present_staff_once(actors, world):  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError):  # not in the group
        designate(actors.director, world.customer, actors.manager)
    designate(actors.director, world.customer, actors.sales)
    with pytest.raises(DomainError) as exc:
        designate(actors.director, world.customer, actors.sales)
    assert exc.value.code == "conflict"
    with pytest.raises(DomainError):
        revoke(actors.director, world.customer, actors.manager)


def test_conventions_inherit_from_the_nearest_ancestor(actors, world):  # type: ignore[no-untyped-def]
    team = DepartmentFactory(name="销售一部A组", parent=actors.dept1)
    assert conventions.convention_effective(department_id=team.pk).source_id is None  # built-in defaults
    args = {
        "name_template": "{部门}群",
        "customer_name_template": "{部门}{*}群",
        "nickname_template": "{部门}{姓名}",
        "separators": "-",
        "check_name": True,
        "check_nickname": False,
        "check_admins": True,
        "require_admin": False,
    }
    conventions.convention_save(actor=actors.director, department_id=actors.root.pk, **args)
    assert conventions.convention_effective(department_id=team.pk).source_id == actors.root.pk
    conventions.conventions_check_all()
    assert open_issues(world.customer) == {("admin_undesignated", actors.supervisor.wecom_userid)}
    assert open_issues(world.outside) == set()

    conventions.convention_save(actor=actors.manager, department_id=actors.dept1.pk, **{**args, "check_nickname": True})
    eff = conventions.convention_effective(department_id=team.pk)
    assert (eff.source_id, eff.check_nickname, eff.separators) == (actors.dept1.pk, True, "-")
    conventions.conventions_check_all()
    assert ("nickname", actors.supervisor.wecom_userid) in open_issues(world.customer)
    assert open_issues(world.outside) == set()  # 销售二部 still inherits the root's
    assert AuditEvent.objects.filter(verb="group_convention.save").count() == 2

    assert conventions.convention_reset(actor=actors.manager, department_id=actors.dept1.pk)
    assert conventions.convention_effective(department_id=team.pk).source_id == actors.root.pk


@pytest.mark.parametrize(
    ("actor_name", "dept", "allowed"),
    [
        ("director", "root", True),
        ("director", "dept2", True),
        ("manager", "dept1", True),
        ("manager", "dept2", False),
        ("manager", "root", False),
        ("supervisor", "dept1", False),
        ("compliance", "dept1", False),
    ],
)
def test_who_edits_conventions(actors, actor_name, dept, allowed):  # type: ignore[no-untyped-def]
    args = {
        "name_template": "{部门}群",
        "customer_name_template": "{部门}{*}",
        "nickname_template": "{部门}-{姓名}",
        "separators": "",
        "check_name": True,
        "check_nickname": True,
        "check_admins": True,
        "require_admin": True,
    }
    department = getattr(actors, dept)
    if allowed:
        conventions.convention_save(actor=actors.by_name(actor_name), department_id=department.pk, **args)
        assert GroupConvention.objects.get(department=department).nickname_template == "{部门}-{姓名}"
    else:
        with pytest.raises(DomainError):
            conventions.convention_save(actor=actors.by_name(actor_name), department_id=department.pk, **args)
        assert not GroupConvention.objects.exists() and not AuditEvent.objects.exists()


def test_templates_are_validated(actors):  # type: ignore[no-untyped-def]
    base = {
        "name_template": "{部门}群",
        "customer_name_template": "{部门}{*}群",
        "nickname_template": "{部门}{姓名}",
        "separators": "",
        "check_name": True,
        "check_nickname": True,
        "check_admins": True,
        "require_admin": True,
    }
    bad = [("nickname_template", "{姓名}"), ("name_template", "销售群"), ("nickname_template", "{部门}{名字}")]
    for field, value in bad:
        with pytest.raises(DomainError):
            conventions.convention_save(actor=actors.director, department_id=actors.root.pk, **{**base, field: value})


def test_dismissed_groups_have_no_open_issues(actors, world):  # type: ignore[no-untyped-def]
    world.customer.status = GroupStatus.DISMISSED
    world.customer.save()
    conventions.conventions_check_chats(chat_ids=[world.customer.chat_id])
    assert open_issues(world.customer) == set()


def test_checks_run_in_bounded_batches(actors, world, settings, django_assert_max_num_queries):  # type: ignore[no-untyped-def]
    settings.GROUP_CONVENTION_CHECK_BATCH = 1
    ConventionIssue.objects.all().delete()
    with django_assert_max_num_queries(60):
        counts = conventions.conventions_check_all()
    assert counts["groups"] == 3 and counts["opened"] == 6
