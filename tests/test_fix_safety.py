"""A fix is safe only when the repository proves it cannot break a working deployment."""

from __future__ import annotations

from pathlib import Path

import pytest

from prodready.config import Config
from prodready.engine import scan
from prodready.fix.apply import run_fix
from prodready.model import Finding, FixSafety, Severity
from prodready.testing import scan_files, write_tree


def _findings(root: Path, rule: str) -> list[Finding]:
    result = scan(root, Config.model_validate({"select": [rule], "cache": False}), jobs=1)
    return [f for f in result.findings if f.rule_id == rule]


def _safety(root: Path, rule: str) -> list[FixSafety | None]:
    return [f.fix.safety if f.fix else None for f in _findings(root, rule)]


# -- K8S008: runAsNonRoot only for images built here with a numeric non-root USER ----------

DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: orders
spec:
  selector:
    matchLabels: {app: orders}
  template:
    spec:
      containers:
        - name: api
          image: registry.example.com/orders:1.0
"""


def test_run_as_non_root_is_safe_for_an_image_built_with_a_numeric_user(tmp_path):
    write_tree(tmp_path, {"k8s/app.yaml": DEPLOYMENT,
                      "orders/Dockerfile": "FROM python:3.12-slim\nUSER 10001\nCMD [\"x\"]\n"})
    assert _safety(tmp_path, "K8S008") == [FixSafety.SAFE]


def test_run_as_non_root_is_display_only_when_the_image_runs_as_root(tmp_path):
    write_tree(tmp_path, {"k8s/app.yaml": DEPLOYMENT,
                      "orders/Dockerfile": "FROM python:3.12-slim\nCMD [\"x\"]\n"})
    [finding] = _findings(tmp_path, "K8S008")
    assert finding.fix is not None and finding.fix.safety is FixSafety.DISPLAY_ONLY
    assert "sets no USER" in finding.fix.description
    before = (tmp_path / "k8s/app.yaml").read_text()
    run_fix(tmp_path, Config.model_validate({"select": ["K8S008"], "cache": False}),
            unsafe=True, jobs=1)
    assert (tmp_path / "k8s/app.yaml").read_text() == before


def test_a_named_non_root_user_is_information_and_an_unknown_image_display_only(tmp_path):
    write_tree(tmp_path, {"k8s/app.yaml": DEPLOYMENT,
                      "orders/Dockerfile": "FROM python:3.12-slim\nUSER app\nCMD [\"x\"]\n"})
    # the image does not run as root; the kubelet could not verify the name anyway
    [finding] = _findings(tmp_path, "K8S008")
    assert finding.severity is Severity.INFO and finding.fix is None
    assert "switches to USER app" in finding.message
    (tmp_path / "orders/Dockerfile").unlink()
    [finding] = _findings(tmp_path, "K8S008")
    assert finding.fix is not None and finding.fix.safety is FixSafety.DISPLAY_ONLY
    assert "not built in this repository" in finding.fix.description


def test_run_as_non_root_follows_the_compose_service_building_the_image(tmp_path):
    write_tree(tmp_path, {
        "k8s/app.yaml": DEPLOYMENT,
        "compose.yaml": "services:\n  api:\n    image: registry.example.com/orders:dev\n"
                        "    build:\n      context: .\n      dockerfile: docker/api.Dockerfile\n",
        "docker/api.Dockerfile": "FROM python:3.12-slim\nUSER 1000:1000\nCMD [\"x\"]\n"})
    assert _safety(tmp_path, "K8S008") == [FixSafety.SAFE]


# -- COMPOSE003: restart only for long-running services ------------------------------------

def _compose003(tmp_path: Path, service: str) -> list[FixSafety | None]:
    write_tree(tmp_path, {"compose.yaml": "services:\n" + service})
    return _safety(tmp_path, "COMPOSE003")


def test_restart_is_safe_for_a_plain_web_service(tmp_path):
    assert _compose003(tmp_path, "  web:\n    image: nginx:1.27\n") == [FixSafety.SAFE]


def test_restart_is_not_applied_to_test_runners_profiles_or_migrations(tmp_path):
    cases = {
        "profiles": "  web:\n    image: app:1\n    profiles: [debug]\n",
        "test command": "  tests:\n    image: app:1\n    command: pytest -x\n",
        "test name": "  test:\n    image: app:1\n",
        "migration list": "  db-init:\n    image: app:1\n"
                          "    command: [\"alembic\", \"upgrade\", \"head\"]\n",
        "manage.py": "  web:\n    image: app:1\n    command: python manage.py migrate\n",
    }
    for name, service in cases.items():
        found = _compose003(tmp_path / name.replace(" ", "-"), service)
        assert found in ([], [FixSafety.DISPLAY_ONLY]), (name, found)


def test_restart_not_applied_to_a_one_shot_is_kept_out_of_the_file(tmp_path):
    write_tree(tmp_path, {"compose.yaml": "services:\n  tests:\n    image: app:1\n"
                                      "    command: pytest\n"})
    before = (tmp_path / "compose.yaml").read_text()
    run_fix(tmp_path, Config.model_validate({"select": ["COMPOSE003"], "cache": False}),
            unsafe=True, jobs=1)
    assert (tmp_path / "compose.yaml").read_text() == before


# -- PY001: unsafe on fallback paths -----------------------------------------------------

PY001_CASES = {
    "only logs at info": ("    except Exception:\n        logger.info('failed')\n",
                          FixSafety.SAFE),
    "debug on purpose": ("    except Exception:\n        logger.debug('failed')\n",
                         FixSafety.DISPLAY_ONLY),
    "fallback return": ("    except Exception:\n        logger.info('no user')\n"
                        "        return None\n", FixSafety.DISPLAY_ONLY),
}


def test_py001_fix_is_unsafe_on_fallback_paths(tmp_path):
    for name, (handler, expected) in PY001_CASES.items():
        root = tmp_path / name.replace(" ", "-")
        write_tree(root, {"app/views.py": "import logging\nlogger = logging.getLogger(__name__)\n"
                                      "def view():\n    try:\n        run()\n" + handler})
        assert _safety(root, "PY001") == [expected], name


# -- DOCKER003: numeric ids, no fix where the entrypoint drops privileges ----------------

def test_docker003_creates_a_numeric_user_and_group(tmp_path):
    write_tree(tmp_path, {"Dockerfile": "FROM python:3.12-slim\nEXPOSE 8000\n"
                                    "CMD [\"gunicorn\", \"app:app\"]\n"})
    [finding] = _findings(tmp_path, "DOCKER003")
    assert finding.fix is not None and finding.fix.safety is FixSafety.UNSAFE
    text = "".join(e.replacement for e in finding.fix.edits)
    assert "USER 10001:10001" in text and "--gid 10001" in text and "--uid 10001" in text
    alpine = tmp_path / "alpine"
    write_tree(alpine, {"Dockerfile": "FROM python:3.12-alpine\nEXPOSE 8000\nCMD [\"gunicorn\"]\n"})
    [finding] = _findings(alpine, "DOCKER003")
    assert finding.fix is not None
    assert "-g 10001" in finding.fix.edits[0].replacement


def test_docker003_has_no_fix_when_the_entrypoint_drops_privileges_or_no_server(tmp_path):
    cases = {
        "gosu": "FROM python:3.12-slim\nRUN apt-get install -y gosu\nEXPOSE 80\n"
                "ENTRYPOINT [\"/entrypoint.sh\"]\n",
        "s6": "FROM python:3.12-slim\nEXPOSE 80\nENTRYPOINT [\"/init\"]\n",
        "no server": "FROM python:3.12-slim\nCMD [\"python\", \"generate.py\"]\n",
        "volume": "FROM python:3.12-slim\nVOLUME /data\nEXPOSE 80\nCMD [\"gunicorn\"]\n",
        # the server writes its log where root owns: the new user would stop it at start
        "log file": "FROM python:3.12\nEXPOSE 8000\nCMD ./manage.py pyuwsgi --http=:8000 "
                    "--logger file:/var/log/uwsgi.log\n",
        "pid file": "FROM python:3.12-slim\nEXPOSE 80\nCMD [\"gunicorn\", \"--pid\", "
                    "\"/run/gunicorn.pid\", \"app:app\"]\n",
    }
    for name, dockerfile in cases.items():
        root = write_tree(tmp_path / name.replace(" ", "-"), {"Dockerfile": dockerfile})
        assert [f.fix for f in _findings(root, "DOCKER003")] == [None], name
    # a CMD that hands the server to another user is no finding at all
    root = write_tree(tmp_path / "su-exec", {"Dockerfile": "FROM python:3.12-alpine\nEXPOSE 80\n"
                                                      "CMD su-exec app gunicorn app:app\n"})
    assert _findings(root, "DOCKER003") == []


# -- DOCKER007: the .dockerignore goes to the build context every runner uses -------------

def test_dockerignore_goes_to_the_compose_build_context(tmp_path):
    write_tree(tmp_path, {
        "docker/Dockerfile": "FROM python:3.12-slim\nCOPY . .\n",
        "docker/.dockerignore": ".git\n.env\n",  # never read: the context is the root
        "compose.yaml": "services:\n  web:\n    build:\n      context: .\n"
                        "      dockerfile: docker/Dockerfile\n"})
    outcome = run_fix(tmp_path, Config.model_validate({"select": ["DOCKER007"],
                                                       "cache": False}), jobs=1)
    assert (tmp_path / ".dockerignore").read_text().splitlines()[1:3] == [".git", ".env"]
    assert not [f for f in outcome.after.findings if f.rule_id == "DOCKER007"]


def test_dockerignore_has_no_fix_when_runners_disagree(tmp_path):
    write_tree(tmp_path, {
        "docker/Dockerfile": "FROM python:3.12-slim\nCOPY . .\n",
        "compose.yaml": "services:\n  web:\n    build:\n      context: .\n"
                        "      dockerfile: docker/Dockerfile\n",
        ".github/workflows/ci.yml": "on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n"
                                    "    steps:\n      - run: docker build -f docker/Dockerfile"
                                    " docker\n"})
    assert [f.fix for f in _findings(tmp_path, "DOCKER007")] == [None]


@pytest.mark.parametrize(("files", "safety"), [
    ({"frontend/.env.sample": "VITE_API=http://localhost:8000\n"}, "safe"),
    # a front end whose tooling reads .env into what it serves: keeping it out changes that
    ({"frontend/.env.sample": "VITE_API=x\n",
      "frontend/package.json": '{"devDependencies": {"vite": "^5.0.0"}}\n'}, "unsafe"),
    # a committed .env.production the build reads would be dropped by `.env.*`
    ({"frontend/.env.production": "API=https://api.example.org\n"}, "unsafe"),
])
def test_keeping_env_files_out_is_unsafe_where_the_build_reads_them(tmp_path, files, safety):
    write_tree(tmp_path, {
        "frontend/Dockerfile": "FROM node:20\nWORKDIR /app\nCOPY . /app\nRUN npm install\n",
        "docker-compose.yml": "services:\n  web:\n    build: ./frontend\n", **files})
    [finding] = _findings(tmp_path, "DOCKER007")
    assert finding.fix is not None and finding.fix.safety.value == safety
    if safety == "unsafe":
        assert "read" in finding.fix.description


# -- APP001: nothing from the repository becomes code ------------------------------------

def test_health_module_never_renders_a_crafted_name_as_code(tmp_path):
    crafted = 'x"""; import os; os.system("id"); """'
    write_tree(tmp_path, {
        f"{crafted}/main.py": "from fastapi import FastAPI\n\napp = FastAPI()\n\n"
                              "@app.get('/items')\ndef items():\n    return []\n",
        "svc/main.py": "from fastapi import FastAPI\n\napp = FastAPI()\n\n"
                       "@app.get('/items')\ndef items():\n    return []\n"})
    findings = _findings(tmp_path, "APP001")
    for finding in findings:
        if finding.fix is None:
            continue
        for edit in finding.fix.edits:
            assert "os.system" not in edit.replacement
        for mod in finding.fix.codemods:
            assert "os.system" not in mod.arg
    assert any(f.fix is not None and f.path == "svc/main.py" for f in findings)


def test_dockerignore_has_no_fix_when_no_runner_tells_the_context(tmp_path):
    write_tree(tmp_path, {"docker/api/Dockerfile": "FROM python:3.12-slim\nCOPY . .\n"})
    assert [f.fix for f in _findings(tmp_path, "DOCKER007")] == [None]
    write_tree(tmp_path, {".dockerignore": ".git\n.env\n"})  # serves a build from the root
    assert _findings(tmp_path, "DOCKER007") == []


def test_no_cache_dir_is_not_added_where_pip_already_has_the_abbreviation(tmp_path):
    write_tree(tmp_path, {"Dockerfile": "FROM python:3.12-slim\n"
                                        "RUN pip install --no-cache /w/* \\\n"
                                        "    && pip install -e .\n"})
    [finding] = _findings(tmp_path, "DOCKER008")
    assert finding.fix is not None and len(finding.fix.edits) == 1
    assert finding.fix.edits[0].start > (tmp_path / "Dockerfile").read_text().index("&&")


def test_py002_leaves_a_fallback_return_alone_and_only_shows_its_fix(tmp_path):
    head = "import logging\nlogger = logging.getLogger(__name__)\ndef f():\n    try:\n"
    write_tree(tmp_path, {"a.py": head + "        return g()\n    except Exception:\n"
                              "        return None\n",
                      "b.py": head + "        g()\n    except Exception:\n        pass\n"})
    by_path = {f.path: f.fix for f in _findings(tmp_path, "PY002")}
    assert "a.py" not in by_path  # a computed value falling back to a default: chosen
    assert by_path["b.py"] is not None and by_path["b.py"].safety is FixSafety.DISPLAY_ONLY


def test_py006_guesses_no_timeout_for_model_servers(tmp_path):
    write_tree(tmp_path, {
        "llm.py": "import requests\n\ndef ask(base):\n"
                  "    return requests.post(base + '/v1/chat/completions', json={})\n",
        "key.py": "import requests\n\ndef ask(url, payload):\n    return requests.post(url, "
                  "headers={'Authorization': OPENAI_API_KEY}, json=payload)\n",
        "web.py": "import requests\n\ndef ping(url):\n    return requests.get(url)\n",
        # a module named for a model server, whose URL is built elsewhere
        "providers/llamacpp_provider.py": "import requests\n\ndef ask(api_url, payload):\n"
                                        "    return requests.post(api_url, json=payload)\n"})
    by_path = {f.path: f.fix for f in _findings(tmp_path, "PY006")}
    assert by_path["llm.py"] is None and by_path["key.py"] is None
    assert by_path["providers/llamacpp_provider.py"] is None
    assert by_path["web.py"] is not None


def test_kubernetes_patches_merged_over_a_base_get_no_defaults(tmp_path):
    write_tree(tmp_path, {"config/default/manager_patch.yaml":
                      "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: manager\n"
                      "spec:\n  template:\n    spec:\n      containers:\n"
                      "      - name: manager\n        env:\n        - name: A\n"
                      "          value: b\n"})
    for rule in ("K8S001", "K8S009"):
        assert [f.fix for f in _findings(tmp_path, rule)] in ([], [None]), rule


def test_a_new_env_example_is_an_unsafe_fix(tmp_path):
    write_tree(tmp_path, {"app/main.py": "import os\nfrom fastapi import FastAPI\n\n"
                                         "app = FastAPI()\n"
                                         "TOKEN = os.environ['API_TOKEN']\n"})
    assert _safety(tmp_path, "APP013") == [FixSafety.UNSAFE]
    write_tree(tmp_path, {".env.example": "OTHER=1\n"})
    assert _safety(tmp_path, "APP013") == [FixSafety.SAFE]


def test_env_names_go_to_the_one_example_file_the_repository_has(tmp_path):
    write_tree(tmp_path, {"src/app/main.py": "import os\nfrom fastapi import FastAPI\n\n"
                                         "app = FastAPI()\nTOKEN = os.environ['API_TOKEN']\n",
                      "docker/.env.example": "OTHER=1\n"})
    [finding] = _findings(tmp_path, "APP013")
    assert finding.fix is not None and finding.fix.safety is FixSafety.SAFE
    assert finding.fix.edits[0].path == "docker/.env.example"


def test_the_example_file_of_another_component_gets_no_names(tmp_path):
    write_tree(tmp_path, {"app/main.py": "import os\nfrom fastapi import FastAPI\n\n"
                                         "app = FastAPI()\nTOKEN = os.environ['API_TOKEN']\n",
                          "agent/sandbox/.env.example": "SANDBOX_PORT=9385\n",
                          "agent/sandbox/executor.py": "print('runs code')\n"})
    [finding] = _findings(tmp_path, "APP013")
    assert finding.fix is None  # still reported, but its names belong to no file here


@pytest.mark.parametrize("files", [
    # a front end's end-to-end test app, whose code is not Python
    {"src/frontend/apps/e2e/.env.example": "SUB_FIREFOX=user@firefox.test\n",
     "src/frontend/apps/e2e/package.json": "{}\n"},
    # an example file under a path that says it is for tests
    {"tests/e2e/.env.example": "BASE_URL=http://localhost\n"},
])
def test_an_example_file_of_tests_or_a_front_end_gets_no_names(tmp_path, files):
    write_tree(tmp_path, {"src/backend/main.py": "import os\nfrom fastapi import FastAPI\n\n"
                                                 "app = FastAPI()\n"
                                                 "TOKEN = os.environ['API_TOKEN']\n", **files})
    [finding] = _findings(tmp_path, "APP013")
    assert finding.fix is None


def test_an_official_datastore_image_keeping_its_entrypoint_is_information(tmp_path):
    redis = DEPLOYMENT.replace("registry.example.com/orders:1.0", "redis:7-alpine")
    psql = redis.replace("redis:7-alpine", "postgres:16") + \
        "          command: ['bash', '-c', '. /scripts/init.sh']\n"
    write_tree(tmp_path, {"k8s/redis.yaml": redis, "k8s/init.yaml": psql})
    severities = {f.path: f.severity.value for f in _findings(tmp_path, "K8S008")}
    # a command of its own skips the entrypoint that drops root
    assert severities == {"k8s/redis.yaml": "info", "k8s/init.yaml": "medium"}


# -- COMPOSE002: `service_healthy` only on a dependency with a health check --------------

WAITING_STACK = """services:
  db:
    image: postgres:16
  es:
    image: elasticsearch:7.17.23
  web:
    image: example/web:1.0
    ports: ["8000:8000"]
    depends_on:
      - db
      - es
"""


def _fixed(tmp_path: Path, select: list[str]) -> str:
    write_tree(tmp_path, {"docker-compose.yml": WAITING_STACK})
    run_fix(tmp_path, Config.model_validate({"select": select, "cache": False}), jobs=1)
    return (tmp_path / "docker-compose.yml").read_text()


def test_a_dependency_without_a_health_check_is_never_waited_on_as_healthy(tmp_path):
    # Compose refuses to start a stack that waits for the health of a service without one:
    # only postgres gets a check (COMPOSE001), so only postgres is waited on
    text = _fixed(tmp_path / "both", ["COMPOSE001", "COMPOSE002"])
    assert "db:\n        condition: service_healthy" in text
    assert "es:\n        condition: service_started" in text
    # without COMPOSE001's check, nothing may wait for health
    assert "service_healthy" not in _fixed(tmp_path / "alone", ["COMPOSE002"])


# -- COMPOSE001: a datastore's check asks the port its command moved the server to -------


def _check_test(service: str) -> str | None:
    stack = f"services:\n  db:\n{service}  web:\n    image: example/web:1.0\n" \
            "    depends_on: [db]\n"
    [finding] = [f for f in scan_files({"docker-compose.yml": stack}, ["COMPOSE001"])
                 if f.line == 2]
    if finding.fix is None:
        return None
    [edit] = finding.fix.edits
    return next((line.strip() for line in edit.replacement.splitlines() if "test:" in line),
                None)


@pytest.mark.parametrize(("service", "expected"), [
    ("    image: postgres:16\n    command: -p ${DATABASE_PORT:-5432}\n",
     'test: ["CMD-SHELL", "pg_isready -p ${DATABASE_PORT:-5432} -U $${POSTGRES_USER:-postgres}"]'),
    ("    image: postgres:16\n    command: postgres -c port=5433 -c max_connections=200\n",
     'test: ["CMD-SHELL", "pg_isready -p 5433 -U $${POSTGRES_USER:-postgres}"]'),
    ("    image: mongo:7\n    command: [mongod, --port, '27018']\n",
     'test: ["CMD", "mongosh", "--port", "27018", "--quiet", "--eval", '
     '"db.adminCommand(\'ping\')"]'),
    ("    image: mysql:8\n    command: --port=3307\n",
     'test: ["CMD", "mysqladmin", "-P", "3307", "ping", "-h", "127.0.0.1"]'),
    # on the default port the check stays as it is
    ("    image: postgres:16\n    command: postgres -c max_connections=200\n",
     'test: ["CMD-SHELL", "pg_isready -U $${POSTGRES_USER:-postgres}"]'),
    ("    image: mysql:8\n    command: --default-authentication-plugin=mysql_native_password\n",
     'test: ["CMD", "mysqladmin", "ping", "-h", "127.0.0.1"]'),
])
def test_a_datastore_check_follows_the_port_its_command_sets(service, expected):
    assert _check_test(service) == expected


@pytest.mark.parametrize("service", [
    # a port the check cannot repeat: a container-time variable
    "    image: postgres:16\n    command: -p $$PGPORT_ALT\n",
    # a check tool with no port option here
    "    image: mariadb:11\n    command: --port=3307\n",
])
def test_no_datastore_check_when_the_port_cannot_be_followed(service):
    assert _check_test(service) is None


def test_the_condition_form_in_a_file_of_format_3_is_no_safe_fix(tmp_path):
    """File format 3.x dropped `depends_on` conditions: docker-compose before 1.27 refuses
    the rewritten file, so the rewrite waits for `--unsafe-fixes`."""
    stack = ("version: '3.4'\nservices:\n  db:\n    image: postgres:16\n"
             "    healthcheck:\n      test: [CMD, pg_isready]\n"
             "  web:\n    image: example/web:1.0\n    depends_on:\n      - db\n")
    [finding] = scan_files({"docker-compose.yml": stack}, ["COMPOSE002"])
    assert finding.fix is not None and finding.fix.safety.value == "unsafe"
    [finding] = scan_files({"docker-compose.yml": stack.replace("version: '3.4'\n", "")},
                           ["COMPOSE002"])
    assert finding.fix is not None and finding.fix.safety.value == "safe"
