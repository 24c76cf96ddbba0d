"""External contacts (customers), who follows them, and the corp tags on those relations."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zhidu.core.models import BaseModel
from zhidu.org.models import Member, Role, work_scope_q


class TagGroup(BaseModel):
    """A corp tag group (企业标签组) as WeCom defines it."""

    wecom_id = models.CharField(_("WeCom group id"), max_length=64)
    name = models.CharField(_("name"), max_length=100)
    order = models.BigIntegerField(default=0)
    deleted = models.BooleanField(default=False)

    class Meta:
        ordering = ["-order", "id"]
        verbose_name = _("tag group")
        verbose_name_plural = _("tag groups")
        constraints = [models.UniqueConstraint(fields=["wecom_id"], name="taggroup_unique_wecom_id")]

    def __str__(self) -> str:
        return self.name


class Tag(BaseModel):
    """A corp tag (企业标签). Only corp tags have ids; personal tags are not stored."""

    wecom_id = models.CharField(_("WeCom tag id"), max_length=64)
    group = models.ForeignKey(TagGroup, on_delete=models.PROTECT, related_name="tags", verbose_name=_("group"))
    name = models.CharField(_("name"), max_length=100)
    order = models.BigIntegerField(default=0)
    deleted = models.BooleanField(default=False)

    class Meta:
        ordering = ["group_id", "-order", "id"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        constraints = [models.UniqueConstraint(fields=["wecom_id"], name="tag_unique_wecom_id")]

    def __str__(self) -> str:
        return self.name


class CustomerType(models.IntegerChoices):
    WECHAT = 1, _("WeChat user")
    WECOM = 2, _("WeCom user")


class Gender(models.IntegerChoices):
    UNKNOWN = 0, _("Unknown")
    MALE = 1, _("Male")
    FEMALE = 2, _("Female")


class AddWay(models.IntegerChoices):
    """How the customer was added (来源), API.md §4.3."""

    UNKNOWN = 0, _("Unknown")
    QR_CODE = 1, _("Scanned QR code")
    MOBILE = 2, _("Searched mobile number")
    CARD = 3, _("Business card")
    GROUP = 4, _("Group chat")
    ADDRESS_BOOK = 5, _("Phone address book")
    WECHAT_CONTACTS = 6, _("WeChat contacts")
    WECHAT_REQUEST = 7, _("Friend request from WeChat")
    THIRD_PARTY = 8, _("Third-party service member")
    EMAIL = 9, _("Searched email")
    CHANNELS = 10, _("Video channel")
    CALENDAR = 11, _("Calendar participant")
    MEETING = 12, _("Meeting participant")
    WECHAT_FRIEND = 13, _("WeChat friend's WeCom")
    HARDWARE = 14, _("Smart hardware service")
    DOOR_SERVICE = 15, _("Door-to-door service")
    ACQUISITION_LINK = 16, _("Customer-acquisition link")
    SHARED = 201, _("Shared by a member")
    ASSIGNED = 202, _("Assigned by an administrator")


class CustomerQuerySet(models.QuerySet["Customer"]):
    def visible_to(self, member: Member | None) -> CustomerQuerySet:
        """Customers followed (now) by a member whose work `member` may read.

        Directors and compliance officers see every customer, including ones nobody follows any more.
        """
        if member is None or not member.is_active:
            return self.none()
        if member.role in (Role.DIRECTOR, Role.COMPLIANCE):
            return self
        follows = FollowRelation.objects.filter(deleted=False, member__in=work_scope_q(member))
        return self.filter(pk__in=follows.values("customer_id"))


class Customer(BaseModel):
    """An external contact (外部联系人): a WeChat user or a member of another WeCom corp."""

    external_userid = models.CharField(_("external userid"), max_length=64)
    name = models.CharField(_("name"), max_length=200, blank=True)
    type = models.PositiveSmallIntegerField(_("type"), choices=CustomerType.choices, default=CustomerType.WECHAT)
    avatar = models.CharField(_("avatar"), max_length=500, blank=True)
    gender = models.PositiveSmallIntegerField(_("gender"), choices=Gender.choices, default=Gender.UNKNOWN)
    unionid = models.CharField(_("unionid"), max_length=64, blank=True)
    position = models.CharField(_("position"), max_length=100, blank=True)
    corp_name = models.CharField(_("company"), max_length=100, blank=True)
    corp_full_name = models.CharField(_("company full name"), max_length=200, blank=True)

    objects = CustomerQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        constraints = [
            models.UniqueConstraint(fields=["external_userid"], name="customer_unique_external_userid"),
            models.CheckConstraint(condition=Q(type__in=CustomerType.values), name="customer_type_valid"),
        ]

    def __str__(self) -> str:
        return self.name or self.external_userid


class FollowEnd(models.TextChoices):
    """Why a follow relation ended."""

    NONE = "", _("—")
    BY_MEMBER = "by_member", _("The member deleted the customer")
    BY_CUSTOMER = "by_customer", _("The customer deleted the member")
    BY_TRANSFER = "by_transfer", _("Transferred to another member")
    ABSENT = "absent", _("No longer listed by WeCom")


class FollowRelationQuerySet(models.QuerySet["FollowRelation"]):
    def visible_to(self, member: Member | None) -> FollowRelationQuerySet:
        if member is None or not member.is_active:
            return self.none()
        return self.filter(member__in=work_scope_q(member))

    def active(self) -> FollowRelationQuerySet:
        return self.filter(deleted=False)


class FollowRelation(BaseModel):
    """A member follows a customer (跟进人): the member's remark, description and tags for them."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="follows", verbose_name=_("customer"))
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="follows", verbose_name=_("owner"))
    remark = models.CharField(_("remark"), max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True)
    remark_corp_name = models.CharField(_("remark company"), max_length=100, blank=True)
    remark_mobiles = models.JSONField(_("remark mobiles"), default=list, blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="follows", verbose_name=_("tags"))
    add_way = models.PositiveIntegerField(_("source"), default=AddWay.UNKNOWN)
    createtime = models.DateTimeField(_("added at"), null=True, blank=True)
    oper_userid = models.CharField(_("added by"), max_length=64, blank=True)
    state = models.CharField(_("channel state"), max_length=100, blank=True)
    deleted = models.BooleanField(_("ended"), default=False)
    deleted_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=20, choices=FollowEnd.choices, default=FollowEnd.NONE, blank=True)
    archive_agreed_at = models.DateTimeField(_("agreed to chat archiving at"), null=True, blank=True)

    objects = FollowRelationQuerySet.as_manager()

    class Meta:
        ordering = ["-createtime", "-id"]
        verbose_name = _("follow relation")
        verbose_name_plural = _("follow relations")
        constraints = [
            models.UniqueConstraint(fields=["customer", "member"], name="follow_unique_customer_member"),
            models.CheckConstraint(condition=Q(end_reason__in=FollowEnd.values), name="follow_end_reason_valid"),
        ]
        indexes = [models.Index(fields=["member", "deleted"], name="follow_member_deleted_idx")]

    def __str__(self) -> str:
        return f"{self.member} → {self.customer}"

    @property
    def add_way_label(self) -> str:
        try:
            return str(AddWay(self.add_way).label)
        except ValueError:
            return str(self.add_way)
