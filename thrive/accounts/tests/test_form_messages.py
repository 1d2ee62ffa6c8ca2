"""Every accounts form says what is wrong in plain words: none shows Django's generic messages ("This field is
required.", "Enter a whole number.", "Select a valid choice. ..."), whatever is typed in."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django import forms as django_forms
from django.test import RequestFactory

from thrive.accounts import forms
from thrive.accounts.models import Organisation, User
from thrive.accounts.testing import small_london
from thrive.core.testing.form_messages import (
    forms_declared_in,
    generic_errors,
    generic_errors_for_nonsense,
    is_generic,
)

pytestmark = pytest.mark.django_db


def _login(**kwargs: Any) -> django_forms.BaseForm:
    return forms.LoginForm(RequestFactory().post("/"), **kwargs)


FORMS: dict[str, Callable[..., django_forms.BaseForm]] = {
    "LoginForm": _login,
    "TokenForm": forms.TokenForm,
    "ReauthForm": forms.ReauthForm,
    "OrganisationForm": forms.OrganisationForm,
    "UserForm": forms.UserForm,
    "MembershipForm": forms.MembershipForm,
    "ApiKeyForm": forms.ApiKeyForm,
}


def test_every_form_of_the_module_is_checked() -> None:
    declared = forms_declared_in(forms)
    assert declared == set(FORMS)


def test_the_generic_messages_are_recognised() -> None:
    assert is_generic("This field is required.")
    assert is_generic("Ensure this value is greater than or equal to 1.")
    assert is_generic("Select a valid choice. 7 is not one of the available choices.")
    assert is_generic("Organisation with this Slug already exists.")
    assert not is_generic("Enter your email address")


@pytest.mark.parametrize("name", sorted(FORMS))
def test_no_generic_message_for_empty_or_nonsense_input(name: str) -> None:
    small_london()
    Organisation.objects.create(name="Example Trust (fictional)", slug="example-trust", type="nhs_trust")
    found = generic_errors_for_nonsense(FORMS[name])
    assert not found, "Django's generic wording:\n" + "\n".join(found)


def test_taken_short_name_and_email_are_explained() -> None:
    Organisation.objects.create(name="Example Trust (fictional)", slug="example-trust", type="nhs_trust")
    User.objects.create_user(email="taken@example.org", full_name="Taken")
    organisation = forms.OrganisationForm(
        data={"name": "Another", "slug": "example-trust", "type": "nhs_trust", "first_contact_target_days": 2}
    )
    user = forms.UserForm(data={"full_name": "Someone", "email": "taken@example.org"})
    assert not organisation.is_valid() and not user.is_valid()
    assert organisation.errors["slug"] == ["Another organisation already uses this short name"]
    assert user.errors["email"] == ["A user with this email address already exists"]
    assert generic_errors(organisation) == generic_errors(user) == []
