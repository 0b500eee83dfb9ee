"""Cross-file evidence of the Dockerfile rules: what the image copies, who its process runs
as, which packages a step leaves behind."""

from __future__ import annotations

from prodready.checks.docker.docker008 import _has_no_cache
from prodready.checks.docker.docker009 import _left_installed
from prodready.testing import release_workflow, scan_files


def rules(files: dict[str, str], rule: str) -> list[tuple[str, int]]:
    return [(f.path, f.line) for f in scan_files(files, [rule])]


# ----------------------------------------------------------------------------- DOCKER003

ENTRY_DOCKERFILE = """\
FROM python:3.12-slim
WORKDIR /app
COPY docker/entry.sh ./run.sh
ENTRYPOINT ["./run.sh"]
"""


def test_entrypoint_script_is_found_through_the_copy_that_renames_it():
    files = {"Dockerfile": ENTRY_DOCKERFILE,
             "docker/entry.sh": "#!/bin/sh\nexec gosu app gunicorn app:app\n"}
    assert rules(files, "DOCKER003") == []
    files["docker/entry.sh"] = "#!/bin/sh\nexec gunicorn app:app\n"
    assert rules(files, "DOCKER003") == [("Dockerfile", 1)]


def test_a_script_started_by_the_entrypoint_script_is_read_too():
    files = {"Dockerfile": ENTRY_DOCKERFILE,
             "docker/entry.sh": "#!/bin/sh\n./migrate.sh\nexec ./serve.sh\n",
             "docker/serve.sh": "#!/bin/sh\nexec su-exec app uvicorn app:app\n"}
    assert rules(files, "DOCKER003") == []


def test_uwsgi_uid_from_the_command_line_or_the_ini_file():
    dockerfile = "FROM python:3.12-slim\nCOPY uwsgi.ini /etc/uwsgi.ini\nCMD {cmd}\n"
    ini = "[uwsgi]\nmodule = app.wsgi\nuid = {uid}\n"
    for cmd, uid, flagged in (
            ('["uwsgi", "--ini", "/etc/uwsgi.ini"]', "www-data", False),
            ('["uwsgi", "--ini", "/etc/uwsgi.ini"]', "root", True),
            ('["uwsgi", "--ini", "/etc/uwsgi.ini"]', "0", True),
            ('uwsgi --http :8000 --uid 1000 --module app.wsgi', "root", False),
            ('["gunicorn", "--user", "app", "app:app"]', "root", False),
            ('["gunicorn", "app:app"]', "www-data", True)):
        files = {"Dockerfile": dockerfile.format(cmd=cmd), "uwsgi.ini": ini.format(uid=uid)}
        assert bool(rules(files, "DOCKER003")) is flagged, (cmd, uid)


def _docker003_severities(files: dict[str, str]) -> list[str]:
    return [f.severity.value for f in scan_files(files, ["DOCKER003"])]


def test_a_team_base_image_that_provides_the_user_is_informational():
    handed = "FROM ghcr.io/acme/python-web:1\nCOPY --chown=app . .\nCMD [\"gunicorn\", \"a:app\"]\n"
    assert _docker003_severities({"Dockerfile": handed}) == ["info"]
    # the build creates that user itself: nothing says the base runs as anyone but root
    created = handed.replace("COPY", "RUN useradd app\nCOPY")
    assert _docker003_severities({"Dockerfile": created}) == ["high"]
    # an official image runs as root unless told otherwise
    official = handed.replace("ghcr.io/acme/python-web:1", "python:3.12-slim")
    assert _docker003_severities({"Dockerfile": official}) == ["high"]
    # a build stage FROM the same base switches to root first
    staged = ("FROM ghcr.io/acme/python-web:1 AS build\nUSER root\nRUN make\n"
              "FROM ghcr.io/acme/python-web:1\nCOPY --from=build /out /srv\n"
              "CMD [\"gunicorn\", \"a:app\"]\n")
    assert _docker003_severities({"Dockerfile": staged}) == ["info"]
    plain = ("FROM ghcr.io/acme/python-web:1\nCOPY . /srv\nCMD [\"gunicorn\", \"a:app\"]\n")
    assert _docker003_severities({"Dockerfile": plain}) == ["high"]


def test_server_user_option_on_a_continued_line_of_the_entrypoint():
    dockerfile = "FROM python:3.12-slim\nCOPY entrypoint.sh /\nENTRYPOINT [\"/entrypoint.sh\"]\n"
    for script, flagged in (
            ("#!/bin/sh\nexec gunicorn app:app \\\n  --bind 0.0.0.0:80 \\\n  --user app\n", False),
            ("#!/bin/sh\nexec gunicorn app:app \\\n  --bind 0.0.0.0:80\necho --user app\n", True)):
        files = {"Dockerfile": dockerfile, "entrypoint.sh": script}
        assert bool(rules(files, "DOCKER003")) is flagged, script


def test_an_image_with_no_command_over_a_shell_base_is_informational():
    tool = "FROM ubuntu:24.04\nRUN apt-get update && apt-get install -y make\n"
    [finding] = scan_files({"Dockerfile": tool}, ["DOCKER003"])
    assert finding.severity.value == "info" and "sets no command" in finding.message
    for files in ({"Dockerfile": tool + 'CMD ["make", "serve"]\n'},
                  {"Dockerfile": tool, "Procfile": "web: make serve\n"},
                  {"Dockerfile": tool, "docker-compose.yml": (
                      "services:\n  web:\n    build: .\n    command: make serve\n")},
                  # a server image's own command runs: not a tool image
                  {"Dockerfile": "FROM tomcat:10\nCOPY app.war /usr/local/tomcat/webapps/\n"}):
        assert [f.severity.value for f in scan_files(files, ["DOCKER003"])] == ["high"], files
    # uv's images start uv, a package manager's command line
    tool = "FROM ghcr.io/astral-sh/uv:python3.13-bookworm-slim\nRUN uv pip install --system x\n"
    [finding] = scan_files({"Dockerfile": tool}, ["DOCKER003"])
    assert finding.severity.value == "info"
    [finding] = scan_files({"Dockerfile": tool + 'CMD ["uvicorn", "app:app"]\n'}, ["DOCKER003"])
    assert finding.severity.value == "high"


def test_an_image_running_a_daemon_that_must_start_as_root_is_informational():
    for command, daemon in (('CMD ["/usr/sbin/sshd", "-D"]', "sshd"),
                            ('CMD ["cron", "-f", "-L", "7"]', "cron"),
                            ('ENTRYPOINT []\nCMD ["/usr/local/bin/start-dockerd", "-v"]',
                             "start-dockerd")):
        [finding] = scan_files({"Dockerfile": f"FROM debian:bookworm-slim\n{command}\n"},
                               ["DOCKER003"])
        assert finding.severity.value == "info" and f"runs {daemon}," in finding.message
    # a server started by a script named after cron is not cron
    [finding] = scan_files({"Dockerfile": 'FROM debian:bookworm-slim\nCMD ["cron-server"]\n'},
                           ["DOCKER003"])
    assert finding.severity.value == "high"


def test_official_database_entrypoint_counts_only_when_kept():
    for dockerfile, flagged in (
            ("FROM postgres:16-alpine\nCOPY init.sql /docker-entrypoint-initdb.d/\n", False),
            ("FROM redis:7\nCMD [\"redis-server\", \"--appendonly\", \"yes\"]\n", False),
            ("FROM library/mariadb:11\nCMD [\"--character-set-server=utf8mb4\"]\n", False),
            ("FROM postgres:16\nENTRYPOINT [\"postgres\"]\n", True),
            ("FROM redis:7\nCMD [\"sh\", \"-c\", \"redis-server\"]\n", True),
            ("FROM acme/postgres:16\n", True)):  # not the official image
        assert bool(rules({"Dockerfile": dockerfile}, "DOCKER003")) is flagged, dockerfile


def _deployment(pod: str = "", container: str = "") -> str:
    return f"""\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  template:
    spec:
{pod}      containers:
        - name: api
          image: registry.example.com/team/api:1.0
{container}"""


def _kubernetes_files(manifest: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    files = {
        "Dockerfile": "FROM python:3.12-slim\nCMD [\"gunicorn\", \"app:app\"]\n",
        ".github/workflows/release.yml": (
            "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n"
            "      - uses: docker/build-push-action@v6\n        with:\n"
            "          tags: registry.example.com/team/api:1.0\n"),
        "k8s/api.yaml": manifest,
    }
    files.update(extra or {})
    return files


def test_kubernetes_security_context_on_the_pod_or_the_container():
    pod = "      securityContext:\n        runAsUser: 1000\n"
    container = "          securityContext:\n            runAsNonRoot: true\n"
    root = "          securityContext:\n            runAsUser: 0\n"
    assert rules(_kubernetes_files(_deployment(pod=pod)), "DOCKER003") == []
    assert rules(_kubernetes_files(_deployment(container=container)), "DOCKER003") == []
    assert rules(_kubernetes_files(_deployment()), "DOCKER003") == [("Dockerfile", 1)]
    # the container's own runAsUser: 0 overrides the pod's non-root user
    assert rules(_kubernetes_files(_deployment(pod=pod, container=root)), "DOCKER003") == [
        ("Dockerfile", 1)]


def test_a_compose_service_running_the_image_as_root_keeps_the_finding():
    pod = "      securityContext:\n        runAsNonRoot: true\n"
    compose = "services:\n  api:\n    build: .\n    image: registry.example.com/team/api:1.0\n"
    files = _kubernetes_files(_deployment(pod=pod), {"compose.yaml": compose})
    assert rules(files, "DOCKER003") == [("Dockerfile", 1)]
    files["compose.yaml"] = compose + "    user: \"1000:1000\"\n"
    assert rules(files, "DOCKER003") == []


def test_an_example_manifest_does_not_vouch_for_the_image():
    pod = "      securityContext:\n        runAsNonRoot: true\n"
    files = _kubernetes_files(_deployment(), {"k8s/api.yaml": ""})
    files["examples/k8s/api.yaml"] = _deployment(pod=pod)
    assert rules(files, "DOCKER003") == [("Dockerfile", 1)]


def test_a_base_image_with_a_command_of_its_own_is_still_judged():
    files = {
        "base/Dockerfile": "FROM python:3.12-slim\nCMD [\"python\", \"-m\", \"app\"]\n",
        "Dockerfile": "FROM acme/base:1\nUSER 1000\n",
        "Makefile": "base:\n\tdocker build -t acme/base:1 base\n",
    }
    assert rules(files, "DOCKER003") == [("base/Dockerfile", 1)]
    files["base/Dockerfile"] = "FROM python:3.12-slim\nRUN pip install --no-cache-dir build\n"
    assert rules(files, "DOCKER003") == []


# ----------------------------------------------------------------------------- DOCKER008


def test_pip_no_cache_prefix_belongs_to_the_pip_command():
    assert _has_no_cache("pip install --no-cache -r requirements.txt")
    assert _has_no_cache("python -m pip install -r r.txt --no-cache-d")
    assert _has_no_cache("pip install --no-cache-dir -U pip && pip install --no-cache .")
    # each pip command keeps its own cache: one without the flag still writes it
    assert not _has_no_cache("pip install gunicorn && pip install --no-cache-dir .")
    # upgrading only the installer's own tools caches a few MB: not worth a finding
    assert _has_no_cache("pip install --upgrade pip && pip install --no-cache-dir .")
    assert _has_no_cache("pip install -U pip setuptools==75.1 wheel && pip install --no-cache .")
    assert not _has_no_cache("pip install -U pip gunicorn && pip install --no-cache-dir .")
    assert not _has_no_cache("apk add --no-cache libpq && pip install gunicorn")
    assert not _has_no_cache("pip install --no-cache-dirs x")


# ----------------------------------------------------------------------------- DOCKER009


def test_build_tools_left_after_the_step():
    assert _left_installed("apt-get update && apt-get install -y gcc libpq-dev", {}) == [
        "gcc", "libpq-dev"]
    assert _left_installed("apt-get install -y gcc libpq-dev && apt-get purge -y gcc", {}) == [
        "libpq-dev"]
    assert _left_installed("apt-get -y install gcc && apt-get -y --purge remove gcc", {}) == []
    assert _left_installed('BUILD="gcc make" && apt-get install -y $BUILD && '
                           "apt-get purge -y ${BUILD}", {}) == []
    assert _left_installed("apt-get install -y ${DEPS} && apt-get purge -y ${DEPS}",
                           {"DEPS": "build-essential"}) == []
    assert _left_installed("apk add --virtual .build-deps gcc musl-dev && apk del .build-deps",
                           {}) == []
    assert _left_installed("apk add libffi-dev && apk add -t .deps gcc && apk del .deps",
                           {}) == ["libffi-dev"]
    assert _left_installed("apt-get install -y gcc && apt-get autoremove -y", {}) == []
    # `make` run as a command is no package installed by the step
    assert _left_installed("apt-get install -y curl && make && make install", {}) == []


# ----------------------------------------------------------------------------- DOCKER007

SERVICE_CONTEXT = {
    "api/Dockerfile": "FROM python:3.12-slim\nCOPY . .\n",
    "api/app.py": "print('hello')\n",
    "compose.yaml": "services:\n  api:\n    build: ./api\n",
}


def _dockerignore_messages(files: dict[str, str]) -> list[str]:
    return [f.message for f in scan_files(files, ["DOCKER007"])]


def test_a_dockerignore_that_picks_parts_of_git_has_settled_it():
    files = {"Dockerfile": "FROM python:3.12-slim\nCOPY . .\nRUN make version-file\n",
             "app.py": "print('hello')\n"}
    assert _dockerignore_messages({**files, ".dockerignore": "*.pyc\n"}) != []
    # the build needs some of .git: the authors keep its config out and the rest in
    assert _dockerignore_messages({**files, ".dockerignore": "**/.git/config\n"}) == []


def test_a_service_context_with_nothing_to_leak_is_not_flagged():
    assert _dockerignore_messages(SERVICE_CONTEXT) == []


def test_env_files_in_the_service_context_are_named():
    files = {**SERVICE_CONTEXT, "api/.env.example": "DEBUG=0\n"}
    [message] = _dockerignore_messages(files)
    assert "sends .env and local files" in message
    files["api/.dockerignore"] = ".env\n"
    assert _dockerignore_messages(files) == []


def test_a_committed_env_file_of_public_defaults_is_no_leak():
    files = {"Dockerfile": "FROM python:3.12-slim\nCOPY . .\n",
             ".dockerignore": ".git\n.env.local\n",
             "app.py": "from dotenv import load_dotenv\n\nload_dotenv()\n",
             ".env": "PORT=8004\nFLASK_DEBUG=true\nSECRET_KEY=local_development_fake_key\n"}
    assert _dockerignore_messages(files) == []
    # a committed one that holds a secret, or a template copied to it, is still named
    for changed in ({".env": "API_TOKEN=Zr8fQ2mX9vLw4TnB7cKpQ1\n"},
                    {".env.example": "PORT=8004\n"}):
        [message] = _dockerignore_messages({**files, **changed})
        assert "does not exclude .env" in message


def test_env_files_in_subdirectories_that_the_dockerignore_names_are_kept_out():
    files = {"Dockerfile": "FROM python:3.12-slim\nCOPY . .\n", "app.py": "print(1)\n",
             "dev/.env": "DEBUG=1\n", ".dockerignore": ".git\ndev/.env\n"}
    assert _dockerignore_messages(files) == []
    files[".dockerignore"] = ".git\ndev/\n!dev/.env.local\n"  # re-included: it ships
    files["dev/.env.local"] = "DEBUG=1\n"
    [message] = _dockerignore_messages(files)
    assert "does not exclude .env" in message
    del files["dev/.env.local"]
    files[".dockerignore"] = ".git\n**/.env*\n"
    assert _dockerignore_messages(files) == []
    # one at the top too: the usual name must be kept out
    files |= {".env.example": "DEBUG=0\n", ".dockerignore": ".git\ndev/.env\n"}
    [message] = _dockerignore_messages(files)
    assert "does not exclude .env" in message


def test_a_dockerfiles_own_ignore_file_is_the_one_buildkit_reads():
    files = {"ci/Dockerfile.lambda": "FROM python:3.12-slim\nCOPY . .\n", "app.py": "print(1)\n",
             ".dockerignore": "*.env\n", "ci/Dockerfile.lambda.dockerignore": ".git\n.env*\n",
             "Makefile": "image:\n\tdocker build -f ci/Dockerfile.lambda .\n"}
    assert _dockerignore_messages(files) == []
    files["ci/Dockerfile.lambda.dockerignore"] = ".env*\n"
    [message] = _dockerignore_messages(files)
    assert "does not exclude .git" in message


def test_the_repository_root_context_always_holds_git():
    files = {"Dockerfile": "FROM python:3.12-slim\nCOPY . .\n", "app.py": "print(1)\n"}
    [message] = _dockerignore_messages(files)
    assert "sends .git and local files" in message
    files[".dockerignore"] = ".git\n"
    assert _dockerignore_messages(files) == []
    files[".gitignore"] = ".env\n"  # a template's line: nothing says a .env is used
    assert _dockerignore_messages(files) == []
    files["settings.py"] = "from dotenv import load_dotenv\nload_dotenv()\n"
    [message] = _dockerignore_messages(files)
    assert "does not exclude .env" in message


def test_a_compose_file_requiring_only_paths_and_ports_needs_no_secret_env():
    files = {"Dockerfile": "FROM python:3.12-slim\nCOPY . .\n", "app.py": "print(1)\n",
             ".dockerignore": ".git\n",
             "compose.yaml": ("services:\n  app:\n    build: .\n    volumes:\n"
                              "      - ${data_folder}/db:/app/db\n    ports:\n"
                              "      - \"${APP_PORT}:5000\"\n")}
    assert _dockerignore_messages(files) == []
    # a secret it requires comes from a local .env, which `COPY .` would take along
    files["compose.yaml"] += "    environment:\n      SECRET_KEY: ${SECRET_KEY}\n"
    [message] = _dockerignore_messages(files)
    assert "does not exclude .env" in message


def test_a_service_loading_dotenv_has_a_local_env_in_its_context():
    files = {**SERVICE_CONTEXT, "api/.gitignore": ".env\n"}
    assert _dockerignore_messages(files) == []
    files["api/settings.py"] = "import dotenv\ndotenv.load_dotenv()\n"
    [message] = _dockerignore_messages(files)
    assert "sends .env and local files" in message


GIT_VERSIONED = """\
[build-system]
requires = ["hatchling", "versioningit>=3.0.0"]
build-backend = "hatchling.build"
"""
INSTALLS_SOURCE = """\
FROM python:3.12-slim
COPY . /src
RUN pip install --no-cache-dir /src
CMD ["app"]
"""


def test_a_project_versioned_from_git_needs_git_to_install():
    files = {"Dockerfile": INSTALLS_SOURCE, "pyproject.toml": GIT_VERSIONED}
    assert _dockerignore_messages(files) == []
    # pip's options may come before its command: `pip --no-cache-dir -q install .[prod]`
    files["Dockerfile"] = INSTALLS_SOURCE.replace(
        "RUN pip install --no-cache-dir /src",
        "WORKDIR /src\nRUN pip --no-cache-dir -q install .[prod]")
    assert _dockerignore_messages(files) == []
    files["Dockerfile"] = INSTALLS_SOURCE
    # installing only the requirements reads no version from git
    files["Dockerfile"] = INSTALLS_SOURCE.replace("/src\n", "-r /src/requirements.txt\n")
    [message] = _dockerignore_messages(files)
    assert "sends .git" in message
    # nor one that reads its version from an attribute, though setuptools-scm finds its files
    files = {"Dockerfile": INSTALLS_SOURCE, "pyproject.toml": (
        '[build-system]\nrequires = ["setuptools>=64", "setuptools_scm[toml]>=6.2"]\n'
        '[project]\nname = "app"\ndynamic = ["version"]\n'
        '[tool.setuptools.dynamic]\nversion = {attr = "app.__version__"}\n')}
    [message] = _dockerignore_messages(files)
    assert "sends .git" in message
    # a project whose version is static needs no git history
    files = {"Dockerfile": INSTALLS_SOURCE,
             "pyproject.toml": GIT_VERSIONED.replace('"versioningit>=3.0.0"', '"wheel"')}
    [message] = _dockerignore_messages(files)
    assert "sends .git" in message


def _copies_from_build(source: str) -> str:
    return ("FROM python:3.12-slim AS build\nENV VIRTUAL_ENV=/opt/venv\nWORKDIR /src\n"
            "COPY . .\nRUN python -m venv $VIRTUAL_ENV && $VIRTUAL_ENV/bin/pip install .\n"
            "FROM python:3.12-slim\nENV VIRTUAL_ENV=/opt/venv\n"
            f"COPY --from=build {source} /app\nCMD [\"app\"]\n")


def test_a_directory_copied_from_the_build_ships_the_context_only_if_it_holds_it():
    # the virtualenv and a part of the copied context leave .git behind
    for source in ("$VIRTUAL_ENV", "/opt/venv/", "/src/dist"):
        assert _dockerignore_messages({"Dockerfile": _copies_from_build(source)}) == []
    # the directory the context went to, one above it, or one not known, takes it along
    for source in ("/src", "/", "$APP_HOME"):
        [message] = _dockerignore_messages({"Dockerfile": _copies_from_build(source)})
        assert "sends .git" in message


def test_a_step_that_keeps_the_context_git_directory_needs_it():
    dockerfile = "FROM python:3.12-slim\nCOPY . .\nRUN {step}\nCMD [\"app\"]\n"
    kept = dockerfile.format(step="[ -d .git ] && chown -R app:app .git || :")
    assert _dockerignore_messages({"Dockerfile": kept}) == []
    # deleting it in a later step does not take it out of the `COPY .` layer
    deleted = dockerfile.format(step='find . -type d -name ".git" | xargs rm -rf')
    [message] = _dockerignore_messages({"Dockerfile": deleted})
    assert "sends .git" in message


# ----------------------------------------------------------------------------- DOCKER004

VARIANT = "ARG TAG=latest\nFROM acme/app:${TAG}\nCMD [\"app\"]\n"


def test_base_image_tag_passed_by_every_build():
    compose = ("services:\n  app:\n    build:\n      context: .\n"
               "      args:\n        TAG: \"{tag}\"\n")
    assert rules({"Dockerfile": VARIANT, "compose.yaml": compose.format(tag="2.1")},
                 "DOCKER004") == []
    assert rules({"Dockerfile": VARIANT, "compose.yaml": compose.format(tag="latest")},
                 "DOCKER004") == [("Dockerfile", 2)]
    # list form of build.args, and a script passing the value from its environment
    files = {"Dockerfile": VARIANT,
             "compose.yaml": "services:\n  app:\n    build:\n      context: .\n"
                             "      args:\n        - TAG=2.1\n",
             "build.sh": "#!/bin/sh\ndocker build --build-arg TAG -t acme/v .\n"}
    assert rules(files, "DOCKER004") == []


def test_a_chosen_latest_base_image_is_information():
    def severities(files: dict[str, str]) -> list[str]:
        return [f.severity.value for f in scan_files(files, ["DOCKER004"])]

    # the registry publishes its free images only as `latest`
    assert severities({"Dockerfile": "FROM cgr.dev/chainguard/wolfi-base\n"}) == ["info"]
    # the repository builds its own base image, in CI
    base_build = (".github/workflows/base.yml", (
        "on: push\njobs:\n  base:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: docker/build-push-action@v6\n        with:\n"
        "          file: Dockerfile.base\n          tags: ghcr.io/acme/app-base:latest\n"))
    files = {"Dockerfile": "FROM ghcr.io/acme/app-base:latest\nCMD [\"app\"]\n",
             "Dockerfile.base": "FROM python:3.12-slim\n", base_build[0]: base_build[1]}
    assert severities(files) == ["info"]
    # ... under an owner its CI variables give
    files[base_build[0]] = base_build[1].replace("ghcr.io/acme/app-base:latest",
                                                 "${{ vars.REGISTRY_REPO }}/app-base:latest")
    assert severities(files) == ["info"]
    # an image pulled from elsewhere keeps its severity
    files["Dockerfile"] = "FROM acme/other-base:latest\nCMD [\"app\"]\n"
    assert severities(files) == ["medium"]


def test_base_image_tag_not_passed_anywhere_stays_flagged():
    assert rules({"Dockerfile": VARIANT}, "DOCKER004") == [("Dockerfile", 2)]
    files = {"Dockerfile": VARIANT,
             "build.sh": "#!/bin/sh\ndocker build --build-arg OTHER=1 -t acme/v .\n"}
    assert rules(files, "DOCKER004") == [("Dockerfile", 2)]


def _chart(context: str) -> dict[str, str]:
    return {
        "images/sync/Dockerfile": "FROM python:3.12-slim\nCMD [\"python\", \"-m\", \"sync\"]\n",
        "chartpress.yaml": "charts:\n  - name: c\n    imagePrefix: quay.io/acme/k8s-\n"
                           "    images:\n      sync: {}\n",
        "c/Chart.yaml": "apiVersion: v2\nname: c\nversion: 1.0.0\n",
        "c/values.yaml": "sync:\n  image:\n    name: quay.io/acme/k8s-sync\n" + context,
    }


def test_a_chart_is_one_way_among_others_the_documentation_shows():
    files = _chart("  securityContext:\n    runAsNonRoot: true\n")
    files["docs/docker.md"] = ("Run it with Compose:\n\n```yaml\nservices:\n  sync:\n"
                               "    image: quay.io/acme/k8s-sync:2.9\n```\n")
    assert rules(files, "DOCKER003") == [("images/sync/Dockerfile", 1)]
    files["docs/docker.md"] = "Install the chart: `helm install c acme/c`.\n"
    assert rules(files, "DOCKER003") == []


def test_helm_values_beside_the_image_decide():
    assert rules(_chart("  securityContext:\n    runAsNonRoot: true\n"), "DOCKER003") == []
    assert rules(_chart("  securityContext:\n    runAsUser: 0\n"), "DOCKER003") == [
        ("images/sync/Dockerfile", 1)]
    assert rules(_chart(""), "DOCKER003") == [("images/sync/Dockerfile", 1)]
    # values of a file outside any chart (no Chart.yaml beside it) prove nothing
    files = _chart("  securityContext:\n    runAsNonRoot: true\n")
    del files["c/Chart.yaml"]
    assert rules(files, "DOCKER003") == [("images/sync/Dockerfile", 1)]


def test_helm_chart_probes_check_the_health_of_the_image_it_runs():
    files = _chart("")
    files["images/sync/Dockerfile"] = (
        'FROM python:3.12-slim\nEXPOSE 8000\nCMD ["gunicorn", "app:app"]\n')
    template = ("apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n"
                "      containers:\n        - name: sync\n"
                "          image: {{ .Values.sync.image.name }}\n")
    files["c/templates/deployment.yaml"] = template
    assert rules(files, "DOCKER001") == [("images/sync/Dockerfile", 1)]
    files["c/templates/deployment.yaml"] = template + (
        "          {{- if .Values.probes }}\n          readinessProbe:\n"
        "            httpGet: {path: /health, port: 8000}\n          {{- end }}\n")
    assert rules(files, "DOCKER001") == []
    # a chart that does not run the image proves nothing
    files["c/values.yaml"] = "sync:\n  image:\n    name: quay.io/acme/other\n"
    assert rules(files, "DOCKER001") == [("images/sync/Dockerfile", 1)]


def test_an_image_every_dependant_waits_for_needs_no_healthcheck():
    """The database image of a Compose stack whose services wait for it themselves
    (`wait-for-it db:5432 -- …`): COMPOSE001 asks no healthcheck of it, nor does DOCKER001."""
    stack = ("services:\n  db:\n    build: ./db\n{ports}  web:\n    image: acme/web:1\n"
             "    depends_on: [db]\n"
             "    command: [\"wait-for-it\", \"db:5432\", \"--\", \"gunicorn\", \"app:app\"]\n")
    files = {"db/Dockerfile": "FROM postgres:16\nCOPY init.sql /docker-entrypoint-initdb.d/\n"
                              "EXPOSE 5432\nCMD [\"postgres\"]\n",
             "compose.yaml": stack.format(ports="")}
    assert rules(files, "DOCKER001") == []
    # published, it is reachable from outside the stack: its health matters there
    files["compose.yaml"] = stack.format(ports="    ports: [\"5432:5432\"]\n")
    assert rules(files, "DOCKER001") == [("db/Dockerfile", 1)]


# ----------------------------------------------------------------------------- DOCKER006


def test_copied_package_manager_config_is_judged_by_its_content():
    dockerfile = "FROM node:22-slim\nWORKDIR /app\nCOPY frontend/.npmrc ./\n"
    assert rules({"Dockerfile": dockerfile, "frontend/.npmrc": ""}, "DOCKER006") == []
    assert rules({"Dockerfile": dockerfile,
                  "frontend/.npmrc": "//npm.example.com/:_authToken=${NPM_TOKEN}\n"},
                 "DOCKER006") == [("Dockerfile", 3)]
    # not in the repository: written at build time, perhaps from a secret
    assert rules({"Dockerfile": dockerfile}, "DOCKER006") == [("Dockerfile", 3)]
    # an .env file is a secret whatever it holds
    assert rules({"Dockerfile": "FROM python:3.12-slim\nCOPY .env /srv/\n", ".env": ""},
                 "DOCKER006") == [("Dockerfile", 2)]


def test_a_copied_key_file_is_judged_by_its_content():
    dockerfile = "FROM node:22-slim\nCOPY nodesource-repo.gpg.key /tmp/\n"
    public = ("-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmQINBFdD\n"
              "-----END PGP PUBLIC KEY BLOCK-----\n")
    assert rules({"Dockerfile": dockerfile, "nodesource-repo.gpg.key": public}, "DOCKER006") == []
    private = "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----\n"
    assert rules({"Dockerfile": dockerfile, "nodesource-repo.gpg.key": private},
                 "DOCKER006") == [("Dockerfile", 2)]
    # not in the repository: its name alone says key
    assert rules({"Dockerfile": dockerfile}, "DOCKER006") == [("Dockerfile", 2)]


def test_skaffold_tells_the_context_of_a_directory_dockerfile():
    files = {"src/api/Dockerfile": "FROM python:3.12-slim\nCOPY . .\n",
             "src/api/app.py": "print(1)\n"}
    # nothing says how it is built: from its directory, or from the root with .git
    [message] = _dockerignore_messages(files)
    assert "sends .git and local files" in message
    files["skaffold.yaml"] = ("apiVersion: skaffold/v4beta6\nkind: Config\nbuild:\n"
                              "  artifacts:\n    - image: api\n      context: src/api\n")
    assert _dockerignore_messages(files) == []


# ----------------------------------------------------------------------------- DOCKER001

def _severities(files: dict[str, str], rule: str) -> list[str]:
    return [f.severity.value for f in scan_files(files, [rule])]


def test_an_in_house_image_no_compose_file_runs_is_informational():
    server = 'FROM python:3.12-slim\nEXPOSE 8000\nCMD ["gunicorn", "app:app"]\n'
    files = {"Dockerfile": server}
    [finding] = scan_files(files, ["DOCKER001"])
    assert finding.severity.value == "info"
    assert "platform it deploys to" in finding.message
    # a Compose file the project deploys with runs it: the HEALTHCHECK would be used
    files["docker-compose.yml"] = "services:\n  web:\n    build: .\n    ports: ['80:8000']\n"
    assert _severities(files, "DOCKER001") == ["medium"]
    # others run the published image with Docker
    files = {"Dockerfile": server,
             "README.md": "Run it:\n\n    docker run -p 8000:8000 ghcr.io/acme/shop\n",
             ".github/workflows/release.yml": release_workflow("ghcr.io/acme/shop:latest")}
    assert _severities(files, "DOCKER001") == ["medium"]


def test_an_image_that_also_runs_a_worker_is_informational():
    server = ('FROM python:3.12-slim\nCOPY docker/start-web /start-web\n'
              'EXPOSE 8000\nCMD ["/start-web"]\n')
    published = {"README.md": "Run it:\n\n    docker run -p 8000:8000 ghcr.io/acme/shop\n",
                 ".github/workflows/release.yml": release_workflow("ghcr.io/acme/shop:latest"),
                 "docker/start-web": "#!/bin/sh\nexec gunicorn app:app\n"}
    assert _severities({"Dockerfile": server, **published}, "DOCKER001") == ["medium"]
    # the image carries the script that starts its worker
    worker = server.replace("EXPOSE", "COPY docker/celery/start-worker /start-worker\nEXPOSE")
    [finding] = scan_files({"Dockerfile": worker, **published,
                            "docker/celery/start-worker": "#!/bin/sh\nexec celery worker\n"},
                           ["DOCKER001"])
    assert finding.severity.value == "info" and "/start-worker" in finding.message
    # a Compose service runs the image as a worker
    compose = ("services:\n  web:\n    build: .\n    ports: ['80:8000']\n"
               "  worker:\n    build: .\n    command: celery -A app worker\n")
    [finding] = scan_files({"Dockerfile": server, "docker-compose.yml": compose, **published},
                           ["DOCKER001"])
    assert finding.severity.value == "info" and "'worker'" in finding.message
    # the command is the queue's name alone, which the image's entrypoint starts
    [finding] = scan_files({"Dockerfile": server, **published, "docker-compose.yml":
                            compose.replace("celery -A app worker", "celery")}, ["DOCKER001"])
    assert finding.severity.value == "info"
    # a Kubernetes container runs the published image as a worker
    deployment = ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}}}\nspec:\n"
                  "  template:\n    spec:\n      containers:\n        - name: {name}\n"
                  "          image: ghcr.io/acme/shop:1.0\n{args}")
    web = deployment.format(name="web", args="")
    [finding] = scan_files({"Dockerfile": server, **published, "deploy/web.yaml": web},
                           ["DOCKER001"])
    assert finding.severity.value == "medium"
    worker = deployment.format(name="worker",
                               args="          args: [celery, -A, app, worker]\n")
    [finding] = scan_files({"Dockerfile": server, **published, "deploy/web.yaml": web,
                            "deploy/worker.yaml": worker}, ["DOCKER001"])
    assert finding.severity.value == "info" and "container 'worker'" in finding.message


def test_an_image_that_prepares_a_second_entrypoint_for_its_worker_is_informational():
    """`docker/Dockerfile` built from the root: `COPY .` copies the root, and the build makes
    the worker's entrypoint executable beside the server's."""
    dockerfile = ("FROM python:3.12-slim\nWORKDIR /srv\nCOPY requirements.txt ./\n"
                  "RUN pip install --no-cache-dir -r requirements.txt\nCOPY . /srv\n"
                  "RUN chmod +x docker/entrypoint.sh docker/{script}\nEXPOSE 8000\n"
                  'ENTRYPOINT ["./docker/entrypoint.sh"]\n')
    files = {"requirements.txt": "gunicorn==23.0.0\n",
             "README.md": "Run it:\n\n    docker run -p 8000:8000 ghcr.io/acme/shop\n",
             ".github/workflows/release.yml": release_workflow("ghcr.io/acme/shop:latest"),
             "docker/entrypoint.sh": "#!/bin/sh\nexec gunicorn app.wsgi -b 0.0.0.0:8000\n",
             "docker/async_entrypoint.sh": "#!/bin/sh\nexec celery -A app worker -B\n",
             "docker/migrate.sh": "#!/bin/sh\npython manage.py migrate\n"}
    [finding] = scan_files({"docker/Dockerfile": dockerfile.format(script="async_entrypoint.sh"),
                            **files}, ["DOCKER001"])
    assert finding.severity.value == "info" and "async_entrypoint.sh" in finding.message
    # a second script that starts no worker changes nothing
    assert _severities({"docker/Dockerfile": dockerfile.format(script="migrate.sh"), **files},
                       "DOCKER001") == ["medium"]


STAGED = ("FROM python:3.12-slim AS runtime\nEXPOSE 8000\nCMD [\"gunicorn\", \"app:app\"]\n"
          "FROM runtime AS runtime-dev\nRUN pip install pytest\n")


def _built_with_target(target: str) -> str:
    return ("on: push\njobs:\n  image:\n    runs-on: ubuntu-latest\n    steps:\n"
            "      - uses: docker/build-push-action@v6\n        with:\n"
            f"          push: true\n          target: {target}\n"
            "          tags: ghcr.io/${{ github.repository }}:latest\n")


def test_the_stage_deployed_builds_select_is_judged_when_the_final_one_extends_it():
    files = {"Dockerfile": STAGED, ".github/workflows/release.yml": _built_with_target("runtime")}
    [finding] = scan_files(files, ["DOCKER001"])
    assert finding.line == 1 and "'runtime'" in finding.message
    # a CI build of another stage does not move the judgement off the final stage
    builder = ("FROM python:3.12-slim AS build\nRUN pip wheel -w /wheels .\n"
               "FROM python:3.12-slim\nCOPY --from=build /wheels /wheels\nEXPOSE 8000\n"
               "CMD [\"gunicorn\", \"app:app\"]\n")
    [finding] = scan_files({"Dockerfile": builder,
                            ".github/workflows/check.yml": _built_with_target("build")},
                           ["DOCKER001"])
    assert "final stage" in finding.message


def test_a_project_command_that_runs_a_worker_counts():
    compose = ("services:\n  api:\n    image: ghcr.io/acme/shop:latest\n    ports: ['80:8000']\n"
               "  jobs:\n    image: ghcr.io/acme/shop:latest\n"
               "    command: python -m shop run-worker high low\n")
    files = {"Dockerfile": STAGED, "docker-compose.yml": compose,
             "pyproject.toml": "[project]\nname = \"shop\"\n",
             # two images published under run-time names: the repository's own is the shop
             ".github/workflows/release.yml": _built_with_target("runtime"),
             "batch/Dockerfile": "FROM python:3.12-slim\nCMD [\"python\", \"job.py\"]\n",
             ".github/workflows/batch.yml": _built_with_target("x").replace(
                 "push: true", "push: true\n          file: batch/Dockerfile").replace(
                 ":latest", "/batch:latest")}
    [finding] = scan_files(files, ["DOCKER001"])
    assert finding.severity.value == "info" and "'jobs'" in finding.message


def test_the_published_image_runs_where_compose_checks_its_health():
    files = {
        "Dockerfile": 'FROM python:3.12-slim\nEXPOSE 8000\nCMD ["gunicorn", "app:app"]\n',
        "docker-compose.yml": ("services:\n  web:\n    image: acme/web\n    healthcheck:\n"
                               "      test: [\"CMD\", \"curl\", \"-f\", \"http://localhost:8000\"]\n"),
        # the unstable build on the build server names no Dockerfile of this checkout
        "deploy.sh": ("ssh \"$host\" 'docker build -t acme/web:unstable web'\n"
                      "docker buildx build -t acme/web:latest --push .\n"),
    }
    assert rules(files, "DOCKER001") == []
    files["docker-compose.yml"] = "services:\n  web:\n    image: acme/web\n"
    assert rules(files, "DOCKER001") == [("Dockerfile", 1)]


def test_a_service_building_another_stage_does_not_run_the_image():
    """The example stack users copy checks the shipped image's health; the developers' stack
    builds the development stage, another image, and checks nothing."""
    example = ("services:\n  backend:\n    image: ghcr.io/acme/web:latest\n    healthcheck:\n"
               "      test: [\"CMD\", \"curl\", \"-f\", \"http://localhost:8000/health\"]\n")
    dev = ("services:\n  app-dev:\n    build: {context: ., target: development}\n"
           "    volumes: ['.:/app']\n    command: python manage.py runserver 0.0.0.0:8000\n"
           "  worker-dev:\n    image: app:development\n    command: celery -A app worker\n")
    dockerfile = ("FROM python:3.12-slim AS development\nCMD [\"python\", \"manage.py\", "
                  "\"runserver\"]\n\nFROM python:3.12-slim AS production\nEXPOSE 8000\n"
                  "CMD [\"gunicorn\", \"app:app\"]\n")
    files = {"Dockerfile": dockerfile, "compose.yml": dev.replace(
                 "target: development}", "target: development}\n    image: app:development"),
             "docs/examples/compose/compose.yaml": example,
             ".github/workflows/release.yml": release_workflow("ghcr.io/acme/web:latest")}
    assert rules(files, "DOCKER001") == []
    # the developers' stack builds the shipped stage: its missing check counts
    files["compose.yml"] = dev.replace("{context: ., target: development}", ".")
    assert rules(files, "DOCKER001") == [("Dockerfile", 4)]


def test_script_words_are_whole_words_ending_with_the_suffix():
    from prodready.project.images import script_words

    text = ("set -e; ./docker/start.sh && gunicorn -c gunicorn.conf.py app:app; "
            "cp start.sh.bak /tmp; echo " + "x" * 5000 + " uwsgi.ini")
    assert script_words(text, (".sh",)) == ["./docker/start.sh"]
    assert script_words(text, (".sh", ".py", ".ini")) == [
        "./docker/start.sh", "gunicorn.conf.py", "uwsgi.ini"]


def test_no_healthcheck_is_written_for_a_health_route_a_setting_switches_off():
    """`/healthz/` answers 404 unless ENABLE_HEALTHZ_ENDPOINT is set (off by default): a
    HEALTHCHECK on it would mark every default container unhealthy."""
    gate = ("    if not settings.ENABLE_HEALTHZ_ENDPOINT:\n"
            "        raise Http404(\"Healthz endpoint not enabled.\")\n")
    views = ("from django.conf import settings\nfrom django.http import Http404, JsonResponse\n"
             "\n\ndef health(request):\n    \"\"\"Status of the service.\"\"\"\n{gate}"
             "    return JsonResponse({{\"ok\": True}})\n")
    files = {
        "Dockerfile": ('FROM python:3.12-slim\nCOPY . /app\nEXPOSE 8000\n'
                       'CMD ["gunicorn", "shop.wsgi", "--bind", "0.0.0.0:8000"]\n'),
        "shop/settings.py": ('INSTALLED_APPS = ["django.contrib.auth", "shop"]\n'
                             'ROOT_URLCONF = "shop.urls"\nENABLE_HEALTHZ_ENDPOINT = False\n'),
        "shop/wsgi.py": ("from django.core.wsgi import get_wsgi_application\n\n"
                         "application = get_wsgi_application()\n"),
        "shop/urls.py": ("from django.urls import re_path\n\nfrom shop import views\n\n"
                         'urlpatterns = [re_path("^healthz/$", views.health)]\n'),
        "shop/views.py": views.format(gate=gate),
        "README.md": "Run it:\n\n    docker run -p 8000:8000 acme/shop\n",
    }
    # a product others run: the finding keeps its severity and its fix
    [finding] = scan_files(files, ["DOCKER001"], profile="distributed")
    assert finding.fix is None
    files["shop/views.py"] = views.format(gate="")
    [finding] = scan_files(files, ["DOCKER001"], profile="distributed")
    assert finding.fix is not None and "/healthz/" in str(finding.fix.edits[0])
    # a regex pattern is no URL a health check can request as written
    files["shop/urls.py"] = files["shop/urls.py"].replace('"^healthz/$"', 'r"^healthz/?$"')
    [finding] = scan_files(files, ["DOCKER001"], profile="distributed")
    assert finding.fix is None


def test_a_pip_install_a_build_argument_switches_on_is_not_in_the_default_image():
    dockerfile = ("FROM python:3.12-slim\nARG DEVEL=no\n"
                  "RUN pip install --no-cache-dir -r requirements/main.txt\n"
                  'RUN if [ "$DEVEL" = "yes" ]; then pip install -r requirements/tests.txt; fi\n'
                  'CMD ["gunicorn", "app:app"]\n')
    assert scan_files({"Dockerfile": dockerfile}, ["DOCKER008"]) == []
    # switched on by default, or by an argument with no default: the cache is kept
    for changed in (dockerfile.replace("DEVEL=no", "DEVEL=yes"),
                    dockerfile.replace("ARG DEVEL=no", "ARG DEVEL")):
        [finding] = scan_files({"Dockerfile": changed}, ["DOCKER008"])
        assert finding.line == 4


def test_an_unpublished_image_of_a_distributed_project_is_its_teams():
    # others install the project (its package), but nothing publishes this image
    dockerfile = "FROM python:3.12-slim\nCOPY . .\nEXPOSE 8080\nCMD [\"gunicorn\", \"app:app\"]\n"
    files = {"Dockerfile": dockerfile, "app.py": "from flask import Flask\napp = Flask(__name__)\n"}
    [finding] = scan_files(files, ["DOCKER001"], profile="distributed")
    assert finding.severity.value == "info" and "no workflow publishes" in finding.message
    # a guide that runs containers, or a workflow that publishes the image, makes it theirs
    for extra in ({"README.md": "Run it:\n\n    docker build -t app . && docker run app\n"},
                  {".github/workflows/release.yml": release_workflow("ghcr.io/acme/app:latest")}):
        [finding] = scan_files({**files, **extra}, ["DOCKER001"], profile="distributed")
        assert finding.severity.value == "medium", extra


def test_an_image_secret_that_says_it_is_a_placeholder_is_information():
    for value, severity in (("change-me-in-production", "info"), ("dummy-secret", "info"),
                            ("Zr8fQ2mX9vLw4TnB7cKp", "critical")):
        [finding] = scan_files({"Dockerfile": f"FROM python:3.12-slim\nENV SECRET_KEY={value}\n"},
                               ["DOCKER006"])
        assert finding.severity.value == severity, value


def test_a_base_named_as_compose_names_a_service_it_builds_is_the_repositorys_own():
    compose = "services:\n  web:\n    build: .\n    ports: ['8000:8000']\n"
    notebook = "FROM {base}\nRUN pip install jupyter\nCMD [\"jupyter\", \"notebook\"]\n"
    files = {"Dockerfile": "FROM python:3.12-slim\nCMD [\"gunicorn\", \"app:app\"]\n",
             "docker-compose.yml": compose,
             "docker-compose-notebook.yml": ("services:\n  notebook:\n    build:\n"
                                             "      context: .\n      dockerfile: Dockerfile-nb\n")}
    for base, severity in (("ocw-studio_web", "info"), ("mit-learn-web", "info"),
                           ("web", "medium"), ("acme/ocw-studio_web", "medium")):
        files["Dockerfile-nb"] = notebook.format(base=base)
        found = {f.path: f.severity.value for f in scan_files(files, ["DOCKER004"])}
        assert found == {"Dockerfile-nb": severity}, base


def test_an_image_any_stack_also_runs_as_a_task_worker_gets_no_server_healthcheck():
    server = 'FROM python:3.12-slim\nEXPOSE 8000\nCMD ["gunicorn", "app:app"]\n'
    deployed = ("services:\n  web:\n    build: .\n    image: acme/web:1\n"
                "    ports: ['80:8000']\n")
    files = {"Dockerfile": server, "docker-compose.yml": deployed}
    assert _severities(files, "DOCKER001") == ["medium"]
    # the developers' stack runs the same image as a Celery worker: an HTTP check of the
    # image would mark the worker unhealthy
    files["docker-compose.dev.yml"] = (
        "services:\n  worker:\n    build: .\n    command: celery -A app worker\n"
        "    volumes: ['.:/app']\n")
    [finding] = scan_files(files, ["DOCKER001"])
    assert finding.severity.value == "info" and "task worker" in finding.message
    # a web server's worker class is no task worker
    files["docker-compose.dev.yml"] = (
        "services:\n  api:\n    build: .\n"
        "    command: gunicorn -k uvicorn.workers.UvicornWorker app:app\n")
    assert _severities(files, "DOCKER001") == ["medium"]


def test_an_official_edge_proxy_image_keeps_root_to_bind_its_ports():
    proxy = "FROM {base}\nCOPY Caddyfile /etc/caddy/Caddyfile\nCMD [\"caddy\", \"run\"]\n"
    for base, severity in (("caddy:2-alpine", "info"), ("traefik:v3.0", "info"),
                           ("acme/caddy:2", "high")):
        found = [f.severity.value for f in scan_files({"Dockerfile": proxy.format(base=base)},
                                                       ["DOCKER003"])]
        assert found == [severity], base


def test_a_base_image_given_only_as_a_build_argument_has_an_unknown_user():
    image = "{arg}\nFROM $BASE_IMAGE\nCOPY . /app\nCMD [\"python\", \"/app/run.py\"]\n"
    for arg, severity in (("ARG BASE_IMAGE", "info"), ("ARG BASE_IMAGE=python:3.12", "high")):
        found = [f.severity.value for f in scan_files({"Dockerfile": image.format(arg=arg)},
                                                       ["DOCKER003"])]
        assert found == [severity], arg
    # a build of the repository passes the base (its own server image, root): the user is
    # that image's
    release = ("on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n"
               "      - run: docker build --build-arg BASE_IMAGE=acme/server:1 -f Dockerfile .\n")
    found = scan_files({"Dockerfile": image.format(arg="ARG BASE_IMAGE"),
                        ".github/workflows/release.yml": release}, ["DOCKER003"])
    assert [f.severity.value for f in found] == ["high"]


def test_the_only_server_image_is_checked_by_the_probes_of_a_chart_naming_no_image():
    server = ("FROM python:3.12-slim\nCOPY . /app\n"
              "CMD [\"gunicorn\", \"-b\", \":8080\", \"app:app\"]\n")
    chart = {
        "_infra/helm/party/Chart.yaml": "apiVersion: v2\nname: party\nversion: 1.0.0\n",
        "_infra/helm/party/templates/deployment.yaml": (
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Chart.Name }}\n"
            "spec:\n  template:\n    spec:\n      containers:\n        - name: party\n"
            "          image: \"{{ .Values.image.repo }}/{{ .Chart.Name }}\"\n"
            "          readinessProbe:\n            httpGet:\n              path: /info\n"
            "              port: 8080\n"),
    }
    assert rules({"Dockerfile": server, **chart}, "DOCKER001") == []
    # a second server image: which one the chart runs is not known
    found = rules({"Dockerfile": server, "admin/Dockerfile": server, **chart}, "DOCKER001")
    assert sorted(found) == [("Dockerfile", 1), ("admin/Dockerfile", 1)]


def test_an_image_that_runs_nginx_alone_keeps_root_for_the_master_only():
    def severity(files):
        return [f.severity.value for f in scan_files(files, ["DOCKER003"])]

    static = ("FROM debian:12-slim\nRUN apt-get update && apt-get install -y nginx\n"
              "COPY dist/ /var/www/html/\nCMD [\"nginx\", \"-g\", \"daemon off;\"]\n")
    assert severity({"Dockerfile": static}) == ["info"]
    script = ("FROM nginx:1.25\nCOPY docker/entrypoint.sh /usr/bin/entrypoint.sh\n"
              "ENTRYPOINT [\"/usr/bin/entrypoint.sh\"]\n")
    files = {"Dockerfile": script,
             "docker/entrypoint.sh": "#!/bin/sh\ncp /conf/nginx.conf /etc/nginx/\nexec nginx -c "
                                     "/etc/nginx/nginx.conf -g 'daemon off;'\n"}
    assert severity(files) == ["info"]
    # beside the project's own server, or with workers told to stay root: root serves requests
    files["docker/entrypoint.sh"] += "gunicorn app:app &\n"
    assert severity(files) == ["high"]
    assert severity({"Dockerfile": static, "deploy/nginx.conf": "user root;\n"}) == ["high"]
