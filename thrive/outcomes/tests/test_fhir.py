"""FHIR R4 QuestionnaireResponse export and import: valid by fhir.resources, a lossless round trip, and the
same refusals as a form (another patient, out-of-range codes, unknown questionnaire)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from thrive.accounts.models import Team
from thrive.accounts.testing import Personas
from thrive.outcomes import fhir, services
from thrive.outcomes.models import Assessment, Episode
from thrive.outcomes.tests.conftest import days_ago, dialog, honos

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("measure", "answers"),
    [
        ("dialog", dialog(4, **{"3": 1, "8": 7}, help=[3, 10])),
        ("honos", honos(2, **{"4": 9, "7": 4})),
        ("honos", honos(2, **{"4": 9, "8": 3, "8.type": "C"})),
    ],
)
def test_round_trip(
    personas: Personas, episode: Episode, record: Callable[..., Assessment], measure: str, answers: dict
) -> None:
    original = record(episode, measure, answers, on=days_ago(20), timepoint="review", mode="paper")
    exported = fhir.to_questionnaire_response(original)
    resource: Any = QuestionnaireResponse.model_validate(exported)
    assert resource.status == "completed" and resource.subject.identifier.value == episode.patient.local_id
    first = resource.item[0].answer[0].valueCoding
    assert first.system and first.code == str(answers["1"])
    read = fhir.from_questionnaire_response(copy.deepcopy(exported), episode=episode)
    imported = services.record_assessment(
        by=None,
        episode=episode,
        measure=read.measure,
        timepoint=read.timepoint or "",
        mode=read.mode,
        assessed_on=read.assessed_on,
        answers=read.answers,
        draft=read.draft,
        source="fhir",
    )
    for name in ("measure", "timepoint", "mode", "assessed_on", "answers", "scores", "score", "status"):
        assert getattr(imported, name) == getattr(original, name), name
    again = fhir.to_questionnaire_response(imported)
    assert again["item"] == exported["item"] and again["extension"] == exported["extension"]


def test_response_for_another_patient_is_refused(
    episode: Episode, record: Callable[..., Assessment], admit: Callable[..., Episode], team: Team
) -> None:
    exported = fhir.to_questionnaire_response(record(episode, "dialog", dialog(), on=days_ago(3)))
    other = admit(team, local_id="SOMEONE-ELSE")
    with pytest.raises(services.Refused) as refused:
        fhir.from_questionnaire_response(exported, episode=other)
    assert "different patient" in refused.value.errors["subject"][0]


@pytest.mark.parametrize(
    ("change", "path", "words"),
    [
        (lambda r: r.update(resourceType="Patient"), "resourceType", "QuestionnaireResponse"),
        (
            lambda r: r.update(questionnaire="https://example.org/Questionnaire/x"),
            "questionnaire",
            "not one of",
        ),
        (lambda r: r.update(authored="yesterday"), "authored", "Not valid FHIR"),
        (lambda r: r.update(status="entered-in-error"), "status", "completed"),
        (lambda r: r["item"][0]["answer"][0]["valueCoding"].update(code="8"), "answers.1", "1 to 7"),
        (
            lambda r: r["item"][0]["answer"][0]["valueCoding"].update(system="http://x"),
            "item.0.answer",
            "system",
        ),
        (lambda r: r["item"].pop(), "answers.11", "missing"),
    ],
)
def test_bad_responses_are_refused(
    episode: Episode, record: Callable[..., Assessment], change: Callable, path: str, words: str
) -> None:
    exported = fhir.to_questionnaire_response(record(episode, "dialog", dialog(), on=days_ago(3)))
    change(exported)
    with pytest.raises(services.Refused) as refused:
        read = fhir.from_questionnaire_response(exported, episode=episode)
        services.check_answers(read.measure, read.answers, draft=read.draft)
    assert any(
        words in message
        for key, messages in refused.value.errors.items()
        for message in messages
        if key.startswith(path)
    ), refused.value.errors


def test_draft_exports_as_in_progress(episode: Episode, record: Callable[..., Assessment]) -> None:
    draft = record(episode, "honos", {"1": 2}, draft=True)
    exported = fhir.to_questionnaire_response(draft)
    assert exported["status"] == "in-progress" and len(exported["item"]) == 1
    assert fhir.from_questionnaire_response(exported, episode=episode).draft


def test_honos_problem_type_travels_as_a_nested_coded_item(
    episode: Episode, record: Callable[..., Assessment]
) -> None:
    exported = fhir.to_questionnaire_response(record(episode, "honos", honos(1, **{"8.type": "G"})))
    (item8,) = [item for item in exported["item"] if item["linkId"] == "8"]
    (child,) = item8["answer"][0]["item"]
    assert child["linkId"] == "8.type" and child["text"] == "Problem type"
    assert child["answer"][0]["valueCoding"] == {
        "system": "https://thrive.example.org/fhir/CodeSystem/honos-problem-type",
        "code": "G",
        "display": "Eating",
    }
    assert not any("item" in item["answer"][0] for item in exported["item"] if item["linkId"] != "8")
    without = fhir.to_questionnaire_response(record(episode, "honos", honos(1), timepoint="session"))
    assert not any("item" in item["answer"][0] for item in without["item"])
    # Nested under the item rather than its answer is read too.
    item8["item"] = item8["answer"][0].pop("item")
    assert fhir.from_questionnaire_response(exported, episode=episode).answers["8.type"] == "G"


def _problem_type(response: dict[str, Any]) -> dict[str, Any]:
    (item8,) = [item for item in response["item"] if item["linkId"] == "8"]
    return item8["answer"][0]["item"][0]


@pytest.mark.parametrize(
    ("change", "path", "words"),
    [
        (
            lambda r: _problem_type(r)["answer"][0]["valueCoding"].update(code="K"),
            "answers.8.type",
            "'K' is not a valid problem type; the problem types are A (phobic)",
        ),
        (
            lambda r: _problem_type(r)["answer"][0]["valueCoding"].update(system="http://x"),
            "item.7.answer.0.item.0.answer",
            "code system should be https://thrive.example.org/fhir/CodeSystem/honos-problem-type",
        ),
        (
            lambda r: _problem_type(r).update(answer=[]),
            "item.7.answer.0.item.0.answer",
            "exactly one answer",
        ),
        (
            lambda r: r["item"][7]["answer"][0]["valueCoding"].update(code="0"),
            "answers.8.type",
            "rated 0 (no problem), so it has no problem type",
        ),
    ],
)
def test_bad_problem_types_are_refused(
    episode: Episode, record: Callable[..., Assessment], change: Callable, path: str, words: str
) -> None:
    exported = fhir.to_questionnaire_response(record(episode, "honos", honos(2, **{"8.type": "A"})))
    change(exported)
    before = Assessment.objects.count()
    with pytest.raises(services.Refused) as refused:
        read = fhir.from_questionnaire_response(exported, episode=episode)
        services.check_answers(read.measure, read.answers, draft=read.draft)
    assert any(words in message for message in refused.value.errors.get(path, [])), refused.value.errors
    assert Assessment.objects.count() == before
