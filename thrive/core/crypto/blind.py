"""Blind indexes: keyed hashes of normalised identifiers, so exact matches are found without decrypting.

`blind_index(kind, value)` is HMAC-SHA256 under a key derived for that kind from `settings.BLIND_INDEX_KEY`
(`THRIVE_BLIND_INDEX_KEY`), over the value normalised (Unicode NFKC, case-folded, whitespace collapsed). The
per-kind key means an NHS number's index can never equal a name's. Empty values index as "" (never matched),
so an index column can be blank. Without the blind index key the hashes reveal nothing, but with it an
identifier of low entropy (an NHS number, a date of birth) can be guessed by trying every value: keep that key
out of the database and its backups. Changing it means recomputing every index from the decrypted values.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db import models

from thrive.core.crypto.keys import MasterKeyError

_KIND = re.compile(r"[a-z][a-z0-9_]{0,39}")
_FOLD = str.maketrans(
    {"ø": "o", "đ": "d", "ð": "d", "ł": "l", "ħ": "h", "ı": "i", "þ": "th", "æ": "ae", "œ": "oe"}
)
_WHITESPACE = re.compile(r"\s+")
_NOT_DIGIT = re.compile(r"[^0-9]")


def _stable(step: Callable[[str], str], text: str | None) -> str:
    """Apply `step` until nothing changes: case folding and compatibility decomposition can each undo the
    other's work (a mathematical bold "A" only becomes a letter that folds once decomposed)."""
    current = text or ""
    for _ in range(4):
        following = step(current)
        if following == current:
            break
        current = following
    return current


def _text_step(text: str) -> str:
    return _WHITESPACE.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def _name_step(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).translate(_FOLD)
    return "".join(ch for ch in bare if ch.isalnum())


def normalise_text(text: str | None) -> str:
    """The form every value is hashed in: NFKC, case-folded, runs of whitespace as one space, trimmed."""
    return _stable(_text_step, text)


def normalise_name(text: str | None) -> str:
    """A name as records agree on it: "O'Brien" = "obrien", "Zoë" = "zoe", "Anne-Marie" = "Anne Marie" =
    "annemarie". Case-folded, accents and ligatures unfolded, then only letters and digits kept."""
    return _stable(_name_step, text)


def _secret() -> bytes:
    secret = getattr(settings, "BLIND_INDEX_KEY", "")
    if not secret:
        raise MasterKeyError(
            "No blind index key: set THRIVE_BLIND_INDEX_KEY to a random value of 32+ characters"
        )
    return str(secret).encode()


@lru_cache(maxsize=64)
def _kind_key(secret: bytes, kind: str) -> bytes:
    return hmac.new(secret, f"thrive/blind-index/v1/{kind}".encode(), hashlib.sha256).digest()


def blind_index(kind: str, value: str | None) -> str:
    """64 hex characters for a non-empty value of a kind ("nhs_number", "name_dob", ...); "" for empty."""
    if not _KIND.fullmatch(kind):
        raise ValueError(f"A blind index kind is a short lower-case identifier, not {kind!r}")
    text = normalise_text(value)
    if not text:
        return ""
    return hmac.new(_kind_key(_secret(), kind), text.encode(), hashlib.sha256).hexdigest()


def nhs_number_index(nhs_number: str | None) -> str:
    """The index of an NHS number, whatever spaces or dashes it was written with."""
    digits = _NOT_DIGIT.sub("", unicodedata.normalize("NFKC", nhs_number or ""))
    return blind_index("nhs_number", digits)


def name_dob_index(given: str | None, family: str | None, dob: datetime.date | str | None) -> str:
    """The index of names with a date of birth; "" unless the family name and the date are known."""
    family_key, given_key = normalise_name(family), normalise_name(given)
    if not family_key or not dob:
        return ""
    if isinstance(dob, datetime.datetime):
        dob = dob.date()
    day = dob if isinstance(dob, datetime.date) else datetime.date.fromisoformat(str(dob).strip())
    return blind_index("name_dob", f"{given_key}|{family_key}|{day.isoformat()}")


class BlindIndexField(models.CharField):
    """A blind index column: 64 hex characters, or "" (the default) when there is nothing to index; indexed
    and not editable in forms. Services set it from the `*_index` helpers when they save what it indexes."""

    _DEFAULTS: dict[str, Any] = {"max_length": 64, "db_index": True, "blank": True, "editable": False}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **{**self._DEFAULTS, **kwargs})

    def deconstruct(self) -> Any:
        name, _path, args, kwargs = super().deconstruct()
        for option, default in self._DEFAULTS.items():
            if kwargs.get(option, models.NOT_PROVIDED) == default:
                del kwargs[option]
            elif option not in kwargs:
                kwargs[option] = _django_default(option)
        return name, "thrive.core.crypto.BlindIndexField", args, kwargs


def _django_default(option: str) -> Any:
    """The value Field.deconstruct leaves out because it is Django's own default for that option."""
    return {"db_index": False, "blank": False, "editable": True}[option]
