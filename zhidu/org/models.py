"""Departments, members, roles, membership applications, API tokens, and data scopes."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zhidu.core.models import BaseModel

if TYPE_CHECKING:
    from django.db.models import QuerySet


class Role(models.TextChoices):
    DIRECTOR = "director", _("Sales director")
    MANAGER = "manager", _("Sales manager")
    SUPERVISOR = "supervisor", _("Sales supervisor")
    SALES = "sales", _("Salesperson")
    COMPLIANCE = "compliance", _("Compliance officer")
    ADMIN = "admin", _("Administrator")


# Roles that lead people, and whom they may lead.
LEAD_ROLES = (Role.DIRECTOR, Role.MANAGER, Role.SUPERVISOR)
SALES_ROLES = (Role.DIRECTOR, Role.MANAGER, Role.SUPERVISOR, Role.SALES)


class MemberStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    REMOVED = "removed", _("Removed")


class DepartmentQuerySet(models.QuerySet["Department"]):
    def visible_to(self, member: Member | None) -> DepartmentQuerySet:
        if member is None or not member.is_active:
            return self.none()
        if member.role in (Role.DIRECTOR, Role.COMPLIANCE, Role.ADMIN):
            return self
        if member.role == Role.MANAGER:
            return self.filter(pk__in=department_subtree_ids(member.department_id))
        return self.filter(pk=member.department_id)


class Department(BaseModel):
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("parent")
    )
    wecom_id = models.BigIntegerField(_("WeCom department id"), null=True, blank=True)
    order = models.BigIntegerField(default=0)

    objects = DepartmentQuerySet.as_manager()

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        constraints = [
            models.UniqueConstraint(fields=["wecom_id"], name="department_unique_wecom_id"),
            models.CheckConstraint(condition=~Q(parent=models.F("id")), name="department_not_own_parent"),
        ]

    def __str__(self) -> str:
        return self.name

    def ancestor_ids(self) -> list[int]:
        """Ids from the parent up to the root (bounded, so a corrupt cycle cannot loop forever)."""
        parents = dict(Department.objects.values_list("id", "parent_id"))
        out: list[int] = []
        current = self.parent_id
        while current is not None and current not in out and len(out) < MAX_DEPTH:
            out.append(current)
            current = parents.get(current)
        return out


MAX_DEPTH = 32


def department_subtree_ids(root_id: int | None) -> set[int]:
    """The department and all its descendants (one query; depth-limited)."""
    if root_id is None:
        return set()
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in Department.objects.values_list("id", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    out = {root_id}
    frontier = [root_id]
    for _depth in range(MAX_DEPTH):
        frontier = [c for p in frontier for c in children.get(p, []) if c not in out]
        if not frontier:
            break
        out.update(frontier)
    return out


class MemberQuerySet(models.QuerySet["Member"]):
    def visible_to(self, member: Member | None) -> MemberQuerySet:
        """Members the asking member may see (people lists)."""
        if member is None or not member.is_active:
            return self.none()
        if member.role in (Role.DIRECTOR, Role.COMPLIANCE, Role.ADMIN):
            return self
        return self.filter(pk__in=work_scope_q(member))

    def active(self) -> MemberQuerySet:
        return self.filter(status=MemberStatus.ACTIVE)


def work_scope_q(member: Member) -> QuerySet[Member, Any]:
    """Ids of members whose *work* (customers, orders, chats, violations) `member` may read.

    director and compliance: everyone; manager: their department subtree; supervisor: themselves
    and the members who report to them; sales: themselves; admin: nobody (configuration only).
    """
    base = Member.objects.all()
    if not member.is_active:
        return base.none().values("pk")
    if member.role in (Role.DIRECTOR, Role.COMPLIANCE):
        return base.values("pk")
    if member.role == Role.MANAGER:
        return base.filter(department_id__in=department_subtree_ids(member.department_id)).values("pk")
    if member.role == Role.SUPERVISOR:
        return base.filter(Q(pk=member.pk) | Q(reports_to=member)).values("pk")
    if member.role == Role.SALES:
        return base.filter(pk=member.pk).values("pk")
    return base.none().values("pk")


class Member(BaseModel):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="member"
    )
    name = models.CharField(_("name"), max_length=100)
    wecom_userid = models.CharField(_("WeCom userid"), max_length=64, null=True, blank=True)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="members", verbose_name=_("department")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.SALES)
    role_locked = models.BooleanField(default=False, help_text="role was set by hand; WeCom sync never changes it")
    reports_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reports", verbose_name=_("reports to")
    )
    status = models.CharField(_("status"), max_length=20, choices=MemberStatus.choices, default=MemberStatus.ACTIVE)
    position = models.CharField(_("position"), max_length=100, blank=True)
    mobile = models.CharField(_("mobile"), max_length=32, blank=True)
    email = models.EmailField(_("email"), blank=True)

    objects = MemberQuerySet.as_manager()

    class Meta:
        ordering = ["department_id", "id"]
        verbose_name = _("member")
        verbose_name_plural = _("members")
        constraints = [
            models.UniqueConstraint(fields=["wecom_userid"], name="member_unique_wecom_userid"),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="member_role_valid"),
            models.CheckConstraint(condition=Q(status__in=MemberStatus.values), name="member_status_valid"),
            models.CheckConstraint(condition=~Q(reports_to=models.F("id")), name="member_not_own_lead"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.status == MemberStatus.ACTIVE

    @property
    def is_lead(self) -> bool:
        return self.role in LEAD_ROLES

    def can_see_work_of(self, other: Member) -> bool:
        return Member.objects.filter(pk=other.pk, pk__in=work_scope_q(self)).exists()


class ApplicationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class MembershipApplicationQuerySet(models.QuerySet["MembershipApplication"]):
    def visible_to(self, member: Member | None) -> MembershipApplicationQuerySet:
        """Applications the member may decide or read: to them, or into departments they lead."""
        if member is None or not member.is_active:
            return self.none()
        if member.role in (Role.DIRECTOR, Role.ADMIN, Role.COMPLIANCE):
            return self
        if member.role == Role.MANAGER:
            return self.filter(department_id__in=department_subtree_ids(member.department_id))
        if member.role == Role.SUPERVISOR:
            return self.filter(Q(lead=member) | Q(lead__isnull=True, department_id=member.department_id))
        return self.none()


class MembershipApplication(BaseModel):
    """A person asks to join a team; the team lead approves or rejects with a reason."""

    name = models.CharField(_("name"), max_length=100)
    username = models.CharField(_("login name"), max_length=150)
    password_hash = models.CharField(max_length=256, blank=True)
    wecom_userid = models.CharField(_("WeCom userid"), max_length=64, blank=True)
    mobile = models.CharField(_("mobile"), max_length=32, blank=True)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="applications")
    lead = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.PROTECT, related_name="applications_to_decide"
    )
    requested_role = models.CharField(max_length=20, choices=Role.choices, default=Role.SALES)
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(max_length=20, choices=ApplicationStatus.choices, default=ApplicationStatus.PENDING)
    decided_by = models.ForeignKey(Member, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    member = models.OneToOneField(Member, null=True, blank=True, on_delete=models.PROTECT, related_name="application")

    objects = MembershipApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ApplicationStatus.values), name="application_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.name} → {self.department}"


class ApiToken(BaseModel):
    """A per-member REST API token. Only its SHA-256 is stored; the clear value is shown once."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.member} {self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()


# --- account profiles (S8 第十条: the designated account's avatar, name and signature stay as approved) ---

# The profile fields WeCom's user/get shows customers, compared field by field.
PROFILE_FIELDS = ("name", "alias", "avatar", "external_position", "external_profile")


class ProfileSource(models.TextChoices):
    BASELINE = "baseline", _("First observation")
    REVIEW = "review", _("Approved in a review")
    ZHIDU = "zhidu", _("Changed through zhidu")


class ApprovedProfile(BaseModel):
    """The member's approved public profile; a check that observes something else opens a `ProfileReview`."""

    member = models.OneToOneField(Member, on_delete=models.CASCADE, related_name="approved_profile")
    name = models.CharField(_("name"), max_length=100, blank=True)
    alias = models.CharField(_("alias"), max_length=64, blank=True)
    avatar = models.URLField(_("avatar"), max_length=500, blank=True)
    external_position = models.CharField(_("external position"), max_length=64, blank=True)
    external_profile = models.JSONField(_("external profile"), default=dict, blank=True)
    source = models.CharField(max_length=20, choices=ProfileSource.choices, default=ProfileSource.BASELINE)
    approved_by = models.ForeignKey(Member, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField()

    class Meta:
        verbose_name = _("approved profile")
        verbose_name_plural = _("approved profiles")
        constraints = [
            models.CheckConstraint(condition=Q(source__in=ProfileSource.values), name="approved_profile_source_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.member}"

    def values(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in PROFILE_FIELDS}


class ReviewStatus(models.TextChoices):
    OPEN = "open", _("Awaiting decision")
    APPROVED = "approved", _("Change approved")
    RESTORE_REQUESTED = "restore_requested", _("Restore requested")
    RESTORED = "restored", _("Restored")
    SUPERSEDED = "superseded", _("Superseded")


OPEN_REVIEW_STATUSES = (ReviewStatus.OPEN, ReviewStatus.RESTORE_REQUESTED)


class ProfileReviewQuerySet(models.QuerySet["ProfileReview"]):
    def visible_to(self, member: Member | None) -> ProfileReviewQuerySet:
        """Reviews of members whose work the viewer may read (sales: their own; leads: their scope)."""
        if member is None or not member.is_active:
            return self.none()
        return self.filter(member_id__in=work_scope_q(member))

    def open(self) -> ProfileReviewQuerySet:
        return self.filter(status__in=OPEN_REVIEW_STATUSES)


class ProfileReview(BaseModel):
    """An observed profile that differs from the approved one, until a lead decides or the member restores it.

    Nobody is blamed: an admin's console edit looks the same as the member's own, so there is no violation."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="profile_reviews")
    approved = models.JSONField(_("approved profile"), default=dict)
    observed = models.JSONField(_("observed profile"), default=dict)
    changed_fields = models.JSONField(_("changed fields"), default=list)
    status = models.CharField(_("status"), max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.OPEN)
    decided_by = models.ForeignKey(Member, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    observed_at = models.DateTimeField(_("last observed"))
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = ProfileReviewQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("profile review")
        verbose_name_plural = _("profile reviews")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ReviewStatus.values), name="profile_review_status_valid"),
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(status__in=["open", "restore_requested"]),
                name="profile_review_one_open_per_member",
            ),
        ]
        indexes = [models.Index(fields=["status", "id"], name="profile_review_status_id")]

    def __str__(self) -> str:
        return f"{self.member} #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_REVIEW_STATUSES


# --------------------------------------------------------------------------------------------- meetings and training


class SessionKind(models.TextChoices):
    MEETING = "meeting", _("Meeting")
    TRAINING = "training", _("Training")


class CalendarEntryQuerySet(models.QuerySet["CalendarEntry"]):
    def visible_to(self, member: Member | None) -> CalendarEntryQuerySet:
        """Sessions of the departments `member` may see (directors, compliance and admins: all)."""
        if member is None or not member.is_active:
            return self.none()
        return self.filter(department__in=Department.objects.visible_to(member))

    def active(self) -> CalendarEntryQuerySet:
        return self.filter(cancelled_at__isnull=True)


class CalendarEntry(BaseModel):
    """A meeting or training session of a department (S6: no WeChat during them). Participants are the whole
    department subtree, or the listed members when `whole_department` is off."""

    title = models.CharField(_("title"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=SessionKind.choices, default=SessionKind.MEETING)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="calendar_entries", verbose_name=_("department")
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    whole_department = models.BooleanField(_("whole department"), default=True)
    participants = models.ManyToManyField(Member, blank=True, related_name="+", verbose_name=_("participants"))
    created_by = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("created by")
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    objects = CalendarEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("calendar entry")
        verbose_name_plural = _("calendar entries")
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="calendarentry_ends_after"),
            models.CheckConstraint(condition=Q(kind__in=SessionKind.values), name="calendarentry_kind_valid"),
        ]
        indexes = [models.Index(fields=["starts_at", "ends_at"], name="calendarentry_time_idx")]

    def __str__(self) -> str:
        return self.title


class MeetingFlag(BaseModel):
    """A department's choice whether messages sent during its meetings and training are flagged. Sub-departments
    inherit the nearest setting above them; with none, messages are not flagged."""

    department = models.OneToOneField(
        Department, on_delete=models.CASCADE, related_name="meeting_flag", verbose_name=_("department")
    )
    flag_messages = models.BooleanField(_("flag messages during meetings"), default=False)

    class Meta:
        verbose_name = _("meeting message setting")
        verbose_name_plural = _("meeting message settings")

    def __str__(self) -> str:
        return f"{self.department_id}: {self.flag_messages}"


# --------------------------------------------------------------------------------------------- working calendars


def _default_spans() -> list[list[int]]:
    return [[9 * 60, 12 * 60], [13 * 60, 18 * 60]]


class WorkingCalendarQuerySet(models.QuerySet["WorkingCalendar"]):
    def visible_to(self, member: Member | None) -> WorkingCalendarQuerySet:
        """Calendars of departments the member may see (the company default: everyone who sees any)."""
        if member is None or not member.is_active:
            return self.none()
        if member.role in (Role.DIRECTOR, Role.COMPLIANCE, Role.ADMIN):
            return self
        return self.filter(Q(department=None) | Q(department__in=Department.objects.visible_to(member).values("pk")))


class WorkingCalendar(BaseModel):
    """Working days and hours of a department (inherited by its sub-departments); `department=None` is the company
    default. Reply deadlines count only working time under the responsible member's calendar."""

    department = models.OneToOneField(
        Department,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="working_calendar",
        verbose_name=_("department"),
    )
    workdays = models.CharField(_("working weekdays"), max_length=7, default="12345", help_text="ISO weekdays, 1=Mon")
    spans = models.JSONField(_("working hours"), default=_default_spans, help_text="[[start, end], …] minutes")
    timezone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai")

    objects = WorkingCalendarQuerySet.as_manager()

    class Meta:
        ordering = ["department_id"]
        verbose_name = _("working calendar")
        verbose_name_plural = _("working calendars")
        constraints = [
            models.UniqueConstraint(
                fields=["department"], condition=Q(department=None), name="workingcalendar_one_default"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.department or _('Company default')}"


class CalendarException(models.Model):
    """A dated exception to a calendar's weekdays: a holiday (working=False) or a make-up working day (working=True)."""

    calendar = models.ForeignKey(WorkingCalendar, on_delete=models.CASCADE, related_name="exceptions")
    day = models.DateField(_("date"))
    working = models.BooleanField(_("working day"), default=False)
    note = models.CharField(_("note"), max_length=100, blank=True)

    class Meta:
        ordering = ["calendar_id", "day"]
        verbose_name = _("calendar exception")
        verbose_name_plural = _("calendar exceptions")
        constraints = [models.UniqueConstraint(fields=["calendar", "day"], name="calendarexception_unique_day")]

    def __str__(self) -> str:
        return f"{self.day} {'+' if self.working else '-'}"
