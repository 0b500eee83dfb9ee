"""`prodready comment`: post the scorecard as one sticky pull-request comment.

The comment is found again by the hidden marker the scorecard starts with, so a second run
updates it instead of adding another. A 403 (the read-only token of a pull request from a
fork) is a warning, not a failure: the scorecard is still in the step summary.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import urlsplit

import typer

from . import __version__

if TYPE_CHECKING:  # httpx and the reporters load only when the command runs
    import httpx

# The scorecard's hidden marker (prodready.report.markdown_format.MARKER; a test keeps them equal).
MARKER = "<!-- prodready-scorecard -->"
DEFAULT_API_URL = "https://api.github.com"
TIMEOUT_S, CONNECT_TIMEOUT_S = 30.0, 10.0
MAX_BODY = 65536  # GitHub rejects longer comment bodies
MAX_PAGES = 100  # 10,000 comments; a guard against a Link loop, not a real limit
# The whole command ends within this many seconds, and no answer is read past this size:
# per-request timeouts alone let a server that trickles bytes hold the CI job forever.
DEADLINE_S = 120.0
MAX_RESPONSE_BYTES = 16 * 1024 * 1024
REPO_PATTERN = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
PULL_REF = re.compile(r"^refs/pull/(\d+)/(?:merge|head)$")


class CommentError(Exception):
    """The comment could not be posted and the run must fail (exit 2)."""


class CommentForbidden(Exception):
    """GitHub answered 403: the token may not write (a fork's pull request); only a warning."""


@dataclass(frozen=True, slots=True)
class Target:
    api_url: str
    repo: str
    pr: int
    token: str
    marker: str = MARKER


@dataclass(frozen=True, slots=True)
class Outcome:
    action: str  # created | updated
    comment_id: int
    url: str


# ------------------------------------------------------------------ inputs

def pr_from_environment(environ: Mapping[str, str]) -> int | None:
    """The pull request number from the event payload, else from GITHUB_REF."""
    event_path = environ.get("GITHUB_EVENT_PATH")
    if event_path:
        try:
            event = json.loads(Path(event_path).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            event = None
        if isinstance(event, dict):
            item = event.get("pull_request")
            issue = event.get("issue")
            if not isinstance(item, dict) and isinstance(issue, dict) \
                    and issue.get("pull_request"):
                item = issue  # a comment event on a pull request
            if isinstance(item, dict) and isinstance(item.get("number"), int):
                return int(item["number"])
    match = PULL_REF.match(environ.get("GITHUB_REF", ""))
    return int(match.group(1)) if match else None


def resolve_target(*, token: str | None, repo: str | None, pr: int | None,
                   api_url: str | None, environ: Mapping[str, str],
                   key: str | None = None) -> Target:
    """Options first, then the GitHub Actions environment; names everything missing."""
    token = token or environ.get("GITHUB_TOKEN") or None
    repo = repo or environ.get("GITHUB_REPOSITORY") or None
    number = pr if pr is not None else pr_from_environment(environ)
    base = (api_url or environ.get("GITHUB_API_URL") or DEFAULT_API_URL).rstrip("/")
    missing = []
    if not token:
        missing.append("a token (--token or GITHUB_TOKEN)")
    if not repo:
        missing.append("the repository (--repo or GITHUB_REPOSITORY, as owner/name)")
    if number is None:
        missing.append("the pull request number (--pr, or a pull_request event: "
                       "GITHUB_EVENT_PATH with pull_request.number, or GITHUB_REF "
                       "refs/pull/N/merge)")
    if missing:
        raise CommentError("cannot comment without " + "; ".join(missing))
    assert token is not None and repo is not None and number is not None
    if not REPO_PATTERN.match(repo):
        raise CommentError(f"repository must be owner/name, got {repo!r}")
    if number < 1:
        raise CommentError(f"pull request number must be positive, got {number}")
    if urlsplit(base).scheme not in ("http", "https"):
        raise CommentError(f"API URL must be http(s), got {base!r}")
    return Target(api_url=base, repo=repo, pr=number, token=token, marker=marker_for(key))


def marker_for(key: str | None) -> str:
    """The hidden marker of one scorecard comment. Runs with different keys (one per scanned
    service of a monorepo) keep separate comments; no key is the plain scorecard marker."""
    cleaned = re.sub(r"[^A-Za-z0-9._/]+", "-", (key or "").strip()).strip("/-.")
    return f"<!-- prodready-scorecard key={cleaned} -->" if cleaned else MARKER


def prepare_body(markdown: str, marker: str = MARKER) -> str:
    """The comment body: the marker first (so the next run finds it), within GitHub's limit."""
    body = markdown.strip("\n")
    if marker != MARKER and MARKER in body:
        body = body.replace(MARKER, marker, 1)
    if marker not in body:
        body = f"{marker}\n{body}"
    body += "\n"
    if len(body) > MAX_BODY:
        note = "\n\n… (truncated: the full scorecard is in the job's step summary)\n"
        body = body[:MAX_BODY - len(note)] + note
    return body


def scorecard_from_report(source: str) -> str:
    """The markdown scorecard rendered from a JSON report file (or stdin for `-`)."""
    import json

    from .report import OutputFormat, render
    from .report.json_format import load_report

    try:
        raw = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
        return render(OutputFormat.MARKDOWN, load_report(json.loads(raw)))
    except Exception as exc:  # whatever shape the file has, a one-line error
        raise CommentError(f"cannot read the report {source}: {type(exc).__name__}: "
                           f"{exc}") from None


def read_scorecard(source: str) -> str:
    """The markdown from a file, or from stdin for `-`."""
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CommentError(f"cannot read the scorecard {source}: {exc}") from None
    if not text.strip():
        raise CommentError(f"the scorecard {'on stdin' if source == '-' else source} is empty")
    return text


# ------------------------------------------------------------------ GitHub

def _github_message(response: httpx.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        data = None
    if isinstance(data, dict) and data.get("message"):
        return str(data["message"])
    return response.reason_phrase or "no details"


def _check(response: httpx.Response) -> httpx.Response:
    if response.status_code == 403:
        raise CommentForbidden(_github_message(response))
    if response.is_error:
        request = response.request
        raise CommentError(
            f"GitHub API {request.method} {request.url.path} failed with HTTP "
            f"{response.status_code}: {_github_message(response)}")
    return response


def _same_origin(url: str, base: str) -> bool:
    a, b = urlsplit(url), urlsplit(base)
    return (a.scheme, a.netloc) == (b.scheme, b.netloc)


def _request(client: httpx.Client, method: str, url: str, deadline: float,
             **kwargs: Any) -> httpx.Response:
    """One API call, read to at most MAX_RESPONSE_BYTES and ended at the deadline."""
    import time

    import httpx

    if time.monotonic() > deadline:
        raise CommentError(f"gave up after {DEADLINE_S:.0f} s talking to the GitHub API")
    with client.stream(method, url, **kwargs) as response:
        chunks, size = [], 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > MAX_RESPONSE_BYTES:
                raise CommentError(f"GitHub API answer to {method} {response.request.url.path} "
                                   f"is larger than {MAX_RESPONSE_BYTES} bytes")
            if time.monotonic() > deadline:
                raise CommentError(f"gave up after {DEADLINE_S:.0f} s talking to the GitHub API")
            chunks.append(chunk)
    return httpx.Response(response.status_code, headers=response.headers,
                          content=b"".join(chunks), request=response.request)


def find_comment(client: httpx.Client, target: Target,
                 deadline: float = float("inf")) -> dict[str, Any] | None:
    """The earliest issue comment of the PR that carries the marker, following pagination."""
    url: str | None = (f"{target.api_url}/repos/{target.repo}/issues/{target.pr}/comments"
                       "?per_page=100")
    for _ in range(MAX_PAGES):
        if url is None:
            return None
        response = _check(_request(client, "GET", url, deadline))
        try:
            page = response.json()
        except ValueError:
            raise CommentError("GitHub API returned a comment list that is not JSON") from None
        if not isinstance(page, list):
            raise CommentError("GitHub API returned an unexpected comment list")
        for item in page:
            if isinstance(item, dict) and target.marker in str(item.get("body") or ""):
                return item
        url = response.links.get("next", {}).get("url")
        if url and not _same_origin(url, target.api_url):
            # Never send the token to another host than the API it was meant for.
            raise CommentError(f"refusing to follow a pagination link off the API host: {url}")
    raise CommentError(f"more than {MAX_PAGES} pages of comments; giving up")


def upsert_comment(client: httpx.Client, target: Target, body: str,
                   deadline: float | None = None) -> Outcome:
    import time

    if deadline is None:
        deadline = time.monotonic() + DEADLINE_S
    existing = find_comment(client, target, deadline)
    if existing is not None:
        comment_id = int(existing["id"])
        response = _check(_request(
            client, "PATCH",
            f"{target.api_url}/repos/{target.repo}/issues/comments/{comment_id}", deadline,
            json={"body": body}))
        action = "updated"
    else:
        response = _check(_request(
            client, "POST", f"{target.api_url}/repos/{target.repo}/issues/{target.pr}/comments",
            deadline, json={"body": body}))
        action = "created"
    try:
        data = response.json()
    except ValueError:
        data = {}
    if not isinstance(data, dict):
        data = {}
    comment_id = int(data.get("id") or (existing or {}).get("id") or 0)
    return Outcome(action, comment_id, str(data.get("html_url") or ""))


def client_for(target: Target, timeout: float = TIMEOUT_S) -> httpx.Client:
    import httpx

    return httpx.Client(
        timeout=httpx.Timeout(timeout, connect=min(timeout, CONNECT_TIMEOUT_S)),
        follow_redirects=False,
        headers={
            "Authorization": f"Bearer {target.token}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
            "User-Agent": f"prodready/{__version__}",
        },
    )


def post_scorecard(markdown: str, target: Target) -> Outcome:
    """Create or update the sticky comment; CommentError / CommentForbidden on failure."""
    import httpx

    body = prepare_body(markdown, target.marker)
    try:
        with client_for(target) as client:
            return upsert_comment(client, target, body)
    except httpx.HTTPError as exc:
        raise CommentError(f"cannot reach the GitHub API at {target.api_url}: "
                           f"{type(exc).__name__}: {exc}") from None


# ------------------------------------------------------------------ command

def comment(
    report: Annotated[str | None, typer.Option(
        "--report", "-r", show_default=False,
        help="A JSON report (`scan --output json=FILE`) to render the scorecard from.")] = None,
    markdown: Annotated[str | None, typer.Option(
        "--markdown", "-m", show_default=False,
        help="The scorecard to post: a file written by `scan --output markdown=FILE`, "
             "or - for stdin.")] = None,
    token: Annotated[str | None, typer.Option(
        "--token", help="GitHub token (default: GITHUB_TOKEN).", show_default=False)] = None,
    repo: Annotated[str | None, typer.Option(
        "--repo", help="owner/name (default: GITHUB_REPOSITORY).")] = None,
    pr: Annotated[int | None, typer.Option(
        "--pr", help="Pull request number (default: from the GitHub Actions event).")] = None,
    api_url: Annotated[str | None, typer.Option(
        "--api-url", help=f"GitHub API base (default: GITHUB_API_URL or {DEFAULT_API_URL}).")
    ] = None,
    key: Annotated[str | None, typer.Option(
        "--key", help="Keep a separate comment per key, e.g. the scanned path of each "
                      "service in a monorepo (default: one comment).")] = None,
) -> None:
    """Post the markdown scorecard to a pull request, updating prodready's earlier comment."""
    from .commands import EXIT_CLEAN, EXIT_ERROR
    from .report.github_format import command as workflow_command

    environ = os.environ
    try:
        target = resolve_target(token=token, repo=repo, pr=pr, api_url=api_url,
                                environ=environ, key=key)
        if (report is None) == (markdown is None):
            raise CommentError("give exactly one of --report (a JSON report) or --markdown")
        body = scorecard_from_report(report) if report is not None else read_scorecard(
            markdown or "-")
        outcome = post_scorecard(body, target)
    except CommentForbidden as exc:
        warning = (f"GitHub refused to write the pull request comment (HTTP 403: {exc}); "
                   "the token is probably read-only, as on a pull request from a fork. "
                   "The scorecard is still in the step summary.")
        typer.echo(f"prodready: warning: {warning}", err=True)
        if environ.get("GITHUB_ACTIONS") == "true":
            typer.echo(workflow_command("warning", warning, title="prodready comment"))
        raise typer.Exit(EXIT_CLEAN) from None
    except CommentError as exc:
        typer.echo(f"prodready: error: {exc}", err=True)
        raise typer.Exit(EXIT_ERROR) from None
    where = f" {outcome.url}" if outcome.url else ""
    typer.echo(f"prodready: {outcome.action} comment {outcome.comment_id} on "
               f"{target.repo}#{target.pr}{where}")
