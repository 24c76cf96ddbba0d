"""Forms of the meeting pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zhidu.core.forms import TextField
from zhidu.customers.models import Customer
from zhidu.org.models import LEAD_ROLES, Member

from .meetings_services import AGENDA_MAX, MINUTES_MAX
from .models import Attendance, MeetingKind, MeetingParticipant

ITEM_ROWS = 3


def _when(label: Any, required: bool = True) -> forms.DateTimeField:
    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    return forms.DateTimeField(label=label, widget=widget, required=required)


class _CustomerChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name or obj.corp_name or obj.pk)


class MeetingForm(forms.Form):
    title = TextField(label=_("Title"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=MeetingKind.choices)
    customer = _CustomerChoice(label=_("Customer"), queryset=Customer.objects.none(), required=False)
    starts_at = _when(_("Starts at"))
    ends_at = _when(_("Ends at"))
    place = TextField(label=_("Place"), max_length=200, required=False)
    online_url = forms.URLField(label=_("Online link"), max_length=500, required=False, assume_scheme="https")
    participants = forms.ModelMultipleChoiceField(
        label=_("Participants"),
        queryset=Member.objects.none(),
        required=False,
        help_text=_("You take part yourself."),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    agenda = TextField(
        label=_("Agenda"), max_length=AGENDA_MAX, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(
        self, *args: Any, organizer: Member, members: list[Member], customers: list[Customer], **kw: Any
    ) -> None:
        super().__init__(*args, **kw)
        self.fields["participants"].queryset = Member.objects.filter(pk__in=[m.pk for m in members])  # type: ignore[attr-defined]
        self.fields["customer"].queryset = Customer.objects.filter(pk__in=[c.pk for c in customers])  # type: ignore[attr-defined]
        if organizer.role not in LEAD_ROLES:
            self.fields["kind"].choices = [(MeetingKind.FOLLOWUP, MeetingKind.FOLLOWUP.label)]  # type: ignore[attr-defined]


class AttendanceForm(forms.Form):
    def __init__(self, *args: Any, participants: list[MeetingParticipant], **kw: Any) -> None:
        super().__init__(*args, **kw)
        choices = [("", "—"), *Attendance.choices]
        for p in participants:
            self.fields[f"att_{p.member_id}"] = forms.ChoiceField(
                label=p.member.name, choices=choices, required=False, initial=p.attendance
            )

    def marks(self) -> dict[int, str]:
        return {int(k[4:]): v for k, v in self.cleaned_data.items() if k.startswith("att_") and v}


class MinutesForm(forms.Form):
    minutes = TextField(label=_("Minutes"), max_length=MINUTES_MAX, widget=forms.Textarea(attrs={"rows": 6}))

    def __init__(self, *args: Any, participants: list[MeetingParticipant], **kw: Any) -> None:
        super().__init__(*args, **kw)
        choices = [("", "—"), *((str(p.member_id), p.member.name) for p in participants)]
        for i in range(ITEM_ROWS):
            self.fields[f"item_title_{i}"] = TextField(label=_("Action item"), max_length=100, required=False)
            self.fields[f"item_assignee_{i}"] = forms.ChoiceField(label=_("Assignee"), choices=choices, required=False)
            self.fields[f"item_due_{i}"] = _when(_("Due"), required=False)

    def items(self) -> list[tuple[str, int, Any]]:
        d, out = self.cleaned_data, []
        for i in range(ITEM_ROWS):
            if d.get(f"item_title_{i}"):
                out.append((d[f"item_title_{i}"], int(d.get(f"item_assignee_{i}") or 0), d.get(f"item_due_{i}")))
        return out

    def clean(self) -> dict[str, Any]:
        d = super().clean() or {}
        for i in range(ITEM_ROWS):
            if d.get(f"item_title_{i}") and not d.get(f"item_assignee_{i}"):
                self.add_error(f"item_assignee_{i}", _("Choose who does it."))
            if d.get(f"item_title_{i}") and not d.get(f"item_due_{i}"):
                self.add_error(f"item_due_{i}", _("Give a due time."))
        return d


class CancelForm(forms.Form):
    reason = TextField(label=_("Reason"), max_length=500, required=False)
