"""The Dockerfile parser: stages, continuations, heredocs, escape directive, ARG in FROM."""

from __future__ import annotations

import pytest

from prodready.artifacts.dockerfile import DockerfileError, image_reference, parse_dockerfile


def test_stages_args_and_continuations():
    text = (
        "# syntax=docker/dockerfile:1\n"
        "ARG PY=3.12\n"
        "FROM --platform=linux/amd64 python:${PY}-slim AS Build\n"
        "RUN apt-get update && \\\n"
        "    # a comment inside the continuation\n"
        "\n"
        "    apt-get install -y gcc\n"
        "FROM build\n"
        'CMD ["uvicorn", "app:app"]\n'
    )
    df = parse_dockerfile("Dockerfile", text)
    first, final = df.stages
    assert (first.name, first.base_image, first.platform, first.line) == (
        "build", "python:3.12-slim", "linux/amd64", 3)
    run = first.instructions[0]
    assert (run.line, run.end_line) == (4, 7)
    assert run.args == "apt-get update && apt-get install -y gcc"
    assert final.base_image == "build" and final.instructions[0].exec_form == ["uvicorn", "app:app"]


def test_heredocs_and_escape_directive():
    text = (
        "# escape=`\n"
        "FROM alpine:3.20\n"
        "RUN <<EOF cat > /a && <<-'END' cat > /b\n"
        "echo \\\n"
        "EOF\n"
        "\tx\n"
        "END\n"
        "RUN echo one `\n"
        "    two\n"
    )
    df = parse_dockerfile("Dockerfile", text)
    heredoc, cont = df.final_stage.instructions
    assert heredoc.heredocs == ["echo \\", "x"]
    assert (heredoc.line, heredoc.end_line) == (3, 7)
    assert cont.args == "echo one two" and df.escape == "`"


def test_invalid_json_is_shell_form_and_default_arg_substitution():
    df = parse_dockerfile("Dockerfile", "ARG TAG\nFROM app:${TAG:-1.0}\nCMD [python app.py]\n")
    assert df.final_stage.base_image == "app:1.0"
    assert df.final_stage.instructions[0].exec_form is None


def test_errors_have_lines():
    with pytest.raises(DockerfileError) as err:
        parse_dockerfile("Dockerfile", "FROM a\nRUN <<EOF\necho\n")
    assert err.value.line == 2
    with pytest.raises(DockerfileError):
        parse_dockerfile("Dockerfile", "RUN echo\n")


def test_image_reference():
    assert image_reference("registry:5000/app:1.2@sha256:abc") == (
        "registry:5000/app", "1.2", "sha256:abc")
    assert image_reference("registry:5000/app") == ("registry:5000/app", None, None)
