"""Encryption of identifiable data: envelope encryption with a data key per subject, blind indexes for
exact-match lookups, crypto-shredding and master key rotation (docs/adr/0003-envelope-encryption.md).

The public interface, for the other apps:

- `DataSubject` (`DataSubject.objects.create_subject()`): one per person, holding their wrapped data key.
- `EncryptedTextField`, `EncryptedCharField`, `EncryptedDateField`, `EncryptedJSONField` (`subject_field=`
  names the model's ForeignKey to `DataSubject`); see `fields` for what they allow.
- `blind_index`, `normalise_name`, `nhs_number_index`, `name_dob_index`, `BlindIndexField`.
- `erase_subject(*, subject, by=None, reason)`, `rotate_keys(...)` (the `thrive rotate-keys` command).
- `warm_key_cache(subject_ids)` before decrypting a page of many subjects' records.
"""

from thrive.core.crypto.blind import (
    BlindIndexField,
    blind_index,
    name_dob_index,
    nhs_number_index,
    normalise_name,
    normalise_text,
)
from thrive.core.crypto.fields import (
    EncryptedCharField,
    EncryptedDateField,
    EncryptedJSONField,
    EncryptedTextField,
    Sealed,
)
from thrive.core.crypto.keys import (
    CryptoError,
    DecryptionError,
    EncryptionError,
    MasterKeyError,
    SubjectErasedError,
    clear_key_cache,
    warm_key_cache,
)
from thrive.core.crypto.services import erase_subject, master_key_usage, rotate_keys
from thrive.core.crypto_models import DataSubject

__all__ = [
    "BlindIndexField",
    "CryptoError",
    "DataSubject",
    "DecryptionError",
    "EncryptedCharField",
    "EncryptedDateField",
    "EncryptedJSONField",
    "EncryptedTextField",
    "EncryptionError",
    "MasterKeyError",
    "Sealed",
    "SubjectErasedError",
    "blind_index",
    "clear_key_cache",
    "erase_subject",
    "master_key_usage",
    "name_dob_index",
    "nhs_number_index",
    "normalise_name",
    "normalise_text",
    "rotate_keys",
    "warm_key_cache",
]
