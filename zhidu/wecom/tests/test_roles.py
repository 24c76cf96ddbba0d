"""Role mapping from position titles and reporting lines from department leaders (pure functions)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from zhidu.org.models import Role
from zhidu.wecom.models import RoleRule
from zhidu.wecom.sync import DEFAULT_ROLE_RULES, compute_leads, map_role, role_rules


@pytest.mark.parametrize(
    ("position", "leader", "role"),
    [
        ("销售总监", False, Role.DIRECTOR),
        ("华东区销售经理", False, Role.MANAGER),
        ("销售主管", False, Role.SUPERVISOR),
        ("销售顾问", False, Role.SALES),
        ("销售顾问", True, Role.SUPERVISOR),
        ("风控专员", False, Role.COMPLIANCE),
        ("风控经理", True, Role.COMPLIANCE),
        ("质检专员", False, Role.COMPLIANCE),
        ("管理员", False, Role.ADMIN),
        ("", False, Role.SALES),
    ],
)
def test_map_role_defaults(position, leader, role):  # type: ignore[no-untyped-def]
    assert map_role(position, is_leader=leader, rules=DEFAULT_ROLE_RULES) == role


@pytest.mark.django_db
def test_rules_from_admin_replace_defaults(settings):  # type: ignore[no-untyped-def]
    assert role_rules() == DEFAULT_ROLE_RULES
    settings.WECOM_ROLE_RULES = [("VP", Role.DIRECTOR)]
    assert role_rules() == [("VP", Role.DIRECTOR)]
    RoleRule.objects.create(keyword="大区长", role=Role.MANAGER, order=1)
    RoleRule.objects.create(keyword="inactive", role=Role.ADMIN, active=False)
    assert role_rules() == [("大区长", Role.MANAGER)]


def dept(id: int, parentid: int, leaders: list[str] | None = None) -> SimpleNamespace:
    return SimpleNamespace(id=id, parentid=parentid, department_leader=leaders or [])


def user(userid: str, main: int, leader_in: tuple[int, ...] = (), boss: str = "") -> SimpleNamespace:
    depts = [main, *[d for d in leader_in if d != main]]
    return SimpleNamespace(
        userid=userid,
        main_department=main,
        department=depts,
        is_leader_in_dept=[1 if d in leader_in else 0 for d in depts],
        direct_leader=[boss] if boss else [],
    )


def test_compute_leads_follows_department_leaders():
    departments = [dept(1, 0, ["boss"]), dept(2, 1, ["mgr"]), dept(3, 2, ["sup"]), dept(4, 2), dept(5, 1)]
    users = [
        user("boss", 1, (1,)),
        user("mgr", 2, (2,)),
        user("sup", 3, (3,)),
        user("s1", 3),
        user("s2", 4),
        user("loner", 5),
        user("x", 99),
    ]
    leads = compute_leads(users, departments)
    assert leads == {"boss": None, "mgr": "boss", "sup": "mgr", "s1": "sup", "s2": "mgr", "loner": "boss", "x": None}


def test_compute_leads_leader_flag_from_user_and_no_cycles():
    # "a" leads dept 2 but sits in child dept 3, whose leader is "b": a → leader of 1, b → a, no cycle.
    departments = [dept(1, 0, ["top"]), dept(2, 1), dept(3, 2, ["b"])]
    users = [user("top", 1, (1,)), user("a", 3, (2,)), user("b", 3, (3,))]
    leads = compute_leads(users, departments)
    assert leads == {"top": None, "a": "top", "b": "a"}


def test_compute_leads_prefers_wecom_direct_leader_when_it_fits():
    departments = [dept(1, 0, ["boss"]), dept(2, 1, ["mgr"]), dept(3, 1, ["other"])]
    users = [
        user("boss", 1, (1,)),
        user("mgr", 2, (2,)),
        user("other", 3, (3,)),
        user("s1", 2, boss="boss"),  # explicit and fits (dept 1 contains dept 2)
        user("s2", 2, boss="other"),  # explicit, but other's department does not contain dept 2
        user("s3", 2, boss="ghost"),  # unknown user
    ]
    leads = compute_leads(users, departments)
    assert leads["s1"] == "boss"
    assert leads["s2"] == "mgr"
    assert leads["s3"] == "mgr"


def test_compute_leads_cuts_cycles_from_direct_leaders():
    departments = [dept(1, 0)]
    users = [user("a", 1, boss="b"), user("b", 1, boss="a")]
    leads = compute_leads(users, departments)
    assert None in (leads["a"], leads["b"])
