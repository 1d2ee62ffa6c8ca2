"""Linkage scoring: properties that must hold whatever the names and dates (hypothesis), and the cases the
weights were chosen for."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from thrive.surveillance import linkage
from thrive.surveillance.linkage import LinkRecord

names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=12)
dates = st.dates(min_value=date(1920, 1, 1), max_value=date(2015, 12, 31))
deaths = st.dates(min_value=date(2020, 1, 1), max_value=date(2026, 11, 1))
nhs = st.text(alphabet="0123456789", min_size=10, max_size=10)
sexes = st.sampled_from(["male", "female", "not_known", ""])
records = st.builds(
    LinkRecord,
    given_name=names,
    family_name=names,
    date_of_birth=st.one_of(st.none(), dates),
    nhs_number=st.one_of(st.just(""), nhs),
    sex=sexes,
    date_of_death=st.one_of(st.none(), deaths),
    date_found=deaths,
)


@settings(max_examples=200, deadline=None)
@given(records, records)
def test_score_is_symmetric(a: LinkRecord, b: LinkRecord) -> None:
    assert linkage.score(a, b).total == linkage.score(b, a).total


@settings(max_examples=200, deadline=None)
@given(records)
def test_a_record_matches_itself(a: LinkRecord) -> None:
    result = linkage.score(a, a)
    assert all(points >= 0 for points in result.components.values())
    if a.date_of_birth is not None:
        assert linkage.exact_match(a, a) is not None


@settings(max_examples=200, deadline=None)
@given(records, names)
def test_a_typo_in_the_family_name_never_scores_more_than_the_right_name(a: LinkRecord, other: str) -> None:
    wrong = LinkRecord(**{**a.__dict__, "family_name": other})
    assert linkage.score(a, wrong).total <= linkage.score(a, a).total


@settings(max_examples=100, deadline=None)
@given(records, st.integers(min_value=4, max_value=400))
def test_deaths_far_apart_are_not_candidates(a: LinkRecord, gap: int) -> None:
    assert a.death_date is not None
    later = LinkRecord(
        **{**a.__dict__, "date_of_death": None, "date_found": a.death_date + timedelta(days=gap)}
    )
    assert not linkage.within_window(a, later)


def _person(**kw: object) -> LinkRecord:
    base = {
        "given_name": "Alex",
        "family_name": "Example",
        "date_of_birth": date(1990, 4, 2),
        "nhs_number": "9434765919",
        "sex": "male",
        "date_of_death": date(2026, 11, 19),
        "date_found": date(2026, 11, 20),
        "points": ((51.5155, -0.0722),),
    }
    return LinkRecord(**{**base, **kw})  # type: ignore[arg-type]


def test_equal_nhs_numbers_link_exactly() -> None:
    assert linkage.exact_match(_person(), _person(given_name="Alexander", date_of_birth=None)) == "nhs_number"


def test_equal_names_and_birth_date_link_exactly_when_no_nhs_number_disagrees() -> None:
    assert linkage.exact_match(_person(nhs_number=""), _person(given_name="ALEX")) == "name_and_dob"
    assert linkage.exact_match(_person(), _person(nhs_number="4010232137")) is None


def test_typos_and_transpositions_reach_the_review_queue_but_do_not_link() -> None:
    typo = _person(nhs_number="", given_name="Alx", family_name="Exmaple", date_of_birth=date(1990, 2, 4))
    assert linkage.exact_match(_person(), typo) is None
    assert linkage.needs_review(linkage.score(_person(), typo))


def test_swapped_given_and_family_names_still_score() -> None:
    swapped = _person(nhs_number="", given_name="Example", family_name="Alex")
    assert linkage.score(_person(), swapped).components["family_name"] > 0


def test_different_people_on_the_same_day_do_not_reach_the_queue() -> None:
    stranger = _person(
        nhs_number="",
        given_name="Priya",
        family_name="Okafor",
        date_of_birth=date(1961, 9, 30),
        sex="female",
        points=((51.6, -0.2),),
    )
    assert not linkage.needs_review(linkage.score(_person(), stranger))


def test_date_transpositions() -> None:
    assert linkage.transposed(date(1990, 4, 2), date(1990, 2, 4))
    assert linkage.transposed(date(1990, 4, 12), date(1990, 4, 21))
    assert linkage.transposed(date(1990, 4, 12), date(1991, 4, 12))
    assert not linkage.transposed(date(1990, 4, 12), date(1975, 8, 30))
