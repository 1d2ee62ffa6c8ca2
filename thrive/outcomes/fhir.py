"""FHIR R4 QuestionnaireResponse export and import (structured data capture; reference/measures.md).

One item per DIALOG domain or HoNOS scale, `linkId` the item number, the answer as the Questionnaire's own
answerOption coding; DIALOG's "Do you want more help in this area?" is a nested boolean item under the answer,
and HoNOS item 8's problem type a nested choice item (`8.type`, coded A to J) under it, when recorded.
The patient is named by the trust's pseudonymous local identifier only. Timepoint and mode travel as Thrive
extensions. fhir.resources (R4B models) validates the structure; the measure validates codes and ranges, so a
response is held to the same rules as a form.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from pydantic import ValidationError

from thrive.outcomes.codes import Mode, Status, Timepoint
from thrive.outcomes.measures import get as get_measure
from thrive.outcomes.measures import measures
from thrive.outcomes.models import Assessment, Episode
from thrive.outcomes.services import Refused

BASE = "https://thrive.example.org/fhir"
TIMEPOINT_URL = f"{BASE}/StructureDefinition/outcome-timepoint"
MODE_URL = f"{BASE}/StructureDefinition/collection-mode"
ASSESSMENT_SYSTEM = f"{BASE}/sid/assessment"
HELP_SUFFIX = ".help"


def patient_system(organisation_slug: str) -> str:
    """Local identifiers are unique within a trust, so each trust has its own identifier system."""
    return f"{BASE}/sid/local-patient-id/{organisation_slug}"


def _codings(measure_key: str) -> dict[str, dict[str, dict[str, str]]]:
    """linkId -> answer code -> the answerOption's coding, from the Questionnaire definition (nested choice
    items, such as HoNOS's "8.type", included)."""
    found: dict[str, dict[str, dict[str, str]]] = {}
    entries = list(get_measure(measure_key).questionnaire()["item"])
    while entries:
        entry = entries.pop(0)
        if entry["type"] == "choice":
            found[entry["linkId"]] = {
                option["valueCoding"]["code"]: option["valueCoding"] for option in entry["answerOption"]
            }
        entries += entry.get("item", [])
    return found


def to_questionnaire_response(assessment: Assessment) -> dict[str, Any]:
    measure = get_measure(assessment.measure)
    definition = measure.questionnaire()
    codings = _codings(assessment.measure)
    helped = set(assessment.answers.get("help", []))
    items = []
    for item in measure.items:
        value = assessment.answers.get(str(item.number))
        if value is None:
            continue
        answer: dict[str, Any] = {"valueCoding": dict(codings[str(item.number)][str(value)])}
        children: list[dict[str, Any]] = []
        if item.asks_for_help:
            children.append(
                {"linkId": f"{item.number}{HELP_SUFFIX}", "answer": [{"valueBoolean": item.number in helped}]}
            )
        if item.detail is not None and (code := assessment.answers.get(item.detail.link_id)):
            children.append(
                {
                    "linkId": item.detail.link_id,
                    "text": item.detail.title,
                    "answer": [{"valueCoding": dict(codings[item.detail.link_id][str(code)])}],
                }
            )
        if children:
            answer["item"] = children
        items.append({"linkId": str(item.number), "text": item.title, "answer": [answer]})
    if assessment.status == Status.DRAFT:
        status = "in-progress"
    else:
        status = "amended" if assessment.amendments.exists() else "completed"
    return {
        "resourceType": "QuestionnaireResponse",
        "id": str(assessment.public_id),
        "identifier": {"system": ASSESSMENT_SYSTEM, "value": str(assessment.public_id)},
        "extension": [
            {"url": TIMEPOINT_URL, "valueCode": assessment.timepoint},
            {"url": MODE_URL, "valueCode": assessment.mode},
        ],
        "questionnaire": f"{definition['url']}|{definition['version']}",
        "status": status,
        "subject": {
            "identifier": {
                "system": patient_system(assessment.episode.team.organisation.slug),
                "value": assessment.patient.local_id,
            }
        },
        "authored": assessment.assessed_on.isoformat(),
        "item": items,
    }


@dataclass(frozen=True)
class ImportedResponse:
    measure: str
    answers: dict[str, Any]
    assessed_on: datetime.date
    timepoint: str | None
    mode: str
    draft: bool


def _validate_structure(data: Any) -> None:
    if not isinstance(data, dict) or data.get("resourceType") != "QuestionnaireResponse":
        raise Refused({"resourceType": ["Send one FHIR R4 QuestionnaireResponse resource as JSON."]})
    try:
        QuestionnaireResponse.model_validate(data)
    except ValidationError as error:
        problems: dict[str, list[str]] = {}
        for entry in error.errors()[:10]:
            path = ".".join(str(part) for part in entry["loc"] if part != "__root__") or "body"
            problems.setdefault(path, []).append(f"Not valid FHIR: {entry['msg']}")
        raise Refused(problems) from None


def _measure_for(canonical: Any) -> str:
    url = str(canonical or "").split("|")[0]
    for measure in measures():
        if measure.questionnaire()["url"] == url:
            return measure.key
    raise Refused({"questionnaire": [f"{url or 'No questionnaire'} is not one of Thrive's questionnaires."]})


def _extension(data: dict[str, Any], url: str) -> str | None:
    values = [ext.get("valueCode") for ext in data.get("extension", []) if ext.get("url") == url]
    return str(values[0]) if values and values[0] else None


def _check_subject(data: dict[str, Any], episode: Episode) -> None:
    identifier = (data.get("subject") or {}).get("identifier") or {}
    expected = patient_system(episode.team.organisation.slug)
    if not identifier:
        raise Refused({"subject": ["Name the patient by their local identifier (subject.identifier)."]})
    if identifier.get("system") != expected or identifier.get("value") != episode.patient.local_id:
        raise Refused({"subject": ["This response is for a different patient than the episode's."]})


def _answer_value(entry: dict[str, Any], codings: dict[str, dict[str, str]], path: str) -> object:
    answers = entry.get("answer") or []
    if len(answers) != 1:
        raise Refused({path: ["Give exactly one answer to each item."]})
    answer = answers[0]
    if "valueCoding" in answer:
        coding = answer["valueCoding"]
        code = str(coding.get("code", ""))
        known = codings.get(code)
        if known is not None and coding.get("system") not in (None, known.get("system")):
            raise Refused({path: [f"The answer's code system should be {known.get('system')}."]})
        return code
    if "valueInteger" in answer:
        return answer["valueInteger"]
    raise Refused({path: ["Answer with a valueCoding from the Questionnaire (or a valueInteger)."]})


def _children(entry: dict[str, Any], path: str) -> list[tuple[dict[str, Any], str]]:
    """An item's nested items, under its answer (as FHIR puts a question's children) or, leniently, under the
    item itself, each with its path for error messages."""
    found = [(child, f"{path}.item.{n}") for n, child in enumerate(entry.get("item") or [])]
    for a, answer in enumerate(entry.get("answer") or []):
        found += [(child, f"{path}.answer.{a}.item.{n}") for n, child in enumerate(answer.get("item") or [])]
    return found


def _help_requested(entry: dict[str, Any]) -> bool:
    return any(
        child.get("linkId") == f"{entry.get('linkId')}{HELP_SUFFIX}"
        and any(a.get("valueBoolean") is True for a in child.get("answer") or [])
        for child, _ in _children(entry, "")
    )


def from_questionnaire_response(data: Any, *, episode: Episode) -> ImportedResponse:
    """Read a response for `episode`'s patient, or refuse it (with where and why) before anything is saved."""
    _validate_structure(data)
    measure = _measure_for(data.get("questionnaire"))
    _check_subject(data, episode)
    status = data.get("status")
    if status not in ("completed", "amended", "in-progress"):
        raise Refused({"status": ["Only a completed (or amended, or in-progress) response can be imported."]})
    authored = str(data.get("authored") or "")[:10]
    try:
        assessed_on = datetime.date.fromisoformat(authored)
    except ValueError:
        raise Refused({"authored": ["Give the date the questionnaire was answered (authored)."]}) from None
    codings = _codings(measure)
    details = {detail.link_id for _, detail in get_measure(measure).details}
    answers: dict[str, Any] = {}
    helped: list[int] = []
    for index, entry in enumerate(data.get("item") or []):
        link_id = str(entry.get("linkId", ""))
        if link_id in answers:
            raise Refused({f"item.{index}": [f"Item {link_id} is answered twice."]})
        answers[link_id] = _answer_value(entry, codings.get(link_id, {}), f"item.{index}.answer")
        if _help_requested(entry) and link_id.isdigit():
            helped.append(int(link_id))
        for child, path in _children(entry, f"item.{index}"):
            child_id = str(child.get("linkId", ""))
            if child_id not in details:
                continue
            if child_id in answers:
                raise Refused({path: [f"Item {child_id} is answered twice."]})
            answers[child_id] = _answer_value(child, codings.get(child_id, {}), f"{path}.answer")
    if helped:
        answers["help"] = helped
    timepoint = _extension(data, TIMEPOINT_URL)
    if timepoint is not None and timepoint not in Timepoint.values:
        raise Refused({"extension": [f"The timepoint must be one of {', '.join(Timepoint.values)}."]})
    mode = _extension(data, MODE_URL) or Mode.CLINICIAN
    if mode not in Mode.values:
        raise Refused({"extension": [f"The mode must be one of {', '.join(Mode.values)}."]})
    return ImportedResponse(measure, answers, assessed_on, timepoint, mode, draft=status == "in-progress")
