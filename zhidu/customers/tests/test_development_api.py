"""/api/customers/ development endpoints: one permission table over the canonical actors, lists with totals,
filters, bulk changes and plans. A denied write also changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from conftest import ACTOR_NAMES
from zhidu.core.models import AuditEvent
from zhidu.customers.models import Development, DevelopmentPlan, FollowUp, Stage
from zhidu.customers.tests.factories import FollowFactory, TagFactory

# whose follow relations each actor sees (owners)
SEES = {
    "director": {"sales", "sales_b", "supervisor", "outsider"},
    "manager": {"sales", "sales_b", "supervisor"},
    "supervisor": {"sales", "supervisor"},
    "supervisor_b": {"sales_b"},
    "sales": {"sales"},
    "sales_b": {"sales_b"},
    "compliance": {"sales", "sales_b", "supervisor", "outsider"},
    "admin": set(),
    "outsider": {"outsider"},
}
WRITERS = {"director", "manager", "supervisor", "supervisor_b", "sales", "sales_b", "outsider"}


@pytest.fixture
def world(actors):  # type: ignore[no-untyped-def]
    now = timezone.now()
    return {
        name: FollowFactory(member=actors.by_name(name), customer__name=f"c_{name}", createtime=now)
        for name in ("sales", "sales_b", "supervisor", "outsider")
    }


@pytest.mark.parametrize("actor_name", ACTOR_NAMES)
def test_follow_list_in_scope_with_total(actors, world, login, actor_name):  # type: ignore[no-untyped-def]
    client = login(actors.by_name(actor_name))
    data = client.get("/api/customers/follows/?limit=1").json()
    assert data["total"] == len(SEES[actor_name])
    assert len(data["items"]) == min(1, len(SEES[actor_name]))
    everything = client.get("/api/customers/follows/?limit=100").json()["items"]
    assert {r["customer_name"] for r in everything} == {f"c_{n}" for n in SEES[actor_name]}


@pytest.mark.parametrize("actor_name", ACTOR_NAMES)
def test_writes_on_salesperson_customer(actors, world, login, actor_name):  # type: ignore[no-untyped-def]
    client = login(actors.by_name(actor_name))
    follow = world["sales"]
    may = actor_name in WRITERS and "sales" in SEES[actor_name]
    r1 = client.patch(
        f"/api/customers/follows/{follow.pk}/development",
        {"stage": "needs", "budget": "5 万", "next_action_on": "2026-02-01"},
        content_type="application/json",
    )
    r2 = client.post(
        f"/api/customers/follows/{follow.pk}/followups",
        {"kind": "phone", "summary": "电话沟通需求"},
        content_type="application/json",
    )
    r3 = client.post("/api/customers/bulk/stage", {"ids": [follow.pk], "stage": "won"}, "application/json")
    if may:
        assert (r1.status_code, r2.status_code, r3.status_code) == (200, 201, 200)
        assert r1.json()["budget"] == "5 万" and r1.json()["next_action_on"] == "2026-02-01"
        assert Development.objects.get(follow=follow).stage == Stage.WON
        assert FollowUp.objects.get().summary == "电话沟通需求"
        listed = client.get(f"/api/customers/followups/?follow={follow.pk}").json()
        assert listed["total"] == 1 and listed["items"][0]["kind"] == "phone"
        return
    expected = 403 if actor_name == "compliance" else 404
    assert (r1.status_code, r2.status_code, r3.status_code) == (expected, expected, expected)
    assert not Development.objects.exists() and not FollowUp.objects.exists()
    assert not AuditEvent.objects.filter(verb__startswith="development").exists()


def test_filters_and_sort(actors, world, login):  # type: ignore[no-untyped-def]
    client = login(actors.director)
    tag = TagFactory(name="重点客户")
    world["sales"].tags.add(tag)
    client.patch(f"/api/customers/follows/{world['sales_b'].pk}/development", {"stage": "proposal"}, "application/json")
    old = timezone.now() - dt.timedelta(days=40)
    Development.objects.update_or_create(
        follow=world["outsider"], defaults={"last_contact_at": old, "stage": Stage.NEEDS}
    )

    def names(query: str) -> list[str]:
        return [r["customer_name"] for r in client.get(f"/api/customers/follows/?{query}").json()["items"]]

    assert names(f"tag={tag.pk}") == ["c_sales"]
    assert names("stage=proposal") == ["c_sales_b"]
    assert set(names("stage=new")) == {"c_sales", "c_supervisor"}
    assert names(f"owner={actors.sales_b.pk}") == ["c_sales_b"]
    assert names("q=c_supervisor") == ["c_supervisor"]
    before = (timezone.localdate() - dt.timedelta(days=30)).isoformat()
    assert names(f"contact_before={before}") == ["c_outsider"]
    assert "c_outsider" not in names(f"contact_after={before}")
    assert names("sort=contact")[0] == "c_outsider"
    # a foreign owner filter finds nothing for a salesperson
    assert login(actors.sales).get(f"/api/customers/follows/?owner={actors.sales_b.pk}").json()["total"] == 0


def test_bulk_with_a_foreign_id_changes_nothing(actors, world, login):  # type: ignore[no-untyped-def]
    client = login(actors.supervisor)
    ids = [world["sales"].pk, world["sales_b"].pk]
    r = client.post("/api/customers/bulk/stage", {"ids": ids, "stage": "won"}, "application/json")
    assert r.status_code == 404
    tag = TagFactory()
    r = client.post("/api/customers/bulk/tags", {"ids": ids, "add": [tag.pk]}, "application/json")
    assert r.status_code == 404
    assert not Development.objects.exists() and not tag.follows.exists()
    r = client.post("/api/customers/bulk/tags", {"ids": ids[:1], "add": [tag.pk]}, "application/json")
    assert r.json() == {"changed": 1} and list(tag.follows.all()) == [world["sales"]]


def test_bad_input_answers_in_chinese_naming_the_field(actors, world, login):  # type: ignore[no-untyped-def]
    client = login(actors.sales)
    r = client.post(
        f"/api/customers/follows/{world['sales'].pk}/followups", {"kind": "phone", "summary": " "}, "application/json"
    )
    assert r.status_code == 400 and r.json()["field"] == "summary" and "跟进摘要" in r.json()["detail"]
    r = client.patch(f"/api/customers/follows/{world['sales'].pk}/development", {"stage": "x"}, "application/json")
    assert r.status_code == 400 and r.json()["field"] == "stage" and "阶段" in r.json()["detail"]


PLAN = {"period": "month", "day": "2026-01-15", "new_customers": 5, "followups": 20}


@pytest.mark.parametrize(
    "actor_name, target, status",
    [
        ("supervisor", "sales", 200),
        ("supervisor", "sales_b", 400),
        ("supervisor_b", "sales", 400),
        ("manager", "sales_b", 200),
        ("manager", "supervisor", 200),
        ("director", "outsider", 200),
        ("sales", "sales", 403),
        ("compliance", "sales", 403),
        ("supervisor", "supervisor", 400),
    ],
)
def test_plan_permissions(actors, login, actor_name, target, status):  # type: ignore[no-untyped-def]
    client = login(actors.by_name(actor_name))
    r = client.put("/api/customers/plans/", {**PLAN, "member_id": actors.by_name(target).pk}, "application/json")
    assert r.status_code == status, r.content
    assert DevelopmentPlan.objects.exists() == (status == 200)


def test_plan_progress_comes_from_the_data(actors, login, time_machine):  # type: ignore[no-untyped-def]
    time_machine.move_to("2026-01-20 10:00:00+08:00", tick=False)
    jan = dt.datetime(2026, 1, 3, 10, tzinfo=dt.UTC)
    dec = dt.datetime(2025, 12, 30, 10, tzinfo=dt.UTC)
    in_month = [FollowFactory(member=actors.sales, createtime=jan) for _ in range(3)]
    FollowFactory(member=actors.sales, createtime=dec)
    FollowFactory(member=actors.sales_b, createtime=jan)
    client = login(actors.supervisor)
    assert (
        client.put("/api/customers/plans/", {**PLAN, "member_id": actors.sales.pk}, "application/json").status_code
        == 200
    )
    from zhidu.customers.development.services import followup_record

    followup_record(actor=actors.sales, follow_id=in_month[0].pk, kind="chat", summary="微信沟通")
    followup_record(actor=actors.sales, follow_id=in_month[1].pk, kind="chat", summary="x", happened_at=dec)
    data = client.get("/api/customers/plans/?period=month&day=2026-01-02").json()
    assert data["total"] == 1
    row = data["items"][0]
    assert (row["new_customers"], row["new_customers_done"], row["followups"], row["followups_done"]) == (5, 3, 20, 1)
    assert row["starts_on"] == "2026-01-01"
    # changing the plan keeps one row, audited
    client.put("/api/customers/plans/", {**PLAN, "member_id": actors.sales.pk, "followups": 25}, "application/json")
    assert DevelopmentPlan.objects.get().followups == 25
    assert AuditEvent.objects.filter(verb="devplan.update").count() == 1
    assert login(actors.sales_b).get("/api/customers/plans/?day=2026-01-02").json()["total"] == 0
    client = login(actors.supervisor)
    r = client.put("/api/customers/plans/", {**PLAN, "member_id": actors.sales.pk, "followups": -1}, "application/json")
    assert r.status_code == 400 and r.json()["field"] == "followups"


def test_customer_detail_carries_the_development(actors, world, login):  # type: ignore[no-untyped-def]
    follow = world["sales"]
    client = login(actors.sales)
    client.patch(
        f"/api/customers/follows/{follow.pk}/development",
        {"stage": "proposal", "decision_maker": "王总", "collaborator_ids": [actors.supervisor.pk]},
        "application/json",
    )
    detail = client.get(f"/api/customers/{follow.customer_id}").json()
    (row,) = detail["follows"]
    assert (row["id"], row["stage"], row["decision_maker"]) == (follow.pk, "proposal", "王总")
    assert row["collaborator_ids"] == [actors.supervisor.pk]
    other = login(actors.supervisor).get(f"/api/customers/{world['supervisor'].customer_id}").json()
    assert other["follows"][0]["stage"] == "new" and other["follows"][0]["budget"] == ""


@pytest.mark.parametrize("n", [2, 20])
def test_api_list_query_count_is_bounded(actors, login, django_assert_max_num_queries, n):  # type: ignore[no-untyped-def]
    tag = TagFactory()
    for _ in range(n):
        FollowFactory(member=actors.sales, createtime=timezone.now()).tags.add(tag)
    client = login(actors.supervisor)
    with django_assert_max_num_queries(8):
        data = client.get("/api/customers/follows/?limit=100").json()
    assert data["total"] == n and all(r["tags"] == [tag.name] for r in data["items"])


def test_unknown_list_options_are_refused(actors, login):  # type: ignore[no-untyped-def]
    client = login(actors.sales)
    assert client.get("/api/customers/follows/?status=bogus").status_code == 422
    assert client.get("/api/customers/follows/?sort=id").status_code == 422
