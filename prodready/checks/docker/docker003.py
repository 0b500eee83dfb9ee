"""DOCKER003 runs-as-root."""

from __future__ import annotations

import re

from ...artifacts.dockerfile import Dockerfile, image_reference
from ...project import Project
from ...project.deployment import deployment_of, image_name, image_runners
from ...project.documentation import documentation_pages
from ...project.images import effective_stages, image_commands, image_files
from ...project.startup import image_start_texts
from ..api import RuleContext
from ._fixes import non_root_fix
from ._helm import image_names, values_contexts
from ._image import NONROOT_BASES, SHELL_DEFAULT_BASES
from ._privileges import context_unprivileged, drops_privileges, is_root, runs_unprivileged

SCOPE = "project"  # entrypoint scripts, server configs, base images and runners are other files


def check(project: Project, ctx: RuleContext) -> None:
    for _, df in sorted(project.dockerfiles.items()):
        if isinstance(df, Dockerfile):
            _check(project, df, ctx)


def _check(project: Project, df: Dockerfile, ctx: RuleContext) -> None:
    final = df.final_stage
    if final is None:
        return
    chain = effective_stages(df)
    users = [u for stage in reversed(chain) for u in stage.find("USER")]
    base = chain[-1].base_image
    if users:
        if is_root(users[-1].args.split(":", 1)[0].strip()) and not _root_is_dropped(
                project, df):
            ctx.report(df.path, users[-1].line, users[-1].column,
                       "the final USER is root: a compromised process owns the container; "
                       "switch to an unprivileged user before CMD", snippet=users[-1].raw)
        else:
            ctx.examine()
        return
    if NONROOT_BASES.search(base) or base == "scratch" or _for_lambda(df) or \
            _root_is_dropped(project, df) \
            or _own_base_runs_unprivileged(project, base, {df.path}) \
            or _only_a_base_image(project, df):
        ctx.examine()
        return
    ctx.report(df.path, final.line, 1,
               "the final stage never sets USER, so the container runs as root; create an "
               "unprivileged user and add `USER` before CMD", snippet=f"FROM {final.base_raw}",
               fix=non_root_fix(df, final, base),
               informational=_runs_nothing_itself(project, df, base) or _root_daemon(df)
               or _base_sets_a_user(project, df, base) or _edge_proxy(base)
               or _nginx_alone(project, df, base)
               or _base_given_by_the_build(project, df, chain[-1].base_raw, base))


_ARGUMENT = re.compile(r"^\$\{?(\w+)")


def _base_given_by_the_build(project: Project, df: Dockerfile, written: str, base: str) -> str:
    """Why the base's user is unknown ("" if it is known): `FROM $BASE_IMAGE` with an ARG
    that has no default, no stage of the file to pick and no build of the repository that
    passes it (`--build-arg BASE_IMAGE=…`, Compose `args:`), so the image is whatever the
    build is given, and so is its user."""
    argument = _ARGUMENT.match(written)
    if base or argument is None or any(stage.name for stage in df.stages):
        return ""
    passed = re.compile(rf"\b{re.escape(argument[1])}\s*[=:]")
    if any(passed.search(text) for path, text in [*project.texts.items(), *(
            (p, yf.text) for p, yf in project.yaml_files.items())] if path != df.path):
        return ""
    return (f"the base image is a build argument with no default ({written}) that no build "
            "of the repository passes: the container runs as the user of whatever image it "
            "is given")


def _sets_command(df: Dockerfile) -> bool:
    """A stage the final image is built from sets CMD or ENTRYPOINT."""
    return any(stage.find("CMD") or stage.find("ENTRYPOINT") for stage in effective_stages(df))


def _official_name(base: str) -> str:
    """The name of an official image (`caddy` of `caddy:2`, `library/nginx`), "" for any
    other."""
    repository = image_reference(base)[0].removeprefix("library/") if base else ""
    return "" if "/" in repository else repository


def _for_lambda(df: Dockerfile) -> bool:
    """The image is an AWS Lambda function's: it installs Lambda's runtime interface client
    (`awslambdaric`), and Lambda runs the container as its own unprivileged user."""
    return "awslambdaric" in df.text


def _root_is_dropped(project: Project, df: Dockerfile) -> bool:
    """The image starts as root but the process does not stay root: the entrypoint, the
    server's own configuration or the base image's entrypoint hands it to another user, or
    every Compose service and Kubernetes workload that runs the image sets a non-root user."""
    return drops_privileges(project, df, image_files(project, df)) or _every_runner_unprivileged(
        project, df.path)


def _every_runner_unprivileged(project: Project, path: str) -> bool:
    compose, containers = image_runners(project, path)
    charts = values_contexts(project, image_names(project, path))
    if not compose and not containers and (not charts or _documented_elsewhere(project, path)):
        return False
    return all(not is_root(str(svc.scalar("user") or "root").split(":", 1)[0])
               for svc in compose) and all(runs_unprivileged(c) for c in containers) and all(
        context is not None and context_unprivileged(context) for context in charts)


def _documented_elsewhere(project: Project, path: str) -> bool:
    """The documentation runs the image outside the chart (`image: acme/app:2.9` in a Compose
    sample, `docker run acme/app`): the chart's user is one way among others that set none."""
    names = {n.split(":", 1)[0] for n in image_names(project, path)}
    names = {n.split("/", 1)[1] if n.count("/") > 1 else n for n in names}  # drop a registry
    if not names:
        return False
    run = re.compile(r"(?:\bimage:\s*|\bdocker\s+run\b[^\n]*?\s)(?:[\w.-]+/)?(?:"
                     + "|".join(re.escape(n) for n in sorted(names)) + r")(?![\w/-])")
    return any(run.search(text) for _, text in documentation_pages(project))


def _only_a_base_image(project: Project, df: Dockerfile) -> bool:
    """An image with no command of its own that another Dockerfile of the repository builds
    FROM: it is never run itself, the derived image's user is what runs."""
    if _sets_command(df):
        return False
    model = deployment_of(project)
    for path, other in project.dockerfiles.items():
        if path == df.path or not isinstance(other, Dockerfile):
            continue
        for stage in other.stages:
            repository, _, _ = image_reference(stage.base_image)
            if stage.base_image and model.image_dockerfiles.get(
                    image_name(repository or stage.base_image)) == df.path:
                return True
    return False


def _runs_nothing_itself(project: Project, df: Dockerfile, base: str) -> str:
    """Why the image's user is decided elsewhere ("" if it is not): it sets no command and
    its base's own is a shell, so it is a base, build or tool image, and no deployment of
    the repository (Compose, Kubernetes, a Procfile) runs it."""
    if _sets_command(df) \
            or not SHELL_DEFAULT_BASES.search(base) or any(image_runners(project, df.path)) \
            or project.has_file("Procfile"):
        return ""
    return ("the image sets no command and its base image's is a shell: a base, build or tool "
            "image, whose user is set by the images built FROM it or whoever runs it")


# Daemons that must start as root to do their job: sshd and cron switch to each account
# themselves, dockerd (a Docker-in-Docker image) manages the kernel's namespaces.
_ROOT_DAEMONS = {"sshd": "sshd logs users in as their own accounts",
                 "cron": "cron runs each job as its crontab's owner",
                 "crond": "cron runs each job as its crontab's owner",
                 "dockerd": "dockerd manages containers in a privileged container",
                 "start-dockerd": "dockerd manages containers in a privileged container",
                 "dockerd-entrypoint.sh": "dockerd manages containers in a privileged "
                                          "container"}


def _root_daemon(df: Dockerfile) -> str:
    """Why the image's process must start as root ("" if nothing says so): its command
    starts a daemon that needs root, which is root's to drop."""
    for ins in image_commands(df, None):
        words = ins.exec_form if ins.exec_form is not None else ins.args.split()
        program = words[0].rsplit("/", 1)[-1] if words else ""
        if program in _ROOT_DAEMONS:
            return f"the image runs {program}, which must start as root: {_ROOT_DAEMONS[program]}"
    return ""


# Edge proxies whose official images run as root to bind ports 80 and 443
_EDGE_PROXIES = frozenset({"caddy", "traefik"})


def _edge_proxy(base: str) -> str:
    """Why an edge proxy's image keeps root ("" if it is not one): FROM the official Caddy or
    Traefik image, which its upstream publishes running as root to bind ports 80 and 443."""
    name = _official_name(base)
    if name not in _EDGE_PROXIES:
        return ""
    return (f"FROM the official {name} image, which runs as root to bind ports 80 and 443 as "
            "its upstream publishes it; an unprivileged user needs the ports moved or a "
            "capability granted")


# A program the start-up runs: nginx, or a server of the project's own code
_RUNS_NGINX = re.compile(r"(?:^|[\s/;&|\"'])nginx(?:\s|$|[;&|\"'])", re.MULTILINE)
_RUNS_APP = re.compile(r"(?<![\w.-])(?:uvicorn|gunicorn|hypercorn|daphne|granian|uwsgi|"
                       r"waitress-serve|celery|python[\d.]*|php-fpm|node|supervisord)(?![\w.-])")
_ROOT_WORKERS = re.compile(r"^\s*user\s+root\b", re.MULTILINE)


def _nginx_alone(project: Project, df: Dockerfile, base: str) -> str:
    """Why root stays with the master process only ("" if nothing says so): the image runs
    nginx alone (the official image's own command, or a start-up that runs nginx and no
    server of the project's code), whose master binds the ports and whose workers, which
    handle the requests, run as the nginx user, unless a configuration here sets
    `user root`."""
    if _sets_command(df):
        starts = [text for text, _ in image_start_texts(project, df, None)]
    elif _official_name(base) == "nginx":
        starts = ["nginx"]  # the official image's own command
    else:
        return ""
    if not any(_RUNS_NGINX.search(text) for text in starts) or any(
            _RUNS_APP.search(text) for text in starts):
        return ""
    if _ROOT_WORKERS.search(df.text) or any(
            "nginx" in path and _ROOT_WORKERS.search(text) for path, text in project.texts.items()):
        return ""
    return ("the image runs nginx alone: its master process binds the ports as root and its "
            "workers, which handle the requests, run as the nginx user")


# `COPY --chown=app`, `chown -R app:app /srv`: the user a build hands files to
_CHOWN_USER = re.compile(r"(?:--chown=|\bchown\s+(?:-\S+\s+)*)([A-Za-z_][\w-]*)")
_CREATES_USER = re.compile(r"\b(?:useradd|adduser|groupadd|addgroup)\b")


def _base_sets_a_user(project: Project, df: Dockerfile, base: str) -> str:
    """Why the base image, which prodready cannot read, seems to run as a user of its own
    ("" if nothing says so): the build hands files to a user it never creates (the base's),
    or a stage FROM the same base switches to root first, as one does to leave a base's
    unprivileged user."""
    if not base or "/" not in image_reference(base)[0]:
        return ""  # an official image (`python`, `node`): runs as root unless told otherwise
    chain = effective_stages(df)
    text = "\n".join(ins.raw for stage in chain for ins in stage.instructions)
    shown = base.replace('"', "")
    if not _CREATES_USER.search(text):
        for user in _CHOWN_USER.findall(text):
            if not is_root(user):
                return (f"the build hands files to {user}, a user it never creates: the base "
                        f"image {shown} provides it and probably runs as it")
    for other in project.dockerfiles.values():
        if not isinstance(other, Dockerfile):
            continue
        for stage in other.stages:
            users = stage.find("USER")
            if stage.base_image == base and users and is_root(
                    users[0].args.split(":", 1)[0].strip()):
                return (f"a stage FROM {shown} switches to root first ({other.path}:"
                        f"{users[0].line}): the base image runs as an unprivileged user")
    return ""


def _own_base_runs_unprivileged(project: Project, base: str, seen: set[str]) -> bool:
    """FROM an image this repository builds: judged by the Dockerfile that builds it."""
    if not base or base == "scratch":
        return False
    repository, _, _ = image_reference(base)
    source = deployment_of(project).dockerfile_of_image(image_name(repository or base))
    df = project.dockerfiles.get(source[0]) if source else None
    if not isinstance(df, Dockerfile) or df.path in seen or df.final_stage is None:
        return False
    seen.add(df.path)
    chain = effective_stages(df)
    users = [u for stage in reversed(chain) for u in stage.find("USER")]
    if users:
        return not is_root(users[-1].args.split(":", 1)[0].strip())
    parent = chain[-1].base_image
    return bool(NONROOT_BASES.search(parent)) or _own_base_runs_unprivileged(
        project, parent, seen)

