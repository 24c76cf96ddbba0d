"""Scorecards benchmark: one period's scorecards and rankings for a large company, computed in bulk (each
metric read once with GROUP BY member) against computing each member's card separately in the same run.

    .venv/bin/python bench/scorecards.py [--managers 10] [--supervisors 15] [--sales 19] [--orders 200000]
                                         [--followups 100000] [--per-member 150] [--seed 42]

* zhidu runs on a fresh SQLite database in a temporary directory (env vars set before django.setup()).
* Not timed: the organisation (1 director, managers × supervisors × salespeople ≈ 3,000 members by default)
  written with bulk_create, customers, `--orders` orders booked over the past year (one credit each),
  `--followups` follow-up records over the year, `--messages` archived chat messages over the year (half from
  customers, each a reply wait, 1 in 20 never answered; 0.5 % of staff messages a confirmed violation), a
  published revenue target for every member this month and last month, and KPI sets for salespeople,
  supervisors and managers (revenue achievement, follow-ups, reply timeliness, confirmed violations).
* Timed: `scorecards_compute` for the whole company (first run writes, second run rewrites); the same for
  `--per-member` members one at a time (`scorecard_compute`), extrapolated to the company; the live rankings
  (every team, department and company ranking); the director's ranking page; freezing last month (recompute
  + snapshot). The per-member cards must equal the bulk ones.

Reads are one grouped query per metric whatever the company's size; writes touch only cards whose figures
changed, so a routine recompute is a fixed handful of queries. A first run inserts every card and line: one
INSERT per table on PostgreSQL, batches of SQLite's 999-parameter limit here (most of its ~130 queries).

Ends with one `RESULT key=value …` line and writes bench/results/scorecards.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from common import Timer, build_sales_org, machine, result_line, write_results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--managers", type=int, default=10)
    parser.add_argument("--supervisors", type=int, default=15, help="per manager")
    parser.add_argument("--sales", type=int, default=19, help="per supervisor")
    parser.add_argument("--orders", type=int, default=200_000)
    parser.add_argument("--followups", type=int, default=100_000)
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--messages", type=int, default=1_000_000, help="archived chat messages over the year")
    parser.add_argument("--per-member", type=int, default=150, help="members computed one at a time")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    tmp = tempfile.mkdtemp(prefix="zhidu-bench-scorecards-")
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
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from zhidu.compliance.models import ArchiveMessage, Rule, Violation, ViolationStatus
    from zhidu.compliance.reply_models import ReplyWait, WaitKind
    from zhidu.compliance.services import rules_seed_default
    from zhidu.core.periods import company_tz, local_today, period_start
    from zhidu.customers.models import Customer, FollowRelation, FollowUp
    from zhidu.org.models import Member, Role
    from zhidu.performance.models import Scorecard
    from zhidu.performance.selectors import live_rankings
    from zhidu.performance.services import (
        ItemInput,
        kpi_set_create,
        ranking_freeze,
        scorecard_compute,
        scorecards_compute,
    )
    from zhidu.sales.models import Order, OrderCredit, OrderStatus, TargetNode, TargetTree

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    t0 = time.perf_counter()
    # --- organisation --------------------------------------------------------------------------------
    org = build_sales_org(args.managers, args.supervisors, args.sales)
    root, director, managers, sups, sales = org.root, org.director, org.managers, org.sups, org.sales
    admin = Member.objects.create(name="管理员", department=root, role=Role.ADMIN, wecom_userid="admin")
    members = 2 + len(managers) + len(sups) + len(sales)
    # --- a year of orders and follow-ups ----------------------------------------------------------------
    today = local_today()
    month = period_start("month", today)
    last_month = period_start("month", month - dt.timedelta(days=1))
    first = today - dt.timedelta(days=365)
    days = (today - first).days + 1
    customers = Customer.objects.bulk_create(
        [Customer(external_userid=f"wm{i}", name=f"客户{i}") for i in range(args.customers)]
    )
    statuses = [OrderStatus.APPROVED] * 80 + [OrderStatus.FULFILLED] * 10 + [OrderStatus.SUBMITTED] * 10
    chunk = 20_000
    for base in range(0, args.orders, chunk):
        n = min(chunk, args.orders - base)
        orders = Order.objects.bulk_create(
            [
                Order(
                    number=f"B{i:07d}",
                    customer=customers[i % len(customers)],
                    submitter=sales[i % len(sales)],
                    status=rng.choice(statuses),
                    total=Decimal(rng.randint(100, 100_000)),
                    booked_on=first + dt.timedelta(days=rng.randrange(days)),
                )
                for i in range(base, base + n)
            ]
        )
        OrderCredit.objects.bulk_create(
            [OrderCredit(order=o, member=o.submitter, percent=100) for o in orders], batch_size=5000
        )
    follows = FollowRelation.objects.bulk_create(
        [
            FollowRelation(
                customer=customers[i],
                member=sales[i % len(sales)],
                createtime=timezone.now() - dt.timedelta(days=i % 365),
            )
            for i in range(len(customers))
        ],
        batch_size=5000,
    )
    tz = company_tz()
    for base in range(0, args.followups, chunk):
        n = min(chunk, args.followups - base)
        rows = []
        for _i in range(n):
            f = follows[rng.randrange(len(follows))]
            when = dt.datetime.combine(first + dt.timedelta(days=rng.randrange(days)), dt.time(10), tzinfo=tz)
            rows.append(FollowUp(follow=f, author_id=f.member_id, kind="phone", happened_at=when, summary="电话"))
        FollowUp.objects.bulk_create(rows, batch_size=5000)
    # --- a year of archived chats: half from customers (each waits for a reply), 0.5 % of staff messages a
    # confirmed violation; the scorecards read the waits and the violations, never the message texts -----------
    rules_seed_default(actor=None)
    rule = Rule.objects.order_by("id").first()
    assert rule is not None
    year_s = days * 86_400
    t_start = dt.datetime.combine(first, dt.time(0), tzinfo=tz).timestamp()
    msg_chunk = 50_000
    violations = 0
    for base in range(0, args.messages, msg_chunk):
        n = min(msg_chunk, args.messages - base)
        msgs, waits, bad = [], [], []
        for i in range(base, base + n):
            person = sales[rng.randrange(len(sales))]
            cust = customers[rng.randrange(len(customers))].external_userid
            ms = int((t_start + rng.randrange(year_s)) * 1000)
            sent = dt.datetime.fromtimestamp(ms / 1000, tz=dt.UTC)
            from_customer = i % 2 == 0
            msgs.append(
                ArchiveMessage(
                    msgid=f"m{i}",
                    seq=i + 1,
                    action="send",
                    sender=cust if from_customer else person.wecom_userid,
                    receivers=[person.wecom_userid if from_customer else cust],
                    msgtype="text",
                    chat_key="|".join(sorted([person.wecom_userid or "", cust])),
                    msgtime=ms,
                    sent_at=sent,
                    text="您好，这款还有货吗" if from_customer else "有的，今天可以发货",
                    raw={},
                    member=person,
                    customer_id=cust,
                )
            )
            if from_customer:
                minutes = rng.choice([None] + [float(rng.randrange(1, 180)) for _ in range(19)])
                waits.append(
                    ReplyWait(
                        slot=f"{person.wecom_userid}|{cust}#{i}",
                        kind=WaitKind.SINGLE,
                        chat_key=f"{person.wecom_userid}|{cust}",
                        msgid=f"m{i}",
                        asker=cust,
                        responsible=person.wecom_userid or "",
                        member=person,
                        asked_at=sent,
                        deadline=sent + dt.timedelta(minutes=30),
                        answered_at=None if minutes is None else sent + dt.timedelta(minutes=minutes),
                        reply_minutes=minutes,
                    )
                )
            elif rng.random() < 0.005:
                bad.append((i - base, person, sent))
        stored = ArchiveMessage.objects.bulk_create(msgs, batch_size=5000)
        ReplyWait.objects.bulk_create(waits, batch_size=5000)
        Violation.objects.bulk_create(
            [
                Violation(
                    message=stored[k],
                    rule=rule,
                    category=rule.category,
                    severity=rule.severity,
                    start=0,
                    end=2,
                    matched="有的",
                    member=person,
                    supervisor_id=person.reports_to_id,
                    occurred_at=sent,
                    status=ViolationStatus.CONFIRMED,
                )
                for k, person, sent in bad
            ],
            batch_size=2000,
        )
        violations += len(bad)
    # --- revenue targets this month and last month, one node per member ----------------------------------
    for start in (last_month, month):
        tree = TargetTree.objects.create(period="month", start=start, metric="revenue", status="published")
        top = TargetNode.objects.create(tree=tree, owner=director, amount=Decimal(10) ** 8)
        m_nodes = TargetNode.objects.bulk_create(
            [TargetNode(tree=tree, owner=m, parent=top, amount=Decimal(10) ** 7) for m in managers]
        )
        s_nodes = TargetNode.objects.bulk_create(
            [
                TargetNode(tree=tree, owner=s, parent=m_nodes[i // args.supervisors], amount=Decimal(10) ** 6)
                for i, s in enumerate(sups)
            ]
        )
        TargetNode.objects.bulk_create(
            [
                TargetNode(tree=tree, owner=p, parent=s_nodes[i // args.sales], amount=Decimal(50_000))
                for i, p in enumerate(sales)
            ]
        )
    sales_items = [
        ItemInput("revenue_achievement", "50", "100", curve="linear_cap", cap="120"),
        ItemInput("followups", "20", "10"),
        ItemInput("reply_within_sla", "15", "0", curve="thresholds", thresholds="80:60, 95:100"),
        ItemInput("violations", "15", "3"),
    ]
    lead_items = [ItemInput("revenue_achievement", "70", "100"), ItemInput("violations", "30", "5")]
    for role, items in ((Role.SALES, sales_items), (Role.SUPERVISOR, lead_items), (Role.MANAGER, lead_items)):
        kpi_set_create(actor=admin, name=role, role=role, period_kind="month", valid_from=last_month, items=items)
    build_s = time.perf_counter() - t0
    print(
        f"  built {members} members, {args.orders} orders, {args.followups} follow-ups, {args.messages} archived"
        f" messages ({violations} confirmed violations) in {build_s:.1f}s"
    )

    # --- timed: bulk ------------------------------------------------------------------------------------
    with CaptureQueriesContext(connection) as q_bulk1, Timer() as t_bulk1:
        cards = scorecards_compute(actor=None, kind="month", start=month)
    n_bulk1 = len(q_bulk1)
    with CaptureQueriesContext(connection) as q_bulk, Timer() as t_bulk:
        scorecards_compute(actor=None, kind="month", start=month)
    n_bulk = len(q_bulk)
    bulk_totals = dict(Scorecard.objects.filter(start=month).values_list("member_id", "total"))
    print(f"  bulk, first run: {cards} cards in {t_bulk1.wall:.3f}s wall, {n_bulk1} queries")
    print(f"  bulk, recompute: {t_bulk.wall:.3f}s wall, {n_bulk} queries")

    # --- timed: one member at a time ----------------------------------------------------------------------
    assessed = [*managers, *sups, *sales]
    sample = rng.sample(assessed, min(args.per_member, len(assessed)))
    with CaptureQueriesContext(connection) as q_single, Timer() as t_single:
        singles = {m.pk: scorecard_compute(actor=None, member=m, kind="month", start=month) for m in sample}
    n_single = len(q_single)
    mismatched = sum(1 for pk, c in singles.items() if c is None or c.total != bulk_totals[pk])
    single_all_s = t_single.wall / len(sample) * cards
    print(
        f"  one at a time: {t_single.wall:.3f}s wall for {len(sample)} members ({n_single} queries), "
        f"≈{single_all_s:.1f}s and ≈{n_single // len(sample) * cards} queries for all {cards}; "
        f"mismatched: {mismatched}"
    )

    # --- timed: rankings ------------------------------------------------------------------------------------
    with CaptureQueriesContext(connection) as q_rank, Timer() as t_rank:
        groups = live_rankings("month", month)
    n_rank = len(q_rank)
    print(f"  live rankings: {len(groups)} rankings in {t_rank.wall:.3f}s wall, {n_rank} queries")
    client = Client()
    assert client.login(username="director", password="bench-pass")
    url = f"/performance/rankings/?kind=month&start={month.isoformat()}"
    client.get(url)
    with CaptureQueriesContext(connection) as q_page, Timer() as t_page:
        resp = client.get(url)
    n_page = len(q_page)
    assert resp.status_code == 200, resp.status_code
    print(f"  ranking page (director): {t_page.wall:.3f}s wall, {n_page} queries")
    with CaptureQueriesContext(connection) as q_freeze, Timer() as t_freeze:
        ranking_freeze(actor=director, kind="month", start=last_month, today=today)
    n_freeze = len(q_freeze)
    print(f"  freeze last month (recompute + snapshot): {t_freeze.wall:.3f}s wall, {n_freeze} queries")

    result = {
        "members": members,
        "cards": cards,
        "orders": args.orders,
        "followups": args.followups,
        "messages": args.messages,
        "violations": violations,
        "bulk_first_s": round(t_bulk1.wall, 4),
        "bulk_first_queries": n_bulk1,
        "bulk_s": round(t_bulk.wall, 4),
        "bulk_queries": n_bulk,
        "single_members": len(sample),
        "single_sample_s": round(t_single.wall, 4),
        "single_queries": n_single,
        "single_all_s": round(single_all_s, 1),
        "speedup": round(single_all_s / t_bulk.wall, 1) if t_bulk.wall else None,
        "speedup_first": round(single_all_s / t_bulk1.wall, 1) if t_bulk1.wall else None,
        "rankings": len(groups),
        "rankings_s": round(t_rank.wall, 4),
        "rankings_queries": n_rank,
        "page_s": round(t_page.wall, 4),
        "page_queries": n_page,
        "freeze_s": round(t_freeze.wall, 4),
        "freeze_queries": n_freeze,
        "mismatched": mismatched,
    }
    path = write_results(
        "scorecards", {"args": vars(args), "machine": machine(), "build_s": round(build_s, 1), "result": result}
    )
    print(f"  wrote {path}")
    print(result_line(result))


if __name__ == "__main__":
    main()
