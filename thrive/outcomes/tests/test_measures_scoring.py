"""Each measure's scoring against its definition: hand-worked cases, then properties over valid answers."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from thrive.outcomes import measures
from thrive.outcomes.measures import CompletenessRule, MeasureValidationError, with_completeness
from thrive.outcomes.measures.registry import DEFINITIONS_DIR

DIALOG_EXAMPLE = {"1": 4, "2": 5, "3": 3, "4": 6, "5": 2, "6": 4, "7": 5, "8": 3, "9": 6, "10": 5, "11": 7}
HONOS_EXAMPLE = {
    "1": 2,
    "2": 1,
    "3": 0,
    "4": 3,
    "5": 2,
    "6": 1,
    "7": 4,
    "8": 2,
    "9": 1,
    "10": 0,
    "11": 9,
    "12": 3,
}
PHQ9_EXAMPLE = {"1": 1, "2": 2, "3": 1, "4": 0, "5": 2, "6": 1, "7": 1, "8": 0, "9": 1}
GAD7_EXAMPLE = {"1": 3, "2": 3, "3": 2, "4": 2, "5": 1, "6": 1, "7": 0}


def definition_options(key: str) -> dict[int, dict[int, int | None]]:
    """Item number -> answer value -> weight, read straight from the JSON (independently of the model)."""
    questionnaire = json.loads((DEFINITIONS_DIR / f"{key}.json").read_text())
    result: dict[int, dict[int, int | None]] = {}
    for item in questionnaire["item"]:
        if item["type"] == "display":
            continue
        result[int(item["linkId"])] = {
            int(option["valueCoding"]["code"]): next(
                (ext["valueDecimal"] for ext in option.get("extension", [])), None
            )
            for option in item["answerOption"]
        }
    return result


@st.composite
def valid_answers(draw: st.DrawFn, key: str) -> dict[str, Any]:
    options = definition_options(key)
    required = {item.number for item in measures.get(key).items if item.required}
    answers: dict[str, Any] = {}
    for number, values in options.items():
        if number in required or draw(st.booleans()):
            answers[str(number)] = draw(st.sampled_from(sorted(values)))
    return answers


# Hand-worked values (the acceptance check's cases)


def test_dialog_hand_worked() -> None:
    scores = measures.get("dialog").score({**DIALOG_EXAMPLE, "help": [5, 8]})
    assert scores == {"sqol": 4.0, "treatment_satisfaction": 6.0, "help_requested": [5, 8]}


def test_honos_hand_worked() -> None:
    scores = measures.get("honos").score(HONOS_EXAMPLE)
    assert scores == {
        "total": 19,
        "subscales": {"behaviour": 3, "impairment": 5, "symptoms": 7, "social": 4},
        "items_rated": 11,
        "complete": True,
    }


def test_honos_three_not_known_is_incomplete() -> None:
    scores = measures.get("honos").score({**HONOS_EXAMPLE, "2": 9, "4": 9})
    assert scores["complete"] is False
    assert scores["items_rated"] == 9
    assert scores["total"] == 15


def test_phq9_and_gad7_hand_worked() -> None:
    assert measures.get("phq9").score(PHQ9_EXAMPLE) == {
        "total": 9,
        "severity": "mild",
        "item9_positive": True,
    }
    assert measures.get("gad7").score(GAD7_EXAMPLE) == {"total": 12, "severity": "moderate"}


@pytest.mark.parametrize(
    ("total", "band"),
    [(0, "none-minimal"), (4, "none-minimal"), (5, "mild"), (9, "mild"), (10, "moderate"), (14, "moderate")]
    + [(15, "moderately severe"), (19, "moderately severe"), (20, "severe"), (27, "severe")],
)
def test_phq9_band_edges(total: int, band: str) -> None:
    answers = {str(n): 0 for n in range(1, 10)}
    for n in range(1, 10):
        answers[str(n)] = min(3, max(0, total - 3 * (n - 1)))
    assert measures.get("phq9").score(answers)["severity"] == band


@pytest.mark.parametrize(
    ("total", "band"),
    [(0, "none-minimal"), (4, "none-minimal"), (5, "mild"), (9, "mild"), (10, "moderate"), (14, "moderate")]
    + [(15, "severe"), (21, "severe")],
)
def test_gad7_band_edges(total: int, band: str) -> None:
    answers = {str(n): min(3, max(0, total - 3 * (n - 1))) for n in range(1, 8)}
    assert measures.get("gad7").score(answers) == {"total": total, "severity": band}


def test_completeness_rule_is_configurable() -> None:
    honos = measures.get("honos")
    one_unknown = {**HONOS_EXAMPLE}
    two_unknown = {**HONOS_EXAMPLE, "2": 9}
    assert honos.score(one_unknown)["complete"] is True
    assert honos.score(two_unknown)["complete"] is True
    strict = with_completeness(honos, CompletenessRule(max_not_known=0))
    assert strict.score(one_unknown)["complete"] is False
    assert strict.score({**HONOS_EXAMPLE, "11": 2})["complete"] is True
    with pytest.raises(ValueError, match="no completeness rule"):
        with_completeness(measures.get("dialog"), CompletenessRule())


def test_subscale_with_nothing_rated_is_none() -> None:
    scores = measures.get("honos").score({**HONOS_EXAMPLE, "4": 9, "5": 9})
    assert scores["subscales"]["impairment"] is None
    assert measures.get("honos").score({str(n): 9 for n in range(1, 13)})["total"] is None


def test_honosca_information_items_are_optional_and_outside_the_total() -> None:
    section_a = {str(n): 1 for n in range(1, 14)}
    honosca = measures.get("honosca")
    assert honosca.score(section_a)["total"] == 13
    assert honosca.score({**section_a, "14": 4, "15": 4})["total"] == 13
    assert honosca.score(section_a)["subscales"] == {
        "behaviour": 4,
        "impairment": 2,
        "symptoms": 3,
        "social": 4,
    }


# Properties: every scoring function equals a brute-force reading of its definition


@given(valid_answers("dialog"), st.lists(st.integers(1, 11), unique=True))
def test_dialog_matches_definition(answers: dict[str, Any], help_items: list[int]) -> None:
    scores = measures.get("dialog").score({**answers, "help": help_items})
    assert scores["sqol"] == pytest.approx(sum(answers[str(n)] for n in range(1, 9)) / 8)
    assert scores["treatment_satisfaction"] == pytest.approx(sum(answers[str(n)] for n in (9, 10, 11)) / 3)
    assert scores["help_requested"] == sorted(help_items)
    assert 1 <= scores["sqol"] <= 7


@pytest.mark.parametrize("key", ["honos", "honos65"])
@given(data=st.data())
def test_honos_family_matches_definition(key: str, data: st.DataObject) -> None:
    answers = data.draw(valid_answers(key))
    rated = {int(n): v for n, v in answers.items() if v != 9}
    scores = measures.get(key).score(answers)
    assert scores["items_rated"] == len(rated)
    assert scores["total"] == (sum(rated.values()) if rated else None)
    assert scores["complete"] == (12 - len(rated) <= 2)
    for name, items in {"behaviour": (1, 2, 3), "impairment": (4, 5), "symptoms": (6, 7, 8)}.items():
        in_scale = [rated[n] for n in items if n in rated]
        assert scores["subscales"][name] == (sum(in_scale) if in_scale else None)
    assert 0 <= (scores["total"] or 0) <= 48


@given(valid_answers("honosca"))
def test_honosca_matches_definition(answers: dict[str, Any]) -> None:
    section_a = {int(n): v for n, v in answers.items() if int(n) <= 13 and v != 9}
    scores = measures.get("honosca").score(answers)
    assert scores["total"] == (sum(section_a.values()) if section_a else None)
    assert scores["items_rated"] == len(section_a)
    assert scores["complete"] == (13 - len(section_a) <= 2)
    assert 0 <= (scores["total"] or 0) <= 52


@given(valid_answers("phq9"))
def test_phq9_matches_definition(answers: dict[str, Any]) -> None:
    total = sum(answers.values())
    band = ["none-minimal"] * 5 + ["mild"] * 5 + ["moderate"] * 5 + ["moderately severe"] * 5 + ["severe"] * 8
    assert measures.get("phq9").score(answers) == {
        "total": total,
        "severity": band[total],
        "item9_positive": answers["9"] > 0,
    }


@given(valid_answers("gad7"))
def test_gad7_matches_definition(answers: dict[str, Any]) -> None:
    total = sum(answers.values())
    band = ["none-minimal"] * 5 + ["mild"] * 5 + ["moderate"] * 5 + ["severe"] * 7
    assert measures.get("gad7").score(answers) == {"total": total, "severity": band[total]}


# Validation


@pytest.mark.parametrize("key", measures.keys())
@given(data=st.data())
def test_out_of_range_answer_names_the_item(key: str, data: st.DataObject) -> None:
    answers = data.draw(valid_answers(key))
    options = definition_options(key)
    number = data.draw(st.sampled_from(sorted(options)))
    bad = data.draw(st.integers(-5, 15).filter(lambda value: value not in options[number]))
    with pytest.raises(MeasureValidationError) as raised:
        measures.get(key).score({**answers, str(number): bad})
    assert list(raised.value.errors) == [str(number)]
    assert f"Item {number} (" in str(raised.value)


def test_dialog_rejects_zero_and_eight() -> None:
    for bad in (0, 8):
        with pytest.raises(MeasureValidationError, match=r"Item 1 \(Your mental health\): .* 1 to 7"):
            measures.get("dialog").score({**DIALOG_EXAMPLE, "1": bad})


def test_honos_message_lists_not_known() -> None:
    with pytest.raises(MeasureValidationError, match=r"0 to 4, or 9 \(not known\)"):
        measures.get("honos").score({**HONOS_EXAMPLE, "3": 5})


def test_missing_unknown_and_malformed_answers() -> None:
    dialog = measures.get("dialog")
    with pytest.raises(MeasureValidationError) as raised:
        dialog.score({"1": 4})
    assert set(raised.value.errors) == {str(n) for n in range(2, 12)}
    assert "Missing answers: item 2 (Your physical health)" in str(raised.value)
    for extra in ({"12": 3}, {"zz": 1}):
        with pytest.raises(MeasureValidationError, match="has no item"):
            dialog.score({**DIALOG_EXAMPLE, **extra})
    for answer in (True, 4.5, None, [4]):
        with pytest.raises(MeasureValidationError, match="Item 1 "):
            dialog.score({**DIALOG_EXAMPLE, "1": answer})
    for help_items in ([12], "5", [0], ["x"]):
        with pytest.raises(MeasureValidationError, match="'help' must be a list"):
            dialog.score({**DIALOG_EXAMPLE, "help": help_items})
    with pytest.raises(MeasureValidationError, match="has no item 'help'"):
        measures.get("phq9").score({**PHQ9_EXAMPLE, "help": [1]})


def test_numbers_as_text_and_integer_keys_are_accepted() -> None:
    answers: dict[Any, Any] = {int(n): str(v) for n, v in DIALOG_EXAMPLE.items()}
    validated = measures.get("dialog").validate({**answers, "help": ["5", 8, 5]})
    assert validated.values[1] == 4
    assert validated.help_requested == (5, 8)


def test_not_known_is_kept_but_not_weighted() -> None:
    validated = measures.get("honos").validate(HONOS_EXAMPLE)
    assert validated.values[11] == 9
    assert 11 not in validated.weights


def test_unknown_measure() -> None:
    with pytest.raises(measures.UnknownMeasureError, match="the measures are dialog"):
        measures.get("core10")


def test_items_are_found_by_number() -> None:
    dialog = measures.get("dialog")
    assert dialog.item(11).title == "Consultations with mental health professionals"
    with pytest.raises(KeyError, match="no item 12"):
        dialog.item(12)


# HoNOS item 8's problem type (measures.md: A to J), recorded with the rating and never scored

PROBLEM_TYPES = "ABCDEFGHIJ"


def test_honos_problem_type_hand_worked() -> None:
    honos = measures.get("honos")
    validated = honos.validate({**HONOS_EXAMPLE, "8.type": "b"})
    assert validated.details == {"8.type": "B"}
    assert validated.values == honos.validate(HONOS_EXAMPLE).values
    assert honos.score({**HONOS_EXAMPLE, "8.type": " B "}) == honos.score(HONOS_EXAMPLE)
    assert honos.validate({**HONOS_EXAMPLE, "8.type": ""}).details == {}  # empty: not recorded
    assert honos.validate({**HONOS_EXAMPLE, "8": 9, "8.type": "J"}).details == {"8.type": "J"}


@given(valid_answers("honos"), st.sampled_from(PROBLEM_TYPES))
def test_honos_problem_type_is_recorded_unless_there_is_no_problem(
    answers: dict[str, Any], kind: str
) -> None:
    honos = measures.get("honos")
    given_answers = {**answers, "8.type": kind}
    if answers["8"] == 0:
        with pytest.raises(MeasureValidationError) as raised:
            honos.validate(given_answers)
        assert list(raised.value.errors) == ["8.type"]
        assert "is rated 0 (no problem), so it has no problem type" in str(raised.value)
    else:
        assert honos.validate(given_answers).details == {"8.type": kind}
        assert honos.score(given_answers) == honos.score(answers)


@pytest.mark.parametrize("bad", ["K", "AB", "1", 3, True, ["A"], "Anxiety"])
def test_unknown_problem_type_is_refused_with_the_types(bad: object) -> None:
    with pytest.raises(MeasureValidationError) as raised:
        measures.get("honos").validate({**HONOS_EXAMPLE, "8.type": bad})
    assert list(raised.value.errors) == ["8.type"]
    message = raised.value.errors["8.type"][0]
    assert message.startswith(f"Item 8 (Other mental and behavioural problems), problem type: {bad!r} is not")
    assert "A (phobic), B (anxiety), C (obsessive-compulsive)" in message and "or J (other)." in message


def test_problem_type_belongs_to_honos_only() -> None:
    with pytest.raises(MeasureValidationError, match=r"has no item '9.type'.*\(and 8.type, the problem type"):
        measures.get("honos").validate({**HONOS_EXAMPLE, "9.type": "A"})
    with pytest.raises(MeasureValidationError, match="has no item '8.type'; its items are 1 to 12.$"):
        measures.get("honos65").validate({**HONOS_EXAMPLE, "8.type": "A"})
