"""Masking reads a pair only where the text could hold a secret name (a secret word, or a
URL whose value carries a password): what that shortcut must still mask and keep."""

from __future__ import annotations

import pytest

from prodready.masking import mask_secrets


@pytest.mark.parametrize(("text", "shown"), [
    ("apiKey=q8Vt2LwN5x", "apiKey=***"),  # camelCase: KEY inside the name
    ("x_Secret_Token: Zq8v3LmK2p", "x_Secret_Token: ***"),
    ("FERNET_KEY=Zq8v3LmK2p", "FERNET_KEY=***"),
    ("--db-password 'p w x' -v", "--db-password *** -v"),
    ("SENTRY_DSN=https://k3y:pw9x@o1.ingest.io/2", "SENTRY_DSN=https://k3y:***@o1.ingest.io/2"),
    ("cache url: redis://:s3cr3tpw@redis:6379/0", "cache url: redis://:***@redis:6379/0"),
])
def test_secret_values_are_masked(text: str, shown: str) -> None:
    assert mask_secrets(text) == shown


@pytest.mark.parametrize("text", [
    "security: high, during: startup",  # no secret word: no pair is read
    "note: key rotation",
    "TOKEN_URL=https://auth.example/x",  # a URL without credentials
    "MAX_TOKENS=4096",
    "run with --token $TOKEN",  # a reference, not a value
    "passWord=Zq8v3LmK2p",  # PASS_WORD: not a secret name
])
def test_what_is_not_a_secret_is_kept(text: str) -> None:
    assert mask_secrets(text) == text
