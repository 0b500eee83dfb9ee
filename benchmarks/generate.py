"""Generated benchmark trees: a FastAPI monorepo of N services and a large mixed tree.

    python benchmarks/generate.py monorepo 60 /tmp/mono60
    python benchmarks/generate.py tree 20000 /tmp/tree20k

Both are deterministic (same arguments, same files), so scans of them can be compared
between versions of prodready.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROUTERS_PER_SERVICE = 4


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def monorepo(root: Path, services: int) -> Path:
    """`services` FastAPI packages, each with its own pyproject.toml, settings, routers
    mounted under prefixes, a Dockerfile and a Kubernetes Deployment; one Compose file."""
    compose = ["services:"]
    for i in range(services):
        name = f"svc{i:03d}"
        pkg = root / "services" / name
        write(pkg / "pyproject.toml",
              f'[project]\nname = "{name}"\nversion = "0.1.0"\n'
              'dependencies = ["fastapi>=0.110", "sqlalchemy>=2", "httpx>=0.27"]\n')
        write(pkg / name / "__init__.py", "")
        write(pkg / name / "settings.py",
              "from pydantic_settings import BaseSettings\n\n\n"
              "class Settings(BaseSettings):\n    database_url: str = 'sqlite://'\n"
              "    upstream_url: str = 'http://upstream'\n    debug: bool = False\n\n\n"
              "settings = Settings()\n")
        write(pkg / name / "db.py",
              "from sqlalchemy import create_engine\n\n"
              f"from {name}.settings import settings\n\n"
              "engine = create_engine(settings.database_url, pool_pre_ping=True)\n\n\n"
              "def get_db():\n    with engine.connect() as conn:\n        yield conn\n")
        mounts = []
        for r in range(ROUTERS_PER_SERVICE):
            write(pkg / name / "routers" / f"r{r}.py", _router(name, r))
            mounts.append(f"from {name}.routers.r{r} import router as r{r}\n")
        write(pkg / name / "routers" / "__init__.py", "")
        includes = "".join(f'app.include_router(r{r}, prefix="/v1/r{r}")\n'
                           for r in range(ROUTERS_PER_SERVICE))
        write(pkg / name / "main.py",
              "import httpx\nfrom fastapi import FastAPI\n\n" + "".join(mounts)
              + f'\napp = FastAPI(title="{name}")\n' + includes
              + "\n\n@app.get('/healthz')\ndef health():\n    return {'ok': True}\n\n\n"
              "@app.get('/upstream')\ndef upstream():\n"
              "    return httpx.get('http://upstream/x').json()\n")
        write(pkg / "Dockerfile",
              "FROM python:3.12-slim\nWORKDIR /srv\nCOPY . .\nRUN pip install .\n"
              f'CMD ["uvicorn", "{name}.main:app", "--host", "0.0.0.0", "--port", "8000"]\n')
        write(root / "deploy" / f"{name}.yaml",
              f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\nspec:\n"
              f"  selector:\n    matchLabels: {{app: {name}}}\n  template:\n"
              f"    metadata:\n      labels: {{app: {name}}}\n    spec:\n"
              f"      containers:\n        - name: app\n          image: ex/{name}:1.0\n"
              "          ports: [{containerPort: 8000}]\n"
              f"---\napiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\nspec:\n"
              f"  selector: {{app: {name}}}\n  ports: [{{port: 80, targetPort: 8000}}]\n")
        compose.append(f"  {name}:\n    build: services/{name}\n    ports: ['{9000 + i}:8000']")
    write(root / "docker-compose.yml", "\n".join(compose) + "\n")
    write(root / "README.md", "# generated monorepo\n")
    return root


def _router(name: str, index: int) -> str:
    routes = []
    for k in range(6):
        routes.append(
            f"\n\n@router.get('/items{k}/{{item_id}}')\n"
            f"def read_{k}(item_id: int, db=Depends(get_db)):\n"
            f"    row = db.execute(text('select 1')).first()\n"
            f"    if row is None:\n        raise HTTPException(status_code=404)\n"
            f"    return {{'id': item_id, 'router': {index}}}\n")
    return ("from fastapi import APIRouter, Depends, HTTPException\n"
            "from sqlalchemy import text\n\n"
            f"from {name}.db import get_db\n\nrouter = APIRouter(tags=['r{index}'])\n"
            + "".join(routes))


def tree(root: Path, files: int) -> Path:
    """`files` files: mostly Python modules in packages, some YAML and text, one service."""
    for i in range(files):
        package = root / f"pkg{i // 400:03d}" / f"sub{(i // 40) % 10}"
        kind = i % 20
        if kind == 19:
            write(package / f"conf{i}.yaml", f"name: item{i}\nvalues: [1, 2, 3]\nnested:\n"
                                             f"  key: value{i}\n")
        elif kind == 18:
            write(package / f"notes{i}.md", f"# notes {i}\n\nsome text\n")
        else:
            write(package / f"mod{i}.py", _module(i))
    write(root / "app" / "main.py",
          "from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get('/')\n"
          "def index():\n    return {}\n")
    write(root / "pyproject.toml", '[project]\nname = "big"\nversion = "1"\n')
    return root


def _module(i: int) -> str:
    body = [f'"""Module {i}."""\n\nimport logging\nimport os\n\nlog = logging.getLogger(__name__)\n'
            f"LIMIT = int(os.environ.get('LIMIT_{i % 50}', '10'))\n"]
    for k in range(5):
        body.append(
            f"\n\nclass Thing{k}:\n    def __init__(self, value):\n        self.value = value\n\n"
            f"    def compute(self, factor=2):\n        total = 0\n"
            f"        for n in range(self.value):\n            if n % {k + 2} == 0:\n"
            f"                total += n * factor\n        return total\n")
        body.append(
            f"\n\ndef helper_{k}(items):\n    try:\n        return [x * {k} for x in items]\n"
            f"    except TypeError:\n        log.exception('bad items')\n        return []\n")
    return "".join(body)


def main() -> None:
    what, size, target = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
    if target.exists() and any(target.iterdir()):
        print(f"{target} exists; reusing it")
        return
    (monorepo if what == "monorepo" else tree)(target, size)
    print(f"generated {what} {size} in {target}")


if __name__ == "__main__":
    main()
