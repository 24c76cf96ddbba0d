"""Form fields shared by every app's forms.py: text validated like the API's (see zhidu.core.text)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from .text import TEXT_MAX, text_message


class TextField(forms.CharField):
    """A CharField that refuses NUL characters and lone surrogates, and is always length-bounded
    (TEXT_MAX when no max_length is given), with the same translated messages as the API."""

    def __init__(self, *, max_length: int | None = TEXT_MAX, **kwargs: Any) -> None:
        super().__init__(max_length=max_length, **kwargs)

    def validate(self, value: Any) -> None:  # runs before Django's own validators, so our message wins
        super().validate(value)
        if value in self.empty_values:
            return
        message = text_message(str(value), max_length=self.max_length or TEXT_MAX, min_length=self.min_length or 0)
        if message is not None:
            raise ValidationError(message, code="text")
