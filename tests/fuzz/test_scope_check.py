"""The scope check of the fuzz run finds foreign objects, however deeply a response nests them."""

from __future__ import annotations

from zhidu.compliance.models import Violation
from zhidu.customers.models import Customer
from zhidu.groups.models import GroupChat

from .conftest import World
from .scope import named_ids, out_of_scope
from .test_api import SPEC, _response_schema


def test_foreign_objects_are_reported(world: World) -> None:
    a = world.actors
    own = Customer.objects.get(follows__member=a.sales)
    foreign = Customer.objects.filter(follows__member=a.outsider, follows__deleted=False).get()
    body = [{"id": own.pk}, {"id": foreign.pk}]
    found = list(named_ids(SPEC, _response_schema("GET /api/customers/", 200) or {}, body))
    assert found == [("customer", own.pk, "CustomerOut.id"), ("customer", foreign.pk, "CustomerOut.id")]
    assert out_of_scope(a.sales, found) == [("customer", foreign.pk, "CustomerOut.id")]
    assert out_of_scope(a.director, found) == []


def test_nested_and_referenced_ids_are_checked(world: World) -> None:
    a = world.actors
    group = GroupChat.objects.get(owner=a.outsider)
    violation = Violation.objects.get(member=a.outsider)
    group_found = list(named_ids(SPEC, _response_schema("GET /api/groups/{group_id}", 200) or {}, {"id": group.pk}))
    found = group_found + list(
        named_ids(SPEC, _response_schema("GET /api/compliance/violations", 200) or {}, [{"id": violation.pk}])
    )
    assert {(k, i) for k, i, _ in out_of_scope(a.sales, found)} == {("group", group.pk), ("violation", violation.pk)}
    draft = list(named_ids(SPEC, _response_schema("GET /api/policies/resolve", 200) or {}, {"article_id": 10**9}))
    assert out_of_scope(a.sales, draft) == [("article", 10**9, "ResolveOut.article_id")]
