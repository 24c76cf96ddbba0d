"""Writes of the suggestion box: submit, and a lead's answer or decision. Each audited, the other side notified.

An anonymous suggestion's submission is audited without an actor (label "anonymous member"), so the audit log
does not give the author away either. Accepting publishes `work.suggestion_accepted` (id=) after commit: an app
that rewards good ideas (discipline) may propose a reward for it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from zhidu.core.audit import audit_record, snapshot
from zhidu.core.errors import DomainError
from zhidu.core.events import publish
from zhidu.core.notifications import notify
from zhidu.core.periods import local_today
from zhidu.core.text import clean_text, model_max_length
from zhidu.org.models import Member, Role

from . import errors as E
from .models import Suggestion, SuggestionReply, SuggestionStatus, SuggestionTopic

SUGGESTION_ACCEPTED = "work.suggestion_accepted"
ANONYMOUS_LABEL = "anonymous member"
BODY_MAX = 2000
AUDITED = ["status", "planned_on", "decided_by"]


class Decision:
    ANSWER = "answer"
    ACCEPT = "accept"
    PLAN = "plan"
    DONE = "done"
    REJECT = "reject"

    # The status each decision leads to, and the statuses it may start from.
    TO = {
        ANSWER: SuggestionStatus.ANSWERED,
        ACCEPT: SuggestionStatus.ACCEPTED,
        PLAN: SuggestionStatus.PLANNED,
        DONE: SuggestionStatus.DONE,
        REJECT: SuggestionStatus.REJECTED,
    }
    FROM = {
        ANSWER: (SuggestionStatus.OPEN, SuggestionStatus.ANSWERED, SuggestionStatus.ACCEPTED, SuggestionStatus.PLANNED),
        ACCEPT: (SuggestionStatus.OPEN, SuggestionStatus.ANSWERED),
        PLAN: (SuggestionStatus.OPEN, SuggestionStatus.ANSWERED, SuggestionStatus.ACCEPTED, SuggestionStatus.PLANNED),
        DONE: (SuggestionStatus.ACCEPTED, SuggestionStatus.PLANNED),
        REJECT: (SuggestionStatus.OPEN, SuggestionStatus.ANSWERED),
    }
    LABELS = {
        ANSWER: gettext_noop("Answer"),
        ACCEPT: gettext_noop("Accept"),
        PLAN: gettext_noop("Plan it"),
        DONE: gettext_noop("Put into practice"),
        REJECT: gettext_noop("Do not adopt"),
    }


# A lead's answer keeps the status it had when the suggestion was already accepted or planned.
_KEEPS_STATUS = (SuggestionStatus.ACCEPTED, SuggestionStatus.PLANNED)


def handlers_for(author: Member, *, anonymous: bool) -> list[int]:
    """Who is told of a new suggestion: the author's supervisor for a named one; for an anonymous one (or when
    there is no supervisor) the first manager or director up the reporting line."""
    seen: set[int] = {author.pk}
    lead = author.reports_to
    while lead is not None and lead.pk not in seen:
        seen.add(lead.pk)
        if lead.is_active and (not anonymous or lead.role in (Role.MANAGER, Role.DIRECTOR)):
            return [lead.pk]
        lead = lead.reports_to
    return []


def suggestion_submit(
    *, actor: Member, title: str, body: str, topic: str = SuggestionTopic.OTHER, anonymous: bool = False
) -> Suggestion:
    if not actor.is_active:
        raise DomainError(E.ERR_SUGGESTION_INACTIVE, code="forbidden")
    title = clean_text(title, field="title", max_length=model_max_length(Suggestion, "title")).strip()
    body = clean_text(body, field="body", max_length=BODY_MAX).strip()
    if not title:
        raise DomainError(E.ERR_SUGGESTION_TITLE, field="title")
    if not body:
        raise DomainError(E.ERR_SUGGESTION_BODY, field="body")
    if topic not in SuggestionTopic.values:
        raise DomainError(E.ERR_SUGGESTION_TOPIC, field="topic")
    with transaction.atomic():
        s = Suggestion.objects.create(
            author=actor, department_id=actor.department_id, anonymous=anonymous, topic=topic, title=title, body=body
        )
        audit_record(
            actor=None if anonymous else actor,
            actor_label=ANONYMOUS_LABEL if anonymous else "",
            verb="suggestion.submit",
            target=s,
            after={"title": title, "topic": topic, "anonymous": anonymous},
        )
        notify(
            member_ids=handlers_for(actor, anonymous=anonymous),
            title=gettext("New suggestion to answer"),
            body=title,
            url=reverse("work:suggestion", args=[s.pk]),
            dedupe_key=f"suggestion:{s.pk}:new",
        )
    return s


def can_answer(actor: Member, suggestion: Suggestion) -> bool:
    return Suggestion.objects.answerable_by(actor).filter(pk=suggestion.pk).exists()


def suggestion_decide(
    *, actor: Member, suggestion: Suggestion, decision: str, text: str = "", planned_on: dt.date | None = None
) -> Suggestion:
    """A lead answers (status becomes "answered" unless it is already accepted or planned) or decides."""
    if decision not in Decision.TO:
        raise DomainError(E.ERR_SUGGESTION_DECISION, field="decision")
    text = clean_text(text, field="text", max_length=BODY_MAX).strip()
    with transaction.atomic():
        s = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
        if not can_answer(actor, s):
            raise DomainError(E.ERR_SUGGESTION_NOT_YOURS, code="forbidden")
        if s.is_closed:
            raise DomainError(E.ERR_SUGGESTION_CLOSED, code="conflict")
        if s.status not in Decision.FROM[decision]:
            raise DomainError(
                E.ERR_SUGGESTION_STEP,
                code="conflict",
                field="decision",
                status=s.get_status_display(),
                decision=Decision.LABELS[decision],
            )
        if decision in (Decision.ANSWER, Decision.REJECT) and not text:
            raise DomainError(E.ERR_SUGGESTION_TEXT, field="text")
        if planned_on is not None and planned_on < local_today():
            raise DomainError(E.ERR_SUGGESTION_PLANNED_ON, field="planned_on")
        before = snapshot(s, AUDITED)
        status = Decision.TO[decision]
        if decision == Decision.ANSWER and s.status in _KEEPS_STATUS:
            status = SuggestionStatus(s.status)
        s.status = status
        if decision == Decision.PLAN:
            s.planned_on = planned_on
        s.decided_by = actor
        s.decided_at = timezone.now()
        s.save(update_fields=["status", "planned_on", "decided_by", "decided_at", "updated_at"])
        SuggestionReply.objects.create(suggestion=s, author=actor, status=status, text=text)
        audit_record(
            actor=actor,
            verb=f"suggestion.{decision}",
            target=s,
            before=before,
            after=snapshot(s, AUDITED),
            reason=text,
        )
        notify(
            member_ids=[s.author_id],
            title=gettext("Your suggestion has an answer"),
            body=s.title,
            url=reverse("work:suggestion", args=[s.pk]),
        )
        if decision == Decision.ACCEPT:
            publish(SUGGESTION_ACCEPTED, id=s.pk)
    return s


def decision_choices(suggestion: Suggestion) -> list[tuple[str, Any]]:
    """The decisions open to a lead on this suggestion now (for the form)."""
    if suggestion.is_closed:
        return []
    return [(d, Decision.LABELS[d]) for d, starts in Decision.FROM.items() if suggestion.status in starts]
