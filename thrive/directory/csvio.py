"""CSV export and import of services, one row per service, in the columns documented in docs/directory.md.

An import is all or nothing: every row is checked with the same form editors use, and nothing is saved unless
every row passes (the errors name the row and the column). A row whose slug matches one of the editor's
services updates it; a new slug creates one; a slug belonging to another organisation is refused.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.http import QueryDict
from django.utils import timezone
from django.utils.text import slugify

from thrive.accounts.models import Organisation, User
from thrive.core import audit
from thrive.directory import hours
from thrive.directory.manage_forms import ServiceForm
from thrive.directory.models import Service
from thrive.geography.models import Area, AreaLevel

BOOLEAN_COLUMNS = (
    "perinatal",
    "self_referral",
    "via_gp",
    "in_person",
    "by_phone",
    "online",
    "national",
    "whole_region",
)
COLUMNS = (
    "slug",
    "name",
    "type",
    "organisation",
    "summary",
    "description",
    "min_age",
    "max_age",
    "perinatal",
    "conditions",
    "eligibility_notes",
    "self_referral",
    "self_referral_url",
    "self_referral_phone",
    "via_gp",
    "via_other_service",
    "how_to_access",
    "phone",
    "text_number",
    "email",
    "website",
    "in_person",
    "by_phone",
    "online",
    "address",
    "postcode",
    "latitude",
    "longitude",
    "opening_hours",
    "opening_notes",
    "languages",
    "accessibility",
    "national",
    "whole_region",
    "areas",
    "status",
    "last_verified",
)
REQUIRED_COLUMNS = ("name", "type", "summary", "description")
MAX_ROWS = 2000
TRUE_WORDS = {"yes", "y", "true", "1"}
FALSE_WORDS = {"no", "n", "false", "0", ""}


def export_rows(services: Iterable[Service]) -> Iterable[list[str]]:
    yield list(COLUMNS)
    for service in services:
        values = {
            "organisation": service.organisation.slug,
            "opening_hours": "; ".join(hours.describe_rule(rule) for rule in service.opening_hours),
            "languages": "; ".join(service.languages),
            "areas": "; ".join(sorted(area.code for area in service.areas.all())),
            "last_verified": service.last_verified.isoformat(),
        }
        row = []
        for column in COLUMNS:
            if column in values:
                row.append(values[column])
                continue
            value = getattr(service, column)
            if isinstance(value, bool):
                row.append("yes" if value else "no")
            else:
                row.append("" if value is None else str(value))
        yield row


def export_csv(*, user: User, services: list[Service]) -> str:
    """The services as CSV text (audited as an export)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerows(export_rows(services))
    audit.record(
        action=audit.Action.EXPORT,
        object_type="directory.service",
        user=user,
        role="directory_editor",
        summary=f"Exported {len(services)} directory services as CSV",
    )
    return buffer.getvalue()


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)


def import_csv(*, user: User, organisations: list[Organisation], data: bytes) -> ImportResult:
    result = ImportResult()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        result.errors.append("The file is not UTF-8 text: save it from your spreadsheet as 'CSV UTF-8'.")
        return result
    reader = csv.DictReader(io.StringIO(text))
    missing = [column for column in REQUIRED_COLUMNS if column not in (reader.fieldnames or [])]
    if missing:
        result.errors.append(
            f"The file has no {', '.join(missing)} column. The first row must name the columns."
        )
        return result
    by_slug = {o.slug: o for o in organisations}
    areas = dict(Area.objects.filter(level=AreaLevel.BOROUGH).values_list("code", "pk"))
    forms: list[ServiceForm] = []
    for number, row in enumerate(reader, start=2):
        if number - 1 > MAX_ROWS:
            result.errors.append(f"The file has more than {MAX_ROWS} services: split it into smaller files.")
            break
        form = _row_form(number, row, organisations, by_slug, areas, result.errors)
        if form is not None:
            forms.append(form)
    if result.errors:
        return result
    with transaction.atomic():
        for form in forms:
            creating = form.instance.pk is None
            form.save()
            result.created += creating
            result.updated += not creating
        audit.record(
            action=audit.Action.UPDATE,
            object_type="directory.service",
            user=user,
            role="directory_editor",
            summary=f"CSV import: {result.created} services added, {result.updated} updated",
        )
    return result


def _row_form(
    number: int,
    row: dict[str, str | None],
    organisations: list[Organisation],
    by_slug: dict[str, Organisation],
    areas: dict[str, int],
    errors: list[str],
) -> ServiceForm | None:
    values = {key.strip(): (value or "").strip() for key, value in row.items() if key}
    slug = values.get("slug", "")
    instance = Service.objects.filter(slug=slug).first() if slug else None
    if instance is not None and instance.organisation_id not in {o.pk for o in organisations}:
        errors.append(f"Row {number}: the service '{slug}' belongs to another organisation.")
        return None
    if slug and slugify(slug) != slug:
        errors.append(f"Row {number}, slug: use only lower-case letters, numbers and hyphens (not '{slug}').")
        return None
    data = QueryDict(mutable=True)
    for column in COLUMNS:
        value = values.get(column, "")
        if column in BOOLEAN_COLUMNS:
            if value.lower() not in TRUE_WORDS | FALSE_WORDS:
                errors.append(f"Row {number}, {column}: write yes or no (not '{value}').")
                return None
            if value.lower() in TRUE_WORDS:
                data[column] = "on"
        elif column == "areas":
            for code in filter(None, (part.strip().upper() for part in value.split(";"))):
                if code not in areas:
                    errors.append(
                        f"Row {number}, areas: '{code}' is not a London borough code (like E09000030)."
                    )
                    return None
                data.appendlist("areas", str(areas[code]))
        elif column == "organisation":
            organisation = (
                by_slug.get(value) if value else (organisations[0] if len(organisations) == 1 else None)
            )
            if organisation is None:
                errors.append(
                    f"Row {number}, organisation: give the slug of your organisation ({', '.join(by_slug)})."
                )
                return None
            data["organisation"] = str(organisation.pk)
        elif column == "opening_hours":
            data["opening_hours_text"] = value
        elif column == "languages":
            data["languages_text"] = ", ".join(part.strip() for part in value.split(";") if part.strip())
        elif column == "status":
            data["status"] = value or "active"
        elif column != "slug":
            data[column] = value
    if not data.get("last_verified"):
        data["last_verified"] = (instance.last_verified if instance else timezone.localdate()).isoformat()
    form = ServiceForm(data, instance=instance, organisations=organisations)
    if instance is None and slug:
        form.instance.slug = slug
    if not form.is_valid():
        for name, messages in form.errors.items():
            column = {"opening_hours_text": "opening_hours", "languages_text": "languages"}.get(name, name)
            errors.extend(f"Row {number}, {column}: {message}" for message in messages)
        return None
    return form
