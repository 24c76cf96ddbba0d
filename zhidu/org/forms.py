from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Department, Member, Role


class ApplyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    username = forms.CharField(label=_("Login name"), max_length=150)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, min_length=8)
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.all())
    lead = forms.ModelChoiceField(
        label=_("Team lead"), queryset=Member.objects.filter(role=Role.SUPERVISOR, status="active"), required=False
    )
    wecom_userid = forms.CharField(label=_("WeCom userid"), max_length=64, required=False)
    mobile = forms.CharField(label=_("Mobile"), max_length=32, required=False)
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
