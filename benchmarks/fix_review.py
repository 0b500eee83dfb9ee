"""Fix review on public repositories: run `prodready fix` (safe, then --unsafe-fixes) on a
scratch copy of each pinned checkout, split the patches into hunks, keep a human verdict per
hunk (CORRECT / DEBATABLE / WRONG with a reason) and re-check every run mechanically.

    python benchmarks/fix_review.py run [REPO ...]    # diff, re-check, refresh hunk lists
    python benchmarks/fix_review.py check [REPO ...]  # re-check only (exit 1 on a problem)
    python benchmarks/fix_review.py summary           # verdict counts per run

Checkouts are read from $FIX_REVIEW_REPOS/<owner>+<name> (default ./repos) and never
modified: each run works on a copy in a temporary directory. The verdicts live in
benchmarks/fix-review/<owner>+<name>.json; a hunk keeps its verdict while its text is
unchanged (matched by a digest of its lines), new hunks start as "UNJUDGED".

Mechanical checks on each applied patch: every changed file still parses (Python with `ast`,
Dockerfiles with prodready's parser, YAML with PyYAML), YAML documents are equal to the
original except for the keys the fixes add, symlinks are still symlinks, `git apply`
accepts the patch, and a second `fix --diff` finds nothing left to change.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REVIEW = HERE / "fix-review"
REPOS = Path(os.environ.get("FIX_REVIEW_REPOS", "repos"))
# Keys a fix may add to a YAML mapping (everything else must stay as it was).
ADDED_KEYS = {"restart", "logging", "healthcheck", "resources", "requests", "limits", "cpu",
              "memory", "securityContext", "runAsNonRoot", "allowPrivilegeEscalation",
              "concurrencyPolicy", "livenessProbe", "readinessProbe", "httpGet", "path",
              "port", "periodSeconds", "failureThreshold", "driver", "options", "max-size",
              "max-file", "test", "interval", "timeout", "retries", "condition"}
# What each rule's hunks look like (to label a hunk with the rule that produced it).
RULE_MARKS = [
    ("COMPOSE003", r"^\+\s*restart: unless-stopped"),
    ("COMPOSE004", r"^\+\s*logging:"),
    ("COMPOSE001", r"^\+\s*healthcheck:"),
    ("COMPOSE002", r"condition: service_"),
    ("K8S001", r"^\+\s*requests:"),
    ("K8S002", r"^\+\s*limits:"),
    ("K8S008", r"runAsNonRoot"),
    ("K8S009", r"allowPrivilegeEscalation"),
    ("K8S014", r"concurrencyPolicy"),
    ("K8S003", r"^\+\s*livenessProbe:"),
    ("K8S004", r"^\+\s*readinessProbe:"),
    ("DOCKER001", r"^\+HEALTHCHECK"),
    ("DOCKER003", r"^\+USER |useradd|adduser"),
    ("DOCKER008", r"--no-cache-dir"),
    ("DOCKER002", r"^\+(CMD|ENTRYPOINT) \["),
    ("DOCKER007", r"dockerignore|^\+\.git$|^\+\.env$"),
    ("REPO003", r"gitignore"),
    ("APP013", r"env\.example|^\+[A-Z_]+=$"),
    ("APP001", r"health"),
    ("PY001", r"\.exception\("),
    ("PY002", r"\.exception\("),
    ("PY006", r"timeout="),
    ("PY007", r"pool_pre_ping"),
    ("PY004", r"^\+\s*import "),
]


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "summary"
    names = argv[1:] or sorted(p.stem for p in REVIEW.glob("*.json"))
    if command == "summary":
        return summary(names)
    problems = 0
    for name in names:
        problems += review(name, refresh=command == "run")
    summary(names)
    return 1 if problems else 0


def review(name: str, *, refresh: bool) -> int:
    record_path = REVIEW / f"{name}.json"
    record = json.loads(record_path.read_text()) if record_path.exists() else {
        "repo": name.replace("+", "/"), "commit": "", "runs": {}}
    source = REPOS / name
    commit = _git(source, "rev-parse", "HEAD").strip()
    if record["commit"] and record["commit"] != commit:
        print(f"{name}: checkout is at {commit}, the review at {record['commit']}")
        return 1
    record["commit"] = commit
    problems = 0
    for run, flags in (("safe", []), ("unsafe", ["--unsafe-fixes"])):
        with tempfile.TemporaryDirectory(prefix="fix-review-") as scratch:
            work = _copy(source, Path(scratch) / name.split("+", 1)[1])
            patch, code = _fix_diff(work, flags)
            issues = [] if code in (0, 1) else [f"fix --diff exited {code}"]
            issues += _recheck(work, patch, flags)
        for issue in issues:
            print(f"{name} [{run}]: {issue}")
        problems += len(issues)
        if refresh:
            old = {h["sha"]: h for h in record["runs"].get(run, {}).get("hunks", [])}
            safe_verdicts = {h["sha"]: h for h in record["runs"].get("safe", {}).get(
                "hunks", [])} if run == "unsafe" else {}
            hunks = []
            for hunk in split_hunks(patch):
                previous = old.get(hunk["sha"]) or safe_verdicts.get(hunk["sha"])
                hunk["verdict"] = previous["verdict"] if previous else "UNJUDGED"
                hunk["reason"] = previous["reason"] if previous else ""
                hunks.append(hunk)
            record["runs"][run] = {"mechanical_problems": issues, "hunks": hunks}
    if refresh:
        record_path.write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n")
    return problems


def _git(repo: Path, *args: str, stdin: bytes | None = None) -> str:
    done = subprocess.run(["git", "-c", "core.fsmonitor=false", "-C", str(repo), *args],
                          capture_output=True, input=stdin, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)}: {done.stderr.decode(errors='replace')}")
    return done.stdout.decode(errors="replace")


def _copy(source: Path, target: Path) -> Path:
    """The checkout's files (symlinks as links) in a fresh git index: every file of a fresh
    checkout is tracked, as in the original."""
    shutil.copytree(source, target, symlinks=True, ignore=shutil.ignore_patterns(".git"))
    _git(target, "init", "-q")
    _git(target, "add", "-A", "-f")
    return target


def _prodready(work: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "prodready", "fix", str(work), "-j", "2",
                           *args], capture_output=True, check=False)


def _fix_diff(work: Path, flags: list[str]) -> tuple[str, int]:
    done = _prodready(work, "--diff", *flags)
    return done.stdout.decode(), done.returncode


def _recheck(work: Path, patch: str, flags: list[str]) -> list[str]:
    if not patch:
        return []
    issues: list[str] = []
    links = {p.relative_to(work).as_posix() for p in work.rglob("*") if p.is_symlink()}
    originals = {path: _read(work / path) for path in _patched_files(patch)}
    try:
        _git(work, "apply", "--whitespace=nowarn", "-", stdin=patch.encode())
    except RuntimeError as exc:
        return [f"git apply rejects the patch: {exc}"]
    for path, old in originals.items():
        problem = _check_file(path, old, _read(work / path))
        if problem:
            issues.append(f"{path}: {problem}")
    lost = sorted(p for p in links if not (work / p).is_symlink())
    if lost:
        issues.append(f"symlinks replaced by files: {lost}")
    again, code = _fix_diff(work, flags)
    if again or code != 0:
        issues.append(f"a second run still changes {sorted(_patched_files(again))} "
                      f"(exit {code})")
    return issues


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _patched_files(patch: str) -> list[str]:
    return [line[6:].rstrip("\n") for line in patch.splitlines() if line.startswith("+++ b/")]


def _check_file(path: str, old: str | None, new: str | None) -> str | None:
    if new is None:
        return "unreadable after the fix"
    name = path.rsplit("/", 1)[-1].lower()
    try:
        if name.endswith(".py"):
            ast.parse(new)
        elif name.endswith((".yml", ".yaml")):
            return _check_yaml(old or "", new)
        elif "dockerfile" in name and not name.endswith(".dockerignore"):
            from prodready.artifacts.dockerfile import parse_dockerfile

            before = [i.keyword for i in parse_dockerfile(path, old or "").instructions]
            after = iter(i.keyword for i in parse_dockerfile(path, new).instructions)
            if not all(keyword in after for keyword in before):
                return "an instruction was lost"
    except Exception as exc:  # any parse failure is the finding
        return f"does not parse: {type(exc).__name__}: {exc}"
    return None


def _check_yaml(old: str, new: str) -> str | None:
    import yaml

    from prodready.artifacts.yamldocs import parse_yaml

    duplicates = parse_yaml("x.yaml", new).duplicate_keys()
    if len(duplicates) > len(parse_yaml("x.yaml", old).duplicate_keys() if old else []):
        return f"duplicate key {duplicates[-1].key!r}"
    before = list(yaml.safe_load_all(old)) if old else []
    after = list(yaml.safe_load_all(new))
    if len(before) != len(after):
        return "the number of documents changed"
    for a, b in zip(before, after, strict=True):
        problem = _only_added(a, b, "")
        if problem:
            return problem
    return None


def _only_added(old: Any, new: Any, path: str) -> str | None:
    """`new` equals `old` except for keys from ADDED_KEYS (and `depends_on` lists turned
    into mappings with the same services, and conditions raised to service_healthy)."""
    if isinstance(old, list) and isinstance(new, dict) and path.endswith("depends_on"):
        return None if set(old) == set(new) else f"{path}: dependencies changed"
    if isinstance(old, dict):
        if not isinstance(new, dict):
            return f"{path}: a mapping became {type(new).__name__}"
        for key, value in old.items():
            if key not in new:
                return f"{path}.{key}: lost"
            problem = _only_added(value, new[key], f"{path}.{key}")
            if problem:
                return problem
        extra = set(new) - set(old) - ADDED_KEYS
        return f"{path}: unexpected keys {sorted(map(str, extra))}" if extra else None
    if isinstance(old, list):
        if not isinstance(new, list) or len(new) != len(old):
            return f"{path}: list changed"
        for index, (a, b) in enumerate(zip(old, new, strict=True)):
            problem = _only_added(a, b, f"{path}[{index}]")
            if problem:
                return problem
        return None
    if old != new and not (path.endswith("condition") and new == "service_healthy"):
        return f"{path}: {old!r} -> {new!r}"
    return None


def split_hunks(patch: str) -> list[dict[str, Any]]:
    hunks: list[dict[str, Any]] = []
    path = ""
    current: dict[str, Any] | None = None
    for line in patch.splitlines():
        if line.startswith("+++ b/"):
            path = line[6:]
            continue
        if line.startswith("--- "):
            continue
        if line.startswith("@@"):
            current = {"file": path, "header": line, "lines": []}
            hunks.append(current)
        elif current is not None:
            current["lines"].append(line)
    for hunk in hunks:
        body = "\n".join(hunk["lines"])
        hunk["sha"] = hashlib.sha256(f"{hunk['file']}\n{body}".encode()).hexdigest()[:16]
        changed = "\n".join(x for x in hunk["lines"] if x.startswith(("+", "-")))
        hunk["rules"] = [rule for rule, mark in RULE_MARKS
                         if re.search(mark, changed, re.MULTILINE)
                         or (rule == "DOCKER007" and hunk["file"].endswith(".dockerignore"))
                         or (rule == "REPO003" and hunk["file"].endswith(".gitignore"))][:2]
    return hunks


def summary(names: list[str]) -> int:
    totals: dict[str, dict[str, int]] = {"safe": {}, "unsafe": {}}
    unsafe_only: dict[str, int] = {}
    for name in names:
        record = json.loads((REVIEW / f"{name}.json").read_text())
        safe_shas = {h["sha"] for h in record["runs"].get("safe", {}).get("hunks", [])}
        line = [name]
        for run in ("safe", "unsafe"):
            counts: dict[str, int] = {}
            for hunk in record["runs"].get(run, {}).get("hunks", []):
                counts[hunk["verdict"]] = counts.get(hunk["verdict"], 0) + 1
                totals[run][hunk["verdict"]] = totals[run].get(hunk["verdict"], 0) + 1
                if run == "unsafe" and hunk["sha"] not in safe_shas:
                    unsafe_only[hunk["verdict"]] = unsafe_only.get(hunk["verdict"], 0) + 1
            line.append(f"{run}: " + ", ".join(f"{v} {k}" for k, v in sorted(counts.items())))
        print("  ".join(line))
    for run, counts in totals.items():
        total = sum(counts.values())
        wrong = counts.get("WRONG", 0)
        share = f"{100 * wrong / total:.1f}%" if total else "n/a"
        print(f"{run} run: {total} hunks, " + ", ".join(
            f"{v} {k}" for k, v in sorted(counts.items())) + f"; WRONG {share}")
    total = sum(unsafe_only.values())
    print(f"hunks only the unsafe run has: {total}, " + ", ".join(
        f"{v} {k}" for k, v in sorted(unsafe_only.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
