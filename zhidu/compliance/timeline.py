"""The archived chats shown on a customer's page (a `zhidu.web.timeline` source, registered in ready())."""

from __future__ import annotations

from collections.abc import Sequence

from zhidu.org.models import Member
from zhidu.web.timeline import TimelineEntry

from .models import ArchiveMessage, ChatType, Side


def recent_chats(
    *, viewer: Member, external_userid: str, member_userids: Sequence[str], limit: int
) -> list[TimelineEntry]:
    """The last `limit` single-chat messages between the customer and the given members, through the viewer's
    scope: one query on the (chat_key, msgtime) index."""
    keys = ["|".join(sorted([userid, external_userid])) for userid in member_userids]
    if not keys or limit < 1:
        return []
    rows = (
        ArchiveMessage.objects.visible_to(viewer)
        .filter(chat_key__in=keys, chat_type=ChatType.SINGLE, customer_id=external_userid)
        .select_related("member")
        .only("sent_at", "msgtype", "text", "side", "recalled", "member__name")
        .order_by("-msgtime", "-id")[:limit]
    )
    return [
        TimelineEntry(
            at=m.sent_at,
            source="chat",
            member_name=m.member.name if m.member else "",
            from_customer=m.side == Side.CUSTOMER,
            kind=m.msgtype,
            text=m.text,
        )
        for m in rows
    ]
