"""Forms for the alert pages: the list's filters, the workflow (status, assignment, notes, actions) and the
region's detection parameters. Plain-language messages; the services make the final checks."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from thrive.accounts.models import User
from thrive.detection.alerts import TRANSITIONS
from thrive.detection.models import Alert, AlertAction
from thrive.detection.parameters import ParameterError, Parameters, describe, with_overrides

NO_IDENTIFIERS = "Do not write names, addresses or other details that identify a person."


class AlertFilterForm(forms.Form):
    STATUSES = [("open", "Open alerts"), ("", "All alerts"), *Alert.Status.choices]
    status = forms.ChoiceField(choices=STATUSES, required=False, initial="open", label="Status")
    kind = forms.ChoiceField(choices=[("", "Any type"), *Alert.Kind.choices], required=False, label="Type")


class StatusForm(forms.Form):
    status = forms.ChoiceField(label="Move the alert to", widget=forms.RadioSelect)
    reason = forms.CharField(
        label="Reason",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed to close the alert (the rationale) or to reopen it. " + NO_IDENTIFIERS,
    )

    def __init__(self, *args: Any, alert: Alert, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = TRANSITIONS.get(alert.status, frozenset())
        field = self.fields["status"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(value, label) for value, label in Alert.Status.choices if value in allowed]
        self.alert = alert

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        closing = data.get("status") == Alert.Status.CLOSED
        if (closing or self.alert.status == Alert.Status.CLOSED) and not (data.get("reason") or "").strip():
            self.add_error(
                "reason",
                "Give the rationale for closing the alert." if closing else "Give the reason for reopening.",
            )
        return data


def _person(user: User) -> str:
    return user.full_name or user.email


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, label="Assign to", empty_label="Nobody"
    )

    def __init__(self, *args: Any, assignees: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assignee"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = assignees
        field.label_from_instance = _person  # type: ignore[method-assign,assignment]


class NoteForm(forms.Form):
    text = forms.CharField(label="Note", widget=forms.Textarea(attrs={"rows": 3}), help_text=NO_IDENTIFIERS)


class ActionForm(forms.Form):
    type = forms.ChoiceField(label="Kind of action", choices=AlertAction.Type.choices)
    description = forms.CharField(label="What will be done", widget=forms.Textarea(attrs={"rows": 3}),
                                  help_text=NO_IDENTIFIERS)  # fmt: skip
    owner = forms.CharField(label="Who leads it", max_length=200, required=False,
                            help_text="An organisation or a role")  # fmt: skip
    due = forms.DateField(label="Due by", required=False, help_text="For example, 2026-12-31",
                          widget=forms.DateInput(attrs={"type": "date"}))  # fmt: skip


class ParametersForm(forms.Form):
    """One field per detection parameter, each showing its default and source."""

    def __init__(self, *args: Any, current: Parameters, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for item in describe(current):
            help_text = f"Default {item.default}. Source: {item.source}."
            if isinstance(item.default, int):
                self.fields[item.name] = forms.IntegerField(
                    label=item.label, initial=item.value, help_text=help_text,
                    min_value=None if item.minimum is None else int(item.minimum),
                    max_value=None if item.maximum is None else int(item.maximum),
                )  # fmt: skip
            else:
                self.fields[item.name] = forms.FloatField(
                    label=item.label, initial=item.value, help_text=help_text,
                    min_value=item.minimum, max_value=item.maximum,
                )  # fmt: skip
        self.parameters: Parameters | None = None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors:
            try:
                self.parameters = with_overrides(data)
            except ParameterError as error:
                raise forms.ValidationError(str(error)) from None
        return data

    def overrides(self) -> dict[str, Any]:
        """Only the values that differ from the defaults (so a later change of default reaches the region)."""
        assert self.parameters is not None
        return {item.name: item.value for item in describe(self.parameters) if item.overridden}
