"""Regulations (制度): versions, chapters (章), articles (条), items (项), discussion, notices, acknowledgements."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zhidu.core.models import BaseModel
from zhidu.core.periods import local_today
from zhidu.org.models import Role

from .parser import int_to_cn
from .parser.tree import BULLETS, SHAPE_ARTICLES, SHAPE_DECIMAL, SHAPE_PROSE

if TYPE_CHECKING:
    from zhidu.org.models import Member

# Who may do what (services check these; pages and endpoints hide what a role cannot do).
EDITOR_ROLES = (Role.DIRECTOR, Role.MANAGER, Role.ADMIN)  # import, open discussion, read drafts
APPROVER_ROLES = (Role.DIRECTOR, Role.MANAGER, Role.ADMIN)
PUBLISHER_ROLES = (Role.DIRECTOR, Role.ADMIN)
READ_ALL_ROLES = (*EDITOR_ROLES, Role.COMPLIANCE)  # also see drafts and approved versions
ACK_REPORT_ROLES = (Role.DIRECTOR, Role.MANAGER, Role.SUPERVISOR, Role.COMPLIANCE, Role.ADMIN)


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    DISCUSSION = "discussion", _("In discussion")
    APPROVED = "approved", _("Approved")
    PUBLISHED = "published", _("Published")
    SUPERSEDED = "superseded", _("Superseded")


def role_in(member: Member | None, roles: tuple[str, ...]) -> bool:
    return member is not None and member.is_active and member.role in roles


class Shape(models.TextChoices):
    """How a regulation is numbered: it decides how its clauses are cited."""

    ARTICLES = SHAPE_ARTICLES, _("articles (第X条)")
    DECIMAL = SHAPE_DECIMAL, _("numbered sections (1., 4.1)")
    PROSE = SHAPE_PROSE, _("paragraphs without numbering")


# Statuses every active member may read.
PUBLIC_STATUSES = (VersionStatus.DISCUSSION, VersionStatus.PUBLISHED, VersionStatus.SUPERSEDED)


def _can_read_all(member: Member | None) -> bool:
    return member is not None and member.is_active and member.role in READ_ALL_ROLES


class PolicyQuerySet(models.QuerySet["Policy"]):
    def visible_to(self, member: Member | None) -> PolicyQuerySet:
        if member is None or not member.is_active:
            return self.none()
        if _can_read_all(member):
            return self
        return self.filter(versions__status__in=PUBLIC_STATUSES).distinct()


class Policy(BaseModel):
    """A regulation, identified by a stable code (e.g. `sales-conduct`) that rules and violations cite."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    title = models.CharField(_("title"), max_length=200)
    current_version = models.ForeignKey(
        "PolicyVersion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("current version"),
        help_text="the published version in force",
    )
    created_by = models.ForeignKey("org.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    objects = PolicyQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("regulation")
        verbose_name_plural = _("regulations")

    def __str__(self) -> str:
        return f"《{self.title}》"


class PolicyVersionQuerySet(models.QuerySet["PolicyVersion"]):
    def visible_to(self, member: Member | None) -> PolicyVersionQuerySet:
        if member is None or not member.is_active:
            return self.none()
        if _can_read_all(member):
            return self
        return self.filter(status__in=PUBLIC_STATUSES)


class PolicyVersion(BaseModel):
    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200, help_text="as parsed from the source")
    status = models.CharField(_("status"), max_length=20, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    preamble = models.TextField(blank=True)
    source_text = models.TextField(_("source text"))
    source_name = models.CharField(max_length=255, blank=True)
    source_format = models.CharField(max_length=10, default="text")
    shape = models.CharField(_("shape"), max_length=10, choices=Shape.choices, default=Shape.ARTICLES)
    template = models.CharField(
        _("template"), max_length=60, blank=True, help_text="slug of the library template this version was adopted from"
    )
    warnings = models.JSONField(default=list, blank=True)
    effective_date = models.DateField(_("effective date"), null=True, blank=True)
    created_by = models.ForeignKey("org.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    discussion_opened_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey("org.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey("org.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField(null=True, blank=True)
    superseded_at = models.DateTimeField(null=True, blank=True)

    objects = PolicyVersionQuerySet.as_manager()

    class Meta:
        ordering = ["policy_id", "-number"]
        verbose_name = _("regulation version")
        verbose_name_plural = _("regulation versions")
        constraints = [
            models.UniqueConstraint(fields=["policy", "number"], name="policyversion_unique_number"),
            # Several versions may be published at once (the one in force and the announced ones not yet in
            # force), but never two taking effect on the same day.
            models.UniqueConstraint(
                fields=["policy", "effective_date"],
                condition=Q(status="published"),
                name="policyversion_one_published_per_date",
            ),
            models.CheckConstraint(condition=Q(status__in=VersionStatus.values), name="policyversion_status_valid"),
            models.CheckConstraint(condition=Q(shape__in=Shape.values), name="policyversion_shape_valid"),
            models.CheckConstraint(
                condition=~Q(status__in=["published", "superseded"]) | Q(effective_date__isnull=False),
                name="policyversion_published_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"《{self.policy.title}》v{self.number}"


def version_in_force(policy: Policy | int, on: dt.date | None = None) -> PolicyVersion | None:
    """The version of `policy` in force on `on` (default: today in the company's time zone).

    That is the latest published version whose effective date has come. A version published with a later effective
    date is announced (readable, acknowledgeable) but the previous one stays in force until that date. Superseded
    versions are not considered, so `on` is meant for today and days ahead, not for history.
    """
    day = on or local_today()
    return (
        PolicyVersion.objects.filter(policy=policy, status=VersionStatus.PUBLISHED, effective_date__lte=day)
        .select_related("policy")
        .order_by("-number")
        .first()
    )


def versions_upcoming(policy: Policy | int, on: dt.date | None = None) -> list[PolicyVersion]:
    """Published versions of `policy` not yet in force on `on` (default: today), earliest effective date first."""
    day = on or local_today()
    return list(
        PolicyVersion.objects.filter(policy=policy, status=VersionStatus.PUBLISHED, effective_date__gt=day)
        .select_related("policy")
        .order_by("effective_date", "number")
    )


class Chapter(models.Model):
    version = models.ForeignKey(PolicyVersion, on_delete=models.CASCADE, related_name="chapters")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200, blank=True)
    text = models.TextField(blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["version_id", "order"]
        constraints = [models.UniqueConstraint(fields=["version", "number"], name="chapter_unique_number")]

    def __str__(self) -> str:
        return self.heading

    @property
    def heading(self) -> str:
        return f"第{int_to_cn(self.number)}章 {self.title}".strip()


class Article(models.Model):
    version = models.ForeignKey(PolicyVersion, on_delete=models.CASCADE, related_name="articles")
    chapter = models.ForeignKey(Chapter, null=True, blank=True, on_delete=models.CASCADE, related_name="articles")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200, blank=True, help_text="optional heading, e.g. 【目的】")
    text = models.TextField(blank=True)
    closing_text = models.TextField(blank=True, help_text="text after the items")
    section_label = models.CharField(
        max_length=20, blank=True, help_text="cited instead of 第X条: a numbered section (4.1) or paragraph (第3段)"
    )
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["version_id", "order"]
        constraints = [models.UniqueConstraint(fields=["version", "number"], name="article_unique_number")]

    def __str__(self) -> str:
        return self.citation

    @property
    def label(self) -> str:
        """第七条, or the section (4.1) or paragraph (第3段) label of a regulation numbered another way."""
        return self.section_label or f"第{int_to_cn(self.number)}条"

    @property
    def citation(self) -> str:
        """《销售团队管理制度》第七条 (or …》4.1, …》第3段) — the version's title, then the article's label."""
        return f"《{self.version.title}》{self.label}"

    @property
    def key(self) -> str:
        return f"{self.version.policy.code}#{self.number}"

    @property
    def anchor(self) -> str:
        return f"art-{self.number}"

    @property
    def article(self) -> Article:
        """Itself (so `article_resolve(key).article` is always an Article, whether the key named an item or not)."""
        return self

    @property
    def item(self) -> Item | None:
        return None


class Item(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="items")
    number = models.PositiveIntegerField()
    label = models.CharField(max_length=20, help_text="as written: （一） (1) 1. 1、 7.1")
    text = models.TextField(blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["article_id", "order"]
        constraints = [models.UniqueConstraint(fields=["article", "number"], name="item_unique_number")]

    def __str__(self) -> str:
        return self.citation

    @property
    def chinese(self) -> bool:
        return any(ch in "零〇一二两三四五六七八九十百" for ch in self.label)

    @property
    def bullet(self) -> bool:
        return self.label in BULLETS

    @property
    def item_label(self) -> str:
        """第（四）项 for items labelled with Chinese numerals, 第4项 for items labelled 4. / 4、 / (4) / 7.4,
        第4点 for the fourth bullet (• -) of a numbered section or paragraph."""
        if self.bullet:
            return f"第{self.number}点"
        return f"第（{int_to_cn(self.number)}）项" if self.chinese else f"第{self.number}项"

    @property
    def citation(self) -> str:
        """《…》第七条第4项, 《…》4.1 第2点 (a space after a section number), 《…》第3段第2点."""
        article = self.article.citation
        return f"{article}{' ' if article[-1:].isdigit() else ''}{self.item_label}"

    @property
    def key(self) -> str:
        return f"{self.article.key}.{self.number}"

    @property
    def anchor(self) -> str:
        return f"art-{self.article.number}-{self.number}"

    @property
    def item(self) -> Item:
        return self


class CommentQuerySet(models.QuerySet["Comment"]):
    def visible_to(self, member: Member | None) -> CommentQuerySet:
        return self.filter(article__version__in=PolicyVersion.objects.visible_to(member))


class Comment(BaseModel):
    """A member's remark on an article while its version is in discussion."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="comments")
    member = models.ForeignKey("org.Member", on_delete=models.PROTECT, related_name="policy_comments")
    text = models.TextField(_("comment"))

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["article_id", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.member} on {self.article_id}"


class Acknowledgement(models.Model):
    """签收: the member confirms they have read a published version."""

    version = models.ForeignKey(PolicyVersion, on_delete=models.CASCADE, related_name="acknowledgements")
    member = models.ForeignKey("org.Member", on_delete=models.PROTECT, related_name="policy_acknowledgements")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at"]
        constraints = [models.UniqueConstraint(fields=["version", "member"], name="acknowledgement_unique")]

    def __str__(self) -> str:
        return f"{self.member} ✓ {self.version_id}"


class NoticeQuerySet(models.QuerySet["PolicyNotice"]):
    def visible_to(self, member: Member | None) -> NoticeQuerySet:
        if member is None or not member.is_active:
            return self.none()
        return self


class PolicyNotice(BaseModel):
    """An announcement shown in the app (and sent on WeCom when the outbox exists), e.g. a new version."""

    version = models.ForeignKey(PolicyVersion, on_delete=models.CASCADE, related_name="notices")
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    effective_date = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey("org.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    recipients = models.PositiveIntegerField(default=0, help_text="members notified on WeCom")

    objects = NoticeQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


def version_snapshot(version: PolicyVersion) -> dict[str, Any]:
    return {
        "status": version.status,
        "effective_date": version.effective_date,
        "approved_by": version.approved_by_id,
        "published_by": version.published_by_id,
    }
