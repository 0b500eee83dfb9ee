"""PY011: exception text sent to clients, and the attempts whose error is the answer."""

from __future__ import annotations

import textwrap

from prodready.testing import scan_files


def _lines(code: str) -> list[int]:
    return [f.line for f in scan_files({"app/api.py": textwrap.dedent(code)}, ["PY011"])
            if f.rule_id == "PY011"]


def test_an_attempt_that_only_validates_answers_with_its_error():
    code = """
    from http import HTTPStatus
    from fastapi import HTTPException
    from fastapi.responses import RedirectResponse


    def check_definition(definition):
        try:
            validate_openapi_schema(definition)
        except Exception as e:
            raise HTTPException(status_code=400, detail=str(e))


    def to_uuid(hex_value):
        try:
            user_id = to_valid_user_id(hex_value).hex
            return RedirectResponse(url=f"/wallet?usr={user_id}")
        except Exception as exc:
            raise HTTPException(status_code=HTTPStatus.BAD_REQUEST, detail=str(exc)) from exc


    def test_provider(provider):
        try:
            return provider.test_connection()
        except Exception as e:
            raise HTTPException(status_code=400, detail=str(e)) from e
    """
    assert _lines(code) == []


def test_an_attempt_that_acts_still_leaks_and_so_does_a_validation_at_500():
    code = """
    from http import HTTPStatus
    from fastapi import HTTPException


    def make_owner(org, user):
        try:
            change_owner(org, user)
        except Exception as e:
            raise HTTPException(status_code=HTTPStatus.BAD_REQUEST, detail=str(e))


    def check_definition(definition):
        try:
            validate_openapi_schema(definition)
        except Exception as e:
            raise HTTPException(status_code=500, detail=str(e))


    def fetch(client):
        try:
            return client.get()
        except ConnectionError as e:
            raise HTTPException(status_code=HTTPStatus.BAD_GATEWAY, detail=str(e))
    """
    assert _lines(code) == [10, 17, 24]
