"""Property-based fuzzing of everything that reads repository text.

Any exception other than the parser's documented error (which becomes a PARSE diagnostic)
is a failure. Examples are bounded and derandomized so CI stays fast and reproducible.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prodready.artifacts.dockerfile import DockerfileError, parse_dockerfile
from prodready.artifacts.python import PythonSyntaxError, parse_python
from prodready.artifacts.yamldocs import YamlError, parse_yaml
from prodready.config import ConfigError, load_config
from prodready.facts import extract_facts
from prodready.suppress import find_ignores, matching_ignore

FUZZ = settings(max_examples=100, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# Characters that break naive parsers: line-break look-alikes, quotes, escapes, markup.
ODD = st.sampled_from(["\n", "\r\n", "\r", "\x0c", "\x0b", "\x85", "\u2028", "\t", " ",
                       "\\", "`", "\"", "'", "#", "[", "]", "{", "}", "$", "&", "*", "<<",
                       "\x00", "\udcff", "\ufeff", "é", "--", "=", ":", "-", "|", ">"])


def text_from(words: list[str]) -> st.SearchStrategy[str]:
    """Text assembled from meaningful words of a format, odd characters and noise."""
    pieces = st.one_of(st.sampled_from(words), ODD, st.text(max_size=8))
    return st.lists(pieces, max_size=60).map("".join)


DOCKER_WORDS = ["FROM python:3.12 AS build\n", "FROM ", "ARG ", "ENV ", "RUN ", "COPY ",
                "CMD ", "ENTRYPOINT ", "USER ", "HEALTHCHECK ", "EXPOSE ", "ONBUILD ",
                "# syntax=docker/dockerfile:1\n", "# escape=`\n", "# escape=\\\n",
                "<<EOF\n", "<<-'EOF'\n", "EOF\n", "\\\n", "--mount=type=cache,target=/x ",
                "--from=build ", "[\"python\", \"app.py\"]", "${VAR:-x}", "$VAR", "\n"]

YAML_WORDS = ["services:\n", "  web:\n", "    image: nginx\n", "    <<: *base\n",
              "x-base: &base\n", "  restart: always\n", "apiVersion: v1\n", "kind: Pod\n",
              "---\n", "- ", "? ", ": ", "&a ", "*a ", "!!python/object:os.system ", "!!str ",
              "{", "}", "[", "]", "|\n", ">-\n", "  ", "\"", "'", "# c\n", "key: value\n",
              "<<: [*a, *a]\n", "%YAML 1.1\n", "...\n"]

SUPPRESS_WORDS = ["# prodready: ignore", "# prodready: ignore-file", "[PY001]", "[PY001,DOCKER",
                  "[", "]", " -- ", "reason", "# noqa", "# type: ignore", "prodready:", "\n"]

PYTHON_WORDS = [
    "from fastapi import FastAPI, APIRouter\n", "from flask import Flask\n", "import os\n",
    "app = FastAPI()\n", "app = Flask(__name__)\n", "router = APIRouter(prefix='/v1')\n",
    "app.include_router(router)\n", "@app.get('/health')\n", "@router.post(\n",
    "def handler():\n    return {}\n", "async def h(request):\n    pass\n",
    "os.environ['SECRET_KEY']\n", "os.getenv('DATABASE_URL', 'x')\n",
    "uvicorn.run(app, host='0.0.0.0')\n", "app.add_middleware(X)\n", "engine = create_engine(",
    "requests.get(url, timeout=None)\n", "class Settings(BaseSettings):\n    token: str\n",
    "@app.on_event('startup')\n", "app.mount('/static', x)\n", "lambda: 0\n", "(", ")", ",",
    "    ", "\n", "x = ", "'", "f'{x}'", "*", "**", "@", "[", "]", ":", "=", "await ", "yield",
]

CONFIG_KEYS = ["select", "ignore", "extend-select", "per-file-ignores", "exclude",
               "extend-exclude", "include-tests", "severity", "fail-on", "jobs", "cache",
               "handled-elsewhere", "exemptions", "require-reason", "inline-ignores",
               "max-file-size", "http-timeout", "unknown"]
TOML_SCALARS = st.one_of(st.booleans(), st.integers(min_value=-2**70, max_value=2**70),
                         st.text(max_size=12), st.sampled_from(["ALL", "PY001", "[z-a]", "**",
                                                                 "high", "2020-01-01"]))
TOML_VALUES = st.recursive(TOML_SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=3)),
    max_leaves=8)


def toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)  # a TOML basic string (or invalid TOML: also a case)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    assert isinstance(value, dict)
    return "{" + ", ".join(f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items()) + "}"


@FUZZ
@given(text_from(DOCKER_WORDS))
def test_dockerfile_parser(text: str) -> None:
    try:
        parsed = parse_dockerfile("Dockerfile", text)
    except DockerfileError:
        return
    for ins in parsed.instructions:
        assert 1 <= ins.line <= ins.end_line


@FUZZ
@given(text_from(YAML_WORDS))
def test_yaml_loader(text: str) -> None:
    try:
        parsed = parse_yaml("docker-compose.yml", text)
    except YamlError:
        return
    parsed.duplicate_keys()
    parsed.kubernetes_objects()
    for doc in parsed.documents:
        if doc.root is not None:
            doc.root.to_python()


@FUZZ
@given(text_from(SUPPRESS_WORDS))
def test_suppression_comments(text: str) -> None:
    for ignore in find_ignores(text):
        assert ignore.line >= 1
        matching_ignore([ignore], "PY001", ignore.line, ignore.line)


@FUZZ
@given(st.one_of(
    st.dictionaries(st.sampled_from(CONFIG_KEYS), TOML_VALUES, max_size=5).map(
        lambda table: "".join(f"{k} = {toml_value(v)}\n" for k, v in table.items())),
    st.text(max_size=80)))
def test_config_loading(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / ".prodready.toml").write_text(text, encoding="utf-8", errors="replace")
        try:
            load_config(Path(tmp))
        except ConfigError:
            return


@FUZZ
@given(text_from(PYTHON_WORDS))
def test_python_facts_extractor(text: str) -> None:
    try:
        parsed = parse_python("app/main.py", text)
    except PythonSyntaxError:
        return
    extract_facts(parsed)


@settings(max_examples=60, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(text_from(DOCKER_WORDS), text_from(YAML_WORDS), text_from(PYTHON_WORDS))
def test_a_whole_scan_of_fuzzed_files_has_no_internal_error(docker: str, yaml_text: str,
                                                            python: str) -> None:
    """Every rule reads what the parsers accepted: none may crash on it."""
    from prodready.config import Config
    from prodready.engine import scan

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        files = {"Dockerfile": docker, "docker-compose.yml": yaml_text, ".env": yaml_text,
                 "k8s/app.yaml": "apiVersion: apps/v1\nkind: Deployment\n" + yaml_text,
                 "app/main.py": python}
        for name, text in files.items():
            target = root / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8", errors="surrogateescape")
        result = scan(root, Config(), jobs=1, use_cache=False)
    assert not [d.message for d in result.diagnostics if d.kind == "INTERNAL"]
