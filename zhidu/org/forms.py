from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zhidu.core.forms import TextField
from zhidu.core.text import PASSWORD_MAX, model_max_length

from .models import CalendarEntry, Department, Member, MembershipApplication, Role, SessionKind

_APP = MembershipApplication


class ApplyForm(forms.Form):
    name = TextField(label=_("Name"), max_length=model_max_length(_APP, "name"))
    username = TextField(label=_("Login name"), max_length=model_max_length(_APP, "username"))
    password = TextField(label=_("Password"), widget=forms.PasswordInput, min_length=8, max_length=PASSWORD_MAX)
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.all())
    lead = forms.ModelChoiceField(
        label=_("Team lead"), queryset=Member.objects.filter(role=Role.SUPERVISOR, status="active"), required=False
    )
    wecom_userid = TextField(label=_("WeCom userid"), max_length=model_max_length(_APP, "wecom_userid"), required=False)
    mobile = TextField(label=_("Mobile"), max_length=model_max_length(_APP, "mobile"), required=False)
    note = TextField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class ReasonForm(forms.Form):
    reason = TextField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class SessionForm(forms.Form):
    """A meeting or training session; departments and participants are limited to what the planner may plan."""

    title = TextField(label=_("Title"), max_length=model_max_length(CalendarEntry, "title"))
    kind = forms.ChoiceField(label=_("Kind"), choices=SessionKind.choices)
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.none())
    starts_at = forms.DateTimeField(
        label=_("Starts at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    ends_at = forms.DateTimeField(
        label=_("Ends at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    participants = forms.ModelMultipleChoiceField(
        label=_("Participants"),
        queryset=Member.objects.none(),
        required=False,
        help_text=_("Leave empty to invite the whole department and its sub-departments."),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    def __init__(self, *args: Any, departments: list[Department], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ids = [d.pk for d in departments]
        self.fields["department"].queryset = Department.objects.filter(pk__in=ids)  # type: ignore[attr-defined]
        self.fields["participants"].queryset = (  # type: ignore[attr-defined]
            Member.objects.filter(department_id__in=ids, status="active").order_by("department_id", "name")
        )


class CalendarImportForm(forms.Form):
    file = forms.FileField(label=_("Excel file (.xlsx)"))


WEEKDAYS = [
    ("1", _("Monday")),
    ("2", _("Tuesday")),
    ("3", _("Wednesday")),
    ("4", _("Thursday")),
    ("5", _("Friday")),
    ("6", _("Saturday")),
    ("7", _("Sunday")),
]


class CalendarForm(forms.Form):
    """A working calendar: weekdays, hours as spans, time zone, and dated exceptions one per line
    ("2026-10-01 holiday 国庆" / "2026-10-11 workday 调休")."""

    workdays = forms.MultipleChoiceField(
        label=_("Working weekdays"), choices=WEEKDAYS, widget=forms.CheckboxSelectMultiple, required=False
    )
    spans = TextField(label=_("Working hours"), max_length=200, help_text=_("e.g. 09:00-12:00, 13:00-18:00"))
    timezone = TextField(label=_("Time zone"), max_length=64)
    exceptions = TextField(
        label=_("Holidays and make-up working days"),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        max_length=20000,
        help_text=_('One per line: a date, then "holiday" or "workday", then an optional note'),
    )
