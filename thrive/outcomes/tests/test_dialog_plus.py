"""DIALOG+ sessions: ratings beside last time's with the change, up to three domains suggested from low
ratings, help requests and worsening, the four steps, actions with who/what/when, reviewed next time."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from thrive.accounts.testing import Personas
from thrive.outcomes import dialog_plus
from thrive.outcomes.codes import ActionReview
from thrive.outcomes.models import Assessment, DialogPlusAction, DialogPlusSession, Episode
from thrive.outcomes.services import Refused
from thrive.outcomes.tests.conftest import days_ago, dialog

pytestmark = pytest.mark.django_db


def _rate(session: DialogPlusSession, by: Any, answers: dict[str, Any]) -> Assessment:
    return dialog_plus.rate(
        by=by,
        session=session,
        mode="clinician",
        timepoint="session",
        assessed_on=timezone.localdate(),
        answers=answers,
    )


def test_comparison_and_suggestions(
    personas: Personas, episode: Episode, record: Callable[..., Assessment]
) -> None:
    record(episode, "dialog", dialog(5), on=days_ago(60), timepoint="start")
    session = dialog_plus.start_session(by=personas.clinician, episode=episode)
    _rate(session, personas.clinician, dialog(5, **{"1": 3, "6": 4}, help=[9]))
    rows = {row.number: row for row in dialog_plus.compare(session)}
    assert (rows[1].previous, rows[1].current, rows[1].change) == (5, 3, -2)
    assert rows[1].reasons == ["low rating", "worse than last time"]
    assert rows[6].reasons == ["worse than last time"] and rows[9].reasons == ["more help wanted"]
    assert not rows[2].suggested


def test_up_to_three_domains_and_actions_reviewed_next_time(personas: Personas, episode: Episode) -> None:
    clinician = personas.clinician
    first = dialog_plus.start_session(by=clinician, episode=episode)
    with pytest.raises(Refused, match="Record the ratings"):
        dialog_plus.choose_domains(by=clinician, session=first, items=[1])
    _rate(first, clinician, dialog(3))
    with pytest.raises(Refused, match="up to 3"):
        dialog_plus.choose_domains(by=clinician, session=first, items=[1, 2, 3, 4])
    domains = dialog_plus.choose_domains(by=clinician, session=first, items=[3, 1])
    assert [d.item for d in domains] == [3, 1]
    dialog_plus.record_steps(by=clinician, domain=domains[0], notes={"understanding": "Lost job in March"})
    with pytest.raises(Refused) as refused:
        dialog_plus.add_action(by=clinician, domain=domains[0], who="other", what="", due_on=days_ago(1))
    assert set(refused.value.errors) == {"who_detail", "what", "due_on"}
    action = dialog_plus.add_action(
        by=clinician,
        domain=domains[0],
        who="patient",
        what="Call the job centre",
        due_on=timezone.localdate() + datetime.timedelta(days=14),
    )
    with pytest.raises(Refused, match="cannot be dropped"):
        dialog_plus.choose_domains(by=clinician, session=first, items=[1])
    dialog_plus.finish(by=clinician, session=first)
    DialogPlusSession.objects.filter(pk=first.pk).update(
        started_at=timezone.now() - datetime.timedelta(days=30)
    )

    second = dialog_plus.start_session(by=clinician, episode=episode)
    assert dialog_plus.actions_to_review(second) == [action]
    dialog_plus.review_actions(by=clinician, session=second, reviews={action.pk: ActionReview.PARTLY})
    action.refresh_from_db()
    assert (action.review, action.reviewed_in) == (ActionReview.PARTLY, second)
    assert dialog_plus.actions_to_review(second) == [action]  # still shown in the session that reviewed it
    third = dialog_plus.start_session(by=clinician, episode=episode)
    assert dialog_plus.actions_to_review(third) == []
    assert DialogPlusAction.objects.get().what == "Call the job centre"


def test_session_pages(client_for: Callable[..., Client], personas: Personas, episode: Episode) -> None:
    client = client_for(personas.clinician)
    response = client.post(reverse("outcomes:session-new", args=[episode.pk]))
    session = DialogPlusSession.objects.get()
    assert response["Location"] == reverse("outcomes:session", args=[session.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Hand the tablet to the patient" in page and "Enter the ratings yourself" in page
    capture = reverse("outcomes:capture", args=[episode.pk, "dialog"]) + f"?session={session.pk}"
    answers = {f"item_{n}": "2" if n == 5 else "5" for n in range(1, 12)}
    done = client.post(
        capture,
        {
            "assessed_on": days_ago(0).isoformat(),
            "timepoint": "start",
            "mode": "clinician",
            **answers,
            "help_5": "on",
        },
    )
    assert done["Location"] == reverse("outcomes:session", args=[session.pk])
    page = client.get(done["Location"]).content.decode()
    assert "low rating, more help wanted" in page
    too_many = client.post(
        reverse("outcomes:session-domains", args=[session.pk]), {"items": ["1", "2", "3", "5"]}
    )
    assert too_many.status_code == 400 and "Choose up to 3 domains" in too_many.content.decode()
    client.post(reverse("outcomes:session-domains", args=[session.pk]), {"items": ["5"]})
    domain_url = reverse("outcomes:session-domain", args=[session.pk, 5])
    client.post(
        domain_url,
        {
            "form": "steps",
            "understanding": "Nothing to do at weekends",
            "looking_forward": "",
            "exploring_options": "",
        },
    )
    client.post(
        domain_url,
        {
            "form": "action",
            "what": "Visit the library on Saturday",
            "who": "patient",
            "who_detail": "",
            "due_on": (timezone.localdate() + datetime.timedelta(days=7)).isoformat(),
        },
    )
    html = client.get(domain_url).content.decode()
    assert "Nothing to do at weekends" in html and "Visit the library on Saturday" in html
    finished = client.post(reverse("outcomes:session-finish", args=[session.pk]))
    assert finished.status_code == 302
    session.refresh_from_db()
    assert session.completed_at is not None and session.assessment is not None
