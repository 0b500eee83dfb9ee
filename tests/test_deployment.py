"""The deployment model: what ships, what is an example, a fixture, dev tooling, docs or
generated, and why; rules judge only what ships unless asked."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from prodready.cli import app
from prodready.config import Config
from prodready.engine import scan
from prodready.project.deployment import deployment_of, path_role
from prodready.testing import release_workflow, write_tree

SERVER_DOCKERFILE = "FROM python:3.12-slim\nEXPOSE 8000\nCMD [\"uvicorn\", \"app:app\"]\n"
DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  template:
    metadata:
      labels: {app: api}
    spec:
      containers:
        - name: api
          image: team/api:1.0
"""


def _model(tmp_path, files, **config):
    write_tree(tmp_path, files)
    result = scan(tmp_path, Config.model_validate(config), jobs=1, use_cache=False)
    assert result.project is not None
    return deployment_of(result.project), result


@pytest.mark.parametrize(("path", "role"), [
    ("examples/basic/Dockerfile", "example"),
    ("samples/app/k8s.yaml", "example"),
    ("demo/compose.yaml", "example"),
    ("_archived/old/Dockerfile", "example"),
    ("pkg/testdata/deploy.yaml", "test-fixture"),
    ("fixtures/compose.yaml", "test-fixture"),
    ("e2e/Dockerfile", "test-fixture"),
    ("docs/tutorial/Dockerfile", "docs"),
    ("dev/Dockerfile", "dev-tooling"),
    ("devel/ci/integration/rabbitmq/Dockerfile", "dev-tooling"),
    ("images/Dockerfile.devel", "dev-tooling"),
    ("extras/docker/development/Dockerfile", "dev-tooling"),
    ("hack/kind.yaml", "dev-tooling"),
    ("dev-tools/Dockerfile", "dev-tooling"),
    ("docker-compose.test.yml", "test-fixture"),
    ("docker-compose.dev.yml", "dev-tooling"),
    ("skaffold-e2e.yaml", "test-fixture"),
    ("Dockerfile.dev", "dev-tooling"),
    ("test.Dockerfile", "test-fixture"),
    ("api/generated/models_pb2.py", "generated"),
    ("api/models_pb2.py", "generated"),
    ("examples/fastapi/main.py", "example"),
    ("scripts/proxy-test/docker-compose.yml", "test-fixture"),
    ("scripts/solr_builder/Dockerfile", "dev-tooling"),
    ("scripts/openapi/oas_resolver/Dockerfile", "dev-tooling"),
    ("load_tests/Dockerfile", "test-fixture"),
    ("unittests/scans/nuclei/manifest.yaml", "test-fixture"),
    ("smoketests/bin/list_symbols.py", "test-fixture"),
    ("systemtests/lib/client.py", "test-fixture"),
    ("unit_tests/compose.yaml", "test-fixture"),
    ("src/app/data/sample_project/docker-compose.yml", "example"),
    ("deploy/example-stack/compose.yaml", "example"),
    ("extras/cloudsql/kubernetes-manifests/frontend.yaml", "example"),
    ("contrib/nginx/docker-compose.yml", "example"),
    ("extras/docker-compose.dev.yml", "dev-tooling"),
    (".github/ci-image/Dockerfile", "dev-tooling"),
    (".github/actions/lint/Dockerfile", "dev-tooling"),
    (".github/workflows/install_deps.py", "dev-tooling"),
    ("setup.py", "dev-tooling"),
    ("hatch_build.py", "dev-tooling"),
    ("noxfile.py", "dev-tooling"),
    ("Ctl/local/docker-compose.yml", "dev-tooling"),
    ("compose/local/django/Dockerfile", "dev-tooling"),
    ("freqtrade/vendor/qtpylib/indicators.py", "generated"),
    ("pip/_vendor/requests/api.py", "generated"),
    (".gitlab/ci_util_image/Dockerfile", "dev-tooling"),
    (".circleci/images/py/Dockerfile", "dev-tooling"),
    ("gitlint/gitlint_emoji.py", "dev-tooling"),
    ("plugin-boilerplate/{{ cookiecutter.project_slug }}/docker-compose.yml", "example"),
    ("{{cookiecutter.project_slug}}/compose/production/django/Dockerfile", "example"),
    # words run together in a name (`DevDjangoDockerfile`), a demo, a linter's image
    ("devops/docker/DevDjangoDockerfile", "dev-tooling"),
    ("dockerfiles/focal/python3/DemoDockerfile", "example"),
    ("docker/Dockerfile.lint", "dev-tooling"),
    # the stack a pull request is previewed on
    ("docker-compose.pullpreview.yml", "dev-tooling"),
    ("compose.preview.yaml", "dev-tooling"),
])
def test_path_conventions_give_roles(path, role):
    found = path_role(path)
    assert found is not None and found.role == role
    assert found.why


@pytest.mark.parametrize("path", [
    "Dockerfile", "deploy/k8s/api.yaml", "docker-compose.yml", "compose.prod.yaml",
    "services/demo_api/Dockerfile", "app/main.py", "Dockerfile.prod", "developer/app.py",
    "contest/app.py", "latest/Dockerfile", "docker-compose.example.yml",
    "app/contrib/auth.py", "src/extras/k8s.yaml", ".github/workflows/ci.yml",
    "app/setup.py", "tasks.py", "skaffold.yaml", "project/blog_examples/oauth/service.py",
    "docker/rootfs/usr/local/bin/worker.py", "compose/production/django/Dockerfile",
    "presidio_analyzer/predefined_recognizers/third_party/azure_ai_language.py",
    "devops/docker/ProdDjangoDockerfile", "docker/Dockerfile.nodejs",
])
def test_ordinary_paths_have_no_role(path):
    assert path_role(path) is None


def test_a_dockerfile_whose_final_stage_is_a_test_stage_is_a_test_fixture(tmp_path):
    model, _ = _model(tmp_path, {"Dockerfile": "FROM python:3.12 AS base\nFROM base AS test\n"
                                               "CMD [\"pytest\"]\n"})
    role = model.role_of("Dockerfile")
    assert role.role == "test-fixture" and "'test'" in role.why


def test_compose_building_a_dockerfile_makes_it_deployed_whatever_its_path(tmp_path):
    model, _ = _model(tmp_path, {
        "docker-compose.yml": "services:\n  web:\n    build:\n      context: .\n"
                              "      dockerfile: docker/dev/Dockerfile\n",
        "docker/dev/Dockerfile": SERVER_DOCKERFILE,
    })
    role = model.role_of("docker/dev/Dockerfile")
    assert role.role == "deployed"
    assert "Compose service 'web'" in role.why


def test_a_compose_file_test_jobs_run_for_its_test_service_is_a_test_fixture(tmp_path):
    compose = ("services:\n  api:\n    build: .\n    ports: ['8000:8000']\n"
               "  api-test:\n    build: .\n    command: pytest\n")
    makefile = ("test-integration:\n\tdocker compose -f docker-compose.gcb.yml up -d\n"
                "\tdocker compose -f docker-compose.gcb.yml run --rm api-test\n")
    model, _ = _model(tmp_path, {"docker-compose.gcb.yml": compose, "Makefile": makefile,
                                 "Dockerfile": SERVER_DOCKERFILE})
    assert model.role_of("docker-compose.gcb.yml").role == "test-fixture"
    # a target that is not a test runs it: it may be deployed
    model, _ = _model(tmp_path / "run", {
        "docker-compose.gcb.yml": compose, "Dockerfile": SERVER_DOCKERFILE,
        "Makefile": makefile.replace("test-integration:", "start:")})
    assert model.role_of("docker-compose.gcb.yml").judged
    # the stack users start by hand, brought up by a CI test job: no test service runs
    model, _ = _model(tmp_path / "up", {
        "docker-compose.yml": compose.replace("api-test", "worker"),
        "Dockerfile": SERVER_DOCKERFILE,
        ".github/workflows/tests.yml": ("on: push\njobs:\n  tests:\n    runs-on: x\n"
                                        "    steps:\n      - run: docker compose up -d\n")})
    assert model.role_of("docker-compose.yml").judged


def test_the_compose_file_a_dev_container_starts_is_dev_tooling(tmp_path):
    compose = ("services:\n  web:\n    build: .\n    ports: ['8000:8000']\n"
               "  dev:\n    build: .\n    entrypoint: sleep infinity\n")
    model, _ = _model(tmp_path, {
        "compose.yml": compose, "Dockerfile": SERVER_DOCKERFILE,
        ".devcontainer/devcontainer.json": (
            '// the editor\'s environment\n{\n  "name": "app",\n'
            '  "dockerComposeFile": ["../compose.yml"], // relative to this file\n'
            '  "service": "dev"\n}\n')})
    role = model.role_of("compose.yml")
    assert role.role == "dev-tooling" and ".devcontainer/devcontainer.json" in role.why
    # the image it builds is not deployed by it
    assert model.role_of("Dockerfile").role != "deployed"
    model, _ = _model(tmp_path / "plain", {"compose.yml": compose,
                                           "Dockerfile": SERVER_DOCKERFILE})
    assert model.role_of("compose.yml").judged


def test_the_default_override_beside_a_deployment_file_is_the_developers_stack(tmp_path):
    base = "services:\n  web:\n    build: .\n    ports: ['8000:8000']\n"
    override = ("services:\n  web:\n    volumes: ['.:/app']\n"
                "  search:\n    image: opensearchproject/opensearch:2\n    ports: ['9200:9200']\n")
    files = {"compose.yml": base, "compose.override.yml": override,
             "Dockerfile": SERVER_DOCKERFILE}
    model, _ = _model(tmp_path / "alone", files)
    assert model.role_of("compose.override.yml").judged  # the only way the stack is run
    model, _ = _model(tmp_path / "deploy", {
        **files, "compose.production.yml": "services:\n  web:\n    restart: always\n"})
    role = model.role_of("compose.override.yml")
    assert role.role == "dev-tooling" and "compose.production.yml" in role.why
    assert model.role_of("compose.yml").judged


@pytest.mark.parametrize(("readme", "role"), [
    ("Helpdesk Demo Project\n=====================\n\nA demo Django project.\n", "example"),
    ("# Helpdesk\n\nThis project is *NOT* production ready.\n", "dev-tooling"),
    # a title that only mentions examples says nothing of the code below it
    ("# Train using supervised examples\n", None),
])
def test_the_readme_of_a_directory_speaks_for_the_code_below_it(tmp_path, readme, role):
    model, _ = _model(tmp_path, {
        "demodesk/README.rst": readme, "demodesk/config/__init__.py": "",
        "demodesk/config/settings.py": "DEBUG = True\n"})
    found = model.role_of("demodesk/config/settings.py")
    assert (found.role if found.judged is False else None) == role


def test_manifests_pulling_from_a_registry_on_localhost_are_a_local_cluster(tmp_path):
    def deployment(name: str, image: str) -> str:
        return ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: " + name + "\n"
                "spec:\n  template:\n    spec:\n      containers:\n"
                "        - name: " + name + "\n          image: " + image + "\n")
    model, _ = _model(tmp_path, {
        "k8s_conf/api.yaml": deployment("api", "localhost:5000/src-server:latest"),
        "k8s_conf/db.yaml": deployment("db", "postgres:16"),
        "deploy/api.yaml": deployment("api", "ghcr.io/acme/api:1.2")})
    role = model.role_of("k8s_conf/db.yaml")
    assert role.role == "dev-tooling" and "localhost:5000/src-server" in role.why
    assert model.role_of("deploy/api.yaml").judged


def test_an_image_never_pulled_is_loaded_into_a_local_cluster(tmp_path):
    api = ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n"
           "  template:\n    spec:\n      containers:\n        - name: api\n"
           "          image: aap-eda\n          imagePullPolicy: {policy}\n")
    redis = api.replace("name: api", "name: redis").replace("aap-eda", "redis:7").replace(
        "imagePullPolicy: {policy}", "imagePullPolicy: IfNotPresent")
    files = {"cluster/kustomization.yaml": "resources:\n- ./api\n- ./redis\n",
             "cluster/redis/deployment.yaml": redis,
             "cluster/redis/kustomization.yaml": "resources:\n- deployment.yaml\n"}
    model, _ = _model(tmp_path, {**files, "cluster/api/deployment.yaml":
                                 api.format(policy="Never")})
    role = model.role_of("cluster/redis/deployment.yaml")  # gathered with it
    assert role.role == "dev-tooling" and "never pull aap-eda" in role.why
    model, _ = _model(tmp_path / "pulled", {**files, "cluster/api/deployment.yaml":
                                            api.format(policy="Always")})
    assert model.role_of("cluster/redis/deployment.yaml").judged


def test_pod_templates_beside_a_jenkins_pipeline_are_its_agents(tmp_path):
    pod = ("apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - name: app\n"
           "      image: acme/ci:latest\n")
    model, _ = _model(tmp_path, {
        "Jenkinsfiles/Jenkinsfile.pr-checks": 'pipeline { agent { kubernetes { '
                                              'yamlFile "Jenkinsfiles/agent.yaml" } } }\n',
        "Jenkinsfiles/agent.yaml": pod, "deploy/pod.yaml": pod})
    role = model.role_of("Jenkinsfiles/agent.yaml")
    assert role.role == "dev-tooling" and "Jenkinsfile.pr-checks" in role.why
    assert model.role_of("deploy/pod.yaml").judged


@pytest.mark.parametrize(("makefile", "judged"), [
    ("build-local:\n\tdocker build \\\n\t\t-t bb-css:latest \\\n\t\t-f Dockerfile .\n", False),
    # a release target, a registry name, or a push: an image that ships
    ("build:\n\tdocker build -t bb-css:latest .\n", True),
    ("build-local:\n\tdocker build -t acme/bb-css:latest .\n", True),
    ("build-local:\n\tdocker build -t bb-css:latest .\n\tdocker push bb-css:latest\n", True),
])
def test_an_image_a_local_make_target_builds_for_this_machine_is_a_tool(tmp_path, makefile,
                                                                         judged):
    model, _ = _model(tmp_path, {"ops/bb-css/Makefile": makefile,
                                 "ops/bb-css/Dockerfile": SERVER_DOCKERFILE})
    assert model.role_of("ops/bb-css/Dockerfile").judged is judged


def test_compose_dockerfile_path_reads_the_env_file_and_defaults(tmp_path):
    model, _ = _model(tmp_path, {
        "docker-compose.yml": "services:\n  web:\n    build:\n      context: ${CTX:-.}\n"
                              "      dockerfile: ${DOCKERFILE}\n",
        ".env": "# build settings\nDOCKERFILE=\"examples/Dockerfile.web\"\n",
        "examples/Dockerfile.web": SERVER_DOCKERFILE,
    })
    assert model.role_of("examples/Dockerfile.web").role == "deployed"


def test_an_example_compose_file_does_not_make_what_it_builds_deployed(tmp_path):
    model, _ = _model(tmp_path, {
        "examples/docker-compose.yml": "services:\n  web:\n    build: ../app\n",
        "app/Dockerfile": SERVER_DOCKERFILE,
    })
    assert model.role_of("app/Dockerfile").role == ""
    assert model.role_of("examples/docker-compose.yml").role == "example"


def test_ci_build_push_action_and_docker_build_make_dockerfiles_deployed(tmp_path):
    workflow = """\
on: push
jobs:
  image:
    runs-on: ubuntu-latest
    steps:
      - uses: docker/build-push-action@v6
        with:
          context: .
          file: dev/Dockerfile.api
          push: true
          tags: ghcr.io/acme/api:latest
      - run: docker build -t acme/worker -f docs/Dockerfile.worker .
"""
    model, _ = _model(tmp_path, {
        ".github/workflows/release.yml": workflow,
        "dev/Dockerfile.api": SERVER_DOCKERFILE,
        "docs/Dockerfile.worker": SERVER_DOCKERFILE,
    })
    api, worker = model.role_of("dev/Dockerfile.api"), model.role_of("docs/Dockerfile.worker")
    assert api.role == "deployed" and "build-push-action" in api.why
    assert worker.role == "deployed" and "docker build" in worker.why
    assert {"acme/api", "acme/worker"} <= model.built_images


def test_a_test_image_ci_publishes_under_a_test_name_stays_a_test_image(tmp_path):
    workflow = """\
on: push
jobs:
  image:
    runs-on: ubuntu-latest
    steps:
      - uses: docker/build-push-action@v6
        with:
          file: deploy/Dockerfile-web-unit-test
          push: true
          tags: acme/web-unit-tests:latest
      - uses: docker/build-push-action@v6
        with:
          file: deploy/Dockerfile-test
          push: true
          tags: acme/web:latest
"""
    model, _ = _model(tmp_path, {
        ".github/workflows/build.yml": workflow,
        "deploy/Dockerfile-web-unit-test": SERVER_DOCKERFILE,
        "deploy/Dockerfile-test": SERVER_DOCKERFILE,
    })
    assert model.role_of("deploy/Dockerfile-web-unit-test").role == "test-fixture"
    # published under the service's own name: what CI ships, whatever the file is called
    assert model.role_of("deploy/Dockerfile-test").role == "deployed"


def test_a_test_workflow_does_not_make_its_images_deployed(tmp_path):
    model, _ = _model(tmp_path, {
        ".github/workflows/tests.yml": "jobs:\n  t:\n    steps:\n"
                                       "      - run: docker build -f e2e/Dockerfile .\n",
        "e2e/Dockerfile": SERVER_DOCKERFILE,
    })
    assert model.role_of("e2e/Dockerfile").role == "test-fixture"


@pytest.mark.parametrize(("workflow", "role"), [
    ("tests.yml", ""), ("tests-and-publish.yml", "deployed"),  # "": unclassified
    (".test-and-release.yml", "deployed")])
def test_a_workflow_named_for_tests_that_also_publishes_deploys(tmp_path, workflow, role):
    model, _ = _model(tmp_path, {
        f".github/workflows/{workflow}": "jobs:\n  t:\n    steps:\n"
                                         "      - run: docker build -t acme/app .\n",
        "Dockerfile": SERVER_DOCKERFILE,
    })
    assert model.role_of("Dockerfile").role == role


def test_a_test_image_a_publishing_test_workflow_pushes_stays_a_test_image(tmp_path):
    model, _ = _model(tmp_path, {
        ".github/workflows/build_and_push_performance_test.yml":
            "jobs:\n  t:\n    steps:\n"
            "      - run: docker build -t acme/perf -f tests_perf/Dockerfile .\n",
        "tests_perf/Dockerfile": SERVER_DOCKERFILE,
    })
    assert model.role_of("tests_perf/Dockerfile").role == "test-fixture"


def test_makefile_docker_build_makes_a_dockerfile_deployed(tmp_path):
    model, _ = _model(tmp_path, {
        "Makefile": "image:\n\tdocker build \\\n\t  -f hack/Dockerfile.release -t acme/x .\n",
        "hack/Dockerfile.release": SERVER_DOCKERFILE,
    })
    role = model.role_of("hack/Dockerfile.release")
    assert role.role == "deployed" and "Makefile" in role.why


@pytest.mark.parametrize(("dockerfile", "builder", "role"), [
    ("docker/dev.dockerfile", "Makefile", "dev-tooling"),  # the developer's own image
    ("docker/build_whl.dockerfile", "Makefile", "dev-tooling"),  # builds a wheel
    ("docker/Dockerfile-deb", "Makefile", "dev-tooling"),  # builds the .deb package
    ("docker/server.dockerfile", "Makefile", "deployed"),
    ("docker/dev.dockerfile", ".github/workflows/publish.yml", "deployed"),  # CI publishes it
])
def test_a_dockerfile_only_make_builds_keeps_the_role_its_name_gives(
        tmp_path, dockerfile, builder, role):
    command = f"docker build -f {dockerfile} -t acme/x ."
    recipe = (f"image:\n\t{command}\n" if builder == "Makefile" else
              f"on: push\njobs:\n  publish:\n    runs-on: ubuntu-latest\n    steps:\n"
              f"      - run: {command} && docker push acme/x\n")
    model, _ = _model(tmp_path, {builder: recipe, dockerfile: SERVER_DOCKERFILE})
    assert model.role_of(dockerfile).role == role


def test_kustomize_resources_are_deployed_and_patches_are_patches(tmp_path):
    model, _ = _model(tmp_path, {
        "config/base/kustomization.yaml": "resources:\n  - deployment.yaml\n",
        "config/base/deployment.yaml": DEPLOYMENT,
        "config/prod/kustomization.yaml": "resources:\n  - ../base\n"
                                          "patches:\n  - path: replicas.yaml\n",
        "config/prod/replicas.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n"
                                     "  name: api\nspec:\n  replicas: 1\n",
        "config/test-e2e/kustomization.yaml": "resources:\n  - ../base\n"
                                              "patches:\n  - path: image.yaml\n",
        "config/test-e2e/image.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n"
                                      "  name: api\n",
    })
    assert model.role_of("config/base/deployment.yaml").role == "deployed"
    assert "config/base/kustomization.yaml" in model.role_of("config/base/deployment.yaml").why
    patch = model.role_of("config/prod/replicas.yaml")
    assert patch.role == "kustomize-patch" and "config/prod/kustomization.yaml" in patch.why
    assert model.role_of("config/test-e2e/image.yaml").role == "test-fixture"


def test_skaffold_builds_and_applies(tmp_path):
    model, _ = _model(tmp_path, {
        "skaffold.yaml": "apiVersion: skaffold/v4beta6\nkind: Config\nbuild:\n  artifacts:\n"
                         "    - image: acme/api\n      context: dev\n"
                         "manifests:\n  rawYaml:\n    - examples/k8s/*.yaml\n",
        "dev/Dockerfile": SERVER_DOCKERFILE,
        "examples/k8s/api.yaml": DEPLOYMENT,
    })
    assert model.role_of("dev/Dockerfile").role == "deployed"
    assert model.role_of("examples/k8s/api.yaml").role == "deployed"
    assert "acme/api" in model.built_images


def test_what_only_a_test_skaffold_config_builds_does_not_ship(tmp_path):
    model, _ = _model(tmp_path, {
        "skaffold-e2e.yaml": "apiVersion: skaffold/v4beta6\nkind: Config\nbuild:\n"
                             "  artifacts:\n    - image: ui-tests\n"
                             "      context: .github/workflows/ui-tests\n",
        ".github/workflows/ui-tests/Dockerfile": "FROM cypress/included:13\n",
        "skaffold.yaml": "apiVersion: skaffold/v4beta6\nkind: Config\nbuild:\n"
                         "  artifacts:\n    - image: acme/api\n      context: api\n",
        "api/Dockerfile": SERVER_DOCKERFILE,
    })
    assert model.role_of(".github/workflows/ui-tests/Dockerfile").role in (
        "test-fixture", "dev-tooling")
    assert model.role_of("api/Dockerfile").role == "deployed"


def test_an_addon_directory_ships_what_the_deployment_links(tmp_path):
    model, _ = _model(tmp_path, {
        "skaffold.yaml": "apiVersion: skaffold/v4beta6\nkind: Config\n"
                         "manifests:\n  rawYaml:\n    - extras/k8s/api.yaml\n",
        "extras/k8s/api.yaml": DEPLOYMENT,
        "extras/cloudsql/api.yaml": DEPLOYMENT,
    })
    assert model.role_of("extras/k8s/api.yaml").role == "deployed"
    unused = model.role_of("extras/cloudsql/api.yaml")
    assert unused.role == "example" and "extras/" in unused.why


RELEASE_SCRIPT = "import requests\n\nrequests.get('https://api.github.com/repos/acme/app')\n"


def test_a_top_level_directory_of_maintainer_scripts_is_tooling(tmp_path):
    model, result = _model(tmp_path, {
        "tools/release.py": RELEASE_SCRIPT, "bin/pingdom_ips.py": RELEASE_SCRIPT,
        "qa/utils/api.py": RELEASE_SCRIPT, "build_tools/install_cexts.py": RELEASE_SCRIPT,
        "tools/migrate/Dockerfile": "FROM python:3.12-slim\nCMD [\"python\", \"m.py\"]\n",
        # a package the code imports, and a tools package inside the code, ship
        "utils/__init__.py": "", "utils/net.py": RELEASE_SCRIPT,
        "app/__init__.py": "", "app/main.py": "from utils.net import fetch\n",
        "app/tools/search.py": RELEASE_SCRIPT,
        # a package only its own modules import is tooling all the same
        "bin/__init__.py": "", "bin/pin.py": "from bin.common import x\n" + RELEASE_SCRIPT})
    for path in ("tools/release.py", "bin/pingdom_ips.py", "tools/migrate/Dockerfile",
                 "bin/pin.py", "qa/utils/api.py", "build_tools/install_cexts.py"):
        assert model.role_of(path).role == "dev-tooling", path
    assert "maintainers' tooling" in model.role_of("tools/release.py").why
    assert model.role_of("utils/net.py").judged and model.role_of("app/tools/search.py").judged
    assert {f.path for f in result.findings if f.rule_id == "PY006"} == {
        "utils/net.py", "app/tools/search.py"}


def test_an_in_tree_build_backend_is_tooling(tmp_path):
    model, _ = _model(tmp_path, {
        "pyproject.toml": '[build-system]\nrequires = []\nbuild-backend = "backend"\n'
                          'backend-path = ["_build"]\n',
        "_build/backend.py": RELEASE_SCRIPT, "_build2/backend.py": RELEASE_SCRIPT})
    assert model.role_of("_build/backend.py").role == "dev-tooling"
    assert model.role_of("_build2/backend.py").judged


def test_a_tool_directory_ships_what_a_deployment_builds(tmp_path):
    model, _ = _model(tmp_path, {
        "tools/proxy/Dockerfile": "FROM nginx:1.27\n",
        "docker-compose.yml": "services:\n  proxy:\n    build: tools/proxy\n"})
    assert model.role_of("tools/proxy/Dockerfile").role == "deployed"


SKAFFOLD_PROFILES = """\
apiVersion: skaffold/v4beta6
kind: Config
build:
  artifacts:
    - image: acme/api
profiles:
  - name: development
    manifests:
      kustomize:
        paths: [k8s/overlays/inner-loop]
  - name: e2e-tests
    build:
      artifacts:
        - image: acme/api-tests
          docker: {dockerfile: Dockerfile.suite}
  - name: tilt
    activation:
      - command: dev
    manifests:
      rawYaml: [k8s/sandbox.yaml]
  - name: production
    manifests:
      kustomize:
        paths: [k8s/overlays/prod]
"""


def test_skaffold_profiles_for_development_and_tests_do_not_deploy(tmp_path):
    model, _ = _model(tmp_path, {
        "skaffold.yaml": SKAFFOLD_PROFILES,
        "Dockerfile": SERVER_DOCKERFILE,
        "Dockerfile.suite": SERVER_DOCKERFILE,
        "k8s/base/kustomization.yaml": "resources:\n  - api.yaml\n",
        "k8s/base/api.yaml": DEPLOYMENT,
        "k8s/overlays/inner-loop/kustomization.yaml": "resources:\n  - ../../base\n"
                                                 "  - debug.yaml\n",
        "k8s/overlays/inner-loop/debug.yaml": DEPLOYMENT.replace("name: api", "name: debug"),
        "k8s/overlays/prod/kustomization.yaml": "resources:\n  - ../../base\n",
        "k8s/sandbox.yaml": DEPLOYMENT.replace("name: api", "name: sandbox"),
    })
    dev = model.role_of("k8s/overlays/inner-loop/kustomization.yaml")
    assert dev.role == "dev-tooling" and "'development' profile" in dev.why
    # what only the development overlay applies does not ship through it
    assert model.role_of("k8s/overlays/inner-loop/debug.yaml").role == ""
    assert "applied by" not in model.role_of("k8s/overlays/inner-loop/debug.yaml").why
    assert model.role_of("Dockerfile.suite").role == "test-fixture"
    assert model.role_of("k8s/sandbox.yaml").role == "dev-tooling"
    assert model.role_of("k8s/overlays/prod/kustomization.yaml").role == "deployed"
    assert model.role_of("k8s/base/api.yaml").role == "deployed"
    assert model.role_of("Dockerfile").role == "deployed"
    assert "acme/api-tests" not in model.built_images


def test_images_published_under_a_run_time_name_are_the_projects_own(tmp_path):
    workflow = """\
on: push
jobs:
  image:
    runs-on: ubuntu-latest
    steps:
      - uses: docker/metadata-action@v5
        id: meta
        with:
          images: ghcr.io/${{ github.repository }}
      - uses: docker/build-push-action@v6
        with:
          file: docker/app.Dockerfile
          tags: ${{ steps.meta.outputs.tags }}
      - uses: docker/metadata-action@v5
        id: worker
        with:
          images: ghcr.io/acme/worker
      - uses: docker/build-push-action@v6
        with:
          file: docker/worker.Dockerfile
          tags: ${{ steps.worker.outputs.tags }}
"""
    model, _ = _model(tmp_path, {
        ".github/workflows/release.yml": workflow,
        "pyproject.toml": "[project]\nname = \"Shop_Front\"\nversion = \"1\"\n",
        "docker/app.Dockerfile": SERVER_DOCKERFILE,
        "docker/worker.Dockerfile": SERVER_DOCKERFILE,
    })
    found = model.dockerfile_of_image("acme/shop-front")
    assert found is not None and found[0] == "docker/app.Dockerfile"
    assert "named after the project" in found[1]
    assert model.dockerfile_of_image("acme/other") is None
    assert model.image_dockerfiles["acme/worker"] == "docker/worker.Dockerfile"


STACK = "services:\n  node:\n    image: acme/node:1\n"
TEST_JOB = """\
  regtest:
    runs-on: ubuntu-latest
    steps:
      - run: docker compose -f docker/regtest/stack.yml up -d
      - run: uv run pytest tests/regtest
"""
DEPLOY_JOB = """\
  ship:
    runs-on: ubuntu-latest
    steps:
      - run: ssh prod 'cd /srv && git pull'
"""


def test_a_compose_file_only_ci_test_jobs_run_is_a_test_fixture(tmp_path):
    model, _ = _model(tmp_path, {
        ".github/workflows/checks.yml": f"on: push\njobs:\n{TEST_JOB}{DEPLOY_JOB}",
        "docker/regtest/stack.yml": STACK,
    })
    role = model.role_of("docker/regtest/stack.yml")
    assert role.role == "test-fixture" and "'regtest' of .github/workflows/checks.yml" in role.why


@pytest.mark.parametrize("files", [
    {".github/workflows/checks.yml": "on: push\njobs:\n"
                                     + TEST_JOB.replace("uv run pytest", "ssh prod")},
    {".github/workflows/checks.yml": f"on: push\njobs:\n{TEST_JOB}",
     "Makefile": "up:\n\tdocker compose -f docker/regtest/stack.yml up -d\n"},
    {".github/workflows/checks.yml": "on: push\njobs:\n"
                                     + TEST_JOB.replace("uv run pytest tests/regtest", "true")},
])
def test_a_compose_file_run_outside_ci_tests_is_deployed(tmp_path, files):
    model, _ = _model(tmp_path, {**files, "docker/regtest/stack.yml": STACK})
    role = model.role_of("docker/regtest/stack.yml")
    assert role.role == "deployed" and "compose -f" in role.why


EXAMPLE_TREE = {
    "Dockerfile": SERVER_DOCKERFILE,
    "examples/Dockerfile": SERVER_DOCKERFILE,
    "examples/app/main.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
}


def test_findings_outside_what_ships_are_skipped_and_counted(tmp_path):
    _, result = _model(tmp_path, EXAMPLE_TREE, select=["DOCKER", "APP"])
    paths = {f.path for f in result.findings}
    assert "Dockerfile" in paths
    assert not any(p.startswith("examples/") for p in paths)
    assert result.stats.skipped_roles.get("example", 0) >= 2


def test_include_brings_them_back_outside_the_score(tmp_path):
    _, result = _model(tmp_path, EXAMPLE_TREE, select=["DOCKER", "APP"], include=["examples"])
    shown = [f for f in result.findings if f.path.startswith("examples/")]
    assert shown and all(f.suppressed for f in shown)
    assert all("example" in (f.suppression_reason or "") for f in shown)
    assert not result.stats.skipped_roles


def test_unknown_include_name_is_a_config_error():
    with pytest.raises(ValueError):
        Config.model_validate({"include": ["samples"]})


def test_json_and_text_reports_count_skipped_roles(tmp_path):
    write_tree(tmp_path, EXAMPLE_TREE)
    runner = CliRunner()
    data = json.loads(runner.invoke(app, ["scan", str(tmp_path), "--format", "json",
                                          "--no-cache", "--select", "DOCKER"]).output)
    assert data["stats"]["skipped_roles"]["example"] >= 1
    text = runner.invoke(app, ["scan", str(tmp_path), "--no-cache", "--select", "DOCKER"]).output
    assert "Not judged" in text and "example" in text
    included = json.loads(runner.invoke(app, [
        "scan", str(tmp_path), "--format", "json", "--no-cache", "--select", "DOCKER",
        "--include", "examples"]).output)
    assert any(f["path"].startswith("examples/") for f in included["findings"])


def test_services_command_shows_roles_exposure_and_why(tmp_path):
    write_tree(tmp_path, {
        "app/main.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
        "Dockerfile": "FROM python:3.12-slim\nCOPY app /srv/app\n"
                      "CMD [\"uvicorn\", \"app.main:app\"]\n",
        "docker-compose.yml": "services:\n  api:\n    build: .\n",
        "examples/Dockerfile": SERVER_DOCKERFILE,
    })
    runner = CliRunner()
    data = json.loads(runner.invoke(app, ["services", str(tmp_path), "-f", "json"]).output)
    assert data[0]["exposure"]["level"] == "internal"
    docker = next(r for r in data[0]["runners"] if r["source"] == "dockerfile")
    assert docker["role"]["role"] == "deployed" and "'api'" in docker["role"]["why"]
    roles = {e["path"]: e for e in json.loads(runner.invoke(
        app, ["services", str(tmp_path), "-f", "json", "--artifacts"]).output)}
    assert roles["examples/Dockerfile"]["role"] == "example"
    assert roles["examples/Dockerfile"]["why"] == "under examples/"
    text = runner.invoke(app, ["services", str(tmp_path)], terminal_width=200).output
    assert "exposure: internal" in text
    assert "examples/Dockerfile — under examples/" in text


# ----------------------------------------------------------------- files the scan used to miss


def test_json_kubernetes_manifests_are_judged(tmp_path):
    manifest = json.dumps({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
                           "spec": {"containers": [{"name": "c", "image": "nginx:latest"}]}},
                          indent="\t")
    write_tree(tmp_path, {"deploy/pod.json": manifest, "package.json": '{"name": "x"}'})
    result = scan(tmp_path, Config.model_validate({"select": ["K8S"]}), jobs=1, use_cache=False)
    assert any(f.path == "deploy/pod.json" for f in result.findings)
    assert result.stats.files.get("kubernetes") == 1
    assert not [d for d in result.diagnostics if d.kind == "PARSE"]


@pytest.mark.parametrize("kind", ["ReplicationController", "DeploymentConfig"])
def test_replication_controllers_and_deployment_configs_are_workloads(tmp_path, kind):
    api = "apps.openshift.io/v1" if kind == "DeploymentConfig" else "v1"
    write_tree(tmp_path, {"k8s/app.yaml": f"apiVersion: {api}\nkind: {kind}\nmetadata:\n"
                                           "  name: web\nspec:\n  template:\n    spec:\n"
                                           "      containers:\n        - name: web\n"
                                           "          image: acme/web:1.0\n"
                                           "          ports: [{containerPort: 8000}]\n"})
    result = scan(tmp_path, Config.model_validate({"select": ["K8S001", "K8S003"]}), jobs=1,
                  use_cache=False)
    assert {f.rule_id for f in result.findings} == {"K8S001", "K8S003"}


def test_docker_stack_files_and_compose_files_named_by_make_are_compose(tmp_path):
    service = "services:\n  web:\n    image: acme/web:latest\n"
    write_tree(tmp_path, {
        "docker-stack.yml": service,
        "deploy/production.yml": service,
        "Makefile": "deploy:\n\tdocker compose -f deploy/production.yml up -d\n",
    })
    result = scan(tmp_path, Config.model_validate({"select": ["COMPOSE"]}), jobs=1,
                  use_cache=False)
    paths = {f.path for f in result.findings}
    assert {"docker-stack.yml", "deploy/production.yml"} <= paths
    model = deployment_of(result.project)
    assert model.role_of("deploy/production.yml").role == "deployed"


def test_invalid_yaml_with_template_markers_is_a_parse_error_not_a_template(tmp_path):
    write_tree(tmp_path, {"deploy/app.yaml": "name: {{ name }}\nitems: [1, 2\n"})
    result = scan(tmp_path, Config(), jobs=1, use_cache=False)
    assert [d.kind for d in result.diagnostics] == ["PARSE"]
    assert "helm" not in result.stats.skipped


def test_a_patch_is_judged_only_for_what_it_writes(tmp_path):
    _, result = _model(tmp_path, {
        "base/kustomization.yaml": "resources:\n  - deployment.yaml\n",
        "base/deployment.yaml": DEPLOYMENT,
        "prod/kustomization.yaml": "resources:\n  - ../base\n"
                                   "patchesStrategicMerge:\n  - image.yaml\n",
        "prod/image.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n"
                           "spec:\n  template:\n    spec:\n      containers:\n"
                           "        - name: api\n          image: team/api:latest\n",
    }, select=["K8S001", "K8S011"])
    on_patch = {f.rule_id for f in result.findings if f.path == "prod/image.yaml"}
    assert on_patch == {"K8S011"}  # the tag it writes; the missing resources live in the base
    assert {f.rule_id for f in result.findings if f.path == "base/deployment.yaml"} == {"K8S001"}
    assert result.stats.skipped_roles == {"kustomize-patch": 1}


def test_kustomize_fixture_judges_base_once_and_skips_examples_and_patch_gaps():
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "fixtures" / "repos" / "kustomize-overlays"
    result = scan(root, Config(), jobs=1, use_cache=False)
    skipped = result.stats.skipped_roles
    assert skipped.get("example", 0) > 0 and skipped.get("kustomize-patch", 0) > 0
    model = deployment_of(result.project)
    assert model.role_of("deploy/base/deployment.yaml").role == "deployed"
    assert model.role_of("deploy/overlays/staging/replicas.yaml").role == "kustomize-patch"


@pytest.mark.parametrize(("overlay", "judged_on_base"), [
    ("prod", set()),  # the shipping overlay sets resources and three replicas
    ("dev", {"K8S001", "K8S017"}),  # a dev overlay says nothing about what ships
])
def test_an_overlay_that_sets_what_a_rule_reads_decides_for_the_base(
        tmp_path, overlay, judged_on_base):
    _, result = _model(tmp_path, {
        "base/kustomization.yaml": "resources:\n  - deployment.yaml\n",
        "base/deployment.yaml": DEPLOYMENT,
        f"overlays/{overlay}/kustomization.yaml": "resources:\n  - ../../base\n"
                                                  "patches:\n  - path: sizing.yaml\n"
                                                  "  - path: replicas.yaml\n"
                                                  "    target: {kind: Deployment, name: api}\n",
        f"overlays/{overlay}/sizing.yaml": (
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n"
            "  template:\n    spec:\n      containers:\n        - name: api\n"
            "          resources:\n            requests: {cpu: 100m, memory: 128Mi}\n"),
        f"overlays/{overlay}/replicas.yaml": "- op: add\n  path: /spec/replicas\n  value: 3\n",
    }, select=["K8S001", "K8S017"])
    assert {f.rule_id for f in result.findings if f.path == "base/deployment.yaml"} == (
        judged_on_base)
    if not judged_on_base:
        assert result.stats.skipped_roles.get("set-by-overlay") == 2



def test_an_overlay_decides_only_for_the_files_it_applies(tmp_path):
    _, result = _model(tmp_path, {
        "base/kustomization.yaml": "resources:\n  - deployment.yaml\n",
        "base/deployment.yaml": DEPLOYMENT,
        "install/bundle.yaml": DEPLOYMENT,  # same object name, rendered elsewhere
        "prod/kustomization.yaml": "resources:\n  - ../base\npatches:\n  - path: r.yaml\n",
        "prod/r.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n"
                       "spec:\n  template:\n    spec:\n      containers:\n"
                       "        - name: api\n          resources: {requests: {cpu: 1}}\n",
    }, select=["K8S001"])
    assert {f.path for f in result.findings} == {"install/bundle.yaml"}


def test_code_beside_a_deployed_dockerfile_in_an_example_directory_ships(tmp_path):
    model, result = _model(tmp_path, {
        "docker-compose.yml": "services:\n  api:\n    build: examples/api\n"
                              "    ports: [\"8000:8000\"]\n",
        "examples/api/Dockerfile": SERVER_DOCKERFILE,
        "examples/api/app.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
        "examples/other/app.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
    }, select=["APP004"])
    role = model.role_of("examples/api/app.py")
    assert role.role == "deployed" and "examples/api/Dockerfile" in role.why
    assert model.role_of("examples/other/app.py").role == "example"
    assert {f.path for f in result.findings} == {"examples/api/app.py"}


def test_only_services_that_ship_get_a_score_of_their_own(tmp_path):
    from prodready.scoring import service_scores

    app_code = "from fastapi import FastAPI\n\napp = FastAPI()\n"
    _, result = _model(tmp_path, {"api/main.py": app_code, "api/Dockerfile": SERVER_DOCKERFILE,
                                  "examples/quickstart/main.py": app_code})
    assert [s.path for s in service_scores(result)] == ["api/main.py"]


@pytest.mark.parametrize("path,role", [
    ("install/v0.6.0/kserve.yaml", "generated"),
    ("install/v0.10.0-rc1/kserve.yaml", "generated"),
    ("images/3.12/Dockerfile", None),  # a language version, not a release
    ("loadtest/k8s/locust.yaml", "dev-tooling"),
    ("profiling/docker-compose.yml", "dev-tooling"),
    ("packages/app-benchmark/docker-compose.pgdog.yml", "dev-tooling"),
    ("deploy/docker-compose.loadtest.yml", "dev-tooling"),
    ("api_loadtests/Dockerfile", "dev-tooling"),
    ("deploy/benchmarking/compose.yaml", None),  # not the word itself
    ("src/benchmark_results.py", None),  # code: a word of a file name does not say
    ("locustfile.py", "dev-tooling"),  # Locust's load test, wherever it sits
    ("tests/perf/locustfile_api.py", "dev-tooling"),
    ("app/locust_stats.py", None),
])
def test_release_snapshots_and_load_tests_do_not_ship(path, role):
    found = path_role(path)
    assert (found.role if found else None) == role


def test_a_file_whose_header_says_generated_is_judged_at_its_source(tmp_path):
    header = "# THIS FILE IS GENERATED - DO NOT EDIT\n# edit docker-compose.template.yml\n"
    model, result = _model(tmp_path, {
        "deploy/docker-compose.prod.yml": header + "services:\n  api:\n    image: team/api:1\n",
        "deploy/docker-compose.yml": "services:\n  api:\n    image: team/api:1\n"})
    assert model.role_of("deploy/docker-compose.prod.yml").role == "generated"
    assert model.role_of("deploy/docker-compose.yml").judged
    assert {f.path for f in result.findings if f.rule_id.startswith("COMPOSE")} == {
        "deploy/docker-compose.yml"}


COMPOSE_BODY = "services:\n  api:\n    image: team/api:1.0\n    ports: ['8000:8000']\n"


@pytest.mark.parametrize(("header", "role"), [
    ("# An example docker-compose file for sending metrics to statsd.\n", "example"),
    ("# This compose file is fully functional to evaluate the app\n# in your local "
     "environment.\n# It is not intended for production use without customizing it.\n",
     "dev-tooling"),
    ("# For development purposes only.\n", "dev-tooling"),
    ("# Do not use this in production!\n", "dev-tooling"),
    ("# We do not offer support on this file.\n# DO NOT USE DOCKER-COMPOSE SETUP FOR "
     "PRODUCTION OR CUSTOM INSTALLATION.\n", "dev-tooling"),
    ("# Local stack, not for production.\n", "dev-tooling"),
    ("# This file is designed to run a development environment,\n# with the source mounted\n",
     "dev-tooling"),
    ("# This file is used to test the setup utility\n# Deployment files are elsewhere\n",
     "dev-tooling"),
    ("# This file is intended solely for local development of the app\n", "dev-tooling"),
    ("# docker-compose for Pontoon development.\n#\n# Note: Requires docker-compose 1.27+.\n",
     "dev-tooling"),    ("# Queue integration and development playground\n", "dev-tooling"),
    ("#\n# A simple pod with busybox. Used for debugging.\n#\n", "dev-tooling"),
    ("## Near-production config: makes changes testable locally; it should\n"
     "## run on a typical development machine.\n", "dev-tooling"),
    ("# This image is for development/model-training (e.g. sweeps) and will not be deployed "
     "on production machines.\n", "dev-tooling"),
])
def test_a_files_opening_comment_can_say_it_does_not_ship(tmp_path, header, role):
    model, result = _model(tmp_path, {"docker-compose.yml": header + COMPOSE_BODY})
    assert model.role_of("docker-compose.yml").role == role
    assert not [f for f in result.findings if f.path == "docker-compose.yml"]


@pytest.mark.parametrize("header", [
    "# Production stack. For local development use docker-compose.dev.yml.\n",
    "# Built for development and production alike\n",
    "# Compose setup for development and production\n",
    "# Example: docker compose up -d\n",
    "# This image is used for testing and production alike\n",
    "# Production stack: do not use the default passwords in production\n",
    "# Runs the code sandbox service for user submissions\n",
    "services:\n  # not intended for production: this comment is inside the file\n",
    # offered for production first, as an example to copy from second
    "---\n# This file defines a viable production setup for the app.\n# It can be used in "
    "production directly, or used as an example to help define\n# your own infrastructure.\n",
])
def test_other_opening_comments_say_nothing(tmp_path, header):
    body = COMPOSE_BODY if not header.startswith("services:") else COMPOSE_BODY.replace(
        "services:\n", "")
    model, _ = _model(tmp_path, {"docker-compose.yml": header + body})
    assert model.role_of("docker-compose.yml").role == ""


def test_a_comment_under_the_version_line_opens_the_file(tmp_path):
    header = 'version: "3"\n# Never use this in a production environment.\n'
    model, _ = _model(tmp_path, {"docker-compose.yml": header + COMPOSE_BODY})
    assert model.role_of("docker-compose.yml").role == "dev-tooling"


def test_a_comment_under_services_that_names_the_file_opens_it(tmp_path):
    header = ("services:\n  # A dev / testing / example compose file for testing the image\n"
              "  # without the platform\n")
    body = COMPOSE_BODY.replace("services:\n", "")
    model, _ = _model(tmp_path, {"docker-compose.yml": header + body})
    assert model.role_of("docker-compose.yml").role == "example"


DJANGO_WORKBENCH = {
    "workbench/__init__.py": "",
    "workbench/__main__.py": "from django.core.management import execute_from_command_line\n"
                             "execute_from_command_line()\n",
    "workbench/settings.py": "INSTALLED_APPS = []\nROOT_URLCONF = 'workbench.urls'\n"
                             "DEBUG = True\n",
    "workbench/urls.py": "from django.urls import path\nurlpatterns = [path('shop/', shop)]\n",
    "workbench/wsgi.py": "from django.core.wsgi import get_wsgi_application\n"
                         "application = get_wsgi_application()\n",
}


@pytest.mark.parametrize("comment", [
    "# This image is NOT made for production use.\n",
    "# Development image: not intended for production\n",
])
def test_a_comment_under_a_dockerfiles_base_image_opens_it(tmp_path, comment):
    dockerfile = ("FROM python:3.12-slim AS base\n" + comment + "COPY . /app\n"
                  'CMD ["python3", "-m", "workbench", "runserver", "0.0.0.0:8000"]\n')
    model, result = _model(tmp_path, {**DJANGO_WORKBENCH, "docker/Dockerfile": dockerfile})
    assert model.role_of("docker/Dockerfile").role == "dev-tooling"
    # the app only that image starts (`python -m workbench`) is not what ships either, nor
    # are its project's settings
    assert not [f for f in result.findings if f.path.startswith("workbench/")]
    assert result.stats.skipped_roles.get("dev-tooling", 0) >= 2


def test_an_app_a_deployed_image_also_runs_is_judged(tmp_path):
    dockerfile = ("FROM python:3.12-slim\nCOPY . /app\n"
                  'CMD ["python3", "-m", "workbench", "runserver", "0.0.0.0:8000"]\n')
    _, result = _model(tmp_path, {**DJANGO_WORKBENCH, "Dockerfile": dockerfile})
    assert "APP001" in {f.rule_id for f in result.findings if f.path == "workbench/wsgi.py"}
    assert "PY009" in {f.rule_id for f in result.findings if f.path == "workbench/settings.py"}
    # and an app nothing runs at all keeps being judged: nothing says it does not ship
    _, result = _model(tmp_path / "bare", DJANGO_WORKBENCH)
    assert "APP001" in {f.rule_id for f in result.findings if f.path == "workbench/wsgi.py"}


def test_what_deploys_it_outweighs_its_opening_comment(tmp_path):
    model, _ = _model(tmp_path, {
        "docker-compose.yml": "# For testing purposes only.\n" + COMPOSE_BODY,
        ".github/workflows/deploy.yml": "on: push\njobs:\n  deploy:\n    runs-on: x\n"
                                        "    steps:\n      - run: docker compose -f "
                                        "docker-compose.yml up -d\n"})
    assert model.role_of("docker-compose.yml").role == "deployed"


DEV_STACK = """\
services:
  web:
    build: .
    command: python manage.py runserver 0.0.0.0:8000
    volumes:
      - .:/code
    ports: ['8000:8000']
  db:
    image: postgres:16
"""


DEBUG_STACK = DEV_STACK.replace("python manage.py runserver 0.0.0.0:8000", "gunicorn app:app")\
    .replace("    ports:", "    environment:\n      DEBUG: 'True'\n    ports:")


@pytest.mark.parametrize("compose", [
    DEV_STACK,
    DEBUG_STACK,
    "services:\n  api:\n    build: {context: ./api, target: development}\n"
    "    volumes: ['./api:/srv']\n",
    "services:\n  api:\n    build: .\n    volumes:\n      - type: bind\n        source: .\n"
    "        target: /app\n    command: uvicorn app:app --reload\n",
    # the checkout mounted from ${PWD}, with the development settings module
    "services:\n  api:\n    build: .\n    environment:\n"
    "      - DJANGO_SETTINGS_MODULE=alerts.site.settings.dockerdev\n"
    "    volumes:\n      - ${PWD}:/alerts\n",
    # the source directory mounted as the working directory
    "services:\n  application:\n    build: .\n    volumes: ['./tock:/tock']\n"
    "    working_dir: /tock\n    command: python manage.py runserver 0.0.0.0:8000\n",
    # the test suite run on the checkout
    "services:\n  test:\n    build: .\n    volumes: ['.:/app']\n    command: make test\n"
    "  postgres:\n    image: postgres\n",
    # a devstack start script, and a debug toolbar switched on
    "services:\n  api:\n    image: acme/api:latest\n    volumes: ['.:/edx/app/api']\n"
    "    command: /edx/app/api/devstack.sh start\n",
    "services:\n  api:\n    image: acme/api:latest\n    volumes: ['.:/srv/api']\n"
    "    environment:\n      ENABLE_DJANGO_TOOLBAR: 1\n",
    # the environment file of the local setup, and a notebook server on the checkout
    "services:\n  web:\n    image: local/app\n    env_file:\n      - docker/config/local_dev.env\n"
    "      - my.env\n    volumes: ['.:/app']\n    command: ['web']\n",
    "services:\n  notebook:\n    build: .\n    volumes: ['.:/src']\n"
    "    command: jupyter notebook --no-browser --ip=0.0.0.0\n",
    # a source directory mounted where the command runs its code from
    "services:\n  web:\n    image: web:dev\n    volumes: ['./web:/web']\n"
    "    command: python /web/manage.py runserver 0:7001\n",
    # the checkout mounted beside a database that takes any connection without a password
    "services:\n  web:\n    build: .\n    volumes: ['.:/app']\n  postgres:\n"
    "    image: postgres:17\n    environment:\n      POSTGRES_HOST_AUTH_METHOD: trust\n",
    "services:\n  web:\n    build: .\n    volumes: ['.:/app']\n  db:\n    image: mysql:8\n"
    "    environment: ['MYSQL_ALLOW_EMPTY_PASSWORD=yes']\n",
    # a stand-in for a hosted service: a mail catcher, a cloud emulator
    "services:\n  web:\n    build: .\n    ports: ['8000:8000']\n  maildev:\n"
    "    image: maildev/maildev:latest\n",
    "services:\n  runner:\n    image: acme/runner:latest\n    build: ./\n  datastore:\n"
    "    image: europe-west2-docker.pkg.dev/ci/images/datastore-emulator:latest\n",
    # the development stage by its words, environment files under a development directory,
    # django-configurations' Development class
    "services:\n  app-dev:\n    build: {context: ., target: backend-development}\n",
    "services:\n  db:\n    image: mysql:8\n    env_file:\n      - env.d/development/mysql\n",
    "services:\n  app:\n    build: .\n    volumes: ['.:/app']\n    environment:\n"
    "      - DJANGO_CONFIGURATION=Development\n",
    "services:\n  django:\n    build: .\n    volumes: ['./:/django']\n    environment:\n"
    "      DEPLOY_ENV: dev\n",
    "services:\n  app:\n    build: .\n    volumes: ['.:/app']\n    environment:\n"
    "      CONCORDIA_ENVIRONMENT: development\n",
    # the checkout mounted from a directory above the Compose file's (`../../`)
    "services:\n  webpack:\n    image: node:16\n    volumes:\n"
    "      - ${BASE_DIR:-../../}:/opt/app\n    command: sh -c 'npm run dev'\n",
    # a source directory mounted into a server that reloads it; the debug stage
    "services:\n  api:\n    build: .\n    volumes: ['./backend:/usr/src/app/backend']\n"
    "    command: gunicorn -c python:backend.gunicorn manage:application --reload\n",
    "services:\n  api:\n    build: {context: ., target: '${TARGET_TAG:-debug}'}\n",
    # nothing mounted, but debug mode beside a database without a password
    "services:\n  app:\n    image: acme/map:3.6\n    environment: ['DEBUG=1']\n  db:\n"
    "    image: postgis/postgis:14\n    environment: ['POSTGRES_HOST_AUTH_METHOD=trust']\n",
    # the development stage of the image, whatever is mounted (a mount spelled as a default)
    "services:\n  web:\n    build: {context: ., target: local}\n    volumes:\n"
    "      - ${SRC_MOUNT:-./src:/app/src}\n",
    # a build argument that selects the development build, in either form
    "services:\n  app:\n    build:\n      context: .\n      args:\n        - ENVIRONMENT=DEV\n"
    "    image: zenodo\n    command: uwsgi uwsgi_ui.ini\n",
    "services:\n  app:\n    build:\n      context: .\n      args: {BUILD_ENV: local}\n",
    # a build that installs the test and lint tools; a script named for development
    "services:\n  backend:\n    build:\n      context: backend/\n      args:\n"
    "        DEPS: main,admin,celery,test,lint\n",
    "services:\n  backend:\n    build: backend/\n    entrypoint: /tvp/docker/entrypoint_dev.sh\n",
])
def test_a_compose_file_that_runs_the_checkout_under_a_dev_server_is_dev_tooling(
        tmp_path, compose):
    model, result = _model(tmp_path, {"docker-compose.yml": compose,
                                      "Makefile": "up:\n\tdocker compose -f "
                                                  "docker-compose.yml up\n"})
    role = model.role_of("docker-compose.yml")
    assert role.role == "dev-tooling" and "development stack" in role.why
    assert not [f for f in result.findings if f.path == "docker-compose.yml"]


@pytest.mark.parametrize("compose", [
    # configuration mounted, a production server
    "services:\n  web:\n    build: .\n    command: gunicorn app:app\n"
    "    volumes: ['./config:/app/config']\n",
    # the checkout mounted, but nothing says development
    "services:\n  web:\n    build: .\n    command: gunicorn app:app\n    volumes: ['.:/app']\n",
    "services:\n  web:\n    build: .\n    env_file: production.env\n    volumes: ['.:/app']\n",
    "services:\n  web:\n    build: .\n    environment:\n"
    "      DJANGO_SETTINGS_MODULE: shop.settings.production\n    volumes: ['${PWD}:/app']\n",
    # an optional developer service beside the services that ship
    "services:\n  web:\n    build: .\n    command: gunicorn app:app\n  web-dev:\n    build: .\n"
    "    profiles: [dev]\n    command: flask run\n    volumes: ['.:/app']\n",
    # a trusting database on the stack's own network, nothing of the checkout mounted
    "services:\n  web:\n    build: .\n    command: gunicorn app:app\n  postgres:\n"
    "    image: postgres:17\n    environment:\n      POSTGRES_HOST_AUTH_METHOD: trust\n",
    # the production stage; the production dependency groups; a script named for its role
    "services:\n  web:\n    build: {context: ., target: production}\n",
    "services:\n  web:\n    build:\n      context: .\n      args: {DEPS: 'main,celery'}\n",
    "services:\n  web:\n    build: .\n    entrypoint: /app/docker/entrypoint.sh\n"
    "    command: ['./develop_server_cache.py']\n",
    # a stand-in under a profile, started only on demand
    "services:\n  web:\n    build: .\n  mail:\n    image: axllent/mailpit\n"
    "    profiles: [mail]\n",
    "services:\n  web:\n    build: {context: ., target: devops-tools}\n",
    # a trusting database, debug mode off
    "services:\n  app:\n    image: acme/map:3.6\n    environment: ['DEBUG=0']\n  db:\n"
    "    image: postgis/postgis:14\n    environment: ['POSTGRES_HOST_AUTH_METHOD=trust']\n",
    # build arguments that select production, or say nothing of the environment
    "services:\n  app:\n    build:\n      context: .\n      args: [ENVIRONMENT=production]\n",
    "services:\n  app:\n    build:\n      context: .\n      args: {PYTHON_VERSION: '3.12'}\n",
])
def test_other_compose_files_are_not_dev_stacks(tmp_path, compose):
    model, _ = _model(tmp_path, {"docker-compose.yml": compose})
    assert model.role_of("docker-compose.yml").role == ""


BACKING_SERVICES = """\
services:
  db:
    image: postgres:16
    ports: ["5432:5432"]
  search:
    image: acme/elasticsearch:7.10
    ports: ["127.0.0.1:9200:9200"]
  metrics:
    image: influxdb:1.8-alpine
    ports: ["8086:8086"]
  dashboards:
    image: grafana/grafana:12
    profiles: [monitoring]
"""


def test_datastores_published_to_the_host_for_the_checkouts_code_are_dev_tooling(tmp_path):
    model, result = _model(tmp_path, {"docker-compose.yml": BACKING_SERVICES,
                                      "app/main.py": "from fastapi import FastAPI\n"
                                                     "app = FastAPI()\n"})
    role = model.role_of("docker-compose.yml")
    assert role.role == "dev-tooling"
    assert "publishes db, search to the host" in role.why
    assert not [f for f in result.findings if f.path == "docker-compose.yml"]


@pytest.mark.parametrize("files", [
    # no code of the project's that could use them from the host
    {"docker-compose.yml": BACKING_SERVICES},
    # the project's own service runs in the stack
    {"docker-compose.yml": BACKING_SERVICES + "  api:\n    image: acme/api:1.0\n",
     "app/main.py": "app = None\n"},
    {"docker-compose.yml": BACKING_SERVICES + "  api:\n    build: .\n",
     "app/main.py": "app = None\n"},
    # the datastores are reached inside the stack only
    {"docker-compose.yml": "services:\n  db:\n    image: postgres:16\n",
     "app/main.py": "app = None\n"},
])
def test_other_datastore_stacks_are_not_dev_stacks(tmp_path, files):
    model, _ = _model(tmp_path, files)
    assert model.role_of("docker-compose.yml").role == ""


INTEGRATION_TARGET = """\
services:
  grafana:
    image: grafana/grafana-enterprise:10.4.0
    ports: ["3001:3000"]
  prometheus:
    image: prom/prometheus:latest
    ports: ["9090:9090"]
"""


def test_a_stack_of_other_projects_images_below_the_root_is_dev_tooling(tmp_path):
    # a Grafana started to develop the project's Grafana integration against
    model, result = _model(tmp_path, {
        "app/providers/grafana/docker-compose.yml": INTEGRATION_TARGET,
        "app/providers/grafana/provider.py": "import requests\n"})
    role = model.role_of("app/providers/grafana/docker-compose.yml")
    assert role.role == "dev-tooling"
    assert "grafana-enterprise, prometheus" in role.why
    assert not [f for f in result.findings if "providers" in f.path]


@pytest.mark.parametrize(("files", "path"), [
    # at the root, a file of other projects' images may be how the project is run
    ({"docker-compose.yml": INTEGRATION_TARGET}, "docker-compose.yml"),
    # the project's own image: built by another file, named after the project, or pulled
    # from a registry the repository may publish to
    ({"deploy/docker-compose.yml": INTEGRATION_TARGET + "  api:\n    image: acme/api:1.0\n",
      "docker-compose.yml": "services:\n  api:\n    build: .\n    image: acme/api:1.0\n"},
     "deploy/docker-compose.yml"),
    ({"deploy/docker-compose.yml": INTEGRATION_TARGET + "  app:\n    image: acme/orders:2\n",
      "pyproject.toml": "[project]\nname = 'orders'\n"}, "deploy/docker-compose.yml"),
    ({"deploy/docker-compose.yml": INTEGRATION_TARGET +
      "  app:\n    image: ghcr.io/acme/app:2\n"}, "deploy/docker-compose.yml"),
    ({"deploy/docker-compose.yml": INTEGRATION_TARGET +
      "  app:\n    image: ${APP_IMAGE}\n"}, "deploy/docker-compose.yml"),
])
def test_a_stack_that_may_run_the_project_stays_judged(tmp_path, files, path):
    model, _ = _model(tmp_path, files)
    assert model.role_of(path).role != "dev-tooling"


PR_WORKFLOW = """on:
  push:
    branches: [main]
  pull_request:
jobs:
  collection:
    runs-on: ubuntu-latest
    steps:
      - run: docker compose -f dev/compose/standalone.yaml up --detach
      - run: ansible-playbook tests/collection.yml
"""


@pytest.mark.parametrize("files", [
    {"Makefile": "up:\n\tdocker compose -f dev/compose/standalone.yaml up\n"},
    {".github/workflows/collection.yml": PR_WORKFLOW},
])
def test_a_stack_under_dev_stays_dev_when_a_makefile_or_a_pull_request_starts_it(
        tmp_path, files):
    stack = "services:\n  api:\n    build: ../..\n    command: gunicorn app:app\n"
    model, _ = _model(tmp_path, {**files, "dev/compose/standalone.yaml": stack})
    assert model.role_of("dev/compose/standalone.yaml").role == "dev-tooling"


def test_a_stack_under_dev_that_a_push_workflow_starts_ships(tmp_path):
    stack = "services:\n  api:\n    build: ../..\n    command: gunicorn app:app\n"
    workflow = PR_WORKFLOW.replace("  pull_request:\n", "")
    model, _ = _model(tmp_path, {".github/workflows/release.yml": workflow,
                                 "dev/compose/standalone.yaml": stack})
    assert model.role_of("dev/compose/standalone.yaml").role == "deployed"


def test_a_ci_job_that_deploys_a_dev_looking_stack_deploys_it(tmp_path):
    model, _ = _model(tmp_path, {
        "docker-compose.yml": DEV_STACK,
        ".github/workflows/deploy.yml": "on: push\njobs:\n  deploy:\n    runs-on: x\n"
                                        "    steps:\n      - run: docker compose -f "
                                        "docker-compose.yml up -d\n"})
    assert model.role_of("docker-compose.yml").role == "deployed"


@pytest.mark.parametrize(("readme", "role"), [
    ("# Kubernetes deployment examples\n\nTry them with kind.\n", "example"),
    ("Docker images\n=============\n\nThey help develop the project and are not "
     "production-worthy!\n", "dev-tooling"),
    ("# Kubernetes manifests\n\nApplied by the release pipeline.\n", ""),
    # a title naming the files for developers, or a sentence saying what they are mostly for
    ("# Development Proxy Setup\n\nA forward proxy beside the app.\n", "dev-tooling"),
    ("# Proxy setup\n\nThese files are primarily used for testing and development "
     "scenarios.\n", "dev-tooling"),
    ("# Devices\n\nManifests of the device registry.\n", ""),
])
@pytest.mark.parametrize("name", ["README.md", "readme.md"])
def test_the_readme_of_an_artifacts_directory_can_say_what_it_holds(tmp_path, readme, role,
                                                                     name):
    model, _ = _model(tmp_path, {f"k8s/{name}": readme, "k8s/app.yaml": DEPLOYMENT})
    assert model.role_of("k8s/app.yaml").role == role


@pytest.mark.parametrize(("opening", "role"), [
    ("This is an example extension to Acme that documents what can be extended.", "example"),
    ("This directory contains a sample app built on the API.", "example"),
    ("This is the extension mechanism of Acme, with an example in the docs.", ""),
    # a sample configuration is what users run
    ("This is a sample configuration for running Acme with Docker Compose.", ""),
])
def test_a_readme_opening_that_calls_its_directory_an_example_covers_what_is_below(
        tmp_path, opening, role):
    model, _ = _model(tmp_path, {
        "extensions/gubbins/README.md": f"# Gubbins\n\n{opening}\n",
        "extensions/gubbins/containers/Dockerfile": SERVER_DOCKERFILE,
        "extensions/gubbins/src/gubbins/app.py": "x = 1\n"})
    for path in ("containers/Dockerfile", "src/gubbins/app.py"):
        assert model.role_of(f"extensions/gubbins/{path}").role == role


def test_the_root_readme_speaks_for_the_project_not_its_files(tmp_path):
    model, _ = _model(tmp_path, {"README.md": "# Examples of queue workers\n",
                                 "docker-compose.yml": COMPOSE_BODY})
    assert model.role_of("docker-compose.yml").role == ""


DOCKERFILE_BODY = "FROM python:3.12-slim\nCOPY . /app\nCMD [\"python\", \"-m\", \"app\"]\n"


def test_a_documentation_sentence_naming_a_file_says_what_it_is_for(tmp_path):
    model, result = _model(tmp_path, {
        "docker-compose.yml": COMPOSE_BODY, "deploy/docker-compose.yml": COMPOSE_BODY,
        "README.md": "# Running it\n\nSee the docs. **Important:** this `docker-compose.yml` "
                     "is configured for local testing only, and is _not_ intended for "
                     "production use.\n"})
    # the name resolves beside the page (the root), not to the deployment's file
    assert model.role_of("docker-compose.yml").role == "dev-tooling"
    assert "README.md says" in model.role_of("docker-compose.yml").why
    assert model.role_of("deploy/docker-compose.yml").role == ""
    assert {f.path for f in result.findings if f.rule_id.startswith("COMPOSE")} == {
        "deploy/docker-compose.yml"}


def test_a_section_heading_names_the_files_its_text_speaks_of(tmp_path):
    model, _ = _model(tmp_path, {
        "Dockerfile": DOCKERFILE_BODY, "Dockerfile.citus": DOCKERFILE_BODY,
        "Dockerfile.prod": DOCKERFILE_BODY,
        "docker/README.md": "# Dockerfile and Dockerfile.citus\n\nYou can run the app in "
                            "these images.\n\nThey help develop it and are not a "
                            "production-worthy setup!\n\n# Dockerfile.prod\n\nWhat we run.\n"})
    assert model.role_of("Dockerfile").role == "dev-tooling"
    assert model.role_of("Dockerfile.citus").role == "dev-tooling"
    assert model.role_of("Dockerfile.prod").role == ""


def test_a_compose_file_that_builds_only_a_development_image_is_for_development(tmp_path):
    model, _ = _model(tmp_path, {
        "Dockerfile": "# Used only for running tests with tox\n" + DOCKERFILE_BODY,
        "docker-compose.yml": "services:\n  app:\n    build: .\n    ports: ['80:80']\n"})
    assert model.role_of("docker-compose.yml").role == "dev-tooling"
    assert model.role_of("Dockerfile").role == "dev-tooling"


@pytest.mark.parametrize(("dockerfile_header", "role"), [
    ("# Used only for running tests with tox\n", "dev-tooling"),
    ("", ""),  # an ordinary image: the stack may be what users run
])
def test_a_compose_file_running_a_development_image_its_comment_builds(tmp_path,
                                                                       dockerfile_header, role):
    model, _ = _model(tmp_path, {
        "Dockerfile": dockerfile_header + DOCKERFILE_BODY,
        "docker-compose.yml": "# Build the image first:\n# $ docker build -t demo .\n"
                              "services:\n  node1:\n    image: ${DEMO_IMAGE:-demo}\n"
                              "  proxy:\n    image: haproxy:3.0\n    ports: ['5000:5000']\n"})
    assert model.role_of("docker-compose.yml").role == role


@pytest.mark.parametrize("readme", [
    # the sentence that says "development only" names another file
    "Use `docker-compose.yml` to deploy. The `docker-compose.dev.yml` file is for local "
    "development only.\n",
    # a file named with no statement about it
    "# docker-compose.yml\n\nStart it with `docker compose up -d`.\n",
])
def test_other_documentation_says_nothing_about_a_file(tmp_path, readme):
    model, _ = _model(tmp_path, {"docker-compose.yml": COMPOSE_BODY, "README.md": readme})
    assert model.role_of("docker-compose.yml").role == ""


REGTEST_JOB = """\
on: push
jobs:
  regtest:
    runs-on: ubuntu-latest
    steps:
      - name: start the network
        run: |
          cd docker/regtest
          ./start-network
      - run: pytest tests/regtest
"""


@pytest.mark.parametrize(("script", "role"), [
    ("#!/bin/sh\ndocker compose up -d\n", "test-fixture"),  # the script starts it
    ("#!/bin/sh\nsource ./helpers.sh\nstart_all\n", "test-fixture"),  # through a sourced one
    ("#!/bin/sh\ndocker compose logs\n", ""),  # reading logs starts nothing
])
def test_a_compose_file_ci_tests_start_from_its_directory_is_a_fixture(tmp_path, script, role):
    model, _ = _model(tmp_path, {
        ".github/workflows/regtest.yml": REGTEST_JOB,
        "docker/regtest/docker-compose.yml": COMPOSE_BODY,
        "docker/regtest/start-network": script,
        "docker/regtest/helpers.sh": "start_all() {\n  docker compose up -d\n}\n"})
    assert model.role_of("docker/regtest/docker-compose.yml").role == role


def test_the_root_compose_file_is_never_a_fixture_of_a_directory_run(tmp_path):
    model, _ = _model(tmp_path, {
        ".github/workflows/regtest.yml": REGTEST_JOB.replace("cd docker/regtest", "cd ."),
        "docker-compose.yml": COMPOSE_BODY,
        "start-network": "#!/bin/sh\ndocker compose up -d\n"})
    assert model.role_of("docker-compose.yml").role == ""


@pytest.mark.parametrize("install", [
    "RUN pip install pipenv && pipenv install --system --dev",
    "RUN pipenv sync --system --dev",
    "RUN pip install --no-cache-dir -r requirements-dev.txt",
    "RUN pip install -r requirements_test.txt",
    "RUN poetry install --with dev",
    'RUN pip install -e ".[dev]"',
    'RUN pip install "file://`pwd`#egg=app[tests]"',
])
def test_an_image_that_installs_the_development_dependencies_is_dev_tooling(tmp_path, install):
    dockerfile = f"FROM python:3.12-slim\nCOPY . /app\n{install}\nCMD ./start.sh\n"
    model, result = _model(tmp_path, {"Dockerfile": dockerfile}, select=["DOCKER"])
    role = model.role_of("Dockerfile")
    assert role.role == "dev-tooling" and "development dependencies" in role.why
    assert not result.findings


@pytest.mark.parametrize("install", ['RUN pip install ".[postgres,redis]"',
                                     "RUN pip install -r requirements-testnet.txt",
                                     # one branch of a build argument's choice
                                     'RUN if [ "$editable" -eq 1 ]; then pip install -r '
                                     "requirements-tests.txt; else pip install shop; fi",
                                     "RUN pip install devpi-client uvicorn[standard]"])
def test_an_image_that_installs_runtime_extras_is_not_dev_tooling(tmp_path, install):
    dockerfile = f"FROM python:3.12-slim\nCOPY . /app\n{install}\nCMD ./start.sh\n"
    model, _ = _model(tmp_path, {"Dockerfile": dockerfile})
    assert model.role_of("Dockerfile").role == ""


@pytest.mark.parametrize(("command", "role"), [
    ('CMD ["vite", "dev", "--port", "8080"]', "dev-tooling"),
    ('CMD ["npm", "run", "dev", "--", "--host", "0.0.0.0"]', "dev-tooling"),
    # production servers, a front end's build, and Python's development servers, which
    # DOCKER005 reports in any image
    ('CMD ["gunicorn", "app:app"]', ""),
    ('CMD ["python", "manage.py", "runserver", "0.0.0.0:8000"]', ""),
    ('CMD ["uvicorn", "app:app", "--reload"]', ""),
    ('CMD ["npm", "run", "build"]', ""),
    ('CMD ["vite", "build"]', ""),
])
def test_an_image_whose_command_is_a_development_server_is_dev_tooling(tmp_path, command,
                                                                        role):
    dockerfile = f"FROM node:22-alpine\nCOPY . /app\n{command}\n"
    model, _ = _model(tmp_path, {"Dockerfile": dockerfile})
    assert model.role_of("Dockerfile").role == role
    # published: the graph decides
    model, _ = _model(tmp_path, {".github/workflows/release.yml": release_workflow(
        "ghcr.io/acme/app:latest")})
    assert model.role_of("Dockerfile").role == "deployed"


def test_a_published_image_that_installs_dev_dependencies_stays_judged(tmp_path):
    dockerfile = "FROM python:3.12-slim\nCOPY . /app\nRUN poetry install --with dev\n"
    model, _ = _model(tmp_path, {
        "Dockerfile": dockerfile,
        ".github/workflows/release.yml": release_workflow("ghcr.io/acme/app:latest")})
    assert model.role_of("Dockerfile").role == "deployed"


def test_a_module_that_imports_pytest_is_test_code_wherever_it_sits(tmp_path):
    plugin = ("import pytest\nimport requests\n\n\n@pytest.fixture\ndef schema():\n"
              "    return requests.get('http://localhost/api/schema').json()\n")
    cli = ("import requests\n\n\ndef run_tests():\n    import pytest\n    pytest.main()\n\n\n"
           "def ping():\n    return requests.get('http://localhost/ping')\n")
    write_tree(tmp_path, {"pkg/pytest_plugin.py": plugin, "pkg/cli.py": cli})
    result = scan(tmp_path, Config(jobs=1, select=["PY006"]), use_cache=False)
    assert [f.path for f in result.findings] == ["pkg/cli.py"]  # pytest only inside a function
    assert result.stats.skipped_roles == {"test-fixture": 1}


def test_invokes_top_level_tasks_file_is_the_developers_automation(tmp_path):
    tasks = ("import sys\n\nfrom invoke import task\n\nsys.path.append('.')\n\n\n"
             "@task\ndef import_council(c, council):\n    c.run('./manage.py import ' + council)\n")
    # a Celery tasks module of the app, at the top or in a package, is the service's code
    celery = "import sys\n\nfrom celery import shared_task\n\nsys.path.append('.')\n"
    write_tree(tmp_path, {"tasks.py": tasks, "app/tasks.py": tasks, "jobs/tasks.py": celery})
    result = scan(tmp_path, Config(jobs=1, select=["PY003"]), use_cache=False)
    assert sorted(f.path for f in result.findings) == ["app/tasks.py", "jobs/tasks.py"]
    assert result.stats.skipped_roles == {"dev-tooling": 1}


@pytest.mark.parametrize(("target", "role"), [("test", "test-fixture"), ("dev", "dev-tooling"),
                                              ("production", "deployed")])
def test_a_build_of_a_test_or_dev_stage_ships_nothing(tmp_path, target, role):
    dockerfile = ("FROM python:3.13-slim AS base\n"
                  "FROM base AS test\nUSER root\n"
                  "FROM base AS dev\nUSER root\n"
                  "FROM base AS production\nUSER app\nCMD [\"app\"]\n")
    model, _ = _model(tmp_path, {
        "docker/Dockerfile": dockerfile,
        "Makefile": f"image:\n\tdocker build -f docker/Dockerfile --target {target} -t app .\n",
    })
    assert model.role_of("docker/Dockerfile").role == role


@pytest.mark.parametrize(("readme", "role"), [
    ("# App\n\n## Development\n\n### Use Docker Compose\n\n```bash\ndocker compose up -d\n```\n",
     "dev-tooling"),
    ("# App\n\n## Contributing\n\nRun `docker-compose -f compose.yaml up` and hack away.\n",
     "dev-tooling"),
    # users are told to start it too: it is what they run
    ("# App\n\n## Installation\n\n    docker compose up -d\n\n## Development\n\n"
     "    docker compose up\n", ""),
    ("# App\n\n## Quick start\n\n    docker compose up -d\n", ""),
])
def test_a_compose_file_the_readme_starts_only_for_developers_is_dev_tooling(tmp_path, readme,
                                                                            role):
    model, _ = _model(tmp_path, {"README.md": readme, "compose.yaml": COMPOSE_BODY})
    assert model.role_of("compose.yaml").role == role


POD = ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: crashloop\nspec:\n  containers:\n"
       "    - name: c\n      image: busybox:1.36\n      command: [\"false\"]\n")


@pytest.mark.parametrize(("readme", "role"), [
    ("# Agent\n\n## Local Development\n\nAdd error-producing pods:\n\n"
     "    kubectl apply -f ./k8s/errors/pod-crashloop.yaml\n", "dev-tooling"),
    # users apply the same directory to install it: it ships
    ("# Agent\n\n## Install\n\n    kubectl apply -f k8s/errors/\n\n## Development\n\n"
     "    kubectl apply -f k8s/errors/pod-crashloop.yaml\n", ""),
])
def test_manifests_the_readme_applies_only_for_developers_are_dev_tooling(tmp_path, readme,
                                                                          role):
    model, _ = _model(tmp_path, {"README.md": readme, "k8s/errors/pod-crashloop.yaml": POD,
                                 "k8s/errors/pod-oom.yaml": POD.replace("crashloop", "oom")})
    assert model.role_of("k8s/errors/pod-oom.yaml").role == role


LOCAL_STACK = ("services:\n  app:\n    build:\n      context: .\n"
               "      dockerfile: docker/Dockerfile\n    image: local/shop_app\n"
               "    ports: [\"8000:8000\"]\n"
               "  fakesentry:\n    build:\n      context: docker/images/fakesentry\n"
               "    image: local/shop_fakesentry\n")


@pytest.mark.parametrize(("image", "stack", "image_role"), [
    ("local/shop_app", "dev-tooling", "dev-tooling"),  # tagged for this machine: never pushed
    ("ghcr.io/acme/shop", "", "deployed"),  # one image is published: the stack may ship
])
def test_a_stack_that_tags_every_image_local_is_the_developers(tmp_path, image, stack,
                                                                image_role):
    model, _ = _model(tmp_path, {
        "docker-compose.yml": LOCAL_STACK.replace("local/shop_app", image),
        "docker/Dockerfile": SERVER_DOCKERFILE,
        "docker/images/fakesentry/Dockerfile": SERVER_DOCKERFILE})
    assert model.role_of("docker-compose.yml").role == stack
    assert model.role_of("docker/images/fakesentry/Dockerfile").role == image_role


PACK_WORKFLOW = """on: {push: {branches: [main]}}
jobs:
  image:
    runs-on: ubuntu-latest
    steps:
      - run: pack build "$IMAGE_URI" --builder heroku/builder:24 --publish
"""
DOCKER_WORKFLOW = PACK_WORKFLOW.replace(
    "      - run: pack build",
    "      - run: docker build -t acme/worker -f worker/Dockerfile .\n      - run: pack build")


@pytest.mark.parametrize(("workflow", "role"), [
    (PACK_WORKFLOW, "dev-tooling"),
    # a Dockerfile is built for a deployment too: the one the stack builds may ship as well
    (DOCKER_WORKFLOW, ""),
    ("on: push\njobs:\n  t:\n    runs-on: x\n    steps:\n      - run: pytest\n", ""),
])
def test_a_dockerfile_only_dev_stacks_build_is_theirs_when_buildpacks_build_what_ships(
        tmp_path, workflow, role):
    model, _ = _model(tmp_path, {
        ".github/workflows/package.yml": workflow, "Dockerfile": SERVER_DOCKERFILE,
        "worker/Dockerfile": SERVER_DOCKERFILE,
        "docker-compose.yml": "services:\n  web:\n    build: .\n    volumes: ['.:/app']\n"
                              "    command: flask run --reload\n"})
    assert model.role_of("docker-compose.yml").role == "dev-tooling"
    found = model.role_of("Dockerfile")
    assert found.role == role
    if role:
        assert "buildpacks (.github/workflows/package.yml)" in found.why


@pytest.mark.parametrize(("base", "role"), [
    ("postgres:16", "dev-tooling"),  # the development stack's own database
    ("python:3.12-slim", ""),  # an app image a dev stack builds may ship as well
])
def test_a_database_image_only_a_dev_stack_builds_is_that_stacks(tmp_path, base, role):
    model, _ = _model(tmp_path, {
        "docker/postgresql/Dockerfile": f"FROM {base}\nCOPY server.key /etc/ssl/private/\n",
        "docker-compose.yml": "services:\n  web:\n    build: .\n    volumes: ['.:/app']\n"
                              "    command: flask run --reload\n"
                              "  db:\n    build: docker/postgresql\n",
        "Dockerfile": SERVER_DOCKERFILE})
    assert model.role_of("docker-compose.yml").role == "dev-tooling"
    found = model.role_of("docker/postgresql/Dockerfile")
    assert found.role == role
    if role:
        assert "FROM the postgres image" in found.why


def test_a_compose_file_another_one_includes_is_part_of_its_stack(tmp_path):
    readme = ("# App\n\n## Development\n\n"
              "    docker compose -f docker/docker-compose-base.yml up -d\n")
    model, _ = _model(tmp_path, {
        "README.md": readme, "docker/docker-compose-base.yml": COMPOSE_BODY,
        "docker/docker-compose.yml": "include:\n  - ./docker-compose-base.yml\n"
                                     + COMPOSE_BODY.replace("api:", "web:")})
    assert model.role_of("docker/docker-compose-base.yml").role != "dev-tooling"


def _dev_tooling_unjudged(model, result, path: str, why: str = "") -> None:
    """`path` is dev tooling (for a reason that mentions `why`) and reports nothing."""
    role = model.role_of(path)
    assert role.role == "dev-tooling" and why in role.why
    assert not [f for f in result.findings if f.path == path]


def test_a_stack_extending_development_services_is_a_development_stack(tmp_path):
    # the services' development stage sits in the file they extend
    apps = ("services:\n  web:\n    build: {context: ., target: development}\n"
            "    command: ./scripts/run-django-dev.sh\n    volumes: ['.:/src']\n")
    stack = ("services:\n  web:\n    extends: {file: docker-compose.apps.yml, service: web}\n"
             "    env_file: [env/backend.env]\n")
    model, result = _model(tmp_path, {"docker-compose.apps.yml": apps,
                                      "docker-compose.yml": stack})
    _dev_tooling_unjudged(model, result, "docker-compose.yml")
    # extending a production service keeps the file judged
    model, _ = _model(tmp_path, {"docker-compose.apps.yml": apps.replace("development",
                                                                         "production")
                                 .replace("./scripts/run-django-dev.sh", "gunicorn app:app")
                                 .replace("    volumes: ['.:/src']\n", "")})
    assert model.role_of("docker-compose.yml").role != "dev-tooling"


def test_a_compose_file_only_development_stacks_pull_in_is_dev_tooling(tmp_path):
    search = "services:\n  search:\n    image: opensearchproject/opensearch:2\n"
    dev = ("include:\n  - compose.search.${SEARCH_KIND:-single}.yml\n"
           "services:\n  web:\n    build: .\n    command: flask run\n"
           "    volumes: ['.:/app']\n")
    model, result = _model(tmp_path, {"compose.search.single.yml": search,
                                      "docker-compose.yml": dev})
    _dev_tooling_unjudged(model, result, "compose.search.single.yml", "docker-compose.yml")
    # pulled in by a stack that ships too: judged
    model, _ = _model(tmp_path, {"deploy/compose.yml": "include:\n  - ../compose.search"
                                                       ".single.yml\nservices:\n  web:\n"
                                                       "    image: acme/web:1\n"})
    assert model.role_of("compose.search.single.yml").role != "dev-tooling"


def test_a_compose_file_started_only_on_top_of_a_development_stack_is_dev_tooling(tmp_path):
    dev = ("services:\n  api:\n    build: .\n    command: make start-dev\n"
           "    volumes: ['.:/app']\n")
    monitor = ("services:\n  dashboard:\n    image: eoranged/rq-dashboard\n"
               "    ports: ['9181:9181']\n")
    make = ("start-rq-mon:\n"
            "\tdocker-compose -f docker-compose.yml -f docker-compose-rq-monitor.yml up\n")
    model, result = _model(tmp_path, {"docker-compose.yml": dev, "Makefile": make,
                                      "docker-compose-rq-monitor.yml": monitor})
    _dev_tooling_unjudged(model, result, "docker-compose-rq-monitor.yml",
                          "on top of docker-compose.yml")
    # also started on top of a stack that ships: judged
    model, _ = _model(tmp_path, {"Makefile": make + "deploy:\n\tdocker compose -f deploy/prod.yml"
                                                    " -f docker-compose-rq-monitor.yml up -d\n",
                                 "deploy/prod.yml": "services:\n  api:\n    image: acme/api:1\n"})
    assert model.role_of("docker-compose-rq-monitor.yml").role != "dev-tooling"


def test_a_compose_file_under_the_maintainers_tools_is_dev_tooling_even_when_make_runs_it(
        tmp_path):
    files = {"tools/credential-plugins-override.yml": "services:\n  vault:\n    image: vault\n"
                                                      "    ports: ['8200:8200']\n",
             "deploy/stack.yml": "services:\n  vault:\n    image: vault\n",
             "Makefile": ("creds:\n\tdocker compose -f tools/credential-plugins-override.yml up\n"
                          "deploy:\n\tdocker compose -f deploy/stack.yml up -d\n")}
    model, _ = _model(tmp_path, files)
    role = model.role_of("tools/credential-plugins-override.yml")
    assert role.role == "dev-tooling" and "under tools/" in role.why
    assert model.role_of("deploy/stack.yml").role == "deployed"


@pytest.mark.parametrize(("requirements", "vendored"), [
    ("cherrypy==18.10.0\narrow==1.4.0\nbleach==6.3.0\n", True),
    ("cherrypy-cors>=1.7\narrow\n", False),  # one package only: could be the project's
    # plugin modules named after the libraries they wrap are the project's own code
    ("yara-python\nandroguard\napkid\ncherrypy-cors\n", False),
])
def test_a_directory_of_the_projects_requirements_is_vendored(tmp_path, requirements, vendored):
    write_tree(tmp_path, {
        "requirements.txt": requirements,
        "app.py": "import sys\nsys.path.insert(0, 'lib')\n",
        "lib/cherrypy/__init__.py": "", "lib/arrow/__init__.py": "",
        "lib/bleach/__init__.py": "", "lib/cherrypy_cors.py": "", "lib/androguard.py": "",
        "lib/apkid.py": "", "lib/yara_python.py": "", "myapp/server.py": "",
    })
    result = scan(tmp_path, Config(select=["PY005"]), jobs=1, use_cache=False)
    model = deployment_of(result.project)
    assert (model.role_of("lib/arrow/__init__.py").role == "generated") is vendored
    assert model.role_of("myapp/server.py").judged


def test_a_committed_pip_target_directory_is_vendored(tmp_path):
    write_tree(tmp_path, {
        "requirements.txt": "lxml>=4.3\n",
        "libs/SQLAlchemy-2.0.37.dist-info/RECORD": "sqlalchemy/__init__.py,,\n",
        "libs/sqlalchemy/__init__.py": "", "libs/appdirs.py": "", "bazarr/main.py": "",
    })
    result = scan(tmp_path, Config(select=["PY005"]), jobs=1, use_cache=False)
    model = deployment_of(result.project)
    assert model.role_of("libs/appdirs.py").role == "generated"
    assert model.role_of("bazarr/main.py").judged


def test_a_directory_of_the_projects_own_distributions_is_not_vendored(tmp_path):
    write_tree(tmp_path, {
        "requirements.txt": "shop-api\nshop-core\nshop-worker\n",
        **{f"packages/{n}/pyproject.toml": f"[project]\nname = \"{n}\"\n"
           for n in ("shop-api", "shop-core", "shop-worker")},
        "packages/shop_api.py": "", "packages/shop_core.py": "", "packages/shop_worker.py": "",
    })
    result = scan(tmp_path, Config(select=["PY005"]), jobs=1, use_cache=False)
    assert deployment_of(result.project).role_of("packages/shop_api.py").judged


@pytest.mark.parametrize(("contributors_file", "copied"), [
    (".github/workflows/tests.yml", True),
    (".travis.yml", True),
    ("renovate.json", True),
    # a package of the project's own monorepo: packaging, a licence, its own notes
    ("CHANGELOG.md", False),
    ("CONTRIBUTING.md", False),
])
def test_a_copy_of_another_projects_repository_is_vendored(tmp_path, contributors_file,
                                                           copied):
    copy = "backend/ramp/solaris"
    write_tree(tmp_path, {
        f"{copy}/setup.py": "from setuptools import setup\nsetup(name='solaris')\n",
        f"{copy}/LICENSE.txt": "Apache License\n", f"{copy}/{contributors_file}": "x\n",
        f"{copy}/solaris/nets.py": "import requests\n\nrequests.get('https://x.org')\n",
        f"{copy}/docker/Dockerfile": SERVER_DOCKERFILE,
        "backend/app/main.py": "import requests\n\nrequests.get('https://api.x.org')\n",
    })
    result = scan(tmp_path, Config(select=["PY006", "DOCKER001"]), jobs=1, use_cache=False)
    model = deployment_of(result.project)
    for path in (f"{copy}/solaris/nets.py", f"{copy}/docker/Dockerfile"):
        assert (model.role_of(path).role == "generated") is copied
    assert model.role_of("backend/app/main.py").judged
    assert {f.path for f in result.findings} == (
        {"backend/app/main.py"} if copied else
        {"backend/app/main.py", f"{copy}/solaris/nets.py", f"{copy}/docker/Dockerfile"})


VERSIONED_DEPLOYMENT = ("apiVersion: {version}\nkind: Deployment\nmetadata:\n  name: api\nspec:\n"
              "  template:\n    spec:\n      containers:\n        - name: api\n"
              "          image: acme/api:1.0\n")
VERSIONED_SERVICE = "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: api\n"


@pytest.mark.parametrize(("text", "role"), [
    (VERSIONED_DEPLOYMENT.format(version="apps/v1beta1") + VERSIONED_SERVICE, "example"),
    (VERSIONED_DEPLOYMENT.format(version="extensions/v1beta1"), "example"),
    (VERSIONED_DEPLOYMENT.format(version="batch/v2alpha1").replace("Deployment", "CronJob"),
     "example"),
    (VERSIONED_DEPLOYMENT.format(version="batch/v1beta1").replace("Deployment", "CronJob"),
     "example"),
    # served today
    (VERSIONED_DEPLOYMENT.format(version="apps/v1") + VERSIONED_SERVICE, ""),
    (VERSIONED_DEPLOYMENT.format(version="batch/v1").replace("Deployment", "CronJob"), ""),
    # PodDisruptionBudget was removed from policy/v1beta1, but no workload says so
    ("apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata:\n  name: api\n", ""),
    # one workload on a removed version beside one a cluster accepts: still applied
    (VERSIONED_DEPLOYMENT.format(version="apps/v1beta2") + "---\n" + VERSIONED_DEPLOYMENT.format(
        version="apps/v1"), ""),
])
def test_manifests_on_api_versions_kubernetes_removed_are_not_judged(tmp_path, text, role):
    model, result = _model(tmp_path, {"k8s/api.yaml": text})
    assert model.role_of("k8s/api.yaml").role == role
    if "Deployment" in text and "apps/v1\n" not in text:
        assert not [f for f in result.findings if f.path == "k8s/api.yaml"]


def test_a_stack_whose_services_join_a_development_network_is_dev_tooling(tmp_path):
    stack = ("services:\n  mock-api:\n    image: acme/mock:1\n    ports: [\"81:80\"]\n"
             "    networks:\n      - {network}\nnetworks:\n  {network}:\n"
             "    external: true\n")
    model, result = _model(tmp_path, {"docker/docker-compose.mocks.yml": stack.format(
        network="shop-dev")})
    assert model.role_of("docker/docker-compose.mocks.yml").role == "dev-tooling"
    assert not [f for f in result.findings if f.path.startswith("docker/")]
    # a network named for what it carries says nothing
    model, _ = _model(tmp_path / "other", {"docker/docker-compose.mocks.yml": stack.format(
        network="backend")})
    assert model.role_of("docker/docker-compose.mocks.yml").role == ""


def test_the_sphinx_configuration_of_a_documentation_tree_anywhere_is_docs(tmp_path):
    sphinx = ("import os\nimport sys\nsys.path.insert(0, os.path.abspath('../..'))\n"
              "extensions = ['sphinx.ext.autodoc']\nhtml_theme = 'alabaster'\n")
    model, result = _model(tmp_path, {
        "docsrc/source/conf.py": sphinx,
        "app/conf.py": "import sys\nsys.path.insert(0, '/opt/plugins')\nTIMEOUT = 3\n"})
    assert model.role_of("docsrc/source/conf.py").role == "docs"
    assert model.role_of("app/conf.py").judged
    assert [f.path for f in result.findings if f.rule_id == "PY003"] == ["app/conf.py"]


def test_a_changelog_line_gives_no_file_its_role(tmp_path):
    line = "- fix Dockerfile used for development\n"
    model, _ = _model(tmp_path, {"Dockerfile": SERVER_DOCKERFILE, "docs/setup.md": line})
    assert model.role_of("Dockerfile").role == "dev-tooling"  # a page that says so
    model, _ = _model(tmp_path / "log", {"Dockerfile": SERVER_DOCKERFILE,
                                         "docs/en/changelog.md": line})
    assert model.role_of("Dockerfile").judged


TILTFILE = """\
docker_build(
    'localhost:5001/meet-livekit:latest',
    context='../docker/livekit',
    only=['.'],
    live_update=[sync('../docker/livekit', '/etc/livekit')],
)
docker_build('localhost:5001/meet-backend:latest', '..', dockerfile='../Dockerfile')
"""


def test_a_dockerfile_only_tilt_builds_is_the_developers_cluster(tmp_path):
    files = {"bin/Tiltfile": TILTFILE,
             "docker/livekit/Dockerfile": "FROM livekit/livekit-server:v1.8\nCOPY rootCA.pem /\n",
             "Dockerfile": SERVER_DOCKERFILE}
    model, _ = _model(tmp_path, files)
    role = model.role_of("docker/livekit/Dockerfile")
    assert role.role == "dev-tooling" and "bin/Tiltfile" in role.why
    assert model.role_of("Dockerfile").role == "dev-tooling"
    # a CI release of the same Dockerfile deploys it
    model, _ = _model(tmp_path / "released", {
        **files, ".github/workflows/release.yml": release_workflow("ghcr.io/acme/meet:latest")})
    assert model.role_of("Dockerfile").role == "deployed"


def test_a_compose_file_a_make_target_runs_that_builds_only_a_dev_image_is_dev(tmp_path):
    compose = ("services:\n  web:\n    build:\n      context: .\n"
               "      dockerfile: Containerfile.dev\n    ports: ['5000:5000']\n")
    model, _ = _model(tmp_path, {"container-compose.yml": compose,
                                 "Containerfile.dev": SERVER_DOCKERFILE,
                                 "Makefile": "up:\n\tpodman-compose -f container-compose.yml up\n"})
    role = model.role_of("container-compose.yml")
    assert role.role == "dev-tooling" and "Containerfile.dev" in role.why


def test_a_test_job_starting_a_service_named_ssh_deploys_nothing(tmp_path):
    workflow = ("on: [workflow_dispatch]\njobs:\n  test:\n    runs-on: ubuntu-latest\n"
                "    steps:\n      - run: docker compose -f stack-compose.yaml up -d api ssh\n"
                "      - run: docker compose -f stack-compose.yaml exec -T api pytest\n")
    compose = "services:\n  api:\n    build: .\n  ssh:\n    image: acme/ssh:1\n"
    model, _ = _model(tmp_path, {".github/workflows/checks.yml": workflow,
                                 "stack-compose.yaml": compose, "Dockerfile": SERVER_DOCKERFILE})
    assert model.role_of("stack-compose.yaml").role == "test-fixture"
    model, _ = _model(tmp_path / "deploys", {
        ".github/workflows/checks.yml": workflow.replace(
            "exec -T api pytest", "exec -T api pytest\n      - run: ssh prod 'make up'"),
        "stack-compose.yaml": compose, "Dockerfile": SERVER_DOCKERFILE})
    assert model.role_of("stack-compose.yaml").role == "deployed"



@pytest.mark.parametrize(("dockerfile", "why"), [
    ('CMD ["python3", "manage.py", "runserver", "0.0.0.0:8000"]\n', "runs 'runserver'"),
    ("ENV DJANGO_SETTINGS_MODULE=shop.settings.dev\nCMD gunicorn shop.wsgi\n",
     "sets DJANGO_SETTINGS_MODULE=shop.settings.dev"),
    ("COPY requirements-dev.txt /opt/\nRUN pip install -r /opt/requirements-dev.txt\n"
     "CMD gunicorn shop.wsgi\n", "installs the development dependencies"),
])
def test_a_stack_mounting_the_checkout_into_a_development_image_is_a_development_stack(
        tmp_path, dockerfile, why):
    # the mark sits in the image the service builds, not in the Compose file
    stack = ("services:\n  web:\n    build: {context: ., dockerfile: tools/docker/Dockerfile}\n"
             "    volumes: ['.:/home/app/shop']\n    ports: ['8000:8000']\n")
    model, result = _model(tmp_path, {"docker-compose.yml": stack,
                                      "tools/docker/Dockerfile": "FROM python:3.12\n"
                                                                 + dockerfile})
    _dev_tooling_unjudged(model, result, "docker-compose.yml", why)


def test_a_stack_building_a_production_image_without_mounting_the_checkout_stays_judged(
        tmp_path):
    stack = "services:\n  web:\n    build: .\n    ports: ['8000:8000']\n"
    model, _ = _model(tmp_path, {"docker-compose.yml": stack,
                                 "Dockerfile": 'FROM python:3.12\nCMD ["python3", "manage.py", '
                                               '"runserver", "0.0.0.0:8000"]\n'})
    assert model.role_of("docker-compose.yml").judged  # no checkout mounted: it may ship
    stack = "services:\n  web:\n    build: .\n    volumes: ['.:/app']\n"
    model, _ = _model(tmp_path, {"docker-compose.yml": stack,
                                 "Dockerfile": "FROM python:3.12\nCMD gunicorn shop.wsgi\n"})
    assert model.role_of("docker-compose.yml").judged  # a production server in the image


def test_an_image_only_a_development_stack_builds_and_whose_script_runs_a_dev_server(tmp_path):
    readme = "# Shop\n\n## Setting up a development environment\n\n    docker compose up\n"
    stack = "services:\n  app:\n    build: .\n    volumes: ['.:/var/www/app']\n"
    dockerfile = ("FROM python:3.12\nWORKDIR /var/www/app\nCOPY rootfs /\nCOPY . .\n"
                  'ENTRYPOINT ["/entrypoint.sh"]\n')
    files = {"README.md": readme, "docker-compose.yml": stack, "Dockerfile": dockerfile,
             "rootfs/entrypoint.sh": "#!/bin/sh -e\n./manage.py migrate\n"
                                     "./manage.py runserver 0.0.0.0:8000\n"}
    model, result = _model(tmp_path, files)
    assert model.role_of("docker-compose.yml").role == "dev-tooling"
    _dev_tooling_unjudged(model, result, "Dockerfile", "rootfs/entrypoint.sh runs 'runserver'")
    # the same image started under gunicorn is what may ship
    model, _ = _model(tmp_path, {"rootfs/entrypoint.sh": "#!/bin/sh -e\n./manage.py migrate\n"
                                                         "exec gunicorn shop.wsgi\n"})
    assert model.role_of("Dockerfile").judged


@pytest.mark.parametrize("files", [
    {"docker/Dockerfile": "FROM python:3.12\nCOPY scripts/test.sh /test.sh\nCMD /test.sh\n",
     "scripts/test.sh": "#!/bin/sh\npip install -e .\npytest src\n"},
    # the script comes with the checkout mounted at the working directory
    {"docker/Dockerfile": "FROM python:3.11-alpine\nWORKDIR /app\nCMD /app/docker/test.sh\n",
     "docker/test.sh": "#!/bin/sh\ncd /app\npip install -e .\npylint src\npytest src\n"},
])
def test_an_image_that_runs_the_test_suite_when_it_starts_is_a_test_fixture(tmp_path, files):
    model, result = _model(tmp_path, files)
    role = model.role_of("docker/Dockerfile")
    assert role.role == "test-fixture" and "runs 'pytest'" in role.why
    assert not [f for f in result.findings if f.path == "docker/Dockerfile"]


def test_an_image_whose_script_also_starts_a_server_is_not_a_test_image(tmp_path):
    files = {"docker/Dockerfile": "FROM python:3.12\nCOPY scripts/start.sh /start.sh\n"
                                  "CMD /start.sh\n",
             "scripts/start.sh": '#!/bin/sh\nif [ "$1" = test ]; then pytest; fi\n'
                                 "exec gunicorn shop.wsgi\n"}
    model, _ = _model(tmp_path, files)
    assert model.role_of("docker/Dockerfile").judged


def test_a_manifest_left_out_of_the_kustomization_beside_it_is_not_deployed(tmp_path):
    deployment = ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}}}\nspec:\n"
                  "  template:\n    spec:\n      containers:\n        - name: {name}\n"
                  "          image: acme/{name}:1.0\n")
    kustomization = ("resources:\n  - include/api.yaml\n#  - include/pgadmin.yaml\n")
    files = {"k8s/kustomization.yaml": kustomization,
             "k8s/include/api.yaml": deployment.format(name="api"),
             "k8s/include/pgadmin.yaml": deployment.format(name="pgadmin"),
             "k8s/include/jobs.yaml": deployment.format(name="jobs")}
    model, result = _model(tmp_path, files)
    assert model.role_of("k8s/include/api.yaml").role == "deployed"
    for left_out in ("k8s/include/pgadmin.yaml", "k8s/include/jobs.yaml"):
        role = model.role_of(left_out)
        assert role.role == "example" and "k8s/kustomization.yaml lists" in role.why
        assert not [f for f in result.findings if f.path == left_out]
    # a script that applies it by name deploys it another way
    model, _ = _model(tmp_path, {"deploy.sh": "kubectl apply -f k8s/include/jobs.yaml\n"})
    assert model.role_of("k8s/include/jobs.yaml").judged
    assert not model.role_of("k8s/include/pgadmin.yaml").judged


def test_the_dockerfile_a_gitpod_workspace_builds_is_dev_tooling(tmp_path):
    files = {".gitpod.yml": "image:\n  file: .gitpod.Dockerfile\ntasks:\n  - init: make setup\n",
             ".gitpod.Dockerfile": "FROM gitpod/workspace-full\nRUN pip install -r req.txt\n"}
    model, result = _model(tmp_path, files)
    _dev_tooling_unjudged(model, result, ".gitpod.Dockerfile", "Gitpod workspace")
    # a workflow that publishes it deploys it
    model, _ = _model(tmp_path, {".github/workflows/release.yml": release_workflow(
        "ghcr.io/acme/workspace:latest").replace("push: true", "file: .gitpod.Dockerfile\n"
                                                              "          push: true")})
    assert model.role_of(".gitpod.Dockerfile").role == "deployed"


@pytest.mark.parametrize(("mount", "role"), [
    ("./src:/vol/janeway/src", "dev-tooling"),  # the code directory, under its own name
    ("./data:/vol/janeway/data", ""),  # a directory of no code
    ("./src:/vol/janeway/code", ""),  # mounted elsewhere: not over the code
])
def test_the_projects_code_directory_mounted_over_a_dev_server_makes_a_dev_stack(
        tmp_path, mount, role):
    compose = f"services:\n  web:\n    build: .\n    volumes: ['{mount}']\n"
    image = ("FROM python:3.12-slim\nWORKDIR /vol/janeway\nCOPY . /vol/janeway\n"
             'ENTRYPOINT ["python", "src/manage.py"]\nCMD ["runserver", "0.0.0.0:8000"]\n')
    model, _ = _model(tmp_path, {"docker-compose.yml": compose, "Dockerfile": image,
                                 "src/manage.py": "import os\n", "data/seed.json": "{}\n"})
    assert model.role_of("docker-compose.yml").role == role
