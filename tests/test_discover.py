"""Discovery: .gitignore semantics, default excludes, the general guards, classification."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from prodready.config import Config
from prodready.discover import SKIP_DIRS, classify, discover, is_guarded
from prodready.engine import scan
from prodready.model import FileKind
from prodready.testing import write_tree as make_tree

PY = "x = 1\n"




def scanned(root: Path, **kwargs: object) -> list[str]:
    return [e.path for e in discover(root, **kwargs).entries]  # type: ignore[arg-type]


# ------------------------------------------------------------------ .gitignore


def test_a_pattern_re_warns_about_is_read_without_a_warning(tmp_path: Path) -> None:
    import subprocess
    import sys

    make_tree(tmp_path, {".gitignore": "web/pages/auth/[[...path]].tsx\n", "app/main.py": PY,
                         "web/pages/auth/[[...path]].tsx": "export {}\n"})
    run = subprocess.run([sys.executable, "-W", "default", "-c",
                          "import sys, pathlib; from prodready.discover import discover; "
                          "print(discover(pathlib.Path(sys.argv[1])).all_files)", str(tmp_path)],
                         capture_output=True, text=True, check=True)
    assert run.stderr == ""


def test_root_gitignore_hides_files_and_directories(tmp_path: Path) -> None:
    make_tree(tmp_path, {
        ".gitignore": "*.log\nbuild/\n/local_settings.py\n",
        "app/main.py": PY,
        "app/debug.log": "",
        "build/lib/app.py": PY,
        "local_settings.py": PY,
        "app/local_settings.py": PY,  # the pattern is anchored to the root
    })
    found = discover(tmp_path)
    assert found.all_files == [".gitignore", "app/local_settings.py", "app/main.py"]
    assert [e.path for e in found.entries] == [
        ".gitignore", "app/local_settings.py", "app/main.py"]


def test_nested_gitignore_applies_below_its_directory_only(tmp_path: Path) -> None:
    make_tree(tmp_path, {
        "svc/.gitignore": "generated.py\n/only_here.py\n",
        "svc/generated.py": PY,
        "svc/pkg/generated.py": PY,
        "svc/only_here.py": PY,
        "svc/pkg/only_here.py": PY,  # anchored to svc/, so this one is kept
        "generated.py": PY,  # above the .gitignore: not affected
        "other/generated.py": PY,
    })
    assert scanned(tmp_path) == [
        "generated.py", "other/generated.py", "svc/.gitignore", "svc/pkg/only_here.py"]


def test_negation_in_a_deeper_gitignore_wins(tmp_path: Path) -> None:
    make_tree(tmp_path, {
        ".gitignore": "*.py\n!setup.py\n",
        "setup.py": PY,
        "app/main.py": PY,
        "app/keep/.gitignore": "!keep.py\n",
        "app/keep/keep.py": PY,
        "app/keep/drop.py": PY,  # the deeper file says nothing about it: the root decides
    })
    assert scanned(tmp_path) == [".gitignore", "app/keep/.gitignore", "app/keep/keep.py",
                                 "setup.py"]


def test_deeper_gitignore_can_ignore_what_the_root_re_included(tmp_path: Path) -> None:
    make_tree(tmp_path, {
        ".gitignore": "*.cfg\n!app.cfg\n",
        "app.cfg": "",
        "sub/app.cfg": "",
        "deep/.gitignore": "app.cfg\n",
        "deep/app.cfg": "",
    })
    files = discover(tmp_path).all_files
    assert "app.cfg" in files
    assert "sub/app.cfg" in files
    assert "deep/app.cfg" not in files


def test_a_file_cannot_be_re_included_inside_an_ignored_directory(tmp_path: Path) -> None:
    # git never looks inside an excluded directory, so its .gitignore is never read.
    make_tree(tmp_path, {
        ".gitignore": "dist/\n",
        "dist/.gitignore": "!*\n",
        "dist/app.py": PY,
    })
    assert discover(tmp_path).all_files == [".gitignore"]


def test_git_info_exclude_is_honoured(tmp_path: Path) -> None:
    make_tree(tmp_path, {
        ".git/info/exclude": "# local only\nscratch.py\nnotes/\n",
        "scratch.py": PY,
        "app/scratch.py": PY,
        "notes/todo.py": PY,
        "app/main.py": PY,
    })
    assert scanned(tmp_path) == ["app/main.py"]


def test_root_gitignore_overrides_info_exclude(tmp_path: Path) -> None:
    make_tree(tmp_path, {
        ".git/info/exclude": "*.py\n",
        ".gitignore": "!main.py\n",
        "main.py": PY,
        "other.py": PY,
    })
    assert scanned(tmp_path) == [".gitignore", "main.py"]


def test_gitignored_env_file_is_not_reported(tmp_path: Path) -> None:
    make_tree(tmp_path, {".gitignore": ".env\n", ".env": "SECRET_KEY=abc123\n"})
    result = scan(tmp_path, Config(select=["REPO002"]), jobs=1, use_cache=False)
    assert result.findings == []
    make_tree(tmp_path, {".gitignore": "*.pem\n"})
    result = scan(tmp_path, Config(select=["REPO002"]), jobs=1, use_cache=False)
    assert [f.path for f in result.findings] == [".env"]


def test_a_gitignore_its_own_dotfile_pattern_matches_is_still_read(tmp_path: Path) -> None:
    make_tree(tmp_path, {".gitignore": ".*\n!.github\n", ".env": "SECRET_KEY=abc123\n",
                         ".github/ci.yml": "on: push\n", ".cache/x.py": PY,
                         ".dockerignore": ".git\n.env\n",
                         "manage.py": "import dotenv\ndotenv.load_dotenv()\n"})
    assert discover(tmp_path).all_files == [
        ".dockerignore", ".github/ci.yml", ".gitignore", "manage.py"]
    result = scan(tmp_path, Config(select=["REPO002", "REPO003"]), jobs=1, use_cache=False)
    assert result.findings == []


# ------------------------------------------------------------------ default excludes


@pytest.mark.parametrize("skip", [".venv", "venv", "node_modules", "__pycache__",
                                  "site-packages", ".tox", ".git"])
def test_skip_dirs_are_never_entered(tmp_path: Path, skip: str) -> None:
    assert skip in SKIP_DIRS
    make_tree(tmp_path, {f"{skip}/lib/mod.py": PY, f"app/{skip}/mod.py": PY, "app/main.py": PY})
    found = discover(tmp_path)
    assert found.all_files == ["app/main.py"]
    assert [e.path for e in found.entries] == ["app/main.py"]


GUARDED = [
    "tests/test_api.py",
    "tests/helpers.py",
    "app/tests/factories.py",
    "app/test/util.py",
    "test_main.py",
    "app/test_models.py",
    "app/models_test.py",
    "conftest.py",
    "app/conftest.py",
    "polls/tests.py",  # Django
    # directories named for a kind of tests
    "integration_tests/assets/saml/webapp/server.py",
    "frontend/e2e-tests/app.py",
    "tests_cypress/plugins.py",
    "app/migrations/0001_initial.py",
    "migrations/env.py",
    "alembic/env.py",
    "docs/conf.py",
    "vendor/lib/mod.py",
    "third_party/mod.py",
    ".devcontainer/setup.py",
    ".semgrep/rules/fixture.py",
    "app/.cache/gen.py",
]
KEPT = [
    "app/main.py",
    "app/testimonials.py",
    "app/contest.py",
    "app/latest.py",
    "app/protest/views.py",
    "dojo/test_type/models.py",  # a Django app of test types
    "docs/build.py",
    "docs/api/conf.py",
    "app/conf.py",
    "app/env.py",
    ".github/workflows/ci.yml",
    ".github/scripts/release.py",
]


def test_general_guards(tmp_path: Path) -> None:
    make_tree(tmp_path, {path: PY for path in GUARDED + KEPT})
    found = discover(tmp_path)
    assert sorted(e.path for e in found.entries) == sorted(KEPT)
    # Guarded files still exist for the repository rules.
    assert set(GUARDED) <= set(found.all_files)


@pytest.mark.parametrize("path", GUARDED)
def test_is_guarded(path: str) -> None:
    assert is_guarded(path)


@pytest.mark.parametrize("path", KEPT)
def test_is_not_guarded(path: str) -> None:
    assert not is_guarded(path)


def test_include_tests_scans_test_code_but_keeps_other_guards(tmp_path: Path) -> None:
    tests = ["tests/test_api.py", "app/tests/factories.py", "test_main.py",
             "app/models_test.py", "conftest.py", "polls/tests.py", "testing/helpers.py"]
    others = ["app/migrations/0001_initial.py", "alembic/env.py", "docs/conf.py",
              "vendor/lib/mod.py", ".devcontainer/setup.py"]
    make_tree(tmp_path, {path: PY for path in [*tests, *others, "app/main.py"]})
    assert scanned(tmp_path) == ["app/main.py"]
    assert scanned(tmp_path, include_tests=True) == sorted([*tests, "app/main.py"])


def test_include_tests_from_config_reaches_discovery(tmp_path: Path) -> None:
    make_tree(tmp_path, {"tests/test_boot.py": 'import sys\nsys.path.insert(0, "src")\n'})
    assert scan(tmp_path, Config(select=["PY003"]), jobs=1, use_cache=False).findings == []
    result = scan(tmp_path, Config(select=["PY003"], include_tests=True), jobs=1,
                  use_cache=False)
    assert [(f.path, f.line) for f in result.findings] == [("tests/test_boot.py", 2)]


def test_alembic_script_directory_anywhere(tmp_path: Path) -> None:
    make_tree(tmp_path, {
        "db/schema/script.py.mako": "${upgrades}\n",
        "db/schema/env.py": PY,
        "db/schema/versions/0001_init.py": PY,
        "db/schema/versions/sub/0002.py": PY,
        "db/schema/helpers.py": PY,
        "db/env.py": PY,  # no script.py.mako beside it: ordinary code
        "app/versions/api.py": PY,  # a versions/ package elsewhere is ordinary code
    })
    assert scanned(tmp_path) == ["app/versions/api.py", "db/env.py", "db/schema/helpers.py"]


def test_hidden_directories_are_tooling_but_ci_directories_are_read(tmp_path: Path) -> None:
    make_tree(tmp_path, {
        ".devcontainer/docker-compose.yml": "services: {}\n",
        ".devcontainer/Dockerfile": "FROM python:3.12\n",
        ".semgrep/rules/example.py": PY,
        ".github/workflows/ci.yml": "on: push\n",
        ".github/dependabot.yml": "version: 2\n",
        ".gitlab/ci.yml": "x: 1\n",
        "app/main.py": PY,
    })
    found = discover(tmp_path)
    assert [e.path for e in found.entries] == [
        ".github/dependabot.yml", ".github/workflows/ci.yml", ".gitlab/ci.yml", "app/main.py"]
    assert [e.kind for e in found.entries] == [FileKind.YAML] * 3 + [FileKind.PYTHON]


def test_key_files_and_requirements_directories_are_read(tmp_path: Path) -> None:
    make_tree(tmp_path, {"deploy/server.pem": "x\n", "id_rsa": "x\n",
                         "requirements/base.txt": "flask\n"})
    assert {e.path: e.kind for e in discover(tmp_path).entries} == {
        "deploy/server.pem": FileKind.TEXT, "id_rsa": FileKind.TEXT,
        "requirements/base.txt": FileKind.TEXT}


def test_config_exclude_patterns(tmp_path: Path) -> None:
    make_tree(tmp_path, {
        "legacy/old.py": PY,
        "app/legacy/old.py": PY,  # "legacy/" is unanchored, like a .gitignore line
        "app/models.generated.py": PY,
        "app/main.py": PY,
        "scripts/one.py": PY,
    })
    excluded = discover(tmp_path, exclude=["legacy/", "*.generated.py", "/scripts"])
    assert [e.path for e in excluded.entries] == ["app/main.py"]
    # Excluded files are gone for the repository rules too.
    assert excluded.all_files == ["app/main.py"]


def test_config_exclude_and_extend_exclude_reach_discovery(tmp_path: Path) -> None:
    make_tree(tmp_path, {
        "legacy/boot.py": 'import sys\nsys.path.insert(0, "a")\n',
        "gen/boot.py": 'import sys\nsys.path.insert(0, "b")\n',
        "app/boot.py": 'import sys\nsys.path.insert(0, "c")\n',
    })
    cfg = Config.model_validate({"select": ["PY003"], "exclude": ["legacy/"],
                                 "extend-exclude": ["gen/"]})
    result = scan(tmp_path, cfg, jobs=1, use_cache=False)
    assert [f.path for f in result.findings] == ["app/boot.py"]


# ------------------------------------------------------------------ classification


@pytest.mark.parametrize(("path", "kind"), [
    ("Dockerfile", FileKind.DOCKERFILE),
    ("dockerfile", FileKind.DOCKERFILE),
    ("Dockerfile.prod", FileKind.DOCKERFILE),
    ("deploy/Dockerfile.worker", FileKind.DOCKERFILE),
    ("api.Dockerfile", FileKind.DOCKERFILE),
    ("images/api.dockerfile", FileKind.DOCKERFILE),
    ("Containerfile", FileKind.DOCKERFILE),
    ("packaging/Containerfile.worker", FileKind.DOCKERFILE),
    ("api.containerfile", FileKind.DOCKERFILE),
    ("docker/Dockerfile-prod", FileKind.DOCKERFILE),
    ("docker/Dockerfile_nginx", FileKind.DOCKERFILE),
    # the variant's name in front: `ProdDjangoDockerfile`, `ci-python-dockerfile`
    ("devops/docker/ProdDjangoDockerfile", FileKind.DOCKERFILE),
    ("devops/docker/ci-python-dockerfile", FileKind.DOCKERFILE),
    ("dockerfile-lint.json", FileKind.TEXT),  # a JSON file, read as text
    ("dockerfile_utils.py", FileKind.PYTHON),
    ("Dockerfile.dockerignore", FileKind.TEXT),  # its own ignore file, read by DOCKER007
    ("Containerfile.md", None),
    ("Dockerfile.md", None),
    ("docs/Dockerfile.txt", None),
    ("app/main.py", FileKind.PYTHON),
    ("docker-compose.yml", FileKind.YAML),
    ("k8s/deploy.yaml", FileKind.YAML),
    (".env", FileKind.TEXT),
    (".env.example", FileKind.TEXT),
    ("requirements-dev.txt", FileKind.TEXT),
    ("requirements.in", FileKind.TEXT),
    ("pyproject.toml", FileKind.TEXT),
    (".gitignore", FileKind.TEXT),
    ("poetry.lock", None),
    ("uv.lock", None),
    ("logo.png", None),
    ("README.md", None),
])
def test_classify(path: str, kind: FileKind | None) -> None:
    assert classify(path) == kind


def test_dockerfile_variants_are_discovered_as_dockerfiles(tmp_path: Path) -> None:
    names = ["Dockerfile", "Dockerfile.prod", "api.Dockerfile", "Containerfile"]
    make_tree(tmp_path, {name: "FROM python:3.12\n" for name in names})
    found = discover(tmp_path)
    assert {e.path: e.kind for e in found.entries} == dict.fromkeys(names, FileKind.DOCKERFILE)


# ------------------------------------------------------------------ sizes and links


def test_oversized_files_are_listed_not_scanned(tmp_path: Path) -> None:
    make_tree(tmp_path, {"app/big.py": "x = 1\n" * 100, "app/small.py": PY})
    found = discover(tmp_path, max_file_size=100)
    assert [e.path for e in found.entries] == ["app/small.py"]
    assert found.oversized == ["app/big.py"]
    assert "app/big.py" in found.all_files
    assert [e.size for e in found.entries] == [len(PY)]
    # At the limit exactly, a file is still scanned.
    assert discover(tmp_path, max_file_size=600).oversized == []


def test_oversized_only_counts_files_that_would_be_scanned(tmp_path: Path) -> None:
    make_tree(tmp_path, {"tests/test_big.py": "x = 1\n" * 100, "logo.svg": "<svg/>" * 100})
    assert discover(tmp_path, max_file_size=100).oversized == []


def test_symlink_to_a_file_outside_the_root_is_not_followed(tmp_path: Path) -> None:
    outside = make_tree(tmp_path / "outside", {"secret.py": PY})
    root = make_tree(tmp_path / "repo", {"app/main.py": PY, "real/util.py": PY})
    os.symlink(outside / "secret.py", root / "app" / "leak.py")
    os.symlink("../real/util.py", root / "app" / "util.py")  # stays inside: read
    os.symlink(tmp_path / "nowhere.py", root / "app" / "dangling.py")
    found = discover(root)
    assert [e.path for e in found.entries] == ["app/main.py", "app/util.py", "real/util.py"]
    assert "app/leak.py" not in found.all_files


def test_symlinked_directories_are_not_followed(tmp_path: Path) -> None:
    outside = make_tree(tmp_path / "outside", {"lib/mod.py": PY})
    root = make_tree(tmp_path / "repo", {"app/main.py": PY})
    os.symlink(outside / "lib", root / "lib")  # leaves the root
    os.symlink(root / "app", root / "app_alias")  # inside, but would scan app twice
    os.symlink(root, root / "app" / "loop")  # a loop must not hang discovery
    found = discover(root)
    assert found.all_files == ["app/main.py"]


def test_scan_root_given_through_a_symlink(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "repo", {"app/main.py": PY, "app/util.py": PY})
    os.symlink(root, tmp_path / "alias")
    assert scanned(tmp_path / "alias") == ["app/main.py", "app/util.py"]


def test_results_are_sorted_and_posix(tmp_path: Path) -> None:
    make_tree(tmp_path, {"b/z.py": PY, "a/y.py": PY, "a/b/x.py": PY, "c.py": PY})
    paths = scanned(tmp_path)
    assert paths == sorted(paths)
    assert all("\\" not in p and not p.startswith("/") for p in paths)
