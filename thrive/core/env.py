"""Reading settings from the environment, failing fast on a bad value so a misconfigured server never starts."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from exc
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}")
    return value


def env_list(name: str, default: str = "") -> list[str]:
    return [part.strip() for part in env_str(name, default).split(",") if part.strip()]


def env_json_object(name: str) -> dict[str, Any]:
    """A JSON object (`{}` when unset), for settings that map keys to values."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ImproperlyConfigured(f"{name} must be a JSON object: {exc}") from exc
    if not isinstance(value, dict):
        raise ImproperlyConfigured(f'{name} must be a JSON object like {{"key": ...}}, not {raw!r}')
    return value


def load_env_file(path: Path) -> None:
    """Reads KEY=VALUE lines from a `.env` file into the environment; variables already set win.

    `make demo` writes `THRIVE_DEMO=1` there so that every `thrive` command run in the checkout uses the demo
    settings; `THRIVE_ENV_FILE` points elsewhere (`/dev/null` to read none)."""
    chosen = Path(os.environ.get("THRIVE_ENV_FILE", str(path)))
    if not chosen.is_file():
        return
    for number, line in enumerate(chosen.read_text().splitlines(), start=1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        name, sep, value = text.partition("=")
        if not sep or not name.strip().isidentifier():
            raise ImproperlyConfigured(f"{chosen}, line {number}: expected NAME=value, not {text!r}")
        os.environ.setdefault(name.strip(), value.strip().strip("'\""))


def reference_data_dir(base_dir: Path) -> Path:
    """The shared ONS reference data: `$THRIVE_REFERENCE_DATA`, else `../shared/data/london` beside the checkout."""
    configured = env_str("THRIVE_REFERENCE_DATA")
    return Path(configured) if configured else (base_dir.parent / "shared" / "data" / "london")
