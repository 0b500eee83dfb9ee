"""Facts the Compose model derives for every rule: services that never run a container."""

from __future__ import annotations

import pytest

from prodready.config import Config
from prodready.engine import scan
from prodready.project.compose import configs
from prodready.testing import write_tree


@pytest.mark.parametrize(("extra", "never"), [
    ("    deploy:\n      replicas: 0\n", True),
    ("    deploy:\n      replicas: \"0\"\n", True),
    ("    scale: 0\n", True),
    ("    deploy:\n      replicas: 2\n", False),
    ("    deploy:\n      replicas: ${REPLICAS:-1}\n", False),
    ("", False),
    # every profile says the service is switched off
    ("    profiles: [\"NEVER-solr0\"]\n", True),
    ("    profiles: [disabled]\n", True),
    ("    profiles: [\"NEVER-solr0\", web0]\n", False),
    ("    profiles: [web0, web1]\n", False),
])
def test_a_service_with_no_replicas_never_runs(tmp_path, extra, never):
    write_tree(tmp_path, {"compose.yaml": f"services:\n  prepull:\n    image: acme/box:1\n"
                                          f"    ports: [\"80:80\"]\n{extra}"})
    result = scan(tmp_path, Config(select=["COMPOSE"]), jobs=1, use_cache=False)
    assert result.project is not None
    svc = configs(result.project)[0].services["prepull"]
    assert svc.never_runs is never
    rules = {f.rule_id for f in result.findings}
    # nothing about running it is judged when no container exists
    assert bool(rules & {"COMPOSE001", "COMPOSE003", "COMPOSE004", "COMPOSE006"}) is not never


COMMON = """\
services:
  db:
    image: postgres:16
    healthcheck:
      test: ["CMD-SHELL", "pg_isready -U postgres"]
    logging:
      driver: local
"""


def _services(tmp_path, files, select="COMPOSE"):
    write_tree(tmp_path, files)
    result = scan(tmp_path, Config(select=[select]), jobs=1, use_cache=False)
    assert result.project is not None
    return {name: svc for config in configs(result.project)
            for name, svc in config.services.items()}, result.findings


def test_extends_merges_the_extended_service_under_its_own_definition(tmp_path):
    services, findings = _services(tmp_path, {
        "compose.yaml": "services:\n  db:\n    extends:\n      file: ./common/.db.yml\n"
                        "      service: db\n    ports: [\"127.0.0.1:5432:5432\"]\n"
                        "  api:\n    image: acme/api:1\n    depends_on:\n      db:\n"
                        "        condition: service_healthy\n",
        "common/.db.yml": COMMON,
    })
    db = services["db"]
    assert [layer.path for layer in db.layers] == ["common/.db.yml", "compose.yaml"]
    assert db.image == "postgres:16" and db.healthcheck is True and db.datastore == "postgres"
    assert not db.extends_unknown
    flagged = {(f.rule_id, f.path, f.line) for f in findings}
    assert not any(rule in ("COMPOSE001", "COMPOSE004") and line == 2
                   for rule, path, line in flagged if path == "compose.yaml")


def test_extends_in_the_same_file_and_an_unreadable_one(tmp_path):
    services, findings = _services(tmp_path, {
        "compose.yaml": "services:\n  base:\n    image: acme/api:1\n    restart: always\n"
                        "  web:\n    extends: base\n    ports: [\"80:80\"]\n"
                        "  gone:\n    extends:\n      file: ../outside.yml\n      service: x\n"
                        "    ports: [\"81:80\"]\n",
    }, select="COMPOSE001")
    web, gone = services["web"], services["gone"]
    assert web.scalar("restart") == "always" and not web.extends_unknown
    assert gone.extends_unknown
    flagged = {f.line for f in findings if f.rule_id == "COMPOSE001"}
    assert 5 in flagged  # web: the image it extends has no healthcheck
    assert 8 not in flagged  # gone: what it extends may define one


def test_bind_mounts_and_env_files_in_every_syntax(tmp_path):
    services, _ = _services(tmp_path, {
        "deploy/compose.yaml": (
            "services:\n  proxy:\n    image: nginx:1.27\n    env_file:\n      - .env\n"
            "      - path: ./proxy.env\n        required: false\n      - ${ENV_FILE}\n"
            "    volumes:\n      - ./certs:/etc/nginx/ssl:ro\n      - data:/var/lib/x\n"
            "      - /etc/localtime:/etc/localtime:ro\n      - ../../outside:/x\n"
            "      - type: bind\n        source: ../keys/site.key\n        target: /k.key\n"
            "      - ${CONF_DIR}:/conf\n"),
    })
    proxy = services["proxy"]
    assert [(path, site.line) for path, site in proxy.env_files()] == [
        ("deploy/.env", 5), ("deploy/proxy.env", 6)]
    assert [(host, target, site.line) for host, target, site in proxy.bind_mounts()] == [
        ("deploy/certs", "/etc/nginx/ssl", 10), ("keys/site.key", "/k.key", 14)]


def test_what_an_overlay_leaves_missing_is_reported_once_at_its_base(tmp_path):
    """A second Compose file that only adds to a service of the base file (here a host name)
    does not make a second service: a healthcheck or restart policy missing from both is
    one finding, at the base file's key."""
    write_tree(tmp_path, {
        "compose.yaml": "services:\n  web:\n    image: acme/web:1\n    ports: [\"80:80\"]\n",
        "compose.keycloak.yaml": "services:\n  web:\n    extra_hosts:\n"
                                 "      - \"kc.local:host-gateway\"\n",
    })
    result = scan(tmp_path, Config(select=["COMPOSE001", "COMPOSE003"]), jobs=1,
                  use_cache=False)
    assert sorted((f.rule_id, f.path, f.line) for f in result.findings) == [
        ("COMPOSE001", "compose.yaml", 2), ("COMPOSE003", "compose.yaml", 2)]


def test_settings_for_a_service_the_override_defines_are_no_service_of_their_own(tmp_path):
    """`compose.selinux.yaml` relabels the volumes of `db`, which only the default override
    defines: applied over both (`-f compose.yaml -f compose.override.yaml -f …`), never
    alone."""
    write_tree(tmp_path, {
        "compose.yaml": "services:\n  web:\n    image: acme/web:1\n    restart: always\n",
        "compose.override.yaml": "services:\n  db:\n    image: postgres:16\n"
                                 "    restart: always\n",
        "compose.selinux.yaml": "services:\n  db:\n    volumes:\n      - ./data:/data:z\n"
                                "  cache:\n    image: redis:7\n",
    })
    result = scan(tmp_path, Config(select=["COMPOSE003"]), jobs=1, use_cache=False)
    # a service the file defines itself is still judged there
    assert [(f.path, f.line) for f in result.findings] == [("compose.selinux.yaml", 5)]


def test_an_overlay_in_a_subdirectory_is_layered_over_the_base_above_it(tmp_path):
    """`compose/compose.with-s3.yaml` only adds settings to the root file's `web` (run as
    `-f compose.yaml -f compose/compose.with-s3.yaml`): what the base sets holds for it; a
    service the overlay defines itself is still judged there."""
    write_tree(tmp_path, {
        "compose.yaml": "services:\n  web:\n    image: acme/web:1\n    restart: always\n",
        "compose/compose.with-s3.yaml": "services:\n  web:\n    environment:\n      S3: '1'\n"
                                "  minio:\n    image: minio/minio\n",
    })
    result = scan(tmp_path, Config(select=["COMPOSE003"]), jobs=1, use_cache=False)
    assert sorted((f.path, f.line) for f in result.findings) == [
        ("compose/compose.with-s3.yaml", 5)]


def test_a_build_overlay_for_the_published_image_is_layered_over_the_base(tmp_path):
    """`docker-compose.build.yml` builds from source what the base pulls (`-f
    docker-compose.yml -f docker-compose.build.yml`): the base's restart policy holds; a
    file that builds a service the base does not define from an image stays its own."""
    write_tree(tmp_path, {
        "docker-compose.yml": "services:\n  web:\n    image: acme/web:1\n    restart: always\n",
        "docker-compose.build.yml": "services:\n  web:\n    build: .\n",
        "docker-compose.prod.yml": "services:\n  web:\n    build: .\n    image: acme/web:2\n",
    })
    result = scan(tmp_path, Config(select=["COMPOSE003"]), jobs=1, use_cache=False)
    assert sorted((f.path, f.line) for f in result.findings) == [
        ("docker-compose.prod.yml", 2)]


def test_an_overlay_that_only_builds_another_image_is_layered_over_the_base(tmp_path):
    """`docker-compose-full.yml` gives the base's service another Dockerfile and nothing
    else (`-f docker-compose.yml -f docker-compose-full.yml`): the base's settings hold."""
    write_tree(tmp_path, {
        "docker-compose.yml": "services:\n  app:\n    build: .\n    image: app\n"
                              "    restart: unless-stopped\n",
        "docker-compose-full.yml": "services:\n  app:\n    build:\n      context: ./\n"
                                   "      dockerfile: ./Dockerfile.full\n",
        "docker-compose-other.yml": "services:\n  other:\n    build: ./other\n",
    })
    result = scan(tmp_path, Config(select=["COMPOSE003"]), jobs=1, use_cache=False)
    assert sorted((f.path, f.line) for f in result.findings) == [
        ("docker-compose-other.yml", 2)]


def test_an_overlay_that_sets_the_missing_key_itself_is_judged_there(tmp_path):
    write_tree(tmp_path, {
        "compose.yaml": "services:\n  web:\n    image: acme/web:1\n"
                        "    restart: unless-stopped\n",
        "compose.logs.yaml": "services:\n  web:\n    logging:\n      driver: json-file\n",
    })
    result = scan(tmp_path, Config(select=["COMPOSE004"]), jobs=1, use_cache=False)
    assert sorted((f.path, f.line) for f in result.findings) == [
        ("compose.logs.yaml", 3), ("compose.yaml", 2)]


def test_an_overlay_that_changes_what_rules_read_is_its_own_configuration(tmp_path):
    write_tree(tmp_path, {
        "compose.yaml": "services:\n  web:\n    image: acme/web:1\n",
        "compose.deploy.yaml": "services:\n  web:\n    restart: always\n"
                               "    ports: [\"80:80\"]\n",
    })
    result = scan(tmp_path, Config(select=["COMPOSE001"]), jobs=1, use_cache=False)
    assert [(f.path, f.line) for f in result.findings] == [("compose.deploy.yaml", 2)]


DEPLOYED_TOGETHER = {
    "compose.yml": "services:\n  web:\n    image: acme/web:1\n    ports: [\"80:80\"]\n",
    "compose.override.yml": "services:\n  web:\n    volumes: [\"./src:/src\"]\n",
    "compose.deploy.yml": "services:\n  web:\n    restart: always\n",
}


@pytest.mark.parametrize(("runner", "reported"), [
    ({"Makefile": "deploy:\n\tdocker compose -f compose.yml -f compose.deploy.yml up -d\n"},
     False),
    ({}, True),
])
def test_a_configuration_the_repository_runs_judges_its_services(tmp_path, runner, reported):
    """The base file with its development override lacks a restart policy; the deploy file
    the repository runs it with sets one. Only the configuration that is run counts."""
    write_tree(tmp_path, {**DEPLOYED_TOGETHER, **runner})
    result = scan(tmp_path, Config(select=["COMPOSE003"]), jobs=1, use_cache=False)
    assert bool([f for f in result.findings if f.path == "compose.yml"]) is reported


@pytest.mark.parametrize(("compose", "severity"), [
    # an edge proxy nothing depends on: Compose would not act on its health
    ("services:\n  proxy:\n    image: nginx:1.27\n    ports: [\"80:80\"]\n", "info"),
    # started before another service, which does not wait for it to be healthy
    ("services:\n  proxy:\n    image: nginx:1.27\n    ports: [\"80:80\"]\n"
     "  certbot:\n    image: certbot/certbot:v2\n    depends_on: [proxy]\n", "info"),
    # the same proxy, waited for to be healthy by another service
    ("services:\n  proxy:\n    image: nginx:1.27\n    ports: [\"80:80\"]\n"
     "  e2e:\n    image: acme/e2e:1\n    depends_on:\n      proxy:\n"
     "        condition: service_healthy\n", "medium"),
    # an edge proxy built here FROM caddy, its configuration baked in
    ("services:\n  proxy:\n    build: {context: ., dockerfile: Dockerfile.caddy}\n"
     "    ports: [\"443:443\"]\n", "info"),
    # the project's own service
    ("services:\n  web:\n    build: .\n    ports: [\"80:80\"]\n", "medium"),
])
def test_a_third_party_server_nothing_waits_on_is_information(tmp_path, compose, severity):
    write_tree(tmp_path, {"compose.yaml": compose,
                          "Dockerfile": "FROM python:3.12-slim\nCMD [\"gunicorn\", \"app:app\"]\n",
                          "Dockerfile.caddy": "FROM caddy:2.8\nCOPY Caddyfile /etc/caddy/\n"})
    result = scan(tmp_path, Config(select=["COMPOSE001"]), jobs=1, use_cache=False)
    assert [f.severity.value for f in result.findings if f.line == 2] == [severity]


def test_the_scripts_a_script_sources_are_named_by_their_whole_word():
    from prodready.project.compose import _SOURCED, _sourced_name

    text = ("set -e\nsource ./scripts/env.sh\n. common.sh;\nsource \"x/y.sh\"\n"
            ". " + "a" * 5000 + "\nsource env.sh.bak\n")
    assert [n for m in _SOURCED.finditer(text) if (n := _sourced_name(m[1]))] == [
        "env.sh", "common.sh", "y.sh"]


APP_NO_HEALTH = ("from flask import Flask\n\napp = Flask(__name__)\n\n\n@app.get('/items')\n"
                 "def items():\n    return []\n")


@pytest.mark.parametrize(("app", "compose", "severity"), [
    # the project's app serves no health route and nothing waits on it: APP001 comes first
    (APP_NO_HEALTH, "services:\n  web:\n    build: .\n    ports: [\"80:80\"]\n", "info"),
    # ... but a dependant does
    (APP_NO_HEALTH, "services:\n  web:\n    build: .\n    ports: [\"80:80\"]\n"
     "  e2e:\n    image: acme/e2e:1\n    depends_on: [web]\n", "medium"),
    # the app serves a health route a check could fetch
    (APP_NO_HEALTH + "\n\n@app.get('/health')\ndef health():\n    return 'ok'\n",
     "services:\n  web:\n    build: .\n    ports: [\"80:80\"]\n", "medium"),
])
def test_an_app_without_a_health_route_is_asked_for_the_route_first(tmp_path, app, compose,
                                                                   severity):
    write_tree(tmp_path, {"compose.yaml": compose, "app.py": app,
                          "Dockerfile": "FROM python:3.12-slim\nCOPY . /app\n"
                                        "CMD [\"gunicorn\", \"app:app\"]\n"})
    result = scan(tmp_path, Config(select=["COMPOSE001"]), jobs=1, use_cache=False)
    assert [f.severity.value for f in result.findings if f.line == 2] == [severity]


def test_a_file_compose_refuses_is_a_parse_error_and_runs_nothing(tmp_path):
    broken = ("services:\n  redis:\n    image: redis:7\n  rabbitmq:\n  image: acme/rabbitmq\n"
              "  ports:\n    - 5672:5672\n")
    write_tree(tmp_path, {"docker-compose.yml": broken})
    result = scan(tmp_path, Config(select=["COMPOSE001", "COMPOSE003"]), jobs=1,
                  use_cache=False)
    assert not result.findings
    [diagnostic] = [d for d in result.diagnostics if d.path == "docker-compose.yml"]
    assert diagnostic.kind == "PARSE" and diagnostic.line == 4 and "'rabbitmq'" in \
        diagnostic.message
    # the same file with the service indented properly is judged
    write_tree(tmp_path, {"docker-compose.yml": broken.replace("  image: acme", "    image: acme")
                          .replace("  ports:\n    - 5672", "    ports:\n      - 5672")})
    result = scan(tmp_path, Config(select=["COMPOSE001", "COMPOSE003"]), jobs=1,
                  use_cache=False)
    assert result.findings and not [d for d in result.diagnostics if d.kind == "PARSE"]
