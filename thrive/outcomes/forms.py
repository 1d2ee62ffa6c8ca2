"""Forms of the outcomes pages. They collect and shape input; the services decide what may be saved, and their
`Refused` messages are put back on the right fields with `show_refusal`."""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from thrive.accounts.models import Team
from thrive.geography.models import Area, AreaLevel
from thrive.outcomes import dialog_plus
from thrive.outcomes.codes import ActionReview, ActionWho, EndReason, Ethnicity, Mode, Sex, Timepoint
from thrive.outcomes.measures import Item, Measure
from thrive.outcomes.measures import get as get_measure
from thrive.outcomes.models import DialogPlusAction
from thrive.outcomes.services import Refused

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONTHS = [(number, calendar.month_name[number]) for number in range(1, 13)]
REAL_DATE = "Enter a real date, like 31/12/2026."
TEAM_MESSAGES = {"required": "Choose the team.", "invalid_choice": "Choose one of your teams."}
TIMEPOINT_MESSAGES = {
    "required": "Choose the timepoint.",
    "invalid_choice": "Choose a timepoint from the list.",
}
CLINICIAN_MODES = [(Mode.CLINICIAN.value, Mode.CLINICIAN.label), (Mode.PAPER.value, Mode.PAPER.label)]


def show_refusal(form: forms.Form, refused: Refused) -> None:
    """Put a service's messages on the form: `answers.3` on item 3, `answers.8.type` on item 8's detail, other
    paths on their field if the form has one, else at the top."""
    for path, messages in refused.errors.items():
        name = path.replace("answers.", "item_", 1).replace(".", "_") if path.startswith("answers.") else path
        for message in messages:
            form.add_error(name if name in form.fields else None, message)


class PatientForm(forms.Form):
    local_id = forms.CharField(
        label="Local patient identifier (optional)",
        required=False,
        max_length=20,
        help_text="Your trust's pseudonymous identifier. Leave it empty and Thrive makes one.",
        error_messages={"max_length": "A local identifier is up to 20 letters, digits and dashes."},
    )
    nhs_number = forms.CharField(
        label="NHS number (optional)",
        required=False,
        max_length=14,
        help_text="10 digits, for example 485 777 3456",
        error_messages={"max_length": "Enter the 10 digits of the NHS number, like 485 777 3456."},
    )
    birth_year = forms.IntegerField(
        label="Year of birth",
        min_value=1900,
        error_messages={
            "required": "Enter the year of birth.",
            "invalid": "Enter the year of birth as 4 digits, like 1990.",
            "min_value": "Enter a year of birth of %(limit_value)s or later.",
        },
    )
    birth_month = forms.TypedChoiceField(
        label="Month of birth",
        choices=MONTHS,
        coerce=int,
        error_messages={
            "required": "Choose the month of birth.",
            "invalid_choice": "Choose a month of birth from the list.",
        },
    )
    sex = forms.ChoiceField(
        label="Sex",
        choices=Sex.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the patient's sex, or Not known.",
            "invalid_choice": "Choose the patient's sex from the options listed.",
        },
    )
    ethnicity = forms.ChoiceField(
        label="Ethnic group",
        choices=[("", "Choose one"), *Ethnicity.choices],
        error_messages={
            "required": "Choose the patient's ethnic group.",
            "invalid_choice": "Choose an ethnic group from the list.",
        },
    )
    postcode = forms.CharField(
        label="Postcode (optional)",
        required=False,
        max_length=10,
        help_text="Used only to find the area they live in and its deprivation; the postcode is not kept.",
        error_messages={"max_length": "Enter a full postcode, like E1 6AN."},
    )
    borough = forms.ChoiceField(
        label="Or the borough they live in (optional)",
        required=False,
        error_messages={"invalid_choice": "Choose a borough from the list, or Not known."},
    )
    team = forms.ModelChoiceField(
        label="Team", queryset=Team.objects.none(), empty_label=None, error_messages=TEAM_MESSAGES
    )
    start = forms.DateField(
        label="Episode start date",
        widget=DATE,
        error_messages={"required": "Enter the date the episode started.", "invalid": REAL_DATE},
    )

    def __init__(self, *args: Any, teams: QuerySet[Team], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams  # type: ignore[attr-defined]
        boroughs = Area.objects.filter(level=AreaLevel.BOROUGH).order_by("name").values_list("code", "name")
        self.fields["borough"].choices = [("", "Not known"), *boroughs]  # type: ignore[attr-defined]
        self.fields["start"].initial = timezone.localdate()


class EpisodeForm(forms.Form):
    team = forms.ModelChoiceField(
        label="Team", queryset=Team.objects.none(), empty_label=None, error_messages=TEAM_MESSAGES
    )
    start = forms.DateField(
        label="Start date",
        widget=DATE,
        error_messages={"required": "Enter the date the episode started.", "invalid": REAL_DATE},
    )

    def __init__(self, *args: Any, teams: QuerySet[Team], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams  # type: ignore[attr-defined]
        self.fields["start"].initial = timezone.localdate()


class EndEpisodeForm(forms.Form):
    end = forms.DateField(
        label="End date",
        widget=DATE,
        initial=timezone.localdate,
        error_messages={"required": "Enter the date the episode ended.", "invalid": REAL_DATE},
    )
    end_reason = forms.ChoiceField(
        label="Why did the episode end?",
        choices=EndReason.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose why the episode ended.",
            "invalid_choice": "Choose why the episode ended from the reasons listed.",
        },
    )


@dataclass(frozen=True)
class Entry:
    """One question as the template draws it: the item, its answer field, (DIALOG) its help field and (HoNOS
    item 8) its detail field."""

    item: Item
    question: str
    answer: forms.BoundField
    help: forms.BoundField | None
    detail: forms.BoundField | None = None


def detail_field_name(link_id: str) -> str:
    """ "8.type" -> "item_8_type" (where `show_refusal` puts the service's `answers.8.type` messages)."""
    return "item_" + link_id.replace(".", "_")


class QuestionnaireForm(forms.Form):
    """A measure's items as radio buttons (and DIALOG's help requests as checkboxes). The answers are checked
    by the measure, through the service, so a form and the API refuse the same things with the same words."""

    def __init__(self, *args: Any, measure: Measure, details: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.measure = measure
        if details:
            self.fields["assessed_on"] = forms.DateField(
                label="Date answered",
                widget=DATE,
                initial=timezone.localdate,
                error_messages={
                    "required": "Enter the date the questions were answered.",
                    "invalid": REAL_DATE,
                },
            )
            self.fields["timepoint"] = forms.ChoiceField(
                label="Timepoint", choices=Timepoint.choices, error_messages=TIMEPOINT_MESSAGES
            )
            self.fields["mode"] = forms.ChoiceField(
                label="How were the answers given?",
                choices=CLINICIAN_MODES,
                widget=forms.RadioSelect,
                initial=Mode.CLINICIAN,
                error_messages={
                    "required": "Choose how the answers were given.",
                    "invalid_choice": "Choose how the answers were given from the options listed.",
                },
            )
        for item in measure.items:
            choices = [(str(option.value), f"{option.value} – {option.label}") for option in item.options]
            self.fields[f"item_{item.number}"] = forms.CharField(
                label=item.title, required=False, widget=forms.RadioSelect(choices=choices)
            )
            if item.asks_for_help:
                self.fields[f"help_{item.number}"] = forms.BooleanField(
                    label="Yes, I would like more help with this", required=False
                )
            if item.detail is not None:
                # Any text is taken and the measure checks it, so a form and the API refuse the same things.
                self.fields[detail_field_name(item.detail.link_id)] = forms.CharField(
                    label=f"{item.detail.title} (optional)",
                    required=False,
                    help_text=f"Not recorded when item {item.number} is rated "
                    + " or ".join(
                        f"{value} ({option.label.lower()})"
                        for value in sorted(item.detail.not_when)
                        if (option := item.option(value)) is not None
                    )
                    + ".",
                    widget=forms.Select(
                        choices=[
                            ("", "Not recorded"),
                            *(
                                (option.code, f"{option.code} – {option.label}")
                                for option in item.detail.options
                            ),
                        ]
                    ),
                )

    @property
    def entries(self) -> list[Entry]:
        stem = self.measure.instructions.split("?")[0].removesuffix(" ...").strip()
        asks = self.measure.key == "dialog"
        return [
            Entry(
                item,
                f"{stem} {item.title[0].lower()}{item.title[1:]}?" if asks else item.title,
                self[f"item_{item.number}"],
                self[f"help_{item.number}"] if item.asks_for_help else None,
                self[detail_field_name(item.detail.link_id)] if item.detail else None,
            )
            for item in self.measure.items
        ]

    def answers(self) -> dict[str, Any]:
        """What was answered, as the measure reads it ({"1": "5", ..., "help": [3]}), unanswered left out."""
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        found: dict[str, Any] = {
            str(item.number): data[f"item_{item.number}"]
            for item in self.measure.items
            if data.get(f"item_{item.number}") not in (None, "")
        }
        helped = [
            item.number
            for item in self.measure.items
            if item.asks_for_help and data.get(f"help_{item.number}")
        ]
        if helped:
            found["help"] = helped
        for _, detail in self.measure.details:
            if data.get(detail_field_name(detail.link_id)) not in (None, ""):
                found[detail.link_id] = data[detail_field_name(detail.link_id)]
        return found


def initial_answers(answers: dict[str, Any]) -> dict[str, Any]:
    """A stored assessment's answers as the questionnaire form's initial values."""
    initial: dict[str, Any] = {f"item_{key}": str(value) for key, value in answers.items() if key.isdigit()}
    initial.update({f"help_{number}": True for number in answers.get("help", [])})
    initial.update(
        {detail_field_name(key): str(value) for key, value in answers.items() if "." in key and value}
    )
    return initial


class AmendForm(QuestionnaireForm):
    reason = forms.CharField(
        label="Why are you amending this assessment?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="For example, a transcription error. Do not include the patient's name.",
        error_messages={
            "required": "Give the reason for amending this assessment.",
            "max_length": "The reason must be 2,000 characters or fewer.",
        },
    )


class LinkForm(forms.Form):
    measure = forms.ChoiceField(
        label="Questionnaire",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the questionnaire.",
            "invalid_choice": "Choose one of the questionnaires listed.",
        },
    )
    timepoint = forms.ChoiceField(
        label="Timepoint", choices=Timepoint.choices, error_messages=TIMEPOINT_MESSAGES
    )
    email = forms.EmailField(
        label="Email address (optional)",
        required=False,
        help_text="The link is emailed and not kept. Leave it empty to show the link and a QR code to scan.",
        error_messages={
            "invalid": "Enter an email address like name@example.org, or leave it empty.",
            "max_length": "The email address must be %(limit_value)s characters or fewer.",
        },
    )

    def __init__(self, *args: Any, measures: tuple[str, ...], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["measure"].choices = [(key, get_measure(key).title) for key in measures]  # type: ignore[attr-defined]


class DomainsForm(forms.Form):
    items = forms.TypedMultipleChoiceField(
        label=f"Choose up to {dialog_plus.MAX_DOMAINS} domains to talk about",
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Choose at least one domain to talk about.",
            "invalid_choice": "Choose domains from the list.",
        },
    )

    def __init__(self, *args: Any, rows: list[dialog_plus.ItemComparison], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["items"].choices = [  # type: ignore[attr-defined]
            (row.number, row.title + (f" (suggested: {', '.join(row.reasons)})" if row.reasons else ""))
            for row in rows
        ]


class StepsForm(forms.Form):
    understanding = forms.CharField(
        label=dialog_plus.STEPS[0][1],
        help_text=dialog_plus.STEPS[0][2],
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    looking_forward = forms.CharField(
        label=dialog_plus.STEPS[1][1],
        help_text=dialog_plus.STEPS[1][2],
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    exploring_options = forms.CharField(
        label=dialog_plus.STEPS[2][1],
        help_text=dialog_plus.STEPS[2][2],
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ActionForm(forms.Form):
    what = forms.CharField(
        label="What will be done?",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Enter what will be done"},
    )
    who = forms.ChoiceField(
        label="Who will do it?",
        choices=ActionWho.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose who will do it", "invalid_choice": "Choose who will do it"},
    )
    who_detail = forms.CharField(
        label="If someone else, who? (optional)",
        required=False,
        max_length=100,
        error_messages={"max_length": "Say who in 100 characters or fewer"},
    )
    due_on = forms.DateField(
        label="By when?",
        widget=DATE,
        error_messages={
            "required": "Enter the date it will be done by",
            "invalid": "Enter a real date, like 31/12/2026",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["due_on"].initial = timezone.localdate() + datetime.timedelta(days=28)


REVIEW_CHOICES = [(v.value, v.label) for v in (ActionReview.DONE, ActionReview.PARTLY, ActionReview.NOT_DONE)]


class ReviewForm(forms.Form):
    """One radio group per earlier action: done, partly done or not done."""

    def __init__(self, *args: Any, actions: list[DialogPlusAction], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actions = actions
        for action in actions:
            self.fields[f"action_{action.pk}"] = forms.ChoiceField(
                label=action.what,
                choices=REVIEW_CHOICES,
                widget=forms.RadioSelect,
                required=False,
                initial=action.review if action.review != ActionReview.PENDING else None,
                error_messages={
                    "invalid_choice": "Say whether the action was done, partly done or not done."
                },
            )

    def reviews(self) -> dict[int, str]:
        return {
            action.pk: self.cleaned_data[f"action_{action.pk}"]
            for action in self.actions
            if self.cleaned_data.get(f"action_{action.pk}")
        }
