"""Start-up checks of the outcomes settings: a mistyped reference value or method key stops `thrive check`,
`migrate` and the server with a plain message, rather than classifying change wrongly later."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register
from django.core.exceptions import ImproperlyConfigured

from thrive.outcomes import config


@register()
def check_change_methods(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    problems: list[CheckMessage] = []
    try:
        config.reliable_change_methods()
    except ImproperlyConfigured as error:
        problems.append(Error(str(error), id="outcomes.E001"))
        return problems
    for measure, key in getattr(settings, "OUTCOMES_CHANGE_METHODS", {}).items():
        if measure not in config.HEADLINE_SCORE:
            problems.append(
                Error(f"OUTCOMES_CHANGE_METHODS: {measure!r} is not a measure.", id="outcomes.E002")
            )
            continue
        if not key:
            continue
        try:
            method = config.method_by_key(key)
        except LookupError as error:
            problems.append(Error(f"OUTCOMES_CHANGE_METHODS: {error}", id="outcomes.E002"))
            continue
        if method.measure != measure:
            problems.append(
                Error(
                    f"OUTCOMES_CHANGE_METHODS: {key!r} classifies {method.measure}, not {measure}.",
                    id="outcomes.E002",
                )
            )
    return problems
