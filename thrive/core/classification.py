"""Data classification: every model field says how identifying it is, so exports, logs and views can follow it.

Each model in a Thrive app declares `data_classification = {"field": Classification.X, ...}` covering every
concrete field (the auto primary key excepted); `thrive.core.tests.test_classification` fails when one is missing.
"""

from __future__ import annotations

from enum import StrEnum

from django.apps import apps
from django.db import models


class Classification(StrEnum):
    IDENTIFIABLE = (
        "identifiable"  # names, dates of birth, NHS numbers, addresses, contact details, narratives
    )
    SENSITIVE = (
        "sensitive"  # special-category facts (method, circumstances, scores) that do not identify alone
    )
    PSEUDONYMOUS = "pseudonymous"  # internal ids, blind indexes, area codes of a person
    PUBLIC = "public"  # reference data and published content


C = Classification


def classification_of(model: type[models.Model], field_name: str) -> Classification | None:
    table: dict[str, Classification] = getattr(model, "data_classification", {})
    return table.get(field_name)


def unclassified_fields() -> list[str]:
    """`app.Model.field` for every concrete field of a Thrive model that has no classification."""
    missing = []
    for model in apps.get_models():
        if not model.__module__.startswith("thrive."):
            continue
        for field in model._meta.concrete_fields:
            if field.primary_key and isinstance(field, models.AutoField | models.BigAutoField):
                continue
            if classification_of(model, field.name) is None:
                missing.append(f"{model._meta.label}.{field.name}")
    return missing


def fields_with(model: type[models.Model], *levels: Classification) -> list[str]:
    table: dict[str, Classification] = getattr(model, "data_classification", {})
    return [name for name, level in table.items() if level in levels]
