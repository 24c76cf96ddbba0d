"""Targets benchmark: live roll-up of a whole target tree against a naive per-node recomputation.

    .venv/bin/python bench/targets.py [--managers 10] [--supervisors 15] [--sales 19] [--orders 200000] [--seed 42]

* zhidu runs on a fresh SQLite database in a temporary directory (env vars set before django.setup()).
* Not timed: the organisation (1 director, managers × supervisors × salespeople ≈ 3,000 members by default)
  written with bulk_create, customers, `--orders` orders booked over the current year (approved, fulfilled,
  refunded with partial refunds, some submitted or rejected that must not count), one credit each or a 60/40
  split inside the team, and a year target tree with a node for every member.
* Timed: `tree_view` (the grouped roll-up the target page uses) over the whole tree; the target page itself
  for the director (query count and time); and a naive recomputation that asks the database once per node for
  the credited amount of the node's subtree, as a per-node implementation would. The two roll-ups must agree.

Ends with one `RESULT key=value …` line and writes bench/results/targets.json.
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
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--naive-nodes", type=int, default=100, help="recompute this many nodes naively (root and managers first)"
    )
    args = parser.parse_args()
    rng = random.Random(args.seed)

    tmp = tempfile.mkdtemp(prefix="zhidu-bench-targets-")
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
    from django.db.models import DecimalField, ExpressionWrapper, F, Sum
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from zhidu.core.periods import local_today, period_end, period_start
    from zhidu.customers.models import Customer
    from zhidu.sales.models import Order, OrderCredit, OrderStatus, TargetNode, TargetTree
    from zhidu.sales.models.orders import COUNTED_STATUSES
    from zhidu.sales.targets_selectors import tree_view

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    t0 = time.perf_counter()
    # --- organisation --------------------------------------------------------------------------------
    org = build_sales_org(args.managers, args.supervisors, args.sales)
    director, managers, sups, sales = org.director, org.managers, org.sups, org.sales
    members = 1 + len(managers) + len(sups) + len(sales)
    # --- orders over the current year -----------------------------------------------------------------
    today = local_today()
    year = period_start("year", today)
    days = (today - year).days + 1
    customers = Customer.objects.bulk_create(
        [Customer(external_userid=f"wm{i}", name=f"客户{i}") for i in range(args.customers)]
    )
    statuses = [OrderStatus.APPROVED] * 70 + [OrderStatus.FULFILLED] * 15 + [OrderStatus.REFUNDED] * 5
    statuses += [OrderStatus.SUBMITTED] * 5 + [OrderStatus.REJECTED] * 5
    position = {m.pk: i for i, m in enumerate(sales)}
    chunk = 20_000
    for base in range(0, args.orders, chunk):
        n = min(chunk, args.orders - base)
        rows = []
        for i in range(base, base + n):
            status = rng.choice(statuses)
            total = Decimal(rng.randint(100, 100_000))
            rows.append(
                Order(
                    number=f"B{i:07d}",
                    customer=customers[i % len(customers)],
                    submitter=sales[i % len(sales)],
                    status=status,
                    total=total,
                    booked_on=year + dt.timedelta(days=rng.randrange(days)),
                    refund_amount=(total / 2).quantize(Decimal("0.01")) if status == OrderStatus.REFUNDED else 0,
                )
            )
        orders = Order.objects.bulk_create(rows)
        credits = []
        for o in orders:
            if rng.random() < 0.2:
                index = position[o.submitter.pk]
                team = index // args.sales * args.sales
                other = sales[team + (index - team + 1) % args.sales]
                credits += [
                    OrderCredit(order=o, member=o.submitter, percent=60),
                    OrderCredit(order=o, member=other, percent=40),
                ]
            else:
                credits.append(OrderCredit(order=o, member=o.submitter, percent=100))
        OrderCredit.objects.bulk_create(credits, batch_size=5000)
    # --- the year's target tree, one node per member --------------------------------------------------
    tree = TargetTree.objects.create(period="year", start=year, metric="revenue", status="published")
    top = TargetNode.objects.create(tree=tree, owner=director, amount=Decimal(10) ** 9)
    m_nodes = TargetNode.objects.bulk_create(
        [TargetNode(tree=tree, owner=m, parent=top, amount=Decimal(10) ** 8) for m in managers]
    )
    s_nodes = TargetNode.objects.bulk_create(
        [
            TargetNode(tree=tree, owner=s, parent=m_nodes[i // args.supervisors], amount=Decimal(10) ** 7)
            for i, s in enumerate(sups)
        ]
    )
    TargetNode.objects.bulk_create(
        [
            TargetNode(tree=tree, owner=p, parent=s_nodes[i // args.sales], amount=Decimal(10) ** 6)
            for i, p in enumerate(sales)
        ]
    )
    nodes = TargetNode.objects.filter(tree=tree).count()
    build_s = time.perf_counter() - t0
    print(f"  built {members} members, {args.orders} orders, {nodes} target nodes in {build_s:.1f}s")

    # --- timed: grouped roll-up ------------------------------------------------------------------------
    tree_view(tree, today=today)  # warm the caches once
    with CaptureQueriesContext(connection) as q_rollup, Timer() as t_rollup:
        view = tree_view(tree, today=today)
    grouped = {v.node.owner_id: v.actual for v in view.nodes.values()}

    # --- timed: the director's target page --------------------------------------------------------------
    client = Client()
    assert client.login(username="director", password="bench-pass")
    url = f"/sales/targets/?period=year&start={year.isoformat()}&metric=revenue"
    client.get(url)
    with CaptureQueriesContext(connection) as q_page, Timer() as t_page:
        resp = client.get(url)
    assert resp.status_code == 200, resp.status_code

    # --- timed: naive per-node recomputation ---------------------------------------------------------------
    end = period_end("year", year)
    children: dict[int | None, list[tuple[int, int]]] = {}
    for pk, parent, owner in TargetNode.objects.filter(tree=tree).values_list("id", "parent_id", "owner_id"):
        children.setdefault(parent, []).append((pk, owner))
    net = ExpressionWrapper(
        (F("order__total") - F("order__refund_amount")) * F("percent"),
        output_field=DecimalField(max_digits=24, decimal_places=6),
    )
    ordered = [pair for level in (children.get(None, []),) for pair in level]
    ordered += [pair for kids in children.values() for pair in kids if pair not in ordered]
    sample = ordered[: 1 + args.managers] + rng.sample(
        ordered[1 + args.managers :],
        max(0, min(args.naive_nodes - 1 - args.managers, len(ordered) - 1 - args.managers)),
    )
    naive: dict[int, Decimal] = {}
    with CaptureQueriesContext(connection) as q_naive, Timer() as t_naive:
        for _ in (0,):
            for pk, owner in sample:
                subtree, frontier = {owner}, [pk]
                while frontier:
                    nxt = [c for f in frontier for c in children.get(f, [])]
                    subtree.update(o for _pk, o in nxt)
                    frontier = [c for c, _o in nxt]
                total = OrderCredit.objects.filter(
                    member_id__in=subtree,
                    order__status__in=COUNTED_STATUSES,
                    order__booked_on__gte=year,
                    order__booked_on__lte=end,
                ).aggregate(v=Sum(net))["v"]
                naive[owner] = (Decimal(str(total or 0)) / 100).quantize(Decimal("0.01"))
    # Per-member sums are rounded to the cent before they add up: allow a cent per member of rounding.
    tolerance = Decimal("0.01") * members
    mismatched = sum(1 for owner, v in naive.items() if abs(v - grouped[owner]) > tolerance)
    print(f"  grouped roll-up: {t_rollup.wall:.3f}s wall, {len(q_rollup)} queries")
    print(f"  target page (director, {nodes} nodes): {t_page.wall:.3f}s wall, {len(q_page)} queries")
    naive_all_s = t_naive.wall / len(sample) * nodes
    print(
        f"  naive per-node: {t_naive.wall:.3f}s wall for {len(sample)} of {nodes} nodes ({len(q_naive)} queries), "
        f"≈{naive_all_s:.1f}s for the whole tree; mismatched nodes: {mismatched}"
    )
    result = {
        "members": members,
        "orders": args.orders,
        "nodes": nodes,
        "rollup_s": round(t_rollup.wall, 4),
        "rollup_queries": len(q_rollup),
        "page_s": round(t_page.wall, 4),
        "page_queries": len(q_page),
        "naive_nodes": len(sample),
        "naive_sample_s": round(t_naive.wall, 4),
        "naive_queries": len(q_naive),
        "naive_whole_tree_s": round(naive_all_s, 1),
        "speedup": round(naive_all_s / t_rollup.wall, 1) if t_rollup.wall else None,
        "mismatched": mismatched,
    }
    path = write_results(
        "targets", {"args": vars(args), "machine": machine(), "build_s": round(build_s, 1), "result": result}
    )
    print(f"  wrote {path}")
    print(result_line(result))


if __name__ == "__main__":
    main()
