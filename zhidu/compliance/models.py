"""Archived chat messages, compliance rules, and the violations found in messages.

* `ArchiveMessage` — one decrypted chat-archive record (API.md §7.4), unique by `msgid`.
* `ArchiveCursor` — the last `seq` stored per archive source; moved in the same transaction as the batch.
* `ArchiveAgreement` — cached `check_single_agree` answers: customers who refused archiving are skipped.
* `Rule` / `RuleTerm` — the rule set the engine compiles (terms live in a child table: imports can be big).
* `RuleCitation` — the citation map: which clauses of which published regulation version back a rule.
* `RuleRevision` — every edit of a rule as a numbered snapshot (history, diff, restore).
* `Violation` — one finding per message and rule, citing the regulation article, reviewed by a lead.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zhidu.core.models import BaseModel
from zhidu.org.models import Department, Member, Role, work_scope_q


class Category(models.TextChoices):
    FALSE_CLAIM = "false_claim", _("False or exaggerated claim")
    PRIVACY = "privacy", _("Customer privacy")
    SECRET = "secret", _("Company secret")
    PRIVATE_DEAL = "private_deal", _("Private deal or diversion")
    PRICE = "price", _("Private price change")
    ABUSE = "abuse", _("Insult or abuse")
    ADS = "ads", _("Ads or cross-group promotion")
    PROHIBITED = "prohibited", _("Prohibited content")
    RUMOR = "rumor", _("Rumours damaging the company")
    RESOURCE_MISUSE = "resource_misuse", _("Company resources for personal business")
    MALWARE = "malware", _("Viruses and harmful files")
    UNFAIR_COMPETITION = "unfair_competition", _("Unfair competition or IP infringement")
    COUNTERFEIT = "counterfeit", _("Counterfeit, smuggled or illegal goods")
    POLITICS = "politics", _("Political content")
    VIOLENCE = "violence", _("Violence and threats")
    ETHNIC = "ethnic", _("Disrespect of ethnic customs")
    # behaviour, not words: found by the streaming checks over the archive (`compliance/behaviour/`), not by text
    FLOOD = "flood", _("Flooding a group")
    LATE_REPLY = "late_reply", _("Late reply to a customer")
    MEETING = "meeting", _("Chatting during a meeting or training")


# A rule row with this detector is a behaviour check (flooding, late replies, meetings): it gives violations a rule to
# cite and an on/off switch, but the text engine never compiles it (`rules_compile` skips it).
BEHAVIOUR_DETECTOR = "behaviour"
BEHAVIOUR_CODE_PREFIX = "behaviour."  # every behaviour rule's code starts so (`behaviour_rule` refuses others)


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class ChatType(models.TextChoices):
    SINGLE = "single", _("Single chat")
    GROUP = "group", _("Group chat")


class Side(models.TextChoices):
    STAFF = "staff", _("Staff")
    CUSTOMER = "customer", _("Customer")


class Action(models.TextChoices):
    SEND = "send", _("Send")
    RECALL = "recall", _("Recall")
    SWITCH = "switch", _("Switch")


# Roles that read every message and violation (the rest go through work_scope_q).
ALL_SEEING = (Role.DIRECTOR, Role.COMPLIANCE)


def _work_filter(qs: Any, member: Member | None, field: str) -> Any:
    if member is None or not member.is_active:
        return qs.none()
    if member.role in ALL_SEEING:
        return qs
    return qs.filter(**{f"{field}__in": work_scope_q(member)})


# --------------------------------------------------------------------------------------------- messages


class ArchiveMessageQuerySet(models.QuerySet["ArchiveMessage"]):
    def visible_to(self, member: Member | None) -> ArchiveMessageQuerySet:
        """Chats of members whose work `member` may read; directors and compliance read everything."""
        return _work_filter(self, member, "member")  # type: ignore[no-any-return]


class ArchiveMessage(models.Model):
    """One archived chat record. `text` is the searchable text of every text-carrying type."""

    msgid = models.CharField(_("message id"), max_length=128)
    seq = models.BigIntegerField(_("archive seq"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices, default=Action.SEND)
    sender = models.CharField(_("sender"), max_length=128, blank=True)
    receivers = models.JSONField(_("receivers"), default=list, blank=True)
    roomid = models.CharField(_("room id"), max_length=128, blank=True)
    chat_type = models.CharField(_("chat type"), max_length=10, choices=ChatType.choices, default=ChatType.SINGLE)
    chat_key = models.CharField(
        _("chat"), max_length=260, help_text="roomid for groups; the two parties, sorted and joined by | otherwise"
    )
    side = models.CharField(_("sender side"), max_length=10, choices=Side.choices, default=Side.STAFF)
    msgtime = models.BigIntegerField(_("time (ms)"))
    sent_at = models.DateTimeField(_("sent at"))
    msgtype = models.CharField(_("type"), max_length=40)
    text = models.TextField(_("text"), blank=True)
    raw = models.JSONField(_("raw record"))
    recalled = models.BooleanField(_("recalled"), default=False)
    member = models.ForeignKey(
        Member,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("staff member"),
        db_index=False,  # covered by archivemessage_member_idx (member, msgtime)
    )
    customer_id = models.CharField(_("customer external id"), max_length=128, blank=True)
    stored_at = models.DateTimeField(auto_now_add=True)

    objects = ArchiveMessageQuerySet.as_manager()

    class Meta:
        ordering = ["msgtime", "id"]
        verbose_name = _("archived message")
        verbose_name_plural = _("archived messages")
        constraints = [
            models.UniqueConstraint(fields=["msgid"], name="archivemessage_unique_msgid"),
            models.CheckConstraint(condition=Q(action__in=Action.values), name="archivemessage_action_valid"),
            models.CheckConstraint(condition=Q(chat_type__in=ChatType.values), name="archivemessage_chat_type_valid"),
        ]
        indexes = [
            models.Index(fields=["chat_key", "msgtime"], name="archivemessage_chat_idx"),
            models.Index(fields=["member", "msgtime"], name="archivemessage_member_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.msgid} {self.msgtype}"


class ArchiveCursor(models.Model):
    """Where an archive source was read up to. Moves only together with the batch it covers."""

    source = models.CharField(max_length=200)
    seq = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("archive cursor")
        verbose_name_plural = _("archive cursors")
        constraints = [models.UniqueConstraint(fields=["source"], name="archivecursor_unique_source")]

    def __str__(self) -> str:
        return f"{self.source}@{self.seq}"


class AgreeStatus(models.TextChoices):
    AGREE = "Agree", _("Agreed")
    DISAGREE = "Disagree", _("Refused")
    DEFAULT_AGREE = "Default_Agree", _("Agreed by default")


class ArchiveAgreement(models.Model):
    """Whether an external contact agreed to have their chats with a member archived (check_single_agree)."""

    userid = models.CharField(max_length=128)
    external_userid = models.CharField(max_length=128)
    status = models.CharField(max_length=20, choices=AgreeStatus.choices)
    changed_at = models.DateTimeField(null=True, blank=True)
    checked_at = models.DateTimeField()

    class Meta:
        verbose_name = _("archiving agreement")
        verbose_name_plural = _("archiving agreements")
        constraints = [
            models.UniqueConstraint(fields=["userid", "external_userid"], name="archiveagreement_unique_pair"),
        ]

    def __str__(self) -> str:
        return f"{self.userid}/{self.external_userid}: {self.status}"

    @property
    def refused(self) -> bool:
        return self.status == AgreeStatus.DISAGREE


# --------------------------------------------------------------------------------------------- rules


class Rule(BaseModel):
    """A compliance rule as operators configure it; compiled to `engine.Rule` by `services.rules_engine()`."""

    code = models.CharField(_("code"), max_length=100)
    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, default=Severity.MEDIUM)
    description = models.TextField(_("description"), blank=True)
    patterns = models.JSONField(_("regular expressions"), default=list, blank=True)
    detectors = models.JSONField(_("detectors"), default=list, blank=True)
    allow = models.JSONField(_("allowed phrases"), default=list, blank=True, help_text="exemptions covering a hit")
    article = models.CharField(_("regulation article"), max_length=100, blank=True, help_text="e.g. sales-conduct#17.1")
    yield_to = models.JSONField(
        _("gives way to"),
        default=list,
        blank=True,
        help_text='categories, e.g. ["ethnic"]: a hit of a detector alone is dropped when one of them reports',
    )
    # scope (empty = everyone / everywhere)
    departments = models.ManyToManyField(
        Department, blank=True, related_name="+", verbose_name=_("departments"), help_text="and their sub-departments"
    )
    members = models.ManyToManyField(Member, blank=True, related_name="+", verbose_name=_("members"))
    chat_types = models.JSONField(
        _("chat types"), default=list, blank=True, help_text='e.g. ["group"]; "internal": groups of staff only'
    )
    sides = models.JSONField(_("sides"), default=list, blank=True, help_text='e.g. ["staff"]')
    msgtypes = models.JSONField(_("message types"), default=list, blank=True, help_text='e.g. ["file"]')
    hour_start = models.PositiveSmallIntegerField(_("from hour"), null=True, blank=True)
    hour_end = models.PositiveSmallIntegerField(_("to hour"), null=True, blank=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    builtin = models.BooleanField(_("from the default pack"), default=False)

    class Meta:
        ordering = ["category", "code"]
        verbose_name = _("rule")
        verbose_name_plural = _("rules")
        constraints = [
            models.UniqueConstraint(fields=["code"], name="rule_unique_code"),
            models.CheckConstraint(condition=Q(category__in=Category.values), name="rule_category_valid"),
            models.CheckConstraint(condition=Q(severity__in=Severity.values), name="rule_severity_valid"),
            models.CheckConstraint(
                condition=Q(hour_start__isnull=True, hour_end__isnull=True)
                | Q(hour_start__lte=24, hour_end__lte=24, hour_start__isnull=False, hour_end__isnull=False),
                name="rule_hours_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class RuleTerm(models.Model):
    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="term_rows")
    term = models.CharField(_("term"), max_length=200)

    class Meta:
        ordering = ["rule_id", "id"]
        verbose_name = _("term")
        verbose_name_plural = _("terms")
        constraints = [models.UniqueConstraint(fields=["rule", "term"], name="ruleterm_unique_rule_term")]

    def __str__(self) -> str:
        return self.term


# --------------------------------------------------------------------------------------------- citation maps


class CitationStatus(models.TextChoices):
    SUGGESTED = "suggested", _("Suggested")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected")


class CitationSource(models.TextChoices):
    TEMPLATE = "template", _("Library template")
    CARRIED = "carried", _("Carried over from the previous version")
    SUGGESTED = "suggested", _("Keyword suggestion")
    MANUAL = "manual", _("Added by hand")
    LEGACY = "legacy", _("The rule's article key")


class RuleCitation(BaseModel):
    """One clause (an article, or one of its items) of a published regulation version that backs a rule.

    Only confirmed rows are cited by violations; suggested rows wait for a compliance officer; rejected rows
    (a refused suggestion or a removed clause) are kept so the same clause is not suggested again."""

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="citations", verbose_name=_("rule"))
    version = models.ForeignKey(
        "policies.PolicyVersion", on_delete=models.CASCADE, related_name="+", verbose_name=_("regulation version")
    )
    article = models.ForeignKey(
        "policies.Article", on_delete=models.CASCADE, related_name="+", verbose_name=_("article")
    )
    item = models.ForeignKey(
        "policies.Item", null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("item")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=CitationStatus.choices, default=CitationStatus.SUGGESTED
    )
    score = models.FloatField(_("score"), default=0.0)
    source = models.CharField(_("source"), max_length=10, choices=CitationSource.choices)
    confirmed_by = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("confirmed by")
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    class Meta:
        ordering = ["rule_id", "version_id", "-score", "id"]
        verbose_name = _("rule citation")
        verbose_name_plural = _("rule citations")
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "version", "article", "item"],
                condition=Q(item__isnull=False),
                name="rulecitation_unique_item",
            ),
            models.UniqueConstraint(
                fields=["rule", "version", "article"],
                condition=Q(item__isnull=True),
                name="rulecitation_unique_article",
            ),
            models.CheckConstraint(condition=Q(status__in=CitationStatus.values), name="rulecitation_status_valid"),
            models.CheckConstraint(condition=Q(source__in=CitationSource.values), name="rulecitation_source_valid"),
        ]
        indexes = [models.Index(fields=["version", "status"], name="rulecitation_version_idx")]

    def __str__(self) -> str:
        return f"rule {self.rule_id} → article {self.article_id}" + (f" item {self.item_id}" if self.item_id else "")

    @property
    def clause(self) -> Any:
        """The cited Article or Item (its `.citation` reads 《…》第十七条第（一）项)."""
        if self.item_id is not None:
            item = self.item
            assert item is not None
            item.article = self.article
            return item
        return self.article


class RuleRevision(BaseModel):
    """One saved state of a rule's editable fields (terms included), numbered per rule; restoring one
    writes a new revision. `snapshot` is what `services.rule_snapshot` returns."""

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("rule"))
    number = models.PositiveIntegerField(_("revision"))
    snapshot = models.JSONField(_("snapshot"))
    actor = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("changed by")
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    restored_from = models.PositiveIntegerField(_("restored from revision"), null=True, blank=True)
    baseline = models.BooleanField(default=False, help_text="the rule as it was before its first edit in the app")

    class Meta:
        ordering = ["rule_id", "-number"]
        verbose_name = _("rule revision")
        verbose_name_plural = _("rule revisions")
        constraints = [models.UniqueConstraint(fields=["rule", "number"], name="rulerevision_unique_rule_number")]

    def __str__(self) -> str:
        return f"{self.rule_id}#{self.number}"


# --------------------------------------------------------------------------------------------- violations


class ViolationStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CONFIRMED = "confirmed", _("Confirmed")
    DISMISSED = "dismissed", _("Dismissed")
    OVERTURNED = "overturned", _("Overturned on appeal")


class Impact(models.TextChoices):
    """What a confirmed violation did, recorded by the reviewer: sanction policies choose a level from it."""

    NONE = "none", _("No notable consequence")
    BAD = "bad", _("Caused a bad impact")
    IMAGE = "image", _("Harmed the company's image")
    SECRET = "secret", _("Leaked company secrets")


class ViolationQuerySet(models.QuerySet["Violation"]):
    def visible_to(self, member: Member | None) -> ViolationQuerySet:
        """Violations of members whose work `member` may read; directors and compliance see all."""
        return _work_filter(self, member, "member")  # type: ignore[no-any-return]

    def open(self) -> ViolationQuerySet:
        return self.filter(status=ViolationStatus.OPEN)


class Violation(BaseModel):
    """A rule hit in one message, with its evidence span, assigned to the member's supervisor for review."""

    message = models.ForeignKey(ArchiveMessage, on_delete=models.PROTECT, related_name="violations")
    rule = models.ForeignKey(Rule, on_delete=models.PROTECT, related_name="violations", verbose_name=_("rule"))
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    article = models.CharField(_("article"), max_length=100, blank=True)
    citation = models.TextField(_("citation"), blank=True, help_text="every regulation in force citing the rule")
    cited = models.JSONField(
        _("cited clauses"),
        default=list,
        blank=True,
        help_text='at scan time: [{"version": id, "article": id, "item": id|null, "citation": "…", "anchor": "…"}]',
    )
    start = models.PositiveIntegerField(_("span start"))
    end = models.PositiveIntegerField(_("span end"))
    matched = models.CharField(_("matched text"), max_length=500)
    detector = models.CharField(_("detector"), max_length=40, blank=True)
    confidence = models.FloatField(default=1.0)
    hits = models.PositiveIntegerField(default=1, help_text="findings of this rule in the message")
    # what a detector computed, e.g. the price check: {"product", "price", "list_price", "off", "authority", "role", …}
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    member = models.ForeignKey(
        Member,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="violations",
        verbose_name=_("responsible member"),
    )
    supervisor = models.ForeignKey(
        Member,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="violations_to_review",
        verbose_name=_("reviewer"),
    )
    occurred_at = models.DateTimeField(_("occurred at"), db_index=True)
    status = models.CharField(_("status"), max_length=10, choices=ViolationStatus.choices, default=ViolationStatus.OPEN)
    reviewed_by = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("reviewed by")
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    # consequence facts, recorded when the violation is confirmed
    loss_amount = models.DecimalField(
        _("loss (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True, help_text="loss it caused, if any"
    )
    impact = models.CharField(_("impact"), max_length=10, choices=Impact.choices, default=Impact.NONE)

    objects = ViolationQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("violation")
        verbose_name_plural = _("violations")
        constraints = [
            models.UniqueConstraint(fields=["message", "rule"], name="violation_unique_message_rule"),
            models.CheckConstraint(condition=Q(status__in=ViolationStatus.values), name="violation_status_valid"),
            models.CheckConstraint(condition=Q(category__in=Category.values), name="violation_category_valid"),
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="violation_span_valid"),
            models.CheckConstraint(condition=Q(impact__in=Impact.values), name="violation_impact_valid"),
            models.CheckConstraint(
                condition=Q(loss_amount__isnull=True) | Q(loss_amount__gte=0), name="violation_loss_not_negative"
            ),
        ]
        indexes = [models.Index(fields=["status", "member"], name="violation_status_member_idx")]

    def __str__(self) -> str:
        return f"{self.get_category_display()} · {self.matched}"

    def explanation(self) -> str:
        """Why the finding is one, in words, from `detail` (the price check: the quote, the list price, the
        share off it and the sender's authority); "" for findings without such detail."""
        return price_explanation(self.detail) or order_explanation(self.detail) or late_reply_explanation(self.detail)

    @property
    def summary(self) -> str:
        """What a list shows: the explanation of a behaviour finding (no words to quote), else the matched text."""
        return order_explanation(self.detail) or late_reply_explanation(self.detail) or self.matched

    @property
    def is_open(self) -> bool:
        return self.status == ViolationStatus.OPEN


def ms_to_datetime(ms: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(ms / 1000, tz=dt.UTC)


def _yuan(value: object) -> str:
    try:
        return f"{Decimal(str(value)):,.2f}"
    except (InvalidOperation, ValueError):
        return str(value)


def _percent(value: object) -> str:
    try:
        d = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return str(value)
    text = f"{d:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def price_explanation(detail: object) -> str:
    """The price check's explanation ("报价 3,200.00 元，低于标价 4,000.00 元 20%，超出销售人员折扣权限 0%")."""
    if not isinstance(detail, dict) or detail.get("check") != "price_policy":
        return ""
    role = str(detail.get("role") or "")
    role_label = str(Role(role).label) if role in Role.values else role
    params = {
        "price": _yuan(detail.get("price")),
        "list_price": _yuan(detail.get("list_price")),
        "off": _percent(detail.get("off")),
        "role": role_label,
        "authority": _percent(detail.get("authority")),
        "floor": _yuan(detail.get("floor")),
        "product": str(detail.get("product_name") or detail.get("product") or ""),
    }
    text = _(
        "Quoted %(price)s yuan for %(product)s, %(off)s%% below the list price of %(list_price)s yuan, "
        "beyond the discount authority of %(role)s (%(authority)s%%)"
    )
    if detail.get("below_floor"):
        text = _(
            "Quoted %(price)s yuan for %(product)s, %(off)s%% below the list price of %(list_price)s yuan and "
            "below the floor price of %(floor)s yuan, which only the sales director may approve"
        )
    return str(text) % params


def order_explanation(detail: object) -> str:
    """The group-order checks' explanation ("10 条消息 / 30 秒", the session a message was sent in)."""
    if not isinstance(detail, dict):
        return ""
    check = detail.get("check")
    if check in ("flood", "repeat"):
        params = {"count": detail.get("count"), "seconds": detail.get("window_seconds")}
        if check == "flood":
            return str(_("%(count)s messages within %(seconds)s seconds in one group")) % params
        return str(_("The same message %(count)s times within %(seconds)s seconds in one group")) % params
    if check == "meeting":
        kind = str(detail.get("kind") or "")
        try:
            start = dt.datetime.fromisoformat(str(detail.get("starts_at")))
            end = dt.datetime.fromisoformat(str(detail.get("ends_at")))
        except ValueError:
            return ""
        from django.utils import timezone

        start, end = timezone.localtime(start), timezone.localtime(end)
        params = {
            "title": str(detail.get("title") or ""),
            "start": start.strftime("%Y-%m-%d %H:%M"),
            "end": end.strftime("%H:%M"),
        }
        if kind == "training":
            return str(_("Sent during the training “%(title)s” (%(start)s–%(end)s)")) % params
        return str(_("Sent during the meeting “%(title)s” (%(start)s–%(end)s)")) % params
    return ""


from .reply_models import ReplyResponder, ReplyWait, WaitKind, late_reply_explanation  # noqa: E402, F401
