"""The OpenAPI document names each schema component by its class name: two apps' schemas with one name make
ninja describe one of them with the other's fields, and responses then fail their own schema."""

from __future__ import annotations

from collections import defaultdict

from ninja import Schema

import zhidu.api


def _subclasses(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found.add(sub)
        found |= _subclasses(sub)
    return found


def test_every_api_schema_class_name_is_unique() -> None:
    by_name: dict[str, set[str]] = defaultdict(set)
    for cls in _subclasses(Schema):
        if cls.__module__.startswith("zhidu."):
            by_name[cls.__name__].add(f"{cls.__module__}.{cls.__qualname__}")
    assert len(by_name) > 50  # the API's schemas were found
    clashes = {name: sorted(paths) for name, paths in by_name.items() if len(paths) > 1}
    assert clashes == {}


def test_the_openapi_document_has_a_component_for_every_response_schema() -> None:
    spec = zhidu.api.api.get_openapi_schema()
    components = spec["components"]["schemas"]
    for name in ("TransferItemOut", "TargetPlanOut", "PlanOut", "ItemOut", "OrderOut"):
        assert name in components
