"""The suggestion box (建议箱): any member suggests; a lead above answers, accepts, plans or rejects.

An anonymous suggestion keeps its author for the system alone (the author's own list, notifications to them);
pages, the API and the audit log never show who wrote it, and it is routed past the author's supervisor to the
managers and the director, so a small team cannot give its author away.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zhidu.core.models import BaseModel
from zhidu.org.models import Department, Member, Role, department_subtree_ids


class SuggestionTopic(models.TextChoices):
    PROCESS = "process", _("Ways of working")
    SALES = "sales", _("Sales and customers")
    PRODUCT = "product", _("Products and pricing")
    TOOLS = "tools", _("Tools and systems")
    OTHER = "other", _("Other")


class SuggestionStatus(models.TextChoices):
    OPEN = "open", _("Awaiting an answer")
    ANSWERED = "answered", _("Answered")
    ACCEPTED = "accepted", _("Accepted")
    PLANNED = "planned", _("Planned")
    DONE = "done", _("Put into practice")
    REJECTED = "rejected", _("Not adopted")


CLOSED_STATUSES = (SuggestionStatus.DONE, SuggestionStatus.REJECTED)


class SuggestionQuerySet(models.QuerySet["Suggestion"]):
    def visible_to(self, member: Member | None) -> SuggestionQuerySet:
        """The member's own suggestions, plus those they may answer (see `answerable_by`)."""
        if member is None or not member.is_active:
            return self.none()
        return self.filter(Q(author=member) | self._answerable_q(member))

    def answerable_by(self, member: Member | None) -> SuggestionQuerySet:
        """Suggestions `member` may answer: the director all; a manager those from their department subtree; a
        supervisor the named ones of their direct reports. Never their own."""
        if member is None or not member.is_active:
            return self.none()
        return self.filter(self._answerable_q(member)).exclude(author=member)

    @staticmethod
    def _answerable_q(member: Member) -> Q:
        if member.role == Role.DIRECTOR:
            return ~Q(author=member)
        if member.role == Role.MANAGER:
            return Q(department_id__in=department_subtree_ids(member.department_id)) & ~Q(author=member)
        if member.role == Role.SUPERVISOR:
            return Q(anonymous=False, author__reports_to=member)
        return Q(pk__in=[])


class Suggestion(BaseModel):
    author = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="suggestions")
    # The author's department when they wrote it: routing stays stable when they move.
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    anonymous = models.BooleanField(_("anonymous"), default=False)
    topic = models.CharField(_("topic"), max_length=20, choices=SuggestionTopic.choices, default=SuggestionTopic.OTHER)
    title = models.CharField(_("title"), max_length=100)
    body = models.TextField(_("suggestion"))
    status = models.CharField(
        _("status"), max_length=20, choices=SuggestionStatus.choices, default=SuggestionStatus.OPEN
    )
    planned_on = models.DateField(_("planned for"), null=True, blank=True)
    decided_by = models.ForeignKey(Member, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = SuggestionQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=SuggestionStatus.values), name="suggestion_status_valid"),
            models.CheckConstraint(condition=Q(topic__in=SuggestionTopic.values), name="suggestion_topic_valid"),
        ]
        indexes = [models.Index(fields=["department", "status"], name="suggestion_dept_status")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES


class SuggestionReply(BaseModel):
    """One answer or decision on a suggestion, by a lead; the thread the author reads."""

    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=20, choices=SuggestionStatus.choices)
    text = models.TextField(_("answer"), blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=SuggestionStatus.values), name="suggestion_reply_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.suggestion_id}: {self.status}"
