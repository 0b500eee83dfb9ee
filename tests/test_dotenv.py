"""Dotenv files: one reader for the Compose `.env`, documented variables (APP013) and committed
secrets (REPO002)."""

from __future__ import annotations

from prodready.artifacts.dotenv import EnvEntry, env_entries
from prodready.secretcontext import env_file_secrets

TEXT = """\
# Database
DATABASE_URL=postgres://db/app
export SECRET_KEY = "quoted # not a comment"
LOG_LEVEL=info # the default
#   FEATURE_FLAG=1
## not an entry
celery.broker-url='amqp://mq'
not a line
"""


def test_entries_with_their_values_and_lines():
    assert list(env_entries(TEXT)) == [
        EnvEntry(2, "DATABASE_URL", "postgres://db/app", False),
        EnvEntry(3, "SECRET_KEY", "quoted # not a comment", False),
        EnvEntry(4, "LOG_LEVEL", "info", False),
        EnvEntry(7, "celery.broker-url", "amqp://mq", False),
    ]


def test_commented_entries_on_request():
    commented = [e for e in env_entries(TEXT, commented=True) if e.commented]
    assert commented == [EnvEntry(5, "FEATURE_FLAG", "1", True)]


def test_a_commented_secret_is_not_a_committed_one():
    secret = "sk_live_9f8e7d6c5b4a39281706f5e4d3c2b1a0"
    found = env_file_secrets(f"STRIPE_SECRET_KEY={secret}\n# STRIPE_SECRET_KEY={secret}\n")
    assert found == [(1, "STRIPE_SECRET_KEY")]


def test_an_env_file_named_for_development_is_information_and_needs_no_ignore(tmp_path):
    from prodready.artifacts.dotenv import is_development_env_file
    from prodready.config import Config
    from prodready.engine import scan
    from prodready.testing import write_tree

    assert [p for p in (".env.docker.dev", ".env.testing", "api/.env.ci", ".env.local",
                        ".env.production", ".env", ".env.dev.example")
            if is_development_env_file(p)] == [".env.docker.dev", ".env.testing", "api/.env.ci"]
    secret = "APP_SECRET_KEY=Zr8fQ2mX9vLw4TnB7cKp\n"
    write_tree(tmp_path, {".gitignore": "*.pyc\n", ".env.docker.dev": secret,
                          ".env.production": secret})
    result = scan(tmp_path, Config(select=["REPO002", "REPO003"]), jobs=1, use_cache=False)
    found = sorted((f.rule_id, f.path, f.severity.value) for f in result.findings)
    assert found == [("REPO002", ".env.docker.dev", "info"), ("REPO002", ".env.production", "high"),
                     ("REPO003", ".gitignore", "medium")]
    [gitignore] = [f for f in result.findings if f.rule_id == "REPO003"]
    assert ".env.production" in gitignore.message and ".env.docker.dev" not in gitignore.message


def test_the_env_file_a_dotenv_loader_names_is_the_one_to_ignore(tmp_path):
    from prodready.config import Config
    from prodready.engine import scan
    from prodready.testing import write_tree

    manage = ('from dotenv import find_dotenv, load_dotenv\n\n'
              'load_dotenv(find_dotenv(filename=".environment"))\n')
    write_tree(tmp_path, {".gitignore": ".environment\n", "manage.py": manage})
    result = scan(tmp_path, Config(select=["REPO003"]), jobs=1, use_cache=False)
    assert result.findings == []  # the file it loads is ignored; `.env` is never read
    write_tree(tmp_path, {".gitignore": ".env\n"})
    result = scan(tmp_path, Config(select=["REPO003"]), jobs=1, use_cache=False)
    [finding] = result.findings
    assert ".environment" in finding.message and "manage.py loads .environment" in finding.message
    # a loader given no literal name reads `.env`
    write_tree(tmp_path, {".gitignore": "*.pyc\n",
                          "manage.py": "from dotenv import load_dotenv\nload_dotenv()\n"})
    result = scan(tmp_path, Config(select=["REPO003"]), jobs=1, use_cache=False)
    [finding] = result.findings
    assert "manage.py loads .env" in finding.message
