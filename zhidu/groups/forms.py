"""Forms of the group pages (parsing only; services validate the business rules)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zhidu.core.forms import TextField

from .models import (
    DEFAULT_CUSTOMER_NAME_TEMPLATE,
    DEFAULT_NAME_TEMPLATE,
    DEFAULT_NICKNAME_TEMPLATE,
    DEFAULT_SEPARATORS,
    ActionKind,
    GroupChat,
)


class ConventionForm(forms.Form):
    name_template = forms.CharField(
        label=_("Internal group name template"), max_length=100, initial=DEFAULT_NAME_TEMPLATE
    )
    customer_name_template = forms.CharField(
        label=_("Customer group name template"), max_length=100, initial=DEFAULT_CUSTOMER_NAME_TEMPLATE
    )
    nickname_template = forms.CharField(
        label=_("Group nickname template"), max_length=100, initial=DEFAULT_NICKNAME_TEMPLATE
    )
    separators = forms.CharField(
        label=_("Allowed separators"), max_length=20, required=False, strip=False, initial=DEFAULT_SEPARATORS
    )
    check_name = forms.BooleanField(label=_("Check group names"), required=False, initial=True)
    check_nickname = forms.BooleanField(
        label=_("Check staff nicknames in customer groups"), required=False, initial=True
    )
    check_admins = forms.BooleanField(
        label=_("Compare designated admins with WeCom's admin list"), required=False, initial=True
    )
    require_admin = forms.BooleanField(label=_("Every group needs a designated admin"), required=False, initial=True)


class OrderForm(forms.Form):
    kind = forms.ChoiceField(label=_("Action"), choices=ActionKind.choices)
    target = forms.ChoiceField(label=_("Person"))
    article = forms.TypedChoiceField(label=_("Article cited"), coerce=int)
    reason = TextField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    company_wide = forms.BooleanField(label=_("Ban from every group of the company"), required=False)
    case = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, group: GroupChat, articles: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        members = group.members.order_by("type", "join_time", "id")
        choices_target = [(m.userid, f"{m.display_name}（{m.get_type_display()}）") for m in members]
        self.fields["target"].choices = choices_target  # type: ignore[attr-defined]
        choices_article = [(a.pk, f"{a.citation} {a.text[:30]}") for a in articles]
        self.fields["article"].choices = choices_article  # type: ignore[attr-defined]


class DeclineForm(forms.Form):
    reason = TextField(label=_("Reason for declining"), max_length=2000)
