"""detect-secrets' plugins run on text already read, behind a cheap prefilter.

A plain `detect-secrets scan` runs ~27 plugins and their filters on every line of every file.
Here one compiled regex first finds the lines that can hold anything a plugin looks for: a
secret-sounding keyword, or a token signature (AWS key ids, `-----BEGIN … PRIVATE KEY`,
`ghp_`, `xoxb-`, credentials in a URL, …). Only those lines go through the plugins and
detect-secrets' own filters (allowlist pragmas, templated values, indirect references, …),
and the entropy plugins only ever see lines with a keyword on them.

On top of detect-secrets, hits whose value is an obvious placeholder (`changeme`, `<your-key>`,
`${VAR}`, `xxxx`) or a public client key (`phc_…`, `pk_live_…`), or, for the keyword and
basic-auth detectors, a dictionary word such as `postgres`, or a name that is not secret-like
(`SECRET_NAME`, `PASSWORD_FILE`), are dropped; so are keyword, entropy and basic-auth hits in
message catalogs, in documentation and example trees, on commented-out lines, in docstrings,
in Markdown code fences and in documented examples (`examples=[…]`), where values are
translations or illustrations, and keyword and entropy hits in files for development, CI or
tests and in the test runner's sections of setup.cfg / tox.ini; recorded data of test trees
(scanner reports, HTTP cassettes) is not read at all (see `secretcontext`).

Nothing here keeps or returns a secret value: callers get the type, position and sha1.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import posixpath
import re
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from ...discover import ENV_EXAMPLE_NAME
from ...secretcontext import (
    PRIVATE_KEY_TYPE,
    declared_public,
    documents_an_example,
    is_commented_out,
    is_documentation,
    is_message_catalog,
    is_placeholder,
    is_public_client_key,
    is_published_test_credential,
    is_test_data,
    names_loopback_url,
)
from ...secretnames import describes_a_secret, normalise
from ._gitleaks import load_repository_file

KEYWORD_TYPE = "Secret Keyword"
BASIC_AUTH_TYPE = "Basic Auth Credentials"
HEX_TYPE = "Hex High Entropy String"
ENTROPY_TYPES = ("Base64 High Entropy String", HEX_TYPE)
SKIPPED_TYPES = ("Public IP (ipv4)",)  # not a secret
LONG_LINE = 2000  # minified data: only the signature detectors read such lines

# Found in the lower-cased text by substring search (much faster than a regex).
_KEYWORD_WORDS = (
    "pass", "pwd", "secret", "token", "apikey", "api_key", "auth", "priv", "credential",
    "client_key", "clientkey", "service_key", "servicekey", "account_key", "accountkey",
    "db_key", "dbkey", "contrase", "cloudant", "softlayer", "ibm", "aws",
)
_KEYWORDS = re.compile("|".join(_KEYWORD_WORDS))
# A keyword line is worth the detectors only when the keyword is assigned, compared or passed
# a literal (`password = "…"`, `"secret": "…"`, `PASS=…`, `"…" == token`); run on the
# lower-cased line.
_ASSIGNED = re.compile(
    f"(?:{'|'.join(_KEYWORD_WORDS)})[\\w.-]*['\"\\]]{{0,2}}\\s*(?:[:=!(]|=>)"
    f"|['\"`]\\s*[!=]==?\\s*[\\w.]{{0,40}}(?:{'|'.join(_KEYWORD_WORDS)})"
)
# (literal that must occur, regex) per token signature: the literal test is a fast substring
# search, so most regexes never run on a file.
_SIGNATURES = tuple((anchor, re.compile(pattern)) for anchor, pattern in (
    ("PRIVATE KEY", r"BEGIN[A-Z0-9 ]*PRIVATE KEY"),
    ("BEGIN SSH2", r"BEGIN SSH2 ENCRYPTED"),
    ("PuTTY-User", r"PuTTY-User-Key-File"),
    ("A", r"A(?:3T[A-Z0-9]|BIA|CCA|KIA|SIA)[0-9A-Z]{16}"),
    ("gh", r"gh[pousr]_[A-Za-z0-9_]{30}|github_pat_"),
    ("gl", r"gl(?:pat|dt|ft|soat|rt|cbt|imt|ptt|agent|oas)-"),
    ("GR1348941", r"GR1348941"),
    ("xox", r"xox[abposr]-"),
    ("hooks.slack.com", r"hooks\.slack\.com"),
    ("k_live_", r"k_live_(?<=[rs]k_live_)"),
    ("SG.", r"SG\.[\w-]{22}\."),
    ("T3BlbkFJ", r"T3BlbkFJ"),
    ("_authToken", r"_authToken"),
    ("pypi-AgE", r"pypi-AgE"),
    ("AccountKey=", r"AccountKey="),
    ("sq0csp-", r"sq0csp-"),
    ("eyJ", r"eyJ[A-Za-z0-9_=-]{8,}\."),
    ("://", r"://[^\s:/@]+:[^\s/@]+@"),
    ("AKC", r"AKC[a-zA-Z0-9]{10}"),
    ("AP", r"AP[\dA-F][a-zA-Z0-9]{8}"),
    ("-us", r"-us\d(?<=[0-9a-z]{32}-us\d)"),
    ("AC", r"AC[a-z0-9]{32}"),
    ("SK", r"SK[a-z0-9]{32}"),
    (":", r":[\w-]{35}(?<=\d{8}:[\w-]{35})"),
    (".", r"\.[\w-]{6}\.[\w-]{27}"),
))
# Detectors that look for a keyword (they run on keyword lines); the others look for a token
# signature and run on signature lines. AWS does both.
_KEYWORD_DETECTORS = {
    "Secret Keyword", *ENTROPY_TYPES, "AWS Access Key", "SoftLayer Credentials",
    "IBM Cloud IAM Key", "IBM COS HMAC Credentials", "Cloudant Credentials",
}
_SIGNATURE_DETECTORS_TOO = {"AWS Access Key"}
# Hits judged by their value alone, which the indirect-reference filter applies to.
_SOFT = {"Secret Keyword", *ENTROPY_TYPES}
# Hits that are as often an illustration as a credential (in a comment, a docstring, an
# example); token formats with a signature stay real wherever they appear.
_ILLUSTRABLE = {*_SOFT, BASIC_AUTH_TYPE}
# Detections by a secret-like name or a credential in a URL rather than by a token format
# (the IBM, SoftLayer and Cloudant detectors take any value of a length after `key`/`token`).
NAME_BASED_TYPES = frozenset(_ILLUSTRABLE | (_KEYWORD_DETECTORS - _SIGNATURE_DETECTORS_TOO))
AWS_TYPE = "AWS Access Key"
_AWS_KEY_ID = re.compile(r"(?:AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|ABIA|ACCA)[A-Z0-9]{16}")

# A stored password hash (Django fixtures, htpasswd, /etc/shadow): one-way, not a credential.
_PASSWORD_HASH = re.compile(
    r"(?:pbkdf2_sha(?:1|256)|argon2(?:id|i)?|bcrypt(?:_sha256)?|scrypt|sha1|md5|crypt)\$"
    r"|\$(?:2[aby]?|5|6|argon2(?:id|i)?|apr1|scrypt)\$")
# An env file for a development or test stack: `.env-devel`, `.env.local`, `.env.test`
_DEV_ENV_FILE = re.compile(r"\.?env[._-](?:dev|devel|development|local|tests?|testing|ci|e2e)")
_DEV_FILE = re.compile(r"(?:^|/)(?:dev|devel|development|local|docker-compose\.dev[^/]*|"
                       r"\.github/workflows|\.gitlab-ci[^/]*|\.circleci|e2e(?:[-_]?tests?)?"
                       r"|testdata)(?:/|$|\.)"
                       r"|(?:^|/)[^/]+[-_](?:tests?|dev)/"  # an Ansible role `app-test/`
                       r"|(?:^|/)(?:dev|local)[-_][^/]+/"  # a Helm environment `dev-keycloak/`
                       r"|(?:^|/)[^/]*(?:\.dev|\.local|[-_.]dev|[-_.]local|[-_.]test|[-_.]testing"
                       r"|[-_.]ci)\.[a-z]+$"  # values-ci.yaml
                       # a file named for a local stack: `ol-local-realm.json`
                       r"|(?:^|/)[^/]*[-_.](?:dev|local)[-_.][^/]*\.(?:json|ya?ml)$"
                       r"|(?:^|/)(?:sample|example|template)\.env$"
                       r"|(?:^|/)(?:test|tests|example|sample|dev|local)[-_][^/]*"
                       r"\.(?:py|cfg|ini|conf|toml|ya?ml|json|env|properties)$"
                       r"|(?:^|/)(?:ci|unittests?|testing|tests?)\.(?:py|ya?ml|json|toml|ini|cfg)$"
                       r"|(?:^|/)\.env\.(?:test|testing|dev|development|local|example|sample|"
                       r"template|dist|ci)$")
# The test runner's own settings in a shared configuration file: `env =` of pytest-env,
# `setenv =` of tox, values the test suite runs with.
_TEST_RUNNER_FILES = {"setup.cfg", "tox.ini", "pytest.ini", "pyproject.toml"}
_SECTION = re.compile(r"^\s*\[+\s*([^\]]+?)\s*\]+\s*$")
_TEST_RUNNER_SECTION = re.compile(r"^(?:tool[:.])?(?:pytest|tox|testenv)\b", re.IGNORECASE)


def _test_runner_lines(path: str, lines: list[str]) -> set[int]:
    """Indexes of the lines in the pytest or tox sections of setup.cfg, tox.ini, pytest.ini
    or pyproject.toml."""
    if posixpath.basename(path).lower() not in _TEST_RUNNER_FILES:
        return set()
    found: set[int] = set()
    inside = False
    for index, line in enumerate(lines):
        header = _SECTION.match(line)
        if header:
            inside = bool(_TEST_RUNNER_SECTION.match(header[1]))
        elif inside:
            found.add(index)
    return found


_QUERY_PARAMETER = re.compile(r"&[\w.\-\[\]]+=")
_PAYLOAD_ESCAPES = re.compile(r"%(?:22|27|5[Cc]|28|29|3[Bb]|60|7[Cc])")
_DIGEST_VALUE = re.compile(r"\bDigest\s+\w+=", re.IGNORECASE)
_WEAK = re.compile(r"[a-z]+[_-]?[0-9]{0,4}|[0-9]+|[A-Z_]+")
# Keyword hits whose value is a label rather than a secret: an enum value such as
# PASSWORD_CHANGED = "password_changed", a template name, a class name, a test value.
_SLUG = re.compile(r"^[a-z]+(?:[-_.:/][a-z]+)+$")  # password_changed, set_password.html
_LABEL = (
    re.compile(r"password|passwd|secret|token|credential|api[_-]?key"
               r"|(?:^|[^a-z])(?:test|dev|demo|local|dummy)(?:[^a-z]|$)", re.IGNORECASE),
    _SLUG,
    re.compile(r"^[A-Z]?[a-z]+(?:[A-Z][a-z]+)+$"),  # a class or event name: SecretMultiline
)
_NOT_SECRET_NAME = re.compile(
    r"_(?:FILE|PATH|DIR|NAME|LENGTH|TTL|ALGORITHM|ALGORITHMS|HEADER|TYPE|SECONDS|MINUTES|PREFIX"
    r"|FIELD|PARAM|KEY_ID|ID|ENDPOINT|EXPIRES?|EXPIRE_\w+|URL|URI|MODE|ENABLED|REQUIRED"
    r"|LOCATION|FILENAME|KEYWORD|POLICY|RESET\w*|FORMAT|MIN|MAX|SIZE|COUNT|CHARSET|CHARS"
    r"|ALPHABET|CHARACTERS|PATTERN|REGEX|TEMPLATE|MESSAGE|LABEL|TITLE|TEXT|HELP|PROMPT|EVENT"
    r"|CODE|STATUS|VERSION)$"
    r"|^TOKENIZERS?_|^(?:NEXT|PAGE|CSRF)_TOKEN"
)
_IDENT = re.compile(r"[A-Za-z_][\w.-]*")
_DOC_KIND = re.compile(r"^kind:\s*['\"]?([A-Za-z]+)", re.MULTILINE)
_SKIPPED_KINDS = {"SealedSecret", "ExternalSecret", "ClusterExternalSecret"}
_CONFIG_VALUE = re.compile(r"^(\s*(?:export\s+|-\s+)?[\w.\[\]-]+\s*[:=]\s*)([^\s'\"#][^\s#]*)\s*$")
# Files that are not code or configuration but listings of checksums.
_SKIPPED_NAMES = {"go.sum", "package-lock.json", "npm-shrinkwrap.json", "composer.lock",
                  "packages.lock.json", ".secrets.baseline"}


@dataclass(frozen=True, slots=True)
class Hit:
    type: str
    line: int  # 1-based
    column: int  # 1-based, where the value starts
    sha1: str  # hex sha1 of the value, as detect-secrets' `hashed_secret`
    key_id: bool = False  # an AWS access key ID (`AKIA…`): it names a key, the secret is apart


def sha1(value: str) -> str:
    return hashlib.sha1(value.encode("utf-8")).hexdigest()


def skipped_file(path: str) -> bool:
    name = posixpath.basename(path)
    if name in _SKIPPED_NAMES or name.endswith((".lock", ".lock.json")):
        return True
    from detect_secrets.filters.heuristic import is_lock_file, is_non_text_file

    return bool(is_lock_file(path) or is_non_text_file(path))


# --------------------------------------------------------------------------- detect-secrets


@cache
def _plugins() -> tuple[Any, ...]:
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
    from detect_secrets.settings import get_settings

    # Never verify a secret against its service: prodready does not touch the network.
    get_settings().filters.pop(
        "detect_secrets.filters.common.is_ignored_due_to_verification_policies", None)
    classes: dict[str, Any] = dict(get_mapping_from_secret_type_to_class())
    return tuple(cls() for secret_type, cls in sorted(classes.items())
                 if secret_type not in SKIPPED_TYPES)


# detect-secrets drops a whole line that looks like `x = f(...)` or `x = d[...]`: right for
# keyword and entropy hits (`password = request.form["password"]`), wrong for a token with a
# signature (`boto3.client(aws_access_key_id="AKIA…")`), so it applies to those hits only.
_INDIRECT = "is_indirect_reference"


@cache
def _filters(*params: str, soft: bool = True) -> tuple[Any, ...]:
    from detect_secrets.core.scan import get_filters_with_parameter

    return tuple(f for f in get_filters_with_parameter(*params)
                 if soft or getattr(f, "__name__", "") != _INDIRECT)


def _filtered(params: tuple[str, ...], soft: bool = True, **kwargs: Any) -> bool:
    from detect_secrets.util.inject import call_function_with_arguments

    for fn in _filters(*params, soft=soft):
        try:
            if call_function_with_arguments(fn, **kwargs):
                return True
        except TypeError:
            continue
    return False


def _type_filename(path: str) -> str:
    """The name detect-secrets' keyword detector sees: it picks its patterns by extension.

    `.env`, shell scripts and Dockerfiles assign without quotes, as `.conf` files do.
    """
    name = posixpath.basename(path).lower()
    ext = os.path.splitext(name)[1]
    if ext in (".py", ".pyi", ".yaml", ".yml", ".toml", ".ini", ".cfg", ".conf",
               ".properties", ".tf", ".js", ".go", ".java"):
        return path
    return path + ".conf"


# --------------------------------------------------------------------------- scanning


def _line_indexes(text: str, offsets: list[int]) -> list[int]:
    """0-based line index of each offset (counting `\\n` only, as the YAML parser does)."""
    out: list[int] = []
    line = previous = 0
    for offset in sorted(offsets):
        line += text.count("\n", previous, offset)
        previous = offset
        out.append(line)
    return out


def _offsets(text: str, words: tuple[str, ...]) -> list[int]:
    found: list[int] = []
    find = text.find
    for word in words:
        at = find(word)
        while at >= 0:
            found.append(at)
            at = find(word, at + len(word))
    return found


def _literal_lines(lines: list[str]) -> list[int]:
    """Indexes of the lines of Python source that hold a quote or a comment, or lie inside
    a triple-quoted string (a key pasted into a docstring has no quote on its line)."""
    kept: list[int] = []
    inside: str | None = None  # the triple quote that is open
    for index, line in enumerate(lines):
        if inside is not None or "'" in line or '"' in line or "#" in line:
            kept.append(index)
        for delimiter in ('"""', "'''"):
            if delimiter in line and (inside is None or inside == delimiter) and (
                    line.count(delimiter) % 2):
                inside = None if inside == delimiter else delimiter
                break
    return kept


def _docstring_lines(lines: list[str]) -> set[int]:
    """Indexes of the lines inside a statement-level triple-quoted string (a docstring or a
    bare string), where values illustrate rather than configure."""
    inside: str | None = None
    found: set[int] = set()
    for index, line in enumerate(lines):
        if inside is not None:
            found.add(index)
            if line.count(inside) % 2:
                inside = None
            continue
        stripped = line.lstrip().lstrip("rRbBuUfF")
        for delimiter in ('"""', "'''"):
            if stripped.startswith(delimiter) and line.count(delimiter) % 2:
                inside = delimiter
                found.add(index)
                break
    return found


_FENCE = re.compile(r"^\s*(?:```|~~~)")


def _fenced_lines(lines: list[str]) -> set[int]:
    """Indexes of the lines inside Markdown code fences, in a README or in the description
    text of a settings schema: snippets for readers to copy and fill in."""
    found: set[int] = set()
    inside = False
    for index, line in enumerate(lines):
        if _FENCE.match(line):
            inside = not inside
        elif inside:
            found.add(index)
    return found


def _illustrative(path: str, lines: list[str], index: int, texts: set[int]) -> bool:
    """Where a credential-shaped value is text, not configuration: a message catalog, a file
    of a documentation or examples tree, a commented-out line, a docstring, a code fence, a
    documented example."""
    line = lines[index]
    return (is_message_catalog(path) or is_documentation(path) or is_commented_out(line)
            or index in texts or documents_an_example(line))


# An Amazon Resource Name: partition, service, region, account id, resource.
_ARN = re.compile(r"\barn:aws[\w-]*:[\w-]+:[\w{}$.-]*:\d{12}:[^\s'\"]+")


def _in_arn(line: str, column: int) -> bool:
    """The hit lies inside an ARN (a token detector matching its account id and resource
    name): an identifier, not a credential."""
    return any(m.start() < column <= m.end() for m in _ARN.finditer(line))


JWT_TYPE = "JSON Web Token"
_JWT = re.compile(r"eyJ[\w-]*\.eyJ[\w-]*\.?([\w-]*)")


def _unsigned(text: str) -> bool:
    """A JSON Web Token without a signature an issuer made: none, or a word standing in for
    one (`.signature`, `.SIGNATURE`): shorter than any real one (HS256 gives 43 characters)."""
    token = _JWT.match(text)
    return token is not None and len(token[1]) < 32


# Groups of a token that a writer counted out rather than issued: `1234-1234`, `abcd_abcd`.
_COUNTED = re.compile(r"(?:1234|abcd|0000)(?:[-_](?:1234|abcd|0000))+")
_TOKEN_TEXT = re.compile(r"[\w\-./+=:]+")


def _counted_out(text: str) -> bool:
    token = _TOKEN_TEXT.match(text)
    return token is not None and _COUNTED.search(token[0].lower()) is not None


# `openapi: 3.1.0`, `{"swagger": "2.0"`: the first key of an API description; or a JSON
# Schema's (`"$schema": "http://json-schema.org/draft-07/schema"`)
_API_DESCRIPTION = re.compile(
    r"""\A\s*(?:---\s*)?\{?\s*["']?(?:openapi|swagger)["']?\s*:\s*["']?[23]\."""
    r"""|\A\s*\{\s*"\$schema"\s*:\s*"https?://json-schema\.org/""")


def scan_text(path: str, text: str) -> Iterator[Hit]:
    """Every secret detect-secrets finds in `text` (after the filters described above)."""
    if skipped_file(path) or is_test_data(path):
        return  # test data records other systems' values (scanner reports, cassettes)
    lines = text.split("\n")
    python = path.endswith((".py", ".pyi"))
    # In Python a secret can only sit in a string or a comment: search just those lines
    # (most of the code has neither), then map back to the file's line numbers.
    kept = _literal_lines(lines) if python else None
    haystack = "\n".join(lines[i] for i in kept) if kept is not None else text
    signature_offsets = [m.start() for anchor, regex in _SIGNATURES if anchor in haystack
                         for m in regex.finditer(haystack)]
    keyword_offsets = _offsets(haystack.lower(), _KEYWORD_WORDS)
    if not signature_offsets and not keyword_offsets:
        return
    signature_lines = set(_line_indexes(haystack, signature_offsets))
    keyword_lines = set(_line_indexes(haystack, keyword_offsets))
    if kept is not None:
        signature_lines = {kept[i] for i in signature_lines}
        keyword_lines = {kept[i] for i in keyword_lines}
    # A keyword alone matters only on a line that assigns (or compares) a literal.
    keyword_lines = {i for i in keyword_lines if len(lines[i]) <= LONG_LINE
                     and (not python or "'" in lines[i] or '"' in lines[i])
                     and _ASSIGNED.search(lines[i].lower())}
    candidates = signature_lines | keyword_lines
    if not candidates:
        return
    yaml = path.endswith((".yaml", ".yml"))
    # Local-stack and CI files hold throw-away credentials for containers they start
    # (`MINIO_ROOT_PASSWORD: polar123`): only a real token format counts there.
    dev_only = _DEV_FILE.search(path.lower()) is not None or bool(
        ENV_EXAMPLE_NAME.fullmatch(posixpath.basename(path).lower())  # `dotenv-sample`
    ) or bool(_DEV_ENV_FILE.fullmatch(posixpath.basename(path).lower()))  # `.env-devel`
    test_runner = _test_runner_lines(path, lines)
    # SealedSecret / ExternalSecret objects hold ciphertext and references, not secrets.
    skipped = _kind_ranges(lines, _SKIPPED_KINDS) if yaml else []
    secret_docs = _kind_ranges(lines, {"Secret"}) if yaml else []
    filename = _type_filename(path)
    clean = [line.rstrip("\r") for line in lines]
    texts = _docstring_lines(clean) if python else set()
    # an OpenAPI or Swagger description or a JSON Schema: its values are schemas and examples
    described = not python and _API_DESCRIPTION.match(text[:300]) is not None
    if "```" in text or "~~~" in text:
        texts |= _fenced_lines(clean)
    for index in sorted(candidates):
        if any(lo <= index < hi for lo, hi in skipped):
            continue
        in_secret = any(lo <= index < hi for lo, hi in secret_docs)
        best = _scan_line(filename, clean, index, python, in_secret, path=path,
                          signatures=index in signature_lines, keywords=index in keyword_lines)
        if best is None or (best.type in _SOFT and (dev_only or index in test_runner)):
            continue
        if best.type == BASIC_AUTH_TYPE and names_loopback_url(clean[index]):
            continue  # a URL on the machine itself reaches a local or test database only
        if (best.type in NAME_BASED_TYPES and described) or (
                best.type in _ILLUSTRABLE and _illustrative(path, clean, index, texts)):
            continue  # a detection by name alone, where values are examples for readers
        if best.type == JWT_TYPE and (_unsigned(clean[index][best.column - 1:]) or (
                described and documents_an_example(clean[index]))):
            # `eyJ….eyJ….signature`: a token's shape, its signature a word; or the
            # `example` an API description gives readers of a token field
            continue
        if _counted_out(clean[index][best.column - 1:]):
            continue  # `xoxp-1234-1234-1234-…`: a token's shape shown with counted digits
        if _in_arn(clean[index], best.column):
            continue  # `arn:aws:sqs:{region}:123456789012:queue-name`: a resource's name
        if best.type in _SOFT and declared_public(clean, index):
            continue  # a token format with a signature stays a secret whatever is said
        yield best


WINDOW, OVERLAP = 4096, 512


def _windows(line: str) -> list[str]:
    """A long (minified) line in overlapping windows: detect-secrets' regexes are quadratic
    on crafted lines (400 KB of `http://a:b@` took 36 s), and a token is far shorter than
    the overlap."""
    if len(line) <= WINDOW:
        return [line]
    return [line[i:i + WINDOW] for i in range(0, len(line) - OVERLAP, WINDOW - OVERLAP)]


def _scan_line(filename: str, lines: list[str], index: int, python: bool,
               in_secret_object: bool, *, path: str, signatures: bool,
               keywords: bool) -> Hit | None:
    from detect_secrets.util.code_snippet import get_code_snippet

    line = lines[index]
    number = index + 1
    context = get_code_snippet(lines, number)
    if _filtered(("line",), soft=False, filename=filename, line=line, context=context):
        return None
    if keywords and _filtered(("line",), filename=filename, line=line, context=context):
        keywords = False  # an indirect reference: only signatures can still be secrets
        if not signatures:
            return None
    variants = [line]
    if not python and keywords:
        quoted = _CONFIG_VALUE.match(line)
        if quoted:  # `KEY=value` / `key: value`: the entropy detectors need quotes
            variants.append(f'{quoted[1]}"{quoted[2]}"')
    found: list[tuple[int, str, str]] = []  # (priority, type, value)
    for plugin in _plugins():
        secret_type = plugin.secret_type
        runs_on_keywords = secret_type in _KEYWORD_DETECTORS
        runs_on_signatures = not runs_on_keywords or secret_type in _SIGNATURE_DETECTORS_TOO
        if not ((keywords and runs_on_keywords) or (signatures and runs_on_signatures)):
            continue
        for variant in variants if secret_type in ENTROPY_TYPES else _windows(line):
            for secret in plugin.analyze_line(filename=filename, line=variant,
                                              line_number=number, context=context):
                value = secret.secret_value
                soft = secret_type in _SOFT
                if not value or _filtered(("secret",), soft=soft, filename=filename,
                                          secret=value, plugin=plugin, line=variant):
                    continue
                if _filtered(("context",), soft=soft, filename=filename, secret=value,
                             plugin=plugin, line=variant, context=context):
                    continue
                if not _plausible(secret_type, value, line, in_secret_object, path):
                    continue
                if secret_type == PRIVATE_KEY_TYPE and not _key_follows(lines, index):
                    continue
                found.append((_priority(secret_type), secret_type, value))
    if not found:
        return None
    found.sort(key=lambda item: item[0])
    _, secret_type, value = found[0]
    column = line.find(value)
    return Hit(secret_type, number, column + 1 if column >= 0 else 1, sha1(value),
               key_id=secret_type == AWS_TYPE and bool(_AWS_KEY_ID.fullmatch(value.strip("'\"`"))))


def _priority(secret_type: str) -> int:
    if secret_type == KEYWORD_TYPE:
        return 3
    if secret_type in ENTROPY_TYPES:
        return 2
    if secret_type == BASIC_AUTH_TYPE:
        return 1
    return 0


def _plausible(secret_type: str, value: str, line: str, in_secret_object: bool,
               path: str = "") -> bool:
    """False for what is obviously not a real secret."""
    candidate = value.strip().strip("'\"`")
    if in_secret_object:
        candidate = _decoded(candidate)
    if secret_type == BASIC_AUTH_TYPE:
        candidate = urllib.parse.unquote(candidate)
    if secret_type == KEYWORD_TYPE:
        # `inPassword=foo&_cfclient=true`: the value ends where the next parameter starts
        candidate = _QUERY_PARAMETER.split(candidate, 1)[0]
        candidate = _substitution_default(candidate, line)
    if is_placeholder(candidate) or _PASSWORD_HASH.match(candidate):
        return False
    if _SALT_BESIDE.search(line):
        return False  # `{"value": …, "salt": …}`: a stored password hash (an identity server's)
    setting = _SETTING_IN_STRING.fullmatch(candidate) if secret_type in ENTROPY_TYPES else None
    if setting and (not _KEYWORDS.search(setting[1].lower()) or
                    _NOT_SECRET_NAME.search(normalise(setting[1])) or _SLUG.fullmatch(setting[2])):
        return False  # `"BUCKET_NAME=app-storage-qa"`, `"OIDC_KEY=app-client"`: no secret
    if len(_PAYLOAD_ESCAPES.findall(candidate)) >= 3:
        return False  # percent-encoded quotes, parentheses, `;`: an injection payload
    if secret_type == HEX_TYPE and _COMMIT_ID.fullmatch(candidate) and \
            _REVISION_NAME.search(normalise(_name_before(line, value) or "")):
        return False  # a pinned git commit: `AUTH_COMMIT_HASH=b29f0e03…`
    if secret_type == HEX_TYPE and _DIGEST_VALUE.search(line) and \
            re.search(rf"\b(?:c?nonce|response|opaque)=\"?{re.escape(candidate)}", line):
        return False  # an HTTP Digest exchange: one-time challenge and response values
    if is_public_client_key(candidate, path):
        return False  # made to be shipped to browsers
    if is_published_test_credential(candidate) or is_published_test_credential(line):
        return False  # an emulator's or a test mode's published key
    if len(candidate) >= 8 and max(map(candidate.count, set(candidate))) * 2 > len(candidate):
        return False  # mostly one character: a documented test key such as 1x0000…AA
    if _ALPHABET_RUN.search(candidate):
        return False  # a character set (`get_random_string(50, "abcdef…0123456789")`)
    if secret_type in (KEYWORD_TYPE, BASIC_AUTH_TYPE):
        if len(candidate) < 6 or _WEAK.fullmatch(candidate):
            return False  # a dictionary word or a default such as `postgres`
        if " " in candidate.strip():
            return False  # prose: "a secret", "will be replaced"
        if candidate.startswith(("/", "./", "~/", "http://", "https://")) or \
                _IDENTIFIER_PATH.fullmatch(candidate):
            # a path or URL naming where the secret is; a name of several lower-case parts
            # (`"serviceKey": "simcore/services/dynamic/s4l-ui"`)
            return False
        if candidate.strip().lower() in _AUTH_SCHEMES:
            return False  # the scheme in front of a token: "Bearer " + token
        if _RATE.fullmatch(candidate):
            return False  # a throttle rate keyed by the secret's name: "100000/day"
    if secret_type == KEYWORD_TYPE:
        if any(label.search(candidate) for label in _LABEL):
            return False
        name = _name_before(line, value)
        if name is not None and (_NOT_SECRET_NAME.search(normalise(name))
                                 or describes_a_secret(name)):
            return False
        if name is not None and re.search(rf"[/\\]{re.escape(name)}", line):
            return False  # the word is a file name in a path: `/etc/passwd`
        if re.fullmatch(r"[\w.]+\(.*\)?|[\w.]+\[.*", candidate):
            return False  # code: a call or a subscript
    return True


_IDENTIFIER_PATH = re.compile(r"[a-z0-9_.-]+(?:/[a-z0-9_.-]+){2,}")
_SALT_BESIDE = re.compile(r"""\\?["']salt\\?["']\s*:""", re.IGNORECASE)
_SETTING_IN_STRING = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)=(.+)")
_COMMIT_ID = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
_REVISION_NAME = re.compile(r"(?:^|_)(?:COMMIT|SHA|REVISION|REV|GIT|REF)(?:_|$)")
# `${DB_PASSWORD:-postgres}`: the keyword detector takes `postgres}` as the value
_DEFAULT_OF = re.compile(r"\$\{\w+:-?([^}\s]*)\}")


def _substitution_default(candidate: str, line: str) -> str:
    """The default of an environment substitution, judged on its own like any literal."""
    if candidate.endswith("}"):
        for default in _DEFAULT_OF.findall(line):
            if default and candidate == default + "}":
                return default
    return candidate


_AUTH_SCHEMES = {"bearer", "basic", "token", "digest", "negotiate", "apikey", "api-key",
                 "bot", "jwt", "sso-key"}
# "100000/day", and django-allauth's keyed lists: "1/m/ip,5/5m/key"
_ONE_RATE = (r"\d+[ \t]*/[ \t]*(?:\d+[ \t]*)?(?:s|sec|second|m|min|minute|h|hr|hour|d|day"
             r"|w|week|month)s?(?:/[a-z_]+)?")
_RATE = re.compile(rf"{_ONE_RATE}(?:[ \t]*,[ \t]*{_ONE_RATE})*", re.IGNORECASE)
_ALPHABET_RUN = re.compile(r"abcdefgh|ABCDEFGH|0123456789")
_KEY_BODY = re.compile(r"[A-Za-z0-9+/=]{20,}")


def _key_follows(lines: list[str], index: int) -> bool:
    """A PEM header followed by key material, not the phrase in a regex or a message."""
    line = lines[index]
    at = line.find("-----BEGIN")
    if at < 0:
        return line.lstrip().startswith("PuTTY-User-Key-File-")
    rest = line[at:].split("-----", 2)[-1]
    if _KEY_BODY.search(rest.replace("\\n", "\n")):
        return True  # a whole key on one line: "-----BEGIN …-----\nMIIE…"
    for following in lines[index + 1:index + 5]:
        following = following.strip().strip("'\"")
        if not following or following.startswith(("Proc-Type:", "DEK-Info:", "Comment:")):
            continue
        return bool(_KEY_BODY.match(following))
    return False


def _name_before(line: str, value: str) -> str | None:
    at = line.find(value)
    if at < 0:
        return None
    names = [n for n in _IDENT.findall(line[:at]) if _KEYWORDS.search(n.lower())]
    return names[-1] if names else None


def _decoded(value: str) -> str:
    """The value of a Kubernetes Secret's `data:` entry, base64-decoded when it is that."""
    try:
        return base64.b64decode(value, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return value


def _documents(lines: list[str]) -> list[tuple[int, int, str]]:
    """(first line index, end line index, text) of each YAML document."""
    out: list[tuple[int, int, str]] = []
    begin = 0
    for index, line in enumerate([*lines, "---"]):
        if line.startswith("---"):
            if index > begin:
                out.append((begin, index, "\n".join(lines[begin:index])))
            begin = index + 1
    return out


def _kind_ranges(lines: list[str], kinds: set[str]) -> list[tuple[int, int]]:
    return [(lo, hi) for lo, hi, chunk in _documents(lines)
            if any(k in kinds for k in _DOC_KIND.findall(chunk))]


# --------------------------------------------------------------------------- baseline


@dataclass(frozen=True, slots=True)
class Baseline:
    hashes: dict[str, set[str]]  # path -> hashed secrets
    lines: dict[str, set[tuple[int, str]]]  # path -> (line number, secret type)
    excluded: tuple[re.Pattern[str], ...] = ()  # files the authors keep out of the scan

    def covers(self, path: str, hit: Hit) -> bool:
        return hit.sha1 in self.hashes.get(path, ()) or \
            (hit.line, hit.type) in self.lines.get(path, ())

    def excludes(self, path: str) -> bool:
        return any(pattern.search(path) for pattern in self.excluded)


EMPTY_BASELINE = Baseline({}, {})
# A group with a quantifier (`(a+)+`, `(x|y)*`) can backtrack exponentially; a repository's
# pattern with one is not used. Without, matching a path is at worst polynomial in its length.
_QUANTIFIED_GROUP = re.compile(r"\)[*+?{]")
_PATTERN_LIMIT = 300


def _exclusions(filters: object) -> tuple[re.Pattern[str], ...]:
    """The `--exclude-files` patterns recorded in the baseline's `filters_used`: the files
    the authors decided the secret scan should not read."""
    patterns: list[re.Pattern[str]] = []
    for entry in filters if isinstance(filters, list) else ():
        if not isinstance(entry, dict) or not str(entry.get("path", "")).endswith(
                "should_exclude_file"):
            continue
        found = entry.get("pattern")
        for text in found if isinstance(found, list) else [found]:
            if not isinstance(text, str) or not text or len(text) > _PATTERN_LIMIT or \
                    _QUANTIFIED_GROUP.search(text):
                continue
            try:
                patterns.append(re.compile(text))
            except re.error:
                continue
    return tuple(patterns)


def load_baseline(root: str) -> Baseline:
    """The repository's `.secrets.baseline` (detect-secrets' format), or an empty one."""
    return load_repository_file(root, ".secrets.baseline", _read_baseline, EMPTY_BASELINE)


@cache
def _read_baseline(path: str, mtime_ns: int, size: int) -> Baseline:
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        return EMPTY_BASELINE
    results = data.get("results") if isinstance(data, dict) else None
    if not isinstance(results, dict):
        return EMPTY_BASELINE
    hashes: dict[str, set[str]] = {}
    lines: dict[str, set[tuple[int, str]]] = {}
    for filename, entries in results.items():
        if not isinstance(filename, str) or not isinstance(entries, list):
            continue
        path = posixpath.normpath(filename.replace("\\", "/")).lstrip("/")
        for entry in entries:
            if not isinstance(entry, dict):
                continue
            if isinstance(entry.get("hashed_secret"), str):
                hashes.setdefault(path, set()).add(entry["hashed_secret"])
            if isinstance(entry.get("line_number"), int) and isinstance(entry.get("type"), str):
                lines.setdefault(path, set()).add((entry["line_number"], entry["type"]))
    return Baseline(hashes, lines, _exclusions(data.get("filters_used")))
