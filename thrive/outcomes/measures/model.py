"""A measure is its FHIR Questionnaire definition plus a scoring function.

The Questionnaire JSON under `definitions/` is the one source of the items, their codes and the answers each
item allows; this module reads it into plain dataclasses and validates answers against it, so the forms, the
API, `thrive score` and the FHIR export can never disagree about what an answer may be.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ITEM_WEIGHT_URL = "http://hl7.org/fhir/StructureDefinition/itemWeight"
HELP_REQUEST_SUFFIX = ".help"
HELP_KEY = "help"
DETAIL_SEPARATOR = "."  # a detail's key is its FHIR linkId: the item number, a dot and a word ("8.type")

Scores = Mapping[str, Any]


class MeasureValidationError(ValueError):
    """Answers that do not fit the measure; `errors` maps a field path ("3", "help") to plain messages."""

    def __init__(self, errors: Mapping[str, list[str]], summary: str | None = None) -> None:
        self.errors = dict(errors)
        super().__init__(
            summary or " ".join(message for messages in self.errors.values() for message in messages)
        )


@dataclass(frozen=True)
class AnswerOption:
    value: int
    label: str
    weight: int | None  # None: recorded but left out of every score (HoNOS 9 = not known)


@dataclass(frozen=True)
class DetailOption:
    code: str
    label: str


@dataclass(frozen=True)
class ItemDetail:
    """A coded choice recorded with an item's rating (HoNOS item 8's problem type, A to J): in the Questionnaire
    a choice item nested under the item, with an enableWhen "!=" on the item's own answer naming the ratings
    that leave nothing to describe. Always optional, and never scored."""

    link_id: str  # "8.type": also the key of the answer ({"8": 2, "8.type": "B"})
    title: str
    code_system: str | None
    options: tuple[DetailOption, ...]
    not_when: frozenset[int]  # ratings of the item with no detail to record (HoNOS 0 = no problem)

    def option(self, code: str) -> DetailOption | None:
        return next((option for option in self.options if option.code == code), None)

    def describe_valid_answers(self) -> str:
        """'A (phobic), B (anxiety), ... or J (other)', for error messages."""
        described = [f"{option.code} ({option.label.lower()})" for option in self.options]
        return ", ".join(described[:-1]) + f" or {described[-1]}" if len(described) > 1 else described[0]


@dataclass(frozen=True)
class Item:
    number: int
    title: str
    code_system: str | None
    code: str | None  # SNOMED CT (MHSDS) or LOINC item code, where one is known
    options: tuple[AnswerOption, ...]
    required: bool
    asks_for_help: bool  # DIALOG: "Do you want more help in this area?"
    detail: ItemDetail | None = None  # HoNOS item 8: the problem type

    def option(self, value: int) -> AnswerOption | None:
        return next((option for option in self.options if option.value == value), None)

    def describe_valid_answers(self) -> str:
        """'1 to 7' or '0 to 4, or 9 (not known)', for error messages."""
        weighted = sorted(option.value for option in self.options if option.weight is not None)
        parts = _describe_runs(weighted)
        parts += [
            f"{option.value} ({option.label.lower()})" for option in self.options if option.weight is None
        ]
        return ", or ".join(parts)


@dataclass(frozen=True)
class Answers:
    """Answers that passed validation."""

    values: Mapping[int, int]  # item number -> the answer given, unscored answers included
    weights: Mapping[int, int]  # item number -> item weight, only for answers that count towards scores
    help_requested: tuple[int, ...] = ()
    details: Mapping[str, str] = field(default_factory=dict)  # detail linkId ("8.type") -> its code ("B")


Scorer = Callable[[Answers], Scores]


@dataclass(frozen=True)
class Measure:
    key: str
    title: str
    instructions: str
    items: tuple[Item, ...]
    scorer: Scorer
    definition_path: Path

    @classmethod
    def from_definition(cls, key: str, definition_path: Path, scorer: Scorer) -> Measure:
        questionnaire = json.loads(definition_path.read_text(encoding="utf-8"))
        entries = questionnaire["item"]
        instructions = " ".join(entry["text"] for entry in entries if entry["type"] == "display")
        items = tuple(_read_item(entry) for entry in entries if entry["type"] != "display")
        numbers = [item.number for item in items]
        if numbers != list(range(1, len(items) + 1)):
            raise ValueError(f"{definition_path.name}: items must be numbered 1 to {len(items)} in order")
        return cls(key, questionnaire["title"], instructions, items, scorer, definition_path)

    def item(self, number: int) -> Item:
        for item in self.items:
            if item.number == number:
                return item
        raise KeyError(f"{self.title} has no item {number}")

    def questionnaire(self) -> dict[str, Any]:
        """The FHIR R4 Questionnaire resource, freshly read so callers may change it."""
        result: dict[str, Any] = json.loads(self.definition_path.read_text(encoding="utf-8"))
        return result

    @property
    def details(self) -> tuple[tuple[Item, ItemDetail], ...]:
        """The items that record a detail with their rating, and the detail."""
        return tuple((item, item.detail) for item in self.items if item.detail is not None)

    def validate(self, raw: Mapping[str, object]) -> Answers:
        """Check answers given as item number (string or int) -> value, plus "help": [item numbers] and any
        detail by its linkId ("8.type": "B"; empty means not recorded)."""
        errors: dict[str, list[str]] = {}
        values: dict[int, int] = {}
        details: dict[str, str] = {}
        help_requested: tuple[int, ...] = ()
        for key, value in raw.items():
            if str(key) == HELP_KEY and any(item.asks_for_help for item in self.items):
                help_requested = self._validate_help(value, errors)
                continue
            found = self._detail_for_key(key)
            if found is not None:
                if (code := _detail_code(*found, value, errors)) is not None:
                    details[found[1].link_id] = code
                continue
            item = self._item_for_key(key)
            if item is None:
                errors.setdefault(str(key), []).append(
                    f"{self.title} has no item {key!r}; its items are 1 to {len(self.items)}"
                    + "".join(
                        f" (and {detail.link_id}, the {detail.title.lower()} of item {owner.number})"
                        for owner, detail in self.details
                    )
                    + "."
                )
                continue
            answer = _as_int(value)
            if answer is None or item.option(answer) is None:
                errors.setdefault(str(item.number), []).append(
                    f"Item {item.number} ({item.title}): {value!r} is not a valid answer; "
                    f"the answers are {item.describe_valid_answers()}."
                )
                continue
            values[item.number] = answer
        for owner, detail in self.details:
            rating = values.get(owner.number)
            if detail.link_id in details and rating in detail.not_when:
                label = owner.option(rating).label.lower()  # type: ignore[union-attr]
                errors.setdefault(detail.link_id, []).append(
                    f"Item {owner.number} ({owner.title}) is rated {rating} ({label}), so it has no "
                    f"{detail.title.lower()}: leave the {detail.title.lower()} empty or change the rating."
                )
        missing = [
            item
            for item in self.items
            if item.required and item.number not in values and str(item.number) not in errors
        ]
        if errors or missing:
            summary = [message for messages in errors.values() for message in messages]
            if missing:
                summary.append(
                    f"Missing answers: {', '.join(f'item {item.number} ({item.title})' for item in missing)}."
                )
            errors |= {
                str(item.number): [f"Item {item.number} ({item.title}) is missing."] for item in missing
            }
            raise MeasureValidationError(errors, " ".join(summary))
        weights = {
            number: weight
            for number, value in sorted(values.items())
            if (weight := self._weight(number, value)) is not None
        }
        return Answers(
            values=dict(sorted(values.items())),
            weights=weights,
            help_requested=help_requested,
            details=details,
        )

    def score(self, raw: Mapping[str, object]) -> Scores:
        return self.scorer(self.validate(raw))

    def _item_for_key(self, key: object) -> Item | None:
        number = _as_int(key)
        if number is None or not 1 <= number <= len(self.items):
            return None
        return self.items[number - 1]

    def _detail_for_key(self, key: object) -> tuple[Item, ItemDetail] | None:
        return next(((item, detail) for item, detail in self.details if detail.link_id == str(key)), None)

    def _weight(self, number: int, value: int) -> int | None:
        option = self.items[number - 1].option(value)
        return option.weight if option else None

    def _validate_help(self, value: object, errors: dict[str, list[str]]) -> tuple[int, ...]:
        allowed = {item.number for item in self.items if item.asks_for_help}
        numbers = [_as_int(entry) for entry in value] if isinstance(value, list) else [None]
        if any(number not in allowed for number in numbers):
            errors[HELP_KEY] = [
                f"{HELP_KEY!r} must be a list of the item numbers where more help is wanted "
                f"({', '.join(_describe_runs(sorted(allowed)))}); got {value!r}."
            ]
            return ()
        return tuple(sorted({number for number in numbers if number is not None}))


def _detail_code(item: Item, detail: ItemDetail, value: object, errors: dict[str, list[str]]) -> str | None:
    """A detail's code ("b" and " B " read as "B"); None when not recorded or not valid (with the error)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    code = value.strip().upper() if isinstance(value, str) else None
    if code is None or detail.option(code) is None:
        errors.setdefault(detail.link_id, []).append(
            f"Item {item.number} ({item.title}), {detail.title.lower()}: {value!r} is not a valid "
            f"{detail.title.lower()}; the {detail.title.lower()}s are {detail.describe_valid_answers()}."
        )
        return None
    return code


def _read_detail(parent: Mapping[str, Any]) -> ItemDetail | None:
    """The choice item nested under `parent` ("8.type"), if it has one."""
    children = [
        child
        for child in parent.get("item", [])
        if child["type"] == "choice" and child["linkId"].startswith(parent["linkId"] + DETAIL_SEPARATOR)
    ]
    if not children:
        return None
    if len(children) > 1:
        raise ValueError(f"item {parent['linkId']}: at most one nested choice item (a detail)")
    child = children[0]
    not_when: set[int] = set()
    for condition in child.get("enableWhen", []):
        coding = condition.get("answerCoding") or {}
        if condition["question"] != parent["linkId"] or condition["operator"] != "!=" or "code" not in coding:
            raise ValueError(
                f"{child['linkId']}: enableWhen may only exclude answers of item {parent['linkId']} "
                "(operator '!=' with an answerCoding)"
            )
        not_when.add(int(coding["code"]))
    if len(not_when) > 1 and child.get("enableBehavior") != "all":
        raise ValueError(f"{child['linkId']}: several exclusions need enableBehavior 'all'")
    codings = [option["valueCoding"] for option in child["answerOption"]]
    return ItemDetail(
        link_id=child["linkId"],
        title=child["text"],
        code_system=codings[0].get("system") if codings else None,
        options=tuple(DetailOption(str(coding["code"]), coding["display"]) for coding in codings),
        not_when=frozenset(not_when),
    )


def _read_item(entry: Mapping[str, Any]) -> Item:
    codes = entry.get("code") or [{}]
    return Item(
        number=int(entry["linkId"]),
        title=entry["text"],
        code_system=codes[0].get("system"),
        code=codes[0].get("code"),
        options=tuple(_read_option(option) for option in entry["answerOption"]),
        required=bool(entry.get("required", False)),
        asks_for_help=any(
            child["linkId"] == entry["linkId"] + HELP_REQUEST_SUFFIX for child in entry.get("item", [])
        ),
        detail=_read_detail(entry),
    )


def _read_option(option: Mapping[str, Any]) -> AnswerOption:
    weights = [ext["valueDecimal"] for ext in option.get("extension", []) if ext["url"] == ITEM_WEIGHT_URL]
    if any(weight != int(weight) for weight in weights):
        raise ValueError(f"item weights must be whole numbers, got {weights}")
    coding = option["valueCoding"]
    return AnswerOption(
        value=int(coding["code"]), label=coding["display"], weight=int(weights[0]) if weights else None
    )


def _as_int(value: object) -> int | None:
    """Whole numbers, given as JSON integers or as their decimal text (form posts)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return None


def _describe_runs(numbers: list[int]) -> list[str]:
    """[0, 1, 2, 3, 4] -> ['0 to 4']; [1, 3] -> ['1', '3']."""
    runs: list[list[int]] = []
    for number in numbers:
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    return [f"{run[0]} to {run[-1]}" if len(run) > 2 else ", ".join(map(str, run)) for run in runs]
