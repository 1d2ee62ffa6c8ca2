"""The reporting form's steps and the case pages' small forms, in plain words.

Each step checks what it can on its own (with the same rules as the API, from `validation`); the final check
runs the API's serializer over the whole answer, so nothing reaches a case that the API would refuse.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.db import models
from django.utils import timezone

from thrive.accounts.models import Organisation
from thrive.accounts.permissions import OrganisationType
from thrive.geography.models import Area, AreaLevel
from thrive.surveillance import codes, validation

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
BLANK = [("", "Choose…")]


def borough_choices() -> list[tuple[str, str]]:
    return BLANK + list(
        Area.objects.filter(level=AreaLevel.BOROUGH).order_by("name").values_list("code", "name")
    )


def _choices(choices: type[models.TextChoices]) -> list[tuple[str, str]]:
    return BLANK + list(choices.choices)


class StepForm(forms.Form):
    """A step of the report. `partial` (adding a report to an existing case) makes every field optional."""

    required_when_new: tuple[str, ...] = ()

    def __init__(
        self, *args: Any, partial: bool = False, context: dict[str, Any] | None = None, **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        self.partial = partial
        self.context = context or {}
        for name in self.required_when_new:
            self.fields[name].required = not partial


class PersonForm(StepForm):
    title = "The person who died"
    required_when_new = ("family_name", "sex")

    given_name = forms.CharField(label="Given name", max_length=200, required=False)
    family_name = forms.CharField(label="Family name", max_length=200)
    date_of_birth = forms.DateField(label="Date of birth", required=False, widget=DATE)
    age = forms.IntegerField(
        label="Age, if the date of birth is not known", required=False, min_value=0, max_value=130
    )
    nhs_number = forms.CharField(
        label="NHS number", required=False, max_length=20, help_text="10 digits, for example 943 476 5919"
    )
    sex = forms.ChoiceField(label="Sex", choices=codes.Sex.choices, widget=forms.RadioSelect)
    gender_identity = forms.CharField(label="Gender identity (optional)", max_length=100, required=False)
    ethnicity = forms.ChoiceField(label="Ethnicity", choices=_choices(codes.Ethnicity), required=False)
    residence_postcode = forms.CharField(label="Home postcode", max_length=12, required=False)
    residence_area = forms.ChoiceField(label="Home borough, if there is no postcode", required=False)
    employment_status = forms.ChoiceField(
        label="Employment status", choices=_choices(codes.EmploymentStatus), required=False
    )
    occupation = forms.CharField(label="Occupation", max_length=200, required=False)
    relationship_status = forms.ChoiceField(
        label="Relationship status", choices=_choices(codes.RelationshipStatus), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["residence_area"].choices = borough_choices()  # type: ignore[attr-defined]

    def clean_nhs_number(self) -> str:
        value = self.cleaned_data["nhs_number"]
        if value and (problem := validation.nhs_number_problem(value)):
            raise forms.ValidationError(problem)
        return validation.clean_nhs_number(value)

    def clean_residence_postcode(self) -> str:
        value = self.cleaned_data["residence_postcode"]
        if value and validation.normalise_postcode(value) is None:
            raise forms.ValidationError("Enter a full UK postcode, like E1 6AN.")
        return validation.normalise_postcode(value) or ""

    def clean_date_of_birth(self) -> date | None:
        value = self.cleaned_data["date_of_birth"]
        if value and value > timezone.localdate():
            raise forms.ValidationError("The date of birth cannot be in the future.")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.partial and not data.get("date_of_birth") and data.get("age") is None and not self.errors:
            self.add_error("date_of_birth", "Give the date of birth or, if it is not known, the age.")
        age = data.get("age")
        if age is not None and age < validation.MINIMUM_AGE:
            self.add_error("age", f"The person must have been aged {validation.MINIMUM_AGE} or over.")
        return data


class DeathForm(StepForm):
    title = "When and where"
    required_when_new = ("date_found", "location_type")

    date_found = forms.DateField(label="Date found", widget=DATE)
    time_found = forms.TimeField(label="Time found (if known)", required=False, widget=TIME)
    date_of_death = forms.DateField(label="Date of death (if known)", required=False, widget=DATE)
    time_of_death = forms.TimeField(label="Time of death (if known)", required=False, widget=TIME)
    location_by = forms.ChoiceField(
        label="How do you want to give the location?",
        widget=forms.RadioSelect,
        required=False,
        choices=[
            ("postcode", "By postcode"),
            ("point", "By a pin on the map"),
            ("area", "By choosing the area"),
        ],
    )
    incident_postcode = forms.CharField(
        label="Postcode where the person was found", max_length=12, required=False
    )
    lat = forms.FloatField(
        label="Latitude",
        required=False,
        min_value=-90,
        max_value=90,
        help_text="Set by placing a pin on the map, or typed in",
    )
    lon = forms.FloatField(label="Longitude", required=False, min_value=-180, max_value=180)
    incident_area = forms.ChoiceField(label="Borough where the person was found", required=False)
    location_type = forms.ChoiceField(label="Type of place", choices=_choices(codes.LocationType))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["incident_area"].choices = borough_choices()  # type: ignore[attr-defined]

    def clean_incident_postcode(self) -> str:
        value = self.cleaned_data["incident_postcode"]
        if value and validation.normalise_postcode(value) is None:
            raise forms.ValidationError("Enter a full UK postcode, like E1 6AN.")
        return validation.normalise_postcode(value) or ""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        today = timezone.localdate()
        found, died = data.get("date_found"), data.get("date_of_death")
        if found and found > today:
            self.add_error("date_found", "The date found cannot be in the future.")
        if died and died > today:
            self.add_error("date_of_death", "The date of death cannot be in the future.")
        elif died and found and died > found:
            self.add_error(
                "date_of_death", "The date of death cannot be after the date the person was found."
            )
        born = self.context.get("date_of_birth")
        on = died or found
        if born and on and validation.age_on(date.fromisoformat(born), on) < validation.MINIMUM_AGE:
            self.add_error(
                "date_of_death" if died else "date_found",
                f"With this date the person would be under {validation.MINIMUM_AGE}: check the dates.",
            )
        how = data.get("location_by")
        if how == "postcode" and not data.get("incident_postcode"):
            self.add_error(
                "incident_postcode", "Enter the postcode, or choose another way to give the location."
            )
        if how == "point" and (data.get("lat") is None or data.get("lon") is None):
            self.add_error("lat", "Place a pin on the map or enter the latitude and longitude.")
        if how == "area" and not data.get("incident_area"):
            self.add_error("incident_area", "Choose the borough, or choose another way to give the location.")
        return data


class MethodForm(StepForm):
    title = "Method and circumstances"
    required_when_new = ("method_group",)

    method_group = forms.ChoiceField(label="Method", choices=_choices(codes.MethodGroup))
    substances = forms.CharField(
        label="Substances involved",
        required=False,
        max_length=1000,
        help_text="Separate them with commas. Use any name: a substance not in the list is kept and flagged.",
    )
    circumstances = forms.MultipleChoiceField(
        label="Circumstances and risk factors",
        required=False,
        choices=codes.Circumstance.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    known_to_mental_health_services = forms.ChoiceField(
        label="Known to mental health services?",
        required=False,
        widget=forms.RadioSelect,
        choices=[("yes", "Yes"), ("no", "No"), ("", "Not known")],
    )
    mental_health_trust = forms.ChoiceField(label="Which mental health trust", required=False)
    narrative = forms.CharField(
        label="What happened",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=validation.NARRATIVE_MAX,
        help_text="Facts only. Do not include details of the method beyond the method group.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        trusts = Organisation.objects.filter(type=OrganisationType.NHS_TRUST).order_by("name")
        self.fields["mental_health_trust"].choices = BLANK + [(t.slug, t.name) for t in trusts]  # type: ignore[attr-defined]


class NextOfKinForm(forms.Form):
    title = "Next of kin"

    name = forms.CharField(label="Full name", max_length=200)
    relationship = forms.ChoiceField(
        label="Relationship to the person who died", choices=_choices(codes.Relationship)
    )
    phone = forms.CharField(label="Phone number", max_length=30, required=False)
    email = forms.EmailField(label="Email address", required=False)
    postcode = forms.CharField(label="Postcode", max_length=12, required=False)
    borough = forms.ChoiceField(label="Borough they live in, if there is no postcode", required=False)
    language = forms.CharField(label="Preferred language", max_length=60, required=False)
    interpreter_needed = forms.BooleanField(label="They need an interpreter", required=False)
    safety_concerns = forms.CharField(
        label="Any immediate safety concern",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    consent_to_referral = forms.ChoiceField(
        label="Do they agree to be referred to a bereavement support service?",
        choices=codes.Consent.choices,
        widget=forms.RadioSelect,
        initial=codes.Consent.NOT_ASKED,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["borough"].choices = borough_choices()  # type: ignore[attr-defined]

    def clean_phone(self) -> str:
        value = self.cleaned_data["phone"]
        if value and (problem := validation.phone_problem(value)):
            raise forms.ValidationError(problem)
        return validation.clean_phone(value)

    def clean_postcode(self) -> str:
        value = self.cleaned_data["postcode"]
        if value and validation.normalise_postcode(value) is None:
            raise forms.ValidationError("Enter a full UK postcode, like E1 6AN.")
        return validation.normalise_postcode(value) or ""


class ConsentForm(forms.Form):
    consent_to_referral = forms.ChoiceField(
        label="Consent to a bereavement referral", choices=codes.Consent.choices, widget=forms.RadioSelect
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(label="New status")
    conclusion = forms.ChoiceField(
        label="Inquest conclusion", required=False, choices=_choices(codes.Conclusion)
    )
    inquest_date = forms.DateField(label="Inquest date", required=False, widget=DATE)
    reason = forms.CharField(
        label="Reason for the change", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )

    def __init__(self, *args: Any, allowed: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [(s, codes.label(codes.Status, s)) for s in allowed]  # type: ignore[attr-defined]


class BreakGlassForm(forms.Form):
    reference = forms.CharField(
        label="Case reference", max_length=20, help_text="For example RTSS-2026-00123"
    )
    reason = forms.CharField(
        label="Why do you need to open this case?",
        widget=forms.Textarea(attrs={"rows": 3}),
        min_length=10,
        max_length=2000,
        help_text="Your reason is recorded and shown to other surveillance leads.",
    )

    def clean_reference(self) -> str:
        return self.cleaned_data["reference"].strip().upper()


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Your decision",
        widget=forms.RadioSelect,
        choices=[
            ("keep_a", "Same death: keep the left case"),
            ("keep_b", "Same death: keep the right case"),
            ("dismiss", "Not the same death"),
        ],
    )
    reason = forms.CharField(label="Reason", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class UndoMergeForm(forms.Form):
    reason = forms.CharField(
        label="Why undo this merge?", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class SearchForm(forms.Form):
    reference = forms.CharField(label="Case reference", required=False, max_length=20)
    nhs_number = forms.CharField(label="NHS number", required=False, max_length=20)
    given_name = forms.CharField(label="Given name", required=False, max_length=200)
    family_name = forms.CharField(label="Family name", required=False, max_length=200)
    date_of_birth = forms.DateField(label="Date of birth", required=False, widget=DATE)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("nhs_number") and (problem := validation.nhs_number_problem(data["nhs_number"])):
            self.add_error("nhs_number", problem)
        names = [data.get("given_name"), data.get("family_name"), data.get("date_of_birth")]
        if any(names) and not all(names):
            self.add_error("family_name", "To search by name, give both names and the date of birth.")
        if not (data.get("reference") or data.get("nhs_number") or all(names)) and not self.errors:
            raise forms.ValidationError("Give a reference, an NHS number, or names with a date of birth.")
        return data


class CaseFilterForm(forms.Form):
    SORTS = {
        "newest": ("-created_at", "-id"),
        "oldest": ("created_at", "id"),
        "death_desc": ("-date_of_death", "-id"),
        "death_asc": ("date_of_death", "id"),
        "reference": ("reference",),
    }
    q = forms.CharField(label="Reference", required=False, max_length=20)
    date_from = forms.DateField(label="Died or found from", required=False, widget=DATE)
    date_to = forms.DateField(label="to", required=False, widget=DATE)
    borough = forms.ChoiceField(label="Borough", required=False)
    ics = forms.ChoiceField(label="Integrated care system", required=False)
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any open status")] + list(codes.Status.choices)
    )
    method_group = forms.ChoiceField(
        label="Method", required=False, choices=[("", "Any")] + list(codes.MethodGroup.choices)
    )
    agency = forms.ChoiceField(label="Reporting agency", required=False)
    sort = forms.ChoiceField(
        label="Sort by",
        required=False,
        choices=[
            ("newest", "Newest reported first"),
            ("oldest", "Oldest reported first"),
            ("death_desc", "Latest date of death first"),
            ("death_asc", "Earliest date of death first"),
            ("reference", "Reference"),
        ],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["borough"].choices = [("", "Any")] + borough_choices()[1:]  # type: ignore[attr-defined]
        self.fields["ics"].choices = [("", "Any")] + list(  # type: ignore[attr-defined]
            Area.objects.filter(level=AreaLevel.ICS).order_by("name").values_list("code", "name")
        )
        agencies = Organisation.objects.filter(
            type__in=[
                t.value
                for t in (
                    OrganisationType.POLICE_FORCE,
                    OrganisationType.CORONERS_OFFICE,
                    OrganisationType.NHS_TRUST,
                    OrganisationType.LOCAL_AUTHORITY,
                )
            ]
        ).order_by("name")
        self.fields["agency"].choices = [("", "Any")] + [(o.slug, o.name) for o in agencies]  # type: ignore[attr-defined]


class ImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file", help_text="In the template's layout: download the template below."
    )
