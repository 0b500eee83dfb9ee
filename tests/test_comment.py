"""`prodready comment` against a local stand-in for the GitHub issue-comment endpoints."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from typer.testing import CliRunner

from prodready import comment as cm
from prodready.cli import app
from prodready.report.markdown_format import MARKER as SCORECARD_MARKER

TOKEN = "test-token-123"
REPO = "acme/orders"
PR = 7
LIST = re.compile(r"^/repos/([^/]+/[^/]+)/issues/(\d+)/comments$")
ONE = re.compile(r"^/repos/([^/]+/[^/]+)/issues/comments/(\d+)$")
GITHUB_VARS = ("GITHUB_TOKEN", "GITHUB_REPOSITORY", "GITHUB_API_URL", "GITHUB_EVENT_PATH",
               "GITHUB_REF", "GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY")


@dataclass
class FakeGitHub:
    """Issue comments of pull requests, served the way the GitHub REST API serves them."""

    url: str = ""
    page_size: int = 100  # the API honours per_page; tests lower this to force pagination
    mode: str = "ok"  # ok | forbidden | error | offsite-link
    comments: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)
    next_id: int = 1000

    def add(self, pr: int, body: str, user: str = "someone") -> dict[str, Any]:
        self.next_id += 1
        item = {"id": self.next_id, "body": body, "user": {"login": user},
                "html_url": f"https://github.example/{REPO}/pull/{pr}#issuecomment-{self.next_id}"}
        self.comments.setdefault(pr, []).append(item)
        return item

    def marked(self, pr: int = PR) -> list[dict[str, Any]]:
        return [c for c in self.comments.get(pr, []) if cm.MARKER in c["body"]]


def _handler(state: FakeGitHub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
            pass

        def _send(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)

        def _body(self) -> dict[str, Any]:
            length = int(self.headers.get("Content-Length") or 0)
            return json.loads(self.rfile.read(length) or b"{}")

        def _authorised(self) -> bool:
            state.requests.append((self.command, self.path))
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                self._send(401, {"message": "Bad credentials"})
                return False
            if state.mode == "error":
                self._send(500, {"message": "Server Error"})
                return False
            return True

        def do_GET(self) -> None:
            if not self._authorised():
                return
            parts = urlsplit(self.path)
            match = LIST.match(parts.path)
            if not match or match.group(1) != REPO:
                self._send(404, {"message": "Not Found"})
                return
            pr = int(match.group(2))
            query = parse_qs(parts.query)
            page = int(query.get("page", ["1"])[0])
            size = min(state.page_size, int(query.get("per_page", ["30"])[0]))
            items = state.comments.get(pr, [])
            chunk = items[(page - 1) * size:page * size]
            headers = {}
            if page * size < len(items):
                base = (state.url if state.mode != "offsite-link"
                        else "http://offsite.invalid")
                nxt = f"{base}{parts.path}?per_page={size}&page={page + 1}"
                last = (len(items) + size - 1) // size
                headers["Link"] = (f'<{nxt}>; rel="next", '
                                   f'<{base}{parts.path}?per_page={size}&page={last}>; '
                                   'rel="last"')
            self._send(200, chunk, headers)

        def _writable(self, pattern: re.Pattern[str]) -> re.Match[str] | None:
            """The matched path of a write request, or None once the error is sent."""
            if not self._authorised():
                return None
            match = pattern.match(urlsplit(self.path).path)
            if not match or match.group(1) != REPO:
                self._send(404, {"message": "Not Found"})
                return None
            if state.mode == "forbidden":
                self._send(403, {"message": "Resource not accessible by integration"})
                return None
            return match

        def do_POST(self) -> None:
            match = self._writable(LIST)
            if match is None:
                return
            item = state.add(int(match.group(2)), self._body()["body"], user="github-actions")
            self._send(201, item)

        def do_PATCH(self) -> None:
            match = self._writable(ONE)
            if match is None:
                return
            wanted = int(match.group(2))
            for items in state.comments.values():
                for item in items:
                    if item["id"] == wanted:
                        item["body"] = self._body()["body"]
                        self._send(200, item)
                        return
            self._send(404, {"message": "Not Found"})

    return Handler


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    state = FakeGitHub()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in GITHUB_VARS:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def scorecard(tmp_path: Path) -> Path:
    path = tmp_path / "scorecard.md"
    path.write_text(f"{SCORECARD_MARKER}\n## prodready: 80/100 · grade B\n", encoding="utf-8")
    return path


def run(github: FakeGitHub, *args: str, env: dict[str, str] | None = None,
        stdin: str | None = None) -> Any:
    base = {"GITHUB_TOKEN": TOKEN, "GITHUB_REPOSITORY": REPO, "GITHUB_API_URL": github.url}
    return CliRunner().invoke(app, ["comment", *args], env={**base, **(env or {})},
                              input=stdin)


# ------------------------------------------------------------------ create, then update

def test_first_run_creates_second_run_updates(github: FakeGitHub, scorecard: Path) -> None:
    github.add(PR, "LGTM")
    first = run(github, "--markdown", str(scorecard), "--pr", str(PR))
    assert first.exit_code == 0, first.output
    assert "created comment" in first.stdout
    assert len(github.marked()) == 1
    created_id = github.marked()[0]["id"]

    scorecard.write_text(f"{SCORECARD_MARKER}\n## prodready: 95/100 · grade A\n",
                         encoding="utf-8")
    github.requests.clear()
    second = run(github, "--markdown", str(scorecard), "--pr", str(PR))
    assert second.exit_code == 0, second.output
    assert f"updated comment {created_id}" in second.stdout
    marked = github.marked()
    assert len(marked) == 1 and marked[0]["id"] == created_id
    assert "95/100" in marked[0]["body"]
    assert ("PATCH", f"/repos/{REPO}/issues/comments/{created_id}") in github.requests
    assert not any(method == "POST" for method, _ in github.requests)
    assert github.comments[PR][0]["body"] == "LGTM"  # others' comments untouched


def test_list_request_asks_for_100_per_page(github: FakeGitHub, scorecard: Path) -> None:
    result = run(github, "--markdown", str(scorecard), "--pr", str(PR))
    assert result.exit_code == 0, result.output
    method, path = github.requests[0]
    assert method == "GET"
    assert path == f"/repos/{REPO}/issues/{PR}/comments?per_page=100"


def test_pagination_is_followed_to_find_the_marker(github: FakeGitHub, scorecard: Path) -> None:
    github.page_size = 2
    github.add(PR, "first")
    github.add(PR, "second")
    ours = github.add(PR, f"{cm.MARKER}\nold scorecard", user="github-actions")
    github.add(PR, "after ours")
    result = run(github, "--markdown", str(scorecard), "--pr", str(PR))
    assert result.exit_code == 0, result.output
    gets = [path for method, path in github.requests if method == "GET"]
    assert len(gets) == 2 and "page=2" in gets[1]
    assert github.marked() == [ours]
    assert "80/100" in ours["body"]
    assert not any(method == "POST" for method, _ in github.requests)


def test_marker_missing_from_all_pages_creates(github: FakeGitHub, scorecard: Path) -> None:
    github.page_size = 2
    for i in range(5):
        github.add(PR, f"comment {i}")
    result = run(github, "--markdown", str(scorecard), "--pr", str(PR))
    assert result.exit_code == 0, result.output
    assert len([p for m, p in github.requests if m == "GET"]) == 3
    assert len(github.marked()) == 1 and len(github.comments[PR]) == 6


def test_pagination_link_to_another_host_is_refused(github: FakeGitHub,
                                                    scorecard: Path) -> None:
    github.page_size = 1
    github.mode = "offsite-link"
    github.add(PR, "one")
    github.add(PR, "two")
    result = run(github, "--markdown", str(scorecard), "--pr", str(PR))
    assert result.exit_code == 2
    assert "off the API host" in result.stderr
    assert len(github.comments[PR]) == 2


# ------------------------------------------------------------------ failures

def test_forbidden_is_a_warning_and_exit_0(github: FakeGitHub, scorecard: Path) -> None:
    github.mode = "forbidden"
    result = run(github, "--markdown", str(scorecard), "--pr", str(PR))
    assert result.exit_code == 0, result.output
    assert "warning" in result.stderr and "403" in result.stderr
    assert "Resource not accessible by integration" in result.stderr
    assert github.marked() == []


def test_forbidden_in_actions_also_annotates(github: FakeGitHub, scorecard: Path) -> None:
    github.mode = "forbidden"
    result = run(github, "--markdown", str(scorecard), "--pr", str(PR),
                 env={"GITHUB_ACTIONS": "true"})
    assert result.exit_code == 0
    assert result.stdout.startswith("::warning title=prodready comment::")


def test_other_http_errors_exit_2(github: FakeGitHub, scorecard: Path) -> None:
    github.mode = "error"
    result = run(github, "--markdown", str(scorecard), "--pr", str(PR))
    assert result.exit_code == 2
    assert "HTTP 500" in result.stderr and "Server Error" in result.stderr


def test_bad_credentials_exit_2(github: FakeGitHub, scorecard: Path) -> None:
    result = run(github, "--markdown", str(scorecard), "--pr", str(PR), "--token", "wrong")
    assert result.exit_code == 2
    assert "HTTP 401" in result.stderr and "Bad credentials" in result.stderr


def test_unknown_repository_exit_2(github: FakeGitHub, scorecard: Path) -> None:
    result = run(github, "--markdown", str(scorecard), "--pr", str(PR), "--repo", "acme/nope")
    assert result.exit_code == 2
    assert "HTTP 404" in result.stderr


def test_unreachable_api_exit_2(scorecard: Path) -> None:
    import socket

    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = CliRunner().invoke(app, [
        "comment", "--markdown", str(scorecard), "--pr", "1", "--repo", REPO,
        "--token", TOKEN, "--api-url", f"http://127.0.0.1:{port}"])
    assert result.exit_code == 2
    assert "cannot reach the GitHub API" in result.stderr


@pytest.mark.parametrize(("env", "args", "named"), [
    ({"GITHUB_TOKEN": ""}, ["--pr", "1"], "--token or GITHUB_TOKEN"),
    ({"GITHUB_REPOSITORY": ""}, ["--pr", "1"], "GITHUB_REPOSITORY"),
    ({}, [], "pull request number"),
])
def test_missing_inputs_exit_2_naming_them(github: FakeGitHub, scorecard: Path,
                                           env: dict[str, str], args: list[str],
                                           named: str) -> None:
    result = run(github, "--markdown", str(scorecard), *args, env=env)
    assert result.exit_code == 2
    assert named in result.stderr
    assert github.requests == []


def test_missing_scorecard_file_exit_2(github: FakeGitHub, tmp_path: Path) -> None:
    result = run(github, "--markdown", str(tmp_path / "nope.md"), "--pr", "1")
    assert result.exit_code == 2
    assert "cannot read the scorecard" in result.stderr
    assert github.requests == []


# ------------------------------------------------------------------ inputs

def test_scorecard_from_stdin_and_pr_from_event(github: FakeGitHub, tmp_path: Path) -> None:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"action": "synchronize", "number": 12,
                                 "pull_request": {"number": 12}}), encoding="utf-8")
    result = run(github, "--markdown", "-", env={"GITHUB_EVENT_PATH": str(event)},
                 stdin="## from stdin\n")
    assert result.exit_code == 0, result.output
    [posted] = github.marked(12)
    assert posted["body"].startswith(cm.MARKER + "\n## from stdin")


def test_pr_from_github_ref(github: FakeGitHub, scorecard: Path) -> None:
    result = run(github, "--markdown", str(scorecard), env={"GITHUB_REF": "refs/pull/31/merge"})
    assert result.exit_code == 0, result.output
    assert len(github.marked(31)) == 1


def test_pr_option_wins_over_environment(tmp_path: Path) -> None:
    target = cm.resolve_target(token="t", repo=REPO, pr=3, api_url=None,
                               environ={"GITHUB_REF": "refs/pull/9/merge"})
    assert target.pr == 3
    assert target.api_url == cm.DEFAULT_API_URL


def test_pr_from_environment_variants(tmp_path: Path) -> None:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"issue": {"number": 5, "pull_request": {"url": "x"}}}),
                     encoding="utf-8")
    assert cm.pr_from_environment({"GITHUB_EVENT_PATH": str(event)}) == 5
    event.write_text(json.dumps({"issue": {"number": 5}}), encoding="utf-8")  # a plain issue
    assert cm.pr_from_environment({"GITHUB_EVENT_PATH": str(event)}) is None
    event.write_text(json.dumps({"ref": "refs/heads/main"}), encoding="utf-8")  # a push
    assert cm.pr_from_environment({"GITHUB_EVENT_PATH": str(event),
                                   "GITHUB_REF": "refs/heads/main"}) is None
    assert cm.pr_from_environment({"GITHUB_EVENT_PATH": str(tmp_path / "missing.json"),
                                   "GITHUB_REF": "refs/pull/8/merge"}) == 8


def test_api_url_trailing_slash_and_validation() -> None:
    target = cm.resolve_target(token="t", repo=REPO, pr=1, api_url=None,
                               environ={"GITHUB_API_URL": "https://ghe.example/api/v3/"})
    assert target.api_url == "https://ghe.example/api/v3"
    with pytest.raises(cm.CommentError, match="owner/name"):
        cm.resolve_target(token="t", repo="not a repo", pr=1, api_url=None, environ={})
    with pytest.raises(cm.CommentError, match="http"):
        cm.resolve_target(token="t", repo=REPO, pr=1, api_url="file:///etc", environ={})


def test_marker_matches_the_scorecard() -> None:
    assert cm.MARKER == SCORECARD_MARKER


def test_body_gets_marker_once_and_fits_github_limit() -> None:
    assert cm.prepare_body("hello").startswith(cm.MARKER + "\nhello")
    assert cm.prepare_body(f"{cm.MARKER}\nhello").count(cm.MARKER) == 1
    huge = cm.prepare_body("x" * (cm.MAX_BODY * 2))
    assert len(huge) <= cm.MAX_BODY and "truncated" in huge


def test_real_scorecard_end_to_end(github: FakeGitHub, tmp_path: Path) -> None:
    repo = tmp_path / "svc"
    (repo / "app").mkdir(parents=True)
    (repo / "app" / "a.py").write_text('import sys\nsys.path.insert(0, "x")\n',
                                       encoding="utf-8")
    md = tmp_path / "prodready.md"
    scan = CliRunner().invoke(app, ["scan", str(repo), "--select", "PY003", "--no-cache",
                                    "--jobs", "1", "--output", f"markdown={md}"])
    assert scan.exit_code == 1, scan.output
    result = run(github, "--markdown", str(md), "--pr", str(PR))
    assert result.exit_code == 0, result.output
    [posted] = github.marked()
    assert posted["body"] == md.read_text(encoding="utf-8")


def test_a_key_keeps_a_separate_comment(github: FakeGitHub, scorecard: Path) -> None:
    assert cm.marker_for(None) == cm.MARKER == cm.marker_for("./")
    assert cm.marker_for("services/api") == "<!-- prodready-scorecard key=services/api -->"
    assert "--" not in cm.marker_for("a--b -->x")[4:-3]  # never ends the HTML comment early
    plain = run(github, "--markdown", str(scorecard), "--pr", str(PR))
    api = run(github, "--markdown", str(scorecard), "--pr", str(PR), "--key", "services/api")
    web = run(github, "--markdown", str(scorecard), "--pr", str(PR), "--key", "services/web")
    again = run(github, "--markdown", str(scorecard), "--pr", str(PR), "--key", "services/api")
    assert [r.exit_code for r in (plain, api, web, again)] == [0, 0, 0, 0]
    assert "updated" in again.stdout
    bodies = [c["body"] for c in github.comments[PR]]
    assert len(bodies) == 3
    assert sum(b.startswith(cm.marker_for("services/api")) for b in bodies) == 1
    assert sum(SCORECARD_MARKER in b for b in bodies) == 1  # the plain marker is replaced
