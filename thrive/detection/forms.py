"""Forms for the alert pages: the list's filters, the workflow (status, assignment, notes, actions) and the
region's detection parameters. Plain-language messages; the services make the final checks."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from thrive.accounts.models import User
from thrive.detection.alerts import TRANSITIONS
from thrive.detection.models import Alert, AlertAction
from thrive.detection.parameters import Described, ParameterError, Parameters, describe, with_overrides

NO_IDENTIFIERS = "Do not write names, addresses or other details that identify a person."


class AlertFilterForm(forms.Form):
    STATUSES = [("open", "Open alerts"), ("", "All alerts"), *Alert.Status.choices]
    status = forms.ChoiceField(
        choices=STATUSES,
        required=False,
        initial="open",
        label="Status",
        error_messages={"invalid_choice": "Choose a status from the list."},
    )
    kind = forms.ChoiceField(
        choices=[("", "Any type"), *Alert.Kind.choices],
        required=False,
        label="Type",
        error_messages={"invalid_choice": "Choose a type of alert from the list."},
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label="Move the alert to",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the status to move the alert to.",
            "invalid_choice": "Choose one of the statuses listed: the alert may have moved on since you opened it.",
        },
    )
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
        queryset=User.objects.none(),
        required=False,
        label="Assign to",
        empty_label="Nobody",
        error_messages={"invalid_choice": "Choose a person from the list, or nobody."},
    )

    def __init__(self, *args: Any, assignees: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assignee"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = assignees
        field.label_from_instance = _person  # type: ignore[method-assign,assignment]


class NoteForm(forms.Form):
    text = forms.CharField(
        label="Note",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=NO_IDENTIFIERS,
        error_messages={"required": "Write the note."},
    )


class ActionForm(forms.Form):
    type = forms.ChoiceField(
        label="Kind of action",
        choices=AlertAction.Type.choices,
        error_messages={
            "required": "Choose the kind of action.",
            "invalid_choice": "Choose a kind of action from the list.",
        },
    )
    description = forms.CharField(
        label="What will be done",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=NO_IDENTIFIERS,
        error_messages={"required": "Describe the action."},
    )
    owner = forms.CharField(
        label="Who leads it",
        max_length=200,
        required=False,
        help_text="An organisation or a role",
        error_messages={"max_length": "Who leads it must be 200 characters or fewer."},
    )
    due = forms.DateField(
        label="Due by",
        required=False,
        help_text="For example, 2026-12-31",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter a real date, like 2026-12-31."},
    )


def _number(value: float) -> str:
    """50 -> "50", 0.00001 -> "0.00001" (not "1e-05")."""
    return str(value) if isinstance(value, int) else format(value, "f").rstrip("0").rstrip(".")


def _parameter_messages(item: Described) -> dict[str, str]:
    """ "Poisson scan: alert when p is at most: enter a number from 0.0001 to 0.2." and the like."""
    number = "a whole number" if isinstance(item.default, int) else "a number"
    low, high = item.minimum, item.maximum
    messages = {
        "required": f"{item.label}: enter {number} (the default is {_number(item.default)}).",
        "invalid": f"{item.label}: enter {number}, like {_number(item.default)}.",
    }
    if low is not None and high is not None:
        in_range = f"{item.label}: enter {number} from {_number(low)} to {_number(high)}."
    elif low is not None:
        in_range = f"{item.label}: enter {number} of {_number(low)} or more."
    elif high is not None:
        in_range = f"{item.label}: enter {number} of {_number(high)} or less."
    else:
        return messages
    return messages | {"min_value": in_range, "max_value": in_range}


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
                    error_messages=_parameter_messages(item),
                )  # fmt: skip
            else:
                self.fields[item.name] = forms.FloatField(
                    label=item.label, initial=item.value, help_text=help_text,
                    min_value=item.minimum, max_value=item.maximum,
                    error_messages=_parameter_messages(item),
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
