"""One heuristic for secret-like names and literal values (PY015, DOCKER006, COMPOSE005, K8S012)."""

from __future__ import annotations

import re

_SECRET_WORDS = ("SECRET", "PASSWORD", "PASSWD", "TOKEN", "APIKEY", "CREDENTIAL")
# Keys that encrypt or sign: as secret as a password.
_SECRET_PAIRS = ("API_KEY", "PRIVATE_KEY", "ACCESS_KEY", "ENCRYPTION_KEY", "SIGNING_KEY",
                 "FERNET_KEY", "MASTER_KEY")
_COUNT_PREFIXES = ("MAX_", "MIN_", "NUM_", "TOTAL_")
# Words before the secret word that make the name a switch about it.
_FLAG_WORDS = frozenset({"ALLOW", "ENABLE", "DISABLE", "USE", "REQUIRE", "SKIP", "RANDOM",
                         "EMPTY", "GENERATE", "ROTATE", "HAS", "IS"})
_NOT_SECRET_VALUES = frozenset({"true", "false", "yes", "no", "on", "off", "0", "1", "none",
                                "null"})
# Words that may follow the secret word and still name the secret itself.
_SAME_SECRET_WORDS = frozenset({"KEY", "VALUE", "HASH", "SALT", "B64", "BASE64", "STRING", "STR",
                                "PEM", "JSON", "RAW", "ENCODED", "OLD", "NEW", "PRIMARY",
                                "SECONDARY", "V1", "V2", "1", "2", "SECRET", "TOKEN",
                                "BASE",  # SECRET_KEY_BASE (Rails, Phoenix)
                                "AES", "128", "192", "256"})  # CREDENTIAL_AES_256_KEY
_NOT_SECRET_SUFFIXES = ("_FILE", "_PATH", "_DIR", "_NAME", "_LENGTH", "_TTL", "_ALGORITHM",
                        "_ALGORITHMS", "_HEADER", "_TYPE", "_SECONDS", "_MINUTES", "_PREFIX")
# Names with a secret word that hold an identifier: etcd's initial cluster token only keeps
# separate clusters from joining each other.
_IDENTIFIER_NAMES = ("INITIAL_CLUSTER_TOKEN",)
# `scheme://user:password@` (the user may be empty: `redis://:password@host`)
_CREDENTIAL_URL = re.compile(r"^[a-z][a-z0-9+.-]*://[^/\s:@]*:[^/\s@]+@", re.IGNORECASE)


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
    if upper.endswith(_NOT_SECRET_SUFFIXES + _IDENTIFIER_NAMES) or "_EXPIRE" in upper or \
            upper.endswith("_EXPIRES"):
        return False
    if upper.endswith("_URL") or upper.endswith("_URI") or upper == "URL":
        return isinstance(value, str) and bool(_CREDENTIAL_URL.match(value))
    if upper.endswith("DSN") or upper.split("_")[-1] == "DSN":
        return isinstance(value, str) and bool(_CREDENTIAL_URL.match(value))
    if upper.startswith(_COUNT_PREFIXES):
        return False  # MAX_TOTAL_TOKENS, NUM_TOKENS: sizes, not secrets
    words = upper.split("_")
    last = _last_secret_word(words)
    if last is None or _qualified(words, last):
        return False
    return not any(w in _FLAG_WORDS for w in words[:last])  # MYSQL_ALLOW_EMPTY_PASSWORD


def describes_a_secret(name: str) -> bool:
    """A setting *about* a secret (`PASSWORD_ENCRYPTION`, `TOKEN_TTL_DAYS`), not the secret."""
    words = normalise(name).split("_")
    last = _last_secret_word(words)
    return last is not None and _qualified(words, last)


def _last_secret_word(words: list[str]) -> int | None:
    last = None
    for i, word in enumerate(words):
        pair = "_".join(words[i:i + 2])
        if pair in _SECRET_PAIRS:
            last = i + 1
        elif any(part in word for part in _SECRET_WORDS) and not word.endswith("TOKENS"):
            last = i
    return last


def _qualified(words: list[str], last: int) -> bool:
    """Words after the secret word that make the name a property of it."""
    return not all(w in _SAME_SECRET_WORDS for w in words[last + 1:])


# Data stores, brokers and object stores a service connects to as a client.
_BACKING_SERVICES = frozenset({
    "POSTGRES", "POSTGRESQL", "PG", "MYSQL", "MARIADB", "DB", "DATABASE", "REDIS", "RABBITMQ",
    "AMQP", "BROKER", "MONGO", "MONGODB", "OPENSEARCH", "ELASTIC", "ELASTICSEARCH", "MINIO",
    "CLICKHOUSE", "MEMCACHED", "KAFKA", "NATS",
    "EMAIL", "SMTP", "MAIL", "IMAP", "LDAP"})  # the mail and directory servers it logs in to
_CLIENT_SECRETS = ("PASSWORD", "PASSWD", "PASS", "SECRET_ACCESS_KEY")
# Identity providers a service signs its users in with: their OAuth client secret is sent to
# the provider, which checks it (`GOOGLE_SSO_CLIENT_SECRET`, `GITHUB_CLIENT_SECRET`).
_IDENTITY_PROVIDERS = frozenset({
    "GOOGLE", "GITHUB", "GITLAB", "MICROSOFT", "AZURE", "AZUREAD", "OKTA", "AUTH0", "FACEBOOK",
    "APPLE", "KEYCLOAK", "OIDC", "DISCORD", "SLACK", "TWITTER", "LINKEDIN", "BITBUCKET"})


def is_client_credential(name: str) -> bool:
    """The password a service sends to a database, broker, object store, mail or directory
    server it connects to (`POSTGRES_PASSWORD`, `EMAIL_HOST_PASSWORD`, `AWS_SECRET_ACCESS_KEY`),
    or the OAuth client secret it sends to an identity provider: a client credential, which
    the server checks, not a key the service itself signs or checks with."""
    upper = normalise(name)
    if upper.endswith("SECRET_ACCESS_KEY"):
        return True  # the S3 protocol's client secret (AWS, MinIO, any S3 store)
    words = upper.split("_")
    if upper.endswith("CLIENT_SECRET") and words[0] in _IDENTITY_PROVIDERS:
        return True
    if upper.endswith(("_URL", "_URI", "_DSN")):
        # `DATABASE_URL = postgres://user:password@db/app`: the connection carries it
        return any(w in _BACKING_SERVICES for w in words[:-1])
    return upper.endswith(_CLIENT_SECRETS) and any(w in _BACKING_SERVICES for w in words[:-1])


def is_literal_secret_value(value: object) -> bool:
    """A non-empty value that is not a reference to somewhere else (${VAR}, /run/secrets/…)."""
    if value is None or isinstance(value, bool):
        return False
    text = str(value).strip()
    if not text or text.lower() in _NOT_SECRET_VALUES:
        return False  # a switch, not a secret
    if text.startswith(("$", "/", "./", "~/")) or "${" in text:
        return False  # a reference: another variable, or the file that holds the secret
    return not (text.startswith("{{") and text.endswith("}}"))
