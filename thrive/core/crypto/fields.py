"""Model fields that encrypt identifiable values under their subject's data key.

`EncryptedTextField`, `EncryptedCharField`, `EncryptedDateField` and `EncryptedJSONField` each name the
model's ForeignKey to `DataSubject` (`subject_field`, default "subject") and store a sealed token in a text
column:

- Writing: the value is encrypted in `pre_save`, when the instance (and so its subject) is known. None stays
  NULL and "" stays "" (text fields only): emptiness is not hidden. `QuerySet.update()` and `bulk_update()`
  cannot encrypt (they never see an instance) and refuse plaintext.
- Reading: a loaded value stays sealed until first read through the instance, so only the fields a page shows
  are decrypted, and the token's subject is checked against the row's own subject: a ciphertext copied onto
  another person's record fails closed (`DecryptionError`), as does any altered one. Through `.values()` and
  `.values_list()` an encrypted column comes back as a `Sealed` value: call `.open()` on it.
- Erased subjects: every field reads as "" (text) or None (dates, JSON) and never raises; writing a new value
  raises `SubjectErasedError`; re-saving the record keeps the unreadable tokens.
- Querying: only `isnull` (and `=""` on text) works; any other lookup raises `FieldError`. Exact-match search
  goes through a blind index (`thrive.core.crypto.blind`). Ordering by an encrypted field is meaningless.
- The associated data name the table and column: renaming either needs a migration that re-encrypts.
"""

from __future__ import annotations

import datetime
import json
import uuid
from functools import cache, cached_property
from typing import Any, NoReturn

from django.core import checks
from django.core.exceptions import FieldDoesNotExist, FieldError
from django.db import DataError, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import signals
from django.db.models.lookups import Exact, IsNull, Lookup
from django.db.models.query_utils import DeferredAttribute

from thrive.core.crypto import keys

SUBJECT_MODEL = "core.DataSubject"
_UNKNOWN: Any = object()  # the row's subject was not loaded with it (a deferred foreign key)
_ERASED: Any = object()


class _Ciphertext(str):
    """A token this module produced in `pre_save`: the only non-empty value the database layer accepts."""


class Sealed:
    """An encrypted value as loaded from the database, not yet decrypted."""

    __slots__ = ("field", "token", "row_subject_id")

    def __init__(self, field: EncryptedField, token: str) -> None:
        self.field = field
        self.token = token
        self.row_subject_id: uuid.UUID | None = _UNKNOWN

    def open(self) -> Any:
        """The plaintext (checked against the row's subject when it was loaded through a model instance)."""
        value = self.field.unseal(self)
        return self.field.erased_value if value is _ERASED else value

    def __repr__(self) -> str:
        return f"<Sealed {self.field}>"


class EncryptedAttribute(DeferredAttribute):
    """Decrypts a sealed value on first read and keeps the plaintext on the instance (for `pre_save`)."""

    field: EncryptedField

    def __get__(self, instance: Any, cls: Any = None) -> Any:
        if instance is None:
            return self
        value = super().__get__(instance, cls)
        if isinstance(value, Sealed):
            opened = self.field.unseal(value, instance=instance)
            if opened is _ERASED:
                return self.field.erased_value  # the token stays, so re-saving the record changes nothing
            instance.__dict__[self.field.attname] = opened
            return opened
        return value

    def __set__(self, instance: Any, value: Any) -> None:
        instance.__dict__[self.field.attname] = value


class _EmptyOnlyExact(Exact):
    """`field=""` (blank text) and `field=None` (IS NULL) are the only comparisons a ciphertext allows."""

    def __init__(self, lhs: Any, rhs: Any) -> None:
        field = lhs.output_field
        if not (rhs is None or (rhs == "" and field.empty_strings_allowed)):
            raise FieldError(_no_lookup_message(field, "exact"))
        super().__init__(lhs, rhs)


def _no_lookup_message(field: models.Field[Any, Any], lookup: str) -> str:
    return (
        f"{field} is encrypted: the database cannot compare it ('{lookup}'). Find records by a blind index "
        "(thrive.core.crypto.blind_index) instead."
    )


class EncryptedField(models.Field):
    """The behaviour shared by the encrypted fields; always combined with a concrete Django field class."""

    descriptor_class = EncryptedAttribute
    erased_value: Any = None

    def __init__(self, *args: Any, subject_field: str = "subject", **kwargs: Any) -> None:
        self.subject_field = subject_field
        super().__init__(*args, **kwargs)

    # Encoding of plaintexts, by field type.
    def encode(self, value: Any) -> bytes:
        raise NotImplementedError

    def decode(self, data: bytes) -> Any:
        raise NotImplementedError

    def is_empty(self, value: Any) -> bool:
        return value is None or (value == "" and self.empty_strings_allowed)

    def get_internal_type(self) -> str:
        return "TextField"

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["subject_field"] = self.subject_field
        if path.startswith(f"{__name__}."):
            path = f"thrive.core.crypto.{type(self).__name__}"
        return name, path, args, kwargs

    def contribute_to_class(
        self, cls: type[models.Model], name: str, private_only: bool = False, **kwargs: Any
    ) -> None:
        super().contribute_to_class(cls, name, private_only=private_only, **kwargs)
        if not cls._meta.abstract:
            signals.post_init.connect(
                _note_row_subjects, sender=cls, weak=False, dispatch_uid="thrive.core.crypto.row_subjects"
            )

    @cached_property
    def subject_attname(self) -> str:
        return self.model._meta.get_field(self.subject_field).attname  # type: ignore[union-attr]

    @cached_property
    def context(self) -> str:
        """What the associated data bind a value to, besides its subject."""
        return f"{self.model._meta.db_table}/{self.column}"

    # Reading.
    def from_db_value(self, value: Any, expression: Any, connection: BaseDatabaseWrapper) -> Any:
        if value is None or value == "":
            return value
        return Sealed(self, value)

    def unseal(self, sealed: Sealed, *, instance: models.Model | None = None) -> Any:
        """The plaintext, or `_ERASED`. Raises `DecryptionError` when the token is altered or out of place."""
        subject_id = keys.token_subject(sealed.token)
        row_subject = sealed.row_subject_id
        if row_subject is _UNKNOWN and instance is not None:
            row_subject = keys.as_uuid(getattr(instance, self.subject_attname))
        if row_subject is not _UNKNOWN and row_subject != subject_id:
            raise keys.DecryptionError(
                f"{self} holds a ciphertext of another data subject than its record's: refusing to read it"
            )
        key = keys.data_key(subject_id)
        if key is None:
            return _ERASED
        return self.decode(keys.unseal(sealed.token, key=key, context=self.context))

    # Writing.
    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        subject_id = keys.as_uuid(getattr(model_instance, self.subject_attname))
        raw = model_instance.__dict__.get(self.attname)
        if isinstance(raw, Sealed):
            token_subject = keys.token_subject(raw.token)
            if token_subject == subject_id and raw.row_subject_id in (_UNKNOWN, token_subject):
                return _Ciphertext(raw.token)  # unread and still in place: keep the ciphertext as it is
            opened = self.unseal(raw, instance=model_instance)
            value = self.erased_value if opened is _ERASED else opened
        else:
            value = getattr(model_instance, self.attname)
        value = self.to_python(value)
        if self.is_empty(value):
            return value
        self.check_plaintext(value)
        if subject_id is None:
            raise keys.EncryptionError(
                f"{self} needs its {self.subject_field} set before it can be encrypted"
            )
        key = keys.data_key(subject_id)
        if key is None:
            raise keys.SubjectErasedError(
                f"{self}: data subject {subject_id} is erased; nothing new can be stored"
            )
        return _Ciphertext(
            keys.seal(self.encode(value), key=key, subject_id=subject_id, context=self.context)
        )

    def check_plaintext(self, value: Any) -> None:
        """A last guard before encrypting (the database can no longer check the value)."""

    def get_prep_value(self, value: Any) -> Any:
        return value

    def get_db_prep_value(self, value: Any, connection: BaseDatabaseWrapper, prepared: bool = False) -> Any:
        if value is None or isinstance(value, _Ciphertext):
            return None if value is None else str(value)
        if value == "" and self.empty_strings_allowed:
            return ""
        raise keys.EncryptionError(
            f"{self} is encrypted when a model instance is saved; update(), bulk_update() and raw values "
            "cannot write it. Set the attribute and call save()."
        )

    def get_db_prep_save(self, value: Any, connection: BaseDatabaseWrapper) -> Any:
        if hasattr(value, "as_sql"):
            return value
        return self.get_db_prep_value(value, connection)

    # Querying.
    def get_lookup(self, lookup_name: str) -> type[Lookup[Any]] | None:
        if lookup_name == "isnull":
            return IsNull
        if lookup_name == "exact":
            return _EmptyOnlyExact
        raise FieldError(_no_lookup_message(self, lookup_name))

    def get_transform(self, lookup_name: str) -> NoReturn:
        raise FieldError(_no_lookup_message(self, lookup_name))

    # Checks.
    def check(self, **kwargs: Any) -> list[checks.CheckMessage]:
        return [*super().check(**kwargs), *self._check_subject_field(), *self._check_not_indexed()]

    def _check_subject_field(self) -> list[checks.CheckMessage]:
        try:
            subject = self.model._meta.get_field(self.subject_field)
        except FieldDoesNotExist:
            subject = None
        is_relation = subject is not None and bool(subject.many_to_one or subject.one_to_one)
        remote = getattr(getattr(subject, "remote_field", None), "model", None)
        remote_label = getattr(getattr(remote, "_meta", None), "label", remote)
        if not is_relation or remote_label != SUBJECT_MODEL:
            return [
                checks.Error(
                    f"subject_field '{self.subject_field}' must name a ForeignKey to {SUBJECT_MODEL}",
                    obj=self,
                    id="thrive_crypto.E001",
                )
            ]
        return []

    def _check_not_indexed(self) -> list[checks.CheckMessage]:
        if self.unique or self.primary_key or getattr(self, "db_index", False):  # db_index: not in the stubs
            return [
                checks.Error(
                    "An encrypted field cannot be unique, indexed or a primary key (ciphertexts all differ)",
                    hint="Index a BlindIndexField of the value instead.",
                    obj=self,
                    id="thrive_crypto.E002",
                )
            ]
        return []


@cache
def _encrypted_fields(model: type[models.Model]) -> tuple[EncryptedField, ...]:
    return tuple(f for f in model._meta.concrete_fields if isinstance(f, EncryptedField))


def _note_row_subjects(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    """Record, as a row is loaded, which subject it belongs to: a sealed value must name that subject even if
    the record is later moved to another subject in memory (a merge) before the value is read."""
    data = instance.__dict__
    for field in _encrypted_fields(sender):
        value = data.get(field.attname)
        if isinstance(value, Sealed) and field.subject_attname in data:
            value.row_subject_id = keys.as_uuid(data[field.subject_attname])


class EncryptedTextField(EncryptedField, models.TextField):
    """Free text (narratives, addresses). Reads as "" once its subject is erased."""

    erased_value = ""

    def encode(self, value: Any) -> bytes:
        return str(value).encode()

    def decode(self, data: bytes) -> Any:
        return data.decode()


class EncryptedCharField(EncryptedField, models.CharField):
    """Short text with a `max_length` that applies to the plaintext (the column itself is text)."""

    erased_value = ""

    def encode(self, value: Any) -> bytes:
        return str(value).encode()

    def decode(self, data: bytes) -> Any:
        return data.decode()

    def check_plaintext(self, value: Any) -> None:
        if self.max_length is not None and len(value) > self.max_length:
            raise DataError(f"{self} is at most {self.max_length} characters; this value has {len(value)}")


class EncryptedDateField(EncryptedField, models.DateField):
    """A `datetime.date` (dates of birth). Reads as None once its subject is erased."""

    def encode(self, value: Any) -> bytes:
        assert isinstance(value, datetime.date)
        return value.isoformat().encode()

    def decode(self, data: bytes) -> Any:
        return datetime.date.fromisoformat(data.decode())


class EncryptedJSONField(EncryptedField, models.JSONField):
    """Any JSON value (None is stored as NULL). Reads as None once its subject is erased."""

    def encode(self, value: Any) -> bytes:
        try:
            return json.dumps(value, cls=self.encoder, ensure_ascii=False, separators=(",", ":")).encode()
        except TypeError as exc:
            raise TypeError(f"{self} holds a value that is not JSON serialisable: {exc}") from exc

    def decode(self, data: bytes) -> Any:
        return json.loads(data, cls=self.decoder)
