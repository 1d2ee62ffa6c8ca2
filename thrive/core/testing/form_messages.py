"""Shared by the apps' `test_form_messages.py`: Django's generic error messages, and a check that a bound form
shows none of them ("This field is required.", "Enter a valid date.", "Select a valid choice. ...").

The generic messages are read from Django itself (every form and model field's `default_error_messages`, the
validators' messages, the model's uniqueness messages), so a new Django message is caught too. Placeholders
such as `%(limit_value)s` become wildcards, so "Ensure this value is greater than or equal to 1." matches.
"""

from __future__ import annotations

import functools
import inspect
import re
from collections.abc import Callable, Iterable, Iterator
from types import ModuleType
from typing import Any

from django import forms
from django.core import validators
from django.db import models
from django.http import QueryDict
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

# Values a person (or a robot) might send in any field: nothing, words, out-of-range and malformed numbers,
# an impossible date, and text far too long for any field.
NONSENSE = ["", "nonsense", "0", "-1", "-99999", "99999999999", "1.5", "2026-13-45", "x" * 5000]
_SENTINEL = 987654321
# Messages Django builds in methods rather than keeping in an attribute.
_INLINE = [
    gettext_lazy("%(model_name)s with this %(field_labels)s already exists."),
    gettext_lazy("%(field_name)s must be unique for %(date_field)s %(lookup)s."),
    gettext_lazy("Please correct the duplicate data for %(field)s, which must be unique."),
]


class _AnyValue(dict[str, Any]):
    """A mapping that gives the same number for every placeholder."""

    def __missing__(self, key: str) -> int:
        return _SENTINEL


def _subclasses(cls: type) -> Iterator[type]:
    yield cls
    sub: type
    for sub in cls.__subclasses__():
        yield from _subclasses(sub)


def _templates() -> Iterator[Any]:
    for base in (forms.Field, models.Field):
        for cls in _subclasses(base):
            if not cls.__module__.startswith("django."):
                continue
            for klass in cls.__mro__:
                yield from vars(klass).get("default_error_messages", {}).values()
    for _, cls in inspect.getmembers(validators, inspect.isclass):
        attributes = {name: value for klass in reversed(cls.__mro__) for name, value in vars(klass).items()}
        if isinstance(attributes.get("message"), str | Promise):
            yield attributes["message"]
        if isinstance(attributes.get("messages"), dict):
            yield from attributes["messages"].values()
    yield models.BaseConstraint.default_violation_error_message
    yield from _INLINE


@functools.cache
def generic_patterns() -> tuple[re.Pattern[str], ...]:
    patterns = set()
    for template in _templates():
        text = re.sub(r"\{\w+\}", str(_SENTINEL), str(template % _AnyValue()))
        if text:
            patterns.add(re.escape(str(text)).replace(str(_SENTINEL), ".+?"))
    return tuple(re.compile(pattern, re.DOTALL) for pattern in sorted(patterns))


def generic_pattern(message: str) -> str | None:
    """The generic message (as a pattern) that `message` is, if any."""
    return next((pattern.pattern for pattern in generic_patterns() if pattern.fullmatch(message)), None)


def is_generic(message: str) -> bool:
    return generic_pattern(message) is not None


def generic_errors(form: forms.BaseForm) -> list[tuple[str, str]]:
    """The (field, message) pairs of a bound form that are Django's generic wording (or a message of ours
    left with an unfilled placeholder, like "%(limit_value)s")."""
    shown = [(field, str(message)) for field, messages in form.errors.items() for message in messages]
    return [(field, message) for field, message in shown if is_generic(message) or "%(" in message]


def nonsense_data(fields: Iterable[str], value: str) -> QueryDict:
    """Form data with `value` in every field (as a browser sends it: a list per name)."""
    data = QueryDict(mutable=True)
    for name in fields:
        data.setlist(name, [value])
    return data


def generic_errors_for_nonsense(make: Callable[..., forms.BaseForm]) -> list[str]:
    """Bind `make(data=...)` with nothing, then with each nonsense value in every field; a line for each
    generic message shown ("field: message (input ...)"), once per field and message."""
    names = list(make().fields)
    found: dict[tuple[str, str | None], str] = {}
    for value in [None, *NONSENSE]:
        form = make(data=QueryDict() if value is None else nonsense_data(names, value))
        for field, message in generic_errors(form):
            shown = "no data" if value is None else repr(value[:20])
            found.setdefault((field, generic_pattern(message)), f"{field}: {message[:100]} (input {shown})")
    return list(found.values())


def forms_declared_in(module: ModuleType) -> set[str]:
    """The names of the form classes a module defines (not those it imports), so a test can list them all."""
    return {
        name
        for name, value in vars(module).items()
        if isinstance(value, type)
        and issubclass(value, forms.BaseForm)
        and value.__module__ == module.__name__
    }
