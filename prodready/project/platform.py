"""Health checks the repository's infrastructure code gives the platform its containers run on.

A team that deploys to Cloud Run, ECS, Azure Container Apps or behind a cloud load balancer
checks health there: a Terraform `liveness_probe`/`health_check` block, an ECS container's
`healthCheck` command, an AWS CDK `HealthCheck(path=...)`, a CloudFormation or SAM template's
`HealthCheckPath`. The files are read as text (never run, never planned) and only for the
paths they check.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from . import Project

# Where a check starts, by language: HCL blocks and maps (`liveness_probe {`, `healthCheck =
# {`), CDK constructs and options (`HealthCheck(`, `health_check=`, `healthCheck: {`),
# CloudFormation and task definition keys (`HealthCheck:`, `"healthCheck": {`). The group
# names the kind: a probe of the container, its own check command, a load balancer's check.
_HCL_START = re.compile(
    r"^\s*(?:(?P<probe>liveness_probe|readiness_probe|startup_probe|health_probe)"
    r"|(?P<container>healthCheck)|(?P<balancer>health_check|healthcheck))\s*=?\s*\{")
_CODE_START = re.compile(
    r"\b(?:(?P<balancer>HealthCheck\s*\(|health_check\s*=)|(?P<container>healthCheck\s*:))")
_DATA_START = re.compile(r"[\"']?(?P<container>healthCheck|HealthCheck)[\"']?\s*:")
_CHECK_PATH = re.compile(
    r"\b(?:health_check_path|healthcheck_path|HealthCheckPath)\b[\"']?\s*[=:]\s*[\"']?"
    r"(/[^\s\"',]*)")
_PATH_ARGUMENT = re.compile(r"\bpath\b[\"']?\s*[=:]\s*[\"'](/[^\"']*)[\"']", re.IGNORECASE)
_URL = re.compile(r"https?://[^/\s\"']+(/[^\s\"'\]]*)?")
_CHECK_WINDOW = 12  # lines of a check block that may name its path or command
# Where CDK and Pulumi programs live: their code is a deployment, not the service's
_IAC_DIRECTORY = re.compile(r"(?:^|[-_/])(?:cdk|pulumi|infra|infrastructure|iac)(?:[-_/]|$)",
                            re.IGNORECASE)
_IAC_CODE_SUFFIXES = (".py", ".ts")
_TERRAFORM_SUFFIXES = (".tf", ".tf.json")
FILES_READ = 300


@dataclass(frozen=True, slots=True)
class PlatformCheck:
    file: str
    line: int
    kind: str  # probe (of the container), container (its own command), balancer
    route: str | None  # the path it fetches; None for a TCP check or a command without a URL


def platform_health_checks(project: Project) -> list[PlatformCheck]:
    """Every health check the repository's infrastructure code configures (computed once)."""
    found: list[PlatformCheck] = project.once("platform-health-checks",
                                              lambda: _find(project))
    return found


def _find(project: Project) -> list[PlatformCheck]:
    from .deployment import deployment_of
    from .documentation import read_text

    deployment = deployment_of(project)
    found: list[PlatformCheck] = []
    for path in infrastructure_files(project):
        if not deployment.role_of(path).judged:
            continue  # an example's or a test's infrastructure checks nothing that runs
        lowered = path.lower()
        code = lowered.endswith(_IAC_CODE_SUFFIXES)
        start = _HCL_START if lowered.endswith(_TERRAFORM_SUFFIXES) else (
            _CODE_START if code else _DATA_START)
        text = read_text(project, path)
        if code and not any(library in text for library in _IAC_LIBRARIES):
            continue
        lines = text.splitlines()
        for number, line in enumerate(lines, 1):
            declared = _CHECK_PATH.search(line)
            opened = start.search(line)
            if declared:
                found.append(PlatformCheck(path, number, "balancer", declared[1]))
            elif opened:
                kind = next(k for k, v in opened.groupdict().items() if v)
                found.append(PlatformCheck(path, number, kind, _checked_route(
                    lines[number - 1:number - 1 + _CHECK_WINDOW])))
    return found


# A probe in a Helm chart's template (`readinessProbe:` then `httpGet:` and `path: /info`)
_CHART_PROBE = re.compile(r"^\s*(?:liveness|readiness|startup)Probe\s*:")
_YAML_PATH = re.compile(r"^\s*path\s*:\s*[\"']?(/[^\s\"'{}]*)")


def template_files(project: Project) -> list[str]:
    """The YAML and `.tpl` files under a `templates/` directory (a Helm chart's, computed
    once): not YAML until rendered, so read as text where a rule needs them."""
    found: list[str] = project.once("template-files", lambda: [
        path for path in project.all_files
        if "/templates/" in f"/{path}" and path.endswith((".yaml", ".yml", ".tpl"))])
    return found


def chart_probes(project: Project) -> list[PlatformCheck]:
    """The probes of the Helm charts that ship (computed once): their templates are not read
    as Kubernetes objects (they are not YAML until rendered), but the paths they probe are
    routes of the repository's services, checked where the chart deploys them."""
    found: list[PlatformCheck] = project.once("chart-probes", lambda: _chart_probes(project))
    return found


def _chart_probes(project: Project) -> list[PlatformCheck]:
    from .deployment import deployment_of
    from .documentation import read_text

    deployment = deployment_of(project)
    found: list[PlatformCheck] = []
    for chart in project.files_named("Chart.yaml", "Chart.yml"):
        if not deployment.role_of(chart).judged:
            continue
        templates = posixpath.join(posixpath.dirname(chart), "templates") + "/"
        for path in template_files(project):
            if not path.startswith(templates):
                continue
            lines = read_text(project, path).splitlines()
            for number, line in enumerate(lines, 1):
                if _CHART_PROBE.match(line):
                    route = next((m[1] for m in map(_YAML_PATH.match,
                                                    lines[number:number + _CHECK_WINDOW]) if m),
                                 None)
                    found.append(PlatformCheck(path, number, "probe", route))
    return found


def infrastructure_files(project: Project) -> list[str]:
    """The first FILES_READ infrastructure files: by their names (Terraform, CDK and Pulumi
    programs, task definitions), then CloudFormation and SAM templates by their contents
    (`sam-template.yaml`, `template.yml`); computed once."""
    def find() -> list[str]:
        named = [path for path in project.all_files if _is_infrastructure(path.lower())]
        return (named + sorted(path for path, yf in project.yaml_files.items()
                               if path not in named
                               and _CLOUDFORMATION.search(yf.text[:_TEMPLATE_HEAD])))[:FILES_READ]

    found: list[str] = project.once("infrastructure-files", find)
    return found


def is_terraform(path: str) -> bool:
    return path.lower().endswith(_TERRAFORM_SUFFIXES)


def is_infrastructure_code(path: str) -> bool:
    """A CDK or Pulumi program's source (`cdk_stacks/jobs.py`)."""
    return path.lower().endswith(_IAC_CODE_SUFFIXES)


# A CloudFormation or SAM template says so in its first lines
_CLOUDFORMATION = re.compile(r"^AWSTemplateFormatVersion\s*:|^Transform\s*:\s*['\"]?AWS::",
                             re.MULTILINE)
_TEMPLATE_HEAD = 2_000


def _is_infrastructure(path: str) -> bool:
    """Terraform, CloudFormation and ECS task definitions anywhere; CDK and Pulumi programs
    in the directories that hold them (their imports are checked when read)."""
    if path.endswith(_TERRAFORM_SUFFIXES):
        return True
    if path.endswith((".yaml", ".yml", ".json", ".template")):
        return "cloudformation" in path or bool(
            re.search(r"task[-_]?def(?:inition)?", posixpath.basename(path)))
    return path.endswith(_IAC_CODE_SUFFIXES) and bool(
        _IAC_DIRECTORY.search(posixpath.dirname(path)))


# A CDK, CDK for Terraform or Pulumi program (not an `infrastructure/` layer of the app)
_IAC_LIBRARIES = ("aws_cdk", "aws-cdk-lib", "@aws-cdk", "cdktf", "pulumi")


def _checked_route(block: list[str]) -> str | None:
    """The path the check fetches: a `path` argument, or the URL of its command."""
    for line in block:
        found = _PATH_ARGUMENT.search(line)
        if found:
            return found[1]
        url = _URL.search(line)
        if url:
            return url[1] or "/"
    return None
