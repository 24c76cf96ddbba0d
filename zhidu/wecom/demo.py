"""The WeCom part of the demo (`zhidu demo`, `make run`): sync the demo company from a local simulator."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings


def demo_company_from_simulator(write: Callable[[str], Any], stdout: Any) -> bool:
    """Sync the organisation, customers and groups from the simulator; False when none is configured."""
    if not (settings.WECOM_CORP_ID and settings.WECOM_API_BASE.startswith("http://127.0.0.1")):
        return False
    from .sync import sync_all

    write(f"Syncing the demo company from the WeCom simulator at {settings.WECOM_API_BASE} …\n")
    counts = sync_all(stdout=stdout)
    write(f"Synced: {counts}\n")
    return True
