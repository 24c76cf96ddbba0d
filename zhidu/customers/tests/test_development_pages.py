"""Customer pages: list filters, bulk changes and the detail's development, follow-ups and history, with query
counts that do not grow with the data."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from zhidu.core.models import AuditEvent
from zhidu.customers.development.services import development_update, followup_record
from zhidu.customers.models import Development, FollowUp, Stage
from zhidu.customers.tests.factories import CustomerFactory, FollowFactory, TagFactory


def many(actors, n):  # type: ignore[no-untyped-def]
    now = timezone.now()
    tags = [TagFactory() for _ in range(3)]
    out = []
    for i in range(n):
        f = FollowFactory(member=actors.sales if i % 2 else actors.sales_b, createtime=now)
        f.tags.add(*tags[: i % 3 + 1])
        development_update(actor=actors.director, follow_id=f.pk, stage=Stage.values[i % 6], next_action="回访")
        out.append(f)
    return out


@pytest.mark.parametrize("n", [3, 30])
def test_list_query_count_is_bounded(actors, login, django_assert_max_num_queries, n):  # type: ignore[no-untyped-def]
    many(actors, n)
    client = login(actors.manager)
    with django_assert_max_num_queries(12):
        r = client.get(reverse("customers:list"), {"sort": "contact"})
    assert r.status_code == 200
    assert f"共 {n} 条" in r.content.decode()


def test_detail_query_count_is_bounded(actors, login, django_assert_max_num_queries):  # type: ignore[no-untyped-def]
    customer = CustomerFactory(name="联华快客")
    tags = [TagFactory() for _ in range(3)]
    for member in (actors.sales, actors.supervisor, actors.sales_b):
        f = FollowFactory(member=member, customer=customer)
        f.tags.add(*tags)
        development_update(
            actor=actors.director, follow_id=f.pk, stage=Stage.NEEDS, collaborator_ids=[actors.supervisor_b.pk]
        )
        for i in range(5):
            followup_record(actor=member, follow_id=f.pk, kind="phone", summary=f"第{i}次电话")
    client = login(actors.manager)
    with django_assert_max_num_queries(20):  # +1 approvals badge (sales), +2 transfer history
        r = client.get(reverse("customers:detail", args=[customer.pk]))
    body = r.content.decode()
    assert r.status_code == 200 and body.count("第4次电话") == 3 and "需求分析" in body and "李主管" in body


def test_detail_shows_development_to_the_scope_only(actors, login):  # type: ignore[no-untyped-def]
    customer = CustomerFactory(name="罗森")
    mine = FollowFactory(member=actors.sales, customer=customer)
    theirs = FollowFactory(member=actors.sales_b, customer=customer)
    development_update(actor=actors.sales, follow_id=mine.pk, budget="我的预算八万")
    development_update(actor=actors.sales_b, follow_id=theirs.pk, budget="别人的预算九万")
    followup_record(actor=actors.sales_b, follow_id=theirs.pk, kind="visit", summary="别人的拜访")
    body = login(actors.sales).get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert "我的预算八万" in body and "别人的预算九万" not in body and "别人的拜访" not in body
    assert f'action="{reverse("customers:followup_add", args=[mine.pk])}"' in body
    assert f'action="{reverse("customers:followup_add", args=[theirs.pk])}"' not in body
    body = login(actors.compliance).get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert "别人的预算九万" in body and "customers:followup_add" not in body and "/followups/" not in body


def test_forms_on_the_detail_page(actors, login):  # type: ignore[no-untyped-def]
    f = FollowFactory(member=actors.sales, customer__name="全家")
    tag = TagFactory(name="重点")
    client = login(actors.sales)
    detail = reverse("customers:detail", args=[f.customer_id])
    r = client.post(
        reverse("customers:development_edit", args=[f.pk]),
        {
            "stage": "proposal",
            "budget": "3 万",
            "next_action": "报价",
            "next_action_on": "2026-03-01",
            "collaborators": [actors.supervisor_b.pk],
            "collaborators_sent": "1",
        },
    )
    assert r.status_code == 302 and r.url == detail
    dev = Development.objects.get(follow=f)
    assert dev.stage == Stage.PROPOSAL and list(dev.collaborators.all()) == [actors.supervisor_b]
    client.post(reverse("customers:followup_add", args=[f.pk]), {"kind": "meeting", "summary": "方案会议"})
    client.post(reverse("customers:tags_edit", args=[f.pk]), {"add": str(tag.pk), "remove": ""})
    assert FollowUp.objects.get().summary == "方案会议" and list(f.tags.all()) == [tag]
    body = client.get(detail).content.decode()
    assert "方案/报价" in body and "方案会议" in body and "客户开发信息已修改" in body
    assert "待跟进 → 方案/报价" in body and "— → 李主管" in body
    # another team's salesperson: 404, nothing written
    r = login(actors.sales_b).post(reverse("customers:followup_add", args=[f.pk]), {"kind": "phone", "summary": "x"})
    assert r.status_code == 404 and FollowUp.objects.count() == 1
    r = login(actors.compliance).post(reverse("customers:followup_add", args=[f.pk]), {"kind": "phone", "summary": "x"})
    assert r.status_code == 403 and FollowUp.objects.count() == 1


def test_bulk_from_the_list(actors, login):  # type: ignore[no-untyped-def]
    a, b = FollowFactory(member=actors.sales), FollowFactory(member=actors.sales)
    foreign = FollowFactory(member=actors.sales_b)
    client = login(actors.supervisor)
    client.post(reverse("customers:bulk"), {"ids": [a.pk, b.pk], "action": "stage", "stage": "won"})
    assert set(Development.objects.values_list("stage", flat=True)) == {"won"}
    r = client.post(reverse("customers:bulk"), {"ids": [a.pk, foreign.pk], "action": "stage", "stage": "lost"})
    assert r.status_code == 404
    assert set(Development.objects.values_list("stage", flat=True)) == {"won"}
    assert AuditEvent.objects.filter(verb="development.update").count() == 2


def test_list_filters_by_stage_and_tag(actors, login):  # type: ignore[no-untyped-def]
    tag = TagFactory()
    a = FollowFactory(member=actors.sales, customer__name="甲客户")
    b = FollowFactory(member=actors.sales, customer__name="乙客户")
    a.tags.add(tag)
    development_update(actor=actors.sales, follow_id=b.pk, stage=Stage.NO_INTEREST)
    client = login(actors.sales)
    body = client.get(reverse("customers:list"), {"tag": tag.pk}).content.decode()
    assert "甲客户" in body and "乙客户" not in body
    body = client.get(reverse("customers:list"), {"stage": "no_interest"}).content.decode()
    assert "乙客户" in body and "甲客户" not in body


@pytest.mark.parametrize(
    "actor_name, status", [("sales", 200), ("supervisor", 200), ("compliance", 403), ("admin", 403)]
)
def test_plans_page(actors, login, actor_name, status):  # type: ignore[no-untyped-def]
    r = login(actors.by_name(actor_name)).get(reverse("customers:plans"))
    assert r.status_code == status
    if actor_name == "supervisor":
        r = login(actors.supervisor).post(
            reverse("customers:plans") + "?period=week&day=2026-01-07",
            {"member": actors.sales.pk, "new_customers": 3, "followups": 10},
        )
        assert r.status_code == 302
        body = login(actors.supervisor).get(r.url).content.decode()
        assert "周销售" in body and "0 / 10" in body and "2026-01-05" in body
