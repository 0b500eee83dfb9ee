"""Fix edits for the Kubernetes container rules: minimal insertions into the manifest."""

from __future__ import annotations

from ...artifacts.yamldocs import YamlFile, YMap
from ...fix.yaml_edits import set_nested
from ...model import Fix, FixSafety
from ...project.kubernetes import Container, Workload, as_map

# Starting points a team tunes later; small enough to schedule anywhere.
DEFAULT_REQUESTS = {"cpu": "100m", "memory": "128Mi"}
DEFAULT_MEMORY_LIMIT = "256Mi"


def _fix(yf: YamlFile, mapping: YMap, keys: list[str], leaf: list[str], what: str,
         safety: FixSafety = FixSafety.SAFE) -> Fix | None:
    edit = set_nested(yf.path, yf.text, mapping, keys, leaf)
    return Fix(safety, what, (edit,)) if edit is not None and yf.text else None


def requests_fix(yf: YamlFile, container: Container, missing: list[str]) -> Fix | None:
    leaf = [f"{key}: {DEFAULT_REQUESTS[key]}" for key in missing]
    return _fix(yf, container.node, ["resources", "requests"], leaf,
                "add resources.requests " + ", ".join(leaf))


def memory_limit_fix(yf: YamlFile, container: Container) -> Fix | None:
    requests = as_map(container.resources.get("requests")) if container.resources else None
    requested = requests.get_value("memory") if requests is not None else None
    limit = requested if isinstance(requested, str) and requested else DEFAULT_MEMORY_LIMIT
    return _fix(yf, container.node, ["resources", "limits"], [f"memory: {limit}"],
                f"add resources.limits.memory: {limit}")


def security_context_fix(yf: YamlFile, container: Container, line: str) -> Fix | None:
    return _fix(yf, container.node, ["securityContext"], [line], f"set securityContext {line}")


def concurrency_fix(yf: YamlFile, cronjob: Workload) -> Fix | None:
    spec = as_map(cronjob.root.get("spec"))
    if spec is None or "concurrencyPolicy" in spec:
        return None  # an explicit Allow is a decision to change by hand
    return _fix(yf, spec, [], ["concurrencyPolicy: Forbid"], "set concurrencyPolicy: Forbid")
