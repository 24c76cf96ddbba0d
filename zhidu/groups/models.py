"""Customer group chats (客户群) and their members, as WeCom reports them."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhidu.core.models import BaseModel
from zhidu.customers.models import Customer
from zhidu.org.models import Department, Member, Role, work_scope_q


class GroupKind(models.TextChoices):
    """Customer groups (客户群, `externalcontact/groupchat/*`) and internal groups (内部群: staff-only rooms known
    from the chat archive and `msgaudit/groupchat/get`)."""

    CUSTOMER = "customer", _("Customer group")
    INTERNAL = "internal", _("Internal group")


class GroupStatus(models.TextChoices):
    NORMAL = "normal", _("Normal")
    OWNER_LEFT = "owner_left", _("Owner left, awaiting inheritance")
    INHERITING = "inheriting", _("Inheritance in progress")
    INHERITED = "inherited", _("Inherited")
    DISMISSED = "dismissed", pgettext_lazy("group chat status", "Dismissed")


# WeCom's groupchat/list status codes (API.md §4.9) to ours.
WECOM_GROUP_STATUS = {
    0: GroupStatus.NORMAL,
    1: GroupStatus.OWNER_LEFT,
    2: GroupStatus.INHERITING,
    3: GroupStatus.INHERITED,
}


class GroupChatQuerySet(models.QuerySet["GroupChat"]):
    def visible_to(self, member: Member | None) -> GroupChatQuerySet:
        """Groups owned by a member in `member`'s work scope, or where such a member is (still) in the group."""
        if member is None or not member.is_active:
            return self.none()
        if member.role in (Role.DIRECTOR, Role.COMPLIANCE):
            return self
        scope = work_scope_q(member)
        joined = GroupMember.objects.filter(member__in=scope, left_at=None).values("group_id")
        return self.filter(Q(owner__in=scope) | Q(pk__in=joined))


class GroupChat(BaseModel):
    chat_id = models.CharField(_("chat id"), max_length=64)
    name = models.CharField(_("name"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=GroupKind.choices, default=GroupKind.CUSTOMER)
    creator_userid = models.CharField(_("creator userid"), max_length=64, blank=True)
    owner = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_groups", verbose_name=_("owner")
    )
    owner_userid = models.CharField(_("owner userid"), max_length=64, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=GroupStatus.choices, default=GroupStatus.NORMAL)
    notice = models.TextField(_("notice"), blank=True)
    created = models.DateTimeField(_("created in WeCom"), null=True, blank=True)
    member_version = models.CharField(max_length=64, blank=True)
    dismissed_at = models.DateTimeField(null=True, blank=True)

    objects = GroupChatQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("group chat")
        verbose_name_plural = _("group chats")
        constraints = [
            models.UniqueConstraint(fields=["chat_id"], name="groupchat_unique_chat_id"),
            models.CheckConstraint(condition=Q(status__in=GroupStatus.values), name="groupchat_status_valid"),
            models.CheckConstraint(condition=Q(kind__in=GroupKind.values), name="groupchat_kind_valid"),
        ]

    def __str__(self) -> str:
        return self.name or self.chat_id


class MemberType(models.TextChoices):
    STAFF = "staff", _("Staff")
    CUSTOMER = "customer", _("Customer")


class JoinScene(models.IntegerChoices):
    UNKNOWN = 0, _("Unknown")
    DIRECT = 1, _("Invited directly")
    LINK = 2, _("Invited by link")
    QR_CODE = 3, _("Scanned group QR code")


class GroupMemberQuerySet(models.QuerySet["GroupMember"]):
    def visible_to(self, member: Member | None) -> GroupMemberQuerySet:
        return self.filter(group__in=GroupChat.objects.visible_to(member).values("pk"))

    def present(self) -> GroupMemberQuerySet:
        return self.filter(left_at=None)


class GroupMember(BaseModel):
    """One person in a group: a staff member (userid) or an external contact (external userid)."""

    group = models.ForeignKey(GroupChat, on_delete=models.CASCADE, related_name="members", verbose_name=_("group"))
    userid = models.CharField(_("userid"), max_length=64, help_text="userid for staff, external_userid for customers")
    type = models.CharField(_("type"), max_length=10, choices=MemberType.choices)
    member = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="group_memberships"
    )
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="group_memberships"
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    group_nickname = models.CharField(_("group nickname"), max_length=200, blank=True)
    join_time = models.DateTimeField(_("joined at"), null=True, blank=True)
    join_scene = models.PositiveSmallIntegerField(_("join scene"), choices=JoinScene.choices, default=JoinScene.UNKNOWN)
    invitor_userid = models.CharField(_("invited by"), max_length=64, blank=True)
    is_admin = models.BooleanField(_("group admin"), default=False)
    unionid = models.CharField(max_length=64, blank=True)
    state = models.CharField(max_length=100, blank=True)
    left_at = models.DateTimeField(_("left at"), null=True, blank=True)

    objects = GroupMemberQuerySet.as_manager()

    class Meta:
        ordering = ["group_id", "join_time", "id"]
        verbose_name = _("group member")
        verbose_name_plural = _("group members")
        constraints = [
            models.UniqueConstraint(fields=["group", "userid"], name="groupmember_unique_group_userid"),
            models.CheckConstraint(condition=Q(type__in=MemberType.values), name="groupmember_type_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.group}: {self.group_nickname or self.name or self.userid}"

    @property
    def display_name(self) -> str:
        return self.group_nickname or self.name or self.userid


# --- conventions (S6 第四–六条): group names, '部门+姓名' nicknames, admins designated by the department head ---

DEFAULT_NAME_TEMPLATE = "{部门}群"
DEFAULT_CUSTOMER_NAME_TEMPLATE = "{部门}{*}群"
DEFAULT_NICKNAME_TEMPLATE = "{部门}{姓名}"
DEFAULT_SEPARATORS = "-_·/ "


class GroupConvention(BaseModel):
    """One department's group conventions; departments without a row inherit the nearest ancestor's, and
    without any the built-in defaults above. Placeholders: {部门} (a department label, see `naming.py`),
    {姓名} (the member's name), {*} (any text)."""

    department = models.OneToOneField(
        Department, on_delete=models.CASCADE, related_name="group_convention", verbose_name=_("department")
    )
    name_template = models.CharField(_("internal group name template"), max_length=100, default=DEFAULT_NAME_TEMPLATE)
    customer_name_template = models.CharField(
        _("customer group name template"), max_length=100, default=DEFAULT_CUSTOMER_NAME_TEMPLATE
    )
    nickname_template = models.CharField(_("nickname template"), max_length=100, default=DEFAULT_NICKNAME_TEMPLATE)
    separators = models.CharField(_("allowed separators"), max_length=20, default=DEFAULT_SEPARATORS, blank=True)
    check_name = models.BooleanField(_("check group names"), default=True)
    check_nickname = models.BooleanField(_("check staff nicknames"), default=True)
    check_admins = models.BooleanField(_("compare designated admins with WeCom"), default=True)
    require_admin = models.BooleanField(_("require a designated admin"), default=True)
    updated_by = models.ForeignKey(Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("group convention")
        verbose_name_plural = _("group conventions")

    def __str__(self) -> str:
        return str(self.department_id)


class GroupAdminDesignation(BaseModel):
    """A member designated as a group's admin by the head of the group's department (S6 第五条)."""

    group = models.ForeignKey(GroupChat, on_delete=models.CASCADE, related_name="admin_designations")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="admin_designations")
    designated_by = models.ForeignKey(Member, null=True, on_delete=models.SET_NULL, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["group_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "member"], condition=Q(revoked_at=None), name="designation_unique_active"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.group_id}:{self.member_id}"


class IssueKind(models.TextChoices):
    GROUP_NAME = "group_name", _("Group name does not follow the naming rule")
    NICKNAME = "nickname", _("Group nickname is not department + name")
    ADMIN_NOT_SET = "admin_not_set", _("Designated admin is not an admin in WeCom")
    ADMIN_UNDESIGNATED = "admin_undesignated", _("Admin in WeCom was not designated")
    NO_ADMIN = "no_admin", _("No designated admin")


class ConventionIssueQuerySet(models.QuerySet["ConventionIssue"]):
    def visible_to(self, member: Member | None) -> ConventionIssueQuerySet:
        return self.filter(group__in=GroupChat.objects.visible_to(member).values("pk"))

    def open(self) -> ConventionIssueQuerySet:
        return self.filter(resolved_at=None)


class ConventionIssue(BaseModel):
    """A group (or one of its staff members) breaking its department's conventions; resolved when fixed."""

    group = models.ForeignKey(GroupChat, on_delete=models.CASCADE, related_name="convention_issues")
    kind = models.CharField(_("issue"), max_length=20, choices=IssueKind.choices)
    userid = models.CharField(max_length=64, blank=True, help_text="the staff member concerned; blank: the group")
    member = models.ForeignKey(Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    responsible = models.ForeignKey(Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    expected = models.CharField(_("expected"), max_length=200, blank=True)
    actual = models.CharField(_("actual"), max_length=200, blank=True)
    first_seen = models.DateTimeField(_("first seen"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("last reminded at"), null=True, blank=True)
    reminders = models.PositiveIntegerField(default=0)

    objects = ConventionIssueQuerySet.as_manager()

    class Meta:
        ordering = ["group_id", "kind", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "kind", "userid"], condition=Q(resolved_at=None), name="conventionissue_unique_open"
            ),
            models.CheckConstraint(condition=Q(kind__in=IssueKind.values), name="conventionissue_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.group_id}:{self.kind}:{self.userid}"


# ------------------------------------------------------------------------------------------------ moderation
# WeCom has no API to mute or remove someone from a group: a decided action becomes a task for the group owner, who
# carries it out in WeCom and confirms it here (or declines with a reason). See `zhidu/groups/moderation.py`.


class ActionKind(models.TextChoices):
    WARN = "warn", _("Warn")
    DELETE = "delete", _("Delete the message")
    MUTE = "mute", _("Mute")
    REMOVE = "remove", _("Remove from the group")
    BAN = "ban", _("Ban")


class ActionStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the owner")
    DONE = "done", _("Done")
    DECLINED = "declined", _("Declined")


class CaseStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("moderation case status", "Open")
    CLOSED = "closed", _("Closed")


class CaseSource(models.TextChoices):
    SCAN = "scan", _("Chat scan")
    BEHAVIOUR = "behaviour", _("Behaviour check")
    MANUAL = "manual", _("Recorded by hand")


class ModerationCaseQuerySet(models.QuerySet["ModerationCase"]):
    def visible_to(self, member: Member | None) -> ModerationCaseQuerySet:
        """Cases of groups the member sees, and single-chat cases assigned to a member in their work scope."""
        if member is None or not member.is_active:
            return self.none()
        if member.role in (Role.DIRECTOR, Role.COMPLIANCE):
            return self
        groups = GroupChat.objects.visible_to(member).values("pk")
        return self.filter(Q(group__in=groups) | Q(group=None, assignee__in=work_scope_q(member)))


class ModerationCase(BaseModel):
    """Something a group's (or a single chat's) owner should look at: a customer's abuse or ad found by the chat
    scan, a customer flooding a group, or an action a lead decided. Nobody is blamed by a case; actions follow."""

    group = models.ForeignKey(
        GroupChat, null=True, blank=True, on_delete=models.CASCADE, related_name="cases", verbose_name=_("group")
    )
    chat_key = models.CharField(max_length=260, help_text="room id, or the sorted pair of a single chat")
    assignee = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("assigned to")
    )
    offender_userid = models.CharField(_("person"), max_length=64)
    offender_type = models.CharField(_("person type"), max_length=10, choices=MemberType.choices)
    offender_name = models.CharField(_("name"), max_length=200, blank=True)
    reason = models.CharField(_("reason"), max_length=200)
    category = models.CharField(_("category"), max_length=30, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=CaseSource.choices, default=CaseSource.MANUAL)
    msgid = models.CharField(max_length=128, blank=True)
    text = models.TextField(_("message"), blank=True)
    occurred_at = models.DateTimeField(_("occurred at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    opened_by = models.ForeignKey(Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = ModerationCaseQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("moderation case")
        verbose_name_plural = _("moderation cases")
        constraints = [
            models.UniqueConstraint(
                fields=["chat_key", "msgid", "reason"], condition=~Q(msgid=""), name="moderationcase_unique_message"
            ),
            models.CheckConstraint(condition=Q(status__in=CaseStatus.values), name="moderationcase_status_valid"),
            models.CheckConstraint(condition=Q(offender_type__in=MemberType.values), name="moderationcase_type_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.reason}: {self.offender_name or self.offender_userid}"


class ModerationActionQuerySet(models.QuerySet["ModerationAction"]):
    def visible_to(self, member: Member | None) -> ModerationActionQuerySet:
        return self.filter(group__in=GroupChat.objects.visible_to(member).values("pk"))


class ModerationAction(BaseModel):
    """One decided action against a person in a group, citing an article of a regulation in force."""

    group = models.ForeignKey(GroupChat, on_delete=models.CASCADE, related_name="actions", verbose_name=_("group"))
    case = models.ForeignKey(ModerationCase, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions")
    kind = models.CharField(_("action"), max_length=10, choices=ActionKind.choices)
    decided_by = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+", verbose_name=_("ordered by"))
    reason = models.TextField(_("reason"))
    article = models.ForeignKey("policies.Article", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    citation = models.CharField(_("article cited"), max_length=300)
    target_userid = models.CharField(_("person"), max_length=64)
    target_type = models.CharField(_("person type"), max_length=10, choices=MemberType.choices)
    target_name = models.CharField(_("name"), max_length=200, blank=True)
    msgid = models.CharField(max_length=128, blank=True)
    message_text = models.TextField(_("message"), blank=True)
    company_wide = models.BooleanField(_("company-wide ban"), default=False)
    assignee = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("owner task for")
    )
    status = models.CharField(_("status"), max_length=10, choices=ActionStatus.choices, default=ActionStatus.PENDING)
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    done_by = models.ForeignKey(Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    objects = ModerationActionQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("moderation action")
        verbose_name_plural = _("moderation actions")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=ActionKind.values), name="moderationaction_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=ActionStatus.values), name="moderationaction_status_valid"),
            models.CheckConstraint(
                condition=Q(target_type__in=MemberType.values), name="moderationaction_target_type_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.target_name or self.target_userid}"


class Ban(BaseModel):
    """A person who may not be in a group (or, company-wide, in any group). Lifted when its action is declined."""

    action = models.OneToOneField(ModerationAction, on_delete=models.CASCADE, related_name="ban")
    group = models.ForeignKey(GroupChat, on_delete=models.CASCADE, related_name="bans")
    company_wide = models.BooleanField(default=False)
    userid = models.CharField(max_length=64, db_index=True)
    # whether the person was in the group when banned, and their join time then: a different join time later is a
    # re-join (compared with WeCom's own join time, so our clock and WeCom's never need to agree)
    present_at_ban = models.BooleanField(default=False)
    join_time_at_ban = models.DateTimeField(null=True, blank=True)
    left_since_ban = models.BooleanField(default=False, help_text="seen out of the group since the ban (or last alert)")
    lifted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.userid


class BanAlertQuerySet(models.QuerySet["BanAlert"]):
    def visible_to(self, member: Member | None) -> BanAlertQuerySet:
        return self.filter(group__in=GroupChat.objects.visible_to(member).values("pk"))


class BanAlert(BaseModel):
    """A banned person is (back) in a group: raised once per (ban, group, join)."""

    ban = models.ForeignKey(Ban, on_delete=models.CASCADE, related_name="alerts")
    group = models.ForeignKey(GroupChat, on_delete=models.CASCADE, related_name="ban_alerts")
    userid = models.CharField(max_length=64)
    name = models.CharField(max_length=200, blank=True)
    joined_at = models.DateTimeField(_("joined at"))

    objects = BanAlertQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["ban", "group", "joined_at"], name="banalert_unique_join"),
        ]

    def __str__(self) -> str:
        return f"{self.group}: {self.name or self.userid}"


# ------------------------------------------------------------------------------------------------ group rules


class GroupRobot(BaseModel):
    """The group robot (群机器人) webhook of a group, when the owner added one: announcements go through it."""

    group = models.OneToOneField(GroupChat, on_delete=models.CASCADE, related_name="robot")
    webhook = models.CharField(_("robot webhook"), max_length=300, help_text="full webhook URL or its key")

    def __str__(self) -> str:
        return str(self.group)


class GroupRules(BaseModel):
    """A group's rules are a regulation: linked to one group, or to every group owned in a department's subtree."""

    policy = models.ForeignKey("policies.Policy", on_delete=models.CASCADE, related_name="+")
    group = models.ForeignKey(GroupChat, null=True, blank=True, on_delete=models.CASCADE, related_name="rules")
    department = models.ForeignKey("org.Department", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("group rules")
        verbose_name_plural = _("group rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(group__isnull=False, department__isnull=True)
                | Q(group__isnull=True, department__isnull=False),
                name="grouprules_group_or_department",
            ),
            models.UniqueConstraint(fields=["policy", "group"], name="grouprules_unique_group"),
            models.UniqueConstraint(fields=["policy", "department"], name="grouprules_unique_department"),
        ]

    def __str__(self) -> str:
        return str(self.policy_id)


class AnnouncementMethod(models.TextChoices):
    ROBOT = "robot", _("Group robot")
    OWNER = "owner", _("Posted by the owner")


class AnnouncementStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    CONFIRMED = "confirmed", _("Posted by the owner")
    FAILED = "failed", _("Failed")


class RulesAnnouncement(BaseModel):
    """A new version of a group's rules announced to the group ahead of its effective date."""

    group = models.ForeignKey(GroupChat, on_delete=models.CASCADE, related_name="announcements")
    version = models.ForeignKey("policies.PolicyVersion", on_delete=models.CASCADE, related_name="+")
    method = models.CharField(_("how"), max_length=10, choices=AnnouncementMethod.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=AnnouncementStatus.choices, default=AnnouncementStatus.PENDING
    )
    text = models.TextField(_("text"))
    assignee = models.ForeignKey(Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    done_by = models.ForeignKey(Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    done_at = models.DateTimeField(_("announced at"), null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["group", "version"], name="rulesannouncement_unique")]

    def __str__(self) -> str:
        return f"{self.group}: {self.version_id}"
