from __future__ import annotations

import pytest

from zhidu.org.models import Department, Member

# Who sees which members (by canonical actor name).
EVERYONE = {"director", "manager", "supervisor", "supervisor_b", "sales", "sales_b", "compliance", "admin", "outsider"}
EXPECTED = {
    "director": EVERYONE,
    "compliance": EVERYONE,
    "admin": EVERYONE,
    "manager": {"manager", "supervisor", "supervisor_b", "sales", "sales_b"},
    "supervisor": {"supervisor", "sales"},
    "supervisor_b": {"supervisor_b", "sales_b"},
    "sales": {"sales"},
    "outsider": {"outsider"},
}


@pytest.mark.parametrize("viewer", sorted(EXPECTED))
def test_member_visibility(actors, viewer):
    seen = set(Member.objects.visible_to(actors.by_name(viewer)).values_list("pk", flat=True))
    expected = {actors.by_name(n).pk for n in EXPECTED[viewer]}
    assert seen == expected


def test_inactive_member_sees_nothing(actors):
    actors.director.status = "suspended"
    actors.director.save()
    assert not Member.objects.visible_to(actors.director).exists()
    assert not Department.objects.visible_to(actors.director).exists()


def test_manager_department_subtree(actors):
    from zhidu.org.tests.factories import DepartmentFactory

    sub = DepartmentFactory(name="一部子组", parent=actors.dept1)
    seen = set(Department.objects.visible_to(actors.manager))
    assert seen == {actors.dept1, sub}


def test_work_scope_admin_sees_no_work(actors):
    from zhidu.org.models import work_scope_q

    assert not Member.objects.filter(pk__in=work_scope_q(actors.admin)).exists()
    assert Member.objects.filter(pk__in=work_scope_q(actors.compliance)).count() == Member.objects.count()
