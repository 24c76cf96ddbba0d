"""The /api/work/ endpoints: each area mounts its own router here."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["work"])
