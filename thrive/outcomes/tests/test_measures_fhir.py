"""The Questionnaire definitions: valid FHIR R4, MHSDS codes in place, weights as measures.md says."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B.questionnaire import Questionnaire

from thrive.outcomes import measures
from thrive.outcomes.measures.model import ITEM_WEIGHT_URL
from thrive.outcomes.measures.registry import DEFINITIONS_DIR

SNOMED = "http://snomed.info/sct"
DIALOG_CODES = [
    "1037651000000100",
    "1037661000000102",
    "1037671000000109",
    "1037681000000106",
    "1037691000000108",
    "1037701000000108",
    "1037711000000105",
    "1037721000000104",
    "1037731000000102",
    "1037741000000106",
    "1037751000000109",
]
HONOS_ITEMS = [
    ("Overactive, aggressive, disruptive or agitated behaviour", "979641000000103"),
    ("Non-accidental self-injury", "979651000000100"),
    ("Problem drinking or drug-taking", "979661000000102"),
    ("Cognitive problems", "979671000000109"),
    ("Physical illness or disability problems", "979681000000106"),
    ("Problems associated with hallucinations and delusions", "979691000000108"),
    ("Problems with depressed mood", "979701000000108"),
    ("Other mental and behavioural problems", "979711000000105"),
    ("Problems with relationships", "979721000000104"),
    ("Problems with activities of daily living", "979731000000102"),
    ("Problems with living conditions", "979741000000106"),
    ("Problems with occupation and activities", "979751000000109"),
]


@pytest.mark.parametrize("path", sorted(DEFINITIONS_DIR.glob("*.json")), ids=lambda path: path.stem)
def test_definition_is_a_valid_r4_questionnaire(path: Path) -> None:
    data = json.loads(path.read_text())
    questionnaire = Questionnaire.model_validate(data)
    assert questionnaire.id == data["id"]
    assert data["url"].endswith(f"/Questionnaire/{data['id']}")


def test_every_definition_is_registered() -> None:
    assert sorted(path.stem for path in DEFINITIONS_DIR.glob("*.json")) == sorted(measures.keys())
    for measure in measures.measures():
        assert measure.questionnaire()["id"] == measure.key
        assert measure.instructions


def test_dialog_items_carry_the_mhsds_snomed_codes() -> None:
    dialog = measures.get("dialog")
    assert [(item.code_system, item.code) for item in dialog.items] == [
        (SNOMED, code) for code in DIALOG_CODES
    ]
    assert all(item.asks_for_help for item in dialog.items)
    assert [option.value for option in dialog.items[0].options] == [1, 2, 3, 4, 5, 6, 7]
    assert dialog.items[0].options[0].label == "Totally dissatisfied"


def test_honos_items_are_titles_and_codes_only() -> None:
    honos = measures.get("honos")
    assert [(item.title, item.code) for item in honos.items] == HONOS_ITEMS
    for entry in honos.questionnaire()["item"][1:]:
        nested = {"item"} if entry["linkId"] == "8" else set()
        assert set(entry) == {"linkId", "prefix", "code", "text", "type", "required", "answerOption", *nested}


def test_honos_item_8_records_the_problem_type() -> None:
    """measures.md: A phobic, B anxiety, C obsessive-compulsive, D stress, E dissociative, F somatoform, G eating,
    H sleep, I sexual, J other; a nested choice item, optional, not enabled for a rating of 0 (no problem)."""
    item = measures.get("honos").item(8)
    assert item.detail is not None
    assert item.detail.link_id == "8.type" and item.detail.title == "Problem type"
    assert [(option.code, option.label) for option in item.detail.options] == [
        ("A", "Phobic"),
        ("B", "Anxiety"),
        ("C", "Obsessive-compulsive"),
        ("D", "Stress"),
        ("E", "Dissociative"),
        ("F", "Somatoform"),
        ("G", "Eating"),
        ("H", "Sleep"),
        ("I", "Sexual"),
        ("J", "Other"),
    ]
    assert item.detail.not_when == {0}
    (entry,) = measures.get("honos").questionnaire()["item"][8]["item"]
    assert entry["required"] is False and entry["type"] == "choice"
    assert [(c["question"], c["operator"], c["answerCoding"]["code"]) for c in entry["enableWhen"]] == [
        ("8", "!=", "0")
    ]
    # Only HoNOS: measures.md names the problem type for HoNOS item 8 and for no other measure.
    others = [measure.key for measure in measures.measures() for item in measure.items if item.detail]
    assert others == ["honos"]


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda child: child["enableWhen"][0].update(operator="="), "operator '!='"),
        (lambda child: child["enableWhen"][0].update(question="7"), "operator '!='"),
    ],
)
def test_a_detail_enabled_other_than_by_excluding_its_items_ratings_is_refused(
    tmp_path: Path, change: Any, words: str
) -> None:
    data = json.loads((DEFINITIONS_DIR / "honos.json").read_text())
    change(data["item"][8]["item"][0])
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ValueError, match=words):
        measures.Measure.from_definition("broken", path, measures.get("honos").scorer)


@pytest.mark.parametrize(
    ("key", "count", "first", "last"),
    [
        ("honos65", 12, "980761000000107", "980871000000105"),
        ("honosca", 15, "989751000000102", None),
    ],
)
def test_other_honos_scales_are_coded(key: str, count: int, first: str, last: str | None) -> None:
    items = measures.get(key).items
    assert len(items) == count
    assert items[0].code == first
    assert items[-1].code == last
    assert len({item.code for item in items if item.code}) == len([item for item in items if item.code])


@pytest.mark.parametrize("key", ["honos", "honos65", "honosca"])
def test_not_known_has_no_weight(key: str) -> None:
    for item in measures.get(key).items:
        assert [(option.value, option.weight) for option in item.options] == [
            (0, 0),
            (1, 1),
            (2, 2),
            (3, 3),
            (4, 4),
            (9, None),
        ]


def test_weights_use_the_item_weight_extension() -> None:
    for measure in measures.measures():
        for entry in measure.questionnaire()["item"]:
            for option in entry.get("answerOption", []):
                urls = [extension["url"] for extension in option.get("extension", [])]
                assert urls in ([ITEM_WEIGHT_URL], []), urls


@pytest.mark.parametrize(
    ("key", "codes"),
    [
        (
            "phq9",
            [
                "44250-9",
                "44255-8",
                "44259-0",
                "44254-1",
                "44251-7",
                "44258-2",
                "44252-5",
                "44253-3",
                "44260-8",
            ],
        ),
        ("gad7", ["69725-0", "68509-9", "69733-4", "69734-2", "69735-9", "69689-8", "69736-7"]),
    ],
)
def test_screening_items_carry_loinc_codes(key: str, codes: list[str]) -> None:
    measure = measures.get(key)
    assert [item.code for item in measure.items] == codes
    assert all(item.code_system == "http://loinc.org" for item in measure.items)
    assert [option.weight for option in measure.items[0].options] == [0, 1, 2, 3]


def test_a_definition_out_of_order_is_refused(tmp_path: Path) -> None:
    data = json.loads((DEFINITIONS_DIR / "gad7.json").read_text())
    data["item"].reverse()
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ValueError, match="numbered 1 to 7 in order"):
        measures.Measure.from_definition("broken", path, measures.get("gad7").scorer)
