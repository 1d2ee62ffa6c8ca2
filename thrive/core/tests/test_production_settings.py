"""Production refuses unsafe settings, naming every problem at once; environment values fail fast when bad.

The subprocess tests in test_platform.py show the settings module calls these checks; these tests cover each
rule directly, which is quicker and names the rule that broke."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from thrive.core import env
from thrive.core.production import (
    DEMO_SECRET_KEY,
    MIN_SECRET_LENGTH,
    check_production_settings,
    demo_encryption_keys,
)

GOOD_KEY = base64.urlsafe_b64encode(bytes(range(32))).decode()
SAFE = {
    "secret_key": "s" * MIN_SECRET_LENGTH,
    "allowed_hosts": ["thrive.example.org"],
    "encryption_keys": [GOOD_KEY],
    "blind_index_key": "b" * 32,
}


def unset(monkeypatch: pytest.MonkeyPatch, *names: str) -> None:
    """Unset `names` so that whatever a test then sets, even through `load_env_file`, is undone afterwards."""
    for name in names:
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)


def refusal(**overrides: object) -> str:
    with pytest.raises(ImproperlyConfigured) as raised:
        check_production_settings(**{**SAFE, **overrides})  # type: ignore[arg-type]
    message = str(raised.value)
    assert message.startswith("Refusing to start in production: ") and message.endswith(".")
    return message


def test_safe_settings_are_accepted() -> None:
    check_production_settings(**SAFE)  # type: ignore[arg-type]
    retired = base64.urlsafe_b64encode(bytes(range(32, 64))).decode()
    check_production_settings(**{**SAFE, "encryption_keys": [GOOD_KEY, retired]})  # type: ignore[arg-type]


@pytest.mark.parametrize("secret_key", ["", DEMO_SECRET_KEY, "s" * (MIN_SECRET_LENGTH - 1)])
def test_missing_demo_or_short_secret_key_is_refused(secret_key: str) -> None:
    assert "THRIVE_SECRET_KEY must be set to a random value of at least 50 characters" in refusal(
        secret_key=secret_key
    )


def test_no_allowed_hosts_is_refused() -> None:
    assert "THRIVE_ALLOWED_HOSTS must list the host names" in refusal(allowed_hosts=[])


def test_encryption_keys_must_be_present_not_the_demo_key_and_32_bytes() -> None:
    assert "THRIVE_ENCRYPTION_KEYS must hold at least one master key" in refusal(encryption_keys=[])
    assert "must not use the demo key" in refusal(encryption_keys=[GOOD_KEY, *demo_encryption_keys()])
    short = base64.urlsafe_b64encode(b"x" * 16).decode()
    for bad in (short, "not base64 at all!", "é"):
        message = refusal(encryption_keys=[GOOD_KEY, bad])
        assert "each THRIVE_ENCRYPTION_KEYS entry must be 32 random bytes in URL-safe base64" in message
        assert message.count("THRIVE_ENCRYPTION_KEYS") == 1, "one bad key is reported once"


@pytest.mark.parametrize("blind_index_key", ["", DEMO_SECRET_KEY, "b" * 31])
def test_missing_demo_or_short_blind_index_key_is_refused(blind_index_key: str) -> None:
    assert "THRIVE_BLIND_INDEX_KEY must be set to a random value of at least 32 characters" in refusal(
        blind_index_key=blind_index_key
    )


def test_every_problem_is_named_in_one_message() -> None:
    message = refusal(secret_key="", allowed_hosts=[], encryption_keys=[], blind_index_key="")
    for name in (
        "THRIVE_SECRET_KEY",
        "THRIVE_ALLOWED_HOSTS",
        "THRIVE_ENCRYPTION_KEYS",
        "THRIVE_BLIND_INDEX_KEY",
    ):
        assert name in message
    assert message.count("; ") == 3


def test_demo_encryption_key_is_fixed_and_a_valid_key() -> None:
    keys = demo_encryption_keys()
    assert keys == demo_encryption_keys() and len(keys) == 1
    assert len(base64.urlsafe_b64decode(keys[0])) == 32


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(None, True), ("1", True), (" Yes ", True), ("ON", True), ("0", False), ("off", False), ("", False)],
)
def test_env_bool_reads_true_and_false_words(
    raw: str | None, expected: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if raw is None:
        monkeypatch.delenv("THRIVE_EXAMPLE_FLAG", raising=False)
    else:
        monkeypatch.setenv("THRIVE_EXAMPLE_FLAG", raw)
    assert env.env_bool("THRIVE_EXAMPLE_FLAG", default=True) is expected


def test_env_bool_refuses_anything_else(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("THRIVE_EXAMPLE_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="THRIVE_EXAMPLE_FLAG must be true or false, not 'maybe'"):
        env.env_bool("THRIVE_EXAMPLE_FLAG")


def test_env_int_default_value_and_refusals(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("THRIVE_EXAMPLE_COUNT", raising=False)
    assert env.env_int("THRIVE_EXAMPLE_COUNT", 7) == 7
    monkeypatch.setenv("THRIVE_EXAMPLE_COUNT", "  ")
    assert env.env_int("THRIVE_EXAMPLE_COUNT", 7) == 7
    monkeypatch.setenv("THRIVE_EXAMPLE_COUNT", "12")
    assert env.env_int("THRIVE_EXAMPLE_COUNT", 7, minimum=12) == 12
    monkeypatch.setenv("THRIVE_EXAMPLE_COUNT", "twelve")
    with pytest.raises(ImproperlyConfigured, match="must be a whole number, not 'twelve'"):
        env.env_int("THRIVE_EXAMPLE_COUNT", 7)
    monkeypatch.setenv("THRIVE_EXAMPLE_COUNT", "3")
    with pytest.raises(ImproperlyConfigured, match="THRIVE_EXAMPLE_COUNT must be at least 5, not 3"):
        env.env_int("THRIVE_EXAMPLE_COUNT", 7, minimum=5)


def test_env_str_and_list_trim_and_drop_empty_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("THRIVE_EXAMPLE_HOSTS", " a.example.org, ,b.example.org ,")
    assert env.env_list("THRIVE_EXAMPLE_HOSTS") == ["a.example.org", "b.example.org"]
    monkeypatch.delenv("THRIVE_EXAMPLE_HOSTS")
    assert env.env_list("THRIVE_EXAMPLE_HOSTS", "localhost") == ["localhost"]
    assert env.env_list("THRIVE_EXAMPLE_HOSTS") == []
    monkeypatch.setenv("THRIVE_EXAMPLE_NAME", "  padded  ")
    assert env.env_str("THRIVE_EXAMPLE_NAME") == "padded"


def test_env_file_fills_unset_variables_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("THRIVE_ENV_FILE", raising=False)
    monkeypatch.setenv("THRIVE_EXAMPLE_SET", "from the environment")
    unset(monkeypatch, "THRIVE_EXAMPLE_A", "THRIVE_EXAMPLE_B", "THRIVE_EXAMPLE_C")
    path = tmp_path / ".env"
    path.write_text(
        "# a comment\n\nTHRIVE_EXAMPLE_A=1\n THRIVE_EXAMPLE_B = 'quoted value' \n"
        'THRIVE_EXAMPLE_C="double"\nTHRIVE_EXAMPLE_SET=from the file\n'
    )
    env.load_env_file(path)
    assert os.environ["THRIVE_EXAMPLE_A"] == "1"
    assert os.environ["THRIVE_EXAMPLE_B"] == "quoted value"
    assert os.environ["THRIVE_EXAMPLE_C"] == "double"
    assert os.environ["THRIVE_EXAMPLE_SET"] == "from the environment"


def test_env_file_can_be_pointed_elsewhere_or_absent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    unset(monkeypatch, "THRIVE_EXAMPLE_A")
    other = tmp_path / "other.env"
    other.write_text("THRIVE_EXAMPLE_A=elsewhere\n")
    default = tmp_path / ".env"
    default.write_text("THRIVE_EXAMPLE_A=default\n")
    monkeypatch.setenv("THRIVE_ENV_FILE", str(other))
    env.load_env_file(default)
    assert os.environ["THRIVE_EXAMPLE_A"] == "elsewhere"
    monkeypatch.delenv("THRIVE_EXAMPLE_A")
    monkeypatch.setenv("THRIVE_ENV_FILE", str(tmp_path / "missing.env"))
    env.load_env_file(default)
    assert "THRIVE_EXAMPLE_A" not in os.environ


@pytest.mark.parametrize("line", ["THRIVE_EXAMPLE_A", "NOT A NAME=1", "=1"])
def test_env_file_with_a_bad_line_names_the_file_and_line(
    line: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("THRIVE_ENV_FILE", raising=False)
    path = tmp_path / ".env"
    unset(monkeypatch, "THRIVE_EXAMPLE_A")
    path.write_text(f"# first\n{line}\n")
    with pytest.raises(ImproperlyConfigured, match=f"{path}, line 2: expected NAME=value"):
        env.load_env_file(path)


def test_reference_data_defaults_beside_the_checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("THRIVE_REFERENCE_DATA", raising=False)
    base = tmp_path / "main"
    assert env.reference_data_dir(base) == tmp_path / "shared" / "data" / "london"
    monkeypatch.setenv("THRIVE_REFERENCE_DATA", str(tmp_path / "elsewhere"))
    assert env.reference_data_dir(base) == tmp_path / "elsewhere"
