"""Meetings (S9 4.2): team meetings, training sessions and follow-up meetings with a customer, with their
participants' attendance, minutes (会议纪要) and action items (待办事项) that become tasks.

Each meeting keeps an org `CalendarEntry` in step (the behaviour rules read the org calendar to flag members who
chat during a meeting). Who reads a meeting: its organizer, its participants, and anyone whose work scope holds
the organizer (a supervisor reads their team's meetings, a manager their department subtree's, the director all).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zhidu.core.models import BaseModel
from zhidu.org.models import CalendarEntry, Department, Member, work_scope_q

from .tasks import Task


class MeetingKind(models.TextChoices):
    TEAM = "team", _("Team meeting")
    TRAINING = "training", _("Training")
    FOLLOWUP = "followup", _("Customer follow-up meeting")


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class Attendance(models.TextChoices):
    PRESENT = "present", _("Present")
    LATE = "late", _("Late")
    ABSENT = "absent", _("Absent")
    EXCUSED = "excused", _("Excused")


class MeetingQuerySet(models.QuerySet["Meeting"]):
    def visible_to(self, member: Member | None) -> MeetingQuerySet:
        if member is None or not member.is_active:
            return self.none()
        taking_part = MeetingParticipant.objects.filter(member=member).values("meeting_id")
        return self.filter(Q(organizer=member) | Q(pk__in=taking_part) | Q(organizer__in=work_scope_q(member)))

    def of(self, member: Member) -> MeetingQuerySet:
        """The meetings `member` takes part in (as organizer or participant)."""
        taking_part = MeetingParticipant.objects.filter(member=member).values("meeting_id")
        return self.filter(Q(organizer=member) | Q(pk__in=taking_part))


class Meeting(BaseModel):
    title = models.CharField(_("title"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=MeetingKind.choices, default=MeetingKind.TEAM)
    agenda = models.TextField(_("agenda"), blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    online_url = models.URLField(_("online link"), max_length=500, blank=True)
    organizer = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="organized_meetings")
    # The organizer's department when they scheduled it (the calendar entry's department).
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(
        "customers.Customer", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    calendar_entry = models.OneToOneField(CalendarEntry, on_delete=models.PROTECT, related_name="work_meeting")
    status = models.CharField(
        _("status"), max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    minutes_by = models.ForeignKey(Member, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    minutes_at = models.DateTimeField(null=True, blank=True)
    # What the periodic reminders already did, so a run never looks at the same meeting twice: the start time
    # participants were reminded of (a rescheduled meeting is reminded again), and when the organizer was told the
    # minutes are missing.
    reminded_start = models.DateTimeField(null=True, blank=True)
    minutes_reminded_at = models.DateTimeField(null=True, blank=True)
    # The follow-up record written on the customer when the minutes of a follow-up meeting were recorded.
    followup = models.ForeignKey(
        "customers.FollowUp", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after"),
            models.CheckConstraint(condition=Q(kind__in=MeetingKind.values), name="meeting_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=MeetingStatus.values), name="meeting_status_valid"),
        ]
        indexes = [
            models.Index(fields=["starts_at", "id"], name="meeting_start_idx"),
            models.Index(fields=["status", "ends_at"], name="meeting_status_end_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def has_minutes(self) -> bool:
        return bool(self.minutes_at)


class MeetingParticipant(BaseModel):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="participants")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    attendance = models.CharField(_("attendance"), max_length=10, choices=Attendance.choices, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="meeting_participant_once"),
            models.CheckConstraint(
                condition=Q(attendance__in=[*Attendance.values, ""]), name="meeting_attendance_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id}: {self.member_id}"


class ActionItem(BaseModel):
    """An action item (待办事项) recorded with the minutes; it becomes a task for its assignee."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="action_items")
    title = models.CharField(_("title"), max_length=100)
    assignee = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    due_at = models.DateTimeField(_("due"))
    task = models.OneToOneField(Task, null=True, blank=True, on_delete=models.SET_NULL, related_name="meeting_item")
    created_by = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title
