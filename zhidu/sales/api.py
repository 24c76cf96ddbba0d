"""REST: /api/sales/ (products, orders, targets), scoped to the asking member."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["sales"])
