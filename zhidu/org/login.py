"""Sign-in forms that say so plainly when the login throttle has locked the account or address."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext

from . import throttle


class _ThrottleCheck:
    locked = False  # the template shows the lockout message instead of "wrong password"

    def _check_throttle(self: Any) -> None:
        username = self.cleaned_data.get("username") or ""
        if username and throttle.login_locked(username, throttle.client_address(self.request)):
            self.locked = True
            # Said before any password check: a locked-out caller learns nothing about the password.
            raise forms.ValidationError(
                gettext(throttle.ERR_LOCKED).format(minutes=throttle.lockout_minutes()), code="locked"
            )


class ThrottledAuthenticationForm(_ThrottleCheck, AuthenticationForm):
    def clean(self) -> dict[str, Any]:
        self._check_throttle()
        return super().clean()


class ThrottledAdminAuthenticationForm(_ThrottleCheck, AdminAuthenticationForm):
    def clean(self) -> dict[str, Any]:
        self._check_throttle()
        return super().clean()
