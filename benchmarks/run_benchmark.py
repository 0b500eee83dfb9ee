"""Scan speed on a reproducible corpus: pinned PyPI wheels plus generated infra files.

    python benchmarks/run_benchmark.py            # build corpus (once), time prodready
    python benchmarks/run_benchmark.py --jobs 2   # worker count passed to prodready

Prints files, lines, wall and CPU seconds, lines/s and peak memory; when `bandit` is on
PATH it times `bandit -r` on the same corpus and prints the ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

PACKAGES = ["django==5.2.8", "sqlalchemy==2.0.44"]
HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"


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


def count(root: Path) -> tuple[int, int]:
    files = lines = 0
    for path in root.rglob("*.py"):
        files += 1
        with path.open("rb") as fh:
            lines += sum(1 for _ in fh)
    return files, lines


def timed(cmd: list[str], stdout: Path | None = None) -> tuple[float, float, float, int]:
    """wall s, cpu s (self + all children), peak MB of the largest process, exit code."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    with open(stdout or os.devnull, "wb") as out:
        proc = subprocess.run(cmd, stdout=out, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, after.ru_maxrss / 1024, proc.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    corpus = build_corpus()
    files, lines = count(corpus)
    prodready = [sys.executable, "-m", "prodready", "scan", str(corpus), "--no-cache",
                 "--format", "json", "--jobs", str(args.jobs)]
    report_path = HERE / "last-report.json"  # outside the corpus: never scanned itself
    wall, cpu, peak, code = timed(prodready, report_path)
    stats = json.loads(report_path.read_text(encoding="utf-8"))["stats"]
    scanned = stats["lines"]
    print(f"corpus: {files} Python files, {lines} lines ({', '.join(PACKAGES)}) + 120 infra files")
    print(f"prodready scanned {sum(stats['files'].values())} files, {scanned} lines "
          "(test code is excluded by default; bandit reads it all)")
    print(f"{'tool':<10} {'wall s':>8} {'cpu s':>8} {'lines/s':>10} {'peak MB':>8} exit")
    print(f"{'prodready':<10} {wall:8.2f} {cpu:8.2f} {scanned / wall:10.0f} {peak:8.0f} {code}")
    if shutil.which("bandit"):
        b_wall, b_cpu, b_peak, b_code = timed(["bandit", "-q", "-r", str(corpus / "src"),
                                               "-f", "json"])
        print(f"{'bandit':<10} {b_wall:8.2f} {b_cpu:8.2f} {lines / b_wall:10.0f} "
              f"{b_peak:8.0f} {b_code}")
        ratio = (scanned / wall) / (lines / b_wall)
        print(f"prodready scans {ratio:.1f}x as many lines per second as bandit")


if __name__ == "__main__":
    main()
