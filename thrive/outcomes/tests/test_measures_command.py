"""`thrive score MEASURE --json`: the acceptance cases; bad input gets a plain message and exit status 2."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError


def score(measure: str, stdin: str, *args: str) -> Any:
    out = io.StringIO()
    call_command("score", measure, "--json", *args, stdin=io.StringIO(stdin), stdout=out)
    return json.loads(out.getvalue())


def score_error(measure: str, stdin: str) -> CommandError:
    with pytest.raises(CommandError) as raised:
        score(measure, stdin)
    assert raised.value.returncode == 2
    return raised.value


def test_dialog() -> None:
    answers = '{"1":4,"2":5,"3":3,"4":6,"5":2,"6":4,"7":5,"8":3,"9":6,"10":5,"11":7,"help":[5,8]}'
    assert score("dialog", answers) == {"sqol": 4.0, "treatment_satisfaction": 6.0, "help_requested": [5, 8]}


def test_honos_with_one_and_three_not_known() -> None:
    answers = {
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
    assert score("honos", json.dumps(answers)) == {
        "total": 19,
        "items_rated": 11,
        "complete": True,
        "subscales": {"behaviour": 3, "impairment": 5, "symptoms": 7, "social": 4},
    }
    assert score("honos", json.dumps({**answers, "2": 9, "4": 9}))["complete"] is False


def test_phq9_and_gad7() -> None:
    phq9 = '{"1":1,"2":2,"3":1,"4":0,"5":2,"6":1,"7":1,"8":0,"9":1}'
    assert score("phq9", phq9) == {"total": 9, "severity": "mild", "item9_positive": True}
    assert score("gad7", '{"1":3,"2":3,"3":2,"4":2,"5":1,"6":1,"7":0}') == {
        "total": 12,
        "severity": "moderate",
    }


def test_out_of_range_answer_names_the_item() -> None:
    assert "Item 1 (Your mental health): 8 is not a valid answer" in str(score_error("dialog", '{"1":8}'))


@pytest.mark.parametrize(
    ("measure", "stdin", "message"),
    [
        ("dialog", "{not json", "not valid JSON"),
        ("dialog", "[4, 5]", "one JSON object"),
        ("core10", "{}", "Unknown measure 'core10'"),
        ("gad7", '{"1":3}', "Missing answers: item 2"),
    ],
)
def test_bad_input_gets_a_plain_message(measure: str, stdin: str, message: str) -> None:
    assert message in str(score_error(measure, stdin))


def test_without_json_prints_one_score_a_line() -> None:
    out = io.StringIO()
    call_command(
        "score", "gad7", stdin=io.StringIO('{"1":0,"2":0,"3":0,"4":0,"5":0,"6":0,"7":1}'), stdout=out
    )
    assert out.getvalue().splitlines() == ["total: 1", "severity: none-minimal"]
