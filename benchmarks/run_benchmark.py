"""Scan speed on reproducible trees: cold, warm, one selected family, memory, scaling.

    python benchmarks/run_benchmark.py                  # every tree, --jobs 2
    python benchmarks/run_benchmark.py --trees corpus   # only the wheel corpus
    python benchmarks/run_benchmark.py --repeat 3       # median of three runs

Trees (built once under $PRODREADY_BENCH_DIR, default <tmp>/prodready-benchmark, outside this
repository: a scan honours the .gitignore of the repository around it): `corpus`, the
pure-Python sources of pinned PyPI wheels plus 120 generated Dockerfiles, Compose files and
manifests; `mono60` and
`mono240`, generated FastAPI monorepos of 60 and 240 services (benchmarks/generate.py);
`tree20k`, a generated tree of 20,000 files (about 2M lines).

For each tree: `cold` (first scan, empty cache), `warm` (the same scan again, unchanged
tree), `edit` (again after touching one file: per-file cache, no whole-result memo),
`select` (`--select DOCKER`, no cache; Python-only trees read no Python), peak memory of
the largest process, and CPU seconds (process + workers, from the kernel's resource
accounting). When `bandit` is on PATH, `bandit -r` and a cold prodready scan with test
code run on the same sources of `corpus`. Results go to benchmarks/results/benchmark.json.
Timings on a shared machine are noisy: CPU seconds and ratios are the stable figures.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

import generate

PACKAGES = ["django==5.2.8", "sqlalchemy==2.0.44"]
HERE = Path(__file__).resolve().parent
TREES = Path(os.environ.get("PRODREADY_BENCH_DIR")
             or Path(tempfile.gettempdir()) / "prodready-benchmark")
CORPUS = TREES / "corpus"
RESULTS = HERE / "results"
GENERATED = {"mono60": ("monorepo", 60), "mono240": ("monorepo", 240),
             "tree20k": ("tree", 20_000)}


def build_corpus() -> Path:
    src = CORPUS / "src"
    if src.exists():
        return CORPUS
    wheels = CORPUS / "wheels"
    wheels.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary",
                    ":all:", "-d", str(wheels), *PACKAGES], check=True)
    for wheel in sorted(wheels.glob("*.whl")):
        with zipfile.ZipFile(wheel) as zf:
            for name in zf.namelist():
                if name.endswith(".py"):
                    zf.extract(name, src / wheel.name.split("-")[0])
    _generate_infra(CORPUS / "deploy")
    return CORPUS


def _generate_infra(root: Path) -> None:
    for i in range(40):
        service = root / f"svc{i:02d}"
        service.mkdir(parents=True, exist_ok=True)
        (service / "Dockerfile").write_text(
            f"FROM python:3.12-slim\nWORKDIR /srv\nCOPY . .\nRUN pip install -r req.txt\n"
            f"EXPOSE {8000 + i}\nCMD uvicorn app:app --port {8000 + i}\n", encoding="utf-8")
        (service / "docker-compose.yml").write_text(
            f"services:\n  svc{i}:\n    build: .\n    ports: ['{8000 + i}:{8000 + i}']\n"
            "  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: x\n",
            encoding="utf-8")
        (service / "deploy.yaml").write_text(
            f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: svc{i}\nspec:\n"
            f"  template:\n    spec:\n      containers:\n        - name: app\n"
            f"          image: svc{i}:latest\n          ports: [{{containerPort: {8000 + i}}}]\n"
            "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: svc\nspec:\n"
            "  ports: [{port: 80}]\n", encoding="utf-8")


def tree_path(name: str) -> Path:
    if name == "corpus":
        return build_corpus()
    what, size = GENERATED[name]
    root = TREES / "generated" / name
    if not root.exists():
        (generate.monorepo if what == "monorepo" else generate.tree)(root, size)
    return root


def count_lines(root: Path, pattern: str = "*") -> tuple[int, int]:
    files = lines = 0
    for path in root.rglob(pattern):
        if path.is_file() and ".prodready_cache" not in path.parts:
            files += 1
            with path.open("rb") as fh:
                lines += sum(1 for _ in fh)
    return files, lines


def scanned(root: Path, jobs: int) -> tuple[int, int]:
    """Files and lines prodready itself reports for a tree (test code is skipped)."""
    out = subprocess.run(scan_cmd(root, jobs, "--no-cache"), capture_output=True,
                         env=child_env(), check=False)
    stats = json.loads(out.stdout)["stats"]
    return sum(stats["files"].values()), stats["lines"]


def child_env() -> dict[str, str]:
    """As users run it: byte-code caches on (a development shell may turn them off)."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def timed(cmd: list[str]) -> dict[str, float]:
    """wall s and cpu s (the process and all its workers) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                          env=child_env(), check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall": wall, "cpu": cpu, "exit": float(proc.returncode)}


def peak_mb(cmd: list[str]) -> float:
    """Peak resident memory of the largest process of `cmd` (a fresh accounting scope)."""
    probe = ("import resource, subprocess, sys\n"
             "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, "
             "stderr=subprocess.DEVNULL)\n"
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", probe, *cmd], capture_output=True,
                         text=True, env=child_env(), check=False)
    return int(out.stdout.strip() or 0) / 1024


def median_run(cmd: list[str], repeat: int, before: Any = None) -> dict[str, float]:
    runs = []
    for _ in range(repeat):
        if before is not None:
            before()
        runs.append(timed(cmd))
    return {k: statistics.median(r[k] for r in runs) for k in runs[0]}


def scan_cmd(root: Path, jobs: int, *extra: str) -> list[str]:
    return [sys.executable, "-m", "prodready", "scan", str(root), "--format", "json",
            "--jobs", str(jobs), *extra]


def bench_tree(name: str, jobs: int, repeat: int) -> dict[str, Any]:
    root = tree_path(name)
    files, lines = scanned(root, jobs)
    cache = root / ".prodready_cache"

    def clear() -> None:
        shutil.rmtree(cache, ignore_errors=True)

    touched = next(p for p in sorted(root.rglob("*.py")) if ".prodready_cache" not in p.parts)

    def touch() -> None:
        touched.write_bytes(touched.read_bytes())  # new times, same content

    cold = median_run(scan_cmd(root, jobs), repeat, clear)
    warm = median_run(scan_cmd(root, jobs), repeat)
    edit = median_run(scan_cmd(root, jobs), repeat, touch)
    select = median_run(scan_cmd(root, jobs, "--no-cache", "--select", "DOCKER"), repeat)
    clear()
    peak = peak_mb(scan_cmd(root, jobs, "--no-cache"))
    return {"tree": name, "files": files, "lines": lines, "cold": cold, "warm": warm,
            "edit": edit, "select_docker": select, "peak_mb": peak}


def bench_bandit(jobs: int, repeat: int) -> dict[str, Any] | None:
    if not shutil.which("bandit"):
        return None
    src = build_corpus() / "src"
    files, lines = count_lines(src, "*.py")
    prodready = median_run(scan_cmd(src, jobs, "--no-cache", "--include-tests"), repeat)
    bandit = median_run(["bandit", "-q", "-r", str(src), "-f", "json"], repeat)
    return {"files": files, "lines": lines, "prodready": prodready, "bandit": bandit}


def compile_package() -> None:
    """Byte-code for every module of prodready, as an installed wheel has it (pip compiles
    it): where PYTHONDONTWRITEBYTECODE is set, each run would otherwise time the compiler."""
    import compileall

    import prodready

    compileall.compile_dir(Path(prodready.__file__).parent, quiet=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--trees", default="corpus,mono60,mono240,tree20k")
    parser.add_argument("--no-bandit", action="store_true")
    args = parser.parse_args()
    compile_package()
    rows = [bench_tree(name, args.jobs, args.repeat) for name in args.trees.split(",")]
    report: dict[str, Any] = {"jobs": args.jobs, "repeat": args.repeat, "trees": rows,
                              "python": sys.version.split()[0]}
    print(f"{'tree':<8} {'files':>6} {'lines':>9} | {'cold cpu':>8} {'wall':>6} | "
          f"{'warm cpu':>8} {'ratio':>5} | {'edit cpu':>8} | {'DOCKER cpu':>10} {'ratio':>5}"
          f" | {'peak MB':>7}")
    for r in rows:
        cold = r["cold"]["cpu"]
        print(f"{r['tree']:<8} {r['files']:>6} {r['lines']:>9} | {cold:8.2f} "
              f"{r['cold']['wall']:6.2f} | {r['warm']['cpu']:8.2f} "
              f"{r['warm']['cpu'] / cold:5.2f} | {r['edit']['cpu']:8.2f} | "
              f"{r['select_docker']['cpu']:10.2f} {r['select_docker']['cpu'] / cold:5.2f} | "
              f"{r['peak_mb']:7.0f}")
    by_name = {r["tree"]: r for r in rows}
    if "mono60" in by_name and "mono240" in by_name:
        ratio = by_name["mono240"]["cold"]["cpu"] / by_name["mono60"]["cold"]["cpu"]
        report["scaling_240_over_60"] = ratio
        print(f"4x the services (60 -> 240): {ratio:.2f}x the cold CPU time")
    if not args.no_bandit:
        bandit = bench_bandit(args.jobs, args.repeat)
        if bandit is not None:
            report["bandit"] = bandit
            p, b = bandit["prodready"], bandit["bandit"]
            print(f"same {bandit['files']} files, {bandit['lines']} lines: bandit "
                  f"{b['wall']:.2f} s wall / {b['cpu']:.2f} cpu s; prodready (with test code) "
                  f"{p['wall']:.2f} s wall / {p['cpu']:.2f} cpu s: {b['wall'] / p['wall']:.1f}x "
                  f"faster by wall time, {b['cpu'] / p['cpu']:.1f}x by CPU time")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "benchmark.json").write_text(json.dumps(report, indent=2) + "\n",
                                            encoding="utf-8")


if __name__ == "__main__":
    main()
