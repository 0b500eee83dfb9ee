"""What CI shows must match what the gate decided: suppressed and baselined findings stay out of
code scanning and annotations, fingerprints are distinct, repository text stays text."""

from __future__ import annotations

import json
import re
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from typer.testing import CliRunner

from prodready.cli import app
from prodready.report import OutputFormat, render
from prodready.report.json_format import load_report, report_dict
from prodready.report.markdown_format import md_code, md_text
from prodready.testing import write_tree

runner = CliRunner()
SYS_PATH = 'import sys\nsys.path.insert(0, "x")\n'  # PY003
TWICE = 'import sys\nsys.path.insert(0, "x")\nsys.path.insert(0, "x")\n'
GITHUB_ENV = ("GITHUB_WORKSPACE", "GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_SHA",
              "GITHUB_STEP_SUMMARY")


@pytest.fixture(autouse=True)
def no_github(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in GITHUB_ENV:
        monkeypatch.delenv(name, raising=False)


def scan(root: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["scan", str(root), "--no-cache", "--select", "PY003", *args])
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, result.stdout


@pytest.fixture
def baselined(tmp_path: Path) -> tuple[Path, Path]:
    repo = write_tree(tmp_path / "repo", {"app/a.py": SYS_PATH})
    baseline = tmp_path / "baseline.json"
    written = runner.invoke(app, ["baseline", str(repo), "--select", "PY003", "-o",
                                  str(baseline)])
    assert written.exit_code == 0, written.output
    write_tree(repo, {"app/b.py": SYS_PATH})  # one new problem after the baseline
    return repo, baseline


def test_baselined_findings_stay_out_of_sarif_annotations_and_top_findings(
        baselined: tuple[Path, Path], tmp_path: Path) -> None:
    repo, baseline = baselined
    sarif, md = tmp_path / "out.sarif", tmp_path / "out.md"
    code, annotations = scan(repo, "--baseline", str(baseline), "--format", "github",
                             "-o", f"sarif={sarif}", "-o", f"markdown={md}")
    assert code == 1  # the new finding fails the gate
    run = json.loads(sarif.read_text())["runs"][0]
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in run["results"]]
    assert uris == ["app/b.py"]
    assert run["properties"]["baselined"] == 1
    assert "app/b.py" in annotations and "app/a.py" not in annotations
    top = md.read_text().split("### Top findings", 1)[1].split("###", 1)[0]
    assert "app/b.py" in top and "app/a.py" not in top


def test_suppressed_findings_are_not_sarif_results(tmp_path: Path) -> None:
    repo = write_tree(tmp_path, {"app/a.py": (
        'import sys\nsys.path.insert(0, "y")  # prodready: ignore[PY003] -- vendored dir\n')})
    code, out = scan(repo, "--format", "sarif")
    assert code == 0
    run = json.loads(out)["runs"][0]
    assert run["results"] == []
    assert run["properties"]["suppressed"] == 1


def test_identical_lines_in_one_file_get_distinct_fingerprints(tmp_path: Path) -> None:
    repo = write_tree(tmp_path, {"app/a.py": TWICE})
    _, sarif = scan(repo, "--format", "sarif")
    prints = [r["partialFingerprints"]["prodready/v1"]
              for r in json.loads(sarif)["runs"][0]["results"]]
    assert len(prints) == 2 and len(set(prints)) == 2
    _, cc = scan(repo, "--format", "codeclimate")
    issues = [i for i in json.loads(cc) if i["check_name"].startswith("PY003")]
    assert len({i["fingerprint"] for i in issues}) == 2
    # the first occurrence keeps the fingerprint it always had
    _, data = scan(repo, "--format", "json")
    assert prints[0] == json.loads(data)["findings"][0]["fingerprint"]


def test_junit_skips_rules_with_nothing_to_examine(tmp_path: Path) -> None:
    repo = write_tree(tmp_path, {"app/a.py": "print('hi')\n"})
    result = runner.invoke(app, ["scan", str(repo), "--no-cache", "--select", "PY003,PY006",
                                 "--format", "junit"])
    suite = ET.fromstring(result.stdout).find("testsuite")
    assert suite is not None
    cases = {c.get("name", "").split()[0]: c for c in suite.iter("testcase")}
    # no sys.path call and no HTTP call: neither rule examined anything
    assert cases["PY003"].find("skipped") is not None
    assert cases["PY006"].find("skipped") is not None
    assert suite.get("skipped") == "2"


# ------------------------------------------------------------------ markdown from the repository

HOSTILE = "@octocat see [click](https://evil.example) ![x](https://evil.example/p.png) " \
          "<img src=x onerror=alert(1)> **bold** | cell www.evil.example"


def hostile_report(tmp_path: Path) -> dict:
    repo = write_tree(tmp_path / "repo", {"app/a.py": SYS_PATH})
    _, out = scan(repo, "--format", "json")
    data = json.loads(out)
    data["findings"][0]["message"] = HOSTILE
    data["findings"][0]["path"] = "app/`@octocat`.py"
    return data


def test_repository_text_renders_as_text_in_the_scorecard(tmp_path: Path) -> None:
    md = render(OutputFormat.MARKDOWN, load_report(hostile_report(tmp_path)))
    line = next(x for x in md.splitlines() if "octocat see" in x)
    assert "``app/`@octocat`.py:2``" in line  # the path stays verbatim, in a code span
    message = line.split("``app/`@octocat`.py:2``", 1)[1]
    assert "@octocat" not in message  # no mention
    assert "](https://" not in message and "![" not in message and "<img" not in message
    assert "https://evil" not in message and "www.evil" not in message  # no autolink either
    assert "**bold**" not in message
    assert message.count(" | ") == 1  # only the cell's closing pipe: the row stays whole


def test_markdown_escapes() -> None:
    assert md_text("[a](b)") == r"\[a\]\(b\)"
    assert md_text("a\nb") == "a b"
    assert md_text("add `USER` before `CMD`") == "add `USER` before `CMD`"  # code stays code
    assert md_text("a ` b [c](d)") == r"a \` b \[c\]\(d\)"
    assert md_code("x`y") == "``x`y``"
    assert md_code("`x") == "`` `x ``"


# ------------------------------------------------------------------ scorecard header and changes

def test_change_column_is_the_difference_of_the_shown_scores(tmp_path: Path) -> None:
    vendored = 'sys.path.insert(0, "v")  # prodready: ignore[PY003] -- vendored\n'
    repo = write_tree(tmp_path / "repo", {"app/a.py": SYS_PATH,
                                          "app/b.py": "import sys\n" + vendored * 2})
    _, out = scan(repo, "--format", "json")
    previous = json.loads(out)
    now = previous["score"]["overall"]
    shown = round(now)
    # shown the same as now, yet more than half a point away: the raw difference rounds to 1
    before = shown - 0.49 if now >= shown else shown + 0.49
    assert abs(now - before) >= 0.5, now
    previous["score"]["overall"] = before
    previous_file = tmp_path / "before.json"
    previous_file.write_text(json.dumps(previous))
    _, md = scan(repo, "--format", "markdown", "--compare", str(previous_file))
    row = next(x for x in md.splitlines() if x.startswith("| **Overall**"))
    before_cell, after_cell, change = re.findall(r"\*\*([^*]+)\*\*", row)[1:]
    delta = 0 if "±0" in change else int(change.split()[-1])
    assert int(before_cell) + delta == int(after_cell), row


def test_header_follows_the_gate_not_the_grade(tmp_path: Path) -> None:
    # one medium finding among many clean files: a good grade, but fail-on low fails the run
    files = {f"app/m{i}.py": "import sys\nprint(sys.argv)\n" for i in range(2)}
    files["app/a.py"] = SYS_PATH
    repo = write_tree(tmp_path / "repo", files)
    code, md = scan(repo, "--format", "markdown", "--fail-on", "low")
    assert code == 1
    header = next(x for x in md.splitlines() if x.startswith("## "))
    assert "failed" in header and ":x:" in header
    code, md = scan(repo, "--format", "markdown", "--fail-on", "critical")
    assert code == 0
    header = next(x for x in md.splitlines() if x.startswith("## "))
    assert "passed" in header and ":white_check_mark:" in header


def test_locations_link_to_the_file_at_the_commit(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    repo = write_tree(tmp_path / "work" / "svc", {"app/a.py": SYS_PATH})
    monkeypatch.setenv("GITHUB_WORKSPACE", str(tmp_path / "work"))
    monkeypatch.setenv("GITHUB_SERVER_URL", "https://github.example")
    monkeypatch.setenv("GITHUB_REPOSITORY", "acme/orders")
    monkeypatch.setenv("GITHUB_SHA", "0123456789abcdef0123456789abcdef01234567")
    _, md = scan(repo, "--format", "markdown")
    assert ("[`svc/app/a.py:2`](https://github.example/acme/orders/blob/"
            "0123456789abcdef0123456789abcdef01234567/svc/app/a.py#L2)") in md


def test_json_report_rebuilds_the_gate(tmp_path: Path) -> None:
    repo = write_tree(tmp_path / "repo", {"app/a.py": SYS_PATH})
    _, out = scan(repo, "--format", "json", "--fail-on", "critical")
    data = json.loads(out)
    assert data["gate"] == {"passed": True, "failures": [], "fail_on": "critical",
                            "fail_under": None, "fail_on_parse": False}
    md = render(OutputFormat.MARKDOWN, load_report(data))
    assert "passed" in next(x for x in md.splitlines() if x.startswith("## "))
    assert report_dict(load_report(data))["gate"] == data["gate"]


# ------------------------------------------------------------------ monorepos

FASTAPI = ("from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get('/healthz')\n"
           "def health():\n    return {}\n")


def test_each_service_gets_its_own_score(tmp_path: Path) -> None:
    repo = write_tree(tmp_path / "repo", {
        "services/clean/requirements.txt": "fastapi==0.110.0\n",
        "services/clean/clean/main.py": FASTAPI,
        "services/messy/requirements.txt": "fastapi==0.110.0\n",
        "services/messy/messy/main.py": FASTAPI,
        "services/messy/messy/boot.py": SYS_PATH,
    })
    result = runner.invoke(app, ["scan", str(repo), "--no-cache", "--format", "json",
                                 "-o", f"markdown={tmp_path / 'card.md'}"])
    services = {s["root"]: s for s in json.loads(result.stdout)["services"]}
    assert set(services) == {"services/clean", "services/messy"}
    assert services["services/messy"]["findings"] > services["services/clean"]["findings"]
    assert services["services/messy"]["score"] < services["services/clean"]["score"]
    card = (tmp_path / "card.md").read_text()
    assert "| Service | Directory | Score | Grade | Findings |" in card
    row = next(x for x in card.splitlines() if "`services/messy`" in x)
    assert f"| {round(services['services/messy']['score'])} |" in row
    # the JSON report carries them to `comment --report`
    rebuilt = render(OutputFormat.MARKDOWN, load_report(json.loads(result.stdout)))
    assert row in rebuilt
