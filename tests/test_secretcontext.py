"""Secret-looking values in context: placeholders, public keys, catalogs, comments, .env files."""

from __future__ import annotations

import pytest

from prodready.secretcontext import (
    documents_an_example,
    env_file_secrets,
    is_commented_out,
    is_config_entry,
    is_documentation,
    is_message_catalog,
    is_placeholder,
    is_public_client_key,
    is_real_secret_value,
    repeats_identity,
)
from prodready.secretnames import is_client_credential, is_secret_name
from prodready.testing import scan_files


@pytest.mark.parametrize("value", ["<your-key>", "${API_KEY}", "xxxx", "XXXXXXXX",
                                   "your_api_key_here", "YOUR_AMPLITUDE_API_KEY_HERE",
                                   "********", "00000000", "{{ .Values.token }}"])
def test_template_slots_are_placeholders_even_strictly(value):
    assert is_placeholder(value) and is_placeholder(value, strict=True)


@pytest.mark.parametrize("value", ["changeme", "change-me", "example", "dummy-token",
                                   "secret", "password", "SET-ME-PLEASE"])
def test_loose_placeholders_are_still_usable_defaults_in_code(value):
    assert is_placeholder(value)
    assert not is_placeholder(value, strict=True)


@pytest.mark.parametrize("value", ["Rv83nTq2WmZy", "k8Jd2Lw9Qz4Rt7Vb", "postgres",
                                   "ragflow-IzZmY1MGVhYTBh"])
def test_values_that_are_not_placeholders(value):
    assert not is_placeholder(value)


def test_public_client_keys():
    assert is_public_client_key("phc_4Jd8Lw2Qz9Rt7VbN3Xy6Mk1Pa5Sc0Fh")
    assert is_public_client_key("pk_live_51Hx8Lw2Qz9Rt7VbN3Xy6")
    assert is_public_client_key("pk_test_51Hx8Lw2Qz9Rt7VbN3Xy6")
    assert not is_public_client_key("sk_live_51Hx8Lw2Qz9Rt7VbN3Xy6")
    dsn = "https://0123456789abcdef0123456789abcdef@o4504.ingest.sentry.io/4505"
    assert is_public_client_key(dsn)
    google = "AIza" + "Sy" + "B9x" * 11
    assert is_public_client_key(google, "frontend/src/map.ts")
    assert not is_public_client_key(google, "app/geocode.py")  # a server key is a secret


def test_message_catalogs():
    assert is_message_catalog("app/locale/nl/LC_MESSAGES/django.po")
    assert is_message_catalog("web/src/locales/nl.json")
    assert is_message_catalog("frontend/i18n/de/messages.yaml")
    assert is_message_catalog("web/lang/pt-BR.json")
    assert not is_message_catalog("config/settings.json")
    assert not is_message_catalog("app/locale/nl/views.py")


def test_comments_and_examples():
    assert is_commented_out("  # API_KEY=abc") and is_commented_out("// token: 'x'")
    assert not is_commented_out("API_KEY=abc  # the key")
    assert documents_an_example('token = Field(examples=["tok_abc"])')
    assert documents_an_example('"example": "hunter2"')
    assert not documents_an_example('TOKEN = "tok_abc"')


def test_secret_key_base_and_encryption_keys_are_secret_names():
    assert is_secret_name("SECRET_KEY_BASE")
    assert is_secret_name("DD_CREDENTIAL_AES_256_KEY") and is_secret_name("FERNET_KEY")
    assert is_secret_name("DATA_ENCRYPTION_KEY") and is_secret_name("JWT_SIGNING_KEY")
    assert not is_secret_name("CREDENTIAL_ID") and not is_secret_name("MASTER_KEY_ID")


def test_config_entries_in_a_secret():
    assert is_config_entry("PORT", "8080")
    assert is_config_entry("LOG_LEVEL", "info")
    assert is_config_entry("DB_HOST", "postgres.orders.svc.cluster.local")
    assert is_config_entry("REDIS_URL", "redis://redis:6379/0")
    assert not is_config_entry("DB_PASSWORD", "info")
    assert not is_config_entry("REDIS_URL", "redis://:Rv83nTq2WmZy@redis:6379/0")
    assert not is_config_entry("SIGNING", "q8Vt2LwN5xRb7Kc1Yh4J/m9Pz3Ds6Fg0Ue+Ai")


def test_env_file_secrets_name_the_variables_only():
    text = ("COMPOSE_PROJECT_NAME=shop\n"
            "# OLD_TOKEN=Rv83nTq2WmZy\n"
            "POSTGRES_PASSWORD=changeme\n"
            "API_TOKEN=\n"
            "export JWT_SECRET='Rv83nTq2WmZy'\n"
            "DATABASE_URL=postgresql://app:Rv83nTq2WmZy@db/app  # local\n")
    assert env_file_secrets(text) == [(5, "JWT_SECRET"), (6, "DATABASE_URL")]
    assert env_file_secrets("HTTP_PORT=8080\nPUBLIC_URL=https://shop.example.org\n") == []


def test_strict_values_for_defaults_programs_run_with():
    assert is_real_secret_value("changeme", strict=True)
    assert not is_real_secret_value("changeme")
    assert not is_real_secret_value("<set-me>", strict=True)


def _rule(files: dict[str, str], rule: str) -> list:
    return [f for f in scan_files(files, [rule]) if f.rule_id == rule]


def test_repo002_reports_a_committed_env_only_when_it_holds_a_secret():
    quiet = {".env": "COMPOSE_PROJECT_NAME=shop\nSENTRY_DSN=\n"}
    loud = {".env": "COMPOSE_PROJECT_NAME=shop\nSTRIPE_SECRET_KEY=Rv83nTq2WmZy\n"}
    assert _rule(quiet, "REPO002") == []
    found = _rule(loud, "REPO002")
    assert [(f.path, f.line) for f in found] == [(".env", 2)]
    assert "STRIPE_SECRET_KEY" in found[0].message and "Rv83nTq2WmZy" not in found[0].message


def test_compose005_flags_a_literal_default_in_an_interpolation():
    compose = ("services:\n"
               "  api:\n"
               "    image: example/api:1.0\n"
               "    environment:\n"
               "      SECRET_KEY: ${SECRET_KEY:-Rv83nTq2WmZy}\n"
               "      JWT_SECRET: ${JWT_SECRET}\n"
               "      API_TOKEN: ${API_TOKEN:-changeme}\n")
    found = _rule({"docker-compose.yml": compose}, "COMPOSE005")
    assert [f.line for f in found] == [5]
    assert "falls back" in found[0].message and "Rv83nTq2WmZy" not in found[0].message


def test_k8s012_ignores_a_secret_of_configuration_only():
    secret = ("apiVersion: v1\nkind: Secret\nmetadata:\n  name: cfg\nstringData:\n"
              "  PORT: \"8080\"\n  LOG_LEVEL: info\n  DB_PASSWORD: changeme\n")
    assert _rule({"k8s/secret.yaml": secret}, "K8S012") == []
    leaked = secret + "  API_KEY: Rv83nTq2WmZy\n"
    found = _rule({"k8s/secret.yaml": leaked}, "K8S012")
    assert len(found) == 1 and "1 value(s)" in found[0].message and "API_KEY" in found[0].message


def test_repo001_skips_illustrations_but_not_signed_tokens_in_comments():
    code = ('# client = Client(password="q8Vt2LwN5xRb7Kc1Yh4J")\n'
            "# AWS_ACCESS_KEY_ID=AKIAQW4RT7YU2IO9PL3K\n")
    found = _rule({"app/client.py": code}, "REPO001")
    assert [f.line for f in found] == [2]


def test_repo001_skips_a_json_web_token_whose_signature_is_a_word():
    header = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"
    claims = "eyJpc3MiOiJtZWV0LWFwaSIsImNsaWVudF9pZCI6IjU1MGU4NDAwIn0"
    signed = "dBjftJeZ4CVPmB92K27uhbUJU1p1r_wW1gFWFOEjXk0"
    config = "auth:\n  access_token: \"{token}\"\n"
    assert _rule({"config/auth.yaml": config.format(token=f"{header}.{claims}.signature")},
                 "REPO001") == []
    assert [f.line for f in _rule({"config/auth.yaml": config.format(
        token=f"{header}.{claims}.{signed}")}, "REPO001")] == [2]


def test_compose005_spares_sample_credentials_that_repeat_the_account():
    compose = ("services:\n"
               "  db:\n"
               "    image: mariadb:11\n"
               "    environment:\n"
               "      MARIADB_USER: shop\n"
               "      MARIADB_PASSWORD: shop\n"
               "      MARIADB_ROOT_PASSWORD: Rv83nTq2WmZy\n"
               "  web:\n"
               "    image: example/shop:1.0\n"
               "    environment:\n"
               "      DATABASE_URL: mysql://shop:shop@db/shop\n")
    assert [f.line for f in _rule({"docker-compose.yml": compose}, "COMPOSE005")] == [7]


@pytest.mark.parametrize("value", ["accounts-pwd", "some-long-and-weirdly-unrandom-secret-key",
                                   "postgres-user-password", "db_secret"])
def test_words_that_name_what_belongs_there_are_loose_placeholders(value):
    assert is_placeholder(value)
    assert not is_placeholder(value, strict=True)  # still a working default in code


@pytest.mark.parametrize("value", ["Rv83nTq2WmZy-key", "k8Jd2Lw9-password", "password-reset-x"])
def test_words_with_random_parts_or_another_ending_are_not_placeholders(value):
    assert not is_placeholder(value)


def test_documentation_and_example_trees():
    assert is_documentation("docs/install/k8s/secrets.yaml")
    assert is_documentation("examples/plugins/forwarder/peer.conf")
    assert is_documentation("api/samples/client.py")
    assert not is_documentation("app/docsearch/settings.py")
    assert not is_documentation("deploy/examples.yaml")


def test_repo001_reads_documentation_trees_for_signed_tokens_only():
    text = ("SECRET_KEY = 'q8Vt2LwN5xRb7Kc1Yh4Jm9Pz3Ds6Fg0U'\n"
            "AWS_ACCESS_KEY_ID = 'AKIAQW4RT7YU2IO9PL3K'\n")
    assert [f.line for f in _rule({"docs/settings.py": text}, "REPO001")] == [2]
    assert [f.line for f in _rule({"examples/peer.py": text}, "REPO001")] == [2]
    assert [f.line for f in _rule({"app/settings.py": text}, "REPO001")] == [1, 2]


def test_repo001_skips_values_in_markdown_code_fences():
    text = ("API:\n  details: |-\n    ```python\n"
            "    ARGS = {'api_key': '472071a93b60a1bd1fafb401d9f8ef41'}\n"
            "    ```\n"
            "api_key: '472071a93b60a1bd1fafb401d9f8ef41'\n")
    assert [f.line for f in _rule({"app/settings.yaml": text}, "REPO001")] == [6]


def test_repo001_skips_the_test_runner_sections_of_shared_configuration():
    cfg = ("[tool:pytest]\nenv =\n    D:SECRET_KEY=hdC7qKjaFXNBjJ4heMMlOMrP-6j1-OvZpPf8\n"
           "[app]\nsecret_key = hdC7qKjaFXNBjJ4heMMlOMrP-6j1-OvZpPf8\n")
    assert [f.line for f in _rule({"setup.cfg": cfg}, "REPO001")] == [5]
    tox = "[testenv]\nsetenv =\n    API_TOKEN=hdC7qKjaFXNBjJ4heMMlOMrP6j1OvZpPf8\n"
    assert _rule({"tox.ini": tox}, "REPO001") == []


@pytest.mark.parametrize("path", ["deploy/helm/values-ci.yaml", "sample.env",
                                  "ansible/roles/app-test/defaults/main.yml",
                                  "src/helm/env.d/dev-keycloak/values.secrets.yaml"])
def test_repo001_reads_ci_sample_and_test_files_for_signed_tokens_only(path):
    text = ("api_token: 'cc373a2a49ce1b2f9d1a0e4c7b5d3f8a6e2c9b14'\n"
            "aws_access_key_id: 'AKIAQW4RT7YU2IO9PL3K'\n")
    if path.endswith(".env"):
        text = "API_TOKEN=cc373a2a49ce1b2f9d1a0e4c7b5d3f8a6e2c9b14\nAWS=AKIAQW4RT7YU2IO9PL3K\n"
    assert [f.line for f in _rule({path: text}, "REPO001")] == [2]


PRIVATE_KEY = ("-----BEGIN RSA PRIVATE KEY-----\n"
               "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\n"
               "-----END RSA PRIVATE KEY-----\n")


def test_repo001_honours_the_gitleaks_ignore_list_by_file_and_line():
    key = PRIVATE_KEY
    files = {"keys/dev.key": key, "keys/prod.key": key,
             ".gitleaksignore": "keys/dev.key:private-key:1\nkeys/prod.key:private-key:7\n"}
    assert [f.path for f in _rule(files, "REPO001")] == ["keys/prod.key"]


@pytest.mark.parametrize(("readme", "severity"), [
    ("# keys\n\n_These keys are just samples_. They cannot be used for production systems.\n",
     "info"),
    ("# keys\n\nThe service's signing keys; rotate them yearly.\n", "critical"),
])
def test_repo001_a_directory_readme_that_calls_its_keys_samples(readme, severity):
    key = PRIVATE_KEY
    [finding] = _rule({"keys/server.key": key, "keys/README.md": readme}, "REPO001")
    assert finding.severity.value == severity


GITLEAKS_TOML = """[allowlist]
  description = "bogus test keys"
  paths = ["keys/dev.key", "keys/.*[.]pem", '''tools\\/docker\\/redis-tls''']
  regexes = ['''q8Vt2LwN5xRb7Kc1Yh4Jm9Pz\\+3Ds6Fg0U''', '''(a+)+$''', '''abc''']

[[rules]]
  id = "generic"
  [[rules.allowlists]]
    regexes = ['''Xz93LkP0qW7eRt5YuI1oPa2S''']
"""


def test_repo001_honours_the_literal_entries_of_the_gitleaks_allowlist():
    key = PRIVATE_KEY
    config = ("storage:\n  secret_key: 'q8Vt2LwN5xRb7Kc1Yh4Jm9Pz+3Ds6Fg0U'\n"
              "  other_secret: 'Xz93LkP0qW7eRt5YuI1oPa2SdF6gH8jK'\n")
    files = {"keys/dev.key": key, "keys/prod.key": key, "config/storage.yml": config,
             "tools/docker/redis-tls/client/client.key": key, ".gitleaks.toml": GITLEAKS_TOML}
    found = [(f.path, f.line) for f in _rule(files, "REPO001") if f.path != ".gitleaks.toml"]
    # a literal path (found anywhere in a file's path, as gitleaks searches it: a directory
    # covers its files) and value are allowed; a pattern (`keys/.*[.]pem`) is never run, and
    # a rule's own allowlist is gitleaks' business
    assert found == [("config/storage.yml", 3), ("keys/prod.key", 1)]


def test_compose005_spares_sample_files_and_self_describing_values():
    compose = ("services:\n  web:\n    image: example/web:1.0\n    environment:\n"
               "      SECRET_KEY: q8Vt2LwN5xRb7Kc1Yh4Jm9Pz3Ds6Fg0U\n"
               "      API_TOKEN: some-long-and-weirdly-unrandom-secret-key\n")
    assert _rule({"docker-compose-sample.yaml": compose}, "COMPOSE005") == []
    assert [f.line for f in _rule({"docker-compose.yml": compose}, "COMPOSE005")] == [5]


def test_repo003_accepts_any_ignored_dotenv_the_loading_module_can_reach():
    loader = "from dotenv import load_dotenv\n\nload_dotenv('.env')\n"
    files = {"backend/common/settings.py": loader}
    assert _rule({**files, ".gitignore": "backend/.env\n"}, "REPO003") == []
    assert _rule({**files, ".gitignore": "frontend/.env\n"}, "REPO003") != []


def test_repo003_leaves_what_a_negation_re_includes_and_no_more():
    tracked = {"server/.env.staging": "SECRET_KEY=q8Vt2LwN5xRb7Kc1Yh4Jm9Pz3Ds6Fg0U\n"}
    assert _rule({**tracked, ".gitignore": ".env\n.env.*\n!.env.staging\n"}, "REPO003") == []
    assert _rule({**tracked, ".gitignore": ".env\n!.env.example\n"}, "REPO003") != []


def test_repo003_leaves_a_mounted_directory_whose_keys_are_committed():
    compose = ("services:\n  proxy:\n    image: nginx:1.27\n    volumes:\n"
               "      - ./certs:/etc/nginx/ssl\n")
    files = {"docker-compose.yml": compose, ".gitignore": ".env\n"}
    assert _rule({**files, "certs/dev.key": "-----BEGIN PRIVATE KEY-----\n"}, "REPO003") == []
    assert _rule({**files, "certs/README.md": "put keys here\n"}, "REPO003") != []


@pytest.mark.parametrize("name, expected", [
    ("POSTGRES_PASSWORD", True), ("RABBITMQ_PASSWORD", True), ("OPENSEARCH_ADMIN_PASSWORD", True),
    ("AWS_SECRET_ACCESS_KEY", True), ("DB_PASS", True),
    ("SECRET_KEY", False), ("ADMIN_PASSWORD", False), ("S3_FILES_DOWNLOAD_SECRET", False),
    ("DOCUMENT_DOWNLOAD_API_KEY", False), ("PASSWORD", False),
    ("EMAIL_HOST_PASSWORD", True), ("SMTP_PASSWORD", True), ("LDAP_BIND_PASSWORD", True),
    ("GOOGLE_SSO_CLIENT_SECRET", True), ("GITHUB_CLIENT_SECRET", True),
    ("DATABASE_URL", True), ("REDIS_URL", True), ("SENTRY_DSN", False),
    # a client secret the service itself checks (its own admin client's)
    ("ADMIN_CLIENT_SECRET", False), ("EMAIL_VERIFICATION_SECRET", False)])
def test_backing_service_passwords(name, expected):
    assert is_client_credential(name) is expected


@pytest.mark.parametrize(("path", "code", "expected"), [
    # a backing service's password, beside the service's own secret
    ("app/settings.py", "import os\n\n"
     "DB_PASSWORD = os.getenv('POSTGRES_PASSWORD', 'k8Jd2Lw9Qz4Rt7Vb')\n"
     "SECRET_KEY = os.getenv('SECRET_KEY', 'k8Jd2Lw9Qz4Rt7Vb')\n", [(3, "info"), (4, "high")]),
    # a fallback handed straight to a client
    ("app/llm.py", "import os\n\nimport jwt\nfrom openai import OpenAI\n\n"
     "llm = OpenAI(api_key=os.getenv('OLLAMA_API_KEY', 'dummy'))\n"
     "token = jwt.encode({}, key=os.getenv('JWT_SECRET', 'dummy'))\n"
     "app.config.update(SECRET_KEY=os.getenv('SECRET_KEY', 'dummy'))\n",
     [(6, "info"), (7, "high"), (8, "high")]),
    # another service's API key; the key of the service's own package, or a bare API_KEY,
    # may be what its clients present
    ("mobsf/settings.py", "import os\n\n"
     "ENKETO_API_KEY = os.getenv('ENKETO_API_KEY', 'k8Jd2Lw9Qz4Rt7Vb')\n"
     "MOBSF_API_KEY = os.getenv('MOBSF_API_KEY', 'k8Jd2Lw9Qz4Rt7Vb')\n"
     "API_KEY = os.getenv('API_KEY', 'k8Jd2Lw9Qz4Rt7Vb')\n",
     [(3, "info"), (4, "high"), (5, "high")]),
])
def test_py015_reports_fallbacks_that_unlock_nothing_of_the_service_as_info(path, code,
                                                                            expected):
    found = _rule({path: code}, "PY015")
    assert [(f.line, f.severity.value) for f in found] == expected


def test_a_fixture_file_seeds_test_or_local_data():
    fixture = ('[{"model": "oidc_provider.client", "fields": {"client_secret": "bd01adf93cfb",\n'
               '  "_redirect_uris": "http://localhost:8000/oidc/callback/"}}]\n')
    assert _rule({"docker/images/oidcprovider/fixtures.json": fixture}, "REPO001") == []
    assert _rule({"app/initial_fixtures.yaml": fixture}, "REPO001") == []
    assert _rule({"config/clients.json": fixture}, "REPO001") != []


def test_credentials_of_a_url_on_the_machine_itself_are_not_committed_secrets():
    workflow = ("jobs:\n  test:\n    steps:\n      - run: echo \"DB_URL=postgresql+psycopg://"
                "test_user:Rv83nTq2WmZy@{host}:5432/hub\" >> $GITHUB_ENV\n")
    assert _rule({".github/workflows/test.yml": workflow.format(host="127.0.0.1")},
                 "REPO001") == []
    assert _rule({"deploy/settings.ini": "url = postgresql://app:Rv83nTq2WmZy@localhost/app\n"},
                 "REPO001") == []
    assert _rule({"deploy/settings.ini": "url = postgresql://app:Rv83nTq2WmZy@db.example.org/app\n"},
                 "REPO001") != []


def test_the_password_of_a_url_is_judged_as_a_value():
    assert not is_real_secret_value("postgresql://app:password@db:5432/app")
    assert not is_real_secret_value("redis://:changeme@redis:6379/0")
    assert is_real_secret_value("postgresql://app:Rv83nTq2WmZy@db:5432/app")
    assert is_real_secret_value("redis://:changeme@redis:6379/0", strict=True)  # runs with it


def test_a_password_made_of_the_account_name_and_the_word_password():
    assert repeats_identity("repmgrpassword", {"repmgr"})
    assert repeats_identity("mysql://shop:shop_pass@db/shop", set())
    assert not repeats_identity("repmgrpassword", {"admin"})
    assert not repeats_identity("redis://:secret@redis:6379", set())
    assert not repeats_identity("password", {"app"})


def test_a_password_that_names_the_server_of_its_variable_is_its_stock_default():
    assert repeats_identity("postgres", set(), "POSTGRES_PASSWORD")
    assert repeats_identity("rabbitmqpassword", set(), "RABBITMQ_DEFAULT_PASS")
    assert not repeats_identity("postgres", set(), "APP_DB_PASSWORD")
    assert not repeats_identity("Zq81mXv3T", set(), "POSTGRES_PASSWORD")
    image = "FROM ubuntu:22.04\nENV POSTGRES_PASSWORD {value}\nCMD [\"postgres\"]\n"
    assert scan_files({"db/Dockerfile": image.format(value="postgres")}, ["DOCKER006"]) == []
    assert scan_files({"db/Dockerfile": image.format(value="Zq81mXv3T")}, ["DOCKER006"]) != []


def test_a_name_based_hit_in_code_or_compose_is_information():
    def severities(files):
        return sorted(f.severity.value for f in scan_files(files, ["REPO001"]))

    keyword = 'jwt_secret = "9b1f0c7e5d2a4f6b8c3e1a7d9f0b2c4e"\n'
    assert severities({"app/settings.py": keyword}) == ["info"]
    assert severities({"config/app.ini": f"[auth]\n{keyword}"}) == ["critical"]
    assert severities({"docker-compose.yml": (
        "services:\n  db:\n    image: postgres:16\n    environment:\n"
        "      DATABASE_URL: postgresql://app:Xk29pQz7LmWq@db.internal/app\n")}) == ["info"]
    # a token format is a secret wherever it is; an access key ID alone names a key
    key_id = 'AWS_ACCESS_KEY_ID = "AKIAZ3MQXR7PQ2LD4VTE"\n'
    secret = 'AWS_SECRET_ACCESS_KEY = "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"\n'
    assert severities({"app/settings.py": key_id}) == ["info"]
    assert "critical" in severities({"app/settings.py": key_id + secret})


def test_a_private_key_of_the_test_settings_is_information():
    key = ('KEY = """-----BEGIN RSA PRIVATE KEY-----\n'
           'MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\n'
           '-----END RSA PRIVATE KEY-----"""\n')
    assert [f.severity.value for f in scan_files({"app/settings/test.py": key},
                                                 ["REPO001"])] == ["info"]
    assert [f.severity.value for f in scan_files({"app/settings/production.py": key},
                                                 ["REPO001"])] == ["critical"]


def test_a_private_key_in_a_file_named_for_development_is_information():
    keys = ("keys:\n  - kid: submission\n    value: |\n      -----BEGIN RSA PRIVATE KEY-----\n"
            "      MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\n"
            "      -----END RSA PRIVATE KEY-----\n")
    assert [f.severity.value for f in scan_files({"dev-keys.yml": keys},
                                                 ["REPO001"])] == ["info"]
    assert [f.severity.value for f in scan_files({"keys.yml": keys},
                                                 ["REPO001"])] == ["critical"]


def test_an_env_file_password_that_repeats_its_user_is_a_sample():
    assert env_file_secrets("POSTGRES_USER=postgres\nPOSTGRES_PASSWORD=postgres\n"
                            "ELASTIC_USER=elastic\nELASTIC_PASSWORD=elastic\n", ".env") == []
    assert env_file_secrets("POSTGRES_USER=postgres\nPOSTGRES_PASSWORD=Xk29pQz7LmWq\n",
                            ".env") == [(2, "POSTGRES_PASSWORD")]


def test_published_emulator_and_test_mode_credentials_are_no_secret():
    azurite = ("DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey="
               "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/"
               "KBHBeksoGMGw==;BlobEndpoint=http://azurite:10000/devstoreaccount1;")
    files = {"ci/settings.yml": f"storage:\n  connection_string: '{azurite}'\n",
             "config/storage.yml": "storage:\n  account_key: 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDX"
                                   "J1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='\n"}
    assert _rule(files, "REPO001") == []
    assert not is_real_secret_value(azurite)


def test_a_private_key_the_code_names_for_tests_is_information():
    body = ('"""-----BEGIN RSA PRIVATE KEY-----\n'
            "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\n"
            '-----END RSA PRIVATE KEY-----\n"""\n')
    files = {"node/ssl_certs.py": "SSL_TEST_PRIVATE_CA_KEY = b" + body,
             "node/signing.py": "SIGNING_KEY = " + body}
    found = {f.path: f.severity.value for f in _rule(files, "REPO001")}
    assert found == {"node/ssl_certs.py": "info", "node/signing.py": "critical"}


def test_a_private_key_of_a_test_configuration_class_is_information():
    """The key opens on the line below its name, or sits in `class TestConfig`; the
    production class's key stays critical."""
    key = ("-----BEGIN RSA PRIVATE KEY-----\n"
           "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\n"
           '-----END RSA PRIVATE KEY-----"""\n')
    code = ("class Config:\n    JWT_PRIVATE_KEY = \"\"\"" + key + "\n\n"
            "class TestConfig(Config):\n    JWT_PRIVATE_KEY = \"\"\"" + key + "\n\n"
            "class StagingConfig(Config):\n    JWT_OIDC_TEST_PRIVATE_KEY_PEM = \"\"\"\n" + key)
    found = {f.line: f.severity.value for f in _rule({"api/config.py": code}, "REPO001")}
    assert found == {2: "critical", 8: "info", 15: "info"}


def test_a_private_key_in_a_directory_for_development_or_tests_is_information():
    key = ("-----BEGIN RSA PRIVATE KEY-----\n"
           "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\n"
           "-----END RSA PRIVATE KEY-----\n")
    files = {"local_data/dkim.key": key, "dev-certs/server.key": key,
             "deploy/certs/server.key": key, "localization/signing.key": key,
             "local_data/jwt.key": key,
             "test_project/test_project/settings.py": f'OIDC_KEY = """{key}"""\n',
             # the service loads this one by default; a comment names the other
             "app/config.py": ('import os\n\nJWT_KEY_PATH = os.environ.get("JWT_KEY_PATH", '
                               '"local_data/jwt.key")\n# ssl.load("local_data/dkim.key")\n'
                               'SETTINGS_FILE = "settings.py"\n')}
    found = {f.path: f.severity.value for f in _rule(files, "REPO001")}
    assert found == {"local_data/dkim.key": "info", "dev-certs/server.key": "info",
                     "deploy/certs/server.key": "critical",
                     "localization/signing.key": "critical", "local_data/jwt.key": "critical",
                     "test_project/test_project/settings.py": "info"}


def test_an_api_descriptions_example_token_is_illustration():
    token = ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0."
             "dBjftJeZ4CVPmB92K27uhbUJU1p1r_wW1gFWFOEjXk0")
    spec = ('{\n  "openapi" : "3.0.1",\n  "components" : {\n    "token" : {\n'
            f'      "example" : "{token}",\n      "default" : "{token}"\n    }}\n  }}\n}}\n')
    assert [f.line for f in _rule({"open-api/openapi.json": spec}, "REPO001")] == [6]
    # outside an API description an `example` key proves nothing
    assert [f.line for f in _rule({"config/auth.json": spec.replace("openapi", "service")},
                                  "REPO001")] == [5, 6]


@pytest.mark.parametrize("name", [".env.example", "dotenv-sample", "env.sample", "dotenv.example"])
def test_an_example_env_file_of_any_spelling_holds_sample_values_not_secrets(name):
    body = ('DJANGO_SECRET_KEY="INSECURE-if-you-use-this-in-prod"\n'
            "DB_PASSWORD=k8Jd2Lw9Qz4Rt7VbZ\n"
            "GITHUB_TOKEN=ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8\n")
    # a token format stays a secret wherever it sits
    assert [f.line for f in _rule({name: body}, "REPO001")] == [3]
    assert [f.line for f in _rule({"config.env": body}, "REPO001")] == [1, 2, 3]


SETTINGS_WITH_FALLBACK = ('import os\n\nSECRET_KEY = os.environ.get("SECRET_KEY", "Rv83nTq2WmZy")\n'
                          'API_TOKEN = os.environ.get("API_TOKEN", "k8Jd2Lw9Qz4Rt7Vb")\n')


@pytest.mark.parametrize("deployment", [
    # a Kubernetes manifest's secretKeyRef
    ("k8s/deployment.yaml",
     "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n"
     "    spec:\n      containers:\n        - name: web\n          image: acme/web:1\n"
     "          env:\n            - name: SECRET_KEY\n              valueFrom:\n"
     "                secretKeyRef:\n                  name: web\n                  key: key\n"),
    # a chart's values naming the secret that holds it
    ("helm_deploy/web/values.yaml",
     "envVars:\n  SECRET_KEY:\n    secret:\n      name: secret\n      key: value\n"),
])
def test_a_fallback_the_deployment_replaces_with_a_secret_is_information(deployment):
    path, text = deployment
    found = {f.line: f.severity.value for f in _rule(
        {"web/settings.py": SETTINGS_WITH_FALLBACK, path: text}, "PY015")}
    assert found == {3: "info", 4: "high"}


def test_an_env_file_for_a_development_stack_holds_throwaway_values():
    body = ("PAYMENTS_SECRET_KEY=2c0411810565e063309be1457009fb39ce023946f6a354e6935107b57676\n"
            "DB_PASSWORD=k8Jd2Lw9Qz4Rt7VbZ\n"
            "GITHUB_TOKEN=ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8\n")
    for name in (".env-devel", ".env.local", "services/api/.env-devel", ".env.test"):
        # a token format stays a secret wherever it sits
        assert [f.line for f in _rule({name: body}, "REPO001")] == [3], name
    assert [f.line for f in _rule({".env.production": body}, "REPO001")] == [1, 2, 3]


def test_a_key_named_value_that_is_a_lower_case_path_is_a_name():
    config = ('{"services": [\n  {"serviceKey": "simcore/services/dynamic/s4l-ui"},\n'
              '  {"serviceKey": "Kd8/q2LwR7zT4vB9xNm3"}\n]}\n')
    assert [f.line for f in _rule({"ui/config.json": config}, "REPO001")] == [3]


def test_the_examples_of_a_json_schema_are_illustrations():
    schema = ('{\n    "$schema": "http://json-schema.org/draft-07/schema",\n'
              '    "examples": [{"invitations": [{\n'
              '        "api_key": "Xy7Qm2Lp9Rt4Vb8Nc3Kd6Fg1Hj5Sw0Ez7Ua2Yi4Oq",\n'
              '        "token": "eyJpZCI6MiwidHlwZSI6IkRJUkVDVE9SX1NFQVJDSCJ9.X7wSWA.8_WvWRuAU"\n'
              '    }]}]\n}\n')
    assert _rule({"api/schemas/paged_response.json": schema}, "REPO001") == []
    assert [f.line for f in _rule({"api/config/keys.json": schema.replace(
        '"$schema": "http://json-schema.org/draft-07/schema",\n', "")}, "REPO001")] == [3, 4]
