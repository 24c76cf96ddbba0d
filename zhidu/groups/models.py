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
