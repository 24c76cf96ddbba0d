"""Who may read and change targets, over the canonical actors, for every target page and endpoint.

Readers see the subtrees of members in their scope (sales: their own; supervisors: their team; managers:
their department); compliance officers and administrators have no targets (403 on pages, 404 in the API).
A denied change leaves nodes, plans and the audit log as they were."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from conftest import ACTOR_NAMES
from zhidu.core.models import AuditEvent
from zhidu.org import services as org_services
from zhidu.sales.models import CorrectivePlan, TargetNode, TargetTree
from zhidu.sales.services.targets import target_pace_check, target_tree_publish

from .targets_helpers import TODAY, make_order, standard_tree

pytestmark = pytest.mark.django_db

Q = "period=month&start=2026-12-01&metric=revenue"
# Whose nodes each actor sees in the standard tree (by username).
SEES = {
    "director": {"director", "manager", "outsider", "supervisor", "supervisor_b", "sales"},
    "manager": {"manager", "supervisor", "supervisor_b", "sales"},
    "supervisor": {"supervisor", "sales"},
    "supervisor_b": {"supervisor_b"},
    "sales": {"sales"},
    "sales_b": set(),
    "outsider": {"outsider"},
    "compliance": set(),
    "admin": set(),
}
NO_TARGETS = {"compliance", "admin"}
# Who may split the supervisor's node: the owner and the levels above.
SPLITTERS = {"director", "manager", "supervisor"}


def bearer(member):  # type: ignore[no-untyped-def]
    _token, key = org_services.api_token_create(actor=member, name="t")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def snapshot():  # type: ignore[no-untyped-def]
    return (
        AuditEvent.objects.count(),
        list(TargetNode.objects.order_by("pk").values_list("pk", "parent_id", "owner_id", "amount")),
        list(TargetTree.objects.values_list("pk", "status")),
        list(CorrectivePlan.objects.values_list("pk", "status", "text")),
    )


@pytest.fixture
def tree(actors):  # type: ignore[no-untyped-def]
    nodes = standard_tree(actors)
    make_order({actors.sales: 100}, "30.00")
    return nodes


def _usernames(actors, ids):  # type: ignore[no-untyped-def]
    by_id = {getattr(actors, n).pk: n for n in ACTOR_NAMES}
    return {by_id[i] for i in ids}


@pytest.mark.parametrize("actor", ACTOR_NAMES)
def test_tree_page(actors, login, tree, actor, django_assert_max_num_queries):  # type: ignore[no-untyped-def]
    client = login(actors.by_name(actor))
    with django_assert_max_num_queries(12):
        resp = client.get(f"/sales/targets/?{Q}")
    if actor in NO_TARGETS:
        assert resp.status_code == 403
        return
    assert resp.status_code == 200
    body = resp.content.decode()
    for name in ACTOR_NAMES:
        shown = f'data-testid="node-{actors.by_name(name).pk}"' in body
        assert shown == (name in SEES[actor]), name
    assert (f'data-testid="split-{actors.supervisor.pk}"' in body) == (actor in SPLITTERS)
    assert ('name="amount"' in body) == (actor == "director")


def test_tree_page_query_count_does_not_grow_with_the_tree(actors, login, tree, django_assert_max_num_queries):  # type: ignore[no-untyped-def]
    from decimal import Decimal

    from zhidu.org.models import Role
    from zhidu.org.tests.factories import MemberFactory
    from zhidu.sales.services.targets import Part, target_split

    people = [
        MemberFactory(role=Role.SALES, department=actors.dept1, reports_to=actors.supervisor_b) for _ in range(40)
    ]
    target_split(actor=actors.director, node=tree["supervisor_b"], parts=[Part(m.pk, Decimal("1")) for m in people])
    for m in people:
        make_order({m: 100}, "2.00")
    client = login(actors.director)
    with django_assert_max_num_queries(12):
        resp = client.get(f"/sales/targets/?{Q}")
    assert resp.status_code == 200 and resp.content.decode().count('class="target-node') == 46


@pytest.mark.parametrize("actor", ACTOR_NAMES)
def test_split_page_and_post(actors, login, tree, actor):  # type: ignore[no-untyped-def]
    client = login(actors.by_name(actor))
    url = f"/sales/targets/nodes/{tree['supervisor'].pk}/split/"
    got = client.get(url)
    before = snapshot()
    posted = client.post(url, {})  # an empty split: no parts
    if actor in SPLITTERS:
        assert got.status_code == 200 and posted.status_code == 302
        assert AuditEvent.objects.filter(verb="target.split", actor=actors.by_name(actor)).exists()
    else:
        assert got.status_code in (403, 404) and posted.status_code in (403, 404)
        assert snapshot() == before


@pytest.mark.parametrize("actor", ACTOR_NAMES)
def test_company_publish_import_pages_are_the_directors(actors, login, tree, actor):  # type: ignore[no-untyped-def]
    client = login(actors.by_name(actor))
    before = snapshot()
    r1 = client.post(f"/sales/targets/company/?{Q}", {"amount": "2000"})
    r2 = client.post(f"/sales/targets/trees/{tree['director'].tree_id}/publish/", {})
    wb = Workbook()
    wb.active.append(["member", "parent", "target"])  # type: ignore[union-attr]
    wb.active.append([actors.director.wecom_userid, "", 5])  # type: ignore[union-attr]
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "t.xlsx"
    r3 = client.post(f"/sales/targets/import/?{Q}", {"file": buf})
    if actor == "director":
        assert (r1.status_code, r2.status_code, r3.status_code) == (302, 302, 302)
        assert TargetNode.objects.count() == 1  # the import replaced the tree
    else:
        assert {r1.status_code, r2.status_code, r3.status_code} <= {403, 404}
        assert snapshot() == before


@pytest.mark.parametrize("actor", ACTOR_NAMES)
def test_export_page(actors, login, tree, actor):  # type: ignore[no-untyped-def]
    resp = login(actors.by_name(actor)).get(f"/sales/targets/export/?{Q}")
    if SEES[actor]:
        assert resp.status_code == 200 and resp["Content-Type"].startswith("application/vnd.openxmlformats")
    else:
        assert resp.status_code in (403, 404)


@pytest.mark.parametrize("actor", ACTOR_NAMES)
def test_plan_page(actors, login, tree, actor):  # type: ignore[no-untyped-def]
    target_tree_publish(actor=actors.director, tree=tree["director"].tree)
    target_pace_check(today=TODAY)
    plan = CorrectivePlan.objects.get(node=tree["supervisor"])
    client = login(actors.by_name(actor))
    got = client.get(f"/sales/targets/plans/{plan.pk}/")
    before = snapshot()
    posted = client.post(f"/sales/targets/plans/{plan.pk}/", {"text": "加大回访"})
    plan.refresh_from_db()
    if actor == "supervisor":
        assert got.status_code == 200 and posted.status_code == 302 and plan.text == "加大回访"
    elif actor in {"director", "manager"}:
        assert got.status_code == 200 and posted.status_code == 403 and snapshot() == before
    else:
        assert got.status_code in (403, 404) and posted.status_code in (403, 404) and snapshot() == before


# ----------------------------------------------------------------------------------------------- API


@pytest.mark.parametrize("actor", ACTOR_NAMES)
def test_api_list_and_tree(client, actors, tree, actor):  # type: ignore[no-untyped-def]
    auth = bearer(actors.by_name(actor))
    listed = client.get(f"/api/sales/targets?{Q}&limit=2", **auth)
    full = client.get(f"/api/sales/targets?{Q}", **auth)
    got = client.get(f"/api/sales/targets/tree?{Q}", **auth)
    if actor in NO_TARGETS:
        assert listed.status_code == 404 and got.status_code == 404
        return
    assert listed.status_code == 200
    assert listed.json()["total"] == len(SEES[actor]) and len(listed.json()["items"]) == min(2, len(SEES[actor]))
    assert _usernames(actors, [n["owner_id"] for n in full.json()["items"]]) == SEES[actor]
    if SEES[actor]:
        assert got.status_code == 200
        nodes = got.json()["nodes"]
        assert _usernames(actors, [n["owner_id"] for n in nodes]) == SEES[actor]
        if "sales" in SEES[actor]:
            assert next(n for n in nodes if n["owner_id"] == actors.sales.pk)["actual"] == "30.00"
    else:
        assert got.status_code == 404


@pytest.mark.parametrize("actor", ACTOR_NAMES)
def test_api_changes(client, actors, tree, actor):  # type: ignore[no-untyped-def]
    auth = bearer(actors.by_name(actor))
    before = snapshot()
    split = client.post(
        f"/api/sales/targets/nodes/{tree['supervisor'].pk}/split",
        {"parts": []},
        content_type="application/json",
        **auth,
    )
    if actor in SPLITTERS:
        assert split.status_code == 200
    else:
        assert split.status_code in (403, 404) and snapshot() == before
    before = snapshot()
    company = client.post(
        "/api/sales/targets/company",
        {"period": "month", "start": "2026-12-01", "metric": "revenue", "amount": "5000"},
        content_type="application/json",
        **auth,
    )
    publish = client.post(
        f"/api/sales/targets/trees/{tree['director'].tree_id}/publish",
        {"confirm_gap": True, "reason": "测试"},
        content_type="application/json",
        **auth,
    )
    if actor == "director":
        assert company.status_code == 200 and publish.status_code == 200
        assert publish.json()["status"] == "published"
    else:
        assert company.status_code == 403 and publish.status_code in (403, 404)
        assert snapshot() == before


@pytest.mark.parametrize("actor", ACTOR_NAMES)
def test_api_export_import(client, actors, tree, actor):  # type: ignore[no-untyped-def]
    auth = bearer(actors.by_name(actor))
    exported = client.get(f"/api/sales/targets/export?{Q}", **auth)
    before = snapshot()
    if SEES[actor]:
        assert exported.status_code == 200
        upload = io.BytesIO(exported.content)
    else:
        assert exported.status_code == 404
        upload = io.BytesIO(b"x")
    upload.name = "t.xlsx"
    imported = client.post(
        "/api/sales/targets/import",
        {"file": upload, "period": "month", "start": "2026-12-01", "metric": "revenue"},
        **auth,
    )
    if actor == "director":
        assert imported.status_code == 200 and len(imported.json()["nodes"]) == 6
    else:
        assert imported.status_code in (403, 404) and snapshot()[1:] == before[1:]


def test_api_bad_split_is_a_chinese_400_naming_the_field(client, actors, tree):  # type: ignore[no-untyped-def]
    auth = bearer(actors.supervisor)
    before = snapshot()
    resp = client.post(
        f"/api/sales/targets/nodes/{tree['supervisor'].pk}/split",
        {"parts": [{"member_id": actors.sales_b.pk, "amount": "10"}]},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
        **auth,
    )
    assert resp.status_code == 400 and resp.json()["field"] == "parts"
    assert resp.json()["detail"] == "吴销售 不在 孙主管 的团队中，孙主管 不能给其分配目标。"
    assert snapshot() == before


def test_api_plans(client, actors, tree):  # type: ignore[no-untyped-def]
    target_tree_publish(actor=actors.director, tree=tree["director"].tree)
    target_pace_check(today=TODAY)
    plan = CorrectivePlan.objects.get(node=tree["sales"])
    assert client.get(f"/api/sales/targets/plans/{plan.pk}", **bearer(actors.sales_b)).status_code == 404
    resp = client.post(
        f"/api/sales/targets/plans/{plan.pk}/submit",
        {"text": "每天多打十个电话"},
        content_type="application/json",
        **bearer(actors.sales),
    )
    assert resp.status_code == 200 and resp.json()["status"] == "submitted"
    read = client.get(f"/api/sales/targets/plans/{plan.pk}", **bearer(actors.manager))
    assert read.json()["text"] == "每天多打十个电话"
    resp = client.post(
        f"/api/sales/targets/plans/{plan.pk}/withdraw",
        {"reason": "已调整"},
        content_type="application/json",
        **bearer(actors.manager),
    )
    assert resp.status_code == 200 and resp.json()["status"] == "withdrawn"
