"""Rewards and penalties (奖惩): sanction policies per regulation article, proposals decided by leads, appeals.

A `SanctionPolicy` is a configurable ladder: it matches a confirmed violation by the article it cites and/or the
rule's category and severity (the most specific active policy wins; a policy with no matcher is the company-wide
default) and turns the reviewer's consequence facts into a proposed measure (`services.ladder_step`).

A `Sanction` is one reward or penalty for one member: proposed by zhidu (from a violation or a frozen ranking),
decided by people (approve, change with a reason, reject; a second, higher lead for the heavy kinds), and
possibly appealed (`Appeal`) — an upheld appeal reverses it.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zhidu.core.models import BaseModel
from zhidu.org.models import Member, Role, work_scope_q


class Kind(models.TextChoices):
    # penalties
    CRITICISM = "criticism", _("Criticism and education")
    ORAL_WARNING = "oral_warning", _("Oral warning")
    WRITTEN_WARNING = "written_warning", _("Written warning")
    FINE = "fine", _("Fine")
    DEMOTION = "demotion", _("Demotion")
    SUSPENSION = "suspension", _("Suspension")
    DISMISSAL = "dismissal", _("Dismissal")
    REMOVAL = "removal", _("Removal from the team")
    LEGAL_REFERRAL = "legal_referral", _("Referral for legal action")
    # rewards
    COMMENDATION = "commendation", _("Commendation")
    BONUS = "bonus", _("Bonus")
    PROMOTION = "promotion", _("Promotion recommendation")


REWARD_KINDS = (Kind.COMMENDATION, Kind.BONUS, Kind.PROMOTION)
PENALTY_KINDS = tuple(k for k in Kind if k not in REWARD_KINDS)
MONEY_KINDS = (Kind.FINE, Kind.BONUS)  # kinds that carry an amount (yuan, > 0)
# The level above the deciding lead must approve these too (two-level approval).
TWO_LEVEL_KINDS = (Kind.SUSPENSION, Kind.DISMISSAL, Kind.REMOVAL, Kind.LEGAL_REFERRAL)
# Kinds that end the membership when approved (the member leaves; their customers go to 离职继承).
LEAVING_KINDS = (Kind.DISMISSAL, Kind.REMOVAL)

# Roles that read discipline records: everyone in the sales line (scoped) and compliance (read-only, company-wide).
READER_ROLES = (Role.DIRECTOR, Role.MANAGER, Role.SUPERVISOR, Role.SALES, Role.COMPLIANCE)
POLICY_EDITORS = (Role.ADMIN, Role.COMPLIANCE)
# Rank of the lead roles: the level above must rank higher than the lead who decided.
LEAD_RANK: dict[str, int] = {Role.SUPERVISOR: 1, Role.MANAGER: 2, Role.DIRECTOR: 3}


def _fine_default() -> Decimal:
    return Decimal(settings.DISCIPLINE_FINE_YUAN)


def _serious_loss_default() -> Decimal:
    return Decimal(settings.DISCIPLINE_SERIOUS_LOSS_YUAN)


def _repeat_threshold_default() -> int:
    return int(settings.DISCIPLINE_REPEAT_THRESHOLD)


def _window_default() -> int:
    return int(settings.DISCIPLINE_REPEAT_WINDOW_DAYS)


class SanctionPolicy(BaseModel):
    """How breaches of an article (or of a rule category/severity, or of anything: the default) are sanctioned."""

    name = models.CharField(_("name"), max_length=100)
    active = models.BooleanField(_("active"), default=True)
    article = models.ForeignKey(
        "policies.Article",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("regulation article"),
    )
    category = models.CharField(_("rule category"), max_length=20, blank=True)
    severity = models.CharField(_("severity"), max_length=10, blank=True)
    first_kind = models.CharField(_("first minor breach"), max_length=20, choices=Kind.choices, default=Kind.CRITICISM)
    again_kind = models.CharField(
        _("minor breach again"), max_length=20, choices=Kind.choices, default=Kind.WRITTEN_WARNING
    )
    loss_kind = models.CharField(_("loss or bad impact"), max_length=20, choices=Kind.choices, default=Kind.FINE)
    fine_amount = models.DecimalField(_("fine (yuan)"), max_digits=12, decimal_places=2, default=_fine_default)
    impact_kind = models.CharField(
        _("secrets leaked or image harmed"), max_length=20, choices=Kind.choices, default=Kind.SUSPENSION
    )
    serious_kind = models.CharField(
        _("serious or repeated after correction"), max_length=20, choices=Kind.choices, default=Kind.DISMISSAL
    )
    serious_loss = models.DecimalField(
        _("serious from a loss of (yuan)"), max_digits=14, decimal_places=2, default=_serious_loss_default
    )
    repeat_threshold = models.PositiveSmallIntegerField(
        _("repeated from this many offences"), default=_repeat_threshold_default
    )
    window_days = models.PositiveSmallIntegerField(_("counting window (days)"), default=_window_default)
    refer_at_once = models.BooleanField(
        _("dismissal and legal referral at once"),
        default=False,
        help_text="illegal goods and the like: no ladder, the first breach is a dismissal and a referral",
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("sanction policy")
        verbose_name_plural = _("sanction policies")
        constraints = [
            models.CheckConstraint(condition=Q(fine_amount__gt=0), name="sanction_policy_fine_positive"),
            models.CheckConstraint(condition=Q(serious_loss__gt=0), name="sanction_policy_serious_loss_positive"),
            models.CheckConstraint(condition=Q(repeat_threshold__gte=2), name="sanction_policy_repeat_min"),
            models.CheckConstraint(condition=Q(window_days__gte=1), name="sanction_policy_window_min"),
        ]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def label(field: str) -> str:
        """The (translated) label of one of the policy's fields."""
        return str(getattr(SanctionPolicy._meta.get_field(field), "verbose_name", field))

    @property
    def specificity(self) -> int:
        return 4 * (self.article_id is not None) + 2 * bool(self.category) + bool(self.severity)


class Status(models.TextChoices):
    PROPOSED = "proposed", _("Awaiting the lead")
    AWAITING_UPPER = "awaiting_upper", _("Awaiting the level above")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    REVERSED = "reversed", _("Reversed on appeal")


OPEN_STATUSES = (Status.PROPOSED, Status.AWAITING_UPPER)


class SanctionQuerySet(models.QuerySet["Sanction"]):
    def visible_to(self, member: Member | None) -> SanctionQuerySet:
        """Own records for salespeople, the team for supervisors, the subtree for managers; directors and
        compliance officers read all; administrators none."""
        if member is None or not member.is_active or member.role not in READER_ROLES:
            return self.none()
        if member.role in (Role.DIRECTOR, Role.COMPLIANCE):
            return self
        return self.filter(member__in=work_scope_q(member))


class Sanction(BaseModel):
    """One reward or penalty for one member, from its proposal to its decision (and reversal)."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="sanctions", verbose_name=_("member"))
    kind = models.CharField(_("measure"), max_length=20, choices=Kind.choices)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True)
    also_refer = models.BooleanField(_("also referred for legal action"), default=False)
    proposed_kind = models.CharField(_("proposed measure"), max_length=20, choices=Kind.choices)
    proposed_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PROPOSED)
    # what the proposal rests on
    violation = models.ForeignKey(
        "compliance.Violation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sanctions",
        verbose_name=_("violation"),
    )
    policy = models.ForeignKey(SanctionPolicy, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    citation = models.TextField(_("citation"), blank=True)
    # {"step": "first|again|loss|impact|serious|repeat|refer|top|achievement", "previous": n, "window_days": d,
    #  "loss": "…", "impact": "…", "rank": r, "achievement": "…", "scope": "…", "period_start": "…"}
    facts = models.JSONField(default=dict, blank=True)
    snapshot_id = models.BigIntegerField(null=True, blank=True, help_text="the frozen ranking a reward comes from")
    suggestion_id = models.BigIntegerField(
        null=True, blank=True, help_text="the accepted suggestion a reward comes from"
    )
    # decisions
    lead = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("approved by")
    )
    upper = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("confirmed by")
    )
    change_reason = models.TextField(_("reason for the change"), blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True, db_index=True)
    reason = models.TextField(_("reason"), blank=True)

    objects = SanctionQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("reward or penalty")
        verbose_name_plural = _("rewards and penalties")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="sanction_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=Status.values), name="sanction_status_valid"),
            models.CheckConstraint(condition=Q(amount__isnull=True) | Q(amount__gt=0), name="sanction_amount_positive"),
            models.UniqueConstraint(
                fields=["violation"], condition=Q(violation__isnull=False), name="sanction_one_per_violation"
            ),
            models.UniqueConstraint(
                fields=["snapshot_id", "member", "proposed_kind"],
                condition=Q(snapshot_id__isnull=False),
                name="sanction_one_reward_per_snapshot_kind",
            ),
            models.UniqueConstraint(
                fields=["suggestion_id"], condition=Q(suggestion_id__isnull=False), name="sanction_one_per_suggestion"
            ),
        ]
        indexes = [models.Index(fields=["status", "member"], name="sanction_status_member_idx")]

    def __str__(self) -> str:
        return f"{self.member} · {self.get_kind_display()}"

    @property
    def is_reward(self) -> bool:
        return self.kind in REWARD_KINDS

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class AppealStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    UPHELD = "upheld", _("Upheld")
    DISMISSED = "dismissed", _("Dismissed")


class Appeal(BaseModel):
    """The member asks the level above to set an approved penalty aside (申诉). One per sanction."""

    sanction = models.OneToOneField(Sanction, on_delete=models.CASCADE, related_name="appeal")
    text = models.TextField(_("grounds"))
    status = models.CharField(_("status"), max_length=10, choices=AppealStatus.choices, default=AppealStatus.PENDING)
    decided_by = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("decided by")
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision = models.TextField(_("decision"), blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=AppealStatus.values), name="appeal_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.sanction} · {self.get_status_display()}"
