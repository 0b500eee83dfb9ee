"""The image builds the repository runs (project.builds): one reader for the deployment model
and the Docker rules alike."""

from __future__ import annotations

import pytest

from prodready.config import Config
from prodready.engine import scan
from prodready.project.builds import (
    ACTION,
    COMMAND,
    COMPOSE,
    SKAFFOLD,
    UNKNOWN,
    command_builds,
    image_builds,
    project_builds,
)
from prodready.project.deployment import deployment_of
from prodready.testing import write_tree

DOCKERFILE = "FROM python:3.12-slim\nCOPY . /app\nCMD [\"python\", \"app.py\"]\n"


def _build_push_workflow(inputs: str, uses: str = "docker/build-push-action@v6") -> str:
    """A workflow with one build step of `uses` and these `with:` lines."""
    return ("on: push\njobs:\n  image:\n    runs-on: ubuntu-latest\n    steps:\n"
            f"      - uses: {uses}\n        with:\n{inputs}")


def _project(tmp_path, files):
    write_tree(tmp_path, files)
    result = scan(tmp_path, Config(), jobs=1, use_cache=False)
    assert result.project is not None
    return result.project


@pytest.mark.parametrize(("command", "dockerfile", "context"), [
    ("docker build -t acme/api .", "Dockerfile", ""),
    ("docker build . -t acme/api", "Dockerfile", ""),
    ("docker buildx build --platform linux/amd64 -f api/Dockerfile.prod api",
     "api/Dockerfile.prod", "api"),
    ("podman build --file=api/Containerfile --tag=acme/api api", "api/Containerfile", "api"),
    ("buildah bud -t acme/api api", "api/Dockerfile", "api"),
    # the value of an option the reader does not know (podman's --volume) comes first
    ("podman build --volume /cache:/cache:Z -t acme/api api", "api/Dockerfile", "api"),
    # a command substitution splits into words: the context is still the last one
    ("docker build -t acme/api:$(git rev-parse --short HEAD) api", "api/Dockerfile", "api"),
    # a redirection is not an argument
    ("docker build -t acme/api api > build.log", "api/Dockerfile", "api"),
    # a context outside the repository is not known; the Dockerfile it names is
    ("docker build -f api/Dockerfile ..", "api/Dockerfile", UNKNOWN),
    ("docker build -t acme/api $CONTEXT", None, UNKNOWN),
    ("docker build -t acme/api - < Dockerfile", None, UNKNOWN),
])
def test_a_build_command_gives_its_dockerfile_and_context(command, dockerfile, context):
    (build,) = command_builds(command, "Makefile")
    assert (build.dockerfile, build.context, build.how) == (dockerfile, context, COMMAND)


def test_a_build_command_reads_its_tags_and_build_arguments():
    (build,) = command_builds("docker build \\\n  --build-arg VERSION=1.2 --build-arg=TOKEN \\\n"
                              "  -t ghcr.io/acme/api:1.2 --tag acme/api:$TAG .", "ci.sh")
    assert build.args == {"VERSION": "1.2", "TOKEN": None}
    assert build.images == ("acme/api", "acme/api")


def test_a_command_a_script_only_prints_builds_nothing():
    text = ('echo "Run the following command to build the image:"\n'
            'echo "docker build -t $IMAGE_NAME \\\\"\n'
            "printf '%s\\n' 'docker build -t acme/api .'\n"
            "docker build -t acme/web web\n")
    assert [b.context for b in command_builds(text, "build.sh")] == ["web"]


def test_a_build_run_over_ssh_builds_no_dockerfile_of_the_checkout():
    text = ("ssh \"$host\" 'docker build -t acme/web:unstable web'\n"
            "docker buildx build \\\n  -t acme/web:latest --push .\n")
    remote, local = command_builds(text, "deploy.sh")
    assert (remote.dockerfile, remote.context, remote.images) == (None, UNKNOWN, ("acme/web",))
    assert (local.dockerfile, local.context) == ("Dockerfile", "")


def test_a_script_builds_relative_to_its_own_directory():
    (build,) = command_builds("docker build -f Dockerfile.prod ..", "docker/build.sh", "docker")
    assert (build.dockerfile, build.context) == ("docker/Dockerfile.prod", "")


def test_a_script_a_ci_job_runs_from_the_root_builds_from_the_root(tmp_path):
    write_tree(tmp_path, {
        "Dockerfile": "FROM python:3.12-slim\n",
        "build_helpers/publish.sh": "IMAGE_NAME=acmeorg/acme\n"
                                    "docker build -t acme:${TAG} .\n"
                                    "docker tag acme:$TAG ${IMAGE_NAME}:$TAG\n",
        "docker/build.sh": "docker build -f Dockerfile.prod ..\n",
        "docker/Dockerfile.prod": "FROM python:3.12-slim\n",
        "pyproject.toml": '[project]\nname = "acme"\n',
    })
    result = scan(tmp_path, Config(jobs=1, select=["DOCKER"]), use_cache=False)
    model = deployment_of(result.project)
    assert model.image_dockerfiles["acme"] == "Dockerfile"  # not build_helpers/Dockerfile
    assert model.image_dockerfiles["acmeorg/acme"] == "Dockerfile"  # named by `docker tag`
    assert model.role_of("docker/Dockerfile.prod").role == "deployed"  # its own directory


def test_a_published_name_after_the_project_is_the_image_built_under_that_name(tmp_path):
    write_tree(tmp_path, {
        "Dockerfile": "FROM python:3.12-slim\n",
        "Makefile": "image:\n\tdocker build -t acme .\n",
        "pyproject.toml": '[project]\nname = "acme"\n',
    })
    result = scan(tmp_path, Config(jobs=1, select=["DOCKER"]), use_cache=False)
    model = deployment_of(result.project)
    assert model.dockerfile_of_image("acmeorg/acme")[0] == "Dockerfile"
    assert model.dockerfile_of_image("acmeorg/other") is None


@pytest.mark.parametrize(("uses", "built"), [
    ("docker/build-push-action@v6", True),
    ("depot/build-push-action@v1", True),  # a drop-in with the same inputs
    ("./.github/actions/build-push-action", False),  # a local action: its inputs are its own
    ("acme/build-push-action-wrapper@v1", False),
])
def test_which_actions_build_with_build_push_inputs(tmp_path, uses, built):
    project = _project(tmp_path, {
        "api/Dockerfile": DOCKERFILE,
        ".github/workflows/release.yml": _build_push_workflow(
            "          context: ./api\n"
            "          build-args: |\n            VERSION=1.2\n            TOKEN\n"
            "          tags: ghcr.io/acme/api:latest\n", uses)})
    builds = [b for b in project_builds(project) if b.how == ACTION]
    if not built:
        assert builds == []
        return
    (build,) = builds
    assert (build.dockerfile, build.context) == ("api/Dockerfile", "api")
    assert build.args == {"VERSION": "1.2", "TOKEN": None}
    assert build.images == ("acme/api",)


@pytest.mark.parametrize(("context", "expected"), [
    ("${{ env.CONTEXT }}", UNKNOWN),
    ("${{ github.workspace }}/api", "api"),  # the runner's path of the checkout
])
def test_a_build_push_file_is_relative_to_the_workspace_and_a_run_time_context_unknown(
        tmp_path, context, expected):
    project = _project(tmp_path, {
        "docker/api.Dockerfile": DOCKERFILE,
        ".github/workflows/release.yml": (
            "on: push\njobs:\n  image:\n    runs-on: ubuntu-latest\n    steps:\n"
            "      - uses: docker/build-push-action@v6\n        with:\n"
            f"          context: {context}\n"
            "          file: ./docker/api.Dockerfile\n")})
    (build,) = image_builds(project)["docker/api.Dockerfile"]
    assert build.context == expected


def test_build_push_version_1_inputs(tmp_path):
    project = _project(tmp_path, {
        "docker/uwsgi/Dockerfile": DOCKERFILE,
        ".github/workflows/docker.yml": _build_push_workflow(
            "          repository: acme/site\n"
            "          dockerfile: /github/workspace/docker/uwsgi/Dockerfile\n"
            "          build_args: VERSION=1.2,TOKEN\n"
            "          tags: latest, web\n", "docker/build-push-action@v1.1.0")})
    (build,) = image_builds(project)["docker/uwsgi/Dockerfile"]
    assert (build.context, set(build.images), build.check_only) == ("", {"acme/site"}, False)
    assert build.args == {"VERSION": "1.2", "TOKEN": None}
    assert deployment_of(project).role_of("docker/uwsgi/Dockerfile").role == "deployed"


def test_every_text_of_a_ci_file_is_read_for_build_commands(tmp_path):
    project = _project(tmp_path, {
        "api/Dockerfile": DOCKERFILE,
        "worker/Dockerfile": DOCKERFILE,
        ".gitlab-ci.yml": ("image-api:\n  before_script:\n    - docker build -t acme/api api\n"
                           "  script: [echo done]\n"),
        ".circleci/config.yml": ("jobs:\n  image:\n    steps:\n      - run:\n"
                                 "          command: docker build -t acme/worker worker\n"),
    })
    built = image_builds(project)
    assert [b.source for b in built["api/Dockerfile"]] == [".gitlab-ci.yml"]
    assert [b.source for b in built["worker/Dockerfile"]] == [".circleci/config.yml"]


def test_compose_and_skaffold_builds_with_their_arguments(tmp_path):
    project = _project(tmp_path, {
        "api/Dockerfile": DOCKERFILE,
        "compose.yaml": ("services:\n  api:\n    build:\n      context: ./api\n"
                         "      args: [VERSION=1.2, TOKEN]\n    image: acme/api:1.2\n"),
        "deploy/skaffold.yaml": ("apiVersion: skaffold/v4beta6\nkind: Config\nbuild:\n"
                                 "  artifacts:\n    - image: acme/api\n      context: ../api\n"
                                 "      docker: {buildArgs: {VERSION: '2.0'}}\n"),
    })
    compose, skaffold = image_builds(project)["api/Dockerfile"]
    assert (compose.how, compose.service, compose.context) == (COMPOSE, "api", "api")
    assert compose.args == {"VERSION": "1.2", "TOKEN": None}
    assert (skaffold.how, skaffold.context, skaffold.source) == (SKAFFOLD, "api",
                                                                 "deploy/skaffold.yaml")
    assert skaffold.args == {"VERSION": "2.0"} and skaffold.images == ("acme/api",)


def test_a_test_workflow_builds_but_does_not_deploy(tmp_path):
    project = _project(tmp_path, {
        "api/Dockerfile": DOCKERFILE,
        ".github/workflows/tests.yml": ("on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n"
                                        "    steps:\n      - run: docker build -t acme/api api\n"),
    })
    assert [b.source for b in image_builds(project)["api/Dockerfile"]] == [
        ".github/workflows/tests.yml"]
    assert deployment_of(project).role_of("api/Dockerfile").role != "deployed"


@pytest.mark.parametrize(("inputs", "ships"), [
    ("          push: false\n", False),
    ("", False),  # the action pushes nothing unless told to
    ("          push: true\n", True),
    ("          push: ${{ github.event_name != 'pull_request' }}\n", True),
    ("          load: true\n", True),  # loaded for a later step, which may push it
    ("          outputs: type=registry\n", True),
])
def test_a_ci_build_that_keeps_the_image_nowhere_deploys_nothing(tmp_path, inputs, ships):
    project = _project(tmp_path, {
        "api/Dockerfile": DOCKERFILE,
        ".github/workflows/images.yml": _build_push_workflow(
            f"          context: ./api\n          tags: ghcr.io/acme/api:latest\n{inputs}")})
    (build,) = image_builds(project)["api/Dockerfile"]
    assert build.check_only is not ships
    assert (deployment_of(project).role_of("api/Dockerfile").role == "deployed") is ships


@pytest.mark.parametrize(("context", "flagged"), [
    ("", False),  # BuildKit's git context: the tracked files of the commit, no .git
    ("          context: .\n", True),
])
def test_an_image_built_only_from_the_git_context_leaks_no_local_files(tmp_path, context,
                                                                        flagged):
    write_tree(tmp_path, {
        "Dockerfile": DOCKERFILE, ".dockerignore": "*.pyc\n", ".env": "DEBUG=1\n",
        ".github/workflows/images.yml": _build_push_workflow(
            f"          push: true\n          tags: ghcr.io/acme/api:latest\n{context}")})
    result = scan(tmp_path, Config(jobs=1, select=["DOCKER007"]), use_cache=False)
    assert bool(result.findings) is flagged


MATRIX_WORKFLOW = """on: push
jobs:
  images:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        image_name: [shop-api, shop-web]
        arch: [amd64, arm64]
        include:
          - image_name: shop-api
            context: .
            dockerfile: api/Dockerfile
          - image_name: shop-web
            context: web
            dockerfile: web/Dockerfile
    steps:
      - uses: docker/build-push-action@v6
        with:
          context: ${{ matrix.context }}
          file: ${{ matrix.dockerfile }}
          push: true
          tags: ghcr.io/acme/${{ matrix.image_name }}:${{ github.sha }}-${{ matrix.arch }}
"""


def test_a_matrix_job_builds_each_image_of_its_matrix(tmp_path):
    project = _project(tmp_path, {
        "api/Dockerfile": DOCKERFILE, "web/Dockerfile": DOCKERFILE,
        ".github/workflows/images.yml": MATRIX_WORKFLOW})
    built = {(b.dockerfile, b.context, b.images) for b in project_builds(project)
             if b.how == ACTION}
    assert built == {("api/Dockerfile", "", ("acme/shop-api",)),
                     ("web/Dockerfile", "web", ("acme/shop-web",))}
    model = deployment_of(project)
    assert model.dockerfile_of_image("acme/shop-api")[0] == "api/Dockerfile"
    assert model.role_of("web/Dockerfile").role == "deployed"


def test_a_matrix_too_large_to_be_images_is_not_read(tmp_path):
    axes = "\n".join(f"        a{i}: [x, y]" for i in range(6))  # 64 combinations
    workflow = MATRIX_WORKFLOW.replace("        image_name: [shop-api, shop-web]\n",
                                       axes + "\n")
    project = _project(tmp_path, {"api/Dockerfile": DOCKERFILE,
                                  ".github/workflows/images.yml": workflow})
    # the job is read as written: its Dockerfile is known only at run time
    assert [b.dockerfile for b in project_builds(project) if b.how == ACTION] == [None]


def test_the_deployment_model_links_the_context_a_build_command_ends_with(tmp_path):
    project = _project(tmp_path, {
        "server/Dockerfile": DOCKERFILE,
        "Makefile": ("image:\n\tdocker buildx build $(if $(PLATFORMS),--platform $(PLATFORMS),) "
                     "-t acme/server:$(VERSION) server\n"),
    })
    role = deployment_of(project).role_of("server/Dockerfile")
    assert role.role == "deployed" and "Makefile (docker build)" in role.why
    assert deployment_of(project).image_dockerfiles == {"acme/server": "server/Dockerfile"}


@pytest.mark.parametrize(("tags", "images", "runtime"), [
    ("ghcr.io/${{ github.repository }}:latest,acme/api:1", ("acme/api",), True),
    ("${{ steps.meta.outputs.tags }}", (), False),  # names another step gives
    ("acme/api:${{ github.sha }}", ("acme/api",), False),
])
def test_a_build_tagging_a_name_read_at_run_time(tmp_path, tags, images, runtime):
    project = _project(tmp_path, {
        "Dockerfile": DOCKERFILE,
        ".github/workflows/release.yml": (
            "on: push\njobs:\n  image:\n    runs-on: ubuntu-latest\n    steps:\n"
            f"      - uses: docker/build-push-action@v6\n        with:\n          tags: {tags}\n")})
    (build,) = image_builds(project)["Dockerfile"]
    assert (build.images, build.runtime_name) == (images, runtime)


REUSABLE = """\
on:
  workflow_call:
    inputs:
      registry:
        type: string
        default: ghcr.io
      file:
        type: string
        default: Dockerfile
      target:
        type: string
      image-name:
        type: string
        required: true
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - id: meta
        uses: docker/metadata-action@v5
        with:
          images: ${{ inputs.registry }}/acme/${{ inputs.image-name }}
      - uses: docker/build-push-action@v6
        with:
          file: ${{ inputs.file }}
          target: ${{ inputs.target }}
          tags: ${{ steps.meta.outputs.tags }}
"""


def test_a_reusable_workflow_builds_with_the_inputs_of_its_caller(tmp_path):
    project = _project(tmp_path, {
        "Dockerfile": DOCKERFILE, "worker/Dockerfile": DOCKERFILE,
        ".github/workflows/.build.yml": REUSABLE,
        ".github/workflows/release.yml": (
            "on: release\njobs:\n"
            "  api:\n    uses: ./.github/workflows/.build.yml\n"
            "    with:\n      image-name: api\n      target: production\n"
            "  worker:\n    uses: ./.github/workflows/.build.yml@main\n"
            "    with:\n      image-name: worker\n      file: worker/Dockerfile\n")})
    built = {(b.dockerfile, b.images, b.target) for b in project_builds(project)
             if b.source == ".github/workflows/.build.yml" and b.dockerfile}
    assert built == {("Dockerfile", ("acme/api",), "production"),
                     ("worker/Dockerfile", ("acme/worker",), None)}
    assert deployment_of(project).dockerfile_of_image("acme/api") is not None


def test_workflow_expressions_and_command_substitutions_are_one_word_each():
    (build,) = command_builds(
        "docker build . --build-arg VERSION=$(git describe --tags --always) "
        "--tag ${{ matrix.registry.name }}/${{ matrix.registry.org }}/notes:${{ github.sha }}",
        ".github/workflows/image.yml")
    assert (build.dockerfile, build.context) == ("Dockerfile", "")
    assert build.runtime_name and build.runtime_suffixes == ("notes",)
    assert build.args == {"VERSION": "$(git describe --tags --always)"}
