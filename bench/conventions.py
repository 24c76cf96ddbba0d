"""Group conventions benchmark: checking every group against its department's conventions.

    .venv/bin/python bench/conventions.py [--groups 20000] [--staff 3] [--customers 10] [--seed 42]

* zhidu runs on a fresh SQLite database in a temporary directory (env vars set before django.setup()).
* Not timed: 10 sales departments × 10 teams × 20 salespeople, `--groups` customer groups (owners spread over
  the salespeople), each with `--staff` staff members and `--customers` customers; about 10% of staff nicknames
  and 10% of group names break the conventions, 40% of groups have a WeCom admin.
* Timed: `conventions_check_all` on a database without issues (every issue is new), the same again (nothing
  changes: the steady state of the periodic task), and the conventions overview page for the director (after one
  warm-up request).

Ends with one `RESULT key=value …` line and writes bench/results/conventions.json.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from common import Timer, machine, result_line, write_results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--groups", type=int, default=20_000)
    parser.add_argument("--staff", type=int, default=3)
    parser.add_argument("--customers", type=int, default=10)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    tmp = tempfile.mkdtemp(prefix="zhidu-bench-conventions-")
    os.environ.update(
        {
            "ZHIDU_ENV": "dev",
            "DEBUG": "0",
            "LOG_LEVEL": "WARNING",
            "ZHIDU_VAR_DIR": tmp,
            "SQLITE_PATH": str(Path(tmp) / "bench.sqlite3"),
        }
    )
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("CELERY_BROKER_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhidu.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from zhidu.groups.conventions import conventions_check_all
    from zhidu.groups.models import ConventionIssue, GroupChat, GroupMember, MemberType
    from zhidu.org.models import Department, Member, Role

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    root = Department.objects.create(name="示例科技")
    center = Department.objects.create(name="销售中心", parent=root)
    director = Member.objects.create(name="总监", department=center, role=Role.DIRECTOR, wecom_userid="director")
    director.user = get_user_model().objects.create_user(username="director", password="bench-pass")
    director.save(update_fields=["user"])
    sales: list[Member] = []
    n = 0
    for d in range(10):
        dept = Department.objects.create(name=f"销售{d + 1}部", parent=center)
        Member.objects.create(name=f"经理{d}", department=dept, role=Role.MANAGER, wecom_userid=f"m{d}")
        for t in range(10):
            team = Department.objects.create(name=f"销售{d + 1}部{t + 1}组", parent=dept)
            rows = []
            for _ in range(20):
                n += 1
                rows.append(Member(name=f"员工{n}", department=team, role=Role.SALES, wecom_userid=f"u{n}"))
            sales += Member.objects.bulk_create(rows)
    dept_name = {d.pk: d.name for d in Department.objects.all()}
    groups = []
    for i in range(args.groups):
        owner = rng.choice(sales)
        team = dept_name[owner.department_id]
        name = rng.choice(["新建群聊", "福利群"]) if rng.random() < 0.1 else f"{team}-客户{i}-服务群"
        groups.append(GroupChat(chat_id=f"wr{i:08d}", name=name, owner=owner, owner_userid=owner.wecom_userid or ""))
    groups = GroupChat.objects.bulk_create(groups, batch_size=2000)
    members = []
    for g in groups:
        others = [m for m in rng.sample(sales, args.staff) if m.pk != g.owner_id][: max(args.staff - 1, 0)]
        staff = [g.owner, *others]
        admin = rng.random() < 0.4
        for k, m in enumerate(staff):
            assert m is not None
            nick = m.name if rng.random() < 0.1 else f"{dept_name[m.department_id]}{m.name}"
            members.append(
                GroupMember(
                    group=g, userid=m.wecom_userid, type=MemberType.STAFF, member=m, name=m.name,
                    group_nickname=nick, is_admin=admin and k == 1,
                )
            )  # fmt: skip
        for c in range(args.customers):
            members.append(GroupMember(group=g, userid=f"wm{g.pk}-{c}", type=MemberType.CUSTOMER, name="客户"))
    GroupMember.objects.bulk_create(members, batch_size=5000)

    with Timer() as first:
        counts = conventions_check_all()
    with Timer() as again:
        repeat = conventions_check_all()
    assert repeat["opened"] == repeat["resolved"] == 0, repeat
    client = Client()
    assert client.login(username="director", password="bench-pass")
    client.get("/groups/conventions/")  # warm-up: the first request of a process loads templates and catalogues
    with CaptureQueriesContext(connection) as queries, Timer() as page:
        response = client.get("/groups/conventions/")
    assert response.status_code == 200
    data = {
        **machine(),
        "groups": args.groups,
        "group_members": len(members),
        "issues_opened": counts["opened"],
        "issues_open": ConventionIssue.objects.filter(resolved_at=None).count(),
        "first_check_seconds": round(first.wall, 2),
        "groups_per_second_first": round(args.groups / first.wall),
        "steady_check_seconds": round(again.wall, 2),
        "groups_per_second_steady": round(args.groups / again.wall),
        "overview_page_ms": round(page.wall * 1000, 1),
        "overview_page_queries": len(queries),
    }
    write_results("conventions", data)
    print(result_line(data))


if __name__ == "__main__":
    main()
