"""K8S016 no-network-policy."""

from __future__ import annotations

from ...project import Project
from ...project.kubernetes import Workload, project_objects
from ..api import RuleContext
from ._report import report_object

SCOPE = "project"
# Namespaced policy kinds (Kubernetes, Calico and Cilium all call theirs NetworkPolicy).
NAMESPACED = frozenset({"NetworkPolicy", "CiliumNetworkPolicy"})
# Cluster-wide policies cover every namespace.
CLUSTER_WIDE = frozenset({"GlobalNetworkPolicy", "CiliumClusterwideNetworkPolicy",
                          "AdminNetworkPolicy", "BaselineAdminNetworkPolicy",
                          "ClusterNetworkPolicy"})


def check(project: Project, ctx: RuleContext) -> None:
    objs = project_objects(project)
    covered = {o.namespace for o in objs if o.kind in NAMESPACED}
    cluster_wide = any(o.kind in CLUSTER_WIDE for o in objs)
    by_namespace: dict[str, list[Workload]] = {}
    for obj in objs:
        if isinstance(obj, Workload) and not obj.exempt("K8S016"):
            by_namespace.setdefault(obj.namespace, []).append(obj)
    for namespace, workloads in by_namespace.items():
        if cluster_wide or namespace in covered:
            ctx.examine()
            continue
        first = workloads[0]
        count = (f"runs {len(workloads)} workloads (first: {first.label})"
                 if len(workloads) > 1 else f"runs {first.label}")
        report_object(
            ctx, first,
            f"namespace {namespace!r} {count} but the manifests define no NetworkPolicy for "
            "it: every pod there accepts connections from any pod in the cluster, so one "
            "compromised pod can reach them all; add a default-deny NetworkPolicy for the "
            "namespace and allow only the traffic each workload needs",
        )
