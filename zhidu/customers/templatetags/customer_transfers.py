"""`{% customer_transfer_history customer as items %}`: the customer's transfers the viewer may see."""

from __future__ import annotations

from typing import Any

from django import template

from zhidu.customers.transfer_selectors import customer_transfer_history as _history

register = template.Library()


@register.simple_tag(takes_context=True)
def customer_transfer_history(context: dict[str, Any], customer: Any) -> list[Any]:
    request = context.get("request")
    viewer = getattr(request, "member", None)
    if viewer is None or customer is None:
        return []
    return _history(viewer=viewer, customer=customer)
