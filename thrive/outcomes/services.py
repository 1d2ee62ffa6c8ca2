"""Every change to patients, episodes and assessments, one function per action: keyword-only arguments,
one transaction, an audit entry, and side effects (notifications) only through the outbox, which commits with
them.

Each refuses bad input with `Refused`, whose `errors` map a field path to plain-language messages, and saves
nothing: the web forms, the API and the FHIR import all show those messages as they are.
"""

from __future__ import annotations

import datetime
import re
import secrets
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from thrive.accounts.models import Organisation, Team, User
from thrive.core import audit
from thrive.core.crypto import DataSubject, nhs_number_index
from thrive.geography.models import Area, AreaLevel
from thrive.geography.place import lookup_postcode
from thrive.outcomes import config, summary
from thrive.outcomes.codes import EndReason, Ethnicity, Mode, Sex, Source, Status, Timepoint
from thrive.outcomes.measures import MeasureValidationError, UnknownMeasureError
from thrive.outcomes.measures import get as get_measure
from thrive.outcomes.models import Amendment, Assessment, Episode, Patient, PlaceSource
from thrive.surveillance.validation import clean_nhs_number, nhs_number_problem

LOCAL_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,19}$")
EARLIEST_BIRTH_YEAR = 1900
REASON_MAX = 2000
ONE_OF_A_KIND = (Timepoint.START, Timepoint.END)  # an episode has one start and one end per measure


class Refused(ValueError):
    """Input that cannot be saved; `errors` maps a field path to plain messages."""

    def __init__(self, errors: Mapping[str, list[str]]) -> None:
        self.errors = {key: list(messages) for key, messages in errors.items()}
        super().__init__(" ".join(message for messages in self.errors.values() for message in messages))


def _refuse(field: str, message: str) -> Refused:
    return Refused({field: [message]})


# Patients.


def _place(postcode: str, borough_code: str) -> tuple[PlaceSource, Area | None, Area | None, int | None]:
    """The postcode's areas (the postcode itself goes no further), else the borough given, else not known."""
    if postcode.strip():
        result = lookup_postcode(postcode)
        if result.place is None:
            raise _refuse(
                "postcode",
                f"{result.message} Leave the postcode empty and choose the borough if it cannot be found.",
            )
        place = result.place
        decile = place.lsoa11.imd_decile if place.lsoa11 is not None else None
        return PlaceSource.POSTCODE, place.lsoa11, place.borough, decile
    if borough_code.strip():
        borough = Area.objects.filter(level=AreaLevel.BOROUGH, code=borough_code.strip().upper()).first()
        if borough is None:
            raise _refuse("borough", f"There is no borough with the code {borough_code.strip().upper()}.")
        return PlaceSource.BOROUGH, None, borough, None
    return PlaceSource.NOT_KNOWN, None, None, None


def _check_birth(year: int, month: int, today: datetime.date) -> None:
    if not EARLIEST_BIRTH_YEAR <= year <= today.year:
        raise _refuse("birth_year", f"Enter a year of birth from {EARLIEST_BIRTH_YEAR} to {today.year}.")
    if not 1 <= month <= 12:
        raise _refuse("birth_month", "Enter a month of birth from 1 to 12.")
    if (year, month) > (today.year, today.month):
        raise _refuse("birth_month", "The month of birth cannot be in the future.")


def _new_local_id(organisation: Organisation) -> str:
    while True:
        candidate = f"P{secrets.randbelow(10**7):07d}"
        if not Patient.objects.filter(organisation=organisation, local_id=candidate).exists():
            return candidate


def register_patient(
    *,
    by: User | None,
    organisation: Organisation,
    birth_year: int,
    birth_month: int,
    sex: str,
    ethnicity: str,
    local_id: str = "",
    nhs_number: str = "",
    postcode: str = "",
    borough_code: str = "",
) -> Patient:
    """A new pseudonymous patient of a trust. The postcode only places them (LSOA, borough, deprivation)."""
    _check_birth(birth_year, birth_month, timezone.localdate())
    if sex not in Sex.values:
        raise _refuse("sex", f"Sex must be one of {', '.join(Sex.values)}.")
    if ethnicity not in Ethnicity.values:
        raise _refuse("ethnicity", "Choose an ethnic category from the NHS Data Dictionary list.")
    local_id = local_id.strip()
    if local_id and not LOCAL_ID.match(local_id):
        raise _refuse("local_id", "A local identifier is up to 20 letters, digits and dashes.")
    digits = clean_nhs_number(nhs_number)
    if digits and (problem := nhs_number_problem(digits)):
        raise _refuse("nhs_number", problem)
    index = nhs_number_index(digits) if digits else ""
    source, lsoa11, borough, decile = _place(postcode, borough_code)
    with transaction.atomic():
        if local_id and Patient.objects.filter(organisation=organisation, local_id=local_id).exists():
            raise _refuse(
                "local_id", f"{organisation.name} already has a patient with the identifier {local_id}."
            )
        if index and Patient.objects.filter(organisation=organisation, nhs_number_index=index).exists():
            raise _refuse("nhs_number", "A patient with this NHS number is already registered in this trust.")
        patient = Patient(
            subject=DataSubject.objects.create_subject(),
            organisation=organisation,
            local_id=local_id or _new_local_id(organisation),
            nhs_number=digits,
            nhs_number_index=index,
            birth_year=birth_year,
            birth_month=birth_month,
            sex=sex,
            ethnicity=ethnicity,
            lsoa11=lsoa11,
            borough=borough,
            imd_decile=decile,
            place_source=source,
            created_by=by,
        )
        patient.save()
        audit.record(
            action=audit.Action.CREATE,
            obj=patient,
            user=by,
            organisation=organisation,
            summary=f"registered patient {patient.local_id} (place: {source})",
        )
    return patient


# Episodes.


def open_episode(*, by: User | None, patient: Patient, team: Team, start: datetime.date) -> Episode:
    if team.organisation_id != patient.organisation_id:
        raise _refuse("team", "The team must belong to the patient's trust.")
    if start > timezone.localdate():
        raise _refuse("start", "The episode cannot start in the future.")
    with transaction.atomic():
        if Episode.objects.filter(patient=patient, team=team, end__isnull=True).exists():
            raise _refuse("team", f"{patient.local_id} already has an open episode with {team.name}.")
        episode = Episode.objects.create(patient=patient, team=team, start=start, created_by=by)
        audit.record(
            action=audit.Action.CREATE,
            obj=episode,
            user=by,
            organisation=team.organisation,
            summary=f"episode of {patient.local_id} with {team.name} from {start}",
        )
    return episode


def end_episode(*, by: User | None, episode: Episode, end: datetime.date, reason: str) -> Episode:
    if episode.end is not None:
        raise _refuse("end", f"This episode already ended on {episode.end:%-d %B %Y}.")
    if end < episode.start:
        raise _refuse("end", f"The end cannot be before the episode started on {episode.start:%-d %B %Y}.")
    if end > timezone.localdate():
        raise _refuse("end", "The end cannot be in the future.")
    if reason not in EndReason.values:
        raise _refuse("end_reason", "Choose why the episode ended.")
    with transaction.atomic():
        episode.end, episode.end_reason = end, reason
        episode.save(update_fields=["end", "end_reason"])
        summary.refresh_episode(episode)
        audit.record(
            action=audit.Action.UPDATE,
            obj=episode,
            user=by,
            organisation=episode.team.organisation,
            summary=f"episode ended on {end} ({reason})",
        )
    return episode


# Assessments.


def check_answers(measure_key: str, answers: Mapping[str, Any], *, draft: bool) -> dict[str, Any] | None:
    """The scores of answers given as {"1": 5, ..., "help": [3]} (None for a draft). Out-of-range answers are
    refused even in a draft; a draft may leave items out."""
    try:
        measure = get_measure(measure_key)
    except UnknownMeasureError as error:
        raise _refuse("measure", str(error)) from None
    try:
        return dict(measure.score(answers))
    except MeasureValidationError as error:
        given = {str(key) for key in answers}
        problems = {key: messages for key, messages in error.errors.items() if not draft or key in given}
        if problems:
            raise Refused({f"answers.{key}": messages for key, messages in problems.items()}) from None
    return None


def stored_answers(answers: Mapping[str, Any]) -> dict[str, Any]:
    """Item numbers as strings with whole-number values, details by their linkId with their code in capitals
    ("8.type": "B"), and help requests as a sorted list (answers that `check_answers` has passed)."""
    stored: dict[str, Any] = {}
    for key, value in answers.items():
        if str(key) == "help" or value is None or str(value).strip() == "":
            continue
        if str(key).strip().isdigit():
            stored[str(int(key))] = int(value)
        else:
            stored[str(key)] = str(value).strip().upper()
    if answers.get("help"):
        stored["help"] = sorted({int(number) for number in answers["help"]})
    return stored


def _check_date(episode: Episode, assessed_on: datetime.date) -> None:
    if assessed_on < episode.start:
        raise _refuse(
            "assessed_on",
            f"The assessment date ({assessed_on:%-d %B %Y}) is before the episode started on "
            f"{episode.start:%-d %B %Y}.",
        )
    if assessed_on > timezone.localdate():
        raise _refuse("assessed_on", "The assessment date cannot be in the future.")


def timepoint_taken(episode: Episode, measure: str, timepoint: str, *, exclude: int | None = None) -> bool:
    """Whether the episode already has this measure completed at its start (or end), which happen once."""
    if timepoint not in ONE_OF_A_KIND:
        return False
    return (
        Assessment.objects.filter(
            episode=episode, measure=measure, timepoint=timepoint, status=Status.COMPLETED
        )
        .exclude(pk=-1 if exclude is None else exclude)
        .exists()
    )


def _check_timepoint(episode: Episode, measure: str, timepoint: str, *, exclude: int | None) -> None:
    if timepoint not in Timepoint.values:
        raise _refuse("timepoint", f"The timepoint must be one of {', '.join(Timepoint.values)}.")
    if timepoint_taken(episode, measure, timepoint, exclude=exclude):
        label = Timepoint(timepoint).label.lower()
        raise _refuse(
            "timepoint", f"This episode already has a completed {measure} for the {label}: amend that one."
        )


def headline_score(measure: str, scores: Mapping[str, Any] | None) -> float | None:
    """The score followed over an episode; None when it is not valid (an incomplete HoNOS total)."""
    if scores is None or scores.get("complete") is False:
        return None
    value = scores.get(config.HEADLINE_SCORE.get(measure, "total"))
    return float(value) if isinstance(value, int | float) else None


def record_assessment(
    *,
    by: User | None,
    episode: Episode,
    measure: str,
    timepoint: str,
    mode: str,
    assessed_on: datetime.date,
    answers: Mapping[str, Any],
    draft: bool = False,
    source: str = Source.WEB,
    assessment: Assessment | None = None,
) -> Assessment:
    """Record answers as a draft or a completed assessment (continuing `assessment`, a draft, if given)."""
    if mode not in Mode.values:
        raise _refuse("mode", f"The mode must be one of {', '.join(Mode.values)}.")
    if assessment is not None and assessment.status != Status.DRAFT:
        raise _refuse("status", "A completed assessment changes only by an amendment, with a reason.")
    scores = check_answers(measure, answers, draft=draft)
    _check_date(episode, assessed_on)
    with transaction.atomic():
        if not draft:
            _check_timepoint(episode, measure, timepoint, exclude=assessment.pk if assessment else None)
        now = timezone.now()
        record = assessment or Assessment(
            episode=episode,
            patient=episode.patient,
            measure=measure,
            organisation=episode.team.organisation,
            recorded_by=by,
            source=source,
            created_at=now,
        )
        record.timepoint, record.mode, record.assessed_on = timepoint, mode, assessed_on
        record.answers = stored_answers(answers)
        record.status = Status.DRAFT if draft else Status.COMPLETED
        record.scores = None if draft else scores
        record.score = None if draft else headline_score(measure, scores)
        record.completed_at = None if draft else now
        record.updated_at = now
        record.save()
        if not draft:
            summary.refresh(episode, measure)
        audit.record(
            action=audit.Action.UPDATE if assessment else audit.Action.CREATE,
            obj=record,
            user=by,
            organisation=episode.team.organisation,
            summary=f"{measure} {timepoint} {record.status} ({mode}, {source}), {episode.patient.local_id}",
        )
    return record


def amend_assessment(
    *,
    by: User | None,
    assessment: Assessment,
    answers: Mapping[str, Any],
    assessed_on: datetime.date,
    timepoint: str,
    reason: str,
) -> Assessment:
    """Change a completed assessment; what it said before is kept with the reason."""
    if assessment.status != Status.COMPLETED:
        raise _refuse("status", "Only a completed assessment is amended; a draft is simply edited.")
    reason = reason.strip()
    if not reason:
        raise _refuse("reason", "Say why the assessment is being amended.")
    if len(reason) > REASON_MAX:
        raise _refuse("reason", f"Keep the reason under {REASON_MAX} characters.")
    scores = check_answers(assessment.measure, answers, draft=False)
    episode = assessment.episode
    _check_date(episode, assessed_on)
    new_answers = stored_answers(answers)
    changed = sorted(
        (
            key
            for key in set(new_answers) | set(assessment.answers)
            if new_answers.get(key) != assessment.answers.get(key)
        ),
        key=lambda key: (not key.isdigit(), int(key) if key.isdigit() else 0),
    )
    with transaction.atomic():
        _check_timepoint(episode, assessment.measure, timepoint, exclude=assessment.pk)
        Amendment.objects.create(
            assessment=assessment,
            subject_id=assessment.patient.subject_id,
            previous_answers=assessment.answers,
            previous_scores=assessment.scores,
            previous_assessed_on=assessment.assessed_on,
            previous_timepoint=assessment.timepoint,
            reason=reason,
            amended_by=by,
        )
        assessment.answers, assessment.scores = new_answers, scores
        assessment.score = headline_score(assessment.measure, scores)
        assessment.assessed_on, assessment.timepoint = assessed_on, timepoint
        assessment.updated_at = timezone.now()
        assessment.save()
        summary.refresh(episode, assessment.measure)
        audit.record(
            action=audit.Action.UPDATE,
            obj=assessment,
            user=by,
            organisation=episode.team.organisation,
            reason="amendment of a completed assessment (the reason is kept, encrypted, with the amendment)",
            summary=f"amended {assessment.measure} for {episode.patient.local_id}: "
            f"changed {', '.join(changed) or 'date or timepoint only'}",
        )
    return assessment


def admit(
    *, by: User | None, organisation: Organisation, team: Team, start: datetime.date, **patient: Any
) -> Episode:
    """Register a new patient and open their first episode, together or not at all."""
    with transaction.atomic():
        registered = register_patient(by=by, organisation=organisation, **patient)
        return open_episode(by=by, patient=registered, team=team, start=start)
