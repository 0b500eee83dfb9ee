"""Accuracy on real repositories: rescan the pinned triage set and compare with hand verdicts.

    python benchmarks/triage.py --repos REPOS                 # scan every checkout found
    python benchmarks/triage.py --repos DIR --only linkding    # one repository
    python benchmarks/triage.py --from-report REPORTS          # saved `scan --format json` files
    python benchmarks/triage.py --repos DIR --json out.json    # also write the figures as JSON
    python benchmarks/triage.py --from-report DIR --by-rule    # one more table, per rule

Each record in benchmarks/triage/<owner>+<name>.json pins a commit and lists findings of the
base scan judged by hand: TP (a real problem), FP (the rule is wrong about the artifact) or
NOISE (true to the letter, but the maintainer would dismiss it). A checkout lives at
<repos>/<owner>+<name> and must be at the pinned commit. A current finding matches a judged one
by (rule, path, line), else by (rule, path) with the nearest line within 3 lines; a finding's
related locations count as reported places of its rule.

Reported per repository, per rule family and overall:
  TP kept        judged TPs still reported / judged TPs          (higher is better)
  FP dropped     judged FPs no longer reported / judged FPs      (higher is better)
  NOISE dropped  judged NOISE no longer reported / judged NOISE  (higher is better)
  useful share   TPs still reported / judged findings still reported
  reported       judged findings still reported
  NOISE d+i      judged NOISE no longer reported or reported only at info severity
  useful>i       TPs still reported above info / judged findings still reported above info
                 (info findings weigh nothing in the score and never fail a build)
  new            current findings matching no verdict and not in the base scan either
  unsampled      current findings matching a base-scan finding that was not judged (sampling)
  unseen grp     of new + unsampled, those whose (rule, path) has no verdict at all
"""

from __future__ import annotations

import argparse
import json
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
RECORDS = HERE / "triage"
NEAR_LINES = 3
FAMILIES = ("PY", "APP", "DOCKER", "COMPOSE", "K8S", "REPO")
SECRET_RULES = frozenset({"REPO001", "REPO002", "K8S012", "COMPOSE005", "DOCKER006", "PY015"})
VERDICTS = ("TP", "FP", "NOISE")


@dataclass
class Tally:
    """Verdict counts of judged findings, split by whether they are still reported."""

    judged: dict[str, int] = field(default_factory=lambda: dict.fromkeys(VERDICTS, 0))
    kept: dict[str, int] = field(default_factory=lambda: dict.fromkeys(VERDICTS, 0))
    # of the kept, those reported only at info severity
    info: dict[str, int] = field(default_factory=lambda: dict.fromkeys(VERDICTS, 0))
    unsampled: int = 0
    new: int = 0
    unseen_group: int = 0

    def add(self, other: Tally) -> None:
        for verdict in VERDICTS:
            self.judged[verdict] += other.judged[verdict]
            self.kept[verdict] += other.kept[verdict]
            self.info[verdict] += other.info[verdict]
        self.unsampled += other.unsampled
        self.new += other.new
        self.unseen_group += other.unseen_group

    def figures(self) -> dict[str, float | int | None]:
        def ratio(num: int, den: int) -> float | None:
            return round(num / den, 3) if den else None

        judged, kept, info = self.judged, self.kept, self.info
        still = sum(kept.values())
        loud = still - sum(info.values())
        return {
            "TP": judged["TP"], "FP": judged["FP"], "NOISE": judged["NOISE"],
            "tp_kept": ratio(kept["TP"], judged["TP"]),
            "fp_dropped": ratio(judged["FP"] - kept["FP"], judged["FP"]),
            "noise_dropped": ratio(judged["NOISE"] - kept["NOISE"], judged["NOISE"]),
            "useful_share": ratio(kept["TP"], still),
            "noise_quieted": ratio(judged["NOISE"] - kept["NOISE"] + info["NOISE"],
                                   judged["NOISE"]),
            "useful_above_info": ratio(kept["TP"] - info["TP"], loud),
            "still_reported": still,
            "unjudged_unsampled": self.unsampled,
            "unjudged_new": self.new,
            "unjudged_unseen_group": self.unseen_group,
        }


def family(rule: str) -> str:
    for prefix in sorted(FAMILIES, key=len, reverse=True):
        if rule.startswith(prefix):
            return prefix
    return "other"


def groups_of(rule: str) -> list[str]:
    """Tally keys a finding of `rule` counts towards: its family, "secrets", and the rule."""
    return [family(rule), *(["secrets"] if rule in SECRET_RULES else []), f"rule:{rule}"]


def load_records(only: str | None) -> list[dict]:
    records = []
    for path in sorted(RECORDS.glob("*+*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        if only and only.lower() not in {record["repo"].lower(), path.stem.lower(),
                                         record["repo"].split("/")[1].lower()}:
            continue
        records.append(record)
    return records


def checkout_name(record: dict) -> str:
    return record["repo"].replace("/", "+")


def current_findings(report: dict) -> list[tuple[str, str, int, str]]:
    """(rule, path, line, severity) of every unsuppressed finding and of each of its related
    locations.

    A rule that reports once per file and lists the other places as related locations
    (`related` or `related_locations`: [{"path", "line"}, ...]) still reports each place.
    """
    places = []
    for finding in report["findings"]:
        if finding.get("suppressed"):
            continue
        rule, severity = finding["rule_id"], finding.get("severity", "")
        places.append((rule, finding["path"], int(finding["line"]), severity))
        for related in finding.get("related") or finding.get("related_locations") or []:
            places.append((rule, related.get("path", finding["path"]), int(related["line"]),
                           severity))
    return places


def match(judged: list[dict], current: list[tuple[str, str, int, str]]
          ) -> tuple[dict[int, int], list[int]]:
    """Judged findings still reported (judged index -> current index), and indexes of current
    findings left over.

    Exact (rule, path, line) matches are taken first, then the nearest line of the same rule
    and path within NEAR_LINES; each current finding matches at most one judged finding.
    """
    free: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for index, (rule, path, line, _severity) in enumerate(current):
        free.setdefault((rule, path), []).append((line, index))
    matched: dict[int, int] = {}
    for exact in (True, False):
        for j, finding in enumerate(judged):
            if j in matched:
                continue
            candidates = free.get((finding["rule"], finding["path"]), [])
            best = None
            for pos, (line, _index) in enumerate(candidates):
                distance = abs(line - int(finding["line"]))
                if (distance == 0 if exact else distance <= NEAR_LINES) and (
                        best is None or distance < best[0]):
                    best = (distance, pos)
            if best is not None:
                matched[j] = candidates.pop(best[1])[1]
    left = sorted(index for pairs in free.values() for _line, index in pairs)
    return matched, left


def evaluate(record: dict, report: dict) -> dict[str, Tally]:
    """Tallies keyed by repository total ("all") and by family / secrets group."""
    judged = record["findings"]
    current = current_findings(report)
    matched, left = match(judged, current)
    tallies: dict[str, Tally] = {}

    def tally(key: str) -> Tally:
        return tallies.setdefault(key, Tally())

    for j, finding in enumerate(judged):
        for key in ("all", *groups_of(finding["rule"])):
            tally(key).judged[finding["verdict"]] += 1
            if j in matched:
                tally(key).kept[finding["verdict"]] += 1
                if current[matched[j]][3] == "info":
                    tally(key).info[finding["verdict"]] += 1
    unsampled = [{"rule": u["rule"], "path": u["path"], "line": u["line"]}
                 for u in record.get("unsampled", [])]
    leftovers = [current[i] for i in left]
    _, new_positions = match(unsampled, leftovers)
    new = {left[k] for k in new_positions}
    seen_groups = {(f["rule"], f["path"]) for f in judged}
    for i in left:
        rule, path, _line, _severity = current[i]
        for key in ("all", *groups_of(rule)):
            if i in new:
                tally(key).new += 1
            else:
                tally(key).unsampled += 1
            if (rule, path) not in seen_groups:
                tally(key).unseen_group += 1
    return tallies


def scan(prodready: list[str], checkout: Path, jobs: int) -> dict | None:
    cmd = [*prodready, "scan", str(checkout), "--format", "json", "--no-cache",
           "--jobs", str(jobs)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode not in (0, 1):
        print(f"  scan failed (exit {proc.returncode}): {proc.stderr.strip()[-500:]}",
              file=sys.stderr)
        return None
    return json.loads(proc.stdout)


def head_commit(checkout: Path) -> str | None:
    proc = subprocess.run(["git", "-C", str(checkout), "rev-parse", "HEAD"],
                          capture_output=True, text=True)
    return proc.stdout.strip() if proc.returncode == 0 else None


def saved_report(directory: Path, record: dict) -> dict | None:
    name = checkout_name(record)
    for candidate in (directory / f"{name}.json", directory / f"triage-{name}.json"):
        if candidate.is_file():
            return json.loads(candidate.read_text(encoding="utf-8"))
    return None


def default_prodready() -> list[str]:
    found = shutil.which("prodready")
    return [found] if found else [sys.executable, "-m", "prodready"]


def collect(records: Iterable[dict], args: argparse.Namespace) -> list[tuple[dict, dict]]:
    """(record, report) pairs for the records that could be measured."""
    prodready = shlex.split(args.prodready) if args.prodready else default_prodready()
    pairs = []
    for record in records:
        name = checkout_name(record)
        if args.from_report:
            report = saved_report(Path(args.from_report), record)
            if report is None:
                print(f"{record['repo']}: no saved report {name}.json in {args.from_report}; "
                      "skipped", file=sys.stderr)
                continue
        else:
            checkout = Path(args.repos) / name
            if not checkout.is_dir():
                print(f"{record['repo']}: no checkout at {checkout}; skipped. Get it with: "
                      f"git clone https://github.com/{record['repo']} {checkout} && "
                      f"git -C {checkout} checkout {record['commit']}", file=sys.stderr)
                continue
            head = head_commit(checkout)
            if head != record["commit"]:
                print(f"{record['repo']}: {checkout} is at {head}, not the pinned "
                      f"{record['commit']}; skipped (git -C {checkout} checkout "
                      f"{record['commit']})", file=sys.stderr)
                continue
            print(f"scanning {record['repo']} ...", file=sys.stderr, flush=True)
            report = scan(prodready, checkout, args.jobs)
            if report is None:
                continue
        pairs.append((record, report))
    return pairs


def fmt(value: float | int | None) -> str:
    if value is None:
        return "-"
    return f"{value:.2f}" if isinstance(value, float) else str(value)


# (figure, column heading, width)
COLUMNS = (("TP", "TP", 4), ("FP", "FP", 4), ("NOISE", "NOISE", 5),
           ("tp_kept", "TP kept", 7), ("fp_dropped", "FP drop", 7),
           ("noise_dropped", "NOISE drop", 10), ("useful_share", "useful", 6),
           ("noise_quieted", "NOISE d+i", 9), ("useful_above_info", "useful>i", 8),
           ("still_reported", "reported", 8), ("unjudged_new", "new", 4),
           ("unjudged_unsampled", "unsampled", 9), ("unjudged_unseen_group", "unseen grp", 10))


def table(title: str, rows: list[tuple[str, Tally]]) -> str:
    head = f"{title:<36}" + " ".join(f"{label:>{width}}" for _, label, width in COLUMNS)
    lines = [head, "-" * len(head)]
    for label, tally in rows:
        figures = tally.figures()
        lines.append(f"{label:<36}" + " ".join(f"{fmt(figures[name]):>{width}}"
                                                for name, _, width in COLUMNS))
    return "\n".join(lines)


def summarise(pairs: list[tuple[dict, dict]]) -> dict:
    per_repo: dict[str, Tally] = {}
    per_family: dict[str, Tally] = {key: Tally() for key in (*FAMILIES, "secrets")}
    per_rule: dict[str, Tally] = {}
    overall, not_examples = Tally(), Tally()
    for record, report in pairs:
        tallies = evaluate(record, report)
        repo_total = tallies.get("all", Tally())
        per_repo[record["repo"]] = repo_total
        overall.add(repo_total)
        if not record.get("example_collection", False):
            not_examples.add(repo_total)
        for key, tally in tallies.items():
            if key.startswith("rule:"):
                per_rule.setdefault(key.removeprefix("rule:"), Tally()).add(tally)
            elif key != "all":
                per_family.setdefault(key, Tally()).add(tally)
    return {"per_repo": per_repo, "per_family": per_family, "per_rule": per_rule,
            "overall": overall,
            "not_example_collections": not_examples}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repos", default="repos",
                        help="directory holding <owner>+<name> checkouts (default: %(default)s)")
    parser.add_argument("--only", help="one repository: owner/name, owner+name or name")
    parser.add_argument("--json", dest="json_out", help="also write the figures to this file")
    parser.add_argument("--from-report", help="directory of saved JSON reports named "
                        "<owner>+<name>.json (or triage-<owner>+<name>.json): no scanning")
    parser.add_argument("--prodready", help="command that runs prodready (default: `prodready` "
                        "on PATH, else this Python's `-m prodready`)")
    parser.add_argument("--jobs", type=int, default=2, help="passed to prodready scan")
    parser.add_argument("--by-rule", action="store_true", help="also print one row per rule")
    args = parser.parse_args(argv)

    records = load_records(args.only)
    if not records:
        print("no triage records matched", file=sys.stderr)
        return 2
    pairs = collect(records, args)
    if not pairs:
        print("nothing measured", file=sys.stderr)
        return 2
    summary = summarise(pairs)
    print(table("repository", sorted(summary["per_repo"].items())))
    print()
    print(table("family", [(key, summary["per_family"][key])
                           for key in (*FAMILIES, "secrets")]))
    print()
    if args.by_rule:
        print(table("rule", sorted(summary["per_rule"].items())))
        print()
    print(table("total", [("all repositories", summary["overall"]),
                          ("not example collections", summary["not_example_collections"])]))
    if args.json_out:
        out = {
            "repositories": {repo: t.figures() for repo, t in summary["per_repo"].items()},
            "families": {key: t.figures() for key, t in summary["per_family"].items()},
            "rules": {key: t.figures() for key, t in sorted(summary["per_rule"].items())},
            "overall": summary["overall"].figures(),
            "not_example_collections": summary["not_example_collections"].figures(),
        }
        Path(args.json_out).write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
