"""A committed secret is reported (REPO001) but its value appears in no output format."""

from __future__ import annotations

import base64
import importlib
from pathlib import Path

import pytest

from prodready.config import Config
from prodready.engine import scan
from prodready.report import OutputFormat, Report, render

# Made-up credentials of the real shapes (none of them is a documented example value).
AWS_KEY_ID = "AKIAQW4RT7YU2IO9PL3K"
AWS_SECRET = "q8Vt2LwN5xRb7Kc1Yh4Jm9Pz3Ds6Fg0Ue+Ai/Wo"
DB_PASSWORD = "Rv83nTq2WmZy"
KEY_BODY = "MIIEpAIBAAKCAQEA3Tz2mR8vQx7LkPw1YbN4cJ9sHfU6eGa0Wd5ZrXi2Ko7tVqCn"
KEY_BLOCK = f"-----BEGIN RSA PRIVATE KEY-----\n{KEY_BODY}\n-----END RSA PRIVATE KEY-----"

SECRETS = (AWS_KEY_ID, AWS_SECRET, DB_PASSWORD, KEY_BODY,
           base64.b64encode(AWS_SECRET.encode()).decode())

FILES = {
    ".env": (
        f"AWS_ACCESS_KEY_ID={AWS_KEY_ID}\n"
        f"AWS_SECRET_ACCESS_KEY={AWS_SECRET}\n"
        f"DATABASE_URL=postgresql://app:{DB_PASSWORD}@db.internal/app\n"
        f'PRIVATE_KEY="{KEY_BLOCK.replace(chr(10), chr(92) + "n")}"\n'
    ),
    "docker-compose.yml": (
        "services:\n"
        "  api:\n"
        "    image: example/api:1.0\n"
        "    environment:\n"
        f"      AWS_ACCESS_KEY_ID: {AWS_KEY_ID}\n"
        f"      AWS_SECRET_ACCESS_KEY: {AWS_SECRET}\n"
        f"      DATABASE_URL: postgresql://app:{DB_PASSWORD}@db/app\n"
        "  worker:\n"
        "    image: example/worker:1.0\n"
        "    environment:\n"
        f"      - DB_PASSWORD={DB_PASSWORD}\n"
    ),
    "k8s/secret.yaml": (
        "apiVersion: v1\n"
        "kind: Secret\n"
        "metadata:\n"
        "  name: api\n"
        "stringData:\n"
        f"  AWS_ACCESS_KEY_ID: {AWS_KEY_ID}\n"
        f"  DB_PASSWORD: {DB_PASSWORD}\n"
        "data:\n"
        f"  AWS_SECRET_ACCESS_KEY: {base64.b64encode(AWS_SECRET.encode()).decode()}\n"
    ),
    "app/settings.py": (
        f'AWS_ACCESS_KEY_ID = "{AWS_KEY_ID}"\n'
        f'AWS_SECRET_ACCESS_KEY = "{AWS_SECRET}"\n'
        f'DB_PASSWORD = "{DB_PASSWORD}"\n'
        f'SIGNING_KEY = """{KEY_BLOCK}\n"""\n'
    ),
    "requirements.txt": "fastapi==0.115.0\n",
}


def _formats() -> list[OutputFormat]:
    available = []
    for fmt in OutputFormat:
        try:
            importlib.import_module(f"prodready.report.{fmt.value}_format")
        except ImportError:
            continue
        available.append(fmt)
    return available


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    root: Path = tmp_path_factory.mktemp("leaky-repo")
    for rel, content in FILES.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
    return Report.of(scan(root, Config(), jobs=1, use_cache=False))


def test_the_secrets_are_found(report: Report) -> None:
    found = [f for f in report.result.findings if f.rule_id == "REPO001"]
    assert {f.path for f in found} >= {".env", "docker-compose.yml", "app/settings.py"}
    assert any(f.path == ".env" and f.line == 4 for f in found), "the private key in .env"
    assert any(f.path == "app/settings.py" and f.line == 4 for f in found), "the PEM block"
    for finding in found:
        assert finding.snippet == ""
        assert "sha1 " in finding.message


@pytest.mark.parametrize("fmt", _formats(), ids=lambda f: f.value)
def test_no_format_prints_a_secret(report: Report, fmt: OutputFormat) -> None:
    output = render(fmt, report)
    assert output.strip()
    for secret in SECRETS:
        assert secret not in output, f"{fmt.value} output contains a secret value"


def test_findings_and_diagnostics_hold_no_secret(report: Report) -> None:
    texts = [f"{f.message} {f.snippet}" for f in report.result.findings]
    texts += [d.message for d in report.result.diagnostics]
    for text in texts:
        for secret in SECRETS:
            assert secret not in text
