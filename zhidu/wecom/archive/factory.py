"""The configured live source (settings decide: Finance SDK or simulator)."""

from __future__ import annotations

import os

from .base import ArchiveError, ArchiveSource
from .keys import private_keys_from_settings
from .sdk import FinanceSdkSource
from .simulator import SimulatorArchiveSource


def source_from_settings(kind: str = "") -> ArchiveSource:
    """The configured live source: "sdk" (production) or "simulator" (WECOM_API_BASE is the simulator).

    Without `kind`, WECOM_ARCHIVE_SOURCE decides; if that is unset too, a local WECOM_API_BASE
    (http://127.0.0.1…, the simulator) means "simulator" and anything else "sdk".
    """
    from django.conf import settings

    kind = kind or getattr(settings, "WECOM_ARCHIVE_SOURCE", "") or os.environ.get("WECOM_ARCHIVE_SOURCE", "")
    if not kind:
        local = settings.WECOM_API_BASE.startswith(("http://127.0.0.1", "http://localhost"))
        kind = "simulator" if local else "sdk"
    keys = private_keys_from_settings()
    if kind == "simulator":
        return SimulatorArchiveSource.from_url(
            base_url=settings.WECOM_API_BASE,
            corp_id=settings.WECOM_CORP_ID,
            secret=settings.WECOM_ARCHIVE_SECRET,
            private_keys=keys,
            decrypt_workers=int(getattr(settings, "ARCHIVE_DECRYPT_WORKERS", 0) or 0),
        )
    if kind == "sdk":
        path = getattr(settings, "WECOM_FINANCE_SDK_PATH", "") or os.environ.get("WECOM_FINANCE_SDK_PATH", "")
        return FinanceSdkSource(
            library_path=path,
            corp_id=settings.WECOM_CORP_ID,
            secret=settings.WECOM_ARCHIVE_SECRET,
            private_keys=keys,
        )
    raise ArchiveError(f"unknown archive source {kind!r}; expected 'sdk' or 'simulator'")
