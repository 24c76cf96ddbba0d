"""Canonical actors shared by every app's tests.

Company tree:
    销售中心 (director)
    ├── 销售一部 (manager)
    │   ├── supervisor   ── sales     (team A)
    │   └── supervisor_b ── sales_b   (team B)
    ├── 销售二部: outsider (a salesperson of another department, nobody's report here)
    ├── 风控部: compliance
    └── 行政部: admin
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.utils import translation

os.environ.setdefault("ZHIDU_ENV", "test")

from zhidu.org.models import Department, Member, Role
from zhidu.org.tests.factories import PASSWORD, DepartmentFactory, MemberFactory


@dataclass
class Actors:
    root: Department
    dept1: Department
    dept2: Department
    director: Member
    manager: Member
    supervisor: Member
    supervisor_b: Member
    sales: Member
    sales_b: Member
    compliance: Member
    admin: Member
    outsider: Member

    def by_name(self, name: str) -> Member:
        return getattr(self, name)


ACTOR_NAMES = [
    "director",
    "manager",
    "supervisor",
    "supervisor_b",
    "sales",
    "sales_b",
    "compliance",
    "admin",
    "outsider",
]


@pytest.fixture(autouse=True)
def _english_outside_requests() -> Iterator[None]:
    """Service-level tests read messages in English; pages and the API pick their language per request."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Throttle counters and token caches live in the cache: every test starts from an empty one."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def actors(db: None) -> Actors:
    root = DepartmentFactory(name="销售中心")
    dept1 = DepartmentFactory(name="销售一部", parent=root)
    dept2 = DepartmentFactory(name="销售二部", parent=root)
    risk = DepartmentFactory(name="风控部", parent=root)
    office = DepartmentFactory(name="行政部", parent=root)
    director = MemberFactory(name="赵总监", role=Role.DIRECTOR, department=root, user__username="director")
    manager = MemberFactory(
        name="钱经理", role=Role.MANAGER, department=dept1, reports_to=director, user__username="manager"
    )
    supervisor = MemberFactory(
        name="孙主管", role=Role.SUPERVISOR, department=dept1, reports_to=manager, user__username="supervisor"
    )
    supervisor_b = MemberFactory(
        name="李主管", role=Role.SUPERVISOR, department=dept1, reports_to=manager, user__username="supervisor_b"
    )
    sales = MemberFactory(
        name="周销售", role=Role.SALES, department=dept1, reports_to=supervisor, user__username="sales"
    )
    sales_b = MemberFactory(
        name="吴销售", role=Role.SALES, department=dept1, reports_to=supervisor_b, user__username="sales_b"
    )
    compliance = MemberFactory(name="郑质检", role=Role.COMPLIANCE, department=risk, user__username="compliance")
    admin = MemberFactory(name="王管理员", role=Role.ADMIN, department=office, user__username="admin")
    outsider = MemberFactory(name="冯外人", role=Role.SALES, department=dept2, user__username="outsider")
    return Actors(
        root, dept1, dept2, director, manager, supervisor, supervisor_b, sales, sales_b, compliance, admin, outsider
    )


@pytest.fixture
def login(client):  # type: ignore[no-untyped-def]
    """login(member) -> the Django test client, logged in as that member."""

    def _login(member: Member):  # type: ignore[no-untyped-def]
        assert member.user is not None
        assert client.login(username=member.user.username, password=PASSWORD)
        return client

    return _login
