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


def _severities(code: str, path: str = "app/api.py") -> dict[int, str]:
    return {f.line: f.severity.value for f in scan_files({path: textwrap.dedent(code)},
                                                         ["PY011"]) if f.rule_id == "PY011"}


def test_an_endpoint_only_administrators_reach_is_informational():
    code = """
    from django.contrib.admin.views.decorators import staff_member_required
    from fastapi import APIRouter, Depends, HTTPException
    from rest_framework.permissions import IsAdminUser
    from rest_framework.views import APIView

    router = APIRouter()
    admin_router = APIRouter(prefix="/admin/mcp")


    @router.get("/{ext_id}/releases", dependencies=[Depends(check_admin)])
    async def releases(ext_id):
        try:
            return fetch_releases(ext_id)
        except Exception as e:
            raise HTTPException(status_code=500, detail=str(e))


    @router.post("/owner")
    async def make_owner(user=Depends(require_permission(Permission.FULL_ADMIN_PANEL_ACCESS))):
        try:
            return change_owner(user)
        except Exception as e:
            raise HTTPException(status_code=500, detail=str(e))


    @admin_router.post("/config")
    def create_config():
        try:
            return save_config()
        except Exception as e:
            raise HTTPException(status_code=500, detail=str(e))


    @staff_member_required
    def export(request):
        try:
            return build_export()
        except Exception as e:
            return JsonResponse({"error": str(e)}, status=500)


    class Reindex(APIView):
        permission_classes = [IsAdminUser]

        def post(self, request):
            try:
                return reindex()
            except Exception as e:
                return JsonResponse({"error": str(e)}, status=500)
    """
    severities = _severities(code)
    assert len(severities) == 5 and set(severities.values()) == {"info"}


FLASK_LEAK = """
from flask import Flask, jsonify

app = Flask(__name__)


@app.route("/query", methods=["POST"])
def query():
    try:
        return run_query()
    except Exception as e:
        return jsonify({"error": str(e)}), 500
"""


def test_views_of_a_model_admin_or_an_administration_package_are_informational():
    model_admin = """
    from django.contrib import admin
    from django.http import HttpResponse


    class DeviceAdmin(admin.ModelAdmin):
        def preview_view(self, request):
            try:
                return render_preview(request)
            except Exception as e:
                return HttpResponse(str(e), status=500)
    """
    assert set(_severities(model_admin).values()) == {"info"}
    assert set(_severities(FLASK_LEAK, "tool/admin/views.py").values()) == {"info"}
    assert set(_severities(FLASK_LEAK, "tool/administration.py").values()) == {"medium"}


def test_an_endpoint_any_user_reaches_keeps_the_severity():
    code = """
    from fastapi import APIRouter, Depends, HTTPException

    router = APIRouter()


    @router.post("/password")
    async def change_password(user=Depends(current_user)):
        try:
            return update_password(user)
        except Exception as e:
            raise HTTPException(status_code=500, detail=f"An unexpected error occurred: {e}")


    @router.get("/administration-fees")  # a path that only starts with "admin" words
    async def fees():
        try:
            return load_fees()
        except Exception as e:
            raise HTTPException(status_code=500, detail=str(e))
    """
    assert set(_severities(code).values()) == {"medium"}


def test_an_endpoint_under_internal_is_informational_and_internals_elsewhere_are_not():
    code = """
    from fastapi import APIRouter, HTTPException

    router = APIRouter(prefix="/internal/cases", include_in_schema=False)
    public = APIRouter(prefix="/cases")


    @router.post("/sync")
    async def sync():
        try:
            return run_sync()
        except Exception as e:
            raise HTTPException(status_code=500, detail=str(e))


    @public.get("/internal")
    async def hidden():
        try:
            return run_sync()
        except Exception as e:
            raise HTTPException(status_code=500, detail=str(e))


    @public.get("/internals-report")
    async def report():
        try:
            return run_sync()
        except Exception as e:
            raise HTTPException(status_code=500, detail=str(e))
    """
    assert sorted(_severities(code).values()) == ["info", "medium", "medium"]


def test_a_branch_for_an_expected_message_answering_4xx_is_not_a_leak():
    code = """
    import base64
    from fastapi import HTTPException


    def download(case_id):
        try:
            return fetch(case_id)
        except Exception as e:
            if "not found" in str(e).lower():
                raise HTTPException(status_code=404, detail=str(e))
            raise HTTPException(status_code=500, detail=str(e))


    def upload(params):
        try:
            content = base64.b64decode(params.content, validate=True)
        except Exception as e:
            raise HTTPException(status_code=400, detail=f"Invalid base64: {e}")
        return content
    """
    assert _lines(code) == [12]  # the 500 below the tested branch still leaks


def test_an_exception_object_in_a_json_body_is_no_text_but_its_string_is():
    code = """
    from django.http import HttpResponse, JsonResponse


    def save(request):
        try:
            store(request.body)
        except Exception as exc:
            return JsonResponse({"error": exc})  # the encoder refuses it: a 500, no text


    def save_text(request):
        try:
            store(request.body)
        except Exception as exc:
            return JsonResponse({"error": str(exc)})


    def save_html(request):
        try:
            store(request.body)
        except Exception as exc:
            return HttpResponse({"error": exc})
    """
    assert _lines(code) == [16, 23]


def test_permission_classes_inherited_from_a_base_view_of_the_module():
    code = """
    from rest_framework.response import Response
    from rest_framework.views import APIView
    from restlib.permissions import IsAuthenticated, IsSuperUser


    class TaskView(APIView):
        permission_classes = (IsSuperUser,)


    class SendTestEmail(TaskView):
        def get(self, request):
            try:
                send_test_email.delay(request.user.email)
            except Exception as e:
                return Response(status=500, data=str(e))


    class PublicView(APIView):
        permission_classes = (IsAuthenticated,)


    class Report(PublicView):
        def get(self, request):
            try:
                return build_report()
            except Exception as e:
                return Response(status=500, data=str(e))
    """
    assert sorted(_severities(code).values()) == ["info", "medium"]
