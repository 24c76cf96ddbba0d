"""Customer group chats (客户群) and their members, as WeCom reports them."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhidu.core.models import BaseModel
from zhidu.customers.models import Customer
from zhidu.org.models import Member, Role, work_scope_q


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
