"""REST: /api/sales/ (products, orders, targets), scoped to the asking member."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["sales"])


# --- targets: their own module, mounted at /api/sales/targets ---------------------------------------------
from .api_targets import router as targets_router  # noqa: E402

router.add_router("/targets", targets_router)
