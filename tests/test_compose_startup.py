"""A Compose service that waits for its dependencies itself when it starts: the evidence
helper COMPOSE001 and COMPOSE002 share."""

from __future__ import annotations

import pytest

from prodready.config import Config
from prodready.engine import scan
from prodready.project.compose import configs
from prodready.project.startup import waited_dependencies
from prodready.testing import write_tree

STORES = """\
  db:
    image: postgres:16
  cache:
    image: redis:7
  mq:
    image: rabbitmq:3
"""


def _waited(tmp_path, files, service="api"):
    write_tree(tmp_path, files)
    result = scan(tmp_path, Config(), jobs=1, use_cache=False)
    assert result.project is not None
    for config in configs(result.project):
        if service in config.services:
            return waited_dependencies(result.project, config.services[service])
    raise AssertionError(f"no service {service!r}")


def _compose(command: str, deps: str = "[db, cache, mq]") -> dict[str, str]:
    return {"compose.yaml": f"services:\n  api:\n    image: acme/api:1\n    command: {command}\n"
                            f"    depends_on: {deps}\n{STORES}"}


@pytest.mark.parametrize(("command", "waited"), [
    ('["./wait-for-it.sh", "db:5432", "--", "gunicorn", "app:app"]', {"db"}),
    ("sh -c 'until nc -z cache 6379; do sleep 1; done; exec gunicorn app:app'", {"cache"}),
    ("bash -c 'while !</dev/tcp/db/5432; do sleep 1; done; uwsgi app.ini'", {"db"}),
    ("sh -c 'while ! pg_isready -h db; do sleep 2; done; exec app'", {"db"}),
    ("dockerize -wait tcp://db:5432 -wait tcp://mq:5672 gunicorn app:app", {"db", "mq"}),
    ("sh -c 'python manage.py wait_for_db && exec gunicorn app.wsgi'", {"db"}),
    ("sh -c 'python manage.py wait_for_redis && exec python -m app.consumer'", {"cache"}),
    ("sh -c 'python ping.py && exec gunicorn app:app'", {"db"}),
    ("sh -c 'wait4ports -s 15 tcp://db:5432 && exec gunicorn app:app'", {"db"}),
])
def test_a_command_that_waits_covers_what_it_names(tmp_path, command, waited):
    found = _waited(tmp_path, _compose(command))
    assert set(found) == waited
    assert all("its command" in why for why in found.values())


@pytest.mark.parametrize("command", ["celery -A app worker -l INFO",
                                     '["celery", "--app", "app", "beat"]',
                                     "sh -c 'exec celery -A app flower --port=5555'"])
def test_celery_retries_its_broker_at_start(tmp_path, command):
    found = _waited(tmp_path, _compose(command))
    assert set(found) == {"cache", "mq"}  # not the database: Celery does not wait for it
    assert all("Celery retries" in why for why in found.values())


@pytest.mark.parametrize("command", [
    "gunicorn app:app",
    "celery -A app inspect ping",  # a one-off call, not a worker
    "sh -c 'while true; do curl -fs http://db:5432; sleep 60; done'",  # a cron loop, not a wait
    "python shipping.py",
    "sh -c 'sleep 5 && exec gunicorn app:app'",
    # it waits for its own server, not for a dependency
    "sh -c 'app & until curl -fs http://localhost:8000/health; do sleep 1; done; ./seed.sh'",
    "sh -c 'wait-for-it localhost:8000 -- ./seed.sh'",
])
def test_a_command_that_does_not_wait_covers_nothing(tmp_path, command):
    assert _waited(tmp_path, _compose(command)) == {}


def test_a_wait_through_a_variable_reads_its_default(tmp_path):
    command = "[\"/wait-for-it.sh\", \"${DB_HOST:-db}:5432\", \"--\", \"/start.sh\"]"
    files = {"compose.yaml": "services:\n  api:\n    image: acme/api:1\n"
                             f"    entrypoint: {command}\n    depends_on: [db, cache]\n{STORES}"}
    assert set(_waited(tmp_path, files)) == {"db"}


def test_the_images_entrypoint_script_found_through_the_dockerfile(tmp_path):
    files = {
        "compose.yaml": f"services:\n  api:\n    build: ./app\n    depends_on: [db, cache]\n"
                        f"{STORES}",
        "app/Dockerfile": "FROM python:3.12-slim\nCOPY . /srv\n"
                          "ENTRYPOINT [\"/srv/docker/entrypoint.sh\"]\n",
        "app/docker/entrypoint.sh": "#!/bin/sh\nset -e\n# make sure the database is up\n"
                                    "python check.py\n./bin/wait_ready.sh\nexec gunicorn app\n",
        "app/docker/bin/wait_ready.sh": "#!/bin/sh\n",
        "other/docker/entrypoint.sh": "#!/bin/sh\nwait-for-it cache:6379\n",
    }
    found = _waited(tmp_path, files)
    assert set(found) == {"db"}
    assert "app/docker/entrypoint.sh" in found["db"]


def test_a_command_given_in_compose_replaces_the_images_cmd(tmp_path):
    files = {
        "compose.yaml": f"services:\n  api:\n    build: .\n    command: gunicorn app:app\n"
                        f"    depends_on: [db]\n{STORES}",
        "Dockerfile": "FROM python:3.12-slim\nCMD [\"sh\", \"-c\", \"wait-for-it db:5432 -- "
                      "gunicorn app:app\"]\n",
    }
    assert _waited(tmp_path, files) == {}


def test_an_init_step_the_image_copies_in(tmp_path):
    files = {
        "compose.yaml": f"services:\n  api:\n    build: .\n    depends_on: [db, cache, mq]\n"
                        f"{STORES}",
        "Dockerfile": "FROM python:3.12-slim\nCOPY docker/rootfs /\nENTRYPOINT [\"/init\"]\n",
        "docker/rootfs/etc/s6-overlay/s6-rc.d/init-wait-for-redis/run": "#!/bin/sh\n",
        "docker/rootfs/etc/s6-overlay/s6-rc.d/svc-web/run": "#!/bin/sh\n",
        "tests/wait-for-db/run": "#!/bin/sh\n",  # not copied into the image
    }
    found = _waited(tmp_path, files)
    assert set(found) == {"cache"}
    assert "init-wait-for-redis" in found["cache"]


def test_no_dependencies_nothing_waited(tmp_path):
    files = {"compose.yaml": "services:\n  api:\n    image: acme/api:1\n"
                             "    command: wait-for-it db:5432 -- app\n"}
    assert _waited(tmp_path, files) == {}


def test_a_script_is_the_file_the_image_copies_to_that_path(tmp_path):
    files = {
        "compose.yaml": f"services:\n  api:\n    build: .\n    depends_on: [db, cache]\n{STORES}",
        "Dockerfile": "FROM python:3.12-slim\nARG HOME_DIR=/srv\nCOPY docker/ ${HOME_DIR}/bin/\n"
                      "ENTRYPOINT [\"/srv/bin/start.sh\"]\n",
        "docker/start.sh": "#!/bin/sh\nwait-for-it db:5432\nexec gunicorn app\n",
        "bin/start.sh": "#!/bin/sh\nwait-for-it cache:6379\n",  # same name, not in the image
    }
    found = _waited(tmp_path, files)
    assert set(found) == {"db"}
    assert "docker/start.sh" in found["db"]


def test_a_script_the_image_does_not_hold_is_not_read(tmp_path):
    files = {
        "compose.yaml": f"services:\n  api:\n    build: .\n    command: ./start.sh\n"
                        f"    depends_on: [db]\n{STORES}",
        "Dockerfile": "FROM python:3.12-slim\nCOPY app/ /app/\nWORKDIR /app\n",
        "app/main.py": "print('hello')\n",
        "tools/start.sh": "#!/bin/sh\nwait-for-it db:5432\n",  # a local helper, not copied
    }
    assert _waited(tmp_path, files) == {}


def test_an_init_step_copied_through_a_build_argument(tmp_path):
    files = {
        "compose.yaml": f"services:\n  api:\n    build: .\n    depends_on: [db, cache]\n{STORES}",
        "Dockerfile": "FROM python:3.12-slim\nARG ROOTFS=docker/rootfs\nCOPY ${ROOTFS} /\n"
                      "ENTRYPOINT [\"/init\"]\n",
        "docker/rootfs/etc/s6-overlay/s6-rc.d/init-wait-for-db/run": "#!/bin/sh\n",
    }
    found = _waited(tmp_path, files)
    assert set(found) == {"db"}
    assert "init-wait-for-db" in found["db"]


def test_a_command_named_without_a_directory_is_found_in_the_images_path(tmp_path):
    files = {
        "compose.yaml": f"services:\n  api:\n    build: .\n    command: start-app.sh\n"
                        f"    depends_on: [db]\n{STORES}",
        "Dockerfile": "FROM python:3.12-slim\nENV PATH=/opt/app/bin:$PATH\n"
                      "COPY scripts/start-app.sh /opt/app/bin/\n",
        "scripts/start-app.sh": "#!/bin/sh\nwait-for-it db:5432\nexec gunicorn app\n",
    }
    assert set(_waited(tmp_path, files)) == {"db"}


def test_a_published_image_built_here_runs_the_script_its_dockerfile_copies(tmp_path):
    files = {
        # the image name is read at run time: which Dockerfile builds it is not known
        "compose.yaml": f"services:\n  api:\n    image: ${{REGISTRY}}/api:${{TAG}}\n"
                        f"    command: ./bin/entrypoint.sh\n    depends_on: [db, cache]\n{STORES}",
        "api/Dockerfile": "FROM python:3.12-slim\nWORKDIR /code\nCOPY bin ./bin\n",
        "api/bin/entrypoint.sh": "#!/bin/sh\npython manage.py wait_for_db\nexec gunicorn app\n",
        "tools/bin/entrypoint.sh": "#!/bin/sh\nwait-for-it cache:6379\n",  # in no image
    }
    found = _waited(tmp_path, files)
    assert set(found) == {"db"}
    assert "api/bin/entrypoint.sh" in found["db"]


def test_a_swarm_stack_file_is_not_asked_for_depends_on_conditions(tmp_path):
    from prodready.testing import scan_files

    stack = ("services:\n  app:\n    image: acme/app:1\n    depends_on: [db]\n"
             "  db:\n    image: postgres:16\n    healthcheck:\n      test: [CMD, pg_isready]\n")
    flagged = {f.path for f in scan_files({"docker/docker-compose_swarm.yml": stack,
                                           "docker-stack.yml": stack,
                                           "docker-compose.yml": stack}, ["COMPOSE002"])}
    assert flagged == {"docker-compose.yml"}


def test_a_stack_for_swarm_restarts_its_tasks_without_a_restart_policy():
    from prodready.testing import scan_files

    stack = ("services:\n  web:\n    image: acme/web:1\n    deploy:\n      placement:\n"
             "        constraints: [node.role == manager]\n"
             "  worker:\n    image: acme/worker:1\n    command: celery worker\n")
    plain = stack.replace("    deploy:\n      placement:\n        constraints: [node.role =="
                          " manager]\n", "")
    # one service written for swarm makes the file a stack: swarm restarts every task
    assert scan_files({"services/docker-compose.yml": stack}, ["COMPOSE003"]) == []
    assert [f.line for f in scan_files({"services/docker-compose.yml": plain},
                                       ["COMPOSE003"])] == [2, 4]


@pytest.mark.parametrize(("files", "flagged"), [
    # named for building images, or only ever built and pushed
    ({"services/docker-compose-build.yml": "services:\n  web:\n    build: web\n"}, False),
    ({"services/docker-compose-deploy.yml": "services:\n  web:\n    image: acme/web:1\n",
      "Makefile": ("push:\n\tdocker compose --file services/docker-compose-deploy.yml push\n"
                   "pull:\n\tdocker compose -f services/docker-compose-deploy.yml pull web\n")},
     False),
    # only checked (`config`) or pulled: it runs somewhere
    ({"docker-compose.yml": "services:\n  web:\n    image: acme/web:1\n",
      ".github/workflows/lint.yml": ("on: push\njobs:\n  lint:\n    runs-on: ubuntu-latest\n"
                                     "    steps:\n      - run: docker compose -f "
                                     "docker-compose.yml config\n")}, True),
    # started by one command: it runs
    ({"services/docker-compose-deploy.yml": "services:\n  web:\n    image: acme/web:1\n",
      "Makefile": ("push:\n\tdocker compose --file services/docker-compose-deploy.yml push\n"
                   "up:\n\tdocker compose -f services/docker-compose-deploy.yml up -d\n")},
     True),
])
def test_a_compose_file_that_only_builds_and_pushes_images_runs_nothing(files, flagged):
    from prodready.testing import scan_files

    assert bool(scan_files(files, ["COMPOSE003", "COMPOSE004"])) is flagged


@pytest.mark.parametrize(("makefile", "flagged"), [
    # a service the repository only ever runs once, through a variable holding compose
    ("upgrade:\n\t$(DOCKER_COMPOSE) --file docker-compose-upgrade-db.yml run --rm db_update\n",
     False),
    ("certs:\n\t$DOCKER_COMPOSE -f docker-compose-upgrade-db.yml up --exit-code-from db_update\n",
     False),
    # started and left up
    ("up:\n\t${DOCKER_COMPOSE} -f docker-compose-upgrade-db.yml up -d\n", True),
])
def test_a_stack_the_repository_only_runs_once_needs_no_restart_policy(makefile, flagged):
    """Also through a script without an extension (`bw-dev`), which starts with `#!`."""
    from prodready.testing import scan_files

    stack = "services:\n  db_update:\n    image: pgautoupgrade/pgautoupgrade:17-bookworm\n"
    found = scan_files({"docker-compose-upgrade-db.yml": stack, "Makefile": makefile},
                       ["COMPOSE003"])
    assert bool(found) is flagged
    script = "#!/usr/bin/env bash\n" + makefile.split("\t", 1)[1]
    found = scan_files({"docker-compose-upgrade-db.yml": stack, "bw-dev": script},
                       ["COMPOSE003"])
    assert bool(found) is flagged
    # a file without `#!` is no script
    found = scan_files({"docker-compose-upgrade-db.yml": stack, "NOTES": script[20:]},
                       ["COMPOSE003"])
    assert bool(found)


def _severities(files, rule):
    from prodready.testing import scan_files

    return sorted((f.line, f.severity.value) for f in scan_files(files, [rule]))


def test_a_store_that_is_ready_as_it_starts_gates_nothing():
    deps = "services:\n  api:\n    image: acme/api:1\n    depends_on: [{deps}]\n"
    redis = "  cache:\n    image: redis:7\n"
    checked = redis + "    healthcheck:\n      test: [CMD, redis-cli, ping]\n"
    postgres = "  db:\n    image: postgres:16\n"
    # a Redis without a healthcheck: nothing to wait for, and its own check is information
    assert _severities({"compose.yaml": deps.format(deps="cache") + redis}, "COMPOSE002") == []
    assert _severities({"compose.yaml": deps.format(deps="cache") + redis},
                       "COMPOSE001") == [(5, "info")]
    # with a healthcheck, waiting for it is information
    assert _severities({"compose.yaml": deps.format(deps="cache") + checked},
                       "COMPOSE002") == [(4, "info")]
    # beside a database that is waited for too, the finding keeps its severity
    assert _severities({"compose.yaml": deps.format(deps="db, cache") + postgres + checked},
                       "COMPOSE002") == [(4, "medium")]
    assert _severities({"compose.yaml": deps.format(deps="db") + postgres},
                       "COMPOSE001") == [(5, "medium")]


def test_a_database_nothing_depends_on_has_no_one_to_tell_its_health():
    stack = ("services:\n  api:\n    image: acme/api:1\n    depends_on: [{deps}]\n"
             "  db:\n    image: postgres:16\n    ports: ['127.0.0.1:5432:5432']\n"
             "  queue:\n    image: rabbitmq:3\n    ports: ['5672:5672']\n")
    assert _severities({"compose.yaml": stack.format(deps="db")}, "COMPOSE001") == [
        (5, "medium"), (8, "info")]


def test_a_worker_dependants_start_after_only_for_ordering_is_informational():
    compose = ("services:\n  web:\n    image: acme/web:1\n    ports: ['80:8000']\n"
               "    healthcheck:\n      test: [CMD, curl, -f, http://localhost:8000/health]\n"
               "    depends_on: [worker]\n"
               "  worker:\n    image: acme/web:1\n    command: {command}\n")
    assert _severities({"compose.yaml": compose.format(command="celery -A app worker")},
                       "COMPOSE001") == [(8, "info")]
    # not a worker: a dependant may need it ready
    assert _severities({"compose.yaml": compose.format(command="python -m app.rpc_server")},
                       "COMPOSE001") == [(8, "medium")]
    assert _severities({"compose.yaml": compose.format(command="python -m app.dsl.worker")},
                       "COMPOSE001") == [(8, "info")]
    # a web server's worker class is no task worker
    web = "gunicorn -k uvicorn.workers.UvicornWorker app:app"
    assert _severities({"compose.yaml": compose.format(command=web)},
                       "COMPOSE001") == [(8, "medium")]
    # a dependant that waits for it to be healthy reads its health
    waited = compose.replace("depends_on: [worker]",
                             "depends_on:\n      worker:\n        condition: service_healthy")
    assert _severities({"compose.yaml": waited.format(command="celery -A app worker")},
                       "COMPOSE001") == [(10, "medium")]


def test_a_wsgi_server_that_does_nothing_else_at_start_needs_no_database_yet():
    from prodready.testing import scan_files

    def severities(command):
        compose = (f"services:\n  web:\n    image: acme/web:1\n    command: {command}\n"
                   "    depends_on: [db]\n  db:\n    image: postgres:16\n")
        return [f.severity.value for f in scan_files({"compose.yaml": compose}, ["COMPOSE002"])]

    assert severities("gunicorn config.wsgi --bind 0.0.0.0:8000") == ["info"]
    assert severities("sh -c 'python manage.py migrate && gunicorn config.wsgi'") == ["medium"]
    assert severities("python manage.py qcluster") == ["medium"]
    assert severities("uvicorn app.main:app") == ["medium"]  # an ASGI app may set up at start



def test_one_repository_several_images_told_apart_by_tag(tmp_path):
    from prodready.project.compose import image_source

    workflow = ("on: push\njobs:\n  images:\n    runs-on: ubuntu-latest\n    steps:\n"
                "      - uses: docker/build-push-action@v6\n        with:\n"
                "          file: docker/Dockerfile.nginx\n          push: true\n"
                "          tags: acme/app:frontend\n"
                "      - uses: docker/build-push-action@v6\n        with:\n"
                "          file: docker/Dockerfile.prod\n          push: true\n"
                "          tags: acme/app:backend\n")
    files = {".github/workflows/images.yml": workflow,
             "docker/Dockerfile.nginx": "FROM nginx:1.27\nCOPY dist /usr/share/nginx/html\n",
             "docker/Dockerfile.prod": "FROM python:3.12-slim\nCOPY start.sh /start.sh\n"
                                       "ENTRYPOINT [\"/start.sh\"]\n",
             "start.sh": "#!/bin/sh\npython manage.py wait_for_db\nexec gunicorn app.wsgi\n",
             "compose.yaml": "services:\n  api:\n    image: acme/app:backend\n"
                             "    depends_on: [db]\n  web:\n    image: acme/app:frontend\n"
                             "  db:\n    image: postgres:16\n"}
    assert set(_waited(tmp_path, files)) == {"db"}
    result = scan(tmp_path, Config(), jobs=1, use_cache=False)
    [config] = configs(result.project)
    sources = {name: image_source(result.project, config.services[name]) for name in ("api", "web")}
    assert {n: s.dockerfile for n, s in sources.items() if s} == {
        "api": "docker/Dockerfile.prod", "web": "docker/Dockerfile.nginx"}


def test_celery_started_by_the_images_entrypoint_script_retries_its_broker(tmp_path):
    files = {"Dockerfile": "FROM python:3.12-slim\nCOPY tools/ /opt/bin/\n",
             "tools/prod-celery.sh": "#!/usr/bin/env bash\ncd /backend\n"
                                     "\"celery\" --app=config worker --loglevel=info\n",
             "compose.yaml": "services:\n  api:\n    build: .\n"
                             "    entrypoint: [\"/opt/bin/prod-celery.sh\"]\n"
                             f"    depends_on: [db, cache, mq]\n{STORES}"}
    found = _waited(tmp_path, files)
    assert set(found) == {"cache", "mq"}
    assert all("Celery retries" in why for why in found.values())


def test_memcached_logs_nothing_unless_its_command_asks():
    compose = ("services:\n  api:\n    image: acme/api:1\n    restart: always\n"
               "  cache:\n    image: memcached:1.6\n    restart: always\n"
               "  verbose:\n    image: memcached:1.6\n    command: memcached -vv\n")
    assert _severities({"docker-compose.prod.yml": compose}, "COMPOSE004") == [
        (2, "medium"), (5, "info"), (8, "medium")]
