"""K8S012 secret-literal-in-env."""

from __future__ import annotations

import base64
import binascii
import re

from ...artifacts.yamldocs import YamlFile, YMap
from ...project.kubernetes import KObject, Workload, file_objects, is_templated, seq_items, text_of
from ...secretcontext import (
    identity_values,
    is_config_entry,
    is_real_secret_value,
    is_test_data,
    repeats_identity,
)
from ...secretnames import is_secret_name, normalise
from ..api import RuleContext

SCOPE = "yaml"
MAX_KEYS_SHOWN = 5
# An upper-case constant's name, words joined by underscores: one of the product's choices
_CONSTANT_NAME = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+")


def check(yf: YamlFile, ctx: RuleContext) -> None:
    if is_test_data(yf.path):
        return  # manifests of a test environment hold throw-away values
    for obj in file_objects(yf):
        if obj.exempt("K8S012"):
            continue
        if isinstance(obj, Workload):
            _check_env(obj, ctx)
        elif obj.kind == "Secret":
            _check_secret(obj, ctx)


def _check_env(workload: Workload, ctx: RuleContext) -> None:
    for container in workload.containers(init=True):
        for var in seq_items(container.node.get("env")):
            if not isinstance(var, YMap) or "value" not in var or "valueFrom" in var:
                continue
            name = var.get_value("name")
            if not isinstance(name, str):
                continue
            value = var.get_value("value")
            if not is_secret_name(name, value):
                continue
            if not is_real_secret_value(value, workload.path) or _placeholder(name, value):
                ctx.examine()
                continue
            key = var.key_node("name")
            line, column = (key.line, key.column) if key else (var.line, var.column)
            # The value itself never goes into the message or the snippet.
            ctx.report(
                workload.path, line, column,
                f"{container.label} sets {name} to a literal value in the manifest: anyone "
                "who can read the repository (or `kubectl get` the workload) can read it; "
                "store it in a Secret managed outside git and reference it with "
                "valueFrom.secretKeyRef",
                snippet=f"- name: {name}",
            )


def _placeholder(name: str, value: object) -> bool:
    """A token a deploy script substitutes: `${…}`, `<…>`, or `GOOGLE_API_KEY_VAL` for
    GOOGLE_API_KEY (upper case, spelling out the variable's own name)."""
    if is_templated(value):
        return True
    text = str(value).strip()
    return bool(re.fullmatch(r"[A-Z][A-Z0-9_]*", text)) and normalise(name) in text


def _check_secret(obj: KObject, ctx: RuleContext) -> None:
    for field in ("data", "stringData"):
        values = obj.root.get(field)
        key = obj.root.key_node(field)
        if not isinstance(values, YMap) or key is None:
            continue
        entries: dict[str, str | None] = {}
        for k, v in values.items:
            value = v.to_python() if not isinstance(v, YMap) else ""
            if field == "data" and isinstance(value, str):
                value = _decoded(value)
            entries[text_of(k.value)] = None if value is None else str(value)
        # the user and database names beside a password (`POSTGRES_USER: app`)
        identities = identity_values(entries)
        literal = []
        for name, value in entries.items():
            # Placeholders, ConfigMap-style entries (PORT, LOG_LEVEL, a host name), a choice
            # among the product's constants (`LLM_KEY: OPENAI_GPT4_1`) and a sample password
            # that repeats its user (`postgresql://app:app@db/app`) are not what makes a
            # committed Secret a leak.
            if is_real_secret_value(value, obj.path) and not is_config_entry(name, value) \
                    and not _CONSTANT_NAME.fullmatch(value or "") \
                    and not repeats_identity(value, identities, name):
                literal.append(name)
        if not literal:
            ctx.examine()
            continue
        shown = ", ".join(literal[:MAX_KEYS_SHOWN]) + (", …" if len(literal) > MAX_KEYS_SHOWN
                                                       else "")
        encoded = " (base64 is an encoding, not encryption)" if field == "data" else ""
        ctx.report(
            obj.path, key.line, key.column,
            f"{obj.label} commits {len(literal)} value(s) in {field} ({shown}) to the "
            f"repository{encoded}: anyone with read access has them, and they stay in git "
            "history; commit a SealedSecret or an ExternalSecret instead, or create the Secret "
            "at deploy time from a secret store",
            snippet=f"{field}:",
        )


def _decoded(value: str) -> str:
    """A `data:` value base64-decoded (kept as written when it is not valid base64 text)."""
    try:
        return base64.b64decode(value, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return value
