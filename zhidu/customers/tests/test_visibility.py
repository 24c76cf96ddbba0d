"""Who sees which customers: one table over the canonical actors, for the queryset, the pages and the API."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conftest import ACTOR_NAMES
from zhidu.customers.models import Customer, FollowEnd
from zhidu.customers.tests.factories import CustomerFactory, FollowFactory

EXPECTED = {
    "director": {"c_sales", "c_sales_b", "c_supervisor", "c_manager", "c_outsider", "c_ended", "c_orphan"},
    "manager": {"c_sales", "c_sales_b", "c_supervisor", "c_manager"},
    "supervisor": {"c_sales", "c_supervisor"},
    "supervisor_b": {"c_sales_b"},
    "sales": {"c_sales"},
    "sales_b": {"c_sales_b"},
    "compliance": {"c_sales", "c_sales_b", "c_supervisor", "c_manager", "c_outsider", "c_ended", "c_orphan"},
    "admin": set(),
    "outsider": {"c_outsider"},
}
READERS = {"director", "manager", "supervisor", "supervisor_b", "sales", "sales_b", "compliance", "outsider"}


@pytest.fixture
def world(actors):  # type: ignore[no-untyped-def]
    out = {}
    for name, owner in [
        ("c_sales", actors.sales),
        ("c_sales_b", actors.sales_b),
        ("c_supervisor", actors.supervisor),
        ("c_manager", actors.manager),
        ("c_outsider", actors.outsider),
    ]:
        out[name] = FollowFactory(member=owner, customer__name=name).customer
    out["c_ended"] = FollowFactory(
        member=actors.sales, customer__name="c_ended", deleted=True, end_reason=FollowEnd.BY_CUSTOMER
    ).customer
    out["c_orphan"] = CustomerFactory(name="c_orphan")
    return out


@pytest.mark.parametrize("actor_name", ACTOR_NAMES)
def test_customer_visible_to(actors, world, actor_name):  # type: ignore[no-untyped-def]
    viewer = actors.by_name(actor_name)
    names = set(Customer.objects.visible_to(viewer).values_list("name", flat=True))
    assert names == EXPECTED[actor_name]


@pytest.mark.parametrize("actor_name", ACTOR_NAMES)
def test_customer_pages(actors, world, login, actor_name):  # type: ignore[no-untyped-def]
    client = login(actors.by_name(actor_name))
    # The list has one row per follow relation (ended ones with status=all); a customer nobody ever followed
    # (c_orphan) has no row there, but its page and the API answer the director and compliance.
    response = client.get(reverse("customers:list"), {"status": "all"})
    if actor_name not in READERS:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    body = response.content.decode()
    for name, customer in world.items():
        detail = client.get(reverse("customers:detail", args=[customer.pk]))
        if name in EXPECTED[actor_name]:
            if name != "c_orphan":
                assert f'href="{reverse("customers:detail", args=[customer.pk])}"' in body
            assert detail.status_code == 200
            assert name in detail.content.decode()
        else:
            assert f">{name}<" not in body
            assert detail.status_code == 404


@pytest.mark.parametrize("actor_name", ACTOR_NAMES)
def test_customer_api(actors, world, login, actor_name):  # type: ignore[no-untyped-def]
    client = login(actors.by_name(actor_name))
    response = client.get("/api/customers/?limit=500")
    assert response.status_code == 200
    assert {c["name"] for c in response.json()} == EXPECTED[actor_name]
    for name, customer in world.items():
        detail = client.get(f"/api/customers/{customer.pk}")
        assert detail.status_code == (200 if name in EXPECTED[actor_name] else 404)


def test_detail_shows_only_follows_in_scope(actors, world, login):  # type: ignore[no-untyped-def]
    shared = world["c_sales"]
    FollowFactory(member=actors.outsider, customer=shared, remark="外人的备注")
    body = login(actors.sales).get(reverse("customers:detail", args=[shared.pk])).content.decode()
    assert "外人的备注" not in body
    assert shared.follows.get(member=actors.sales).remark in body
    director_body = login(actors.director).get(reverse("customers:detail", args=[shared.pk])).content.decode()
    assert "外人的备注" in director_body


def test_search_by_remark_only_sees_own_remarks(actors, world, login):  # type: ignore[no-untyped-def]
    shared = world["c_outsider"]
    FollowFactory(member=actors.sales_b, customer=CustomerFactory(name="another"), remark="关键字X")
    FollowFactory(member=actors.outsider, customer=world["c_sales"], remark="关键字X")
    response = login(actors.sales).get(reverse("customers:list"), {"q": "关键字X"})
    assert response.status_code == 200
    assert "c_sales" not in response.content.decode()
    assert shared.name not in response.content.decode()


def test_errors_speak_the_request_language(actors, world, login):  # type: ignore[no-untyped-def]
    """A customer outside the asker's scope is 'not found' in the request's language (Chinese by default)."""
    client = login(actors.sales)
    url = f"/api/customers/{world['c_outsider'].pk}"
    zh, en = client.get(url), client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert zh.status_code == en.status_code == 404
    assert zh.json() == {"detail": "未找到。"} and en.json() == {"detail": "Not found."}


def test_sync_errors_are_translated_when_read(actors):  # type: ignore[no-untyped-def]
    from django.utils import translation

    from zhidu.core.errors import DomainError
    from zhidu.customers.services import follow_end

    with pytest.raises(DomainError) as err:
        follow_end(external_userid="wm1", userid=actors.sales.wecom_userid, reason="bogus")
    assert err.value.message == "Unknown end reason 'bogus'." and err.value.field == "reason"
    with translation.override("zh-hans"):
        assert str(err.value) == "未知的解除原因 'bogus'。"
