"""Refusing unsafe production settings, and the fixed keys that only the demo and tests may use."""

from __future__ import annotations

import base64
import hashlib

from django.core.exceptions import ImproperlyConfigured

DEMO_SECRET_KEY = "demo-only-insecure-key-thrive-never-use-in-production-0123456789"
MIN_SECRET_LENGTH = 50


def demo_encryption_keys() -> list[str]:
    """A deterministic demo master key, so the demo database stays readable across restarts."""
    return [base64.urlsafe_b64encode(hashlib.sha256(b"thrive-demo-master-key").digest()).decode()]


def check_production_settings(
    *, secret_key: str, allowed_hosts: list[str], encryption_keys: list[str], blind_index_key: str
) -> None:
    problems = []
    if not secret_key or secret_key == DEMO_SECRET_KEY or len(secret_key) < MIN_SECRET_LENGTH:
        problems.append(
            f"THRIVE_SECRET_KEY must be set to a random value of at least {MIN_SECRET_LENGTH} characters"
        )
    if not allowed_hosts:
        problems.append("THRIVE_ALLOWED_HOSTS must list the host names this server answers to")
    if not encryption_keys:
        problems.append("THRIVE_ENCRYPTION_KEYS must hold at least one master key")
    elif set(encryption_keys) & set(demo_encryption_keys()):
        problems.append("THRIVE_ENCRYPTION_KEYS must not use the demo key")
    for key in encryption_keys:
        if not _is_32_byte_key(key):
            problems.append("each THRIVE_ENCRYPTION_KEYS entry must be 32 random bytes in URL-safe base64")
            break
    if not blind_index_key or blind_index_key == DEMO_SECRET_KEY or len(blind_index_key) < 32:
        problems.append("THRIVE_BLIND_INDEX_KEY must be set to a random value of at least 32 characters")
    if problems:
        raise ImproperlyConfigured("Refusing to start in production: " + "; ".join(problems) + ".")


def _is_32_byte_key(key: str) -> bool:
    try:
        return len(base64.urlsafe_b64decode(key.encode())) == 32
    except (ValueError, TypeError):
        return False
