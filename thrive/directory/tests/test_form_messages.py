"""Every directory form says what is wrong in plain words: none shows Django's generic messages ("This field is
required.", "Enter a valid date.", "Select a valid choice. ..."), whatever is typed in."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django import forms as django_forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.datastructures import MultiValueDict

from thrive.accounts.models import Organisation
from thrive.core.testing.form_messages import forms_declared_in, generic_errors, generic_errors_for_nonsense
from thrive.directory import forms, manage_forms, selfcheck

pytestmark = pytest.mark.django_db


def _service(**kwargs: Any) -> django_forms.BaseForm:
    return manage_forms.ServiceForm(organisations=list(Organisation.objects.all()), **kwargs)


def _self_check(**kwargs: Any) -> django_forms.BaseForm:
    return selfcheck.SelfCheckForm(selfcheck.measure_for("phq9"), **kwargs)


FORMS: dict[str, Callable[..., django_forms.BaseForm]] = {
    "forms.SearchForm": forms.SearchForm,
    "forms.EventFilterForm": forms.EventFilterForm,
    "forms.EventSubmissionForm": forms.EventSubmissionForm,
    "forms.ModerationForm": forms.ModerationForm,
    "manage_forms.ServiceForm": _service,
    "manage_forms.ImportForm": manage_forms.ImportForm,
    "selfcheck.SelfCheckForm": _self_check,
}


def test_every_form_of_the_modules_is_checked() -> None:
    declared = {
        f"{module.__name__.rsplit('.', 1)[1]}.{name}"
        for module in (forms, manage_forms, selfcheck)
        for name in forms_declared_in(module)
    }
    assert declared == set(FORMS)


@pytest.mark.parametrize("name", sorted(FORMS))
def test_no_generic_message_for_empty_or_nonsense_input(name: str, postcodes: dict[str, object]) -> None:
    Organisation.objects.create(
        name="Example Charity (fictional)", slug="example-charity", type="voluntary_sector"
    )
    found = generic_errors_for_nonsense(FORMS[name])
    assert not found, "Django's generic wording:\n" + "\n".join(found)


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({}, "Choose a CSV file to upload."),
        (
            {"file": SimpleUploadedFile("services.csv", b"")},
            "The file is empty: choose a CSV file with services in it.",
        ),
    ],
)
def test_missing_or_empty_import_file_is_explained(files: dict[str, Any], message: str) -> None:
    form = manage_forms.ImportForm(
        data={}, files=MultiValueDict({name: [file] for name, file in files.items()})
    )
    assert not form.is_valid()
    assert form.errors["file"] == [message] and generic_errors(form) == []
