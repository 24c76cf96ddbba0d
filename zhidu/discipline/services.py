"""Every write of the discipline app: proposals (from violations and frozen rankings), decisions, appeals, policies.

zhidu proposes, a person decides: nothing here applies a measure without a lead's approval. A proposal is decided
by a lead whose scope holds the member (approve, change with a reason, reject); suspension, dismissal, removal
and legal referral need the level above as well (a higher-ranked lead whose scope holds the first approver; a
director's approval is final). An approved dismissal or removal ends the membership (`member_remove`, whose
`member.removed` event opens the customers' 离职继承 transfer); a suspension suspends it. The member may appeal an
approved penalty within `DISCIPLINE_APPEAL_DAYS`; the level above the deciding lead decides; an upheld appeal
reverses the measure, overturns the violation (it no longer counts in scores or repeat counts) and reinstates a
suspended or removed member.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop

from zhidu.compliance.models import Category, Impact, Severity, Violation, ViolationStatus
from zhidu.compliance.services.review import violation_overturn
from zhidu.core.audit import audit_record, snapshot
from zhidu.core.errors import DomainError
from zhidu.core.money import parse_money
from zhidu.core.notifications import notify
from zhidu.org import services as org
from zhidu.org.models import LEAD_ROLES, Member, MemberStatus, Role
from zhidu.performance.contracts import RankedRow, frozen_ranking_rows
from zhidu.policies.models import Article, VersionStatus

from . import errors as E
from .models import (
    LEAD_RANK,
    LEAVING_KINDS,
    MONEY_KINDS,
    OPEN_STATUSES,
    PENALTY_KINDS,
    POLICY_EDITORS,
    REWARD_KINDS,
    TWO_LEVEL_KINDS,
    Appeal,
    AppealStatus,
    Kind,
    Sanction,
    SanctionPolicy,
    Status,
)

log = logging.getLogger(__name__)

AMOUNT_LABEL = gettext_noop("Amount")
SYSTEM = "system"


# ------------------------------------------------------------------------------------------------ the ladder


def default_policy() -> SanctionPolicy:
    """The company-wide default ladder: the first active policy without matchers, else one built from settings."""
    for p in SanctionPolicy.objects.filter(active=True, article=None, category="", severity=""):
        return p
    return SanctionPolicy(name="default")


def cited_article_ids(violation: Violation) -> set[int]:
    return {int(c["article"]) for c in violation.cited or [] if isinstance(c, dict) and c.get("article")}


def policy_for(violation: Violation) -> SanctionPolicy:
    """The most specific active policy whose matchers all hold (article cited, rule category, severity)."""
    articles = cited_article_ids(violation)
    best: SanctionPolicy | None = None
    for p in SanctionPolicy.objects.filter(active=True):
        if p.article_id is not None and p.article_id not in articles:
            continue
        if p.category and p.category != violation.category:
            continue
        if p.severity and p.severity != violation.severity:
            continue
        if best is None or p.specificity > best.specificity:
            best = p
    return best or default_policy()


def previous_offences(violation: Violation, window_days: int) -> int:
    """Confirmed violations of the same member and article (the same rule when nothing is cited) within the
    window before this one; overturned ones do not count."""
    if violation.member_id is None:
        return 0
    since = violation.occurred_at - dt.timedelta(days=window_days)
    qs = Violation.objects.filter(
        member_id=violation.member_id, status=ViolationStatus.CONFIRMED, occurred_at__gte=since
    ).exclude(pk=violation.pk)
    articles = cited_article_ids(violation)
    if not articles:
        return qs.filter(rule_id=violation.rule_id).count()
    count = 0
    for cited in qs.values_list("cited", flat=True)[:1000]:
        ids = {int(c["article"]) for c in cited or [] if isinstance(c, dict) and c.get("article")}
        count += bool(ids & articles)
    return count


@dataclass(frozen=True)
class Step:
    kind: str
    amount: Decimal | None
    also_refer: bool
    step: str  # refer | serious | repeat | impact | loss | again | first


def ladder_step(policy: SanctionPolicy, *, loss: Decimal | None, impact: str, previous: int) -> Step:
    """The measure a policy proposes for the consequence facts and the previous offences in its window."""
    if policy.refer_at_once:
        return Step(Kind.DISMISSAL, None, True, "refer")
    if loss is not None and loss >= policy.serious_loss:
        return _step(policy, policy.serious_kind, "serious")
    if previous + 1 >= policy.repeat_threshold:
        return _step(policy, policy.serious_kind, "repeat")
    if impact in (Impact.IMAGE, Impact.SECRET):
        return _step(policy, policy.impact_kind, "impact")
    if (loss is not None and loss > 0) or impact == Impact.BAD:
        return _step(policy, policy.loss_kind, "loss")
    if previous:
        return _step(policy, policy.again_kind, "again")
    return _step(policy, policy.first_kind, "first")


def _step(policy: SanctionPolicy, kind: str, step: str) -> Step:
    return Step(kind, policy.fine_amount if kind == Kind.FINE else None, kind == Kind.LEGAL_REFERRAL, step)


# ---------------------------------------------------------------------------------------------- proposals


def _lead_of(member: Member) -> Member | None:
    lead = member.reports_to
    while lead is not None and not lead.is_active:
        lead = lead.reports_to
    return lead


def _notify(member_ids: Sequence[int | None], title: str, sanction: Sanction, action: str = "") -> None:
    ids = [pk for pk in member_ids if pk is not None]
    if ids:
        notify(member_ids=ids, title=title, url=reverse("discipline:record", args=[sanction.pk]), action=action)


@transaction.atomic
def sanction_propose_for_violation(*, violation_id: int) -> Sanction | None:
    """Propose the next measure for a confirmed violation (once), with its reasoning; notify the member's lead.
    Subscribed to compliance's `violation.confirmed`."""
    violation = Violation.objects.select_related("member", "rule").filter(pk=violation_id).first()
    if violation is None or violation.member is None or violation.status != ViolationStatus.CONFIRMED:
        return None
    if Sanction.objects.filter(violation=violation).exists():
        return None
    policy = policy_for(violation)
    previous = previous_offences(violation, policy.window_days)
    step = ladder_step(policy, loss=violation.loss_amount, impact=violation.impact, previous=previous)
    sanction = Sanction.objects.create(
        member=violation.member,
        kind=step.kind,
        amount=step.amount,
        also_refer=step.also_refer,
        proposed_kind=step.kind,
        proposed_amount=step.amount,
        violation=violation,
        policy=policy if policy.pk else None,
        citation=violation.citation,
        facts={
            "step": step.step,
            "previous": previous,
            "window_days": policy.window_days,
            "loss": None if violation.loss_amount is None else str(violation.loss_amount),
            "impact": violation.impact,
            "rule": violation.rule.name,
        },
    )
    audit_record(
        actor=None,
        actor_label=SYSTEM,
        verb="sanction.propose",
        target=sanction,
        after=snapshot(sanction, ["member", "kind", "amount", "also_refer", "violation", "policy"]) | sanction.facts,
    )
    with translation.override(settings.LANGUAGE_CODE):
        _notify(
            [getattr(_lead_of(violation.member), "pk", None)],
            gettext("Sanction proposed for %(name)s: decide it") % {"name": violation.member.name},
            sanction,
            gettext("Decide"),
        )
    return sanction


def on_violation_confirmed(*, id: int) -> None:
    """Handler of compliance's `violation.confirmed`."""
    sanction_propose_for_violation(violation_id=id)


@transaction.atomic
def rewards_propose(*, rows: Sequence[RankedRow]) -> list[Sanction]:
    """Rewards from one frozen ranking: each team's top `DISCIPLINE_REWARD_TOP_N` (short of the whole team) a
    commendation, each member with at least `DISCIPLINE_REWARD_ACHIEVEMENT_PERCENT` achievement a bonus.
    Idempotent per snapshot."""
    top_n = settings.DISCIPLINE_REWARD_TOP_N
    threshold = Decimal(settings.DISCIPLINE_REWARD_ACHIEVEMENT_PERCENT)
    wanted: dict[tuple[int, int, str], dict[str, Any]] = {}
    # A commendation singles out the best of a team: only members ranked above someone else of it (a team of one,
    # or a team all tied, gets none; a team of three with top 3 only its first two).
    worst: dict[tuple[int, int | None], int] = {}
    for row in rows:
        if row.scope == "team":
            key = (row.snapshot_id, row.scope_id)
            worst[key] = max(worst.get(key, 0), row.rank)
    for row in rows:
        base = {
            "rank": row.rank,
            "score": str(row.score),
            "scope": row.scope,
            "scope_name": row.scope_name,
            "period_kind": row.period_kind,
            "period_start": row.period_start.isoformat(),
            "achievement": None if row.achievement is None else str(row.achievement),
        }
        if row.scope == "team" and row.rank <= top_n and row.rank < worst[(row.snapshot_id, row.scope_id)]:
            wanted.setdefault((row.snapshot_id, row.member_id, Kind.COMMENDATION), base | {"step": "top", "top": top_n})
        if row.achievement is not None and row.achievement >= threshold:
            wanted.setdefault(
                (row.snapshot_id, row.member_id, Kind.BONUS),
                base | {"step": "achievement", "threshold": str(threshold)},
            )
    if not wanted:
        return []
    members = {m.pk: m for m in Member.objects.filter(pk__in={k[1] for k in wanted}, status=MemberStatus.ACTIVE)}
    done = set(
        Sanction.objects.filter(snapshot_id__in={k[0] for k in wanted}, member_id__in=members).values_list(
            "snapshot_id", "member_id", "proposed_kind"
        )
    )
    out: list[Sanction] = []
    bonus = Decimal(settings.DISCIPLINE_REWARD_BONUS_YUAN).quantize(Decimal("0.01"))
    for (snapshot_id, member_id, kind), facts in wanted.items():
        if member_id not in members or (snapshot_id, member_id, kind) in done:
            continue
        amount = bonus if kind == Kind.BONUS else None
        s = Sanction.objects.create(
            member=members[member_id],
            kind=kind,
            amount=amount,
            proposed_kind=kind,
            proposed_amount=amount,
            snapshot_id=snapshot_id,
            facts=facts,
        )
        audit_record(actor=None, actor_label=SYSTEM, verb="reward.propose", target=s, after={"kind": kind} | facts)
        out.append(s)
    with translation.override(settings.LANGUAGE_CODE):
        for s in out:
            _notify(
                [getattr(_lead_of(s.member), "pk", None)],
                gettext("Reward proposed for %(name)s: decide it") % {"name": s.member.name},
                s,
                gettext("Decide"),
            )
    return out


def reward_propose_for_suggestion(*, suggestion_id: int) -> Sanction | None:
    """A commendation for the author of an accepted, named suggestion (once per suggestion), for their lead to
    decide. Nothing for an anonymous one, or when DISCIPLINE_REWARD_SUGGESTIONS is off."""
    from zhidu.work.models import Suggestion, SuggestionStatus

    if not settings.DISCIPLINE_REWARD_SUGGESTIONS:
        return None
    suggestion = Suggestion.objects.select_related("author").filter(pk=suggestion_id).first()
    if (
        suggestion is None
        or suggestion.anonymous
        or suggestion.status not in (SuggestionStatus.ACCEPTED, SuggestionStatus.PLANNED, SuggestionStatus.DONE)
        or not suggestion.author.is_active
        or Sanction.objects.filter(suggestion_id=suggestion.pk).exists()
    ):
        return None
    facts = {"step": "suggestion", "title": suggestion.title}
    s = Sanction.objects.create(
        member=suggestion.author,
        kind=Kind.COMMENDATION,
        proposed_kind=Kind.COMMENDATION,
        suggestion_id=suggestion.pk,
        facts=facts,
    )
    audit_record(actor=None, actor_label=SYSTEM, verb="reward.propose", target=s, after={"kind": s.kind} | facts)
    with translation.override(settings.LANGUAGE_CODE):
        _notify(
            [getattr(_lead_of(s.member), "pk", None)],
            gettext("Reward proposed for %(name)s: decide it") % {"name": s.member.name},
            s,
            gettext("Decide"),
        )
    return s


def on_suggestion_accepted(*, id: int) -> None:
    """Handler of work's `work.suggestion_accepted`."""
    reward_propose_for_suggestion(suggestion_id=id)


def on_ranking_frozen(*, snapshot_id: int) -> None:
    """Handler of performance's `RANKING_FROZEN`."""
    rewards_propose(rows=frozen_ranking_rows(snapshot_id))


# ---------------------------------------------------------------------------------------------- decisions


def can_lead(actor: Member, member: Member) -> bool:
    """A lead whose scope holds the member (never the member themselves)."""
    return actor.is_active and actor.role in LEAD_ROLES and actor.pk != member.pk and actor.can_see_work_of(member)


def is_above(actor: Member, lead: Member) -> bool:
    """The level above `lead`: a higher-ranked lead whose scope holds them (a director holds everyone)."""
    if not actor.is_active or actor.pk == lead.pk or actor.role not in LEAD_RANK:
        return False
    if LEAD_RANK[actor.role] <= LEAD_RANK.get(lead.role, 0):
        return False
    return actor.role == Role.DIRECTOR or actor.can_see_work_of(lead)


def can_decide(actor: Member, sanction: Sanction) -> bool:
    if sanction.status == Status.PROPOSED:
        return can_lead(actor, sanction.member)
    if sanction.status == Status.AWAITING_UPPER and sanction.lead is not None:
        return actor.pk != sanction.member_id and is_above(actor, sanction.lead)
    return False


def _locked_open(actor: Member, sanction: Sanction) -> Sanction:
    locked = Sanction.objects.select_for_update(of=("self",)).select_related("member", "lead").get(pk=sanction.pk)
    if locked.status not in OPEN_STATUSES:
        raise DomainError(E.ERR_NOT_OPEN, code="conflict", status=Status(locked.status).label)
    if not can_decide(actor, locked):
        err = E.ERR_NOT_UPPER if locked.status == Status.AWAITING_UPPER else E.ERR_NOT_LEAD
        raise DomainError(err, code="forbidden")
    return locked


def _apply(actor: Member, sanction: Sanction) -> None:
    """Run what an approved measure does to the membership (the rest is on record)."""
    member = sanction.member
    member.refresh_from_db()
    reason = f"sanction #{sanction.pk}: {sanction.kind}"
    if sanction.kind in LEAVING_KINDS and member.status != MemberStatus.REMOVED:
        org.member_remove(actor=actor, member=member, reason=reason)
    elif sanction.kind == Kind.SUSPENSION and member.status == MemberStatus.ACTIVE:
        org.member_suspend(actor=actor, member=member, reason=reason)


def _decide(actor: Member, locked: Sanction, *, verb: str, reason: str, before: dict[str, Any]) -> Sanction:
    """Approve `locked` as it now stands: to the level above when the kind needs it, else final."""
    now = timezone.now()
    first_level = locked.status == Status.PROPOSED
    if first_level:
        locked.lead = actor
    else:
        locked.upper = actor
    if first_level and locked.kind in TWO_LEVEL_KINDS and actor.role != Role.DIRECTOR:
        locked.status = Status.AWAITING_UPPER
    else:
        locked.status = Status.APPROVED
        locked.decided_at = now
    locked.reason = reason
    locked.save()
    after = snapshot(locked, ["status", "kind", "amount", "lead", "upper"])
    audit_record(actor=actor, verb=verb, target=locked, before=before, after=after, reason=reason)
    with translation.override(settings.LANGUAGE_CODE):
        if locked.status == Status.AWAITING_UPPER:
            _apply_notify_upper(actor, locked)
        else:
            _apply(actor, locked)
            _notify(
                [locked.member_id],
                gettext("A decision about you: %(kind)s") % {"kind": locked.get_kind_display()},
                locked,
                gettext("View"),
            )
    return locked


def _apply_notify_upper(actor: Member, sanction: Sanction) -> None:
    _notify(
        [getattr(_lead_of(actor), "pk", None)],
        gettext("%(kind)s for %(name)s needs your confirmation")
        % {"kind": sanction.get_kind_display(), "name": sanction.member.name},
        sanction,
        gettext("Decide"),
    )


def _before(s: Sanction) -> dict[str, Any]:
    return snapshot(s, ["status", "kind", "amount", "lead", "upper"])


@transaction.atomic
def sanction_approve(*, actor: Member, sanction: Sanction, reason: str = "") -> Sanction:
    """Approve the proposal as it stands (to the level above for the heavy kinds)."""
    locked = _locked_open(actor, sanction)
    verb = "sanction.approve" if locked.status == Status.PROPOSED else "sanction.confirm"
    return _decide(actor, locked, verb=verb, reason=(reason or "").strip(), before=_before(locked))


def _amount(kind: str, value: object) -> Decimal | None:
    if kind not in MONEY_KINDS:
        return None
    if isinstance(value, Decimal | int | str) and str(value).strip().startswith("-"):
        raise DomainError(E.ERR_AMOUNT_POSITIVE, field="amount")
    amount = parse_money(value, field="amount", label=gettext(AMOUNT_LABEL), required=False)
    if amount is None or amount <= 0:
        raise DomainError(E.ERR_AMOUNT_REQUIRED, field="amount")
    return amount


@transaction.atomic
def sanction_change(*, actor: Member, sanction: Sanction, kind: str, amount: object = None, reason: str) -> Sanction:
    """Decide a different measure than proposed (a reason is required), then approve it as changed."""
    reason = (reason or "").strip()
    if kind not in Kind.values:
        raise DomainError(E.ERR_KIND, field="kind")
    new_amount = _amount(kind, amount)
    if not reason:
        raise DomainError(E.ERR_CHANGE_REASON, field="reason")
    locked = _locked_open(actor, sanction)
    if (kind in REWARD_KINDS) != (locked.kind in REWARD_KINDS):
        raise DomainError(E.ERR_KIND_SIDE, field="kind")
    if kind == locked.kind and new_amount == locked.amount:
        raise DomainError(E.ERR_NOT_SAME, field="kind")
    before = _before(locked)
    locked.kind = kind
    locked.amount = new_amount
    locked.also_refer = locked.also_refer and kind in (Kind.DISMISSAL, Kind.LEGAL_REFERRAL)
    locked.change_reason = reason
    return _decide(actor, locked, verb="sanction.change", reason=reason, before=before)


@transaction.atomic
def sanction_reject(*, actor: Member, sanction: Sanction, reason: str) -> Sanction:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(E.ERR_REJECT_REASON, field="reason")
    locked = _locked_open(actor, sanction)
    before = _before(locked)
    if locked.status == Status.PROPOSED:
        locked.lead = actor
    else:
        locked.upper = actor
    locked.status = Status.REJECTED
    locked.decided_at = timezone.now()
    locked.reason = reason
    locked.save()
    audit_record(
        actor=actor, verb="sanction.reject", target=locked, before=before, after=_before(locked), reason=reason
    )
    return locked


# ------------------------------------------------------------------------------------------------ appeals


def appeal_deadline(sanction: Sanction) -> dt.datetime | None:
    if sanction.decided_at is None:
        return None
    return sanction.decided_at + dt.timedelta(days=settings.DISCIPLINE_APPEAL_DAYS)


def can_appeal(actor: Member, sanction: Sanction) -> bool:
    deadline = appeal_deadline(sanction)
    return (
        actor.pk == sanction.member_id
        and sanction.status == Status.APPROVED
        and sanction.kind in PENALTY_KINDS
        and deadline is not None
        and timezone.now() <= deadline
        and not Appeal.objects.filter(sanction=sanction).exists()
    )


def final_decider(sanction: Sanction) -> Member | None:
    return sanction.upper or sanction.lead


def can_decide_appeal(actor: Member, appeal: Appeal) -> bool:
    """The level above the lead who decided the measure; a director's decision is reviewed by a director."""
    sanction = appeal.sanction
    decider = final_decider(sanction)
    if decider is None or not actor.is_active or actor.pk == sanction.member_id:
        return False
    if decider.role == Role.DIRECTOR:
        return actor.role == Role.DIRECTOR
    return is_above(actor, decider)


@transaction.atomic
def appeal_submit(*, actor: Member, sanction: Sanction, text: str) -> Appeal:
    text = (text or "").strip()
    locked = Sanction.objects.select_for_update(of=("self",)).select_related("lead", "upper").get(pk=sanction.pk)
    if actor.pk != locked.member_id:
        raise DomainError(E.ERR_APPEAL_NOT_OWN, code="forbidden")
    if locked.status != Status.APPROVED or locked.kind not in PENALTY_KINDS:
        raise DomainError(E.ERR_APPEAL_NOT_PENALTY, code="conflict")
    if Appeal.objects.filter(sanction=locked).exists():
        raise DomainError(E.ERR_APPEAL_EXISTS, code="conflict")
    deadline = appeal_deadline(locked)
    if deadline is None or timezone.now() > deadline:
        raise DomainError(E.ERR_APPEAL_LATE, code="conflict", days=settings.DISCIPLINE_APPEAL_DAYS)
    if not text:
        raise DomainError(E.ERR_APPEAL_TEXT, field="text")
    appeal = Appeal.objects.create(sanction=locked, text=text)
    audit_record(actor=actor, verb="appeal.submit", target=appeal, after={"sanction": locked.pk, "text": text})
    decider = final_decider(locked)
    with translation.override(settings.LANGUAGE_CODE):
        _notify(
            [getattr(_lead_of(decider), "pk", None) if decider is not None else None],
            gettext("%(name)s appealed a decision: decide the appeal") % {"name": actor.name},
            locked,
            gettext("Decide"),
        )
    return appeal


@transaction.atomic
def appeal_decide(*, actor: Member, appeal: Appeal, uphold: bool, reason: str) -> Appeal:
    """Uphold (reverse the measure, overturn its violation, reinstate the member) or dismiss an appeal."""
    reason = (reason or "").strip()
    locked = (
        Appeal.objects.select_for_update(of=("self",))
        .select_related("sanction__member", "sanction__lead")
        .get(pk=appeal.pk)
    )
    if not can_decide_appeal(actor, locked):
        raise DomainError(E.ERR_APPEAL_DECIDER, code="forbidden")
    if locked.status != AppealStatus.PENDING:
        raise DomainError(E.ERR_APPEAL_DECIDED, code="conflict")
    if not reason:
        raise DomainError(E.ERR_APPEAL_REASON, field="reason")
    locked.status = AppealStatus.UPHELD if uphold else AppealStatus.DISMISSED
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.decision = reason
    locked.save()
    audit_record(
        actor=actor,
        verb="appeal.uphold" if uphold else "appeal.dismiss",
        target=locked,
        before={"status": AppealStatus.PENDING},
        after={"status": locked.status},
        reason=reason,
    )
    sanction = locked.sanction
    if uphold:
        sanction.status = Status.REVERSED
        sanction.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=actor,
            verb="sanction.reverse",
            target=sanction,
            before={"status": Status.APPROVED},
            after={"status": Status.REVERSED},
            reason=reason,
        )
        if sanction.violation_id is not None:
            violation = Violation.objects.get(pk=sanction.violation_id)
            if violation.status == ViolationStatus.CONFIRMED:
                violation_overturn(actor=actor, violation=violation, reason=reason)
        member = sanction.member
        member.refresh_from_db()
        left = sanction.kind in LEAVING_KINDS and member.status == MemberStatus.REMOVED
        suspended = sanction.kind == Kind.SUSPENSION and member.status == MemberStatus.SUSPENDED
        if left or suspended:
            org.member_reinstate(actor=actor, member=member, reason=f"appeal #{locked.pk} upheld")
    with translation.override(settings.LANGUAGE_CODE):
        title = gettext("Your appeal was upheld") if uphold else gettext("Your appeal was dismissed")
        _notify([sanction.member_id], title, sanction, gettext("View"))
    return locked


# ------------------------------------------------------------------------------------------------ policies

POLICY_KIND_FIELDS = ("first_kind", "again_kind", "loss_kind", "impact_kind", "serious_kind")


def _require_editor(actor: Member) -> None:
    if not (actor.is_active and actor.role in POLICY_EDITORS):
        raise DomainError(E.ERR_POLICY_FORBIDDEN, code="forbidden")


def _int(value: object, *, field: str, label: str, lo: int, hi: int) -> int:
    try:
        n = int(str(value).strip())
    except (TypeError, ValueError):
        raise DomainError(E.ERR_POLICY_NUMBER, field=field, label=label, min=lo, max=hi) from None
    if not lo <= n <= hi:
        raise DomainError(E.ERR_POLICY_NUMBER, field=field, label=label, min=lo, max=hi)
    return n


def _policy_values(data: dict[str, Any]) -> dict[str, Any]:
    name = str(data.get("name") or "").strip()[:100]
    if not name:
        raise DomainError(E.ERR_POLICY_NAME, field="name")
    category = str(data.get("category") or "")
    if category and category not in Category.values:
        raise DomainError(E.ERR_POLICY_CATEGORY, field="category")
    severity = str(data.get("severity") or "")
    if severity and severity not in Severity.values:
        raise DomainError(E.ERR_POLICY_SEVERITY, field="severity")
    article = None
    if data.get("article_id"):
        article = Article.objects.filter(pk=data["article_id"], version__status=VersionStatus.PUBLISHED).first()
        if article is None:
            raise DomainError(E.ERR_POLICY_ARTICLE, field="article_id")
    out: dict[str, Any] = {
        "name": name,
        "category": category,
        "severity": severity,
        "article": article,
        "active": bool(data.get("active", True)),
        "refer_at_once": bool(data.get("refer_at_once", False)),
    }
    for f in POLICY_KIND_FIELDS:
        kind = str(data.get(f) or "")
        if kind not in PENALTY_KINDS:
            raise DomainError(E.ERR_KIND, field=f)
        out[f] = kind
    for f in ("fine_amount", "serious_loss"):
        label = SanctionPolicy.label(f)
        value = parse_money(data.get(f), field=f, label=label)
        if value is None or value <= 0:
            raise DomainError(E.ERR_AMOUNT_POSITIVE, field=f)
        out[f] = value
    out["repeat_threshold"] = _int(
        data.get("repeat_threshold"),
        field="repeat_threshold",
        label=SanctionPolicy.label("repeat_threshold"),
        lo=2,
        hi=50,
    )
    out["window_days"] = _int(
        data.get("window_days"),
        field="window_days",
        label=SanctionPolicy.label("window_days"),
        lo=1,
        hi=3650,
    )
    return out


POLICY_FIELDS = [
    "name", "active", "article", "category", "severity", "first_kind", "again_kind", "loss_kind", "fine_amount",
    "impact_kind", "serious_kind", "serious_loss", "repeat_threshold", "window_days", "refer_at_once",
]  # fmt: skip


@transaction.atomic
def policy_save(*, actor: Member, policy: SanctionPolicy | None = None, data: dict[str, Any]) -> SanctionPolicy:
    """Create (`policy=None`) or update a sanction policy from form or API values; audited."""
    _require_editor(actor)
    values = _policy_values(data)
    if policy is None:
        policy = SanctionPolicy(**values)
        before = None
    else:
        policy = SanctionPolicy.objects.select_for_update().get(pk=policy.pk)
        before = snapshot(policy, POLICY_FIELDS)
        for k, v in values.items():
            setattr(policy, k, v)
    policy.save()
    audit_record(
        actor=actor,
        verb="sanction_policy.create" if before is None else "sanction_policy.update",
        target=policy,
        before=before,
        after=snapshot(policy, POLICY_FIELDS),
    )
    return policy


def policy_defaults(*, actor: Member | None = None) -> list[SanctionPolicy]:
    """Write the generic default policies once (the company ladder; counterfeit or illegal goods: dismissal and
    legal referral at once). Used by the demo and offered on the policy page when none exist."""
    if actor is not None:
        _require_editor(actor)
    out = []
    if not SanctionPolicy.objects.filter(article=None, category="", severity="").exists():
        out.append(SanctionPolicy.objects.create(name=gettext("Company default ladder")))
    if not SanctionPolicy.objects.filter(category=Category.COUNTERFEIT).exists():
        out.append(
            SanctionPolicy.objects.create(
                name=gettext("Illegal goods"), category=Category.COUNTERFEIT, refer_at_once=True
            )
        )
    for p in out:
        audit_record(
            actor=actor,
            actor_label="" if actor else SYSTEM,
            verb="sanction_policy.create",
            target=p,
            after=snapshot(p, POLICY_FIELDS),
        )
    return out
