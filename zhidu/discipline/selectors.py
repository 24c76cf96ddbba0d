"""Reads of the discipline app, always through the asking member's scope (`Sanction.objects.visible_to`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet

from zhidu.core.errors import NotFound
from zhidu.core.periods import day_bounds
from zhidu.org.models import LEAD_ROLES, Member, Role, work_scope_q

from .models import POLICY_EDITORS, READER_ROLES, Appeal, AppealStatus, Sanction, SanctionPolicy, Status


def _base(qs: QuerySet[Sanction, Any]) -> QuerySet[Sanction, Any]:
    return qs.select_related("member__department", "violation", "lead", "upper", "appeal")


def can_read(member: Member) -> bool:
    return member.is_active and member.role in READER_ROLES


def sanction_list(
    viewer: Member, *, status: str = "", member_id: int | None = None, after: int | None = None, limit: int = 50
) -> list[Sanction]:
    """Records the viewer may read, newest first, key-paged by id."""
    qs = Sanction.objects.visible_to(viewer)
    if status in Status.values:
        qs = qs.filter(status=status)
    if member_id:
        qs = qs.filter(member_id=member_id)
    if after:
        qs = qs.filter(pk__lt=after)
    return list(_base(qs).order_by("-pk")[:limit])


def inbox_q(viewer: Member) -> Q:
    """Open proposals the viewer may decide: first level over members in their scope; the level above over
    proposals approved by a lead whom they rank above (a director: all awaiting the level above)."""
    if not viewer.is_active or viewer.role not in LEAD_ROLES:
        return Q(pk__in=[])
    first = Q(status=Status.PROPOSED, member__in=work_scope_q(viewer)) & ~Q(member=viewer)
    if viewer.role == Role.DIRECTOR:
        upper = Q(status=Status.AWAITING_UPPER)
    elif viewer.role == Role.MANAGER:
        upper = Q(status=Status.AWAITING_UPPER, lead__role=Role.SUPERVISOR, lead__in=work_scope_q(viewer))
    else:
        upper = Q(pk__in=[])
    return (first | upper) & ~Q(member=viewer)


def inbox(viewer: Member, *, after: int | None = None, limit: int = 50) -> list[Sanction]:
    qs = Sanction.objects.filter(inbox_q(viewer))
    if after:
        qs = qs.filter(pk__lt=after)
    return list(_base(qs).order_by("-pk")[:limit])


def inbox_count(viewer: Member) -> int:
    return Sanction.objects.filter(inbox_q(viewer)).count()


def appeals_to_decide(viewer: Member, *, limit: int = 50) -> list[Appeal]:
    """Pending appeals the viewer may decide (the level above the lead who decided; see
    `services.can_decide_appeal`), in one query."""
    if not viewer.is_active or viewer.role not in (Role.DIRECTOR, Role.MANAGER):
        return []
    qs = Appeal.objects.filter(status=AppealStatus.PENDING).exclude(sanction__member=viewer)
    if viewer.role == Role.MANAGER:
        scope = work_scope_q(viewer)
        by_lead = Q(sanction__upper__isnull=True, sanction__lead__role=Role.SUPERVISOR, sanction__lead__in=scope)
        by_upper = Q(sanction__upper__role=Role.SUPERVISOR, sanction__upper__in=scope)
        qs = qs.filter(by_lead | by_upper).exclude(sanction__lead=viewer, sanction__upper__isnull=True)
    related = ("sanction__member", "sanction__lead", "sanction__upper", "sanction__appeal")
    return list(qs.select_related(*related).order_by("-pk")[:limit])


def sanction_get_for(viewer: Member, sanction_id: int) -> Sanction:
    """A record the viewer may read, or the one they may decide (the level above); else NotFound."""
    s = _base(Sanction.objects.filter(pk=sanction_id)).first()
    if s is None:
        raise NotFound
    if Sanction.objects.visible_to(viewer).filter(pk=s.pk).exists():
        return s
    if Sanction.objects.filter(inbox_q(viewer), pk=s.pk).exists():
        return s
    raise NotFound


def period_sanctions(viewer: Member, start: dt.date, end: dt.date, *, limit: int) -> list[Sanction]:
    """Penalties and rewards decided (or proposed, while open) between two local days, for the export."""
    lo, _ = day_bounds(start)
    _, hi = day_bounds(end)
    qs = Sanction.objects.visible_to(viewer).filter(
        Q(decided_at__gte=lo, decided_at__lt=hi) | Q(decided_at__isnull=True, created_at__gte=lo, created_at__lt=hi)
    )
    return list(_base(qs).order_by("pk")[:limit])


def can_edit_policies(member: Member) -> bool:
    return member.is_active and member.role in POLICY_EDITORS


def policy_list(viewer: Member) -> list[SanctionPolicy]:
    if not can_edit_policies(viewer):
        raise NotFound
    return list(SanctionPolicy.objects.select_related("article__version__policy").order_by("id")[:500])


def policy_get_for(viewer: Member, policy_id: int) -> SanctionPolicy:
    if not can_edit_policies(viewer):
        raise NotFound
    p = SanctionPolicy.objects.select_related("article").filter(pk=policy_id).first()
    if p is None:
        raise NotFound
    return p


def reasoning(s: Sanction) -> list[str]:
    """Why zhidu proposed this measure, in the reader's language: the step of the ladder, the facts, the
    previous offences (from the facts stored with the proposal)."""
    from django.utils.translation import gettext as _
    from django.utils.translation import ngettext

    from zhidu.compliance.models import Impact

    f = s.facts or {}
    out: list[str] = []
    steps = {
        "first": _("A first minor breach of this article."),
        "again": _("A minor breach again after an earlier one."),
        "loss": _("The breach caused a loss or a bad impact."),
        "impact": _("The breach leaked company secrets or harmed the company's image."),
        "serious": _("The loss makes the breach serious."),
        "repeat": _("Repeated after correction (屡教不改)."),
        "refer": _("The policy of this article calls for dismissal and referral for legal action at once."),
        "top": _("Among the best of the team in a frozen ranking."),
        "achievement": _("Target achievement above the reward threshold."),
    }
    if f.get("step") in steps:
        out.append(steps[f["step"]])
    if f.get("loss"):
        out.append(_("Loss: ¥%(amount)s") % {"amount": f["loss"]})
    if f.get("impact") and f["impact"] != Impact.NONE and f["impact"] in Impact.values:
        out.append(str(Impact(f["impact"]).label))
    if "previous" in f:
        out.append(
            ngettext(
                "%(count)d earlier confirmed offence of the same article in %(days)s days.",
                "%(count)d earlier confirmed offences of the same article in %(days)s days.",
                int(f["previous"]),
            )
            % {"count": int(f["previous"]), "days": f.get("window_days", "")}
        )
    if "rank" in f:
        out.append(_("Rank %(rank)s in %(scope)s, period from %(start)s.") % {
            "rank": f["rank"], "scope": f.get("scope_name", ""), "start": f.get("period_start", "")
        })  # fmt: skip
    if f.get("achievement"):
        out.append(_("Achievement: %(pct)s%%") % {"pct": f["achievement"]})
    if f.get("step") == "suggestion":
        out.append(_("An improvement suggestion that was adopted: “%(title)s”.") % {"title": f.get("title", "")})
    return out
