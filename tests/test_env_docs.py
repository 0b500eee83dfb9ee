"""APP013 reads the documentation a project declares and ignores development-only reads."""

from __future__ import annotations

from prodready.config import Config
from prodready.engine import scan
from prodready.report import Report
from prodready.report.text_format import render
from prodready.testing import scan_files, write_tree

APP = "import os\nfrom fastapi import FastAPI\n\n{body}\napp = FastAPI()\n"


def _undocumented(files: dict[str, str]) -> list[str]:
    names = []
    for finding in scan_files(files, ["APP013"]):
        names += [r.message.split(" is read here")[0] for r in finding.related]
    return sorted(names)


def _app(*reads: str) -> str:
    return APP.format(body="\n".join(f"{r.lower()} = os.getenv({r!r})" for r in reads))


def test_singular_doc_tree_in_rst_documents():
    files = {"app/main.py": _app("APP_MAIL_HOST", "APP_HTTPS"),
             "doc/administrator/configure.rst": "``APP_MAIL_HOST``\n   the relay\n"}
    assert _undocumented(files) == ["APP_HTTPS"]


def test_a_sphinx_tree_is_found_by_its_conf_py_and_a_plain_conf_py_is_not():
    text = "APP_MAIL_HOST: the relay\n"
    sphinx = {"app/main.py": _app("APP_MAIL_HOST"),
              "handbook/conf.py": "html_theme = 'alabaster'\n", "handbook/setup.txt": text}
    assert _undocumented(sphinx) == []
    plain = {"app/main.py": _app("APP_MAIL_HOST"),
             "handbook/conf.py": "TIMEOUT = 3\n", "handbook/setup.txt": text}
    assert _undocumented(plain) == ["APP_MAIL_HOST"]


def test_mkdocs_docs_dir_is_documentation():
    files = {"app/main.py": _app("APP_MAIL_HOST"),
             "site/mkdocs.yml": "site_name: x\ndocs_dir: 'pages'\n",
             "site/pages/options.md": "- `APP_MAIL_HOST`\n"}
    assert _undocumented(files) == []


def test_families_need_two_segments_and_cover_only_their_prefix():
    reads = ("APP_SITE_CSP_IMG", "APP_AI_MODEL", "APP_HTTPS", "APP_SITE_URL")
    files = {"app/main.py": _app(*reads),
             "docs/config.md": "`APP_SITE_CSP`, `APP_SITE_CSP_SCRIPT` etc.\n\n"
                               "All `APP_AI_*` settings, and every `APP_*` variable.\n"}
    assert _undocumented(files) == ["APP_HTTPS", "APP_SITE_URL"]


def test_reads_under_a_debug_switch_are_not_the_deployments():
    body = ("DEBUG = os.getenv('DEBUG') == '1'\n"
            "if DEBUG:\n    port = os.getenv('APP_VITE_PORT')\n"
            "if not DEBUG:\n    dsn = os.getenv('APP_SENTRY_DSN')\n"
            "if settings.DEBUG:\n    x = os.getenv('APP_TOOLBAR')\n"
            "else:\n    y = os.getenv('APP_CACHE_URL')\n"
            "def debug_log_level():\n    return os.getenv('APP_DEBUG_LEVEL')\n")
    files = {"app/main.py": APP.format(body="settings = None\n" + body),
             ".env.example": "DEBUG=\n"}
    assert _undocumented(files) == ["APP_CACHE_URL", "APP_SENTRY_DSN"]


def test_a_comment_saying_deliberately_undocumented_is_intent():
    body = ("# intended exclusively for internal testing, therefore not documented\n"
            "no_etc = os.getenv('APP_NO_ETC')\n\n"
            "# the documented cache URL\nurl = os.getenv('APP_CACHE_URL')\n")
    assert _undocumented({"app/main.py": APP.format(body=body)}) == ["APP_CACHE_URL"]


def test_a_note_heading_a_group_of_settings_covers_the_group_until_a_blank_line():
    body = ("# The archiver isn't used at the moment; kept for a later prototype.\n"
            "archiver_path = os.getenv('APP_ARCHIVER_PATH')\n"
            "archiver_options = os.getenv('APP_ARCHIVER_OPTIONS')\n\n"
            "cache_url = os.getenv('APP_CACHE_URL')\n")
    assert _undocumented({"app/main.py": APP.format(body=body)}) == ["APP_CACHE_URL"]


def test_a_conditional_note_is_not_a_decision():
    body = ("# Redis is not used when APP_CACHE_URL is empty\n"
            "redis_url = os.getenv('APP_REDIS_URL')\n")
    assert _undocumented({"app/main.py": APP.format(body=body)}) == ["APP_REDIS_URL"]


def test_switches_the_test_suite_flips_are_not_deployment_settings():
    reads = ("TESTING_SHUTDOWN_AFTER_LOAD", "MOCK_TELEMETRY", "IS_TEST", "EMAIL_TEST_USER",
             "APP_LATEST_VERSION_URL", "APP_CONTEST_MODE")
    assert _undocumented({"app/main.py": _app(*reads)}) == ["APP_CONTEST_MODE",
                                                          "APP_LATEST_VERSION_URL"]


def test_variables_ci_systems_the_os_and_platforms_set_are_ignored():
    reads = ("CIRCLE_BUILD_NUM", "CI_COMMIT_SHA", "DOCKER_BUILDKIT", "PATHEXT", "GPG_TTY",
             "APP_CIRCLE_SIZE")
    assert _undocumented({"app/main.py": _app(*reads)}) == ["APP_CIRCLE_SIZE"]


def test_a_buildpack_platform_sets_the_port():
    files = {"app/main.py": _app("PORT")}
    assert _undocumented(files) == ["PORT"]
    files["Procfile"] = "web: python app/main.py\n"
    assert _undocumented(files) == []


def test_the_development_environment_names_its_variables():
    files = {"app/main.py": _app("PROMPT_TRACE_DIR", "GENERATE_MIGRATION", "APP_DATA_DIR",
                                 "APP_REDIS_URL"),
             ".vscode/launch.json": '{"configurations": [{"env": {"PROMPT_TRACE_DIR": "/tmp"}}]}',
             "pyproject.toml": '[tool.hatch.envs.default.scripts]\n'
                               'migrate = "GENERATE_MIGRATION=1 alembic revision"\n',
             ".devcontainer/Dockerfile": "FROM python:3.12\nENV APP_DATA_DIR=/data\n",
             ".github/workflows/test.yml": "env:\n  APP_REDIS_URL: redis://localhost\n"}
    # a CI workflow also sets what the tests need of the deployment's settings
    assert _undocumented(files) == ["APP_REDIS_URL"]


def test_test_modules_and_hand_run_scripts_are_not_the_service():
    files = {"app/main.py": _app("APP_REDIS_URL"),
             "app/tests_e2e.py": "import os\nENDPOINT = os.getenv('ENDPOINT')\n",
             "app/upload-screenshots.py": "import os\nTOKEN = os.getenv('WEBLATE_API_TOKEN')\n"}
    assert _undocumented(files) == ["APP_REDIS_URL"]


def test_numbered_and_plural_forms_of_a_documented_variable_are_documented():
    files = {"app/main.py": _app("APP_REPLICA_URL_0", "APP_ADMIN_USERS", "APP_ADMIN",
                                 "APP_CACHE_URL_2"),
             "docs/config.md": "- `APP_REPLICA_URLS`: replicas\n- `APP_ADMIN_USER`: the admin\n"}
    assert _undocumented(files) == ["APP_ADMIN", "APP_CACHE_URL_2"]


def test_a_file_whose_variables_all_have_numeric_or_switch_defaults_is_informational():
    tuning = ("import os\n\nMAX_BACKUPS = int(os.getenv('MAX_NUMBER_BACKUPS', 100))\n"
              "TIMEOUT = float(os.environ.get('LLM_TIMEOUT', '30.5'))\n")
    mixed = "import os\n\nLIMIT = os.getenv('JOB_LIMIT', '10')\nKEY = os.getenv('LLM_API_KEY')\n"
    switches = ("import os\n\nTRACK = os.getenv('ENABLE_TRACKING', 'false').lower() == 'true'\n"
                "CUDA = os.environ.get('USE_CUDA', default=False)\n")
    named = "import os\n\nMODE = os.getenv('RUN_MODE', 'worker')\n"
    findings = {f.path: f for f in scan_files({"app/main.py": APP.format(body=""),
                                               "app/tuning.py": tuning, "app/llm.py": mixed,
                                               "app/flags.py": switches, "app/mode.py": named},
                                              ["APP013"], profile="distributed")}
    assert findings["app/tuning.py"].severity.value == "info"
    assert "numeric or on/off default" in findings["app/tuning.py"].message
    assert findings["app/flags.py"].severity.value == "info"
    assert findings["app/llm.py"].severity.value == "low"
    assert findings["app/mode.py"].severity.value == "low"


def test_a_product_others_deploy_needs_its_settings_documented_and_a_service_less_so():
    files = {"app/main.py": _app("APP_MAIL_HOST")}
    service = scan_files(files, ["APP013"])
    assert [f.severity.value for f in service] == ["info"]  # its own team deploys it
    readme = {"README.md": "# Notes\n\nTry the demo before setting up your own.\n"}
    product = scan_files({**files, **readme}, ["APP013"])
    assert [f.severity.value for f in product] == ["low"]


def test_a_prefixed_variable_and_its_unprefixed_alias_read_together_are_one_setting():
    files = {"app/main.py": _app("ANALYZER_IDENTIFIER", "MOBSF_ANALYZER_IDENTIFIER",
                                 "APP_CACHE_TTL", "HOST", "REDIS_HOST"),
             ".env.example": "MOBSF_ANALYZER_IDENTIFIER=\nCACHE_TTL=\nREDIS_HOST=\n"}
    # APP_CACHE_TTL: only the prefixed name is read, a different variable
    assert _undocumented(files) == ["APP_CACHE_TTL", "HOST"]


def test_the_report_says_why_undocumented_variables_are_information(tmp_path):
    write_tree(tmp_path, {"app/main.py": _app("APP_MAIL_HOST")})
    result = scan(tmp_path, Config(jobs=1, select=["APP013"]), use_cache=False)
    text = render(Report.of(result))
    assert 'Profile: service (no documentation tells users to run it themselves): APP013 info' \
        in " ".join(text.split())


def test_a_page_that_includes_the_settings_file_documents_what_it_reads():
    settings = "import os\nAPP_MAIL = os.getenv('APP_MAIL_HOST')\n"
    included = {"app/main.py": _app("APP_TOKEN"), "app/settings.py": settings,
                "docs/configure.rst": ".. literalinclude:: ../app/settings.py\n   :language: py\n"}
    assert _undocumented(included) == ["APP_TOKEN"]
    snippet = {**included, "docs/configure.rst": "Settings\n",
               "docs/configure.md": '--8<-- "app/settings.py"\n'}
    assert _undocumented(snippet) == ["APP_TOKEN"]
    # a page linking the file, or including another one, documents none of its names
    linked = {**included, "docs/configure.rst": "See ``app/settings.py`` and\n"
                                                ".. literalinclude:: ../app/main.py\n"}
    assert _undocumented(linked) == ["APP_MAIL_HOST"]


def test_the_env_of_a_heroku_app_manifest_documents_its_names():
    files = {"app/main.py": _app("APP_ADMIN_PASSWORD", "APP_TOKEN"),
             "app.json": '{"name": "app", "env": {"APP_ADMIN_PASSWORD": {"description": "x"}}}'}
    assert _undocumented(files) == ["APP_TOKEN"]
    files["app.json"] = '{"env": ["not", "a", "map"'  # unparsable: documents nothing
    assert _undocumented(files) == ["APP_ADMIN_PASSWORD", "APP_TOKEN"]



def test_the_settings_of_a_django_project_mounted_into_a_factorys_app_are_read():
    files = {
        "manage.py": "import os\n",
        "proj/__init__.py": "",
        "proj/settings.py": ('import os\nINSTALLED_APPS = ["django.contrib.auth"]\n'
                             'ROOT_URLCONF = "proj.urls"\nDB = os.getenv("PROJ_DB_PATH")\n'),
        "proj/urls.py": "from django.urls import path\n\nurlpatterns = [path('a/', v)]\n",
        "proj/api/__init__.py": "",
        "proj/api/main.py": ("from fastapi import FastAPI\n\n\ndef create_application():\n"
                             "    app = FastAPI()\n    return app\n"),
        "proj/asgi.py": ("from django.core.asgi import get_asgi_application\n\n"
                         "django_application = get_asgi_application()\n\n\n"
                         "def create_application():\n"
                         "    from proj.api.main import create_application\n\n"
                         "    app = create_application()\n"
                         "    app.mount('/', django_application)\n    return app\n"),
    }
    assert _undocumented(files) == ["PROJ_DB_PATH"]


def test_the_interpreters_own_variables_are_documented_by_python():
    assert _undocumented({"app/main.py": _app("PYTHONIOENCODING", "PYTHONUNBUFFERED",
                                              "PYTHON_VERSION")}) == ["PYTHON_VERSION"]


def _severities(files: dict[str, str]) -> list[str]:
    return [f.severity.value for f in scan_files(files, ["APP013"], profile="distributed")]


def test_documentation_kept_on_the_projects_own_site_makes_the_finding_information():
    files = {"app/main.py": _app("ACME_MAIL_HOST"),
             "pyproject.toml": '[project]\nname = "acme-server"\n',
             "README.md": "# Acme\n\nRead the [documentation](https://docs.acme.dev/install).\n"}
    [finding] = scan_files(files, ["APP013"], profile="distributed")
    assert finding.severity.value == "info" and "https://docs.acme.dev/install" in finding.message


def test_a_documentation_submodule_is_kept_outside_the_checkout():
    files = {"app/main.py": _app("ACME_MAIL_HOST"),
             ".gitmodules": '[submodule "docs"]\n\tpath = docs\n'
                            "\turl = https://github.com/acme/acme.wiki.git\n"}
    assert _severities(files) == ["info"]


def test_another_projects_documentation_or_a_tree_here_keeps_the_finding():
    readme = "# Acme\n\nBuilt with [Django](https://docs.djangoproject.com/en/5.0/).\n"
    assert _severities({"app/main.py": _app("ACME_MAIL_HOST"), "README.md": readme,
                        "pyproject.toml": '[project]\nname = "acme"\n'}) == ["low"]
    own_site = readme.replace("https://docs.djangoproject.com/en/5.0/", "https://docs.acme.dev")
    assert _severities({"app/main.py": _app("ACME_MAIL_HOST"), "README.md": own_site,
                        "pyproject.toml": '[project]\nname = "acme"\n',
                        "docs/install.md": "Install it.\n"}) == ["low"]


def test_an_example_env_file_named_without_the_dot_documents_and_receives_the_fix():
    files = {"app/main.py": _app("APP_MAIL_HOST", "APP_HTTPS"),
             "dotenv-sample": "APP_MAIL_HOST=smtp.example.org\n"}
    assert _undocumented(files) == ["APP_HTTPS"]
    [finding] = scan_files({**files, "env.example": "APP_HTTPS=1\n"}, ["APP013"]) or [None]
    assert finding is None
    [fixed] = scan_files(files, ["APP013"])
    assert fixed.fix is not None and [e.path for e in fixed.fix.edits] == ["dotenv-sample"]


def test_a_variable_a_programs_docstring_or_option_help_names_is_documented():
    listener = ('"""Listens for pushes.\n\n    export APP_LISTENER_URL=https://hooks.example\n'
                '"""\nimport os\n\nURL = os.environ["APP_LISTENER_URL"]\n\n'
                'if __name__ == "__main__":\n    print(URL)\n')
    command = ("import argparse\nimport os\n\nparser = argparse.ArgumentParser()\n"
               "parser.add_argument('--key', help='defaults to $APP_SIGNING_KEY')\n"
               "KEY = os.getenv('APP_SIGNING_KEY')\n")
    files = {"app/main.py": _app("APP_REDIS_URL"), "app/listener.py": listener,
             "app/keys.py": command}
    assert _undocumented(files) == ["APP_REDIS_URL"]
    # a comment, or a library module's docstring, is no documentation its users read
    files["app/listener.py"] = ("import os\n\n# APP_LISTENER_URL\n"
                                "URL = os.environ['APP_LISTENER_URL']\n")
    assert _undocumented(files) == ["APP_LISTENER_URL", "APP_REDIS_URL"]
    files["app/listener.py"] = listener.split("\n\nif __name__")[0] + "\n"
    assert _undocumented(files) == ["APP_LISTENER_URL", "APP_REDIS_URL"]


def test_a_settings_field_matches_its_variable_regardless_of_case():
    settings = ("from pydantic_settings import BaseSettings\n\n\nclass Settings(BaseSettings):\n"
                "    granian_trusted_hosts: str = '*'\n    cache_url: str = ''\n")
    files = {"app/main.py": APP.format(body=""), "app/settings.py": settings,
             "Dockerfile": "FROM python:3.12-slim\nENV GRANIAN_TRUSTED_HOSTS=\"*\"\n"}
    assert _undocumented(files) == ["CACHE_URL"]
