"""The shared experience library (经验分享 / 话术库) and cases (案例).

* `LibraryItem` — an experience article or a reply script (话术), by topic and product, with tags. A member writes it,
  submits it, and a lead whose work scope holds the author publishes it (or rejects it with a reason). Published
  items are read by every active member; drafts, pending and rejected items by the author and their reviewers.
* `LibraryTerm` — the search index: the distinct characters and character pairs of an item's title, body and tags
  (`library_search`), so a search never scans the table with LIKE.
* `LibraryTag` — an item's tags as rows, for the exact tag filter.
* `LibraryLike`, `LibraryUse` — one like per member (a toggle); uses (a copied script) counted per member and day.
* `LibraryCase` — a stretch of an archived conversation a lead marks good or bad with the lesson; its messages are
  stored masked (customers' names, numbers, addresses) with the members' side labelled by role.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zhidu.core.models import BaseModel
from zhidu.org.models import Department, Member, Role, work_scope_q
from zhidu.sales.models import Product


class LibraryKind(models.TextChoices):
    SCRIPT = "script", _("Reply script")
    ARTICLE = "article", _("Experience article")


class LibraryTopic(models.TextChoices):
    OPENING = "opening", _("First contact")
    NEEDS = "needs", _("Finding needs")
    PRODUCT = "product", _("Product introduction")
    PRICE = "price", _("Price and quotes")
    OBJECTION = "objection", _("Objections")
    CLOSING = "closing", _("Closing the deal")
    AFTER_SALES = "after_sales", _("After sales")
    OTHER = "other", _("Other")


class LibraryStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING = "pending", _("Awaiting review")
    PUBLISHED = "published", _("Published")
    REJECTED = "rejected", _("Rejected")


def _reviewable_q(member: Member, prefix: str = "") -> Q:
    """Items whose author is in `member`'s work scope, for the leads (never their own)."""
    if member.role not in (Role.DIRECTOR, Role.MANAGER, Role.SUPERVISOR):
        return Q(pk__in=[])
    return Q(**{f"{prefix}author__in": work_scope_q(member)}) & ~Q(**{f"{prefix}author": member})


class LibraryItemQuerySet(models.QuerySet["LibraryItem"]):
    def visible_to(self, member: Member | None) -> LibraryItemQuerySet:
        """Published items for every active member; the others for their author and reviewers."""
        if member is None or not member.is_active:
            return self.none()
        return self.filter(Q(status=LibraryStatus.PUBLISHED) | Q(author=member) | _reviewable_q(member))

    def reviewable_by(self, member: Member | None) -> LibraryItemQuerySet:
        """Items `member` may approve or reject: a lead's, whose scope holds the author (not their own)."""
        if member is None or not member.is_active:
            return self.none()
        return self.filter(_reviewable_q(member))


class LibraryItem(BaseModel):
    kind = models.CharField(_("kind"), max_length=10, choices=LibraryKind.choices, default=LibraryKind.SCRIPT)
    topic = models.CharField(_("topic"), max_length=20, choices=LibraryTopic.choices, default=LibraryTopic.OTHER)
    product = models.ForeignKey(
        Product, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("product")
    )
    title = models.CharField(_("title"), max_length=100)
    body = models.TextField(_("text"))
    tags = models.JSONField(_("tags"), default=list, blank=True)
    author = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="library_items")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=LibraryStatus.choices, default=LibraryStatus.DRAFT)
    review_note = models.TextField(_("review note"), blank=True)
    reviewed_by = models.ForeignKey(Member, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    like_count = models.PositiveIntegerField(default=0)
    use_count = models.PositiveIntegerField(default=0)

    objects = LibraryItemQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=LibraryKind.values), name="library_item_kind_valid"),
            models.CheckConstraint(condition=Q(topic__in=LibraryTopic.values), name="library_item_topic_valid"),
            models.CheckConstraint(condition=Q(status__in=LibraryStatus.values), name="library_item_status_valid"),
        ]
        indexes = [
            models.Index(fields=["status", "-id"], name="library_item_status_id"),
            models.Index(fields=["status", "-use_count", "-id"], name="library_item_status_uses"),
            models.Index(fields=["status", "-like_count", "-id"], name="library_item_status_likes"),
            models.Index(fields=["author", "status"], name="library_item_author"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == LibraryStatus.PUBLISHED


class LibraryTerm(models.Model):
    """One character or character pair of an item's searchable text (see `library_search`)."""

    item = models.ForeignKey(LibraryItem, on_delete=models.CASCADE, related_name="terms", db_index=False)
    gram = models.CharField(max_length=2)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "gram"], name="library_term_unique")]
        indexes = [models.Index(fields=["gram", "item"], name="library_term_gram")]

    def __str__(self) -> str:
        return f"{self.item_id}:{self.gram}"


class LibraryTag(models.Model):
    """One tag of an item, for the exact tag filter (the index row of a JSON list, which no database indexes alike)."""

    item = models.ForeignKey(LibraryItem, on_delete=models.CASCADE, related_name="tag_rows", db_index=False)
    name = models.CharField(max_length=20)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "name"], name="library_tag_unique")]
        indexes = [models.Index(fields=["name", "item"], name="library_tag_name")]

    def __str__(self) -> str:
        return f"{self.item_id}:{self.name}"


class LibraryLike(models.Model):
    item = models.ForeignKey(LibraryItem, on_delete=models.CASCADE, related_name="likes", db_index=False)
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "member"], name="library_like_unique")]

    def __str__(self) -> str:
        return f"{self.member_id} likes {self.item_id}"


class LibraryUse(models.Model):
    """How many times a member used (copied) an item on a day; counted up to a daily bound."""

    item = models.ForeignKey(LibraryItem, on_delete=models.CASCADE, related_name="uses", db_index=False)
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "member", "day"], name="library_use_unique")]

    def __str__(self) -> str:
        return f"{self.member_id} used {self.item_id} on {self.day}"


class CaseVerdict(models.TextChoices):
    GOOD = "good", _("Good example")
    BAD = "bad", _("Bad example")


class CaseStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class LibraryCaseQuerySet(models.QuerySet["LibraryCase"]):
    def visible_to(self, member: Member | None) -> LibraryCaseQuerySet:
        """Published cases for every active member; a draft for the lead who made it."""
        if member is None or not member.is_active:
            return self.none()
        return self.filter(Q(status=CaseStatus.PUBLISHED) | Q(author=member))


class LibraryCase(BaseModel):
    """A conversation excerpt for training. `messages` holds the masked lines: [{"side", "label", "text", "at"}]."""

    title = models.CharField(_("title"), max_length=100)
    verdict = models.CharField(_("verdict"), max_length=10, choices=CaseVerdict.choices)
    topic = models.CharField(_("topic"), max_length=20, choices=LibraryTopic.choices, default=LibraryTopic.OTHER)
    lesson = models.TextField(_("lesson"))
    chat_type = models.CharField(max_length=10, default="single")
    messages = models.JSONField(default=list)
    author = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="library_cases")
    status = models.CharField(_("status"), max_length=10, choices=CaseStatus.choices, default=CaseStatus.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)

    objects = LibraryCaseQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(verdict__in=CaseVerdict.values), name="library_case_verdict_valid"),
            models.CheckConstraint(condition=Q(status__in=CaseStatus.values), name="library_case_status_valid"),
        ]
        indexes = [models.Index(fields=["status", "-id"], name="library_case_status_id")]

    def __str__(self) -> str:
        return self.title
