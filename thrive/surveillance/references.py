"""Case references, `RTSS-YYYY-NNNNN`: unique, numbered per year; a number may go unused (a gap), never twice.

On PostgreSQL each year's numbers come from a sequence, `thrive_case_reference_YYYY`, made on the year's first
case: `nextval` takes no lock that lasts until commit, so concurrent reports never wait on each other for a
number (the number of a report that then fails is not reused). On SQLite, which lets one writer at a time in
anyway, the year's `ReferenceCounter` row is counted up in the caller's transaction.

The counter is also the floor: a new sequence starts after the larger of the year's counter and the highest
number already given, and `reserve` (for the demo history, which numbers its past cases in memory) moves the
counter and any sequence past what it used, so later cases never collide with them.
"""

from __future__ import annotations

from django.db import connection, transaction
from django.db.models import BigIntegerField, Max
from django.db.models.functions import Cast, Substr

from thrive.surveillance.models import Case, ReferenceCounter

PREFIX = "RTSS"
# pg_advisory_xact_lock's key for making a year's sequence: this number plus the year.
CREATE_LOCK = 0x5254_5353_0000


def format_reference(year: int, number: int) -> str:
    return f"{PREFIX}-{year}-{number:05d}"


def sequence_name(year: int) -> str:
    return f"thrive_case_reference_{int(year):04d}"


def uses_sequences() -> bool:
    return connection.vendor == "postgresql"


def take(year: int) -> str:
    """The next reference for `year`, in the caller's transaction (which it never holds up on PostgreSQL)."""
    if uses_sequences():
        return format_reference(year, _next_from_sequence(year))
    with transaction.atomic():
        counter = ReferenceCounter.objects.select_for_update().filter(year=year).first()
        if counter is None:  # a new year's row starts at the floor; of two racing to make it, one does
            ReferenceCounter.objects.bulk_create(
                [ReferenceCounter(year=year, last=highest_given(year))], ignore_conflicts=True
            )
            counter = ReferenceCounter.objects.select_for_update().get(year=year)
        counter.last += 1
        counter.save(update_fields=["last"])
    return format_reference(year, counter.last)


def highest_given(year: int) -> int:
    """The highest number among the year's cases (0 if none)."""
    start = len(f"{PREFIX}-{year}-") + 1
    found = (
        Case.objects.filter(reference__startswith=f"{PREFIX}-{year}-")
        .annotate(number=Cast(Substr("reference", start), BigIntegerField()))
        .aggregate(highest=Max("number"))["highest"]
    )
    return int(found or 0)


def floor(year: int) -> int:
    """No number up to this one may be given for `year`: the counter and the cases already numbered."""
    counted = ReferenceCounter.objects.filter(year=year).values_list("last", flat=True).first() or 0
    return max(counted, highest_given(year))


def last_taken(year: int) -> int:
    """The highest number given or reserved for `year`, wherever it was counted."""
    return max(floor(year), _sequence_last(year) or 0)


def reserve(year: int, last: int) -> None:
    """Make sure the numbers after `last` are the next ones given for `year` at the earliest (the demo history
    numbers its cases itself, then calls this)."""
    with transaction.atomic():
        counter, created = ReferenceCounter.objects.select_for_update().get_or_create(
            year=year, defaults={"last": last}
        )
        if not created and counter.last < last:
            counter.last = last
            counter.save(update_fields=["last"])
        behind = _sequence_last(year)
        if behind is not None and behind < last:
            # Taken, not set: each nextval is unique, so this never hands out a number twice, whatever runs
            # alongside; afterwards the sequence stands at `last` or beyond.
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT max(nextval(%s)) FROM generate_series(1, %s)",
                    [sequence_name(year), last - behind],
                )


def _sequence_last(year: int) -> int | None:
    """The last number the year's sequence gave (0 if none yet); None without a sequence."""
    if not uses_sequences():
        return None
    name = sequence_name(year)
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
        if not cursor.fetchone()[0]:
            return None
        cursor.execute(f"SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM {name}")  # noqa: S608
        return int(cursor.fetchone()[0])


def _next_from_sequence(year: int) -> int:
    name = sequence_name(year)  # from an integer: safe to put in SQL
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
        if cursor.fetchone()[0]:
            cursor.execute("SELECT nextval(%s)", [name])
            return int(cursor.fetchone()[0])
    # The year's first case (or a race for it). The advisory lock lasts until the caller commits, so a second
    # maker waits, then finds the sequence made (CREATE ... IF NOT EXISTS looks again, where a lookup by name
    # could still see its cached "no such relation") and already used: a sequence is committed only with
    # the nextval of the transaction that made it. Ours, seen by no one until we commit, starts past the
    # floor, racing with nothing.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CREATE_LOCK + int(year)])
        cursor.execute(f"CREATE SEQUENCE IF NOT EXISTS {name} AS bigint MINVALUE 1")
        cursor.execute(f"SELECT is_called FROM {name}")  # noqa: S608 - the name is made from an integer
        if not cursor.fetchone()[0]:
            start = floor(year)
            if start:
                cursor.execute("SELECT setval(%s, %s, true)", [name, start])
        cursor.execute("SELECT nextval(%s)", [name])
        return int(cursor.fetchone()[0])
