"""Is a secret-looking value really a secret here? One answer for every secret rule.

Used by REPO001, REPO002, K8S012, COMPOSE005, DOCKER006 and PY015. A value is not a secret
when it is
- a placeholder (`<your-key>`, `changeme`, `xxxx`, `${VAR}`, `your_api_key_here`, `example`,
  one character repeated) — a slot the deployer fills in;
- a public client key, made to be shipped to browsers (PostHog `phc_…`, Stripe `pk_live_…`,
  a Sentry DSN's public key, a Google browser key in frontend code);
- a translation string in a message catalog (`"password": "Wachtwoord"`);
- on a commented-out line, in documentation of an example value, or in a file of a
  documentation or examples tree;
- said to be public by its authors (a comment or attribute docstring beside it: a publishable
  key, one the code extracts from a web site that ships it to every browser);
- recorded data of a test tree (a scanner report, an HTTP cassette, a test environment).
Names are judged in `secretnames`; this module judges values and where they stand.
"""

from __future__ import annotations

import posixpath
import re
import urllib.parse
from collections.abc import Iterable

from .artifacts.dotenv import env_entries
from .secretnames import is_literal_secret_value, is_secret_name

# Slots a deployer fills in. `strict` placeholders are unmistakable template slots; the loose
# ones (`changeme`, `secret`, `test`) are also working values when code falls back on them.
_TEMPLATE_SLOT = re.compile(
    r"^<.*>$|^\[.*\]$|^\{.*\}$|\$\{|\{\{|%\(|%s|\{\d*\}|\{[A-Za-z_]\w*\}"  # format slots
    r"|%[a-z](?![a-z0-9])|%\{\w+\}"  # dovecot/postfix variables: `passdb/%u`, `%{user}`
    r"|your[_\-]|_here$|x{4,}|\*{3,}|\.{3}|^_+$"
    r"|placeholder|redacted|replace[_\-]?(?:me|this|with)|insert[_\- ]",
    re.IGNORECASE,
)
_LOOSE_PLACEHOLDER = re.compile(
    r"change[_\-]?(?:me|this|it)|(?<![a-z])set[_\-]?(?:me|this|it)(?![a-z])|example|sample|dummy|fake"
    r"|^(?:todo|fixme|tbd|none|null|nil"
    r"|true|false|undefined|string|str|test|testing|empty|default|value)$"
    # a value that only names what it stands for: secret-key, supersecret, password123
    r"|^(?:super|my|the|very|some)?[-_]?(?:secret|password|passwd|pass|key|token|api|apikey)"
    r"(?:[-_]?(?:secret|password|passwd|pass|key|token|api|\d+))*$"
    # words that end in what they stand for: accounts-pwd, some-long-unrandom-secret-key
    r"|^[a-z]+(?:[-_][a-z]+)*[-_](?:secret|password|passwd|pass|pwd|key|token)s?$",
    re.IGNORECASE,
)

# Public client keys: meant to be embedded in web pages and apps.
_PUBLIC_KEY = re.compile(
    r"^(?:phc_[A-Za-z0-9]{20,}"  # PostHog project key
    r"|pk_(?:live|test)_[A-Za-z0-9]{10,}"  # Stripe publishable key
    r"|https?://[0-9a-f]{32}@[\w.-]*sentry[\w.-]*(?::\d+)?/\d+"  # Sentry DSN (key only)
    r"|https?://[0-9a-f]{32}@o\d+\.ingest\.[\w.-]+/\d+"
    r")$")
_GOOGLE_BROWSER_KEY = re.compile(r"^AIza[0-9A-Za-z_\-]{35}$")
_FRONTEND_EXTENSIONS = (".js", ".jsx", ".ts", ".tsx", ".vue", ".svelte", ".html", ".htm")
_FRONTEND_DIRS = ("frontend", "static", "web", "webapp", "client", "ui", "public", "assets",
                  "src/components")

# Message catalogs: keys are message ids, values are translations.
_CATALOG_EXTENSIONS = (".po", ".pot", ".mo", ".xlf", ".xliff", ".arb", ".strings")
_CATALOG_DIRS = {"locale", "locales", "i18n", "l10n", "translations", "translation", "lang",
                 "langs", "languages", "messages"}
_CATALOG_DATA = (".json", ".yaml", ".yml", ".js", ".ts", ".properties", ".toml")

_COMMENT_PREFIXES = ("#", "//", "/*", "*", "<!--", ";", "--", "%", "rem ", "REM ")
_EXAMPLE_CONTEXT = re.compile(r"\bexamples?\b\s*['\"]?\s*[:=(\[]|\be\.g\.|\bfor example\b",
                              re.IGNORECASE)


def is_placeholder(value: object, *, strict: bool = False) -> bool:
    """A slot to fill in rather than a value: `<your-key>`, `${VAR}`, `xxxx`, `your_key_here`,
    one character repeated; unless `strict`, also `changeme`, `example`, `dummy`, `secret`."""
    if value is None:
        return False
    text = str(value).strip().strip("'\"`")
    if not text:
        return False
    if _TEMPLATE_SLOT.search(text) or not any(c.isalnum() for c in text):
        return True  # a slot, or punctuation only (`.`, `-`)
    if len(text) >= 4 and len(set(text.lower())) <= (1 if len(text) < 8 else 2):
        return True  # 0000, ********, aaaaaaaa, ffff9999
    return not strict and bool(_LOOSE_PLACEHOLDER.search(text))


# Credentials their vendors publish for emulators and test modes: anyone may use them, they
# open nothing real (Azurite's storage account key, reCAPTCHA's and hCaptcha's test secrets).
_PUBLISHED_TEST_CREDENTIALS = (
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==",
    "6LeIxAcTAAAAAGG-vFI1TnRWxMZNFuojJ4WifJWe",
    "0x0000000000000000000000000000000000000000",
)


def is_published_test_credential(value: object) -> bool:
    """A vendor's published emulator or test-mode credential, alone or inside a connection
    string (`AccountName=devstoreaccount1;AccountKey=Eby8…`)."""
    return isinstance(value, str) and any(known in value for known in _PUBLISHED_TEST_CREDENTIALS)


def is_public_client_key(value: object, path: str = "") -> bool:
    """A key made to be shipped to browsers: PostHog `phc_…`, Stripe `pk_…`, a Sentry DSN's
    public key, a Google API key in frontend code (restricted by referrer, not by secrecy)."""
    if not isinstance(value, str):
        return False
    text = value.strip().strip("'\"`")
    if _PUBLIC_KEY.match(text):
        return True
    return bool(_GOOGLE_BROWSER_KEY.match(text)) and is_frontend_file(path)


def is_frontend_file(path: str) -> bool:
    lower = path.lower()
    if lower.endswith(_FRONTEND_EXTENSIONS):
        return True
    parts = lower.split("/")[:-1]
    return any(part in _FRONTEND_DIRS for part in parts)


def is_message_catalog(path: str) -> bool:
    """A translation catalog: `.po` files, or data files under `locale/`, `i18n/`, …"""
    lower = path.lower()
    if lower.endswith(_CATALOG_EXTENSIONS):
        return True
    parts = lower.split("/")
    if not lower.endswith(_CATALOG_DATA):
        return False
    if any(part in _CATALOG_DIRS for part in parts[:-1]):
        return True
    stem = posixpath.splitext(parts[-1])[0]
    return stem in _CATALOG_DIRS or bool(re.fullmatch(r"[a-z]{2}(?:[-_][a-z]{2,4})?", stem))


_TEST_TREES = re.compile(
    r"(?:^|/)(?:unit_?tests?|tests?|testing|testdata|test[-_]data|fixtures?|__fixtures__|ci"
    r"|test[-_]environments?|e2e|cassettes|vcr|__snapshots__|snapshots)/", re.IGNORECASE)
_RECORDED_DATA = (".json", ".yaml", ".yml", ".xml", ".har", ".txt", ".csv", ".html", ".log",
                  ".sarif", ".jsonl", ".ndjson")


# `fixtures.json`, `oidc_fixtures.yaml`: data Django's loaddata seeds a test or local database with
_FIXTURE_FILE = re.compile(r"(?:^|/)(?:\w+[-_])?fixtures?\.(?:json|ya?ml|xml)$", re.IGNORECASE)


def is_test_data(path: str) -> bool:
    """Recorded data of a test tree (scanner reports, HTTP cassettes, sample configs of a
    local test environment) or a fixture file: values that belong to the sample, not to this
    project."""
    return (bool(_TEST_TREES.search(path)) and path.lower().endswith(_RECORDED_DATA)) or \
        bool(_FIXTURE_FILE.search(path))


_THROWAWAY_NAME = re.compile(r"(?:^|[-_.])(?:dev|devel|development|local|tests?|testing|ci"
                             r"|e2e|integration[-_]tests?|unit[-_]tests?"
                             r"|samples?|examples?)(?:[-_.]|$)")


def is_throwaway_config(path: str) -> bool:
    """A configuration file for development or tests (`docker-compose.dev.yml`,
    `compose.override.unit_tests.yml`), a sample to copy and fill in
    (`docker-compose-sample.yaml`), or one in a test tree: its credentials are throw-away."""
    name = posixpath.basename(path).lower()
    return bool(_THROWAWAY_NAME.search(name)) or bool(_TEST_TREES.search(path))


PRIVATE_KEY_TYPE = "Private Key"  # detect-secrets' name for a private key block


def in_throwaway_directory(path: str) -> bool:
    """A file in a directory named for development or tests (`local_data/dkim.key`,
    `test_project/test_project/settings.py`, `dev-certs/server.key`)."""
    return any(_THROWAWAY_NAME.search(part) for part in path.lower().split("/")[:-1])


# Trees of documentation and examples: what they hold shows how to configure, and is copied
# and replaced by whoever follows it.
_DOCUMENTATION_TREES = re.compile(r"(?:^|/)(?:docs?|documentation|examples?|samples?)/",
                                  re.IGNORECASE)


def is_documentation(path: str) -> bool:
    """A file under `docs/`, `examples/` or `samples/`."""
    return bool(_DOCUMENTATION_TREES.search(path))


def is_commented_out(line: str) -> bool:
    """A line that is a comment in the usual config and code syntaxes."""
    return line.lstrip().startswith(_COMMENT_PREFIXES)


def documents_an_example(line: str) -> bool:
    """`examples=["sk-…"]`, `"example": "…"`, `e.g. https://user:token@…`: an example value."""
    return bool(_EXAMPLE_CONTEXT.search(line))


_URL_CREDENTIALS = re.compile(r"^[a-z][a-z0-9+.-]*://([^/\s:@]*):([^/\s@]+)@", re.IGNORECASE)
_IDENTITY_NAME = re.compile(r"(?:^|_)(?:USER|USERNAME|LOGIN|DB|DATABASE|DB_NAME|NAME)$",
                            re.IGNORECASE)


def identity_values(variables: dict[str, str | None], *names: str) -> set[str]:
    """The account, database and service names around a credential (`POSTGRES_USER: app`)."""
    found = {n.lower() for n in names if n}
    for key, value in variables.items():
        if value and _IDENTITY_NAME.search(key):
            found.add(value.strip().lower())
    return found


# The word for what a value is, before or after an account name: `repmgrpassword`.
_SECRET_WORD_AFFIX = re.compile(r"^(?:password|passwd|pass|pwd|secret)[-_]?"
                                r"|[-_]?(?:password|passwd|pass|pwd|secret)$")


def repeats_identity(value: object, identities: set[str], name: str = "") -> bool:
    """A sample credential nobody takes for a secret: the password is the user, database or
    service name (`MARIADB_PASSWORD: paperless`, `mysql://ctfd:ctfd@db/ctfd`), alone or
    with the word for a password (`REPMGR_PASSWORD: repmgrpassword` beside the user
    `repmgr`). Given the variable's `name`, also the server it is named for
    (`POSTGRES_PASSWORD=postgres`): the stock default of a server image, which hides nothing
    baked into a layer (a Compose file still runs with it: COMPOSE005 does not pass it)."""
    if not isinstance(value, str):
        return False
    server = name.split("_", 1)[0].lower() if "_" in name else ""
    if len(server) > 2:
        identities = identities | {server}
    text = value.strip().lower()
    match = _URL_CREDENTIALS.match(text)
    if match:
        identities = identities | {match[1]}
        text = match[2]
    bare = _SECRET_WORD_AFFIX.sub("", text, count=1)
    return bool(text) and (text in identities or (bool(bare) and bare in identities))


# What its authors say beside a value that makes it public: a publishable or public client
# key, one the code itself extracts from a web site's pages (the site ships it to every
# visitor), "not a secret".
_PUBLIC_NOTE = re.compile(
    r"\bpublic (?:api |client |web |browser )?(?:key|token)\b|\bpublishable\b"
    r"|\bnot (?:a |really a )?secret\b|\bship(?:s|ped)? to (?:every |all |the )?browsers?\b"
    r"|\b(?:extract|scrap|fetch|obtain|read)\w* (?:[\w-]+ ){0,4}from (?:the|their|its) "
    r"(?:web ?site|web ?page|home ?page|page|site|html|javascript)\b"
    # a value its authors say is for a throwaway setup: "Arbitrary key for this testing setup.
    # Do not use in real life."
    r"|\bdo not use (?:it |this |these )?(?:in|for) (?:real life|production|prod)\b"
    r"|\bthrow-?away (?:key|secret|password|token|value)\b",
    re.IGNORECASE)
_NOTE_LINES = 3


def declared_public(lines: list[str], index: int) -> bool:
    """The comment above a value, its trailing comment, or the docstring right below it (an
    attribute docstring) says the value is public."""
    notes = [lines[index].partition("#")[2]]
    for above in reversed(lines[max(index - _NOTE_LINES, 0):index]):
        if not is_commented_out(above):
            break
        notes.append(above)
    below = lines[index + 1:index + 1 + _NOTE_LINES]
    if below and below[0].lstrip().startswith(('"""', "'''")):
        notes += below
    return any(_PUBLIC_NOTE.search(note) for note in notes)


def is_real_secret_value(value: object, path: str = "", *, strict: bool = False) -> bool:
    """A literal (not a reference) that is neither a placeholder nor a public client key.

    `strict` is for defaults a program really runs with (a fallback in code, an image ENV):
    there `changeme` is a working, known secret, and only template slots are placeholders."""
    return (is_literal_secret_value(value) and not is_placeholder(value, strict=strict)
            and not is_placeholder(_url_password(value), strict=strict)
            and not is_public_client_key(value, path) and not _loopback_credentials(value)
            and not is_published_test_credential(value)
            and not _FILE_PATH.match(str(value).strip().strip("'\"`")))


# Where the secret is, not the secret: `keys/windows_vm_priv_key.asc`, `/run/secrets/db`.
_FILE_PATH = re.compile(r"^(?:\.{0,2}/|~/)?[\w.-]+(?:/[\w.-]+)+\.[A-Za-z0-9]{1,5}$"
                        r"|^/[\w.-]+(?:/[\w.-]+)+$")


def _url_password(value: object) -> str | None:
    """The password of a URL with credentials (`postgresql://app:changeme@db/app`): the
    secret, which may be a placeholder in a real host name and path."""
    if not isinstance(value, str):
        return None
    match = _URL_CREDENTIALS.match(value.strip())
    return urllib.parse.unquote(match[2]) if match else None


_LOOPBACK_URL = re.compile(r"^[a-z][a-z0-9+.-]*://[^/\s@]*@(?:localhost|127\.0\.0\.1|\[::1\])"
                           r"(?:[:/]|$)", re.IGNORECASE)


_LOOPBACK_URL_IN_TEXT = re.compile(r"://[^/\s@'\"]*@(?:localhost|127\.0\.0\.1|\[::1\])(?:[:/\s'\"]|$)",
                                   re.IGNORECASE)


def names_loopback_url(line: str) -> bool:
    """The line holds credentials of a URL on the machine itself (a CI job's
    `postgresql://test_user:…@127.0.0.1:5432/db`): a local or test database's."""
    return bool(_LOOPBACK_URL_IN_TEXT.search(line))


def _loopback_credentials(value: object) -> bool:
    """Credentials of a URL on the machine itself (`amqp://guest:guest@localhost//`): a local
    development default, which reaches nothing once the service runs in a container or on a
    server."""
    return isinstance(value, str) and bool(_LOOPBACK_URL.match(value.strip()))


# --------------------------------------------------------------------------- env files

def env_file_secrets(text: str, path: str = "",
                     names: Iterable[str] = ()) -> list[tuple[int, str]]:
    """(line, name) of the variables of a dotenv file that hold a real-looking secret; the
    values stay here. A password that repeats the file's own user or database name
    (`POSTGRES_USER=postgres`, `POSTGRES_PASSWORD=postgres`) or one of the project's `names`
    is a sample, not a secret."""
    entries = list(env_entries(text))
    # the project's own names too: `SECRET_KEY=baserow` in baserow's sample env file
    identities = identity_values({e.name: e.value for e in entries}, *names)
    return [(entry.line, entry.name) for entry in entries
            if is_secret_name(entry.name, entry.value) and
            is_real_secret_value(entry.value, path) and
            not repeats_identity(entry.value, identities)]


# --------------------------------------------------------------------------- Secret objects

_CONFIG_VALUE = re.compile(
    r"^(?:\d+(?:\.\d+)*|true|false|yes|no|on|off"  # numbers, versions, switches
    r"|[a-z][a-z0-9-]*(?:\.[a-z0-9-]+)+"  # host names
    r"|[a-z]+(?:[-_][a-z]+)*"  # words: info, production, postgres, my-app
    r"|[a-z][a-z0-9+.-]*://[^\s:@/]+(?::\d+)?(?:/\S*)?)$",  # URLs without credentials
    re.IGNORECASE,
)
_CONFIG_NAME = re.compile(
    r"(?:^|_)(?:PORT|HOST|HOSTNAME|HOSTS|LOG_LEVEL|LOGLEVEL|LEVEL|ENV|ENVIRONMENT|REGION|ZONE"
    r"|NAMESPACE|DEBUG|MODE|TIMEOUT|WORKERS|THREADS|REPLICAS|VERSION|BUCKET|DATABASE|DB|DB_NAME"
    r"|NAME|USER|USERNAME|LOGIN|EMAIL|DOMAIN|URL|URI|ENDPOINT|PATH|DIR|TZ|LANG|LOCALE)$",
    re.IGNORECASE,
)


def is_config_entry(name: str, value: object) -> bool:
    """A ConfigMap-style entry in a Secret (`PORT: "8080"`, `LOG_LEVEL: info`, a hostname):
    its name is not secret-like and its value is plain configuration."""
    if is_secret_name(name, value):
        return False
    text = "" if value is None else str(value).strip()
    if not text:
        return True
    if "@" in text and "://" in text:
        return bool(_CONFIG_VALUE.match(text))  # a URL: plain unless it carries credentials
    return bool(_CONFIG_VALUE.match(text) or _CONFIG_NAME.search(name))
