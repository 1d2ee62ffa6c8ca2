"""Forms for the public pages (search, event filters, event submission) with plain-English messages."""

from __future__ import annotations

import datetime
import re
from typing import Any, cast

from django import forms
from django.db import models
from django.utils import timezone

from thrive.directory import places
from thrive.directory.models import Attendance, Event
from thrive.directory.taxonomy import EventType, ServiceType

MAX_DESCRIPTION = 3000
MAX_FUTURE_DAYS = 2 * 365
# Markup or script in a public submission: refused, because the text is shown as written.
MARKUP = re.compile(r"<\s*/?\s*[a-z!?]|javascript\s*:|\bon[a-z]+\s*=|&#|&lt;", re.IGNORECASE)


def https_urls(field: models.Field[Any, Any], **kwargs: Any) -> forms.Field | None:
    """Model form fields, with web addresses typed without a scheme read as https://."""
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)


UNREADABLE_POSITION = "Your location could not be read: enter a postcode or choose a borough instead."


def _choices(label: str, values: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [("", label), *values]


class SearchForm(forms.Form):
    """GET form: where (postcode or borough, or the browser's position), what (type), and optional words."""

    postcode = forms.CharField(
        label="Postcode",
        required=False,
        max_length=20,
        error_messages={"max_length": "Enter a full postcode, like E1 6AN."},
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "spellcheck": "false"}),
    )
    borough = forms.CharField(
        label="Or choose a borough",
        required=False,
        max_length=12,
        error_messages={"max_length": "Choose a borough from the list."},
    )
    type = forms.ChoiceField(
        label="Type of support",
        required=False,
        choices=_choices("Any type of support", list(ServiceType.choices)),
    )
    q = forms.CharField(
        label="Words to search for (optional)",
        required=False,
        max_length=100,
        help_text="For example: anxiety, Bengali, young people",
        error_messages={"max_length": "Enter 100 characters or fewer to search for."},
    )
    lat = forms.FloatField(
        required=False,
        widget=forms.HiddenInput,
        min_value=-90,
        max_value=90,
        error_messages=dict.fromkeys(("invalid", "min_value", "max_value"), UNREADABLE_POSITION),
    )
    lon = forms.FloatField(
        required=False,
        widget=forms.HiddenInput,
        min_value=-180,
        max_value=180,
        error_messages=dict.fromkeys(("invalid", "min_value", "max_value"), UNREADABLE_POSITION),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["borough"].widget = forms.Select(
            choices=_choices("Any borough", places.borough_choices())
        )
        self.fields["type"].error_messages["invalid_choice"] = "Choose a type of support from the list."


class EventFilterForm(forms.Form):
    """GET filters shared by the events list, calendar, map and the iCalendar feed."""

    start = forms.DateField(
        label="From",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter a real 'from' date, like 10/10/2026."},
    )
    end = forms.DateField(
        label="To",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter a real 'to' date, like 11/10/2026."},
    )
    borough = forms.CharField(
        label="Borough",
        required=False,
        max_length=12,
        error_messages={"max_length": "Choose a London borough from the list."},
    )
    type = forms.ChoiceField(
        label="Type of event", required=False, choices=_choices("Any type of event", list(EventType.choices))
    )
    attendance = forms.ChoiceField(
        label="In person or online",
        required=False,
        choices=[("", "In person or online"), ("in_person", "In person"), ("online", "Online")],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["borough"].widget = forms.Select(
            choices=_choices("Any borough", places.borough_choices())
        )
        for name in ("type", "attendance"):
            self.fields[name].error_messages["invalid_choice"] = "Choose an option from the list."

    def clean_borough(self) -> str:
        code: str = self.cleaned_data["borough"].strip().upper()
        if code and code not in places.boroughs():
            raise forms.ValidationError("Choose a London borough from the list.")
        return code

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", "The 'to' date must be the same as or after the 'from' date.")
        return data


class EventSubmissionForm(forms.ModelForm):
    """Anyone's event, for moderation. Dates are a day and two times (plus an end day for longer events)."""

    # Declared: the model keeps the address encrypted in a text column, so the form checks its shape.
    organiser_email = forms.EmailField(
        max_length=254,
        label="Your email address (private: only our moderators see it)",
        error_messages={
            "required": "Enter your email address so a moderator can contact you.",
            "invalid": "Enter an email address like name@example.org.",
            "max_length": "The email address must be 254 characters or fewer.",
        },
    )
    day = forms.DateField(
        label="Date",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": "Enter the date of the event.",
            "invalid": "Enter a real date, like 10/10/2026.",
        },
    )
    start_time = forms.TimeField(
        label="Start time",
        widget=forms.TimeInput(attrs={"type": "time"}),
        error_messages={"required": "Enter the start time.", "invalid": "Enter a time, like 14:30."},
    )
    end_time = forms.TimeField(
        label="End time",
        widget=forms.TimeInput(attrs={"type": "time"}),
        error_messages={"required": "Enter the end time.", "invalid": "Enter a time, like 16:00."},
    )
    end_day = forms.DateField(
        label="End date, if the event runs over more than one day",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter a real date, like 11/10/2026."},
    )
    # Spam trap: hidden from people (display: none), so only a robot fills it in.
    website = forms.CharField(
        label="Leave this empty",
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    class Meta:
        model = Event
        formfield_callback = https_urls
        fields = [
            "title",
            "type",
            "description",
            "attendance",
            "venue_name",
            "address",
            "postcode",
            "online_url",
            "booking_url",
            "is_free",
            "price",
            "accessibility",
            "organiser_name",
            "organiser_email",
            "organiser_phone",
        ]
        labels = {
            "title": "Event name",
            "type": "Type of event",
            "attendance": "How people take part",
            "venue_name": "Venue name",
            "online_url": "Link to join online",
            "booking_url": "Link to book (optional)",
            "is_free": "The event is free",
            "price": "Price, if not free",
            "accessibility": "Accessibility (optional)",
            "organiser_name": "Organiser (shown on the event page)",
            "organiser_phone": "Your phone number (optional, private)",
        }
        help_texts = {
            "description": f"What happens, who it is for. Plain text, up to {MAX_DESCRIPTION:,} characters.",
            "accessibility": "For example: step-free access, hearing loop, BSL interpreter.",
            "postcode": "We use it to place the event on the map and in its borough.",
        }
        widgets = {"attendance": forms.RadioSelect, "description": forms.Textarea(attrs={"rows": 6})}
        error_messages = {
            "title": {
                "required": "Enter the name of the event.",
                "max_length": "The event name must be 120 characters or fewer.",
            },
            "description": {"required": "Describe the event."},
            "type": {
                "required": "Choose the type of event.",
                "invalid_choice": "Choose a type of event from the list.",
            },
            "attendance": {
                "required": "Choose how people take part: in person, online, or both.",
                "invalid_choice": "Choose how people take part: in person, online, or both.",
            },
            "venue_name": {"max_length": "The venue name must be 200 characters or fewer."},
            "address": {"max_length": "The address must be 300 characters or fewer."},
            "postcode": {"max_length": "Enter a full postcode, like E1 6AN."},
            "online_url": {
                "invalid": "Enter a full web address, starting https://",
                "max_length": "The link to join must be 200 characters or fewer.",
            },
            "booking_url": {
                "invalid": "Enter a full web address, starting https://",
                "max_length": "The link to book must be 200 characters or fewer.",
            },
            "price": {"max_length": "The price must be 100 characters or fewer."},
            "accessibility": {"max_length": "The accessibility details must be 500 characters or fewer."},
            "organiser_name": {
                "required": "Enter the name of the organiser.",
                "max_length": "The organiser's name must be 200 characters or fewer.",
            },
            "organiser_phone": {"max_length": "The phone number must be 40 characters or fewer."},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["type"]).choices = _choices(
            "Choose a type", list(EventType.choices)
        )
        cast(forms.ChoiceField, self.fields["attendance"]).choices = list(Attendance.choices)
        self.place: places.Place | None = None

    @property
    def spam_trap_filled(self) -> bool:
        return bool(self.data.get("website", "").strip())

    def clean_description(self) -> str:
        text: str = self.cleaned_data["description"]
        if len(text) > MAX_DESCRIPTION:
            raise forms.ValidationError(
                f"The description must be {MAX_DESCRIPTION:,} characters or fewer (it is {len(text):,})."
            )
        return text

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in (
            "title",
            "description",
            "venue_name",
            "address",
            "price",
            "accessibility",
            "organiser_name",
        ):
            if MARKUP.search(str(data.get(name) or "")):
                self.add_error(name, "Remove the HTML or code: write plain text only.")
        self._clean_times(data)
        self._clean_where(data)
        return data

    def _clean_times(self, data: dict[str, Any]) -> None:
        day, start_time, end_time = data.get("day"), data.get("start_time"), data.get("end_time")
        if not (day and start_time and end_time):
            return
        zone = timezone.get_current_timezone()
        starts = datetime.datetime.combine(day, start_time, tzinfo=zone)
        ends = datetime.datetime.combine(data.get("end_day") or day, end_time, tzinfo=zone)
        now = timezone.now()
        if starts < now:
            self.add_error("day", "The event must start in the future.")
        elif starts > now + datetime.timedelta(days=MAX_FUTURE_DAYS):
            self.add_error("day", "The event must be within the next 2 years.")
        if ends <= starts:
            self.add_error("end_time", "The end must be after the start.")
        elif ends - starts > datetime.timedelta(days=14):
            self.add_error("end_day", "An event can last at most 14 days.")
        data["starts_at"], data["ends_at"] = starts, ends

    def _clean_where(self, data: dict[str, Any]) -> None:
        attendance = data.get("attendance")
        if attendance in (Attendance.ONLINE, Attendance.BOTH) and not data.get("online_url"):
            self.add_error("online_url", "Enter the link people use to join online.")
        if attendance not in (Attendance.IN_PERSON, Attendance.BOTH):
            return
        if not data.get("address"):
            self.add_error("address", "Enter the address of the venue.")
        if not data.get("postcode"):
            self.add_error("postcode", "Enter the postcode of the venue.")
            return
        place = places.from_postcode(data["postcode"])
        if place.outside_region:
            self.add_error(
                "postcode", "This calendar is for events in London or online: the postcode is outside London."
            )
        elif place.error:
            self.add_error("postcode", place.error)
        else:
            self.place = place
            data["postcode"] = places.normalise_postcode(data["postcode"]) or data["postcode"]

    def save(self, commit: bool = True) -> Event:
        event: Event = super().save(commit=False)
        event.starts_at = self.cleaned_data["starts_at"]
        event.ends_at = self.cleaned_data["ends_at"]
        if not event.is_in_person:
            event.venue_name = event.address = event.postcode = ""
        if commit:
            event.save()
        return event


class ModerationForm(forms.Form):
    decision = forms.ChoiceField(
        label="Decision",
        widget=forms.RadioSelect,
        choices=[("publish", "Publish it"), ("reject", "Reject it")],
        error_messages={
            "required": "Choose whether to publish or reject the event.",
            "invalid_choice": "Choose whether to publish or reject the event.",
        },
    )
    reason = forms.CharField(
        label="Reason for rejecting",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "The reason must be 1,000 characters or fewer."},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "reject" and not (data.get("reason") or "").strip():
            self.add_error("reason", "Give a reason for rejecting the event.")
        return data
