"""Forms of the group pages (parsing only; services validate the business rules)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import (
    DEFAULT_CUSTOMER_NAME_TEMPLATE,
    DEFAULT_NAME_TEMPLATE,
    DEFAULT_NICKNAME_TEMPLATE,
    DEFAULT_SEPARATORS,
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
