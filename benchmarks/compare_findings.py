"""Do two versions of prodready report the same findings on a tree?

    python benchmarks/compare_findings.py TREE --base /path/to/older/prodready/checkout

Scans TREE (no cache, JSON) with the prodready importable from `--base` (its source
directory goes first on PYTHONPATH) and with this checkout, keeps both reports under
`benchmarks/results/`, and compares findings (rule, place, message, severity,
fingerprint, suppression) and diagnostics. Exit 0 when identical, 1 with the differences.
`--report FILE` compares against a report saved earlier instead of scanning with `--base`.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
KEYS = ("rule_id", "path", "line", "column", "end_line", "end_column", "message", "severity",
        "fingerprint", "suppressed", "suppression_reason")


def scan_json(tree: Path, out: Path, source: Path | None, *extra: str) -> dict[str, Any]:
    env = dict(os.environ)
    if source is not None:
        env["PYTHONPATH"] = str(source)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("wb") as fh:
        subprocess.run([sys.executable, "-m", "prodready", "scan", str(tree), "--no-cache",
                        "--format", "json", *extra], stdout=fh, env=env, check=False,
                       cwd=source or HERE.parent)
    return json.loads(out.read_text(encoding="utf-8"))


def comparable(report: dict[str, Any]) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    findings = sorted(tuple(f.get(k) for k in KEYS) for f in report["findings"])
    diagnostics = sorted((d["kind"], d["path"], d.get("line") or 0, d["message"])
                         for d in report.get("diagnostics", []))
    return findings, diagnostics


def differences(base: dict[str, Any], new: dict[str, Any]) -> list[str]:
    out = []
    for name, old, now in zip(("finding", "diagnostic"), comparable(base), comparable(new),
                              strict=True):
        gone, added = sorted(set(old) - set(now)), sorted(set(now) - set(old))
        out += [f"- {name} {item}" for item in gone] + [f"+ {name} {item}" for item in added]
        if not gone and not added and len(old) != len(now):
            out.append(f"! {name} count {len(old)} -> {len(now)}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("tree", type=Path)
    parser.add_argument("--base", type=Path, help="source directory of the older prodready")
    parser.add_argument("--report", type=Path, help="an earlier JSON report of TREE")
    parser.add_argument("--name", default=None, help="label for the saved reports")
    parser.add_argument("extra", nargs="*", help="further scan arguments (after --)")
    args = parser.parse_args()
    args.tree = args.tree.resolve()  # the scans run from other directories
    name = args.name or args.tree.name
    if args.report is not None:
        base = json.loads(args.report.read_text(encoding="utf-8"))
    elif args.base is not None:
        base = scan_json(args.tree, RESULTS / f"{name}.base.json", args.base.resolve(),
                         *args.extra)
    else:
        parser.error("give --base or --report")
    new = scan_json(args.tree, RESULTS / f"{name}.new.json", None, *args.extra)
    diff = differences(base, new)
    print(f"{name}: {len(new['findings'])} findings, "
          f"{'identical' if not diff else f'{len(diff)} differences'}")
    for line in diff[:50]:
        print("  " + line)
    raise SystemExit(1 if diff else 0)


if __name__ == "__main__":
    main()
