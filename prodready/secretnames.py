"""One heuristic for secret-like names and literal values (PY015, DOCKER006, COMPOSE005, K8S012)."""

from __future__ import annotations

import re

_SECRET_WORDS = ("SECRET", "PASSWORD", "PASSWD", "TOKEN", "APIKEY", "CREDENTIALS")
_SECRET_PAIRS = ("API_KEY", "PRIVATE_KEY", "ACCESS_KEY")
# Words that may follow the secret word and still name the secret itself.
_SAME_SECRET_WORDS = frozenset({"KEY", "VALUE", "HASH", "SALT", "B64", "BASE64", "STRING", "STR",
                                "PEM", "JSON", "RAW", "ENCODED", "OLD", "NEW", "PRIMARY",
                                "SECONDARY", "V1", "V2", "1", "2", "SECRET", "TOKEN", "ID"})
_NOT_SECRET_SUFFIXES = ("_FILE", "_PATH", "_DIR", "_NAME", "_LENGTH", "_TTL", "_ALGORITHM",
                        "_ALGORITHMS", "_HEADER", "_TYPE", "_SECONDS", "_MINUTES", "_PREFIX")
_CREDENTIAL_URL = re.compile(r"^[a-z][a-z0-9+.-]*://[^/\s:@]+:[^/\s@]+@", re.IGNORECASE)


def normalise(name: str) -> str:
    """`jwtSecret` / `jwt-secret` / `jwt.secret` -> `JWT_SECRET`."""
    name = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    return re.sub(r"[^A-Za-z0-9]+", "_", name).upper().strip("_")


def is_secret_name(name: str, value: object = None) -> bool:
    """True for names that hold secrets (a DSN only when `value` carries a password).

    The secret word must end the name, or be followed only by words that describe the same
    secret (`SECRET_KEY`, `TOKEN_SECRET`, `PASSWORD_HASH`): `RESET_PASSWORD_LOCK_TIME` and
    `TOKEN_UPDATE_THRESHOLD` are settings about secrets, not secrets.
    """
    upper = normalise(name)
    if not upper or upper.startswith("TOKENIZERS_"):
        return False
    if upper.endswith(_NOT_SECRET_SUFFIXES) or "_EXPIRE" in upper or upper.endswith("_EXPIRES"):
        return False
    if upper.endswith("_URL") or upper.endswith("_URI") or upper == "URL":
        return isinstance(value, str) and bool(_CREDENTIAL_URL.match(value))
    if upper.endswith("DSN") or upper.split("_")[-1] == "DSN":
        return isinstance(value, str) and bool(_CREDENTIAL_URL.match(value))
    words = upper.split("_")
    last = -1
    for i, word in enumerate(words):
        if any(part in word for part in _SECRET_WORDS) or "_".join(words[i:i + 2]) in (
                _SECRET_PAIRS):
            last = i + (1 if "_".join(words[i:i + 2]) in _SECRET_PAIRS else 0)
    return last >= 0 and all(w in _SAME_SECRET_WORDS for w in words[last + 1:])


def is_literal_secret_value(value: object) -> bool:
    """A non-empty value that is not a reference to somewhere else (${VAR}, /run/secrets/…)."""
    if value is None or isinstance(value, bool):
        return False
    text = str(value).strip()
    if not text:
        return False
    if text.startswith("$") or "${" in text or text.startswith("/run/secrets/"):
        return False
    return not (text.startswith("{{") and text.endswith("}}"))
