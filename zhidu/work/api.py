"""The work app's REST endpoints (under the API root, prefix "work"): each area mounts its own router here."""

from __future__ import annotations

from ninja import Router

from .library_api import router as library_router
from .suggestions_api import router as suggestions_router

router = Router(tags=["work"])
router.add_router("/suggestions", suggestions_router)
router.add_router("/library", library_router)
