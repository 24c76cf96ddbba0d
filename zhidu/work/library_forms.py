"""Forms of the library pages: write or edit an item, review it, make a case."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from zhidu.core.forms import TextField
from zhidu.sales.models import Product

from .models import CaseVerdict, LibraryCase, LibraryItem, LibraryKind, LibraryTopic


class LibraryItemForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=LibraryKind.choices, initial=LibraryKind.SCRIPT)
    topic = forms.ChoiceField(label=_("Topic"), choices=LibraryTopic.choices, initial=LibraryTopic.OTHER)
    product = forms.ModelChoiceField(
        label=_("Product"), queryset=Product.objects.filter(active=True).order_by("code"), required=False
    )
    title = TextField(label=_("Title"), max_length=LibraryItem._meta.get_field("title").max_length)
    body = TextField(
        label=_("Text"), max_length=settings.WORK_LIBRARY_BODY_MAX, widget=forms.Textarea(attrs={"rows": 8})
    )
    tags = TextField(label=_("Tags"), max_length=200, required=False, help_text=_("Separated by commas or spaces"))


class LibraryReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("approve", _("Approve and publish")), ("reject", _("Reject"))]
    )
    note = TextField(
        label=_("Note to the author"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class LibraryCaseForm(forms.Form):
    title = TextField(label=_("Title"), max_length=LibraryCase._meta.get_field("title").max_length)
    verdict = forms.ChoiceField(label=_("Verdict"), choices=CaseVerdict.choices)
    topic = forms.ChoiceField(label=_("Topic"), choices=LibraryTopic.choices, initial=LibraryTopic.OTHER)
    lesson = TextField(
        label=_("Lesson"), max_length=settings.WORK_LIBRARY_BODY_MAX, widget=forms.Textarea(attrs={"rows": 4})
    )
    first = forms.IntegerField(label=_("First message"), min_value=1, widget=forms.HiddenInput)
    last = forms.IntegerField(label=_("Last message"), min_value=1, widget=forms.HiddenInput)
