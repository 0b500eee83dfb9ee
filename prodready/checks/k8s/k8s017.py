"""K8S017 single-replica."""

from __future__ import annotations

from ...project import Project
from ...project.kubernetes import (
    KObject,
    Workload,
    as_int,
    as_map,
    is_templated,
    project_objects,
    text_of,
)
from ..api import RuleContext
from ._report import report_object

SCOPE = "project"
AUTOSCALERS = frozenset({"HorizontalPodAutoscaler", "ScaledObject"})  # HPA, KEDA


def _targets(obj: KObject) -> tuple[str, str, str] | None:
    """(namespace, kind, name) an autoscaler scales."""
    spec = as_map(obj.root.get("spec"))
    ref = as_map(spec.get("scaleTargetRef")) if spec else None
    if ref is None:
        return None
    default_kind = "Deployment" if obj.kind == "ScaledObject" else ""
    kind = text_of(ref.get_value("kind")) or default_kind
    return obj.namespace, kind, text_of(ref.get_value("name"))


def check(project: Project, ctx: RuleContext) -> None:
    objs = project_objects(project)
    scaled = {t for o in objs if o.kind in AUTOSCALERS and (t := _targets(o)) is not None}
    for obj in objs:
        if not isinstance(obj, Workload) or obj.kind != "Deployment" or obj.exempt("K8S017"):
            continue
        spec = as_map(obj.root.get("spec"))
        if spec is None:
            continue  # not a Deployment that could run
        raw = spec.get_value("replicas")
        replicas = 1 if raw is None else as_int(raw)
        if replicas != 1 or is_templated(raw):
            ctx.examine()  # several replicas, scaled to zero on purpose, or set at deploy
            continue
        if (obj.namespace, "Deployment", obj.name) in scaled:
            ctx.examine()
            continue
        how = "sets replicas: 1" if raw is not None else "sets no replicas (the default is 1)"
        report_object(
            ctx, obj,
            f"{obj.label} {how} and no HorizontalPodAutoscaler targets it: every rollout, "
            "node drain or crash leaves the service with no ready pod until a new one "
            "starts; run at least 2 replicas (with a PodDisruptionBudget) or add an HPA with "
            "minReplicas: 2",
        )
