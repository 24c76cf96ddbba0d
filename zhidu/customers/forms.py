"""Forms of the customer pages (parsing only; services validate the business rules)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .development.selectors import SORTS, FollowFilters
from .models import FollowUpKind, PlanPeriod, Stage

STATUS_CHOICES = [("active", _("Active")), ("ended", _("Ended")), ("all", _("All"))]
SORT_CHOICES = [
    ("new", _("Newest")),
    ("old", _("Oldest")),
    ("contact", _("Longest without contact")),
    ("-contact", _("Latest contact")),
    ("next", _("Next action date")),
    ("name", _("Name")),
]


class FilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    stage = forms.ChoiceField(label=_("Stage"), required=False, choices=[("", "—"), *Stage.choices])
    tag = forms.IntegerField(label=_("Tag"), required=False, min_value=1)
    owner = forms.IntegerField(label=_("Salesperson in charge"), required=False, min_value=1)
    contact_before = forms.DateField(label=_("Last contact before"), required=False)
    contact_after = forms.DateField(label=_("Last contact since"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=STATUS_CHOICES)
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=SORT_CHOICES)

    def filters(self) -> FollowFilters:
        d = self.cleaned_data if self.is_valid() else {}
        sort = d.get("sort") or "new"
        return FollowFilters(
            q=(d.get("q") or "").strip(),
            stage=d.get("stage") or "",
            tag_id=d.get("tag"),
            owner_id=d.get("owner"),
            contact_before=d.get("contact_before"),
            contact_after=d.get("contact_after"),
            status=d.get("status") or "active",
            sort=sort if sort in SORTS else "new",
        )


class DevelopmentForm(forms.Form):
    stage = forms.ChoiceField(label=_("Stage"), choices=Stage.choices)
    budget = forms.CharField(label=_("Budget"), required=False, max_length=200)
    need = forms.CharField(label=_("Need"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    decision_maker = forms.CharField(label=_("Decision maker"), required=False, max_length=200)
    timing = forms.CharField(label=_("Timing"), required=False, max_length=200)
    next_action = forms.CharField(label=_("Next action"), required=False, max_length=200)
    next_action_on = forms.DateField(
        label=_("Next action date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class FollowUpForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=FollowUpKind.choices)
    summary = forms.CharField(label=_("Follow-up summary"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    outcome = forms.CharField(label=_("Outcome"), required=False, max_length=2000)
    next_step = forms.CharField(label=_("Next step"), required=False, max_length=200)
    next_action_on = forms.DateField(
        label=_("Next action date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class PlanForm(forms.Form):
    member = forms.IntegerField(label=_("Member"), min_value=1)
    new_customers = forms.IntegerField(label=_("New customers"), min_value=0)
    followups = forms.IntegerField(label=_("Follow-ups"), min_value=0)


class PeriodForm(forms.Form):
    period = forms.ChoiceField(label=_("Period"), required=False, choices=PlanPeriod.choices)
    day = forms.DateField(label=_("Day"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel file (.xlsx)"))
