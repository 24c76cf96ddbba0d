"""Forms of the report pages: a report's sections, a comment or review, and a template."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from zhidu.core.forms import TextField
from zhidu.org.models import Role

from .models import ReportKind
from .reports_services import LABEL_MAX, REPORTING_ROLES

REQUIRED_MARK = "*"


class ReportForm(forms.Form):
    """One text box per section of the report (required ones are checked at submission, not on save)."""

    def __init__(self, *args: Any, sections: list[dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for i, s in enumerate(sections):
            self.fields[f"section_{i}"] = TextField(
                label=s["label"] + (" *" if s["required"] else ""),
                max_length=settings.WORK_REPORT_TEXT_MAX,
                required=False,
                initial=s.get("text", ""),
                widget=forms.Textarea(attrs={"rows": 3, "data-testid": f"section-{i}"}),
            )

    def texts(self) -> list[str]:
        return [self.cleaned_data[name] or "" for name in self.fields]


class ReportCommentForm(forms.Form):
    text = TextField(
        label=_("Comment"),
        max_length=settings.WORK_REPORT_TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReportTemplateForm(forms.Form):
    department = forms.ChoiceField(label=_("Department"), choices=[])
    kind = forms.ChoiceField(label=_("Kind"), choices=ReportKind.choices)
    sections = TextField(
        label=_("Sections (one per line; start a required one with *)"),
        max_length=(LABEL_MAX + 2) * settings.WORK_REPORT_SECTIONS_MAX * 2,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    due_hour = forms.IntegerField(
        label=_("Due at (hour, on the first working day after the period)"), min_value=0, max_value=23
    )
    roles = forms.MultipleChoiceField(
        label=_("Who must report"),
        choices=[(r, Role(r).label) for r in REPORTING_ROLES],
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self, *args: Any, departments: list[tuple[int | None, str]], company_label: str, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [  # type: ignore[attr-defined]
            ("" if pk is None else str(pk), name or company_label) for pk, name in departments
        ]

    def section_list(self) -> list[dict[str, Any]]:
        out = []
        for line in self.cleaned_data["sections"].splitlines():
            line = line.strip()
            if not line:
                continue
            required = line.startswith(REQUIRED_MARK)
            out.append({"label": line.lstrip(REQUIRED_MARK).strip(), "required": required})
        return out


def sections_text(sections: list[dict[str, Any]]) -> str:
    return "\n".join((REQUIRED_MARK if s["required"] else "") + s["label"] for s in sections)
