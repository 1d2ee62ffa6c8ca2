"""Every outcomes form says what is wrong in plain words: none shows Django's generic messages ("This field is
required.", "Enter a valid date.", "Select a valid choice. ..."), whatever is typed in."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django import forms as django_forms

from thrive.accounts.models import Organisation, Team
from thrive.core.testing.form_messages import forms_declared_in, generic_errors_for_nonsense
from thrive.outcomes import dialog_plus, forms
from thrive.outcomes.codes import ActionReview, ActionWho
from thrive.outcomes.measures import get as get_measure
from thrive.outcomes.models import DialogPlusAction

pytestmark = pytest.mark.django_db


def _teams(form: Callable[..., django_forms.BaseForm]) -> Callable[..., django_forms.BaseForm]:
    def make(**kwargs: Any) -> django_forms.BaseForm:
        return form(teams=Team.objects.all(), **kwargs)

    return make


def _questionnaire(form: type[forms.QuestionnaireForm], key: str) -> Callable[..., django_forms.BaseForm]:
    def make(**kwargs: Any) -> django_forms.BaseForm:
        return form(measure=get_measure(key), details=True, **kwargs)

    return make


def _link(**kwargs: Any) -> django_forms.BaseForm:
    return forms.LinkForm(measures=("phq9", "gad7"), **kwargs)


def _domains(**kwargs: Any) -> django_forms.BaseForm:
    rows = [dialog_plus.ItemComparison(n, f"Item {n}", None, 4, False) for n in range(1, 12)]
    return forms.DomainsForm(rows=rows, **kwargs)


def _review(**kwargs: Any) -> django_forms.BaseForm:
    action = DialogPlusAction(
        pk=7, what="Call the housing office", who=ActionWho.values[0], review=ActionReview.PENDING
    )
    return forms.ReviewForm(actions=[action], **kwargs)


FORMS: dict[str, Callable[..., django_forms.BaseForm]] = {
    "PatientForm": _teams(forms.PatientForm),
    "EpisodeForm": _teams(forms.EpisodeForm),
    "EndEpisodeForm": forms.EndEpisodeForm,
    "QuestionnaireForm": _questionnaire(forms.QuestionnaireForm, "honos"),
    "QuestionnaireForm (DIALOG)": _questionnaire(forms.QuestionnaireForm, "dialog"),
    "AmendForm": _questionnaire(forms.AmendForm, "phq9"),
    "LinkForm": _link,
    "DomainsForm": _domains,
    "StepsForm": forms.StepsForm,
    "ActionForm": forms.ActionForm,
    "ReviewForm": _review,
}


def test_every_form_of_the_module_is_checked() -> None:
    declared = forms_declared_in(forms)
    assert declared == {name.split(" ")[0] for name in FORMS}


@pytest.mark.parametrize("name", sorted(FORMS))
def test_no_generic_message_for_empty_or_nonsense_input(name: str) -> None:
    trust = Organisation.objects.create(
        name="Example Trust (fictional)", slug="example-trust", type="nhs_trust"
    )
    Team.objects.create(organisation=trust, name="Example Community Team")
    found = generic_errors_for_nonsense(FORMS[name])
    assert not found, "Django's generic wording:\n" + "\n".join(found)


def test_a_year_of_birth_too_early_says_the_earliest() -> None:
    form = _teams(forms.PatientForm)(data={"birth_year": "1850"})
    assert not form.is_valid()
    assert form.errors["birth_year"] == ["Enter a year of birth of 1900 or later."]
