"""The clinician's pages: the worklist, registering, the patient's record with charts, tables and the change
classification naming its method, capture with clear errors, drafts, amendments and FHIR download."""

from __future__ import annotations

import json
from collections.abc import Callable
from html import unescape
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from thrive.accounts.models import Team
from thrive.accounts.testing import Personas
from thrive.outcomes.codes import Mode, Status
from thrive.outcomes.models import Assessment, Episode, Patient
from thrive.outcomes.tests.conftest import days_ago, dialog, honos

pytestmark = pytest.mark.django_db


def _form(answers: dict[str, Any], **extra: Any) -> dict[str, Any]:
    data = {f"item_{k}": v for k, v in answers.items() if k != "help"}
    data.update({f"help_{n}": "on" for n in answers.get("help", [])})
    return {
        "assessed_on": days_ago(0).isoformat(),
        "timepoint": "review",
        "mode": "clinician",
        **data,
        **extra,
    }


def test_register_a_patient_and_open_the_record(
    client_for: Callable[..., Any], personas: Personas, team: Team
) -> None:
    client = client_for(personas.clinician)
    response = client.post(
        reverse("outcomes:patient-new"),
        {
            "local_id": "TH-42",
            "nhs_number": "",
            "birth_year": "1990",
            "birth_month": "3",
            "sex": "male",
            "ethnicity": "N",
            "postcode": "",
            "borough": "E09000030",
            "team": team.pk,
            "start": days_ago(30).isoformat(),
        },
    )
    patient = Patient.objects.get(local_id="TH-42")
    assert response.status_code == 302 and response["Location"].startswith(
        reverse("outcomes:patient", args=[patient.pk])
    )
    page = client.get(reverse("outcomes:patient", args=[patient.pk]))
    assert page.status_code == 200
    assert "Patient TH-42" in page.content.decode() and "Tower Hamlets" in page.content.decode()


def test_patient_page_shows_trajectory_with_tables_and_named_methods(
    client_for: Callable[..., Any], personas: Personas, episode: Episode, record: Callable[..., Assessment]
) -> None:
    record(episode, "dialog", dialog(3), on=days_ago(150), timepoint="start")
    record(episode, "dialog", dialog(5), on=days_ago(10))
    record(episode, "honos", honos(2), on=days_ago(150), timepoint="start")
    record(episode, "honos", honos(1), on=days_ago(10))
    page = client_for(personas.clinician).get(reverse("outcomes:patient", args=[episode.patient_id]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Reliable improvement" in html
    assert "reliable change index (Jacobson-Truax" in html  # DIALOG SQOL method named
    assert "HoNOS total: reliable change of 8 points or more (Parabiaghi et al. 2005)" in html
    assert "NHS England PROMs" in html  # per-item method named beside its table
    assert html.count("<canvas") == 4 and html.count("data table") >= 4
    assert "chart.umd.js" in html and "data-chart=" in html


def test_other_teams_patients_are_not_found(
    client_for: Callable[..., Any], personas: Personas, admit: Callable[..., Episode], other_team: Team
) -> None:
    theirs = admit(other_team, local_id="NC-1")
    client = client_for(personas.clinician)
    assert client.get(reverse("outcomes:patient", args=[theirs.patient_id])).status_code == 404
    assert client.get(reverse("outcomes:capture", args=[theirs.pk, "dialog"])).status_code == 404
    assert client_for(personas.service_manager).get(reverse("outcomes:worklist")).status_code == 403


def test_capture_shows_clear_errors_and_saves_nothing(
    client_for: Callable[..., Any], personas: Personas, episode: Episode
) -> None:
    client = client_for(personas.clinician)
    url = reverse("outcomes:capture", args=[episode.pk, "honos"])
    answers = honos(1)
    answers["4"] = 5
    del answers["9"]
    response = client.post(url, _form(answers))
    html = unescape(response.content.decode())
    assert response.status_code == 400
    assert "There is a problem" in html
    assert "Item 4 (Cognitive problems): '5' is not a valid answer" in html
    assert "0 to 4, or 9 (not known)" in html
    assert "Item 9 (Problems with relationships) is missing." in html
    before = client.post(
        url, _form(honos(1), assessed_on=episode.start.replace(year=episode.start.year - 1).isoformat())
    )
    assert "before the episode started" in before.content.decode()
    assert not Assessment.objects.exists()


def test_capture_draft_then_submit(
    client_for: Callable[..., Any], personas: Personas, episode: Episode
) -> None:
    client = client_for(personas.clinician)
    response = client.post(
        reverse("outcomes:capture", args=[episode.pk, "dialog"]),
        _form({"1": "5", "2": "6"}, action="draft", mode=Mode.PAPER),
    )
    draft = Assessment.objects.get()
    assert response.status_code == 302 and draft.status == Status.DRAFT and draft.mode == Mode.PAPER
    response = client.post(
        reverse("outcomes:assessment-edit", args=[draft.public_id]), _form(dialog(5, help=[2]))
    )
    draft.refresh_from_db()
    assert response.status_code == 302 and draft.status == Status.COMPLETED and draft.answers["help"] == [2]


def test_amend_page_needs_a_reason_and_keeps_the_original(
    client_for: Callable[..., Any], personas: Personas, episode: Episode, record: Callable[..., Assessment]
) -> None:
    done = record(episode, "dialog", dialog(4), on=days_ago(5))
    client = client_for(personas.clinician)
    url = reverse("outcomes:assessment-amend", args=[done.public_id])
    missing = client.post(url, _form(dialog(5), assessed_on=days_ago(5).isoformat()))
    assert (
        missing.status_code == 400
        and "Give the reason for amending this assessment." in missing.content.decode()
    )
    client.post(url, _form(dialog(5), assessed_on=days_ago(5).isoformat(), reason="Read the wrong row"))
    page = client.get(reverse("outcomes:assessment", args=[done.public_id])).content.decode()
    assert "Read the wrong row" in page and "Amendments" in page


def test_fhir_download(
    client_for: Callable[..., Any], personas: Personas, episode: Episode, record: Callable[..., Assessment]
) -> None:
    done = record(episode, "dialog", dialog(4), on=days_ago(5))
    response = client_for(personas.clinician).get(reverse("outcomes:assessment-fhir", args=[done.public_id]))
    assert response["Content-Type"] == "application/fhir+json"
    assert json.loads(response.content)["resourceType"] == "QuestionnaireResponse"


def test_worklist_lists_due_and_overdue_in_constant_queries(
    client_for: Callable[..., Any],
    personas: Personas,
    admit: Callable[..., Episode],
    team: Team,
    record: Callable[..., Assessment],
) -> None:
    client = client_for(personas.clinician)
    url = reverse("outcomes:worklist")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    admit(team, local_id="W-1", start=days_ago(30))
    few = count()
    for n in range(2, 8):
        episode = admit(team, local_id=f"W-{n}", start=days_ago(400))
        record(episode, "dialog", dialog(), on=days_ago(390), timepoint="start")
    assert count() == few
    html = client.get(url).content.decode()
    assert "W-1" in html and "W-7" in html and "Overdue" in html


def test_search_by_nhs_number(
    client_for: Callable[..., Any], personas: Personas, admit: Callable[..., Episode], team: Team
) -> None:
    admit(team, local_id="S-1", nhs_number="9434765919")
    html = (
        client_for(personas.clinician)
        .get(reverse("outcomes:worklist"), {"q": "943 476 5919"})
        .content.decode()
    )
    assert "Patient S-1" in html


def test_capture_records_and_shows_honos_problem_type(
    client_for: Callable[..., Any], personas: Personas, episode: Episode
) -> None:
    client = client_for(personas.clinician)
    url = reverse("outcomes:capture", args=[episode.pk, "honos"])
    form_page = unescape(client.get(url).content.decode())
    assert 'name="item_8_type"' in form_page and "Problem type (optional)" in form_page
    assert '<option value="F">F – Somatoform</option>' in form_page
    assert "Not recorded when item 8 is rated 0 (no problem)." in form_page
    response = client.post(url, _form(honos(1, **{"8": 3}), item_8_type="B"))
    assert response.status_code == 302
    done = Assessment.objects.get()
    assert done.answers["8.type"] == "B" and done.answers["8"] == 3
    page = unescape(client.get(reverse("outcomes:assessment", args=[done.public_id])).content.decode())
    assert "Problem type: B – Anxiety" in page
    amend = unescape(client.get(reverse("outcomes:assessment-amend", args=[done.public_id])).content.decode())
    assert '<option value="B" selected>' in amend
    client.post(
        reverse("outcomes:assessment-amend", args=[done.public_id]),
        _form(
            honos(1, **{"8": 3}),
            item_8_type="",
            assessed_on=done.assessed_on.isoformat(),
            reason="Wrong type",
        ),
    )
    done.refresh_from_db()
    assert "8.type" not in done.answers and done.amendments.get().previous_answers["8.type"] == "B"
    page = unescape(client.get(reverse("outcomes:assessment", args=[done.public_id])).content.decode())
    assert "Problem type: not recorded" in page


@pytest.mark.parametrize(
    ("answers", "problem_type", "words"),
    [
        (honos(2), "K", "Item 8 (Other mental and behavioural problems), problem type: 'K' is not a valid"),
        (honos(2), "phobic", "the problem types are A (phobic), B (anxiety)"),
        (
            honos(0),
            "A",
            "Item 8 (Other mental and behavioural problems) is rated 0 (no problem), so it has no",
        ),
    ],
)
def test_capture_refuses_a_bad_problem_type_and_saves_nothing(
    client_for: Callable[..., Any],
    personas: Personas,
    episode: Episode,
    answers: dict[str, Any],
    problem_type: str,
    words: str,
) -> None:
    client = client_for(personas.clinician)
    url = reverse("outcomes:capture", args=[episode.pk, "honos"])
    for action in ("submit", "draft"):
        response = client.post(url, _form(answers, item_8_type=problem_type, action=action))
        html = unescape(response.content.decode())
        assert response.status_code == 400 and "There is a problem" in html
        assert words in html
        assert 'id="id_item_8_type-error"' in html  # the message sits on the problem type's field
    assert not Assessment.objects.exists()
