"""Forms of the work app's pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from zhidu.core.forms import TextField

from .models import Suggestion, SuggestionTopic
from .suggestions_services import BODY_MAX


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
