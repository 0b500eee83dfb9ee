"""The YAML artifact: exact positions, merge keys, duplicates, hostile input, decoding, Helm."""

from __future__ import annotations

import codecs
import time
from pathlib import Path

import pytest

from prodready.artifacts.source import UnreadableFile, decode
from prodready.artifacts.yamldocs import (
    MAX_DEPTH,
    MAX_NODES,
    YamlError,
    YMap,
    YNode,
    YScalar,
    YSeq,
    is_compose_path,
    looks_like_template,
    parse_yaml,
)
from prodready.config import Config
from prodready.engine import scan
from prodready.result import ScanResult
from prodready.testing import write_tree as make_tree

MANIFESTS = """\
# leading comment
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web, tier: "front"}
spec:
  replicas: 2
  template:
    spec:
      containers:
        - name: web
          image: "web:1.2"
          args: ["--port", "8000"]
          env:
            - name: MODE
              value: |
                multi
                line
            - {name: DEBUG, value: "0"}
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  ports:
    - port: 80
      targetPort: 8000
---
just: config
"""




def run(root: Path, files: dict[str, str | bytes], select: list[str] | None = None) -> ScanResult:
    make_tree(root, files)
    return scan(root, Config(select=select or ["K8S011"]), jobs=1, use_cache=False)


def all_keys(node: YNode | None) -> list[YScalar]:
    keys: list[YScalar] = []
    if isinstance(node, YMap):
        for key, value in node.items:
            keys.append(key)
            keys.extend(all_keys(value))
    elif isinstance(node, YSeq):
        for item in node.items:
            keys.extend(all_keys(item))
    return keys


# ------------------------------------------------------------------ documents and positions


def test_multi_document_file() -> None:
    yf = parse_yaml("k8s/web.yaml", MANIFESTS)
    assert [doc.index for doc in yf.documents] == [0, 1, 2]
    assert [doc.line for doc in yf.documents] == [2, 22, 31]
    assert [doc.is_kubernetes for doc in yf.documents] == [True, True, False]
    assert [doc.root.get_value("kind") for doc in yf.kubernetes_objects()] == [  # type: ignore[union-attr]
        "Deployment", "Service"]
    assert yf.documents[2].root.to_python() == {"just": "config"}  # type: ignore[union-attr]


def test_exact_line_and_column_of_every_key() -> None:
    lines = MANIFESTS.splitlines()
    keys = [k for doc in parse_yaml("k8s/web.yaml", MANIFESTS).documents
            for k in all_keys(doc.root)]
    assert len(keys) == 29
    for key in keys:
        text = lines[key.line - 1]
        assert text[key.column - 1:].startswith(str(key.value)), (key, text)
        assert key.end_line == key.line
        assert text[key.column - 1:key.end_column - 1] == str(key.value)


def test_positions_of_values_and_nested_nodes() -> None:
    root = parse_yaml("k8s/web.yaml", MANIFESTS).documents[0].root
    assert isinstance(root, YMap)
    container = root.path("spec", "template", "spec", "containers")
    assert isinstance(container, YSeq)
    first = container.items[0]
    assert isinstance(first, YMap)
    assert (first.line, first.column) == (12, 11)  # the mapping starts after "- "
    image = first.get("image")
    assert isinstance(image, YScalar)
    assert (image.line, image.column, image.value, image.quoted) == (13, 18, "web:1.2", True)
    args = first.get_seq("args")
    assert args is not None and args.flow and args.to_python() == ["--port", "8000"]
    mode = first.path("env")
    assert isinstance(mode, YSeq)
    block = mode.items[0]
    assert isinstance(block, YMap)
    assert block.get_value("value") == "multi\nline\n"
    assert block.key_node("value").line == 17  # type: ignore[union-attr]
    flow = mode.items[1]
    assert isinstance(flow, YMap) and flow.flow
    assert (flow.line, flow.key_node("value").line) == (20, 20)  # type: ignore[union-attr]


def test_scalars_keep_their_types() -> None:
    root = parse_yaml("x.yaml", (
        "port: 8000\nratio: 0.5\non: true\nnull_value: ~\nquoted: '8000'\n"
        "date: 2024-01-31\nversion: 1.10\n")).documents[0].root
    assert isinstance(root, YMap)
    values = root.to_python()
    assert values["port"] == 8000 and values["ratio"] == 0.5
    assert values[True] is True  # YAML 1.1: `on` is a boolean key
    assert values["null_value"] is None
    assert values["quoted"] == "8000" and root.get("quoted").quoted  # type: ignore[union-attr]
    assert str(values["date"]) == "2024-01-31"
    assert values["version"] == 1.1


def test_empty_and_comment_only_files() -> None:
    assert parse_yaml("e.yaml", "").documents == []
    assert parse_yaml("e.yaml", "# nothing here\n").documents == []


def test_invalid_yaml_raises_with_a_line() -> None:
    with pytest.raises(YamlError) as info:
        parse_yaml("bad.yaml", "a: 1\nb: [1, 2\nc: 3\n")
    assert info.value.line is not None and info.value.line >= 2
    assert "line" in str(info.value)


# ------------------------------------------------------------------ merge keys


MERGE = """\
defaults: &defaults
  restart: always
  mem: 256m
  logging: json
extra: &extra
  mem: 1g
  cpus: 2
single:
  <<: *defaults
  restart: "no"
both:
  <<: [*defaults, *extra]
  logging: none
"""


def test_merge_key_single_source_and_explicit_keys_win() -> None:
    root = parse_yaml("compose.yaml", MERGE).documents[0].root
    assert isinstance(root, YMap)
    single = root.get_map("single")
    assert single is not None
    assert single.to_python() == {"restart": "no", "mem": "256m", "logging": "json"}
    assert "<<" not in single
    # Merged keys point at their definition in the anchor.
    assert single.key_node("mem").line == 3  # type: ignore[union-attr]
    assert single.key_node("restart").line == 10  # type: ignore[union-attr]


def test_merge_key_list_first_source_wins() -> None:
    root = parse_yaml("compose.yaml", MERGE).documents[0].root
    both = root.get_map("both")  # type: ignore[union-attr]
    assert both is not None
    assert both.to_python() == {"logging": "none", "restart": "always", "mem": "256m",
                                "cpus": 2}
    assert both.key_node("cpus").line == 7  # type: ignore[union-attr]
    assert parse_yaml("compose.yaml", MERGE).duplicate_keys() == []


def test_plain_aliases_are_expanded() -> None:
    root = parse_yaml("a.yaml", "base: &b [1, 2]\ncopy: *b\n").documents[0].root
    assert root.to_python() == {"base": [1, 2], "copy": [1, 2]}  # type: ignore[union-attr]


# ------------------------------------------------------------------ duplicate keys


def test_duplicate_keys_are_recorded_with_lines() -> None:
    yf = parse_yaml("k8s/dup.yaml", (
        "a: 1\nb:\n  x: 1\n  y: 2\n  x: 3\na: 4\n---\nc: 1\nc: 2\n"))
    assert [(d.key, d.line, d.first_line) for d in yf.duplicate_keys()] == [
        ("a", 6, 1), ("x", 5, 3), ("c", 9, 8)]
    # The tree keeps the last value, as PyYAML does, but not the lost one twice.
    assert yf.documents[0].root.to_python() == {"b": {"x": 3, "y": 2}, "a": 4}  # type: ignore[union-attr]


def test_a_duplicate_inside_an_anchor_is_reported_once() -> None:
    # The anchored mapping is expanded at every alias; its duplicate is still one mistake.
    yf = parse_yaml("a.yaml", "base: &b {x: 1, x: 2}\nm1: *b\nm2: *b\n")
    assert [(d.key, d.line, d.first_line) for d in yf.duplicate_keys()] == [("x", 1, 1)]


def test_duplicate_keys_become_parse_diagnostics(tmp_path: Path) -> None:
    result = run(tmp_path, {"k8s/dup.yaml": (
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  name: q\nspec:\n"
        "  containers:\n    - name: c\n      image: nginx:latest\n")})
    parse = [(d.kind, d.path, d.line) for d in result.diagnostics if d.kind == "PARSE"]
    assert parse == [("PARSE", "k8s/dup.yaml", 5)]
    [diag] = [d for d in result.diagnostics if d.kind == "PARSE"]
    assert "'name'" in diag.message and "line 4" in diag.message
    # The rest of the file is still judged.
    assert [(f.rule_id, f.line) for f in result.findings] == [("K8S011", 8)]


# ------------------------------------------------------------------ hostile input


def billion_laughs(levels: int = 9) -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def test_billion_laughs_is_refused_quickly() -> None:
    started = time.perf_counter()
    with pytest.raises(YamlError, match="alias"):
        parse_yaml("bomb.yaml", billion_laughs())
    assert time.perf_counter() - started < 10
    assert MAX_NODES <= 1_000_000


def test_modest_alias_use_is_fine() -> None:
    yf = parse_yaml("ok.yaml", billion_laughs(levels=3))  # 9**3 leaves: well under the cap
    assert len(yf.documents[0].root.to_python()["c"]) == 9  # type: ignore[union-attr]


def test_alias_bomb_in_a_scan_is_one_parse_diagnostic(tmp_path: Path) -> None:
    result = run(tmp_path, {
        "k8s/bomb.yaml": billion_laughs(),
        "k8s/pod.yaml": ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n"
                         "  containers:\n    - name: c\n      image: nginx\n"),
    })
    assert [(d.kind, d.path) for d in result.diagnostics] == [("PARSE", "k8s/bomb.yaml")]
    assert [(f.path, f.line) for f in result.findings] == [("k8s/pod.yaml", 7)]


def test_recursive_alias_is_refused() -> None:
    with pytest.raises(YamlError):
        parse_yaml("loop.yaml", "a: &a\n  b: *a\n")


@pytest.mark.parametrize("depth", [MAX_DEPTH + 50, 5_000, 100_000])
def test_deep_nesting_is_refused_not_a_crash(depth: int) -> None:
    with pytest.raises(YamlError, match="nest"):
        parse_yaml("deep.yaml", "[" * depth + "]" * depth)


def test_deep_block_mappings_are_refused() -> None:
    text = "".join("  " * i + f"k{i}:\n" for i in range(MAX_DEPTH + 20))
    with pytest.raises(YamlError):
        parse_yaml("deep.yaml", text)


def test_reasonable_nesting_is_accepted() -> None:
    text = "".join("  " * i + f"k{i}:\n" for i in range(40)) + "  " * 40 + "leaf: 1\n"
    node = parse_yaml("deep.yaml", text).documents[0].root
    for i in range(40):
        assert isinstance(node, YMap)
        node = node.get(f"k{i}")
    assert isinstance(node, YMap) and node.get_value("leaf") == 1


def test_unsafe_tags_are_not_constructed(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    def refuse(*args: object) -> None:
        raise AssertionError("YAML input ran a command")

    monkeypatch.setattr(os, "system", refuse)
    root = parse_yaml("evil.yaml", (
        "x: !!python/object/apply:os.system ['echo hi']\n"
        "y: !!python/name:os.system ''\n")).documents[0].root
    # Kept as inert data, never constructed.
    assert isinstance(root, YMap)
    assert root.to_python() == {"x": ["echo hi"], "y": ""}


# ------------------------------------------------------------------ decoding


def test_utf8_bom_is_stripped_and_lines_are_unchanged() -> None:
    data = codecs.BOM_UTF8 + b"apiVersion: v1\nkind: ConfigMap\n"
    decoded = decode(data)
    assert (decoded.bom, decoded.encoding) == (True, "utf-8-sig")
    assert decoded.text.startswith("apiVersion")
    root = parse_yaml("cm.yaml", decoded.text).documents[0].root
    assert isinstance(root, YMap)
    assert root.keys() == ["apiVersion", "kind"]
    assert root.key_node("kind").line == 2  # type: ignore[union-attr]


@pytest.mark.parametrize("codec", ["utf-16", "utf-32"])
def test_utf16_and_utf32_with_bom(codec: str) -> None:
    decoded = decode("name: café\n".encode(codec))
    assert decoded.bom and decoded.text == "name: café\n"


def test_latin1_yaml_is_undecodable() -> None:
    with pytest.raises(UnreadableFile, match="utf-8"):
        decode(b"name: caf\xe9\n")


def test_python_coding_cookie_is_honoured_only_for_python() -> None:
    data = b'# -*- coding: latin-1 -*-\nname = "caf\xe9"\n'
    assert decode(data, python=True).text.endswith('"café"\n')
    with pytest.raises(UnreadableFile):
        decode(data)


def test_nul_bytes_mean_binary() -> None:
    with pytest.raises(UnreadableFile, match="binary"):
        decode(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")


def test_bom_yaml_and_undecodable_yaml_in_a_scan(tmp_path: Path) -> None:
    pod = ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n"
           "  containers:\n    - name: c\n      image: nginx\n")
    result = run(tmp_path, {
        "k8s/bom.yaml": codecs.BOM_UTF8 + pod.encode(),
        "k8s/utf16.yaml": pod.encode("utf-16"),
        "k8s/latin1.yaml": pod.replace("name: p", "name: caf\xe9").encode("latin-1"),
    })
    assert [(f.path, f.line) for f in result.findings] == [
        ("k8s/bom.yaml", 7), ("k8s/utf16.yaml", 7)]
    assert [(d.kind, d.path) for d in result.diagnostics] == [("SKIP", "k8s/latin1.yaml")]
    assert result.stats.skipped == {"undecodable": 1}


# ------------------------------------------------------------------ templates and names


HELM_DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "chart.fullname" . }}
spec:
  template:
    spec:
      containers:
        - name: app
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
          {{- with .Values.resources }}
          resources: {{- toYaml . | nindent 12 }}
          {{- end }}
"""


def test_helm_templates_are_skipped_with_one_info_diagnostic(tmp_path: Path) -> None:
    result = run(tmp_path, {
        "chart/Chart.yaml": "apiVersion: v2\nname: chart\nversion: 0.1.0\n",
        "chart/values.yaml": "image:\n  repository: web\n  tag: latest\n",
        "chart/templates/deployment.yaml": HELM_DEPLOYMENT,
        "chart/templates/service.yaml": (
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Release.Name }}\n"),
    })
    assert [d.kind for d in result.diagnostics] == ["INFO"]
    [info] = result.diagnostics
    assert info.path.startswith("chart/templates/")
    assert "2 Helm" in info.message
    assert result.stats.skipped == {"helm": 2}
    assert result.stats.files == {"yaml": 2}  # Chart.yaml and values.yaml, not the templates
    assert result.findings == []


def test_templated_yaml_elsewhere_that_parses_is_scanned(tmp_path: Path) -> None:
    result = run(tmp_path, {"deploy/pod.yaml": (
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: \"{{ name }}\"\nspec:\n"
        "  containers:\n    - name: c\n      image: nginx:latest\n")})
    assert [(f.path, f.line) for f in result.findings] == [("deploy/pod.yaml", 7)]
    assert result.diagnostics == []


def test_templated_yaml_elsewhere_that_only_parses_rendered_is_skipped(tmp_path: Path) -> None:
    result = run(tmp_path, {"deploy/pod.yaml": HELM_DEPLOYMENT})
    assert [d.kind for d in result.diagnostics] == ["INFO"]
    assert result.stats.skipped == {"helm": 1}


def test_jinja_block_tags_are_templates_too(tmp_path: Path) -> None:
    compose = ("services:\n  web:\n    image: acme/web:1.0\n{% if use_celery %}\n"
               "  worker:\n    image: acme/web:1.0\n{% endif %}\n    ports: [\"80:80\"]\n")
    result = run(tmp_path, {"docker-compose.yml": compose})
    assert [d.kind for d in result.diagnostics] == ["INFO"]
    assert result.stats.skipped == {"helm": 1}


PROJECT_TEMPLATE = {
    "{{cookiecutter.slug}}/config/urls.py": (
        "from django.urls import path\n{%- if cookiecutter.use_drf == 'y' %}\n"
        "from {{ cookiecutter.slug }}.api import router\n{%- endif %}\n\nurlpatterns = []\n"),
    "{{cookiecutter.slug}}/compose/django/Dockerfile": (
        "FROM python:3.12-slim\n{% if cookiecutter.use_node == 'y' %}\nRUN npm ci\n"
        "{% endif %}\nCOPY . /app\n"),
}


def test_python_and_dockerfiles_of_a_project_template_are_skipped_as_templates(
        tmp_path: Path) -> None:
    result = run(tmp_path, PROJECT_TEMPLATE, select=["PY", "DOCKER"])
    assert [d.kind for d in result.diagnostics] == ["INFO"]
    assert "2 Python file(s) and Dockerfile(s) that are Jinja templates" in \
        result.diagnostics[0].message
    assert result.stats.skipped == {"template": 2}


def test_broken_python_without_template_markers_is_a_parse_error(tmp_path: Path) -> None:
    result = run(tmp_path, {"app/urls.py": "from django.urls import path\nurlpatterns = [\n"},
                 select=["PY"])
    assert [d.kind for d in result.diagnostics] == ["PARSE"]


def test_broken_yaml_without_template_markers_is_a_parse_error(tmp_path: Path) -> None:
    result = run(tmp_path, {"chart/templates/broken.yaml": "a: [1, 2\n"})
    assert [(d.kind, d.path) for d in result.diagnostics] == [
        ("PARSE", "chart/templates/broken.yaml")]


def test_looks_like_template() -> None:
    assert looks_like_template("name: {{ .Values.name }}\n")
    assert not looks_like_template("name: web\n")
    assert not looks_like_template("note: '{{ unterminated'\n")


@pytest.mark.parametrize(("path", "compose"), [
    ("docker-compose.yml", True),
    ("deploy/docker-compose.prod.yaml", True),
    ("compose.yaml", True),
    ("compose.override.yml", True),
    ("k8s/deployment.yaml", False),
    ("my-compose.yml", False),
])
def test_is_compose_path(path: str, compose: bool) -> None:
    assert is_compose_path(path) is compose
