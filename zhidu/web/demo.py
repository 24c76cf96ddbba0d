"""The demo company a newcomer sees after `make run`.

With a WeCom simulator configured (WECOM_API_BASE + WECOM_CORP_ID + secrets), the organisation, customers and
groups are synced from it over real HTTP; without one, a small company is written directly. Then every
member gets a login (username = WeCom userid or a role name), the demo regulation is published and the
default rule pack is seeded. Refuses to run in production.

web sits below the apps that own those steps, so they register them from their `AppConfig.ready()`:
`register_company_source` (wecom: sync from the simulator; returns False when it does not apply) and
`register_demo_step` (policies: the demo regulation; compliance: the default rules), run in `order`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from zhidu.org import services as org
from zhidu.org.models import Department, Member, Role

DEMO_PASSWORD_DEFAULT = "zhidu-demo"


def demo_password() -> str:
    import os

    return os.environ.get("ZHIDU_DEMO_PASSWORD", DEMO_PASSWORD_DEFAULT)


CompanySource = Callable[[Callable[[str], Any], Any], bool]
_company_sources: dict[str, CompanySource] = {}
_steps: dict[str, tuple[int, Callable[[], Any]]] = {}


def register_company_source(name: str, source: CompanySource) -> None:
    """`source(write, stdout)` builds the demo company and returns True, or returns False when it does not apply."""
    _company_sources[name] = source


def register_demo_step(name: str, step: Callable[[], Any], *, order: int = 100) -> None:
    """`step()` seeds the app's demo data (idempotent); steps run by ascending `order`, after the company exists."""
    _steps[name] = (order, step)


@transaction.atomic
def build_direct_company() -> None:
    """A small company written directly (used when no simulator is configured)."""
    root = org.department_create(actor=None, name="销售中心")
    director = org.member_create(
        actor=None, name="赵总监", department=root, role=Role.DIRECTOR, wecom_userid="zhaozongjian", position="销售总监"
    )
    risk = org.department_create(actor=None, name="风控质检部", parent=root)
    org.member_create(
        actor=None,
        name="郑质检",
        department=risk,
        role=Role.COMPLIANCE,
        wecom_userid="zhengzhijian",
        position="质检专员",
    )
    office = org.department_create(actor=None, name="运营管理部", parent=root)
    org.member_create(
        actor=None,
        name="王管理员",
        department=office,
        role=Role.ADMIN,
        wecom_userid="wangguanli",
        position="系统管理员",
    )
    surnames = "周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华"
    given = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"
    n = 0
    for d_i, dept_name in enumerate(["销售一部", "销售二部"]):
        dept = org.department_create(actor=None, name=dept_name, parent=root)
        manager = org.member_create(
            actor=None,
            name=f"{surnames[d_i]}经理",
            department=dept,
            role=Role.MANAGER,
            reports_to=director,
            wecom_userid=f"manager{d_i + 1}",
            position="销售经理",
        )
        for t_i in range(2):
            team = org.department_create(actor=None, name=f"{dept_name}{'AB'[t_i]}组", parent=dept)
            sup = org.member_create(
                actor=None,
                name=f"{surnames[2 + d_i * 2 + t_i]}主管",
                department=team,
                role=Role.SUPERVISOR,
                reports_to=manager,
                wecom_userid=f"supervisor{d_i * 2 + t_i + 1}",
                position="销售主管",
            )
            for _s in range(4):
                n += 1
                name = surnames[(n + 6) % len(surnames)] + given[n % len(given)]
                org.member_create(
                    actor=None,
                    name=name,
                    department=team,
                    role=Role.SALES,
                    reports_to=sup,
                    wecom_userid=f"sales{n:02d}",
                    position="销售顾问",
                )


def ensure_logins() -> list[tuple[str, str, str]]:
    """Give every member without a login one (username = WeCom userid). Returns (role, username, name) per role."""
    user_model = get_user_model()
    password = demo_password()
    shown: dict[str, tuple[str, str, str]] = {}
    for member in Member.objects.select_related("user").order_by("id"):
        if member.user is None:
            username = member.wecom_userid or f"member{member.pk}"
            user = user_model.objects.filter(username=username).first() or user_model.objects.create_user(
                username=username, password=password
            )
            member.user = user
            member.save(update_fields=["user"])
        if member.role not in shown and member.status == "active":
            assert member.user is not None
            shown[member.role] = (member.role, member.user.username, member.name)
    admin = Member.objects.filter(role=Role.ADMIN).select_related("user").first()
    # Staff, never superuser: /admin/ shows the admin role the configuration models only (org.backends).
    if admin is not None and admin.user is not None and (not admin.user.is_staff or admin.user.is_superuser):
        admin.user.is_staff, admin.user.is_superuser = True, False
        admin.user.save(update_fields=["is_staff", "is_superuser"])
    return [shown[r] for r in Role.values if r in shown]


def load_demo(*, stdout: Any = None) -> list[tuple[str, str, str]]:
    if settings.PRODUCTION:
        raise ImproperlyConfigured("the demo company is never loaded in production")
    write = stdout.write if stdout is not None else (lambda s: None)
    if not Department.objects.exists() and not any(source(write, stdout) for source in _company_sources.values()):
        write("Creating a small demo company directly (no WeCom simulator configured) …\n")
        build_direct_company()
    for _order, step in sorted(_steps.values(), key=lambda entry: entry[0]):
        step()
    return ensure_logins()
