"""The service model links each app to its code, image, compose service and workload."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from prodready.cli import app
from prodready.config import Config
from prodready.engine import scan
from prodready.facts import is_health_path
from prodready.project.services import build_services, route_matches, services_of
from prodready.testing import write_tree

MONOREPO = Path(__file__).resolve().parents[1] / "fixtures" / "repos" / "monorepo"


def _services():
    result = scan(MONOREPO, Config.model_validate({}), jobs=1, use_cache=False)
    return {s.name: s for s in build_services(result.project)}


def test_monorepo_has_three_services_with_their_runners():
    services = _services()
    assert sorted(services) == ["orders.main:app",
                                "payments.main:app",
                                "web.app:app"]
    orders = services["orders.main:app"]
    assert orders.kind == "fastapi" and orders.line == 24
    assert orders.dockerfiles == ["services/orders/Dockerfile"]
    runners = {(r.source, r.name) for r in orders.runners}
    assert runners == {("dockerfile", "services/orders/Dockerfile"), ("compose", "orders"),
                       ("kubernetes", "orders/orders")}
    web = services["web.app:app"]
    assert web.kind == "flask"
    assert {(r.source, r.name) for r in web.runners} == {
        ("dockerfile", "services/web/Dockerfile"), ("compose", "web"), ("kubernetes", "web/web")}


def test_router_prefix_is_resolved_across_modules():
    orders = _services()["orders.main:app"]
    paths = {r.path: r for r in orders.routes}
    assert set(paths) == {"/orders/{order_id}", "/health/live", "/health/ready"}
    assert paths["/health/ready"].certain
    assert paths["/health/ready"].file == "services/orders/orders/routers/health.py"
    assert paths["/health/ready"].can_fail


def test_resources_and_probes_are_attached_to_the_right_service():
    services = _services()
    payments = services["payments.main:app"]
    assert [(k, v) for k, v, _, _ in payments.resources] == [("http-client", "ledger")]
    probes = [(p.kind, p.path) for r in payments.runners for p in r.probes]
    assert probes == [("liveness", "/health/live"), ("readiness", "/healthz")]
    assert not payments.trusts_proxy()
    assert services["orders.main:app"].trusts_proxy()


def test_route_matching_understands_parameters():
    assert route_matches("/items/{item_id}", "/items/3")
    assert route_matches("/u/<int:pk>/", "/u/7")
    assert route_matches("/health/", "/health?full=1")
    assert not route_matches("/health/live", "/healthz")


def test_services_command_prints_json_and_tree():
    runner = CliRunner()
    result = runner.invoke(app, ["services", str(MONOREPO), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [s["kind"] for s in data] == ["fastapi", "fastapi", "flask"]
    text = runner.invoke(app, ["services", str(MONOREPO)])
    assert text.exit_code == 0
    assert "web.app:app (flask)" in text.output
    assert "readiness probe /healthz port 8000" in text.output


def test_services_no_cache_writes_nothing_into_the_repository(tmp_path):
    from prodready.testing import write_tree

    write_tree(tmp_path, {"app/main.py": "from fastapi import FastAPI\n\napp = FastAPI()\n"})
    result = CliRunner().invoke(app, ["services", str(tmp_path), "--no-cache"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["app"]


def test_mounted_sub_applications_are_part_of_the_app_that_mounts_them(tmp_path):
    from prodready.testing import write_tree

    write_tree(tmp_path, {
        "server/pyproject.toml": "[project]\nname = 'shop'\n",
        "server/shop/__init__.py": "",
        "server/shop/admin.py": "from fastapi import FastAPI\n\nadmin = FastAPI()\n",
        "server/shop/links.py": ("from starlette.applications import Starlette\n\n"
                                 "links = Starlette()\n"),
        "server/shop/api.py": "from fastapi import FastAPI\n\napi = FastAPI()\n",
        "server/shop/main.py": (
            "from fastapi import FastAPI\n"
            "from shop.admin import admin\n"
            "from shop.links import links\n"
            "from shop.api import api\n\n"
            "app = FastAPI()\n"
            'app.mount("/admin", admin)\n'
            'app.host("links.example.com", links)\n'
            'app.mount("/api/v1", app=api)\n'),
    })
    result = scan(tmp_path, Config.model_validate({}), jobs=1, use_cache=False)
    assert [s.name for s in build_services(result.project)] == ["shop.main:app"]


def test_django_routes_come_from_every_path_of_the_urlconf(tmp_path):
    from prodready.testing import write_tree

    write_tree(tmp_path, {
        "manage.py": "import os\n",
        "site/__init__.py": "",
        "site/settings.py": ('INSTALLED_APPS = ["django.contrib.auth"]\n'
                             'ROOT_URLCONF = "site.urls"\n'),
        "site/wsgi.py": ("from django.core.wsgi import get_wsgi_application\n\n"
                         "application = get_wsgi_application()\n"),
        "site/urls.py": (
            "from django.conf import settings\n"
            "from django.urls import include, path\n"
            "from site import views\n\n"
            "_patterns = [\n"
            "    path('api/', include('site.api.urls')),\n"
            "    path('healthz/', views.healthz),\n"
            "]\n"
            "urlpatterns = [path(settings.BASE_PATH, include(_patterns))]\n"),
    })
    result = scan(tmp_path, Config.model_validate({}), jobs=1, use_cache=False)
    [site] = build_services(result.project)
    assert (site.kind, site.path, site.line) == ("django", "site/wsgi.py", 3)
    assert [r.path for r in site.routes] == ["/healthz/"]
    assert [r.path for r in site.health_routes] == ["/healthz/"]


def test_services_json_shows_resource_use_environment_and_server_flags():
    runner = CliRunner()
    data = {s["name"]: s for s in json.loads(runner.invoke(
        app, ["services", str(MONOREPO), "--format", "json"]).output)}
    orders = data["orders.main:app"]
    ready = next(r for r in orders["routes"] if r["path"] == "/health/ready")
    assert ready["uses"] == ["engine"]
    assert [e["name"] for e in orders["env"]] == ["ORDERS_DATABASE_URL"]
    docker = next(r for r in orders["runners"] if r["source"] == "dockerfile")
    assert (docker["server"], docker["port"], docker["proxy_headers"],
            docker["forwarded_allow_ips"]) == ("uvicorn", 8000, True, True)
    payments = next(r for r in data["payments.main:app"]["runners"] if r["source"] == "dockerfile")
    assert (payments["proxy_headers"], payments["forwarded_allow_ips"]) == (True, False)


def test_startup_and_shutdown_handlers_are_part_of_the_model(tmp_path):
    from prodready.testing import write_tree

    write_tree(tmp_path, {"app/main.py": (
        "from fastapi import FastAPI\n\napp = FastAPI()\n\n\n"
        '@app.on_event("startup")\nasync def connect():\n    pass\n\n\n'
        '@app.on_event("shutdown")\nasync def disconnect():\n    pass\n')})
    result = scan(tmp_path, Config.model_validate({}), jobs=1, use_cache=False)
    [svc] = build_services(result.project)
    assert svc.startup_hooks == ["on_event(startup) connect"]
    assert svc.shutdown_hooks == ["on_event(shutdown) disconnect"]


def test_dockerfile_copy_links_the_service_and_odd_copies_do_not_crash(tmp_path):
    from prodready.testing import write_tree

    write_tree(tmp_path, {
        "svc/pyproject.toml": "[project]\nname = 'svc'\n",
        "svc/main.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
        "Dockerfile": ("FROM python:3.12-slim AS build\nFROM python:3.12-slim\n"
                       'COPY "broken ./x\nCOPY --from=build /wheels /wheels\n'
                       'COPY --chown=app svc ./svc\nCMD ["python", "-m", "server"]\n'),
    })
    result = scan(tmp_path, Config.model_validate({}), jobs=1, use_cache=False)
    assert not [d for d in result.diagnostics if d.kind == "INTERNAL"]
    [svc] = build_services(result.project)
    assert svc.dockerfiles == ["Dockerfile"]


def test_a_command_naming_app_app_runs_the_app_beside_its_own_dockerfile(tmp_path):
    from prodready.testing import write_tree

    flask = "from flask import Flask\n\napp = Flask(__name__)\n"
    image = 'FROM python:3.12-slim\nCOPY . /app\nCMD ["gunicorn", "app:app"]\n'
    write_tree(tmp_path, {
        "integrations/scanner/app.py": flask, "integrations/scanner/Dockerfile": image,
        "integrations/sandbox/app.py": flask, "integrations/sandbox/Dockerfile": image,
        # an image built at the top that copies everything may run either: it names `app:app`
        "Dockerfile": image,
    })
    result = scan(tmp_path, Config.model_validate({}), jobs=1, use_cache=False)
    found = {s.path: s.dockerfiles for s in build_services(result.project)}
    assert found == {
        "integrations/sandbox/app.py": ["Dockerfile", "integrations/sandbox/Dockerfile"],
        "integrations/scanner/app.py": ["Dockerfile", "integrations/scanner/Dockerfile"]}


def test_a_flask_app_beside_a_fastapi_prototype_keeps_its_routes_and_its_image(tmp_path):
    """The image starts `gunicorn app.instance:app`: the FastAPI prototype beside it runs
    nowhere. Blueprints imported from `flask.blueprints` keep their prefix, a `/` prefix
    joins without a double slash, and a view module that registers on an `app` parameter
    belongs to the Flask app."""
    from prodready.testing import write_tree

    write_tree(tmp_path, {
        "app/__init__.py": "",
        "app/instance.py": (
            "from flask import Flask\nfrom app.events import events\n"
            "from app.auth import auth\nfrom app import graphql\n\n"
            "app = Flask(__name__)\napp.register_blueprint(events)\n"
            "app.register_blueprint(auth)\ngraphql.init_app(app)\n"),
        "app/events.py": ("from flask.blueprints import Blueprint\n\n"
                          "events = Blueprint('events', __name__, url_prefix='/v1/events')\n\n\n"
                          "@events.route('/<id>/streams')\ndef streams(id):\n    return {}\n"),
        "app/auth.py": ("from flask import Blueprint\n\n"
                        "auth = Blueprint('auth', __name__, url_prefix='/')\n\n\n"
                        "@auth.route('/auth/session')\ndef session():\n    return {}\n"),
        "app/graphql.py": ("from flask import jsonify\n\n\ndef init_app(app):\n"
                           "    app.add_url_rule('/graphql', view_func=lambda: jsonify({}))\n"),
        "app/asgi.py": ("from fastapi import FastAPI\n\napp = FastAPI()\n\n\n"
                        "@app.websocket('/ws')\nasync def ws(socket):\n    pass\n"),
        "scripts/start.sh": "#!/bin/sh\nexec gunicorn -b 0.0.0.0:8080 app.instance:app\n",
        "Dockerfile": ("FROM python:3.12-slim\nCOPY . /srv\nWORKDIR /srv\n"
                       'ENTRYPOINT ["sh", "scripts/start.sh"]\n'),
    })
    result = scan(tmp_path, Config.model_validate({}), jobs=1, use_cache=False)
    found = {s.module_ref: (sorted(r.path for r in s.routes if r.path), s.dockerfiles)
             for s in build_services(result.project)}
    assert found == {
        "app.instance:app": (["/auth/session", "/graphql", "/v1/events/<id>/streams"],
                             ["Dockerfile"]),
        "app.asgi:app": (["/ws"], [])}


def test_an_instance_of_the_projects_own_blueprint_subclass_keeps_its_prefix(tmp_path):
    from prodready.testing import write_tree

    write_tree(tmp_path, {
        "web/__init__.py": "",
        "web/wrappers.py": ("from flask import Blueprint\n\n\n"
                            "class SiteBlueprint(Blueprint):\n    pass\n"),
        "web/admin.py": ("from web.wrappers import SiteBlueprint\n\n"
                         "bp = SiteBlueprint('admin', __name__, url_prefix='/admin')\n\n\n"
                         "@bp.route('/tasks/')\ndef tasks():\n    return ''\n"),
        "web/app.py": ("from flask import Flask\nfrom web.admin import bp\n\n"
                       "app = Flask(__name__)\napp.register_blueprint(bp)\n"),
    })
    result = scan(tmp_path, Config.model_validate({}), jobs=1, use_cache=False)
    [svc] = build_services(result.project)
    assert [r.path for r in svc.routes] == ["/admin/tasks/"]


def test_an_instance_of_the_projects_own_flask_subclass_is_a_service(tmp_path):
    from prodready.testing import write_tree

    write_tree(tmp_path, {
        "dash/__init__.py": "",
        "dash/app.py": ("from flask import Flask\n\n\nclass Dash(Flask):\n    pass\n\n\n"
                        "def create_app():\n    app = Dash(__name__)\n    return app\n"),
        "dash/wsgi.py": "from dash.app import Dash\n\napplication = Dash('x')\n",
        "dash/other.py": "from collections import OrderedDict\n\nd = OrderedDict()\n",
    })
    result = scan(tmp_path, Config.model_validate({}), jobs=1, use_cache=False)
    found = sorted((s.path, s.line, s.kind) for s in build_services(result.project))
    assert found == [("dash/app.py", 9, "flask"), ("dash/wsgi.py", 3, "flask")]


def _build(tmp_path, files):
    from prodready.testing import write_tree

    write_tree(tmp_path, files)
    result = scan(tmp_path, Config.model_validate({}), jobs=1, use_cache=False)
    return build_services(result.project)


def test_an_app_created_in_if_else_or_try_except_is_one_service(tmp_path):
    services = _build(tmp_path, {
        "app/main.py": (
            "import os\nfrom fastapi import FastAPI\n\n"
            "if os.getenv('DEBUG'):\n    app = FastAPI(debug=True)\n"
            "else:\n    app = FastAPI(docs_url=None)\n\n"
            "try:\n    api = FastAPI(lifespan=lifespan)\n"
            "except TypeError:\n    api = FastAPI()\n"
            "app.mount('/api', api)\n\n"
            "@app.get('/healthz')\ndef healthz():\n    return {}\n"),
    })
    assert [(s.name, s.line) for s in services] == [("app.main:app", 5)]
    assert [r.path for r in services[0].routes] == ["/healthz"]


def test_a_sub_application_mounted_through_a_package_re_export_is_part_of_the_app(tmp_path):
    services = _build(tmp_path, {
        "idp/__init__.py": "",
        "idp/apps/__init__.py": ("from idp.apps.admin.app import app as admin_app\n"
                                 "from idp.apps.auth.app import app as auth_app\n"),
        "idp/apps/admin/__init__.py": "",
        "idp/apps/admin/app.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
        "idp/apps/auth/__init__.py": "",
        "idp/apps/auth/app.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
        "idp/app.py": ("from fastapi import FastAPI\n"
                       "from idp.apps import admin_app, auth_app\n\n"
                       "app = FastAPI()\n"
                       'app.mount("/admin", admin_app)\n'
                       'app.mount("/", auth_app)\n'),
    })
    assert [s.name for s in services] == ["idp.app:app"]


@pytest.mark.parametrize(("module", "route", "services"), [
    ("commands", "", ["alerts.app:app"]),
    ("tools", "", ["alerts.app:app"]),  # a FlaskGroup factory, whatever the module's name
    ("commands", '@app.route("/ping")\ndef ping():\n    return "pong"\n',
     ["alerts.app:app", "alerts.commands:app"]),
])
def test_an_app_a_command_line_builds_without_routes_is_not_a_service(tmp_path, module, route,
                                                                        services):
    found = _build(tmp_path, {
        "alerts/__init__.py": "",
        "alerts/app.py": ("from flask import Flask\n\napp = Flask(__name__)\n\n"
                          '@app.route("/alerts")\ndef alerts():\n    return []\n'),
        f"alerts/{module}.py": ("import click\nfrom flask import Flask\n"
                                "from flask.cli import FlaskGroup\n\n"
                                f"app = Flask(__name__)\n{route}\n"
                                "@click.group(cls=FlaskGroup, create_app=lambda: app)\n"
                                "def cli():\n    pass\n"),
        "Dockerfile": ("FROM python:3.12-slim\nCOPY . /app\n"
                       f'CMD ["python", "-m", "alerts.{module}", "run", "--host", "0.0.0.0"]\n'),
    })
    assert sorted(s.name for s in found) == services


LIGHT_APP = {
    "mail/__init__.py": "",
    "mail/server.py": ("from flask import Flask\n\n\ndef create_light_app():\n"
                       "    app = Flask(__name__)\n    return app\n"),
    "mail/web.py": ("from flask import Flask\n\napp = Flask(__name__)\n\n\n"
                    "@app.route('/aliases')\ndef aliases():\n    return []\n"),
    "mail/cron.py": ("from mail.server import create_light_app\n\n\ndef main():\n"
                     "    with create_light_app().app_context():\n        pass\n"),
    "Dockerfile": 'FROM python:3.12-slim\nCOPY . /app\nCMD ["gunicorn", "mail.web:app"]\n',
}


@pytest.mark.parametrize(("extra", "services"), [
    ({}, ["mail.web:app"]),
    # called another way too: maybe served
    ({"mail/wsgi.py": "from mail.server import create_light_app\n\napp = create_light_app()\n"},
     ["mail.server:app", "mail.web:app"]),
    # a start script names the factory
    ({"docker/entrypoint.sh": "#!/bin/sh\nexec gunicorn 'mail.server:create_light_app()'\n"},
     ["mail.server:app", "mail.web:app"]),
    # a log line quoted in the notes names it without starting it
    ({"NOTES.md": "mail.server - INFO - create_light_app: <<<< Starting >>>>\n"},
     ["mail.web:app"]),
    # a start command names the factory
    ({"Dockerfile": ('FROM python:3.12-slim\nCOPY . /app\n'
                     'CMD ["gunicorn", "mail.server:create_light_app()"]\n')},
     ["mail.server:app", "mail.web:app"]),
])
def test_an_app_built_only_for_its_context_is_not_a_service(tmp_path, extra, services):
    found = _build(tmp_path, {**LIGHT_APP, **extra})
    assert sorted(s.name for s in found) == services


@pytest.mark.parametrize(("files", "services"), [
    # a data job's task builds an app and pushes its context for the database
    ({"flows/migrate.py": ("from flask import Flask\n\n\ndef init_db(config):\n"
                           "    app = Flask('init')\n    app.config.from_object(config)\n"
                           "    app.app_context().push()\n    return app\n")}, []),
    # a scheduled job's image runs a script that enters its app's context and exits
    ({"job/__init__.py": ("from flask import Flask\n\n\ndef create_app():\n"
                          "    app = Flask(__name__)\n    return app\n"),
      "run.py": ("from job import create_app\n\nif __name__ == '__main__':\n"
                 "    application = create_app()\n    with application.app_context():\n"
                 "        application.logger.info('done')\n"),
      "Dockerfile": 'FROM python:3.12-slim\nCOPY . /code\nCMD ["python", "/code/run.py"]\n'},
     []),
    # another package's factory of the same name, served: the job's app is still no service
    ({"job/__init__.py": ("from flask import Flask\n\n\ndef create_app():\n"
                          "    app = Flask(__name__)\n    return app\n"),
      "job/run.py": ("from job import create_app\n\nif __name__ == '__main__':\n"
                     "    application = create_app()\n    with application.app_context():\n"
                     "        application.logger.info('done')\n"),
      "web/__init__.py": ("from flask import Flask\n\n\ndef create_app():\n"
                          "    app = Flask(__name__)\n\n    @app.route('/items')\n"
                          "    def items():\n        return []\n\n    return app\n"),
      "web/wsgi.py": "from web import create_app\n\napplication = create_app()\n"},
     ["web:app"]),
    # the same factory served by another module: a service
    ({"job/__init__.py": ("from flask import Flask\n\n\ndef create_app():\n"
                          "    app = Flask(__name__)\n    return app\n"),
      "run.py": ("from job import create_app\n\napplication = create_app()\n"
                 "application.run(host='0.0.0.0')\n")}, ["job:app"]),
    # a served app that pushes its context at start-up keeps its routes
    ({"web/app.py": ("from flask import Flask\n\n\ndef create_app():\n"
                     "    app = Flask(__name__)\n    app.app_context().push()\n\n"
                     "    @app.route('/items')\n    def items():\n        return []\n\n"
                     "    return app\n")}, ["web.app:app"]),
])
def test_an_app_whose_context_a_job_enters_is_not_a_service(tmp_path, files, services):
    assert sorted(s.name for s in _build(tmp_path, files)) == services


def test_routes_declared_on_resource_classes_belong_to_the_app(tmp_path):
    """Flask-RESTX: `@ns.route("healthz")` on a Resource class is a route (with the verbs its
    methods answer), so the namespace's health route is found."""
    [svc] = _build(tmp_path, {
        "api/__init__.py": ("from flask import Flask\n\nfrom api.resources import BLUEPRINT\n\n"
                            "app = Flask(__name__)\napp.register_blueprint(BLUEPRINT)\n"),
        "api/resources.py": (
            "from flask import Blueprint\nfrom flask_restx import Api, Namespace, Resource\n\n"
            "BLUEPRINT = Blueprint('ops', __name__, url_prefix='/ops')\nAPI = Api(BLUEPRINT)\n"
            "NS = Namespace('ops')\nAPI.add_namespace(NS, path='/')\n\n\n"
            "@NS.route('healthz')\nclass Healthz(Resource):\n    def get(self):\n"
            "        return {'message': 'api is healthy'}\n\n\n"
            "@NS.route('/items')\nclass Items(Resource):\n    def get(self):\n        return []\n\n"
            "    def post(self):\n        return {}\n"),
    })
    assert sorted((r.path, r.methods, r.handler) for r in svc.routes) == [
        ("/items", ("GET", "POST"), "Items"), ("healthz", ("GET",), "Healthz")]
    assert [r.handler for r in svc.health_routes] == ["Healthz"]


def test_a_django_project_mounted_in_a_fastapi_app_is_part_of_that_service(tmp_path):
    services = _build(tmp_path, {
        "manage.py": "import os\n",
        "proj/__init__.py": "",
        "proj/settings.py": ('INSTALLED_APPS = ["django.contrib.auth"]\n'
                             'ROOT_URLCONF = "proj.urls"\n'),
        "proj/wsgi.py": ("from django.core.wsgi import get_wsgi_application\n\n"
                         "application = get_wsgi_application()\n"),
        "proj/urls.py": ("from django.urls import path\nfrom proj import views\n\n"
                         "urlpatterns = [path('admin/users/', views.users)]\n"),
        "proj/asgi.py": (
            "from django.core.wsgi import get_wsgi_application\n"
            "from fastapi import FastAPI\nfrom fastapi.middleware.wsgi import WSGIMiddleware\n\n"
            "django_app = get_wsgi_application()\n"
            "app = FastAPI()\n\n\n@app.get('/api/health')\ndef health():\n    return {}\n\n\n"
            "app.mount('/', WSGIMiddleware(django_app))\n"),
    })
    [svc] = services
    assert (svc.name, svc.kind) == ("proj.asgi:app", "fastapi")
    assert sorted(r.path for r in svc.routes) == ["/admin/users/", "/api/health"]


def test_django_mounted_into_what_another_modules_factory_returns_is_one_service(tmp_path):
    services = _build(tmp_path, {
        "manage.py": "import os\n",
        "proj/__init__.py": "",
        "proj/settings.py": ('INSTALLED_APPS = ["django.contrib.auth"]\n'
                             'ROOT_URLCONF = "proj.urls"\n'),
        "proj/urls.py": ("from django.urls import path\nfrom proj import views\n\n"
                         "urlpatterns = [path('admin/users/', views.users)]\n"),
        "proj/api/__init__.py": "",
        "proj/api/main.py": (
            "from fastapi import FastAPI\n\n\ndef create_application():\n"
            "    app = FastAPI()\n\n    @app.get('/api/ping')\n    def ping():\n"
            "        return {}\n\n    return app\n"),
        "proj/asgi.py": (
            "from django.core.asgi import get_asgi_application\n\n"
            "django_application = get_asgi_application()\n\n\n"
            "def create_application():\n"
            "    from proj.api.main import create_application\n\n"
            "    app = create_application()\n    app.mount('/', django_application)\n"
            "    return app\n\n\napplication = create_application()\n"),
    })
    assert [(s.kind, s.path) for s in services] == [("fastapi", "proj/api/main.py")]
    assert services[0].merged_paths == ["proj/asgi.py"]  # its settings are the service's too


def test_a_workers_health_app_is_its_own_small_service(tmp_path):
    services = {s.name: s for s in _build(tmp_path, {
        "Dockerfile": 'FROM python:3.12-slim\nCMD ["uvicorn", "shop.main:app"]\n',
        "pyproject.toml": "[project]\nname = 'shop'\n",
        "shop/__init__.py": "",
        "shop/main.py": (
            "from fastapi import FastAPI\nfrom shop.orders import router\n\n"
            "app = FastAPI()\napp.add_middleware(GZipMiddleware)\napp.include_router(router)\n"),
        "shop/orders.py": ("from fastapi import APIRouter\n\nrouter = APIRouter(prefix='/orders')"
                           "\n\n\n@router.get('/{id}')\ndef order(id: int):\n    return {}\n"),
        "shop/worker.py": (
            "from fastapi import FastAPI\n\nhealth = FastAPI()\n\n\n"
            "@health.get('/healthz')\ndef healthz():\n    return {'ok': True}\n"),
    })}
    assert sorted(services) == ["shop.main:app", "shop.worker:health"]
    main, worker = services["shop.main:app"], services["shop.worker:health"]
    assert [r.path for r in main.routes] == ["/orders/{id}"]
    assert [r.path for r in worker.routes] == ["/healthz"]
    assert worker.middleware == [] and worker.runners == []
    assert [r.source for r in main.runners] == ["dockerfile"]


def test_routes_registered_by_calls_are_found(tmp_path):
    [svc] = _build(tmp_path, {
        "app/server.py": (
            "from fastapi import FastAPI\nfrom flask import Flask\n\n\n"
            "class Server:\n    def __init__(self):\n        self.app = FastAPI()\n"
            "        self.app.post('/predict')(self.predict)\n"
            "        self.app.add_api_route('/ready', self.ready, methods=['GET', 'HEAD'])\n"
            "        self.app.get('/live')(live)\n\n"
            "    def predict(self):\n        pass\n\n"
            "    def ready(self):\n        pass\n\n\n"
            "def live():\n    return {}\n"),
    })
    assert [(r.path, r.methods) for r in svc.routes] == [
        ("/predict", ("POST",)), ("/ready", ("GET", "HEAD")), ("/live", ("GET",))]


def test_flask_add_url_rule_names_the_view_function(tmp_path):
    [svc] = _build(tmp_path, {
        "web/app.py": ("from flask import Flask\n\napp = Flask(__name__)\n\n\n"
                       "def ping():\n    return 'ok'\n\n\n"
                       "app.add_url_rule('/ping', 'ping', ping, methods=['GET'])\n"
                       "app.add_url_rule('/pong', view_func=ping)\n"),
    })
    assert [(r.path, r.handler) for r in svc.routes] == [("/ping", "ping"), ("/pong", "ping")]




def test_flask_routes_registered_from_a_table_in_a_loop(tmp_path):
    [svc] = _build(tmp_path, {
        "web/app.py": (
            "from flask import Blueprint, Flask\n\napp = Flask(__name__)\n"
            "bp = Blueprint('v1', __name__)\n\n\n"
            "class Users: ...\nclass Ping: ...\ndef about(): ...\ndef legacy(): ...\n\n\n"
            "URLS = [\n    ('/users', Users),\n    ('/ping', Ping, 'ping'),\n]\n"
            "PAGES: list = [('/about', about)]\n\n\n"
            "def setup_urls(blueprint, urls):\n"
            "    for row in urls:\n"
            "        if len(row) == 2:\n"
            "            route, resource = row\n"
            "            endpoint = resource.__name__\n"
            "        else:\n"
            "            route, resource, endpoint = row\n"
            "        blueprint.add_url_rule(route, view_func=resource.as_view(endpoint))\n\n\n"
            "setup_urls(bp, URLS)\n"
            "for rule, view in PAGES:\n    app.add_url_rule(rule, view_func=view)\n"
            "for rule in ['/old', '/older']:\n    app.add_url_rule(rule, 'legacy', legacy)\n"
            "app.register_blueprint(bp, url_prefix='/api')\n"),
    })
    assert sorted((r.path, r.handler) for r in svc.routes) == [
        ("/about", "about"), ("/api/ping", "Ping"), ("/api/users", "Users"),
        ("/old", "legacy"), ("/older", "legacy")]
    assert [r.path for r in svc.routes if is_health_path(r.path)] == ["/api/ping"]


def test_a_loop_over_a_table_no_call_site_names_keeps_its_route_unresolved(tmp_path):
    [svc] = _build(tmp_path, {
        "web/app.py": (
            "from flask import Flask\n\napp = Flask(__name__)\n\n\n"
            "def setup(urls):\n"
            "    for rule, view in urls:\n"
            "        app.add_url_rule(rule, view_func=view)\n"),
    })
    assert [r.path for r in svc.routes] == [None]
def test_django_include_prefixes_compose_and_drf_router_routes_appear(tmp_path):
    [site] = _build(tmp_path, {
        "manage.py": "import os\n",
        "site/__init__.py": "",
        "site/settings.py": 'INSTALLED_APPS = ["rest_framework"]\nROOT_URLCONF = "site.urls"\n',
        "site/urls.py": (
            "from django.urls import include, path, re_path\n\n"
            "urlpatterns = [\n"
            "    path('api/', include('shop.urls')),\n"
            "    re_path(r'^health/$', health),\n"
            "    path('legacy/', include([path('old/', old)])),\n"
            "]\n"),
        "shop/__init__.py": "",
        "shop/urls.py": (
            "from django.urls import include, path\nfrom rest_framework import routers\n"
            "from shop import views\n\n"
            "router = routers.DefaultRouter()\n"
            "router.register(r'users', views.UserViewSet)\n"
            "tags = routers.SimpleRouter()\n"
            "tags.register('', views.TagViewSet)\n\n"
            "v1 = [path('orders/<int:pk>/', views.order)]\n"
            "urlpatterns = [\n"
            "    path('v1/', include((v1, 'v1'), namespace='v1')),\n"
            "    path('', include(router.urls)),\n"
            "    path('tags/', include(tags.urls)),\n"
            "    path('deep/', include('shop.deep.urls')),\n"
            "]\n"),
        "shop/deep/__init__.py": "",
        "shop/deep/urls.py": ("from django.urls import path\n\n"
                              "urlpatterns = [path('leaf/', leaf)]\n"),
    })
    assert sorted(r.path for r in site.routes) == [
        "/api/", "/api/deep/leaf/", "/api/tags/", "/api/users/", "/api/v1/orders/<int:pk>/",
        "/health/", "/legacy/old/"]


def test_only_inbound_rate_limit_settings_are_called_unregistered_limits():
    from prodready.testing import scan_files

    app = "from fastapi import FastAPI\n\napp = FastAPI()\n"
    outbound = scan_files({"app/main.py": app,
                           "app/llm.py": "OPENAI_RATE_LIMIT = 60\nGITHUB_THROTTLE = 5\n",
                           # Celery's rate_limit= of the service's own tasks
                           "app/tasks.py": 'ARCHIVE_TASK_RATE_LIMIT = "0.1/s"\n',
                           # delimiters, even misspelt, limit no requests
                           "app/urls.py": 'URL_DILIMITER = "++"\nQUOTE_DELIMITERS = ","\n',
                           # django-allauth enforces its own limits on its account forms
                           "app/settings.py": 'ACCOUNT_RATE_LIMITS = {"login": "30/m/ip"}\n',
                           # a module's private constant: the script of a task limiter
                           "app/locks.py": '_RATE_LIMIT = 5\nRATE_LIMIT_SCRIPT = """\n'
                                           'local n = redis.call("INCR", KEYS[1])\n"""\n'},
                          ["APP003"])
    inbound = scan_files({"app/main.py": app, "app/config.py": "RATE_LIMIT_PER_MINUTE = 60\n"},
                         ["APP003"])
    assert [f.message.split(": ", 1)[1][:19] for f in outbound] == ["no rate limiting: o"]
    assert "configured but never registered" in inbound[0].message


def test_an_own_limiter_that_answers_429_is_rate_limiting():
    from prodready.testing import scan_files

    app = "from fastapi import FastAPI\n\napp = FastAPI()\n"
    limiter = ("from fastapi import HTTPException\n\n\n"
               "class Users:\n    async def check_rate_limit(self, key, most):\n"
               "        count = await self.redis.incr(key)\n        if count > most:\n"
               "            raise HTTPException({status}, 'too many attempts')\n\n"
               "    async def reset_password(self, user):\n"
               "        await self.check_rate_limit(f'reset:{{user.id}}', 3)\n")
    assert scan_files({"app/main.py": app, "app/users.py": limiter.format(status=429)},
                      ["APP003"]) == []
    # a "limiter" that answers no 429 may limit the calls the service makes instead
    assert scan_files({"app/main.py": app, "app/users.py": limiter.format(status=400)},
                      ["APP003"]) != []
    # a handler turning a provider's rate limit error into a 429 limits nothing itself
    handler = ("from fastapi.responses import JSONResponse\n\n\n"
               "async def rate_limit_error_handler(request, exc):\n"
               "    return JSONResponse(status_code=429, content={'detail': str(exc)})\n")
    assert scan_files({"app/main.py": app, "app/errors.py": handler}, ["APP003"]) != []


def test_env_writes_and_request_environs_are_not_reads(tmp_path):
    from prodready.artifacts.python import parse_python
    from prodready.facts import extract_facts

    source = ("import os\nfrom os import environ\n\n"
              'os.environ["A"] = "1"\nos.environ.setdefault("B", "2")\nos.environ.pop("C", None)\n'
              'x = environ["D"] + environ.get("E", "")\n\n\n'
              "def app(environ, start_response):\n"
              '    return environ["PATH_INFO"], environ.get("HTTP_HOST")\n')
    facts = extract_facts(parse_python("app/wsgi.py", source))
    assert sorted(r.name for r in facts.env_reads) == ["D", "E"]


def test_the_env_fix_appends_every_missing_variable_of_every_file_once(tmp_path):
    from prodready.fix.apply import run_fix
    from prodready.testing import write_tree

    write_tree(tmp_path, {
        ".env.example": "A=\n",
        "app/main.py": ("import os\nfrom fastapi import FastAPI\n\n"
                        'A, B = os.getenv("A"), os.getenv("B")\napp = FastAPI()\n'),
        "app/settings.py": 'import os\n\nC = os.environ["C"]\nD = os.environ["D"]\n',
    })
    cfg = Config.model_validate({"cache": False, "select": ["APP013"]})
    outcome = run_fix(tmp_path, cfg, jobs=1)
    assert (tmp_path / ".env.example").read_text() == "A=\nB=\nC=\nD=\n"
    assert outcome.applied and not outcome.after.findings


def test_apps_sharing_a_root_serve_the_routers_they_include(tmp_path):
    services = {s.name: s for s in _build(tmp_path, {
        "pyproject.toml": "[project]\nname = 'flows'\n",
        "flows/__init__.py": "",
        "flows/api/runs.py": ("from fastapi import APIRouter\n\nrouter = APIRouter(prefix='/runs')"
                              "\n\n\n@router.get('/{id}/status')\ndef status(id: str):\n"
                              "    return {}\n"),
        "flows/server.py": (
            "from fastapi import FastAPI\nfrom flows.api import runs\n\nROUTERS = [runs.router]"
            "\n\n\ndef create_app(health_path: str = '/health'):\n    app = FastAPI()\n"
            "    for router in ROUTERS:\n        app.include_router(router)\n\n"
            "    @app.get(health_path)\n    def health():\n        return {}\n\n"
            "    return app\n"),
        "flows/runner.py": (
            "from fastapi import APIRouter, FastAPI\n\n\ndef build():\n"
            "    webserver = FastAPI()\n    router = APIRouter()\n"
            "    router.add_api_route('/run_count', count, methods=['GET'])\n"
            "    router.add_api_route('/shutdown', stop, methods=['POST'])\n"
            "    webserver.include_router(router)\n    return webserver\n"),
    })}
    server, runner = services["flows.server:app"], services["flows.runner:webserver"]
    assert sorted(r.path for r in server.routes) == ["/health", "/runs/{id}/status"]
    assert [r.path for r in server.health_routes] == ["/health"]
    assert sorted(r.path for r in runner.routes) == ["/run_count", "/shutdown"]


def test_django_settings_assigned_together_or_under_a_condition_are_evidence():
    from prodready.artifacts.python import parse_python
    from prodready.facts import extract_facts

    source = ('import os\n\nINSTALLED_APPS = ["django.contrib.auth"]\n'
              'emails = os.getenv("EMAILS", "").split(",")\n'
              "MANAGERS = ADMINS = [e for e in emails if e]\n"
              'try:\n    if os.getenv("PROXY"):\n'
              '        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")\n'
              "except KeyError:\n    pass\n")
    facts = extract_facts(parse_python("site/settings.py", source))
    assert {"error-tracking", "proxy-trust"} <= facts.evidence
    assert "MANAGERS" in facts.django_settings


def test_health_paths_are_probes_not_resource_states():
    from prodready.facts import is_health_path

    assert all(is_health_path(p) for p in ["/ping.json", "/pingdom/ping.xml", "/status.json"])
    # an API version in the path is no resource id
    assert all(is_health_path(p) for p in ["/(?P<version>(v2))/ping/", "/{version}/status",
                                           "/<str:version>/ping"])
    assert not is_health_path("/(?P<pk>[0-9]+)/ping/")
    # a Django regex route's optional trailing slash and anchors
    assert all(is_health_path(p) for p in ["/api/v2/status/?", "^healthz$", "/status/?$"])
    assert not is_health_path("/orders/?")
    # one dependency's status page is not the app's probe
    assert not any(is_health_path(p) for p in ["/settings/celery/ping/?", "/celery/status/"])
    assert all(is_health_path(p) for p in ["/admin/alive", "/admin/healthz"])
    assert not any(is_health_path(p) for p in ["/orders.json", "/json",
                                               "/flow_runs/{id}/status.json"])
    assert all(is_health_path(p) for p in ["/healthz", "/health/{check}", "/api/status",
                                           "/heartbeat", "/ping", "/livez"])
    # Dockerflow's probes, under whatever prefix the urlconf mounts them
    assert all(is_health_path(p) for p in ["/__heartbeat__", "/monitoring/__lbheartbeat__"])
    assert not any(is_health_path(p) for p in ["/flow_runs/{id}/status",
                                               "/{pool}/workers/heartbeat", "/orders",
                                               "/users/<int:pk>/ready"])
    # a probe word after a prefix; not a resource's action
    assert all(is_health_path(p) for p in ["/monitoring/app_alive/", "/is-ready", "/api/isalive"])
    assert not any(is_health_path(p) for p in ["/orders/mark_ready", "/set-live"])


FLASK_APP = ("from flask import Flask\n\napp = Flask(__name__)\n\n"
             "@app.get('/items')\ndef items():\n    return []\n")
SCRIPT_APP = "from flask import Flask\n\napp = Flask('resign')\n\nwith app.app_context():\n" \
             "    print('re-signing')\n"


def _names(tmp_path, files):
    from prodready.testing import write_tree

    write_tree(tmp_path, files)
    result = scan(tmp_path, Config.model_validate({}), jobs=1, use_cache=False)
    return sorted(s.name for s in build_services(result.project))


def test_an_app_in_a_scripts_folder_is_a_scripts_context_not_a_service(tmp_path):
    assert _names(tmp_path, {"web/app.py": FLASK_APP,
                             "scripts/resign_database.py": SCRIPT_APP}) == ["web.app:app"]


def test_an_app_in_a_scripts_folder_that_something_serves_is_a_service(tmp_path):
    assert _names(tmp_path, {
        "web/app.py": FLASK_APP, "scripts/admin_app.py": SCRIPT_APP,
        "Dockerfile": "FROM python:3.12-slim\nCOPY . /app\n"
                      "CMD [\"gunicorn\", \"scripts.admin_app:app\"]\n"}) == [
        "scripts.admin_app:app", "web.app:app"]


@pytest.mark.parametrize(("build", "dotenv"), [
    ("${API_DIR:-./api}", ""),  # a default
    ("${API_DIR}", "API_DIR=./api\n"),  # the `.env` Compose reads
    ("{context: ., dockerfile: api/Dockerfile}", ""),
])
def test_a_compose_service_building_the_apps_image_runs_it(tmp_path, build, dotenv):
    files = {
        "api/main.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
        "api/Dockerfile": "FROM python:3.12-slim\nCOPY . /app\n"
                          "CMD [\"uvicorn\", \"main:app\", \"--host\", \"0.0.0.0\"]\n",
        "compose.yaml": f"services:\n  web:\n    build: {build}\n",
    }
    if dotenv:
        files[".env"] = dotenv
    (svc,) = _build(tmp_path, files)
    assert ("compose", "web") in {(r.source, r.name) for r in svc.runners}


def test_a_compose_service_that_serves_another_app_of_the_image_does_not_run_this_one(
        tmp_path):
    # one image holds the API and the model server; each Compose service starts one of them
    services = _build(tmp_path, {
        "backend/api/main.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
        "backend/model_server/main.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
        "backend/Dockerfile": "FROM python:3.12-slim\nCOPY . /app\n",
        "compose.yaml": "services:\n"
                        "  api:\n    build: backend\n    ports: ['80:8080']\n"
                        "    command: uvicorn api.main:app --port 8080\n"
                        "  models:\n    build: backend\n"
                        "    command: ['uvicorn', 'model_server.main:app', '--port', '9000']\n"})
    runners = {s.module_ref: {r.name for r in s.runners if r.source == "compose"}
               for s in services}
    assert runners["model_server.main:app"] == {"models"}
    assert runners["api.main:app"] == {"api"}


def test_an_entrypoint_script_and_the_program_it_execs_link_the_image_to_the_app(tmp_path):
    # ENTRYPOINT run.sh -> `exec python /app/shop/main.py` -> uvicorn.run("app:app");
    # HEALTHCHECK runs a script that fetches a page of the app
    (svc,) = _build(tmp_path, {
        "shop/app.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
        "shop/main.py": "import uvicorn\n\nuvicorn.run('app:app', port=9000)\n",
        "shop/scripts/healthcheck.py": "import requests\n\n"
                                       "requests.get(f'http://127.0.0.1:{9000}/api/about')\n",
        "docker/entry.sh": "#!/bin/sh\nexec python /app/shop/main.py\n",
        "docker/Dockerfile": "FROM python:3.12-slim\nENV HOME_DIR=/app\nCOPY shop /app/shop\n"
                             "COPY docker/entry.sh /app/run.sh\n"
                             "HEALTHCHECK CMD python $HOME_DIR/shop/scripts/healthcheck.py\n"
                             "ENTRYPOINT [\"/app/run.sh\"]\n"})
    [runner] = [r for r in svc.runners if r.source == "dockerfile"]
    assert runner.path == "docker/Dockerfile" and runner.health_path == "/api/about"


def test_a_final_stage_keeps_the_command_of_the_stage_it_builds_from(tmp_path):
    (svc,) = _build(tmp_path, {
        "app/main.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
        "Dockerfile": "FROM python:3.12-slim AS base\nCMD [\"echo\", \"base\"]\n"
                      "FROM base AS app\nCOPY app /srv/app\n"
                      "CMD [\"uvicorn\", \"app.main:app\"]\n"
                      "FROM app AS app-plus\nRUN pip install extra\n"})
    [runner] = [r for r in svc.runners if r.source == "dockerfile"]
    assert runner.command == "uvicorn app.main:app"


WORKER_BOOT = ("from flask import Flask\n\nfrom web.app import make_celery\n\n"
               "application = Flask('celery')\nnotify_celery = make_celery(application)\n"
               "application.app_context().push()\n")


def test_an_app_in_the_module_a_celery_worker_loads_is_the_workers_context(tmp_path):
    assert _names(tmp_path, {
        "web/app.py": FLASK_APP, "run_celery.py": WORKER_BOOT,
        "bin/worker.sh": "#!/bin/sh\nexec celery -A run_celery.notify_celery worker -l INFO\n",
    }) == ["web.app:app"]


def test_a_web_app_whose_module_also_holds_the_celery_app_stays_a_service(tmp_path):
    # `celery -A web.app worker` loads the web module; that does not make the app a worker
    assert _names(tmp_path, {
        "web/app.py": FLASK_APP,
        "bin/worker.sh": "#!/bin/sh\nexec celery -A web.app worker\n"}) == ["web.app:app"]


def test_a_router_included_in_a_router_sits_below_its_full_prefix_and_settings_resolve(
        tmp_path):
    """`app.include_router(api_router, prefix=settings.API_V1_STR)`, where the setting is a
    settings class default and `api_router` includes routers of its own."""
    [svc] = _build(tmp_path, {
        "backend/app/__init__.py": "",
        "backend/app/core/__init__.py": "",
        "backend/app/core/config.py": (
            "from pydantic_settings import BaseSettings\n\n\n"
            "class Settings(BaseSettings):\n    API_V1_STR: str = '/api/v1'\n\n\n"
            "settings = Settings()\n"),
        "backend/app/main.py": (
            "from fastapi import FastAPI\n\nfrom app.api.main import api_router\n"
            "from app.core.config import settings\n\napp = FastAPI()\n"
            "app.include_router(api_router, prefix=settings.API_V1_STR)\n"),
        "backend/app/api/__init__.py": "",
        "backend/app/api/main.py": (
            "from fastapi import APIRouter\n\nfrom app.api.routes import utils, items\n\n"
            "api_router = APIRouter()\napi_router.include_router(utils.router)\n"
            "api_router.include_router(items.router, prefix='/shop')\n"),
        "backend/app/api/routes/__init__.py": "",
        "backend/app/api/routes/utils.py": (
            "from fastapi import APIRouter\n\nrouter = APIRouter(prefix='/utils')\n\n\n"
            "@router.get('/health-check/')\ndef health_check():\n    return True\n"),
        "backend/app/api/routes/items.py": (
            "from fastapi import APIRouter\n\nrouter = APIRouter(prefix='/items')\n\n\n"
            "@router.get('/')\ndef read_items():\n    return []\n"),
    })
    assert sorted(r.path for r in svc.routes) == [
        "/api/v1/shop/items/", "/api/v1/utils/health-check/"]
    assert [r.path for r in svc.health_routes] == ["/api/v1/utils/health-check/"]


def test_a_url_list_or_urlconf_included_under_several_prefixes_serves_under_each(tmp_path):
    [site] = _build(tmp_path, {
        "manage.py": "import os\n",
        "hc/__init__.py": "",
        "hc/settings.py": 'INSTALLED_APPS = []\nROOT_URLCONF = "hc.urls"\n',
        "hc/urls.py": (
            "from django.urls import include, path\n\n"
            "urlpatterns = [path('', include('hc.api.urls')), path('v1/', include('hc.extra')),"
            " path('v2/', include('hc.extra'))]\n"),
        "hc/extra.py": "from django.urls import path\n\nurlpatterns = [path('x/', x)]\n",
        "hc/api/__init__.py": "",
        "hc/api/urls.py": (
            "from django.urls import include, path\n\n"
            "api_urls = [path('status/', status)]\n\n"
            "urlpatterns = [\n"
            "    path('api/v1/', include(api_urls)),\n"
            "    path('api/v3/', include(api_urls)),\n"
            "]\n"),
    })
    assert sorted(r.path for r in site.routes) == [
        "/api/v1/status/", "/api/v3/status/", "/v1/x/", "/v2/x/"]
    assert sorted(r.path for r in site.health_routes) == ["/api/v1/status/", "/api/v3/status/"]


def test_resources_registered_through_a_projects_own_helper_are_routes(tmp_path):
    """`api.add_org_resource(Resource, "/a", "/b")`, a helper forwarding to Flask-RESTful's
    add_resource: each URL is a route, and the forwarding call inside the helper is none."""
    [svc] = _build(tmp_path, {
        "web/app.py": ("from flask import Flask\n\nfrom web.api import api\n\n"
                       "app = Flask(__name__)\napi.init_app(app)\n"),
        "web/api.py": (
            "from flask_restful import Api, Resource\n\n\n"
            "class ApiExt(Api):\n"
            "    def add_org_resource(self, resource, *urls, **kwargs):\n"
            "        return self.add_resource(resource, *urls, **kwargs)\n\n\n"
            "class Alerts(Resource):\n    def get(self):\n        return []\n\n\n"
            "api = ApiExt()\n"
            "api.add_org_resource(Alerts, '/api/alerts', '/api/alerts/<alert_id>')\n"),
    })
    assert sorted((r.path, r.handler) for r in svc.routes) == [
        ("/api/alerts", "Alerts"), ("/api/alerts/<alert_id>", "Alerts")]


def test_includes_repeated_at_every_level_do_not_multiply_routes_without_bound(tmp_path):
    levels = ["leaf = [path('x/', view)]"]
    for depth in range(1, 4):  # each level includes the one below 30 times
        inner = "leaf" if depth == 1 else f"l{depth - 1}"
        levels.append(f"l{depth} = [" + ", ".join(
            f"path('p{i}/', include({inner}))" for i in range(30)) + "]")
    levels.append("urlpatterns = [path('', include(l3))]")
    [site] = _build(tmp_path, {
        "manage.py": "import os\n",
        "site/__init__.py": "",
        "site/settings.py": 'INSTALLED_APPS = []\nROOT_URLCONF = "site.urls"\n',
        "site/urls.py": "from django.urls import include, path\n\n" + "\n".join(levels) + "\n",
    })
    assert 1 <= len(site.routes) <= 16


def test_drf_router_registrations_expand_to_the_viewset_routes(tmp_path):
    [site] = _build(tmp_path, {
        "manage.py": "import os\n",
        "site/__init__.py": "",
        "site/settings.py": 'INSTALLED_APPS = ["rest_framework"]\nROOT_URLCONF = "site.urls"\n',
        "site/urls.py": ("from django.urls import include, path\n"
                         "from shop.api import router\n\n"
                         "urlpatterns = [path('api/', include(router.urls))]\n"),
        "shop/__init__.py": "",
        "shop/views.py": (
            "from rest_framework import mixins, viewsets\n"
            "from rest_framework.decorators import action\n\n"
            "class BookViewSet(viewsets.ModelViewSet):\n"
            "    lookup_field = 'slug'\n\n"
            "    @action(detail=True, methods=['post'])\n"
            "    def archive(self, request, slug=None): ...\n\n"
            "    @archive.mapping.delete\n"
            "    def unarchive(self, request, slug=None): ...\n\n"
            "    @action(detail=False, url_path='mine')\n"
            "    def owned(self, request): ...\n\n"
            "class TagViewSet(mixins.ListModelMixin, mixins.DestroyModelMixin,\n"
            "                 viewsets.GenericViewSet):\n    pass\n\n"
            "class UserViewSet(viewsets.GenericViewSet):\n"
            "    @action(detail=False)\n"
            "    def profile(self, request): ...\n"),
        "shop/api.py": (
            "from rest_framework import routers\nfrom shop.views import BookViewSet, "
            "TagViewSet, UserViewSet\nfrom vendor import ThirdPartyViewSet\n\n"
            "router = routers.DefaultRouter()\n"
            "router.register('books', BookViewSet)\n"
            "router.register('tags', TagViewSet)\n"
            "router.register('user', UserViewSet)\n"
            "router.register('other', ThirdPartyViewSet)\n"),
    })
    assert sorted((r.path, r.methods, r.handler) for r in site.routes) == [
        ("/api/", ("GET",), "APIRootView"),  # a DefaultRouter's API root
        ("/api/books/", ("GET", "POST"), "BookViewSet"),
        ("/api/books/<slug>/", ("GET", "PUT", "PATCH", "DELETE"), "BookViewSet"),
        ("/api/books/<slug>/archive/", ("POST", "DELETE"), "BookViewSet.archive"),
        ("/api/books/mine/", ("GET",), "BookViewSet.owned"),
        # a viewset from outside the project keeps the one list route it always had
        ("/api/other/", ("GET", "POST"), "ThirdPartyViewSet"),
        ("/api/tags/", ("GET",), "TagViewSet"),
        ("/api/tags/<pk>/", ("DELETE",), "TagViewSet"),
        # a plain GenericViewSet has no list route, only its actions
        ("/api/user/profile/", ("GET",), "UserViewSet.profile"),
    ]


def test_routes_and_routers_added_only_in_a_development_mode_are_not_served(tmp_path):
    [svc] = _build(tmp_path, {
        "app/__init__.py": "",
        "app/config.py": "class Settings:\n    ENV = 'production'\n    DEBUG = False\n\n"
                         "settings = Settings()\n",
        "app/private.py": ("from fastapi import APIRouter\n\nrouter = APIRouter()\n\n"
                           "@router.post('/private/users/')\ndef create_user():\n    ...\n"),
        "app/main.py": (
            "from fastapi import FastAPI, APIRouter\nfrom app import private\n"
            "from app.config import settings\n\n"
            "app = FastAPI()\napi = APIRouter()\n\n"
            "@api.get('/items/')\ndef items():\n    ...\n\n"
            "if settings.ENV == 'development':\n    api.include_router(private.router)\n\n"
            "if settings.DEBUG:\n"
            "    @app.get('/reload')\n    def reload():\n        ...\n\n"
            "app.include_router(api, prefix='/api')\n\n"
            "@app.get('/debug-info')\ndef debug_info():\n    ...\n"),
    })
    # a handler named for debugging is still served: only the switch decides
    assert sorted(r.path for r in svc.routes) == ["/api/items/", "/debug-info"]


def test_django_urlpatterns_added_under_settings_debug_are_not_served(tmp_path):
    [site] = _build(tmp_path, {
        "manage.py": "import os\n",
        "site/__init__.py": "",
        "site/settings.py": 'INSTALLED_APPS = []\nROOT_URLCONF = "site.urls"\nDEBUG = False\n',
        "site/urls.py": (
            "from django.conf import settings\nfrom django.urls import path\n\n"
            "urlpatterns = [path('health', health)]\n\n"
            "if settings.DEBUG:\n    urlpatterns.append(path('live_reload', reload))\n"
            "else:\n    urlpatterns.append(path('robots.txt', robots))\n"),
    })
    assert sorted(r.path for r in site.routes) == ["/health", "/robots.txt"]


def test_a_viewset_action_named_status_is_a_resource_state_not_a_health_route(tmp_path):
    [site] = _build(tmp_path, {
        "manage.py": "import os\n",
        "site/__init__.py": "",
        "site/settings.py": 'INSTALLED_APPS = ["rest_framework"]\nROOT_URLCONF = "site.urls"\n',
        "site/urls.py": (
            "from django.urls import include, path\nfrom rest_framework import routers\n"
            "from rest_framework import viewsets\nfrom rest_framework.decorators import action"
            "\n\nclass CeleryViewSet(viewsets.ViewSet):\n"
            "    @action(detail=False, methods=['get'])\n    def status(self, request): ...\n\n"
            "class SystemViewSet(viewsets.ViewSet):\n"
            "    @action(detail=False)\n    def health(self, request): ...\n\n"
            "router = routers.DefaultRouter()\n"
            "router.register('celery', CeleryViewSet)\n"
            "router.register('system', SystemViewSet)\n\n"
            "urlpatterns = [path('api/', include(router.urls))]\n"),
    })
    assert sorted(r.path for r in site.routes) == ["/api/", "/api/celery/status/",
                                                   "/api/system/health/"]
    assert [r.path for r in site.health_routes] == ["/api/system/health/"]


def test_a_mounted_django_admin_site_serves_its_pages_and_six_per_registered_model(tmp_path):
    [site] = _build(tmp_path, {
        "manage.py": "import os\n",
        "site/__init__.py": "",
        "site/settings.py": 'INSTALLED_APPS = ["shop"]\nROOT_URLCONF = "site.urls"\n',
        "site/urls.py": ("from django.contrib import admin\nfrom django.urls import path\n\n"
                         "urlpatterns = [path('manage/', admin.site.urls)]\n"),
        "shop/__init__.py": "",
        "shop/models.py": "class Ping: ...\nclass Order: ...\n",
        "shop/admin.py": (
            "from django.contrib import admin\nfrom shop.models import Order, Ping\n\n"
            "admin.site.register(Ping, admin.ModelAdmin)\n\n"
            "@admin.register(Order)\nclass OrderAdmin(admin.ModelAdmin):\n    pass\n"),
    })
    paths = [r.path for r in site.routes]
    assert len(paths) == 8 + 1 + 2 * 6  # site pages, the app's index, six per model
    assert {"/manage/", "/manage/login/", "/manage/shop/", "/manage/shop/order/add/",
            "/manage/shop/ping/<path:object_id>/change/"} <= set(paths)
    assert "/manage/shop/modeladmin/" not in paths  # the ModelAdmin is not a model
    # a model called Ping is a resource the admin edits, not a probe
    assert site.health_routes == []


def test_a_literal_path_passed_through_a_helper_is_kept_but_not_certain(tmp_path):
    [svc] = _build(tmp_path, {
        "app.py": (
            "from flask import Flask\n\napp = Flask(__name__)\n\n"
            "def org_scoped_rule(rule):\n"
            "    if app.config['MULTI_ORG']:\n        return '/<org_slug>' + rule\n"
            "    return rule\n\n"
            "@app.route(org_scoped_rule('/invite/<token>'), methods=['GET', 'POST'])\n"
            "def invite(token):\n    ...\n\n"
            "@app.route(org_scoped_rule('/api/organization/status'))\n"
            "def organization_status():\n    ...\n\n"
            "@app.route('/ping')\ndef ping():\n    return 'PONG.'\n"),
    })
    assert [(r.path, r.certain) for r in svc.routes] == [
        ("/invite/<token>", False), ("/api/organization/status", False), ("/ping", True)]
    # a weak health word on a path a helper builds is not enough for a probe
    assert [r.path for r in svc.health_routes] == ["/ping"]


def test_an_app_a_router_module_builds_under_its_main_guard_is_not_a_service(tmp_path):
    demo = ("from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n"
            "@router.get('/events')\ndef events():\n    return []\n\n\n"
            "if __name__ == '__main__':\n    import uvicorn\n    from fastapi import FastAPI\n\n"
            "    app = FastAPI()\n    app.include_router(router)\n\n"
            "    @app.get('/')\n    def page():\n        return 'demo'\n\n"
            "    uvicorn.run(app)\n")
    services = _build(tmp_path, {
        "api/routes/events.py": demo,
        # an entry point by name keeps the app its main block creates
        "main.py": "if __name__ == '__main__':\n    from flask import Flask\n"
                   "    app = Flask(__name__)\n    app.run()\n",
    })
    assert [s.name for s in services] == ["main:app"]
    assert all(r.handler != "page" for s in services for r in s.routes)


def test_a_urlconf_included_twice_serves_its_router_and_distill_routes_under_both(tmp_path):
    [site] = _build(tmp_path, {
        "manage.py": "import os\n",
        "site/__init__.py": "",
        "site/settings.py": 'INSTALLED_APPS = ["rest_framework"]\nROOT_URLCONF = "site.urls"\n',
        "site/urls.py": (
            "from django.urls import include, path\nfrom django_distill import distill_path\n\n"
            "urlpatterns = [\n"
            "    path('api/', include('bot.urls')),\n"
            "    path('pydis-api/', include('bot.urls')),\n"
            "    distill_path('', home, name='home'),\n"
            "]\n"),
        "bot/__init__.py": "",
        "bot/urls.py": (
            "from django.urls import include, path\nfrom rest_framework import routers\n"
            "from bot import views\n\n"
            "router = routers.SimpleRouter()\n"
            "router.register(r'users', views.UserViewSet)\n\n"
            "urlpatterns = [\n"
            "    path('bot/', include(router.urls)),\n"
            "    path('healthcheck', views.health),\n"
            "]\n"),
    })
    paths = sorted({r.path for r in site.routes})
    assert paths == ["/", "/api/bot/users/", "/api/healthcheck", "/pydis-api/bot/users/",
                     "/pydis-api/healthcheck"]


def test_the_most_specific_include_names_a_router(tmp_path):
    services = _build(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/server.py": ("from fastapi import FastAPI\nfrom pkg.routes import controller\n\n"
                          "app = FastAPI()\napp.include_router(controller.router, "
                          "prefix='/v3')\n"),
        "pkg/routes/__init__.py": "",
        "pkg/routes/controller/__init__.py": (
            "from fastapi import APIRouter\nfrom . import controller\n\n"
            "router = APIRouter()\nrouter.include_router(controller.router)\n\n\n"
            "@router.get('/projects')\ndef projects():\n    return []\n"),
        "pkg/routes/controller/controller.py": (
            "from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n"
            "@router.get('/version')\ndef version():\n    return {}\n"),
    })
    [svc] = services
    assert sorted(r.path for r in svc.routes) == ["/v3/projects", "/v3/version"]


def test_a_router_included_in_a_mounted_sub_application_sits_below_its_mount(tmp_path):
    [svc] = _build(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/server.py": ("from fastapi import FastAPI\nfrom pkg.compute import compute_api\n\n"
                          "app = FastAPI()\napp.mount('/v3/compute', compute_api)\n"),
        "pkg/compute/__init__.py": (
            "from fastapi import FastAPI\nfrom pkg.compute import nodes\n\n"
            "compute_api = FastAPI()\n"
            "compute_api.include_router(nodes.router, prefix='/projects')\n"),
        "pkg/compute/nodes.py": (
            "from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n"
            "@router.get('/{project_id}/nodes')\ndef nodes():\n    return []\n"),
    })
    assert [r.path for r in svc.routes] == ["/v3/compute/projects/{project_id}/nodes"]


def test_a_procfile_process_that_starts_the_app_runs_it(tmp_path):
    from prodready.project.exposure import exposure_of

    files = {
        "proj/__init__.py": "",
        "proj/settings.py": 'ROOT_URLCONF = "proj.urls"\nINSTALLED_APPS = []\n',
        "proj/urls.py": "from django.urls import path\nurlpatterns = [path('a/', v)]\n",
        "proj/wsgi.py": ("import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', "
                         "'proj.settings')\nfrom django.core.wsgi import get_wsgi_application\n"
                         "application = get_wsgi_application()\n"),
        "manage.py": ("import os\n"
                      "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'proj.settings')\n"),
        "Procfile": ("web: newrelic-admin run-program gunicorn proj.wsgi:application\n"
                     "worker: celery -A proj worker\n"),
    }
    write_tree(tmp_path, files)
    result = scan(tmp_path, Config.model_validate({}), jobs=1, use_cache=False)
    [svc] = services_of(result.project)
    assert [(r.source, r.name, r.line) for r in svc.runners] == [("procfile", "web", 1)]
    assert {"metrics", "error-tracking"} <= svc.evidence  # the APM launcher
    assert exposure_of(result.project, svc).level == "public"


def test_an_app_the_projects_code_starts_as_a_helper_process_is_no_service_of_its_own(tmp_path):
    helper = ("from flask import Flask\n\napp = Flask(__name__)\n\n\n"
              "@app.route('/health')\ndef health():\n    return 'ok'\n")
    services = _build(tmp_path, {
        "web/app.py": ("import subprocess\nfrom flask import Flask\n\napp = Flask(__name__)\n\n\n"
                       "def start(name):\n"
                       "    subprocess.Popen(['python', f'service/{name}/main.py'])\n"
                       "    subprocess.run(['python', 'tools_srv/main.py'])\n"),
        "service/thumbnail/main.py": helper,
        "service/thumbnail/extra/main.py": helper,  # not what the pattern names
        "tools_srv/main.py": helper,
        "other/main.py": helper,
    })
    assert sorted(s.path for s in services) == [
        "other/main.py", "service/thumbnail/extra/main.py", "web/app.py"]


DOCKERFLOW_SETTINGS = """\
INSTALLED_APPS = ["django.contrib.auth", "dockerflow.django"]
ROOT_URLCONF = "site.urls"
MIDDLEWARE = ["dockerflow.django.middleware.DockerflowMiddleware"]
LOGGING = {"formatters": {"mozlog": {"()": "dockerflow.logging.MozlogFormatter"}}}
"""


def test_dockerflow_and_markus_are_probes_request_ids_json_logs_and_metrics():
    from prodready.testing import scan_files

    files = {
        "site/settings.py": DOCKERFLOW_SETTINGS,
        "site/urls.py": "from django.urls import path\nfrom . import views\n\n"
                        "urlpatterns = [path('', views.index)]\n",
        "site/views.py": "def index(request):\n    return HttpResponse('ok')\n",
        "site/metrics.py": "import markus\n\nMETRICS = markus.get_metrics('site')\n",
        "site/wsgi.py": "from django.core.wsgi import get_wsgi_application\n\n"
                        "application = get_wsgi_application()\n",
    }
    # the middleware answers Dockerflow's probes itself
    rules = ["APP001", "APP007", "APP008", "APP009"]
    assert [f.rule_id for f in scan_files(files, rules)] == []
    del files["site/metrics.py"]
    assert [f.rule_id for f in scan_files(files, rules)] == ["APP007"]


@pytest.mark.parametrize("instrumented", [
    # a shared library's metrics class, and Open edX's APM middlewares
    "app/metrics.py:from dmutils.metrics import DMGDSMetrics\n\ngds_metrics = DMGDSMetrics()\n",
    "app/settings.py:MIDDLEWARE = ['edx_django_utils.monitoring.DeploymentMonitoringMiddleware']\n",
])
def test_metrics_a_shared_library_or_an_apm_middleware_records(instrumented):
    from prodready.testing import scan_files

    path, _, text = instrumented.partition(":")
    app = "from flask import Flask\n\napp = Flask(__name__)\n"
    assert scan_files({"app/__init__.py": app}, ["APP007"]) != []
    assert scan_files({"app/__init__.py": app, path: text}, ["APP007"]) == []


def test_a_workspace_package_the_service_imports_serves_its_routers_and_logging(tmp_path):
    router = ("from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n"
              "@router.get('/{name}')\ndef route():\n    return {}\n")
    files = {
        # the main service at the top, and the workspace's shared package under it
        "pyproject.toml": "[project]\nname = 'merino'\n",
        "merino/main.py": ("from fastapi import FastAPI\nfrom common.routers import ops\n\n"
                           "app = FastAPI()\napp.include_router(ops.router)\n"),
        "common/pyproject.toml": "[project]\nname = 'common'\n",
        "common/common/__init__.py": "",
        "common/common/routers/__init__.py": "",
        "common/common/routers/ops.py": router.replace("{name}", "__heartbeat__"),
        "common/common/logs.py": ("import structlog\n\n\ndef configure():\n"
                                  "    structlog.configure()\n"),
        # a second service, in its own package, with a module of the same name as the top's
        "fleece/pyproject.toml": "[project]\nname = 'fleece'\n",
        "fleece/fleece/__init__.py": "",
        "fleece/fleece/app.py": (
            "from fastapi import FastAPI\nfrom common.routers import ops\nfrom common.logs import "
            "configure\nfrom util.routes import router\n\napp = FastAPI()\n"
            "app.include_router(ops.router)\napp.include_router(router)\nconfigure()\n"),
        "fleece/util/routes.py": router.replace("{name}", "pii"),
        "util/routes.py": router.replace("{name}", "top"),
    }
    services = {s.name: s for s in _build(tmp_path, files)}
    fleece = services["fleece.app:app"]
    assert sorted(r.path for r in fleece.routes) == ["/__heartbeat__", "/pii"]
    assert fleece.has("structured-logging")


def test_django_configurations_classes_are_the_settings(tmp_path):
    settings = ("from configurations import Configuration, values\n\n\n"
                "class Base(Configuration):\n    INSTALLED_APPS = ['django.contrib.auth', 'core']\n"
                "    ROOT_URLCONF = 'meet.urls'\n    SECRET_KEY = values.SecretValue()\n\n\n"
                "class Production(Base):\n    SECURE_HSTS_SECONDS = 31536000\n")
    services = _build(tmp_path, {
        "meet/settings.py": settings, "meet/__init__.py": "",
        "meet/wsgi.py": "from configurations.wsgi import get_wsgi_application\n\n"
                        "application = get_wsgi_application()\n",
        "meet/urls.py": "from django.urls import path\n\nurlpatterns = [path('rooms/', rooms)]\n"})
    [django] = [s for s in services if s.kind == "django"]
    assert django.path == "meet/wsgi.py" and django.has("hsts")
    # classes of a module that are not configurations hold no settings
    plain = settings.replace("(Configuration)", "(object)")
    services = _build(tmp_path / "plain", {"meet/settings.py": plain, "meet/__init__.py": ""})
    assert not [s for s in services if s.kind == "django"]


@pytest.mark.parametrize("leftover, kept", [
    # the module's own app only includes the router the served app includes too
    ("app = FastAPI()\nrouter = APIRouter()\napp.include_router(router)\n", False),
    ("app = FastAPI()\nrouter = APIRouter()\n", False),
    # a route or middleware of its own: an app of its own, whatever runs it
    ("app = FastAPI()\nrouter = APIRouter()\n\n\n@app.get('/debug')\ndef debug():\n"
     "    return {}\n", True),
    ("app = FastAPI(middleware=[Middleware(GZipMiddleware)])\nrouter = APIRouter()\n", True),
])
def test_an_app_left_beside_a_router_the_served_app_includes_is_not_a_service(
        tmp_path, leftover, kept):
    header = ("from fastapi import APIRouter, FastAPI\nfrom starlette.middleware import "
              "Middleware\nfrom starlette.middleware.gzip import GZipMiddleware\n\n")
    routes = "\n\n@router.post('/general')\ndef partition():\n    return {}\n"
    served = ("from fastapi import FastAPI\n\nfrom .general import router as general_router\n\n"
              "app = FastAPI()\napp.include_router(general_router)\n\n\n"
              "@app.get('/healthcheck')\ndef healthcheck():\n    return {}\n")
    write_tree(tmp_path, {
        "prepline/__init__.py": "", "prepline/api/__init__.py": "",
        "prepline/api/general.py": header + leftover + routes,
        "prepline/api/app.py": served,
        "Dockerfile": ('FROM python:3.12-slim\nCOPY . /app\n'
                       'CMD ["uvicorn", "prepline.api.app:app", "--port", "8000"]\n')})
    result = scan(tmp_path, Config.model_validate({}), jobs=1, use_cache=False)
    found = sorted(s.module_ref for s in build_services(result.project))
    assert found == (["prepline.api.app:app", "prepline.api.general:app"] if kept
                     else ["prepline.api.app:app"])
