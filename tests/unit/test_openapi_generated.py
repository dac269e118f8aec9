"""docs/openapi.json is exactly what the API function generates, is valid OpenAPI 3.1, and documents every
route of template.yaml with typed bodies, typed answers and problem details for its errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from openapi_spec_validator import validate

from ffo.cfn import load_template
from ffo.cli import main as ffo
from ffo.engine import api_routes
from ffo.openapi import API_APP, DOCUMENT, REGENERATE, drift, render
from tests.helpers import ROOT, api_functions

PROBLEM = {"$ref": "#/components/schemas/ProblemDetails"}
METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(render(ROOT))
    return loaded


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


def test_the_committed_document_is_generated() -> None:
    committed = (ROOT / DOCUMENT).read_text("utf-8")
    assert committed == render(ROOT), f"{DOCUMENT} is out of date; regenerate with: {REGENERATE}"


def test_it_is_a_valid_openapi_3_1_document(document: dict[str, Any]) -> None:
    assert document["openapi"].startswith("3.1")
    validate(document)


def test_it_documents_exactly_the_template_s_authorised_routes(document: dict[str, Any]) -> None:
    template = load_template(ROOT / "template.yaml")
    documented = {(method, path) for method, path, _ in operations(document)}
    served = {route for function in api_functions(template) for route in api_routes(template, function)}
    assert documented == served - {("GET", "/v1/docs")}


def test_every_route_needs_the_bearer_token(document: dict[str, Any]) -> None:
    scheme = document["components"]["securitySchemes"]["bearerAuth"]
    assert (scheme["type"], scheme["scheme"], scheme["bearerFormat"]) == ("http", "bearer", "JWT")
    assert document["security"] == [{"bearerAuth": []}]


def test_only_the_template_s_public_routes_need_no_token(document: dict[str, Any]) -> None:
    template = load_template(ROOT / "template.yaml")
    events = template["Resources"]["ApiFunction"]["Properties"]["Events"].values()
    public = {
        (str(e["Properties"]["Method"]).upper(), str(e["Properties"]["Path"]))
        for e in events
        if (e["Properties"].get("Auth") or {}).get("Authorizer") == "NONE"
    }
    open_operations = {
        (method, path) for method, path, operation in operations(document) if operation.get("security") == []
    }
    assert open_operations == public - {("GET", "/v1/docs")}
    assert open_operations  # the shared review links


def test_every_operation_is_typed_and_its_errors_are_problem_details(document: dict[str, Any]) -> None:
    ids = [operation["operationId"] for _, _, operation in operations(document)]
    assert len(ids) == len(set(ids))
    for method, path, operation in operations(document):
        where = f"{method} {path}"
        responses = operation["responses"]
        assert "422" not in responses, where  # Powertools' validation errors are 400 problems here
        successes = [code for code in responses if code.startswith("2")]
        # one success status, or two where the answer is either at once or later (POST /v1/lint: 200 or 202)
        assert len(successes) == 1 or (method, path, successes) == ("POST", "/v1/lint", ["200", "202"]), where
        for success in successes:
            assert responses[success]["content"]["application/json"]["schema"]["$ref"], where
        for code in ("400", "401", "429", "500"):
            assert responses[code]["content"]["application/problem+json"]["schema"] == PROBLEM, (where, code)
        if "{" in path and operation.get("security") != []:
            assert "404" in responses, where
        if operation.get("security") == []:  # a link token in the path: an unknown one is a 401, a dead one 410
            assert {"401", "410"} <= set(responses), where
        if method in ("POST", "PATCH", "PUT") and "requestBody" in operation:
            body = operation["requestBody"]
            assert body["required"] is True, where
            assert body["content"]["application/json"]["schema"]["$ref"], where
            assert {"413", "415"} <= set(responses), where


def test_every_route_that_reads_a_body_documents_it(document: dict[str, Any]) -> None:
    with_bodies = {(m, p) for m, p, op in operations(document) if "requestBody" in op}
    assert with_bodies == {
        ("POST", "/v1/assets"),
        ("POST", "/v1/reviews/{reviewId}/decision"),
        ("POST", "/v1/reviews/{reviewId}/uploads"),
        ("POST", "/v1/campaigns"),
        ("PATCH", "/v1/campaigns/{campaignId}"),
        ("POST", "/v1/campaigns/{campaignId}/assets"),
        ("POST", "/v1/posts"),
        ("PATCH", "/v1/posts/{postId}"),
        ("POST", "/v1/accounts"),
        ("PATCH", "/v1/accounts/{accountId}"),
        ("PUT", "/v1/budget"),
        ("PUT", "/v1/notifications/settings"),
        ("POST", "/v1/brand-kits/validate"),
        ("PUT", "/v1/brand-kits/{kitId}"),
        ("POST", "/v1/brand-kits/{kitId}/uploads"),
        ("POST", "/v1/lint"),
        ("POST", "/v1/lint/uploads"),
        ("POST", "/v1/uploads"),
        ("POST", "/v1/reviews/{reviewId}/links"),
        ("POST", "/v1/shared-reviews/{token}/decision"),
        ("PUT", "/v1/prediction-settings"),
    }


def test_lists_page_the_same_way(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    lists = [(m, p, op) for m, p, op in operations(document) if op["operationId"].startswith("list")]
    assert len(lists) >= 5
    for method, path, operation in lists:
        parameters = {p["name"]: p for p in operation["parameters"]}
        assert parameters["limit"]["schema"]["maximum"] == 100, path
        assert parameters["limit"]["schema"]["minimum"] == 1, path
        assert "nextToken" in parameters, path
        page = schemas[operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].split("/")[-1]]
        assert set(page["properties"]) == {"items", "nextToken"}, (method, path)
        assert page["required"] == ["items"], (method, path)


def test_problem_details_carry_the_rfc_9457_members(document: dict[str, Any]) -> None:
    problem = document["components"]["schemas"]["ProblemDetails"]
    assert {"type", "title", "status", "detail", "code", "errors"} <= set(problem["properties"])


def test_check_exits_1_on_drift_and_the_writer_fixes_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "template.yaml").write_text("", "utf-8")
    (tmp_path / API_APP).parent.mkdir(parents=True)
    shutil.copy(ROOT / API_APP, tmp_path / API_APP)
    assert ffo(["--root", str(tmp_path), "openapi", "--check"]) == 1
    assert REGENERATE in capsys.readouterr().err
    assert ffo(["--root", str(tmp_path), "openapi"]) == 0
    assert not drift(tmp_path)
    assert ffo(["--root", str(tmp_path), "openapi", "--check"]) == 0
    target = tmp_path / DOCUMENT
    target.write_text(target.read_text("utf-8").replace('"maximum": 100', '"maximum": 200', 1), "utf-8")
    assert ffo(["--root", str(tmp_path), "openapi", "--check"]) == 1


def _validator(document: dict[str, Any], component: str) -> Any:
    """A JSON Schema validator for one component, with formats checked, as a strict client would use."""
    from jsonschema import Draft202012Validator

    schema = {"$ref": f"#/components/schemas/{component}", "components": document["components"]}
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def test_the_gateway_s_own_401_is_documented(document: dict[str, Any]) -> None:
    """API Gateway's JWT authorizer answers a missing or refused token itself, in its own format (not on the
    public routes: no authorizer there, a 401 is the link's problem details)."""
    for method, path, operation in operations(document):
        content = operation["responses"]["401"]["content"]
        if operation.get("security") == []:
            assert set(content) == {"application/problem+json"}, (method, path)
            continue
        assert content["application/json"]["schema"] == {"$ref": "#/components/schemas/GatewayRejection"}, (
            method,
            path,
        )
    rejection = _validator(document, "GatewayRejection")
    assert rejection.is_valid({"message": "Unauthorized"})
    assert not rejection.is_valid({})


def test_no_property_the_answers_leave_out_when_null_is_required(document: dict[str, Any]) -> None:
    """Answers omit null values (CompactResponseValidation): a nullable property cannot be required."""

    def nullable(schema: dict[str, Any]) -> bool:
        return schema.get("type") == "null" or any(nullable(option) for option in schema.get("anyOf", []))

    for name, component in document["components"]["schemas"].items():
        for field in component.get("required", []):
            assert not nullable(component["properties"][field]), (name, field)


def test_a_request_without_an_asset_matches_its_documented_schema(document: dict[str, Any]) -> None:
    from flashfusion.models import RequestRecord

    record = RequestRecord.model_validate(
        {
            "requestId": "r-1",
            "orgId": "acme",
            "userId": "u",
            "status": "cancelled",
            "contentType": "text",
            "tier": "standard",
            "createdAt": "2030-01-01T00:00:00Z",
            "updatedAt": "2030-01-01T00:00:01Z",
        }
    )
    answered = record.model_dump(mode="json", by_alias=True, exclude_none=True)
    assert "assetUrl" not in answered
    assert list(_validator(document, "RequestRecord").iter_errors(answered)) == []


@pytest.mark.parametrize(
    ("given", "answered"),
    [("22:00", "22:00:00"), ("07:30:15", "07:30:15"), ("22:00:00+02:00", "22:00:00"), ("09:00Z", "09:00:00")],
)
def test_wall_clock_times_answer_in_their_documented_form(document: dict[str, Any], given: str, answered: str) -> None:
    """Local times have no offset: JSON Schema's "time" format (which requires one) would refuse them."""
    from flashfusion.scheduling.models import Cadence

    cadence = Cadence.model_validate({"quietHours": {"start": given, "end": "07:00"}, "preferredTimes": [given]})
    dumped = cadence.model_dump(mode="json", by_alias=True, exclude_none=True)
    assert dumped["quietHours"]["start"] == answered
    assert dumped["preferredTimes"] == [answered]
    assert list(_validator(document, "Cadence").iter_errors(dumped)) == []


def test_the_swagger_page_builds_the_schema_once_not_per_request(monkeypatch: pytest.MonkeyPatch) -> None:
    from aws_lambda_powertools.event_handler import APIGatewayHttpResolver

    from flashfusion.http.api import DOCS_PATH, create_app

    built: list[int] = []
    original = APIGatewayHttpResolver.get_openapi_schema

    def counting(self: APIGatewayHttpResolver, *args: Any, **kwargs: Any) -> Any:
        built.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(APIGatewayHttpResolver, "get_openapi_schema", counting)
    app = create_app()
    event = {
        "version": "2.0",
        "routeKey": f"GET {DOCS_PATH}",
        "rawPath": DOCS_PATH,
        "rawQueryString": "format=json",
        "queryStringParameters": {"format": "json"},
        "headers": {},
        "requestContext": {"http": {"method": "GET", "path": DOCS_PATH}, "stage": "$default"},
        "isBase64Encoded": False,
    }
    first = app.resolve(event, {})
    second = app.resolve(event, {})
    assert first["statusCode"] == second["statusCode"] == 200
    assert first["body"] == second["body"]
    assert len(built) == 1
