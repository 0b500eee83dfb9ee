"""How each service is reached: from the internet, only inside the cluster, or not at all.

- public: an Ingress, Gateway API route, OpenShift Route or Traefik/Istio route sends traffic
  to it, a Kubernetes Service of type LoadBalancer/NodePort selects it, or Compose publishes
  its port (or an edge proxy's port in the same Compose configuration);
- internal: it is deployed (Compose or Kubernetes) and nothing above reaches it;
- worker: every command that starts it runs a task worker, not a server;
- health-sidecar: it serves nothing but health routes;
- unknown: nothing in the repository deploys it (rules keep judging it as before).

`[tool.prodready] services = { "api" = { exposure = "internal" } }` overrides what the files
say; the key is the service's name, its module reference or the name of something that runs it
(a Compose service, a Kubernetes workload).
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..artifacts.yamldocs import YMap
from . import Project
from .roles import Role
from .services import Runner, Service

if TYPE_CHECKING:
    from ..artifacts.dockerfile import Dockerfile
    from .images import ImageFiles

PUBLIC = "public"
INTERNAL = "internal"
WORKER = "worker"
HEALTH_SIDECAR = "health-sidecar"
UNKNOWN = "unknown"
ROUTE_KINDS = frozenset({"Ingress", "HTTPRoute", "GRPCRoute", "TLSRoute", "Route",
                         "IngressRoute", "VirtualService", "HTTPProxy"})
# task workers, their schedulers and Celery's own monitoring UI (flower serves itself, not
# the app whose tasks it shows)
_WORKER_COMMAND = re.compile(r"\b(celery\b.*\b(worker|beat|flower|events)\b|rq\s+worker|"
                             r"dramatiq\b|arq\b|"
                             r"huey_consumer|taskiq\s+worker|faust\b.*\bworker)")


@dataclass(frozen=True, slots=True)
class Exposure:
    level: str
    why: str

    @property
    def needs_edge_rules(self) -> bool:
        """Rules whose harm needs a public edge judge it (unknown keeps them judging)."""
        return self.level in (PUBLIC, UNKNOWN)


def exposure_of(project: Project, svc: Service) -> Exposure:
    cache: dict[tuple[str, str], Exposure] = project.once("exposure", dict)
    key = (svc.path, svc.name)
    if key not in cache:
        cache[key] = _decide(project, svc)
    found: Exposure = cache[key]
    return found


def edge_services(project: Project) -> list[Service]:
    """The services rules about the public edge judge: public ones, and unknown ones."""
    from .services import services_of

    return [s for s in services_of(project) if exposure_of(project, s).needs_edge_rules]


def tls_config(project: Project) -> str:
    """A web server configuration of the repository that terminates TLS itself
    (`ssl_certificate` in an nginx file): the project ships its TLS edge, even where no
    deployment here runs it ("" when none does)."""
    for path, text in project.texts.items():
        if "ssl_certificate" in text and "nginx" in path.lower():
            return path
    return ""


def edge_elsewhere(project: Project, svc: Service) -> str:
    """Why an edge finding (no rate limit, no HSTS) of `svc` is only information: nothing in
    the repository deploys it, so the proxy or load balancer in front of it (which limits
    requests and terminates TLS) is configured where it is deployed, in another repository
    ("" when something here deploys it)."""
    if exposure_of(project, svc).level != UNKNOWN:
        return ""
    return ("nothing in the repository deploys it: the edge in front of it (the proxy or load "
            "balancer that terminates TLS and limits requests) is configured where it is "
            "deployed")


def development_only(project: Project, path: str) -> Role | None:
    """The role of what alone runs the apps of `path` (or the Django project whose package
    holds it: its settings, its urls), when every runner of each is an image
    or stack for development, tests or examples, and the images say so themselves (a
    library's workbench project that only an image "not made for production" starts): the
    app is not what ships. None when anything else runs one, when nothing runs it at all
    (then nothing says it is not deployed), or when an image is only named or staged for
    development (production may build another stage of it, or deploy from elsewhere)."""
    from .deployment import deployment_of
    from .services import services_of

    model = deployment_of(project)
    if not model.declared_images:
        return None  # no image says so: no need to build the service model
    found = [svc for svc in services_of(project) if svc.path == path or (
        svc.kind == "django" and path.startswith(posixpath.dirname(svc.path) + "/"))]
    if not found or not all(svc.runners for svc in found):
        return None
    roles = [(runner, model.role_of(runner.path)) for svc in found for runner in svc.runners]
    images = [runner.path for runner, _ in roles if runner.source == "dockerfile"]
    if any(role.judged for _, role in roles) or not images or not all(
            image in model.declared_images for image in images):
        return None
    runner, role = roles[0]
    return Role(role.role, f"only {runner.path} runs it ({role.why})")


def _decide(project: Project, svc: Service) -> Exposure:
    configured = _configured(project, svc)
    if configured is not None:
        return configured
    if svc.routes and all(_is_health(r.path) for r in svc.routes):
        return Exposure(HEALTH_SIDECAR, "it serves only health routes")
    from .deployment import deployment_of

    model = deployment_of(project)
    # runners in examples, test harnesses or dev tooling say nothing about production
    deployed = [r for r in svc.runners if r.source in ("compose", "kubernetes")
                and model.role_of(r.path).judged]
    # what runs is the deployment's command when it gives one, else the image's
    image = [r.command for r in svc.runners if r.source == "dockerfile"]
    commands = [r.command or " ".join(image) for r in deployed] or image
    if commands and all(_WORKER_COMMAND.search(c) for c in commands):
        return Exposure(WORKER, "every command that starts it runs a task worker")
    web = next((r for r in svc.runners if r.source == "procfile" and r.name == "web"), None)
    if not deployed and web is not None:
        # the platform routes the app's public HTTP traffic to the `web` process only
        return Exposure(PUBLIC, f"{web.path} runs it as the web process, which the "
                                "platform serves publicly")
    if not deployed:
        return Exposure(UNKNOWN, "nothing in the repository deploys it")
    verdicts = [(r, _compose_exposure(project, r) if r.source == "compose"
                 else _kubernetes_exposure(project, r)) for r in deployed]
    for _, (level, why) in verdicts:
        if level == PUBLIC:
            return Exposure(PUBLIC, why)
    unknown = [why for _, (level, why) in verdicts if level != INTERNAL]
    if unknown:
        return Exposure(UNKNOWN, unknown[0])
    return Exposure(INTERNAL, "; ".join(why for _, (_, why) in verdicts))


def _is_health(path: str | None) -> bool:
    from ..facts import is_health_path

    return is_health_path(path)


def _configured(project: Project, svc: Service) -> Exposure | None:
    settings = project.config.services
    if not settings:
        return None
    names = [svc.name, svc.module_ref, *(r.name for r in svc.runners),
             *(r.name.split("/", 1)[0] for r in svc.runners if r.source == "kubernetes")]
    for name in names:
        chosen = settings.get(name)
        if chosen is not None and chosen.exposure is not None:
            return Exposure(chosen.exposure, f"set in the configuration for {name!r}")
    return None


# --------------------------------------------------------------------------- Compose


def _compose_exposure(project: Project, runner: Runner) -> tuple[str, str]:
    """A published port (a loopback one too: a proxy on the host serves it), or an edge
    proxy's published port in the same configuration, makes it public."""
    from .compose import EDGE_IMAGES, configs, image_repository

    for config in configs(project):
        svc = config.services.get(runner.name)
        if svc is None or runner.path not in config.files:
            continue
        if svc.ports():
            return PUBLIC, f"Compose service {runner.name!r} publishes a port ({runner.path})"
        for other in config.services.values():
            image = other.image or ""
            if other is not svc and image and image_repository(image)[1] in EDGE_IMAGES and \
                    other.ports() and _fronts(project, other, svc.name):
                return PUBLIC, (f"Compose service {other.name!r} ({image}) publishes a port "
                                f"in front of it ({runner.path})")
    return INTERNAL, f"Compose service {runner.name!r} publishes no port ({runner.path})"


def tls_edge(project: Project) -> str:
    """Where a deployed Compose file of the repository publishes port 443 ("" when none
    does): the project ships the proxy that terminates TLS, so what that edge sends (HSTS) is
    its authors' choice even in a product others run."""
    from .compose import configs, interpolate, is_loopback
    from .deployment import deployment_of

    model = deployment_of(project)
    for config in configs(project):
        for svc in config.judged:
            if not model.role_of(svc.anchor_site.path).judged:
                continue
            for port in svc.ports():
                container = interpolate(port.raw).split("/", 1)[0].rsplit(":", 1)[-1]
                if container.strip() == "443" and not is_loopback(port.host_ip):
                    return f"Compose service {svc.name!r} publishes 443 ({port.site.path})"
    return ""


MOUNTED_FILES_READ = 50


def _fronts(project: Project, proxy: Any, name: str) -> bool:
    """Whether an edge proxy forwards to the Compose service `name`: it depends on it, or
    the configuration it runs with (its command, environment, the files it mounts from the
    repository) names it. A proxy whose configuration the repository does not show (baked
    into its image) is taken to front every service."""
    depends, texts, mounts = project.once(
        f"proxy-configuration:{','.join(proxy.config.files)}:{proxy.name}",
        lambda: _proxy_configuration(project, proxy))
    if name in depends or (not depends and not mounts):
        return True
    named = re.compile(rf"(?<![\w.-]){re.escape(name)}(?![\w-])")
    return any(named.search(text) for text in texts)


def _proxy_configuration(project: Project, proxy: Any) -> tuple[set[str], list[str], bool]:
    """(the services a proxy depends on, the texts it runs with: command, environment
    values and the repository files it mounts, whether it mounts any), read once per scan
    and proxy."""
    from .documentation import read_text

    mounted: list[str] = []
    for host, _, _ in proxy.bind_mounts():
        if project.has_file(host):
            mounted.append(host)
        else:  # a directory of configuration files
            prefix = host.rstrip("/") + "/"
            mounted += [p for p in project.all_files if p.startswith(prefix)][
                :MOUNTED_FILES_READ]
    texts = [str(proxy.scalar("command") or ""), *(str(v.value or "") for v in
                                                    proxy.environment().values())]
    texts += [read_text(project, path) for path in mounted]
    return {d.name for d in proxy.depends_on()}, texts, bool(mounted)


# --------------------------------------------------------------------------- Kubernetes


def _kubernetes_exposure(project: Project, runner: Runner) -> tuple[str, str]:
    """Public through a route or an outward Service; internal when the repository's Services
    that select it are cluster-only; unknown when no Service here selects it."""
    from .kubernetes import Workload, as_map, project_objects

    workload_name = runner.name.split("/", 1)[0]
    workload = next((o for o in project_objects(project) if isinstance(o, Workload)
                     and o.path == runner.path and o.name == workload_name), None)
    if workload is None or workload.pod_template is None:
        return UNKNOWN, "its workload has no pod template"
    meta = as_map(workload.pod_template.get("metadata"))
    labels = _labels(as_map(meta.get("labels")) if meta is not None else None)
    from .deployment import deployment_of

    model = deployment_of(project)
    routed = _routed_service_names(project)
    internal: list[str] = []
    for obj in project_objects(project):
        # a Service in an example or dev overlay exposes nothing in production
        if obj.kind != "Service" or not model.role_of(obj.path).judged:
            continue
        spec = as_map(obj.root.get("spec"))
        if spec is None:
            continue
        selector = _labels(as_map(spec.get("selector")))
        if not selector or any(labels.get(k) != v for k, v in selector.items()):
            continue
        kind = str(spec.get_value("type") or "")
        if kind in ("LoadBalancer", "NodePort"):
            return PUBLIC, f"Service {obj.name!r} of type {kind} selects it ({obj.path})"
        if obj.name in routed:
            return PUBLIC, f"{routed[obj.name]} routes to its Service {obj.name!r}"
        internal.append(obj.name)
    if internal:
        return INTERNAL, (f"only cluster-internal Service(s) {', '.join(sorted(internal))} "
                          f"select {runner.name.split('/', 1)[0]!r} and no route reaches them")
    return UNKNOWN, f"no Service in the repository selects {workload_name!r}"


def _labels(node: YMap | None) -> dict[str, str]:
    if node is None:
        return {}
    return {str(k.value): str(v.to_python()) for k, v in node.items}


def _routed_service_names(project: Project) -> dict[str, str]:
    """Service name -> the route object that sends outside traffic to it."""
    found: dict[str, str] = project.once("routed-services", lambda: _routes(project))
    return found


def _routes(project: Project) -> dict[str, str]:
    from .deployment import deployment_of
    from .kubernetes import project_objects

    model = deployment_of(project)
    found: dict[str, str] = {}
    for obj in project_objects(project):
        if obj.kind not in ROUTE_KINDS or not model.role_of(obj.path).judged:
            continue
        spec = obj.root.get("spec")
        if spec is None:
            continue
        for name in _backend_names(spec.to_python()):
            found.setdefault(name, f"{obj.kind} {obj.name!r} ({obj.path})")
    return found


def _backend_names(spec: Any) -> set[str]:
    """Every Service name a route's spec points at, wherever its API puts it: Ingress
    `service.name`/`serviceName`, Gateway `backendRefs`, OpenShift `to`/`alternateBackends`,
    Traefik/Contour `services`, Istio `destination.host`."""
    names: set[str] = set()
    stack = [spec]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            if isinstance(value.get("serviceName"), str):
                names.add(value["serviceName"])
            for key in ("service", "destination", "to"):
                target = value.get(key)
                if isinstance(target, dict):
                    name = target.get("name") or target.get("host")
                    if isinstance(name, str):
                        names.add(name.split(".", 1)[0])
            for key in ("backendRefs", "services", "alternateBackends"):
                for item in value.get(key) or ():
                    if isinstance(item, dict) and isinstance(item.get("name"), str):
                        names.add(item["name"])
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return names


# --------------------------------------------------------------------------- output


def annotate_json(project: Project, services: list[Service], data: list[dict[str, Any]]
                  ) -> list[dict[str, Any]]:
    """Each service's JSON entry gains its exposure and role, each runner its file's role."""
    from .deployment import deployment_of

    model = deployment_of(project)
    for svc, entry in zip(services, data, strict=True):
        exposure = exposure_of(project, svc)
        role = model.role_of(svc.path)
        entry["exposure"] = {"level": exposure.level, "why": exposure.why}
        entry["role"] = {"role": role.role or "unclassified", "why": role.why}
        for runner, out in zip(svc.runners, entry.get("runners", []), strict=False):
            runner_role = model.role_of(runner.path)
            out["role"] = {"role": runner_role.role or "unclassified", "why": runner_role.why}
    return data


def annotate_text(project: Project, services: list[Service], tree: Any) -> Any:
    """The services tree with each service's exposure and role."""
    from .deployment import deployment_of

    model = deployment_of(project)
    for svc, node in zip(services, tree.children, strict=False):
        exposure = exposure_of(project, svc)
        role = model.role_of(svc.path)
        node.add(f"exposure: [cyan]{exposure.level}[/cyan] [dim]({exposure.why})[/dim]")
        node.add(f"role: [cyan]{role.role or 'unclassified'}[/cyan] [dim]({role.why})[/dim]")
    return tree


# --------------------------------------------------------------------------- images

# A script copied into an image to start a task worker or scheduler: `/start-worker`,
# `celery-beat.sh`, `run_scheduler.sh`.
_WORKER_SCRIPT = re.compile(r"(?:^|[-_])(?:worker|beat|celery|scheduler)(?:[-_][\w-]*)?"
                            r"(?:\.sh|\.py)?$", re.IGNORECASE)
# A project's own command for a background process: `python -m app run-worker`,
# `manage.py run_scheduler`, `python -m tracecat.dsl.worker`, `entrypoints.worker_streams`,
# an entrypoint's `worker` or `celery`. Words of the command's arguments, not of its options:
# `--worker-class uvicorn.workers.UvicornWorker` is a web server's worker class.
_WORKER_WORDS = frozenset({"worker", "workers", "scheduler", "beat", "consumer", "consumers"})
_WORKER_PROGRAMS = frozenset({"celery", "rq", "dramatiq", "huey"})
_WORKER_CLASS_OPTIONS = frozenset({"-k", "--worker-class"})


def is_worker_command(command: str) -> bool:
    """A command line that starts a task worker or scheduler (`celery -A app worker`,
    `python -m app run-worker`, an entrypoint's `worker`)."""
    if _WORKER_COMMAND.search(command):
        return True
    words = command.replace('"', " ").replace("'", " ").replace(",", " ").split()
    if len(words) == 1 and words[0].lower() in _WORKER_PROGRAMS:
        return True
    for previous, word in zip(["", *words], words, strict=False):
        if word.startswith("-") or previous in _WORKER_CLASS_OPTIONS:
            continue
        parts = re.split(r"[./:=_-]", word.lower())
        if _WORKER_WORDS.intersection(parts):
            return True
    return False


def runs_worker(svc: Any) -> bool:
    """The Compose service's command starts a task worker or scheduler."""
    from ..artifacts.yamldocs import command_line

    found = svc.find("command")
    return found is not None and is_worker_command(command_line(found[2]))


def worker_use(project: Project, dockerfile: str) -> str:
    """Why the image a Dockerfile builds also runs as a task worker or scheduler ("" if
    nothing says so): a Compose service or Kubernetes container (of any stack, a developers'
    one too) runs it with a worker command, or the image carries a script named to start one
    (`COPY celery/start-worker /start-worker`)."""
    from ..artifacts.dockerfile import Dockerfile
    from ..artifacts.yamldocs import command_line
    from .deployment import image_runners
    from .images import image_files

    # any stack shows what the image is built to run, a developers' one too
    compose, containers = image_runners(project, dockerfile, any_role=True)
    for svc in compose:
        if runs_worker(svc):
            return f"Compose service {svc.name!r} runs it as a task worker"
    for container in containers:
        command = " ".join([command_line(container.node.get("command")),
                            command_line(container.node.get("args"))])
        if is_worker_command(command):
            return f"the {container.label} runs it as a task worker"
    df = project.dockerfiles.get(dockerfile)
    if not isinstance(df, Dockerfile):
        return ""
    files = image_files(project, df)
    for copy in files.copies:
        name = copy.dest.rstrip("/").rsplit("/", 1)[-1]
        if not copy.directory and (_WORKER_SCRIPT.search(name) or
                                   _WORKER_SCRIPT.search(copy.source.rsplit("/", 1)[-1])):
            return f"it carries {copy.dest} to start a task worker"
    return _prepared_worker_script(project, df, files)


def _prepared_worker_script(project: Project, df: Dockerfile, files: ImageFiles) -> str:
    """A second entrypoint the build prepares beside the one it starts (`chmod +x
    docker/async_entrypoint.sh`) whose text starts a task worker."""
    from .documentation import read_text
    from .images import script_words

    stage = df.final_stage
    if stage is None:
        return ""
    started = {w for ins in [*stage.find("CMD"), *stage.find("ENTRYPOINT")]
               for w in script_words(ins.args, (".sh",))}
    for ins in stage.find("RUN"):
        for word in script_words(ins.args, (".sh",)):
            source = files.source(word) if word not in started else None
            text = read_text(project, source) if source else None
            if text and _WORKER_COMMAND.search(text):
                return f"it carries {word}, which starts a task worker"
    return ""
