"""Every detection form says what is wrong in plain words: none shows Django's generic messages ("This field is
required.", "Enter a number.", "Ensure this value is less than or equal to 0.2."), whatever is typed in."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django import forms as django_forms

from thrive.accounts.models import User
from thrive.core.testing.form_messages import forms_declared_in, generic_errors_for_nonsense
from thrive.detection import forms
from thrive.detection.models import Alert
from thrive.detection.parameters import DEFAULTS

pytestmark = pytest.mark.django_db


def _status(status: str) -> Callable[..., django_forms.BaseForm]:
    def make(**kwargs: Any) -> django_forms.BaseForm:
        return forms.StatusForm(alert=Alert(status=status), **kwargs)

    return make


def _assign(**kwargs: Any) -> django_forms.BaseForm:
    return forms.AssignForm(assignees=User.objects.all(), **kwargs)


def _parameters(**kwargs: Any) -> django_forms.BaseForm:
    return forms.ParametersForm(current=DEFAULTS, **kwargs)


FORMS: dict[str, Callable[..., django_forms.BaseForm]] = {
    "AlertFilterForm": forms.AlertFilterForm,
    "StatusForm": _status(Alert.Status.NEW),
    "StatusForm (closed)": _status(Alert.Status.CLOSED),
    "AssignForm": _assign,
    "NoteForm": forms.NoteForm,
    "ActionForm": forms.ActionForm,
    "ParametersForm": _parameters,
}


def test_every_form_of_the_module_is_checked() -> None:
    declared = forms_declared_in(forms)
    assert declared == {name.split(" ")[0] for name in FORMS}


@pytest.mark.parametrize("name", sorted(FORMS))
def test_no_generic_message_for_empty_or_nonsense_input(name: str) -> None:
    User.objects.create_user(email="analyst@example.org", full_name="Example Analyst")
    found = generic_errors_for_nonsense(FORMS[name])
    assert not found, "Django's generic wording:\n" + "\n".join(found)


def test_a_parameter_out_of_range_names_the_parameter_and_the_range() -> None:
    form = _parameters(data={**dict.fromkeys(_parameters().fields, ""), "poisson_alpha": "0.5"})
    assert not form.is_valid()
    assert form.errors["poisson_alpha"] == [
        "Poisson scan: alert when p is at most: enter a number from 0.0001 to 0.2."
    ]
    assert form.errors["ears_baseline"] == [
        "EARS: baseline (weeks): enter a whole number (the default is 7)."
    ]
