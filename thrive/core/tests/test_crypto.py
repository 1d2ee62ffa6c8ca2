"""Envelope encryption of identifiable fields: round trips, failing closed, erasure, rotation, and the
guarantee that a known identifier never reaches the database in plaintext.

The models below belong to an app label that is not installed ("crypto_tests"), so migrations and the
classification test never see them; their tables are created for this module and dropped after it.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterator
from typing import Any, ClassVar

import pytest
from django.apps import apps
from django.core.exceptions import FieldError, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DataError, IntegrityError, connection, models, transaction
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from thrive.core.audit import Action
from thrive.core.classification import C, classification_of
from thrive.core.crypto import (
    BlindIndexField,
    DataSubject,
    DecryptionError,
    EncryptedCharField,
    EncryptedDateField,
    EncryptedJSONField,
    EncryptedTextField,
    EncryptionError,
    MasterKeyError,
    Sealed,
    SubjectErasedError,
    clear_key_cache,
    erase_subject,
    keys,
    nhs_number_index,
    rotate_keys,
    warm_key_cache,
)
from thrive.core.crypto.fields import EncryptedField
from thrive.core.models import AuditEntry

KEY_A, KEY_B = keys.generate_master_key(), keys.generate_master_key()
NAME, NHS, BORN = "Philippa Quorndon-Ashby", "9434765919", datetime.date(1961, 7, 23)
CONTROL = "plaintext-control-7f3a"  # stored in the clear: proves the raw checks can see stored text at all


class Person(models.Model):
    subject = models.ForeignKey(DataSubject, on_delete=models.PROTECT, db_constraint=False, related_name="+")
    name = EncryptedCharField(max_length=100, subject_field="subject", blank=True)
    nhs_number = EncryptedCharField(max_length=10, blank=True)
    born = EncryptedDateField(null=True, blank=True)
    notes = EncryptedTextField(blank=True)
    details = EncryptedJSONField(null=True, blank=True)
    label = models.CharField(max_length=50, blank=True)
    nhs_index = BlindIndexField()

    objects: ClassVar[models.Manager[Person]] = models.Manager()  # declared: the app is not installed

    class Meta:
        app_label = "crypto_tests"

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk}"


class Pet(models.Model):
    """Another table with a same-named column, to show ciphertexts cannot move between tables."""

    subject = models.ForeignKey(DataSubject, on_delete=models.PROTECT, db_constraint=False, related_name="+")
    name = EncryptedCharField(max_length=100, blank=True)

    objects: ClassVar[models.Manager[Pet]] = models.Manager()

    class Meta:
        app_label = "crypto_tests"

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk}"


class Misdeclared(models.Model):
    """Never stored: only its field checks are run."""

    owner = models.ForeignKey(DataSubject, on_delete=models.PROTECT, db_constraint=False, related_name="+")
    wrong_subject = EncryptedTextField(subject_field="nobody")
    indexed = EncryptedTextField(subject_field="owner", db_index=True)

    class Meta:
        app_label = "crypto_tests"

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk}"


@pytest.fixture(scope="module")
def crypto_tables(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock():
        existing = set(connection.introspection.table_names())
        with connection.schema_editor() as editor:
            for model in (Person, Pet):
                if model._meta.db_table not in existing:
                    editor.create_model(model)
    yield
    with django_db_blocker.unblock(), connection.schema_editor() as editor:
        for model in (Person, Pet):
            editor.delete_model(model)


@pytest.fixture(autouse=True)
def fresh_key_cache() -> Iterator[None]:
    clear_key_cache()
    yield
    clear_key_cache()


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("crypto_tables")]


def raw_column(model: type[models.Model], column: str, pk: Any) -> Any:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {connection.ops.quote_name(column)} FROM {model._meta.db_table} WHERE id = %s", [pk]
        )
        return cursor.fetchone()[0]


def write_raw(model: type[models.Model], column: str, pk: Any, value: Any) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {model._meta.db_table} SET {connection.ops.quote_name(column)} = %s WHERE id = %s",
            [value, pk],
        )


def make_person(**values: Any) -> Person:
    values.setdefault("subject", DataSubject.objects.create_subject())
    return Person.objects.create(**values)


def reload(person: Person) -> Person:
    clear_key_cache()
    return Person.objects.get(pk=person.pk)


def test_every_field_type_round_trips() -> None:
    details = {"lat": 51.5, "tags": ["a", "é"], "nested": {"n": None, "ok": True}}
    person = make_person(name=NAME, nhs_number=NHS, born=BORN, notes="Line one\nLine two ✓", details=details)
    loaded = reload(person)
    assert (loaded.name, loaded.nhs_number, loaded.born) == (NAME, NHS, BORN)
    assert loaded.notes == "Line one\nLine two ✓" and loaded.details == details
    assert isinstance(loaded.born, datetime.date)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    text=st.text(max_size=300),
    value=st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
        max_leaves=12,
    ),
)
def test_text_and_json_round_trip_through_the_database(text: str, value: Any) -> None:
    person = make_person(notes=text, details=value)
    loaded = reload(person)
    assert loaded.notes == text and loaded.details == value


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plaintext=st.binary(max_size=200), context=st.text(min_size=1, max_size=40))
def test_sealing_round_trips_and_pads_to_blocks(plaintext: bytes, context: str) -> None:
    key, subject_id = keys.new_data_key(), DataSubject().pk
    token = keys.seal(plaintext, key=key, subject_id=subject_id, context=context)
    assert keys.unseal(token, key=key, context=context) == plaintext
    assert len(keys.parse_token(token)[2]) == 16 * (len(plaintext) // 16 + 1) + 16  # padded blocks + GCM tag


def test_bulk_create_encrypts_and_refresh_from_db_decrypts() -> None:
    subject = DataSubject.objects.create_subject()
    Person.objects.bulk_create([Person(subject=subject, name=f"Bulk {i}", born=BORN) for i in range(3)])
    stored = list(Person.objects.filter(subject=subject))
    assert len(stored) == 3 and {raw_column(Person, "name", p.pk)[:3] for p in stored} == {"v1."}
    person = stored[0]
    person.name, person.born = "Unsaved", None
    person.refresh_from_db()
    assert person.name.startswith("Bulk ") and person.born == BORN


def test_stored_values_are_versioned_tokens_and_emptiness_stays_plain() -> None:
    person = make_person(name="Al", nhs_number="", notes="")
    other = make_person(name="Alexandrina", subject=person.subject)
    token = raw_column(Person, "name", person.pk)
    assert token.startswith(f"v1.{person.subject.pk.hex}.") and len(token.split(".")) == 4
    assert len(token) == len(raw_column(Person, "name", other.pk))  # short names all look the same length
    assert raw_column(Person, "nhs_number", person.pk) == "" and raw_column(Person, "born", person.pk) is None
    assert raw_column(Person, "details", person.pk) is None


def test_equal_values_encrypt_differently() -> None:
    subject = DataSubject.objects.create_subject()
    first, second = make_person(subject=subject, name=NAME), make_person(subject=subject, name=NAME)
    assert raw_column(Person, "name", first.pk) != raw_column(Person, "name", second.pk)


def test_altered_ciphertext_fails_closed() -> None:
    person = make_person(name=NAME, notes="narrative")
    token = raw_column(Person, "name", person.pk)
    version, subject, nonce, ciphertext = token.split(".")
    flipped = ciphertext[:5] + ("A" if ciphertext[5] != "A" else "B") + ciphertext[6:]
    write_raw(Person, "name", person.pk, ".".join([version, subject, nonce, flipped]))
    write_raw(Person, "notes", person.pk, "not a ciphertext")
    loaded = reload(person)
    with pytest.raises(DecryptionError, match="fails authentication"):
        _ = loaded.name
    with pytest.raises(DecryptionError, match="not a Thrive ciphertext"):
        _ = loaded.notes
    with pytest.raises(DecryptionError), transaction.atomic():
        loaded.save()  # a record with an altered value cannot be re-saved either


def test_ciphertext_moved_to_another_subject_fails_closed() -> None:
    alice, bob = make_person(name="Alice Arbuthnot"), make_person(name="Bob Bramley")
    alice_token = raw_column(Person, "name", alice.pk)
    write_raw(Person, "name", bob.pk, alice_token)  # the whole token, naming Alice's subject, on Bob's row
    with pytest.raises(DecryptionError, match="another data subject"):
        _ = reload(bob).name
    # Relabelled as Bob's: the associated data no longer match, and Bob's key is not Alice's.
    relabelled = alice_token.replace(alice.subject.pk.hex, bob.subject.pk.hex)
    write_raw(Person, "name", bob.pk, relabelled)
    with pytest.raises(DecryptionError, match="fails authentication"):
        _ = reload(bob).name


def test_ciphertext_moved_to_another_column_or_table_fails_closed() -> None:
    person = make_person(name=NAME, notes="x")
    pet = Pet.objects.create(subject=person.subject, name="Rex")
    write_raw(Person, "notes", person.pk, raw_column(Person, "name", person.pk))
    write_raw(Pet, "name", pet.pk, raw_column(Person, "name", person.pk))
    with pytest.raises(DecryptionError):
        _ = reload(person).notes
    with pytest.raises(DecryptionError):
        _ = Pet.objects.get(pk=pet.pk).name


def test_values_queries_return_sealed_values_to_open() -> None:
    person = make_person(name=NAME, born=BORN)
    name, born, notes = Person.objects.filter(pk=person.pk).values_list("name", "born", "notes").get()
    assert isinstance(name, Sealed) and NAME not in repr(name)
    assert (name.open(), born.open(), notes) == (NAME, BORN, "")


def test_unread_values_are_saved_back_unchanged_and_deferred_ones_load() -> None:
    person = make_person(name=NAME, label="before")
    token = raw_column(Person, "name", person.pk)
    loaded = reload(person)
    loaded.label = "after"
    loaded.save()
    assert raw_column(Person, "name", person.pk) == token
    deferred = Person.objects.only("label").get(pk=person.pk)
    assert deferred.name == NAME
    loaded.name = "Changed"
    loaded.save(update_fields=["name"])
    assert reload(person).name == "Changed"


def test_moving_a_record_to_another_subject_reencrypts_it() -> None:
    person = make_person(name=NAME, born=BORN)
    survivor = DataSubject.objects.create_subject()
    loaded = reload(person)
    loaded.subject = survivor  # a merge: values not yet read are re-encrypted under the new subject's key
    loaded.save()
    assert raw_column(Person, "name", person.pk).startswith(f"v1.{survivor.pk.hex}.")
    moved = reload(person)
    assert (moved.name, moved.born) == (NAME, BORN)


def test_writes_that_bypass_save_are_refused() -> None:
    person = make_person(name=NAME)
    with pytest.raises(EncryptionError, match="update"), transaction.atomic():
        Person.objects.filter(pk=person.pk).update(name="Plain Text")
    person.name = "Plain Text"
    with pytest.raises(EncryptionError), transaction.atomic():
        Person.objects.bulk_update([person], ["name"])
    Person.objects.filter(pk=person.pk).update(born=None)  # clearing is fine
    with pytest.raises(EncryptionError, match="subject"):
        Person(name=NAME).save()


def test_encrypted_fields_cannot_be_compared_in_the_database() -> None:
    person = make_person(name=NAME, nhs_number=NHS, nhs_index=nhs_number_index(NHS))
    for lookup in ({"name": NAME}, {"name__icontains": "Phil"}, {"born__year": 1961}, {"name__in": [NAME]}):
        with pytest.raises(FieldError, match="blind index"):
            Person.objects.filter(**lookup).count()
    assert list(Person.objects.filter(nhs_index=nhs_number_index("943 476 5919"))) == [person]
    assert Person.objects.filter(pk=person.pk, notes="", born__isnull=True, details=None).count() == 1


def test_char_length_is_checked_on_the_plaintext() -> None:
    person = Person(subject=DataSubject.objects.create_subject(), nhs_number="94347659190")
    with pytest.raises(ValidationError, match="at most 10 characters"):
        person.full_clean()
    with pytest.raises(DataError, match="at most 10"):
        person.save()


def test_erasure_makes_every_field_unreadable_for_good() -> None:
    person = make_person(name=NAME, nhs_number=NHS, born=BORN, notes="narrative", details={"a": 1})
    assert reload(person).name == NAME  # the key is now cached in this process
    erased = erase_subject(subject=person.subject, reason="Right to erasure request 42")
    assert erased.erased_at is not None and person.subject.is_erased
    entry = AuditEntry.objects.get(action=Action.ERASE, object_id=str(person.subject.pk))
    assert entry.reason == "Right to erasure request 42" and entry.object_type == "core.datasubject"

    loaded = Person.objects.get(pk=person.pk)  # no cache clearing: erasure evicted the key itself
    assert (loaded.name, loaded.nhs_number, loaded.born, loaded.notes, loaded.details) == (
        "",
        "",
        None,
        "",
        None,
    )
    loaded.label = "still editable"
    loaded.save()  # re-saving keeps the unreadable ciphertexts
    assert raw_column(Person, "name", person.pk).startswith("v1.")
    loaded.name = "New name"
    with pytest.raises(SubjectErasedError), transaction.atomic():
        loaded.save()

    subject = DataSubject.objects.get(pk=person.subject.pk)
    assert bytes(subject.wrapped_key) == b""
    assert keys.data_key(subject.pk) is None  # nothing left to unwrap, whatever master keys are configured
    erase_subject(subject=subject, reason="again")  # idempotent: no second entry
    assert AuditEntry.objects.filter(action=Action.ERASE, object_id=str(subject.pk)).count() == 1
    with pytest.raises(ValueError, match="reason"):
        erase_subject(subject=DataSubject.objects.create_subject(), reason=" ")


def test_erased_subject_ciphertext_cannot_be_revived_with_its_old_wrapped_key() -> None:
    person = make_person(name=NAME)
    old_wrapped = bytes(person.subject.wrapped_key)
    erase_subject(subject=person.subject, reason="test")
    with (
        pytest.raises(IntegrityError),
        transaction.atomic(),
    ):  # the database refuses a key on an erased subject
        DataSubject.objects.filter(pk=person.subject.pk).update(wrapped_key=old_wrapped)


def test_rotation_from_key_a_to_b_keeps_everything_readable() -> None:
    with override_settings(ENCRYPTION_KEYS=[KEY_A]):
        people = [make_person(name=f"{NAME} {i}", born=BORN, details={"i": i}) for i in range(5)]
        erased = make_person(name="Gone")
        erase_subject(subject=erased.subject, reason="test")
        key_a = keys.current_master_key().key_id

    # A removed before rotation: a clear error.
    with override_settings(ENCRYPTION_KEYS=[KEY_B]), pytest.raises(MasterKeyError, match=key_a):
        _ = reload(people[0]).name
    with override_settings(ENCRYPTION_KEYS=[KEY_B, KEY_A]):
        key_b = keys.current_master_key().key_id
        assert [reload(p).name for p in people] == [f"{NAME} {i}" for i in range(5)]  # old key still reads
        new = make_person(name="Written during rotation")
        assert new.subject.master_key_id == key_b
        out = io.StringIO()
        call_command("rotate-keys", "--batch-size", "2", stdout=out)
        assert (
            "rewrapped 4 of 5" in out.getvalue()
            and f"may be removed from THRIVE_ENCRYPTION_KEYS: {key_a}" in (out.getvalue())
        )
        assert rotate_keys().rewrapped == 0  # idempotent
    with override_settings(ENCRYPTION_KEYS=[KEY_B]):
        assert [reload(p).name for p in [*people, new]] == [*(f"{NAME} {i}" for i in range(5)), new.name]
        assert reload(people[3]).details == {"i": 3} and reload(erased).name == ""
        assert set(
            DataSubject.objects.filter(erased_at__isnull=True).values_list("master_key_id", flat=True)
        ) == {key_b}
    summaries = AuditEntry.objects.filter(action=Action.UPDATE, object_type="core.datasubject")
    assert summaries.count() == 2 and "5 data keys rewrapped" in summaries.earliest("id").summary


def test_missing_or_malformed_master_keys_are_clear_errors() -> None:
    with override_settings(ENCRYPTION_KEYS=[]), pytest.raises(MasterKeyError, match="THRIVE_ENCRYPTION_KEYS"):
        DataSubject.objects.create_subject()
    secretish = "c2hvcnQ="  # "short"
    with override_settings(ENCRYPTION_KEYS=[secretish]), pytest.raises(MasterKeyError) as caught:
        DataSubject.objects.create_subject()
    assert "decodes to 5 bytes" in str(caught.value) and secretish not in str(caught.value)
    with override_settings(ENCRYPTION_KEYS=["not base64!"]), pytest.raises(CommandError, match="base64"):
        call_command("rotate-keys", stdout=io.StringIO())


def test_warming_the_key_cache_takes_one_query(django_assert_num_queries: Any) -> None:
    people = [make_person(name=f"P{i}") for i in range(4)]
    page = Person.objects.filter(pk__in=[p.pk for p in people]).order_by("pk")
    loaded, subject_ids = list(page), list(page.values_list("subject", flat=True))
    clear_key_cache()
    with django_assert_num_queries(1):
        warm_key_cache(subject_ids)
        assert [p.name for p in loaded] == [f"P{i}" for i in range(4)]


def test_key_cache_is_bounded_and_expires() -> None:
    now = [0.0]
    cache = keys._KeyCache(size=2, seconds=10, clock=lambda: now[0])
    ids = [DataSubject().pk for _ in range(3)]
    for subject_id in ids:
        cache.put(subject_id, b"k")
    assert len(cache) == 2 and cache.get(ids[0]) is None and cache.get(ids[2]) == b"k"
    now[0] = 10.0
    assert cache.get(ids[2]) is None


def test_field_checks_and_migration_paths() -> None:
    assert [e.id for e in Misdeclared._meta.get_field("wrong_subject").check()] == ["thrive_crypto.E001"]
    assert [e.id for e in Misdeclared._meta.get_field("indexed").check()] == ["thrive_crypto.E002"]
    assert Person._meta.get_field("name").check() == []
    name, path, args, kwargs = Person._meta.get_field("name").deconstruct()
    assert path == "thrive.core.crypto.EncryptedCharField" and kwargs["subject_field"] == "subject"
    _, index_path, _, index_kwargs = Person._meta.get_field("nhs_index").deconstruct()
    assert index_path == "thrive.core.crypto.BlindIndexField" and index_kwargs == {}


def test_every_encrypted_field_in_thrive_is_classified_identifiable() -> None:
    wrong = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, EncryptedField) and classification_of(model, field.name) != C.IDENTIFIABLE
    ]
    assert wrong == []


def test_a_known_identifier_never_reaches_the_database_in_plaintext() -> None:
    """The issue's guarantee. On SQLite: the database file's bytes (`serialize()`: the pages as they would be
    written to disk, including this transaction's) and `iterdump()`. On PostgreSQL: every table's rows as
    `pg_dump` writes them (COPY ... TO STDOUT), read in this transaction."""
    make_person(
        name=NAME,
        nhs_number=NHS,
        born=BORN,
        notes=f"{NAME} was found",
        details={"nhs": NHS},
        label=CONTROL,
        nhs_index=nhs_number_index(NHS),
    )
    secrets = [NAME.encode(), NHS.encode(), b"Quorndon", BORN.isoformat().encode()]
    if connection.vendor == "sqlite":
        raw = connection.connection
        images = {"dump": "\n".join(raw.iterdump()).encode(), "file": raw.serialize()}
    else:
        chunks: list[bytes] = []
        with connection.cursor() as cursor:
            for table in connection.introspection.table_names(cursor):
                with cursor.cursor.copy(f'COPY "{table}" TO STDOUT') as copy:
                    chunks.extend(bytes(block) for block in copy)
        images = {"dump": b"".join(chunks)}
    for where, image in images.items():
        assert CONTROL.encode() in image, f"the {where} check cannot see stored text"
        for secret in secrets:
            assert secret not in image, f"{secret!r} is in the {where} in plaintext"
