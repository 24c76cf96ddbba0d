"""Forms of the work app's pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from zhidu.core.forms import TextField

from .models import Plan, PlanPeriod, Recurrence, Suggestion, SuggestionTopic, Task, TaskPriority
from .suggestions_services import BODY_MAX
from .tasks_services import DESCRIPTION_MAX


class SuggestionForm(forms.Form):
    title = TextField(label=_("Title"), max_length=Suggestion._meta.get_field("title").max_length)
    topic = forms.ChoiceField(label=_("Topic"), choices=SuggestionTopic.choices, initial=SuggestionTopic.OTHER)
    body = TextField(label=_("Your suggestion"), max_length=BODY_MAX, widget=forms.Textarea(attrs={"rows": 5}))
    anonymous = forms.BooleanField(label=_("Submit anonymously"), required=False)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Answer"), choices=[])
    text = TextField(
        label=_("Answer to the author"), max_length=BODY_MAX, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    planned_on = forms.DateField(label=_("Planned for"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: object, choices: list[tuple[str, object]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["decision"].choices = choices  # type: ignore[attr-defined]


class TaskForm(forms.Form):
    title = TextField(label=_("Title"), max_length=Task._meta.get_field("title").max_length)
    description = TextField(
        label=_("Description"), max_length=DESCRIPTION_MAX, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    assignees = forms.MultipleChoiceField(label=_("Assignees"), choices=[], widget=forms.CheckboxSelectMultiple)
    due_at = forms.DateTimeField(label=_("Due"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    priority = forms.ChoiceField(label=_("Priority"), choices=TaskPriority.choices, initial=TaskPriority.NORMAL)
    recurrence = forms.ChoiceField(label=_("Repeats"), choices=Recurrence.choices, required=False)
    plan = forms.TypedChoiceField(label=_("Plan"), choices=[], required=False, coerce=int, empty_value=None)
    checklist = TextField(
        label=_("Checklist (one item per line)"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(
        self, *args: object, members: list[tuple[int, str]], plans: list[tuple[object, str]], **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["assignees"].choices = members  # type: ignore[attr-defined]
        self.fields["plan"].choices = [("", "—"), *plans]  # type: ignore[attr-defined]


class TaskEditForm(TaskForm):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for name in ("recurrence", "plan", "checklist"):
            del self.fields[name]


class PlanForm(forms.Form):
    period_kind = forms.ChoiceField(label=_("Period"), choices=PlanPeriod.choices, initial=PlanPeriod.MONTH)
    day = forms.DateField(
        label=_("A day in the period"), widget=forms.DateInput(attrs={"type": "date"}), required=False
    )
    title = TextField(label=_("Title"), max_length=Plan._meta.get_field("title").max_length)
    goals = TextField(label=_("Goals"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 5}))
    target_tree = forms.TypedChoiceField(
        label=_("Target tree"), choices=[], required=False, coerce=int, empty_value=None
    )
    development_plans = forms.TypedMultipleChoiceField(
        label=_("Development plans"), choices=[], required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )

    def __init__(
        self, *args: object, trees: list[tuple[int, str]], devplans: list[tuple[int, str]], **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["target_tree"].choices = [("", "—"), *trees]  # type: ignore[attr-defined]
        self.fields["development_plans"].choices = devplans  # type: ignore[attr-defined]


class PlanEditForm(PlanForm):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for name in ("period_kind", "day"):
            del self.fields[name]
