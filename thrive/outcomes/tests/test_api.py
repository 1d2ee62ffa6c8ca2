"""`/api/v1/outcomes/`: trust systems post patients, episodes and assessments (JSON or FHIR) with idempotency
keys; errors as dotted paths; a key reaches only its own trust's records."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from thrive.accounts.apikeys import create_api_key
from thrive.accounts.models import Organisation, Team
from thrive.outcomes.models import Assessment, Episode
from thrive.outcomes.tests.conftest import OTHER_TRUST, days_ago, dialog, honos, new_key

pytestmark = pytest.mark.django_db
BASE = "/api/v1/outcomes"


def _assessment(episode: Episode, **overrides: Any) -> dict[str, Any]:
    return {
        "episode": episode.pk,
        "measure": "honos",
        "timepoint": "start",
        "mode": "clinician",
        "assessed_on": days_ago(5).isoformat(),
        "answers": honos(2),
        **overrides,
    }


def test_register_open_and_record_with_idempotency(api: Callable[..., Any], team: Team) -> None:
    status, patient = api(
        "POST",
        f"{BASE}/patients/",
        {
            "local_id": "EPR-1",
            "birth_year": 1979,
            "birth_month": 2,
            "sex": "male",
            "ethnicity": "K",
            "borough_code": "E09000030",
        },
    )
    assert status == 201 and patient["local_id"] == "EPR-1" and patient["borough"] == "E09000030"
    status, episode = api(
        "POST",
        f"{BASE}/episodes/",
        {"patient": "EPR-1", "team": team.name, "start": days_ago(30).isoformat()},
    )
    assert status == 201 and episode["team"]["id"] == team.pk
    key = new_key()
    body = {
        "episode": episode["id"],
        "measure": "dialog",
        "timepoint": "start",
        "mode": "tablet",
        "assessed_on": days_ago(2).isoformat(),
        "answers": dialog(5, help=[2]),
    }
    status, first = api("POST", f"{BASE}/assessments/", body, idempotency_key=key)
    assert status == 201 and first["scores"]["sqol"] == 5.0 and first["answers"]["help"] == [2]
    status, replay = api("POST", f"{BASE}/assessments/", body, idempotency_key=key)
    assert (status, replay) == (201, first)
    status, conflict = api("POST", f"{BASE}/assessments/", {**body, "mode": "paper"}, idempotency_key=key)
    assert status == 409 and "Idempotency-Key" in conflict["errors"]
    assert Assessment.objects.count() == 1
    assert Assessment.objects.get().source == "api"
    status, listed = api("GET", f"{BASE}/assessments/?patient=EPR-1")
    assert status == 200 and listed["count"] == 1 and listed["results"][0]["id"] == first["id"]
    status, detail = api("GET", f"{BASE}/assessments/{first['id']}/")
    assert status == 200 and detail["measure"] == "dialog"


@pytest.mark.parametrize(
    ("overrides", "path", "words"),
    [
        ({"answers": honos(2, **{"3": 5})}, "answers.3", "0 to 4, or 9"),
        ({"answers": dialog(0)}, "answers.1", "1 to 7"),
        ({"measure": "nope"}, "measure", "is not a measure"),
        ({"assessed_on": "2001-01-01"}, "assessed_on", "before the episode started"),
        ({"timepoint": "later"}, "timepoint", "not a timepoint"),
        ({"answers": honos(2, **{"8.type": "K"})}, "answers.8.type", "'K' is not a valid problem type"),
        ({"answers": honos(0, **{"8.type": "B"})}, "answers.8.type", "so it has no problem type"),
    ],
)
def test_bad_assessments_get_dotted_errors(
    api: Callable[..., Any], episode: Episode, overrides: dict[str, Any], path: str, words: str
) -> None:
    body = _assessment(episode, **overrides)
    if overrides.get("answers") == dialog(0):
        body["measure"] = "dialog"
    status, answer = api("POST", f"{BASE}/assessments/", body, idempotency_key=new_key())
    assert status == 400 and any(words in message for message in answer["errors"][path]), answer
    assert not Assessment.objects.exists()


def test_fhir_import_and_export(
    api: Callable[..., Any], episode: Episode, record: Callable[..., Assessment]
) -> None:
    done = record(episode, "honos", honos(3, **{"8.type": "d"}), on=days_ago(40), timepoint="start")
    assert done.answers["8.type"] == "D"
    status, exported = api("GET", f"{BASE}/assessments/{done.public_id}/fhir/")
    assert status == 200 and exported["resourceType"] == "QuestionnaireResponse"
    exported["extension"][0]["valueCode"] = "review"
    exported["authored"] = days_ago(1).isoformat()
    status, imported = api(
        "POST", f"{BASE}/questionnaire-responses/?episode={episode.pk}", exported, idempotency_key=new_key()
    )
    assert status == 201 and imported["timepoint"] == "review" and imported["source"] == "fhir"
    assert imported["answers"] == done.answers
    status, answer = api("POST", f"{BASE}/questionnaire-responses/?episode=999999", exported)
    assert status == 400 and "episode" in answer["errors"]
    status, questionnaire = api("GET", f"{BASE}/questionnaires/dialog/")
    assert status == 200 and questionnaire["resourceType"] == "Questionnaire"


def test_keys_reach_only_their_trust(
    api: Callable[..., Any],
    episode: Episode,
    record: Callable[..., Assessment],
    admit: Callable[..., Episode],
    other_team: Team,
) -> None:
    theirs = admit(other_team, local_id="NC-1")
    mine = record(episode, "dialog", dialog(), on=days_ago(2))
    status, listed = api("GET", f"{BASE}/episodes/")
    assert status == 200 and [e["patient"] for e in listed["results"]] == ["TH-0001"]
    status, _ = api("POST", f"{BASE}/assessments/", _assessment(theirs))
    assert status == 400
    _, other_key = create_api_key(
        organisation=Organisation.objects.get(slug=OTHER_TRUST), name="other", scopes=["outcomes:read"]
    )
    assert api("GET", f"{BASE}/assessments/{mine.public_id}/", token=other_key)[0] == 404
    assert api("GET", f"{BASE}/episodes/{episode.pk}/", token=other_key)[0] == 404
    assert api("POST", f"{BASE}/patients/", {}, token=other_key)[0] == 403
    assert api("GET", f"{BASE}/patients/", token="wrong")[0] == 401


def test_end_an_episode(api: Callable[..., Any], episode: Episode) -> None:
    status, answer = api(
        "PATCH",
        f"{BASE}/episodes/{episode.pk}/",
        {"end": days_ago(0).isoformat(), "end_reason": "moved_away"},
    )
    assert status == 200 and answer["end_reason"] == "moved_away"
    status, answer = api(
        "PATCH",
        f"{BASE}/episodes/{episode.pk}/",
        {"end": days_ago(0).isoformat(), "end_reason": "moved_away"},
    )
    assert status == 400 and "already ended" in answer["errors"]["end"][0]
