"""The data subject: one person whose identifiable data are encrypted under their own data key.

Each subject (a deceased person, a bereaved person, a patient) holds a random 256-bit data key, wrapped by the
current master key (from `THRIVE_ENCRYPTION_KEYS`) and never stored in the clear. Destroying the wrapped key
erases the subject: their ciphertexts stay in the database but nobody can read them again (crypto-shredding).
See `thrive.core.crypto` and docs/adr/0003-envelope-encryption.md.
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.db import models
from django.utils import timezone

from thrive.core.classification import C, Classification


class DataSubjectManager(models.Manager["DataSubject"]):
    def create_subject(self) -> DataSubject:
        """A new subject with a fresh data key, wrapped under the current master key."""
        # Imported here: the crypto package imports this module (for `DataSubject`) as it loads.
        from thrive.core.crypto import keys

        subject_id = uuid.uuid4()
        data_key = keys.new_data_key()
        master = keys.current_master_key()
        subject = self.create(
            id=subject_id,
            wrapped_key=keys.wrap_data_key(data_key, subject_id=subject_id, master=master),
            master_key_id=master.key_id,
        )
        keys.remember_data_key(subject_id, data_key)
        return subject


class DataSubject(models.Model):
    """A person's data key, wrapped. Random UUIDs (never reused, unlike row ids after a rollback) name the
    subject in every ciphertext, so a cached key can never be confused with another subject's."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    wrapped_key = models.BinaryField(blank=True)
    master_key_id = models.CharField(max_length=8, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    erased_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[DataSubjectManager] = DataSubjectManager()

    data_classification: ClassVar[dict[str, Classification]] = {
        "id": C.PSEUDONYMOUS,
        "wrapped_key": C.PSEUDONYMOUS,
        "master_key_id": C.PSEUDONYMOUS,
        "created_at": C.PSEUDONYMOUS,
        "erased_at": C.PSEUDONYMOUS,
    }

    class Meta:
        constraints = [
            # A subject holds a wrapped key, or has been erased and holds none: never both, never neither.
            models.CheckConstraint(
                condition=(
                    (models.Q(erased_at__isnull=True) & ~models.Q(wrapped_key=b""))
                    | (models.Q(erased_at__isnull=False) & models.Q(wrapped_key=b""))
                ),
                name="datasubject_key_or_erased",
            )
        ]

    def __str__(self) -> str:
        return f"data subject {self.pk}{' (erased)' if self.erased_at else ''}"

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None
