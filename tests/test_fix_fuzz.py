"""Fuzzing the fix engine: random Compose, Kubernetes and Dockerfile documents with anchors,
merge keys, comments and CRLF line endings go through `fix` (safe and unsafe). The result
must parse, gain no duplicate key, keep every key and value it had (fixes only add, and only
where they aim), and a second run must change nothing.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prodready.artifacts.dockerfile import parse_dockerfile
from prodready.artifacts.yamldocs import parse_yaml
from prodready.config import Config
from prodready.fix.apply import run_fix

RULES = ["COMPOSE001", "COMPOSE003", "COMPOSE004", "K8S001", "K8S002", "K8S008", "K8S009",
         "K8S014", "DOCKER002", "DOCKER003", "DOCKER007", "DOCKER008"]
# What a fix may add, by where it lands.
SERVICE_KEYS = {"restart", "logging", "healthcheck"}
CONTAINER_KEYS = {"resources", "securityContext"}

names = st.sampled_from(["web", "api", "worker", "tests", "db", "cache"])
comment = st.sampled_from(["", "# a comment", "# - OLD=1", "#"])


@st.composite
def compose(draw: Any) -> str:
    lines: list[str] = []
    anchored = draw(st.booleans())
    if anchored:
        lines += ["x-hc: &hc", '  test: ["CMD", "true"]', "", "x-base: &base", "  image: app:1",
                  "  environment:", '    A: "1"']
        if draw(st.booleans()):
            lines.append("    # B: commented out")
        if draw(st.booleans()):
            lines.append("  restart: always")
        lines.append("")
    lines.append("services:")
    for name in draw(st.lists(names, min_size=1, max_size=3, unique=True)):
        lines.append(f"  {name}:")
        merged = anchored and draw(st.booleans())
        if merged:
            lines.append("    <<: *base")
        if not merged or draw(st.booleans()):
            lines.append(f"    image: {draw(st.sampled_from(['postgres:16', 'redis:7', 'app:2']))}")
        if draw(st.booleans()):
            lines += ["    environment:", "      - X=1"]
            extra = draw(comment)
            if extra:
                lines.append("      " + extra)
        command = draw(st.sampled_from(["", "gunicorn app:app", "pytest -x"]))
        if command:
            lines.append(f"    command: {command}")
        if anchored and draw(st.booleans()):  # a mapping that only merges, as the last key
            lines += ["    healthcheck:", "      <<: *hc"]
        if draw(st.booleans()):
            lines.append("    " + draw(comment))
    return "\n".join(line.rstrip() for line in lines)


@st.composite
def kubernetes(draw: Any) -> str:
    alias = draw(st.booleans())
    if draw(st.booleans()):  # JSON-style flow document
        return ('{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "w"}, '
                '"spec": {"selector": {"matchLabels": {"app": "w"}}, "template": {"spec": '
                '{"containers": [{"name": "w", "image": "w:1"}]}}}}')
    lines = ["apiVersion: apps/v1", "kind: Deployment", "metadata:", "  name: web"]
    lines += ["  labels: &labels", "    app: web"] if alias else []
    lines += ["spec:", "  selector:"]
    lines += ["    matchLabels: *labels"] if alias else ["    matchLabels: {app: web}"]
    lines += ["  template:", "    metadata:"]
    lines += ["      labels: *labels"] if alias else ["      labels: {app: web}"]
    lines += ["    spec:", "      containers:"]
    for index in range(draw(st.integers(1, 2))):
        lines += [f"        - name: c{index}", "          image: web:1"]
        resources = draw(st.sampled_from(["", "{}", "block"]))
        if resources == "{}":
            lines.append("          resources: {}")
        elif resources == "block":
            lines += ["          resources:", "            requests:", "              cpu: 10m"]
        extra = draw(comment)
        if extra:
            lines.append("          " + extra)
    if draw(st.booleans()):
        lines += ["---", "apiVersion: batch/v1", "kind: CronJob", "metadata:", "  name: job",
                  "spec:", '  schedule: "* * * * *"', "  " + draw(comment)]
    return "\n".join(line.rstrip() for line in lines)


@st.composite
def dockerfile(draw: Any) -> str:
    lines = [draw(st.sampled_from(["FROM python:3.12-slim", "FROM python:3.12-alpine"]))]
    if draw(st.booleans()):
        lines.append("# install")
    if draw(st.booleans()):
        lines.append("RUN pip install flask \\\n    gunicorn")
    lines += ["COPY . /app", "EXPOSE 8000"]
    lines.append(draw(st.sampled_from(['CMD ["gunicorn", "app:app"]', "CMD gunicorn app:app",
                                       "CMD python worker.py"])))
    return "\n".join(lines)


def _finish(text: str, newline: str, final: bool) -> str:
    return text.replace("\n", newline) + (newline if final else "")


def _load(text: str) -> list[Any]:
    return list(yaml.safe_load_all(text))


def _kept(old: Any, new: Any, path: str, allowed: set[str]) -> None:
    """Every key and value of `old` is in `new`; new keys only at paths a fix aims at."""
    if isinstance(old, dict):
        assert isinstance(new, dict), path
        for key, value in old.items():
            assert key in new, f"{path}.{key} lost"
            _kept(value, new[key], f"{path}.{key}", allowed)
        added = set(new) - set(old)
        aim = path.rsplit(".", 1)[-1]
        assert not added or (added <= allowed and aim not in ("x-base",)), (path, added)
    elif isinstance(old, list):
        assert isinstance(new, list) and len(new) == len(old), path
        for index, (a, b) in enumerate(zip(old, new, strict=True)):
            _kept(a, b, f"{path}[{index}]", allowed)
    else:
        assert old == new, (path, old, new)


def _check_yaml(path: str, old: str, new: str) -> None:
    parsed = parse_yaml(path, new)
    assert not parsed.duplicate_keys(), (path, parsed.duplicate_keys())
    before, after = _load(old), _load(new)
    assert len(before) == len(after)
    allowed = SERVICE_KEYS | CONTAINER_KEYS | {"requests", "limits", "cpu", "memory",
                                               "runAsNonRoot", "allowPrivilegeEscalation",
                                               "concurrencyPolicy", "driver", "options",
                                               "max-size", "max-file", "test", "interval",
                                               "timeout", "retries"}
    for a, b in zip(before, after, strict=True):
        if isinstance(a, dict) and "x-base" in a:
            assert a["x-base"] == b["x-base"], "an anchor was edited"
            assert a["x-hc"] == b["x-hc"], "an anchor was edited"
        if isinstance(a, dict) and isinstance(a.get("spec"), dict) and isinstance(
                a["spec"].get("template"), dict):
            # an empty `resources: {}` is the one value a fix may fill in
            for container in a["spec"]["template"]["spec"]["containers"]:
                if container.get("resources") == {}:
                    container.pop("resources")
        _kept(a, b, path, allowed)


@settings(max_examples=30, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(compose_text=compose(), k8s_text=kubernetes(), docker_text=dockerfile(),
       newline=st.sampled_from(["\n", "\r\n"]), final=st.booleans(), unsafe=st.booleans())
def test_fix_keeps_documents_intact_and_settles(compose_text: str, k8s_text: str,
                                                docker_text: str, newline: str, final: bool,
                                                unsafe: bool) -> None:
    originals = {"compose.yaml": _finish(compose_text, newline, final),
                 "k8s/app.yaml": _finish(k8s_text, newline, final),
                 "Dockerfile": _finish(docker_text, newline, final)}
    config = Config.model_validate({"select": RULES, "cache": False})
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        for rel, text in originals.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_bytes(text.encode())
        first = run_fix(root, config, unsafe=unsafe, jobs=1)
        assert not first.failed, first.failed
        for rel, old in originals.items():
            new = (root / rel).read_bytes().decode()
            if newline == "\r\n":
                assert "\n" not in new.replace("\r\n", ""), f"{rel}: mixed line endings"
            if rel == "Dockerfile":
                before = [i.keyword for i in parse_dockerfile(rel, old).instructions]
                after = iter(i.keyword for i in parse_dockerfile(rel, new).instructions)
                assert all(keyword in after for keyword in before), "an instruction was lost"
            else:
                _check_yaml(rel, old, new)
        second = run_fix(root, config, unsafe=unsafe, jobs=1)
        assert not second.changed_files and not second.failed, (second.fixes, second.failed)
