"""Archiving agreements (check_single_agree): customers who refused archiving are neither stored nor scanned."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings

from zhidu.wecom.archive import ArchiveError

from ..models import (
    AgreeStatus,
    ArchiveAgreement,
    ms_to_datetime,
)

log = logging.getLogger(__name__)

AGREE_BATCH = 99  # check_single_agree refuses ≥ 100 items (301060)

AgreeChecker = Callable[[list[tuple[str, str]]], dict[tuple[str, str], tuple[str, dt.datetime | None]]]


def agreements_for(
    pairs: set[tuple[str, str]], checker: AgreeChecker | None, now: dt.datetime
) -> dict[tuple[str, str], str]:
    """(staff userid, external userid) → agree status; cached rows first, then the checker for unknown or stale."""
    if not pairs:
        return {}
    users = {p[0] for p in pairs}
    externals = {p[1] for p in pairs}
    ttl = dt.timedelta(hours=float(getattr(settings, "ARCHIVE_AGREE_TTL_HOURS", 24)))
    rows = {
        (row.userid, row.external_userid): row
        for row in ArchiveAgreement.objects.filter(userid__in=users, external_userid__in=externals)
    }
    known: dict[tuple[str, str], str] = {}
    stale: set[tuple[str, str]] = set()
    for key, row in rows.items():
        if key in pairs:
            known[key] = row.status
            if now - row.checked_at > ttl:
                stale.add(key)
    ask = sorted((pairs - known.keys()) | stale)
    if checker is None or not ask:
        return known
    answers: dict[tuple[str, str], tuple[str, dt.datetime | None]] = {}
    for i in range(0, len(ask), AGREE_BATCH):
        answers.update(checker(ask[i : i + AGREE_BATCH]))
    changed: list[ArchiveAgreement] = []
    new: list[ArchiveAgreement] = []
    for key, (status, changed_at) in answers.items():
        if status not in AgreeStatus.values:
            continue
        known[key] = status
        existing = rows.get(key)
        if existing is None:
            new.append(
                ArchiveAgreement(
                    userid=key[0], external_userid=key[1], status=status, changed_at=changed_at, checked_at=now
                )
            )
        else:
            existing.status, existing.changed_at, existing.checked_at = status, changed_at, now
            changed.append(existing)
    ArchiveAgreement.objects.bulk_create(new, ignore_conflicts=True)
    ArchiveAgreement.objects.bulk_update(changed, ["status", "changed_at", "checked_at"])
    return known


def agreement_from_record(msg: dict[str, Any], staff_userid: str, now: dt.datetime) -> tuple[str, str] | None:
    """An `agree`/`disagree` archive record updates the cache; returns the pair it concerns."""
    kind = str(msg.get("msgtype"))
    payload = msg.get(kind) or {}
    external = payload.get("userid") or msg.get("from", "")
    if not staff_userid or not external:
        return None
    ms = payload.get(f"{kind}_time")
    changed = ms_to_datetime(ms) if isinstance(ms, int) else None
    status = AgreeStatus.AGREE if kind == "agree" else AgreeStatus.DISAGREE
    ArchiveAgreement.objects.update_or_create(
        userid=staff_userid,
        external_userid=external,
        defaults={"status": status, "changed_at": changed, "checked_at": now},
    )
    return staff_userid, external


def agree_checker_from_settings() -> AgreeChecker | None:
    """check_single_agree through the WeCom client with the chat-archive secret (None if not configured)."""
    if not (settings.WECOM_CORP_ID and settings.WECOM_ARCHIVE_SECRET):
        return None
    from zhidu.wecom.client import WeComClient

    client = WeComClient(settings.WECOM_CORP_ID, settings.WECOM_ARCHIVE_SECRET, base_url=settings.WECOM_API_BASE)
    return client_agree_checker(client)


def client_agree_checker(client: Any) -> AgreeChecker:
    """check_single_agree through `client`. A network failure stops the batch (ArchiveError); a pair WeCom
    refuses to answer for (e.g. 301061, no longer a contact) gets no answer and is treated as agreed."""
    from zhidu.wecom.client import WeComError, WeComTransportError

    unanswerable: set[tuple[str, str]] = set()  # not asked again by this checker

    def ask(pairs: list[tuple[str, str]]) -> list[Any]:
        answer = client.check_single_agree([{"userid": u, "exteranalopenid": e} for u, e in pairs])
        return list(_get(answer, "agreeinfo") or [])

    def answerable(pairs: list[tuple[str, str]]) -> list[Any]:
        """Split a refused request in halves until the pairs WeCom does answer for are found."""
        if len(pairs) == 1:
            log.warning("check_single_agree does not answer for %s", pairs[0])
            unanswerable.add(pairs[0])
            return []
        half = len(pairs) // 2
        out: list[Any] = []
        for part in (pairs[:half], pairs[half:]):
            try:
                out += ask(part)
            except WeComTransportError as exc:
                raise ArchiveError(f"check_single_agree failed: {exc}") from exc
            except WeComError:
                out += answerable(part)
        return out

    def check(pairs: list[tuple[str, str]]) -> dict[tuple[str, str], tuple[str, dt.datetime | None]]:
        pairs = [p for p in pairs if p not in unanswerable]
        if not pairs:
            return {}
        try:
            items = ask(pairs)
        except WeComTransportError as exc:
            raise ArchiveError(f"check_single_agree failed: {exc}") from exc
        except WeComError:
            items = answerable(pairs)
        out: dict[tuple[str, str], tuple[str, dt.datetime | None]] = {}
        for item in items:
            key = (str(_get(item, "userid")), str(_get(item, "exteranalopenid")))
            changed = _get(item, "status_change_time")
            when = dt.datetime.fromtimestamp(changed, tz=dt.UTC) if changed else None
            out[key] = (str(_get(item, "agree_status")), when)
        return out

    return check


def _get(obj: Any, name: str) -> Any:
    return obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)
