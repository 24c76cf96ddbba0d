"""The work app's REST endpoints (under the API root, prefix "work"): each area mounts its own router here."""

from __future__ import annotations

from ninja import Router

from .library_api import router as library_router
from .meetings_api import router as meetings_router
from .reports_api import router as reports_router
from .suggestions_api import router as suggestions_router
from .tasks_api import plans_router as work_plans_router
from .tasks_api import router as tasks_router

router = Router(tags=["work"])
router.add_router("/suggestions", suggestions_router)
router.add_router("/tasks", tasks_router)
router.add_router("/plans", work_plans_router)
router.add_router("/reports", reports_router)
router.add_router("/meetings", meetings_router)
router.add_router("/library", library_router)
