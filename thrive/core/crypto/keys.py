"""Master keys, data keys, and sealing values under a data key (AES-256-GCM throughout).

- A master key is 32 random bytes in URL-safe base64, listed in `settings.ENCRYPTION_KEYS` (the first is
  current). Its id is the first 8 hex digits of its SHA-256, stored beside every key it wraps.
- A data key (one per `DataSubject`) is wrapped by a master key with AES-GCM; the associated data bind it to
  its subject and master key id, so a wrapped key copied onto another subject's row does not unwrap.
- A value is sealed as `v1.<subject uuid hex>.<nonce>.<ciphertext>` (URL-safe base64, unpadded). The
  associated data bind it to its table, column and subject: moved elsewhere, it fails authentication.
  Plaintexts are padded to a multiple of 16 bytes first, so short values (most names) look the same length.

Unwrapped data keys are cached per process (a bounded LRU with a short lifetime, so that an erasure made by
another process takes effect here within `KEY_CACHE_SECONDS`); `erase_subject` evicts at once in its own.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

if TYPE_CHECKING:
    from thrive.core.crypto_models import DataSubject

VERSION = "v1"
NONCE_BYTES = 12
KEY_BYTES = 32
PAD_BLOCK = 16
KEY_CACHE_SIZE = 4096
KEY_CACHE_SECONDS = 300.0


class CryptoError(Exception):
    """Base of every error raised by Thrive's encryption."""


class MasterKeyError(CryptoError, ImproperlyConfigured):
    """No master key, a malformed one, or a data key wrapped by a master key that is not configured."""


class DecryptionError(CryptoError):
    """A stored value is malformed, altered, or moved from another field, row or subject: fail closed."""


class EncryptionError(CryptoError):
    """A value cannot be encrypted: no subject, or a write path (update(), bulk_update()) that bypasses it."""


class SubjectErasedError(EncryptionError):
    """New identifiable data for a subject whose data key has been destroyed."""


@dataclass(frozen=True)
class MasterKey:
    key_id: str
    key: bytes = field(repr=False)


def key_id_of(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()[:8]


def generate_master_key() -> str:
    """A new master key in the form `THRIVE_ENCRYPTION_KEYS` takes."""
    return base64.urlsafe_b64encode(os.urandom(KEY_BYTES)).decode()


@lru_cache(maxsize=8)
def _parse_master_keys(encoded: tuple[str, ...]) -> tuple[MasterKey, ...]:
    parsed: list[MasterKey] = []
    for position, text in enumerate(encoded, start=1):
        try:
            raw = base64.urlsafe_b64decode(text.strip().encode("ascii"))
        except (ValueError, binascii.Error):
            raise MasterKeyError(
                f"THRIVE_ENCRYPTION_KEYS entry {position} is not URL-safe base64 "
                f"(a master key is {KEY_BYTES} random bytes: `thrive rotate-keys --new-key` prints one)"
            ) from None
        if len(raw) != KEY_BYTES:
            raise MasterKeyError(
                f"THRIVE_ENCRYPTION_KEYS entry {position} decodes to {len(raw)} bytes, not {KEY_BYTES}"
            )
        key = MasterKey(key_id_of(raw), raw)
        if key.key_id not in {k.key_id for k in parsed}:
            parsed.append(key)
    return tuple(parsed)


def master_keys() -> tuple[MasterKey, ...]:
    """The configured master keys, current first."""
    configured = tuple(k for k in (getattr(settings, "ENCRYPTION_KEYS", None) or ()) if k.strip())
    if not configured:
        raise MasterKeyError(
            "No master key: set THRIVE_ENCRYPTION_KEYS to URL-safe base64 32-byte keys (the first current)"
        )
    return _parse_master_keys(configured)


def current_master_key() -> MasterKey:
    return master_keys()[0]


def master_key(key_id: str) -> MasterKey:
    for key in master_keys():
        if key.key_id == key_id:
            return key
    raise MasterKeyError(
        f"Master key {key_id} is not in THRIVE_ENCRYPTION_KEYS, so the data keys it wrapped cannot be "
        "unwrapped. Put it back in the list (after the current key) and run `thrive rotate-keys` first."
    )


def new_data_key() -> bytes:
    return AESGCM.generate_key(bit_length=KEY_BYTES * 8)


def _wrap_aad(subject_id: uuid.UUID, key_id: str) -> bytes:
    return f"thrive/data-key/{VERSION}/{subject_id.hex}/{key_id}".encode()


def wrap_data_key(data_key: bytes, *, subject_id: uuid.UUID, master: MasterKey) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(master.key).encrypt(nonce, data_key, _wrap_aad(subject_id, master.key_id))


def unwrap_data_key(wrapped: bytes, *, subject_id: uuid.UUID, key_id: str) -> bytes:
    master = master_key(key_id)
    try:
        return AESGCM(master.key).decrypt(
            wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], _wrap_aad(subject_id, key_id)
        )
    except (InvalidTag, ValueError):
        raise DecryptionError(
            f"The data key of subject {subject_id} does not unwrap under master key {key_id}: it was altered "
            "or copied from another subject"
        ) from None


class _KeyCache:
    """A small thread-safe LRU of unwrapped data keys whose entries expire (see the module docstring)."""

    def __init__(self, *, size: int, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.size, self.seconds, self.clock = size, seconds, clock
        self._entries: OrderedDict[uuid.UUID, tuple[bytes, float]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, subject_id: uuid.UUID) -> bytes | None:
        with self._lock:
            entry = self._entries.get(subject_id)
            if entry is None:
                return None
            if entry[1] <= self.clock():
                del self._entries[subject_id]
                return None
            self._entries.move_to_end(subject_id)
            return entry[0]

    def put(self, subject_id: uuid.UUID, key: bytes) -> None:
        with self._lock:
            self._entries[subject_id] = (key, self.clock() + self.seconds)
            self._entries.move_to_end(subject_id)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def discard(self, subject_id: uuid.UUID) -> None:
        with self._lock:
            self._entries.pop(subject_id, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


_cache = _KeyCache(size=KEY_CACHE_SIZE, seconds=KEY_CACHE_SECONDS)


def remember_data_key(subject_id: uuid.UUID, data_key: bytes) -> None:
    _cache.put(subject_id, data_key)


def forget_data_key(subject_id: uuid.UUID) -> None:
    _cache.discard(subject_id)


def clear_key_cache() -> None:
    _cache.clear()


@receiver(setting_changed)
def _settings_changed(*, setting: str, **kwargs: Any) -> None:
    """Tests that swap master keys see what a restarted process would."""
    if setting == "ENCRYPTION_KEYS":
        clear_key_cache()


def _subject_model() -> type[DataSubject]:
    # Imported here: models load before this package is used, and `crypto_models` imports it lazily.
    from thrive.core.crypto_models import DataSubject

    return DataSubject


def data_key(subject_id: uuid.UUID) -> bytes | None:
    """The subject's data key, or None once the subject is erased. Unknown subjects fail closed."""
    cached = _cache.get(subject_id)
    if cached is not None:
        return cached
    row = (
        _subject_model()
        .objects.filter(pk=subject_id)
        .values_list("wrapped_key", "master_key_id", "erased_at")
        .first()
    )
    if row is None:
        raise DecryptionError(f"There is no data subject {subject_id}")
    wrapped, key_id, erased_at = row
    if erased_at is not None or not wrapped:
        return None
    key = unwrap_data_key(bytes(wrapped), subject_id=subject_id, key_id=key_id)
    _cache.put(subject_id, key)
    return key


def prime_data_keys(subjects: Iterable[DataSubject]) -> None:
    """Cache the data keys of subjects already loaded (`select_related("subject")`), so that reading many
    records' encrypted fields costs no query per record. Erased subjects are left to `data_key`."""
    for subject in subjects:
        if _cache.get(subject.pk) is None and subject.erased_at is None and subject.wrapped_key:
            key = unwrap_data_key(
                bytes(subject.wrapped_key), subject_id=subject.pk, key_id=subject.master_key_id
            )
            _cache.put(subject.pk, key)


def warm_key_cache(subject_ids: Iterable[uuid.UUID]) -> None:
    """Unwrap many subjects' keys with one query, before a page decrypts fields of many records."""
    missing = {u for u in map(as_uuid, subject_ids) if u is not None and _cache.get(u) is None}
    if not missing:
        return
    rows = (
        _subject_model()
        .objects.filter(pk__in=missing, erased_at__isnull=True)
        .values_list("pk", "wrapped_key", "master_key_id")
    )
    for subject_id, wrapped, key_id in rows:
        _cache.put(subject_id, unwrap_data_key(bytes(wrapped), subject_id=subject_id, key_id=key_id))


def as_uuid(value: Any) -> uuid.UUID | None:
    if value is None or isinstance(value, uuid.UUID):
        return value
    return uuid.UUID(str(value))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _data_aad(context: str, subject_id: uuid.UUID) -> bytes:
    return f"thrive/value/{VERSION}/{context}/{subject_id.hex}".encode()


def _pad(data: bytes) -> bytes:
    """ISO/IEC 7816-4 padding: 0x80 then zeros up to a multiple of the block."""
    padded = data + b"\x80"
    return padded + b"\x00" * (-len(padded) % PAD_BLOCK)


def _unpad(data: bytes) -> bytes:
    stripped = data.rstrip(b"\x00")
    if not stripped.endswith(b"\x80"):
        raise DecryptionError("A decrypted value has no padding marker")
    return stripped[:-1]


def seal(plaintext: bytes, *, key: bytes, subject_id: uuid.UUID, context: str) -> str:
    """Encrypt `plaintext` for one place (`context`, e.g. "table/column") and one subject."""
    nonce = os.urandom(NONCE_BYTES)
    ciphertext = AESGCM(key).encrypt(nonce, _pad(plaintext), _data_aad(context, subject_id))
    return f"{VERSION}.{subject_id.hex}.{_b64(nonce)}.{_b64(ciphertext)}"


def token_subject(token: str) -> uuid.UUID:
    """The subject a sealed value names (not yet authenticated)."""
    return parse_token(token)[0]


def parse_token(token: str) -> tuple[uuid.UUID, bytes, bytes]:
    parts = token.split(".")
    try:
        if len(parts) != 4 or parts[0] != VERSION:
            raise ValueError
        subject_id = uuid.UUID(hex=parts[1])
        nonce, ciphertext = _unb64(parts[2]), _unb64(parts[3])
    except (ValueError, binascii.Error):
        raise DecryptionError("A stored value is not a Thrive ciphertext (malformed or altered)") from None
    if len(nonce) != NONCE_BYTES:
        raise DecryptionError("A stored value is not a Thrive ciphertext (bad nonce)")
    return subject_id, nonce, ciphertext


def unseal(token: str, *, key: bytes, context: str) -> bytes:
    subject_id, nonce, ciphertext = parse_token(token)
    try:
        padded = AESGCM(key).decrypt(nonce, ciphertext, _data_aad(context, subject_id))
    except InvalidTag:
        raise DecryptionError(
            f"A value of {context} (subject {subject_id}) fails authentication: it was altered, or moved "
            "from another field or subject"
        ) from None
    return _unpad(padded)
