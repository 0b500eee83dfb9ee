"""Whether a project is distributed: it publishes an image its docs tell users to run."""

from __future__ import annotations

import json

import pytest

from prodready.config import Config
from prodready.engine import scan
from prodready.model import Severity
from prodready.project.profile import DISTRIBUTED, SERVICE, profile_of, render_profile_text
from prodready.report import Report
from prodready.report.json_format import load_report, render
from prodready.report.text_format import render as render_text
from prodready.testing import release_workflow, write_tree

# it renders pages, so HSTS and security headers matter to its browsers
APP = ("from fastapi import FastAPI\nfrom fastapi.templating import Jinja2Templates\n\n"
       "app = FastAPI()\n")
DOCKERFILE = "FROM python:3.12-slim\nCOPY . /app\nCMD [\"uvicorn\", \"app.main:app\"]\n"
RELEASE = release_workflow("ghcr.io/acme/notes:latest")
# a second web service, so that request ids (APP009) keep their severity by default
ADMIN = "from flask import Flask\n\nadmin = Flask(__name__)\n"


def _scan(tmp_path, files, **config):
    write_tree(tmp_path, {"app/main.py": APP, "admin/app.py": ADMIN, "Dockerfile": DOCKERFILE,
                          ".github/workflows/release.yml": RELEASE, **files})
    return scan(tmp_path, Config(jobs=1, **config), memo=True)


def _profile(tmp_path, files, **config):
    result = _scan(tmp_path, files, cache=False, **config)
    assert result.project is not None
    return profile_of(result.project), render_profile_text(result.project)


def test_docs_telling_users_to_run_the_published_image_look_distributed(tmp_path):
    profile, text = _profile(tmp_path, {
        "README.md": "Run it:\n\n    docker run -d -p 8000:8000 --name notes "
                     "ghcr.io/acme/notes:latest\n"})
    assert profile.name == DISTRIBUTED and not profile.configured
    assert "README.md" in profile.why and "acme/notes" in profile.why
    assert "detected" in text and 'set profile = "service"' in text


def test_a_docker_run_continued_over_lines_names_the_image_after_its_options(tmp_path):
    profile, _ = _profile(tmp_path, {
        "README.md": "```sh\nmkdir -p run/doc\ndocker run \\\n  --detach \\\n"
                     "  --volume $PWD/run:/var/notes/ \\\n  --publish 8000:80 \\\n"
                     "  ghcr.io/acme/notes\n```\n"})
    assert profile.name == DISTRIBUTED and profile.why.startswith(
        "README.md tells users to run acme/notes")


def test_an_image_ci_publishes_under_run_time_registry_and_owner_names(tmp_path):
    workflow = ("on: push\njobs:\n  image:\n    runs-on: ubuntu-latest\n    steps:\n"
                "      - run: docker build . --build-arg V=$(git describe --tags --always) "
                "--tag ${{ matrix.registry.name }}/${{ matrix.registry.org }}/notes:"
                "${{ github.sha }}\n")
    profile, _ = _profile(tmp_path, {
        ".github/workflows/release.yml": workflow,
        "README.md": "Run it:\n\n    docker run -p 8000:80 ghcr.io/someone/notes\n"})
    assert profile.name == DISTRIBUTED and "someone/notes" in profile.why


@pytest.mark.parametrize(("page", "expected"), [
    ("docs/setup/upgrading.md", DISTRIBUTED),
    ("docs/installation/upgrade-guide.rst", DISTRIBUTED),
    # a guide for the project's developers; release notes at the top (a library's breaking
    # changes between versions)
    ("docs/development/upgrading.md", SERVICE),
    ("UPGRADING.md", SERVICE),
])
def test_an_upgrade_guide_for_operators_looks_distributed(tmp_path, page, expected):
    text = "# Upgrading\n\n    cd /opt/notes && git pull && ./manage.py migrate\n"
    profile, _ = _profile(tmp_path, {page: text, "pyproject.toml": '[project]\nname = "notes"\n'})
    assert profile.name == expected
    if expected == DISTRIBUTED:
        assert profile.why == f"{page} tells operators how to upgrade their installation"


def test_an_upgrade_page_that_never_names_the_project_says_nothing(tmp_path):
    profile, _ = _profile(tmp_path, {"docs/upgrading.md": "# Upgrading\n\nRun the migrations.\n",
                                     "pyproject.toml": '[project]\nname = "notes"\n'})
    assert profile.name == SERVICE


def test_a_compose_snippet_in_a_doc_tree_counts(tmp_path):
    profile, _ = _profile(tmp_path, {
        "documentation/install.rst": "services:\n  notes:\n    image: acme/notes:1.2\n"})
    assert profile.name == DISTRIBUTED and "documentation/install.rst" in profile.why


def test_running_someone_elses_image_or_an_unpublished_one_is_a_service(tmp_path):
    profile, _ = _profile(tmp_path, {
        "README.md": "Start the database: `docker run -d postgres:16`, then "
                     "`docker pull acme/other`.\n"})
    assert profile.name == SERVICE


def test_the_configured_profile_decides(tmp_path):
    profile, text = _profile(tmp_path, {
        "README.md": "docker run ghcr.io/acme/notes\n"}, profile="service")
    assert profile.name == SERVICE and profile.configured
    assert "set in the configuration" in text


# one fixed name (an older one) and one read at run time
RUNTIME_NAMED = release_workflow("olduser/notes:latest", "ghcr.io/${{ github.repository }}:latest")


def test_an_image_published_under_the_repository_name_counts(tmp_path):
    # CI names the image at run time; the docs name it after the project (pyproject's name)
    profile, _ = _profile(tmp_path, {
        ".github/workflows/release.yml": RUNTIME_NAMED,
        "pyproject.toml": '[project]\nname = "notes"\nversion = "1"\n',
        "README.md": "Pull it with `docker pull acme/notes`, then run it.\n"})
    assert profile.name == DISTRIBUTED and "acme/notes" in profile.why


def test_a_run_time_name_does_not_claim_other_projects_images(tmp_path):
    profile, _ = _profile(tmp_path, {
        ".github/workflows/release.yml": RUNTIME_NAMED,
        "pyproject.toml": '[project]\nname = "notes"\nversion = "1"\n',
        "README.md": "Start the cache first: `docker run -d acme/cache`.\n"})
    assert profile.name == SERVICE


# no workflow publishes an image: a release process the repository does not show does
NO_RELEASE = {".github/workflows/release.yml": "on: push\njobs: {}\n"}


def test_an_image_named_after_the_project_counts_without_a_release_workflow(tmp_path):
    profile, _ = _profile(tmp_path, {
        **NO_RELEASE, "setup.py": "from setuptools import setup\n\nsetup(name='notes')\n",
        "README.md": "docker pull acme/notes:latest\n"})
    assert profile.name == DISTRIBUTED and "acme/notes" in profile.why


@pytest.mark.parametrize(("dockerfile", "expected"), [
    ("analyzer/Dockerfile", DISTRIBUTED),
    ("images/analyzer.Dockerfile", SERVICE),  # no package builds its image beside its code
])
def test_an_image_named_after_a_package_that_builds_it_counts(tmp_path, dockerfile, expected):
    profile, _ = _profile(tmp_path, {
        **NO_RELEASE, dockerfile: DOCKERFILE,
        "analyzer/pyproject.toml": '[project]\nname = "acme_analyzer"\nversion = "1"\n',
        "docs/install.md": "docker run -p 3000:3000 ghcr.io/acme/acme-analyzer:latest\n"})
    assert profile.name == expected


def test_an_image_named_after_the_project_needs_a_dockerfile_here(tmp_path):
    _scan(tmp_path, {**NO_RELEASE, "pyproject.toml": '[project]\nname = "notes"\nversion = "1"\n',
                     "README.md": "docker pull acme/notes:latest\n"})
    (tmp_path / "Dockerfile").unlink()
    result = scan(tmp_path, Config(jobs=1), use_cache=False)
    assert result.project is not None and profile_of(result.project).name == SERVICE


def test_docs_telling_users_to_pip_install_the_project_look_distributed(tmp_path):
    profile, _ = _profile(tmp_path, {
        **NO_RELEASE, "setup.cfg": "[metadata]\nname = notes_server\nversion = 1\n",
        "INSTALL.md": "Install it:\n\n    python -m pip install -U 'notes-server[postgres]'\n"})
    assert profile.name == DISTRIBUTED
    assert profile.why == "INSTALL.md tells users to install notes-server, this project's own " \
        "distribution"


def test_installing_from_the_checkout_or_other_packages_is_a_service(tmp_path):
    profile, _ = _profile(tmp_path, {
        **NO_RELEASE, "pyproject.toml": '[project]\nname = "notes"\nversion = "1"\n',
        "CONTRIBUTING.md": "pip install -e . && pip install -r requirements.txt\n"
                           "pip install notes-client\n",
        # release notes announce changes: not where users are told how to run it
        "CHANGELOG.md": "1.0: `pip install notes` now works\n"})
    assert profile.name == SERVICE


COMPOSE_RUNS = "services:\n  notes:\n    image: ghcr.io/acme/notes:latest\n    ports: ['80:8000']\n"


def test_docs_pointing_to_a_compose_file_that_runs_the_published_image(tmp_path):
    profile, _ = _profile(tmp_path, {
        "docker-compose.yml": COMPOSE_RUNS,
        "README.md": "Copy docker-compose.yml, set the variables, and start it.\n"})
    assert profile.name == DISTRIBUTED
    assert "README.md points users to docker-compose.yml, which runs acme/notes" in profile.why


def test_a_compose_file_that_builds_the_image_is_how_the_authors_run_it(tmp_path):
    builds = COMPOSE_RUNS.replace("    ports:", "    build: .\n    ports:")
    profile, _ = _profile(tmp_path, {
        "docker-compose.yml": builds,
        "README.md": "Start it with docker-compose.yml.\n"})
    assert profile.name == SERVICE


MANIFEST = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: notes}
spec:
  selector: {matchLabels: {app: notes}}
  template:
    metadata: {labels: {app: notes}}
    spec:
      containers:
        - name: notes
          image: ghcr.io/acme/notes:1.0
"""
RUN_IT = {"README.md": "Run it:\n\n    docker run -d ghcr.io/acme/notes:1.0\n",
          "deploy/notes.yaml": MANIFEST}


def _severities(result):
    return {f.rule_id: f.severity for f in result.findings}


@pytest.mark.parametrize("readme", [
    "# Notes\n\n## Self-hosting\n\nSee the docs.\n",
    "# Notes\n\n- 🐳 **Self-Hostable** – deploy with Docker.\n",
    "Notes is an open-source, self-hosted notebook.\n",
    "Edit your notes in the browser. It’s self hosted, and deployed in minutes.\n",
])
def test_a_readme_calling_the_project_self_hosted_looks_distributed(tmp_path, readme):
    profile, _ = _profile(tmp_path, {"README.md": readme})
    assert profile.name == DISTRIBUTED and "README.md calls the project self-hosted" in \
        profile.why


def test_a_top_level_page_about_self_hosting_looks_distributed(tmp_path):
    page = "# Hosted instances\n\nUse a commercial service or host it yourself.\n\n## Self-Host\n"
    profile, _ = _profile(tmp_path, {"README.md": "# Maps\n", "HOSTED.md": page})
    assert profile.name == DISTRIBUTED and "HOSTED.md calls the project self-hosted" in \
        profile.why
    # the project's contribution guide speaks of the CI's machines, not of the product
    profile, _ = _profile(tmp_path / "other", {"README.md": "# Maps\n",
                                               "CONTRIBUTING.md": "## Self-hosted builds\n"})
    assert profile.name == SERVICE


@pytest.mark.parametrize(("readme", "why"), [
    ("Most documentation is on our website. Try the demo before setting up your own.\n",
     "asks readers to set up their own instance"),
    ("## Getting started\n\n* [Setting up a Notes instance](https://notes.example/setup)\n",
     "asks readers to set up their own instance"),
    ("Hosting your own instance is easy.\n", "asks readers to set up their own instance"),
    ("If you need to install Notes on your own server, read the guides.\n",
     "asks readers to set up their own instance"),
    ("[See the Notes docs](https://docs.notes.io/setup/docker-compose) for step-by-step "
     "installation and deployment instructions.\n",
     "points readers to the project's installation guide"),
    ("For a complete installation guide please visit "
     "[the docs](https://notes.readthedocs.io/en/latest/installation.html).\n",
     "points readers to the project's installation guide"),
    ("Quickstart:\n\n```sh\ncurl -sSL https://get.example.io/notes/quick_start.sh | sudo bash\n"
     "```\n", "pipes the project's install script into a shell"),
    # the link wraps onto the next line of the paragraph
    ("For a complete installation guide please visit the installation documentation\n"
     "[here](https://notes.readthedocs.io/en/latest/installation.html).\n",
     "points readers to the project's installation guide"),
])
def test_a_readme_inviting_readers_to_run_their_own_looks_distributed(tmp_path, readme, why):
    profile, _ = _profile(tmp_path, {"README.md": readme, "pyproject.toml":
                                     '[project]\nname = "notes"\n'})
    assert profile.name == DISTRIBUTED and f"README.md {why}" in profile.why


@pytest.mark.parametrize("readme", [
    "For single sign-on, run your own Keycloak instance next to it.\n",
    "Set up a dev server with `make dev`.\n",
    "Install uv first: `curl -LsSf https://astral.sh/uv/install.sh | sh`\n",
    "Set up your own development environment with `make dev`.\n",
    "Follow the [install instructions](https://github.com/astral-sh/uv) of uv first.\n",
    # the contributors' setup, however it is worded
    "For detailed installation instructions, consult the [docs]"
    "(https://docs.notes.org/en/latest/contributing/#install-notes-locally).\n",
])
def test_running_other_software_or_a_dev_server_is_a_service(tmp_path, readme):
    profile, _ = _profile(tmp_path, {"README.md": readme, "pyproject.toml":
                                     '[project]\nname = "notes"\n'})
    assert profile.name == SERVICE


def test_an_installation_guide_in_the_repository_is_the_projects_own(tmp_path):
    readme = ("The docker, docker-compose and bare metal installation instructions are "
              "available [here](docs/new-install.md).\n")
    files = {"README.md": readme, "pyproject.toml": '[project]\nname = "notes"\n'}
    profile, _ = _profile(tmp_path / "guide", {**files, "docs/new-install.md": "# Install\n"})
    assert profile.name == DISTRIBUTED and "(docs/new-install.md)" in profile.why
    # a link to nothing in the repository, or to the contributors' setup, is no guide
    profile, _ = _profile(tmp_path / "missing", files)
    assert profile.name == SERVICE
    profile, _ = _profile(tmp_path / "dev", {
        **files, "README.md": readme.replace("new-install", "developer-install"),
        "docs/developer-install.md": "# Install\n"})
    assert profile.name == SERVICE


def test_a_generic_distribution_name_in_a_url_names_nothing(tmp_path):
    readme = "See the [installation guide](https://docs.example.com/app/install) of the proxy.\n"
    profile, _ = _profile(tmp_path, {"README.md": readme,
                                     "pyproject.toml": '[project]\nname = "app"\n'})
    assert profile.name == SERVICE


PUBLISH = """on: {{release: {{types: [published]}}}}
jobs:
  publish:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
{steps}
"""


@pytest.mark.parametrize(("steps", "expected"), [
    ("      - run: python -m build\n      - uses: pypa/gh-action-pypi-publish@release/v1\n",
     DISTRIBUTED),
    ("      - run: |\n          hatch build\n          hatch publish\n", DISTRIBUTED),
    ("      - run: python -m build && twine upload --skip-existing dist/*\n", DISTRIBUTED),
    # a client or SDK built in a subdirectory is not the service
    ("      - run: uv publish\n        working-directory: sdk/python\n", SERVICE),
    ("      - run: cd clients/python && python setup.py sdist && twine upload dist/*\n",
     SERVICE),
    ("      - run: twine upload -r pypi awxkit/dist/*\n", SERVICE),
    ("      - uses: pypa/gh-action-pypi-publish@release/v1\n        with:\n"
     "          packages-dir: sdk/dist/\n", SERVICE),
])
def test_publishing_the_projects_own_distribution_looks_distributed(tmp_path, steps, expected):
    profile, _ = _profile(tmp_path, {
        ".github/workflows/pypi.yml": PUBLISH.format(steps=steps),
        "pyproject.toml": '[project]\nname = "notes"\n'})
    assert profile.name == expected
    if expected == DISTRIBUTED:
        assert profile.why == (".github/workflows/pypi.yml publishes the project's own "
                               "distribution to a package index")


@pytest.mark.parametrize("files", [
    {"README.md": "Notes supports every LLM provider, both self-hosted (like Ollama) and "
                  "hosted ones.\n"},
    {"README.md": "This is a notebook for self-hosted runners.\n"},
    {"docs/guide/ci.md": "## Self-hosting your CI runners\n"},  # not the project's README
    {"README.md": "# Notes\n\n## Self-hosted runners\n\nOur CI uses them.\n"},
])
def test_self_hosted_other_software_is_a_service(tmp_path, files):
    profile, _ = _profile(tmp_path, files)
    assert profile.name == SERVICE


EDGE_COMPOSE = """services:
  app:
    image: ghcr.io/acme/notes:latest
  caddy:
    image: caddy:2
    ports: ["80:80", "${HTTPS_PORT:-443}:443"]
    depends_on: [app]
"""


def test_hsts_stays_the_authors_choice_when_they_ship_the_tls_edge(tmp_path):
    readme = {"README.md": "## Self-hosting\n"}
    shipped = _scan(tmp_path / "edge", {**readme, "docker-compose.yml": EDGE_COMPOSE},
                    cache=False)
    findings = [f for f in shipped.findings if f.rule_id == "APP004"]
    assert findings and all(f.severity == Severity.MEDIUM and "publishes 443" in f.message
                            for f in findings)
    plain = EDGE_COMPOSE.replace(', "${HTTPS_PORT:-443}:443"', "")
    operator = _scan(tmp_path / "plain", {**readme, "docker-compose.yml": plain}, cache=False)
    assert {f.severity for f in operator.findings if f.rule_id == "APP004"} == {Severity.INFO}


def test_a_detected_distributed_profile_applies_to_file_and_project_rules(tmp_path):
    result = _scan(tmp_path, RUN_IT, cache=False)
    severities = _severities(result)
    # K8S001/K8S002 are judged per file, APP007/APP008/APP009/APP014 over the project
    for rule in ("K8S001", "K8S002", "K8S008", "K8S009", "K8S010", "K8S016", "K8S017",
                 "APP007", "APP008", "APP009", "APP014"):
        assert severities[rule] == Severity.INFO, rule
    # a service's own team runs it: pod security is theirs (a product's image user is
    # DOCKER003's)
    own = _severities(_scan(tmp_path / "own", {"deploy/notes.yaml": MANIFEST}, cache=False))
    assert own["K8S008"] == own["K8S009"] == Severity.MEDIUM
    assert result.profile is not None and result.profile.name == DISTRIBUTED
    assert not result.profile.configured
    text = render_text(Report.of(result))
    assert "Profile: distributed, detected (README.md tells users to run acme/notes" in text


def test_without_the_documentation_the_rules_keep_their_severity(tmp_path):
    result = _scan(tmp_path, {"deploy/notes.yaml": MANIFEST}, cache=False)
    severities = _severities(result)
    assert severities["K8S001"] == Severity.MEDIUM and severities["APP009"] != Severity.INFO
    assert result.profile is not None and result.profile.name == SERVICE
    assert "Profile:" not in render_text(Report.of(result))


def test_a_configured_service_profile_overrides_the_detection(tmp_path):
    result = _scan(tmp_path, RUN_IT, cache=False, profile="service")
    assert _severities(result)["K8S001"] == Severity.MEDIUM
    assert result.profile is not None and result.profile.configured


def test_a_remembered_scan_keeps_the_detected_profile(tmp_path):
    first = _scan(tmp_path, RUN_IT)
    again = scan(tmp_path, Config(jobs=1), memo=True)
    assert again.project is None  # answered from the memo
    assert _severities(again) == _severities(first)
    assert again.profile == first.profile
    assert again.config.profile == DISTRIBUTED
    assert Report.of(again).score.overall == Report.of(first).score.overall


def test_the_json_report_carries_the_profile(tmp_path):
    result = _scan(tmp_path, RUN_IT, cache=False)
    data = json.loads(render(Report.of(result)))
    assert data["profile"]["name"] == DISTRIBUTED and data["profile"]["configured"] is False
    loaded = load_report(data)
    assert loaded.result.profile == result.profile
    assert loaded.score.overall == Report.of(result).score.overall


def test_an_unpinned_image_in_a_distributed_manifest_is_the_operators_choice(tmp_path):
    latest = {**RUN_IT, "deploy/notes.yaml": MANIFEST.replace("notes:1.0", "notes:latest")}
    distributed = _severities(_scan(tmp_path / "d", latest, cache=False))
    service = _severities(_scan(tmp_path / "s", {"deploy/notes.yaml": latest["deploy/notes.yaml"]},
                                cache=False))
    assert distributed["K8S011"] == Severity.INFO and service["K8S011"] != Severity.INFO


def test_a_quoted_readme_line_prints_literally(tmp_path):
    from typer.testing import CliRunner

    from prodready.cli import app

    _scan(tmp_path, {"README.md": "## Self-hosting [bold red]now[/] \x1b[31mred\n"}, cache=False)
    for command in (["services", str(tmp_path), "--no-cache"],
                    ["scan", str(tmp_path), "--no-cache", "--exit-zero"]):
        out = CliRunner().invoke(app, command).stdout
        assert "\x1b" not in out and "[bold red]now[/]" in " ".join(out.split()), command


def test_an_artifacts_path_in_the_roles_listing_prints_literally(tmp_path):
    from typer.testing import CliRunner

    from prodready.cli import app

    _scan(tmp_path, {"[red]x[/Dockerfile": "FROM python:3.12-slim\nCMD [\"x\"]\n"}, cache=False)
    out = CliRunner().invoke(app, ["services", str(tmp_path), "--no-cache"]).stdout
    assert "[red]x[/Dockerfile" in out


@pytest.mark.parametrize(("files", "severity"), [
    ({}, Severity.INFO),  # users start it on their own machine: nothing probes it
    ({"Dockerfile": DOCKERFILE}, Severity.HIGH),  # a container may be probed
])
def test_a_product_users_install_needs_a_health_route_only_where_something_runs_it(
        tmp_path, files, severity):
    write_tree(tmp_path, {"app/main.py": APP, **files,
                          "pyproject.toml": '[project]\nname = "notes"\n',
                          "README.md": "Install it with `pip install notes`, then run `notes`.\n"})
    result = scan(tmp_path, Config(jobs=1, select=["APP001"], cache=False))
    assert profile_of(result.project).name == DISTRIBUTED
    [finding] = result.findings
    assert finding.severity is severity


def test_docs_pointing_to_a_stack_of_local_images_say_nothing(tmp_path):
    compose = ("services:\n  app:\n    build: .\n    image: local/notes_app\n"
               "  worker:\n    image: local/notes_app\n    command: worker\n")
    profile, _ = _profile(tmp_path, {"docker-compose.yml": compose,
                                     "docs/dev.md": "Run `docker compose up` with "
                                                    "docker-compose.yml.\n"})
    assert profile.name == SERVICE


@pytest.mark.parametrize(("files", "severity"), [
    ({"heroku.yml": "build:\n  docker:\n    web: Dockerfile\n"}, Severity.INFO),
    ({".github/workflows/deploy.yml": "on: push\njobs:\n  deploy:\n    runs-on: x\n    steps:\n"
                                      "      - uses: akhileshns/heroku-deploy@v3.13.15\n"},
     Severity.INFO),
    ({}, Severity.HIGH),  # nothing says where it runs: it may be probed
    # a Kubernetes Deployment of the app beside the Heroku release: its probes need a route
    ({"heroku.yml": "build:\n  docker:\n    web: Dockerfile\n",
      "k8s/app.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: app}\nspec:\n"
                      "  template:\n    spec:\n      containers:\n        - name: app\n"
                      "          image: acme/notes:1\n          command: [uvicorn, "
                      "app.main:app]\n"}, Severity.HIGH),
])
def test_a_service_only_heroku_runs_needs_no_health_route(tmp_path, files, severity):
    write_tree(tmp_path, {"app/main.py": APP, "Dockerfile": DOCKERFILE, **files})
    result = scan(tmp_path, Config(jobs=1, select=["APP001"], cache=False))
    [finding] = result.findings
    assert finding.severity is severity



@pytest.mark.parametrize(("extra", "severity"), [
    ({}, Severity.INFO),
    # a Compose service runs the same app as a server too: something may probe it
    ({"docker-compose.yml": "services:\n  api:\n    build: .\n    ports: ['8000:8000']\n"
                           "    command: uvicorn app.main:app --host 0.0.0.0\n",
      "Dockerfile": "FROM python:3.12-slim\nCOPY . /app\nCMD [\"uvicorn\", \"app.main:app\"]\n"},
     Severity.HIGH),
])
def test_an_app_mangum_hands_to_aws_lambda_has_no_instance_to_probe(tmp_path, extra, severity):
    lambda_app = ("from fastapi import FastAPI\nfrom mangum import Mangum\n\napp = FastAPI()\n"
                  "client = httpx.AsyncClient()\n\n\n@app.get('/elections')\n"
                  "async def elections():\n    return []\n\n\nhandler = Mangum(app)\n")
    write_tree(tmp_path, {"app/__init__.py": "", "app/main.py": "import httpx\n" + lambda_app,
                          **extra})
    result = scan(tmp_path, Config(jobs=1, select=["APP001", "APP010"], cache=False))
    found = {f.rule_id: f.severity for f in result.findings}
    assert found["APP001"] is severity
    if severity is Severity.INFO:
        assert found["APP010"] is Severity.INFO
