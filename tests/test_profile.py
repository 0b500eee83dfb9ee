"""Whether a project is distributed: it publishes an image its docs tell users to run."""

from __future__ import annotations

from prodready.config import Config
from prodready.engine import scan
from prodready.project.profile import DISTRIBUTED, SERVICE, profile_of, render_profile_text
from prodready.testing import write_tree

APP = "from fastapi import FastAPI\n\napp = FastAPI()\n"
DOCKERFILE = "FROM python:3.12-slim\nCOPY . /app\nCMD [\"uvicorn\", \"app.main:app\"]\n"
RELEASE = """\
on: {push: {tags: ["v*"]}}
jobs:
  image:
    runs-on: ubuntu-latest
    steps:
      - uses: docker/build-push-action@v6
        with:
          context: .
          push: true
          tags: ghcr.io/acme/notes:latest
"""


def _profile(tmp_path, files, **config):
    write_tree(tmp_path, {"app/main.py": APP, "Dockerfile": DOCKERFILE,
                          ".github/workflows/release.yml": RELEASE, **files})
    result = scan(tmp_path, Config(jobs=1, cache=False, **config))
    assert result.project is not None
    return profile_of(result.project), render_profile_text(result.project)


def test_docs_telling_users_to_run_the_published_image_look_distributed(tmp_path):
    profile, text = _profile(tmp_path, {
        "README.md": "Run it:\n\n    docker run -d -p 8000:8000 --name notes "
                     "ghcr.io/acme/notes:latest\n"})
    assert profile.name == DISTRIBUTED and not profile.configured
    assert "README.md" in profile.why and "acme/notes" in profile.why
    assert 'set profile = "distributed"' in text


def test_a_compose_snippet_in_a_doc_tree_counts(tmp_path):
    profile, _ = _profile(tmp_path, {
        "documentation/install.rst": "services:\n  notes:\n    image: acme/notes:1.2\n"})
    assert profile.name == DISTRIBUTED and "documentation/install.rst" in profile.why


def test_running_someone_elses_image_or_an_unpublished_one_is_a_service(tmp_path):
    profile, _ = _profile(tmp_path, {
        "README.md": "Start the database: `docker run -d postgres:16`, then "
                     "`docker pull acme/other`.\n"})
    assert profile.name == SERVICE


def test_the_configured_profile_decides(tmp_path):
    profile, text = _profile(tmp_path, {
        "README.md": "docker run ghcr.io/acme/notes\n"}, profile="service")
    assert profile.name == SERVICE and profile.configured
    assert "set in the configuration" in text
