"""Forms for directory editors: a service (also used, row by row, by the CSV import) and the import upload."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.text import slugify

from thrive.accounts.models import Organisation
from thrive.directory import hours, places
from thrive.directory.forms import https_urls
from thrive.directory.models import Service
from thrive.geography.models import Area, AreaLevel

MAX_IMPORT_BYTES = 2 * 1024 * 1024
RESERVED_SLUGS = {"new", "import"}  # paths under /directory/manage/services/


class BoroughChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Area) -> str:
        return obj.name


class ServiceForm(forms.ModelForm):
    """A service with plain-text opening hours and languages; checks the details hang together."""

    opening_hours_text = forms.CharField(
        label="Opening times",
        required=False,
        help_text=hours.SYNTAX_HELP,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    languages_text = forms.CharField(
        label="Languages spoken (besides interpreters)",
        required=False,
        max_length=300,
        help_text="Separate them with commas: English, Bengali",
        error_messages={"max_length": "The languages must be 300 characters or fewer."},
    )
    areas = BoroughChoiceField(
        label="Boroughs covered",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        queryset=Area.objects.filter(level=AreaLevel.BOROUGH).order_by("name").only("pk", "name"),
        error_messages={
            "invalid_choice": "Choose the boroughs from the list.",
            "invalid_pk_value": "Choose the boroughs from the list.",
        },
    )

    class Meta:
        model = Service
        formfield_callback = https_urls
        fields = [
            "name",
            "type",
            "organisation",
            "summary",
            "description",
            "min_age",
            "max_age",
            "perinatal",
            "conditions",
            "eligibility_notes",
            "self_referral",
            "self_referral_url",
            "self_referral_phone",
            "via_gp",
            "via_other_service",
            "how_to_access",
            "phone",
            "text_number",
            "email",
            "website",
            "in_person",
            "by_phone",
            "online",
            "address",
            "postcode",
            "latitude",
            "longitude",
            "opening_notes",
            "accessibility",
            "national",
            "whole_region",
            "areas",
            "status",
            "last_verified",
        ]
        labels = {
            "type": "Type of service",
            "min_age": "Lowest age (optional)",
            "max_age": "Highest age (optional)",
            "perinatal": "Only for people who are pregnant or had a baby in the last 2 years",
            "conditions": "Who it is for (optional)",
            "eligibility_notes": "More about who can use it (optional)",
            "self_referral": "People can refer themselves",
            "self_referral_url": "Self-referral web link",
            "self_referral_phone": "Self-referral phone number",
            "via_gp": "A GP can refer people",
            "via_other_service": "Other services that can refer (optional)",
            "how_to_access": "How to get help (optional)",
            "text_number": "Text message (optional)",
            "in_person": "In person",
            "by_phone": "By phone",
            "online": "Online",
            "national": "Anyone in England can use it",
            "whole_region": "Anyone in London can use it",
            "last_verified": "Date the details were last checked",
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 6}),
            "eligibility_notes": forms.Textarea(attrs={"rows": 3}),
            "how_to_access": forms.Textarea(attrs={"rows": 3}),
            "accessibility": forms.Textarea(attrs={"rows": 3}),
            "last_verified": forms.DateInput(attrs={"type": "date"}),
        }
        error_messages = {
            "name": {
                "required": "Enter the name of the service.",
                "max_length": "The name must be 200 characters or fewer.",
            },
            "type": {
                "required": "Choose the type of service.",
                "invalid_choice": "Choose a type of service from the list.",
            },
            "organisation": {
                "required": "Choose the organisation that runs the service.",
                "invalid_choice": "Choose one of your organisations.",
            },
            "summary": {
                "required": "Enter a summary of the service.",
                "max_length": "The summary must be 300 characters or fewer.",
            },
            "description": {"required": "Describe the service."},
            "min_age": {
                "invalid": "Enter the lowest age as a whole number, like 16.",
                "min_value": "The lowest age must be %(limit_value)s or more.",
                "max_value": "The lowest age must be %(limit_value)s or less.",
            },
            "max_age": {
                "invalid": "Enter the highest age as a whole number, like 25.",
                "min_value": "The highest age must be %(limit_value)s or more.",
                "max_value": "The highest age must be %(limit_value)s or less.",
            },
            "conditions": {"max_length": "Who it is for must be 300 characters or fewer."},
            "self_referral_url": {
                "invalid": "Enter a full web address, starting https://",
                "max_length": "The self-referral link must be 200 characters or fewer.",
            },
            "self_referral_phone": {
                "max_length": "The self-referral phone number must be 40 characters or fewer."
            },
            "via_other_service": {
                "max_length": "The other services that can refer must be 200 characters or fewer."
            },
            "phone": {"max_length": "The phone number must be 40 characters or fewer."},
            "text_number": {"max_length": "The text message number must be 80 characters or fewer."},
            "email": {
                "invalid": "Enter an email address like name@example.org.",
                "max_length": "The email address must be 254 characters or fewer.",
            },
            "website": {
                "invalid": "Enter a full web address, starting https://",
                "max_length": "The website address must be 200 characters or fewer.",
            },
            "address": {"max_length": "The address must be 300 characters or fewer."},
            "postcode": {"max_length": "Enter a full postcode, like E1 6AN."},
            "latitude": {"invalid": "Enter the latitude as a number, like 51.5072."},
            "longitude": {"invalid": "Enter the longitude as a number, like -0.1276."},
            "opening_notes": {"max_length": "The notes on opening times must be 300 characters or fewer."},
            "status": {
                "required": "Choose whether the service is open.",
                "invalid_choice": "Choose whether the service is open from the list.",
            },
            "last_verified": {
                "required": "Enter the date the details were last checked.",
                "invalid": "Enter a real date, like 31/10/2026.",
            },
        }

    def __init__(self, *args: Any, organisations: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice = cast(forms.ModelChoiceField, self.fields["organisation"])
        choice.queryset = Organisation.objects.filter(pk__in=[o.pk for o in organisations])
        choice.empty_label = None
        if self.instance.pk:
            self.fields["opening_hours_text"].initial = hours.format_rules(self.instance.opening_hours)
            self.fields["languages_text"].initial = ", ".join(self.instance.languages)

    def clean_opening_hours_text(self) -> str:
        text: str = self.cleaned_data["opening_hours_text"]
        try:
            self.cleaned_data["opening_hours"] = hours.parse(text)
        except hours.HoursError as problem:
            raise forms.ValidationError(str(problem)) from None
        return text

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("min_age"), data.get("max_age")
        if low is not None and high is not None and low > high:
            self.add_error("max_age", "The highest age must be the same as or more than the lowest age.")
        if data.get("self_referral") and not (
            data.get("self_referral_url") or data.get("self_referral_phone")
        ):
            self.add_error("self_referral_url", "Give a web link or a phone number for self-referral.")
        if not (data.get("national") or data.get("whole_region") or data.get("areas")):
            self.add_error("areas", "Choose the boroughs the service covers, or London or England.")
        if not (data.get("in_person") or data.get("by_phone") or data.get("online")):
            self.add_error("in_person", "Say how the service is provided: in person, by phone or online.")
        if data.get("in_person") and not data.get("address"):
            self.add_error("address", "Enter the address where people go.")
        self._locate(data)
        return data

    def _locate(self, data: dict[str, Any]) -> None:
        """Fill the map position from the postcode, unless the editor gave it."""
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            self.add_error("longitude", "Give both the latitude and the longitude, or neither.")
            return
        if not data.get("postcode"):
            return
        postcode = places.normalise_postcode(data["postcode"])
        if postcode is None:
            self.add_error("postcode", "Enter a full postcode, like E1 6AN.")
            return
        data["postcode"] = postcode
        if data.get("latitude") is None:
            place = places.from_postcode(postcode)
            if place.lat is None or place.lon is None:
                self.add_error(
                    "postcode", f"We cannot find {postcode}: check it, or give the latitude and longitude."
                )
            else:
                data["latitude"], data["longitude"] = place.lat, place.lon

    def save(self, commit: bool = True) -> Service:
        service: Service = super().save(commit=False)
        service.opening_hours = self.cleaned_data.get("opening_hours", [])
        service.languages = [
            part.strip() for part in self.cleaned_data["languages_text"].split(",") if part.strip()
        ]
        service.latitude, service.longitude = (
            self.cleaned_data.get("latitude"),
            self.cleaned_data.get("longitude"),
        )
        if not service.slug:
            service.slug = unique_slug(service.name)
        if commit:
            service.save()
            self.save_m2m()
        return service


def unique_slug(name: str) -> str:
    base = slugify(name)[:100] or "service"
    if base in RESERVED_SLUGS:
        base = f"{base}-service"
    slug, n = base, 2
    while Service.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


class ImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="Saved from a spreadsheet as CSV (UTF-8).",
        error_messages={
            "required": "Choose a CSV file to upload.",
            "invalid": "Choose a CSV file to upload.",
            "missing": "Choose a CSV file to upload.",
            "empty": "The file is empty: choose a CSV file with services in it.",
        },
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError("The file is too large: the limit is 2 MB.")
        return upload
