"""Reads of the suggestion box, always through the asking member's scope (`Suggestion.objects.visible_to`)."""

from __future__ import annotations

from zhidu.core.errors import NotFound
from zhidu.org.models import Member

from .models import Suggestion, SuggestionReply, SuggestionStatus

PAGE = 50  # suggestions per page (key-paged: `before` is the last id shown)
BOXES = ("mine", "inbox")


def suggestion_page(
    member: Member, *, box: str = "mine", status: str = "", before: int | None = None, limit: int = PAGE
) -> list[Suggestion]:
    """One page, newest first: "mine" the member's own, "inbox" those they may answer."""
    qs = Suggestion.objects.filter(author=member) if box == "mine" else Suggestion.objects.answerable_by(member)
    if status in SuggestionStatus.values:
        qs = qs.filter(status=status)
    if before is not None:
        qs = qs.filter(pk__lt=before)
    return list(qs.select_related("author", "department").order_by("-pk")[:limit])


def suggestion_open_count(member: Member) -> int:
    """Suggestions waiting for the member's first answer."""
    return Suggestion.objects.answerable_by(member).filter(status=SuggestionStatus.OPEN).count()


def suggestion_get_for(member: Member, suggestion_id: int) -> Suggestion:
    s = (
        Suggestion.objects.visible_to(member)
        .select_related("author", "department", "decided_by")
        .filter(pk=suggestion_id)
        .first()
    )
    if s is None:
        raise NotFound
    return s


def suggestion_replies(suggestion: Suggestion) -> list[SuggestionReply]:
    return list(suggestion.replies.select_related("author").order_by("pk")[:200])
