"""Sign-in, two-factor and administration forms, each with plain-language messages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import authenticate
from django.http import HttpRequest

from thrive.accounts.models import Membership, Organisation, Team, User
from thrive.accounts.permissions import API_SCOPES, ROLES
from thrive.geography.models import Area, AreaLevel


class LoginForm(forms.Form):
    username = forms.EmailField(
        label="Email address",
        max_length=254,
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.org",
            "max_length": "Enter an email address of 254 characters or fewer",
        },
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput,
        error_messages={
            "required": "Enter your password",
        },
    )

    def __init__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        self.request = request
        self.user: User | None = None
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "spellcheck": "false"})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        email, password = data.get("username"), data.get("password")
        if email and password:
            user = authenticate(self.request, username=email.lower(), password=password)
            if user is None or not user.is_active:
                raise forms.ValidationError(
                    "The email address or password is not right. Check them and try again."
                )
            self.user = user
        return data


class TokenForm(forms.Form):
    code = forms.CharField(
        label="Security code",
        max_length=16,
        error_messages={
            "required": "Enter the 6-digit code from your authenticator app",
            "max_length": "Enter the 6-digit code from your authenticator app, or one of your recovery codes",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.update(
            {"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        )

    def clean_code(self) -> str:
        return "".join(str(self.cleaned_data["code"]).split()).lower()


class ReauthForm(TokenForm):
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput,
        error_messages={
            "required": "Enter your password",
        },
    )
    field_order = ["password", "code"]


class OrganisationForm(forms.ModelForm):
    coverage = forms.ModelMultipleChoiceField(
        queryset=Area.objects.filter(level__in=[AreaLevel.REGION, AreaLevel.ICS, AreaLevel.BOROUGH]),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The boroughs (or ICSs, or the region) this organisation covers",
        error_messages={
            "invalid_choice": "Choose the areas the organisation covers from the list",
            "invalid_pk_value": "Choose the areas the organisation covers from the list",
        },
    )
    webhook_url = forms.URLField(
        required=False,
        assume_scheme="https",
        label="Webhook address",
        error_messages={"invalid": "Enter the webhook address in full, like https://example.org/thrive"},
    )

    class Meta:
        model = Organisation
        fields = [
            "name",
            "slug",
            "type",
            "ods_code",
            "coverage",
            "covers_region",
            "duty_email",
            "webhook_url",
            "first_contact_target_days",
            "is_example",
        ]
        error_messages = {
            "name": {
                "required": "Enter the organisation's name",
                "max_length": "Enter an organisation name of 200 characters or fewer",
            },
            "slug": {
                "required": "Enter a short name for addresses, like example-police",
                "unique": "Another organisation already uses this short name",
                "invalid": "Use only lower-case letters, numbers and hyphens in the short name",
                "max_length": "Enter a short name of 80 characters or fewer",
            },
            "type": {
                "required": "Choose the type of organisation",
                "invalid_choice": "Choose one of the listed types of organisation",
            },
            "ods_code": {"max_length": "Enter an ODS code of 10 characters or fewer, like RWK"},
            "duty_email": {
                "invalid": "Enter an email address like duty@example.org",
                "max_length": "Enter a duty email address of 254 characters or fewer",
            },
            "first_contact_target_days": {
                "required": "Enter the target for first contact in days, like 2",
                "invalid": "Enter the target for first contact as a whole number of days, like 2",
                "min_value": "Enter a target for first contact of %(limit_value)s days or more",
                "max_value": "Enter a target for first contact of %(limit_value)s days or fewer",
            },
        }


class UserForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "email", "is_active"]
        error_messages = {
            "email": {
                "required": "Enter the person's email address",
                "invalid": "Enter an email address in the correct format, like name@example.org",
                "max_length": "Enter an email address of 254 characters or fewer",
                "unique": "A user with this email address already exists",
            },
            "full_name": {
                "required": "Enter the person's full name",
                "max_length": "Enter a full name of 200 characters or fewer",
            },
        }


class MembershipForm(forms.ModelForm):
    scope_areas = forms.ModelMultipleChoiceField(
        queryset=Area.objects.filter(level__in=[AreaLevel.REGION, AreaLevel.ICS, AreaLevel.BOROUGH]),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Geographic scope",
        error_messages={
            "invalid_choice": "Choose the areas in the scope from the list",
            "invalid_pk_value": "Choose the areas in the scope from the list",
        },
    )

    class Meta:
        model = Membership
        fields = ["organisation", "role", "team", "scope_areas"]
        error_messages = {
            "organisation": {
                "required": "Choose the organisation",
                "invalid_choice": "Choose an organisation from the list",
            },
            "role": {"required": "Choose the role", "invalid_choice": "Choose a role from the list"},
            "team": {"invalid_choice": "Choose a team from the list, or no team"},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.select_related("organisation")  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        organisation, role = data.get("organisation"), data.get("role")
        if organisation and role:
            role_class = ROLES[role]
            if organisation.type not in role_class.organisation_types:
                self.add_error(
                    "role", f"A {organisation.type_label.lower()} cannot hold the {role_class.label} role"
                )
            if role_class.uses_scope and not data.get("scope_areas"):
                self.add_error("scope_areas", f"Choose the areas a {role_class.label.lower()} can see")
        return data


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        error_messages={
            "required": "Give the key a name",
            "max_length": "Give the key a name of 100 characters or fewer",
        },
    )
    scopes = forms.MultipleChoiceField(
        choices=[(s, s) for s in API_SCOPES],
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Choose at least one scope",
            "invalid_choice": "Choose scopes from the list",
        },
    )
    expires_days = forms.IntegerField(
        label="Expires after (days)",
        min_value=1,
        max_value=730,
        initial=365,
        error_messages={
            "required": "Enter how many days the key lasts, from 1 to 730",
            "invalid": "Enter the number of days as a whole number, from 1 to 730",
            "min_value": "A key must last at least 1 day",
            "max_value": "A key can last at most 730 days (2 years)",
        },
    )
