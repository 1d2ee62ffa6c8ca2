"""Blind indexes: stable, keyed, separated by kind, and computed over normalised values."""

from __future__ import annotations

import datetime
import hashlib
import hmac

import pytest
from django.test import override_settings
from hypothesis import given
from hypothesis import strategies as st

from thrive.core.crypto import (
    MasterKeyError,
    blind_index,
    name_dob_index,
    nhs_number_index,
    normalise_name,
    normalise_text,
)

KEY = "blind-index-key-for-tests-0123456789abcdef"


@pytest.mark.parametrize(
    ("written", "normal"),
    [
        ("O'Brien", "obrien"),
        ("O’Brien", "obrien"),
        ("  Anne-Marie  ", "annemarie"),
        ("Anne Marie", "annemarie"),
        ("ZOË", "zoe"),
        ("José  María", "josemaria"),
        ("Łukasz Øster", "lukaszoster"),
        ("Strauß", "strauss"),
        ("Ægir", "aegir"),
        ("St. John-Smythe", "stjohnsmythe"),
        ("", ""),
        (None, ""),
    ],
)
def test_names_normalise_as_records_agree_on_them(written: str | None, normal: str) -> None:
    assert normalise_name(written) == normal


@given(st.text())
def test_normalising_is_idempotent(text: str) -> None:
    assert normalise_name(normalise_name(text)) == normalise_name(text)
    assert normalise_text(normalise_text(text)) == normalise_text(text)


@override_settings(BLIND_INDEX_KEY=KEY)
def test_blind_index_is_a_stable_keyed_hash_per_kind() -> None:
    kind_key = hmac.new(KEY.encode(), b"thrive/blind-index/v1/nhs_number", hashlib.sha256).digest()
    expected = hmac.new(kind_key, b"9434765919", hashlib.sha256).hexdigest()
    assert nhs_number_index("9434765919") == expected == blind_index("nhs_number", "9434765919")
    assert len(expected) == 64 and int(expected, 16) >= 0
    assert blind_index("name", "9434765919") != expected  # another kind, another key
    with override_settings(BLIND_INDEX_KEY=KEY + "x"):
        assert nhs_number_index("9434765919") != expected  # another key, another index


@override_settings(BLIND_INDEX_KEY=KEY)
def test_identifiers_index_the_same_however_written() -> None:
    assert (
        nhs_number_index("943 476 5919") == nhs_number_index("943-476-5919") == nhs_number_index("9434765919")
    )
    assert blind_index("email", " Someone@Example.org ") == blind_index("email", "someone@example.org")
    born = datetime.date(1961, 7, 23)
    assert (
        name_dob_index("Zoë", "O'Brien", born)
        == name_dob_index("zoe", "OBRIEN", "1961-07-23")
        == name_dob_index("ZOE", "O Brien", datetime.datetime(1961, 7, 23, 12, 0))
    )
    assert name_dob_index("Zoe", "O'Brien", born) != name_dob_index(
        "Zoe", "O'Brien", datetime.date(1961, 7, 24)
    )
    assert name_dob_index("", "O'Brien", born)  # a missing given name still indexes
    assert name_dob_index("Zoe", "", born) == name_dob_index("Zoe", "O'Brien", None) == ""
    assert nhs_number_index("") == nhs_number_index(None) == blind_index("name", "  ") == ""


def test_blind_index_needs_its_key_and_a_plain_kind() -> None:
    with override_settings(BLIND_INDEX_KEY=""), pytest.raises(MasterKeyError, match="THRIVE_BLIND_INDEX_KEY"):
        nhs_number_index("9434765919")
    with pytest.raises(ValueError, match="kind"):
        blind_index("NHS number", "9434765919")
