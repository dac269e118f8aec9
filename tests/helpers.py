"""Constants and small builders shared by the test tiers."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TEST_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "POWERTOOLS_TRACE_DISABLED": "true",
}
"""The environment every test runs with (tests/conftest.py's _aws_env): fake credentials, a fixed region."""
AWS_OVERRIDES = ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE")
"""Variables that could point a test at real AWS: removed for every test."""


def source_module(module: ModuleType) -> ModuleType:
    """A fresh copy of ``module`` run from its source file, under a name of its own. The text linter's modules
    are compiled (layers/mypyc_build.py), and a compiled module's calls to its own functions do not look them
    up: a test that patches one to see whether it is called patches this copy."""
    name = module.__name__
    source = ROOT / "layers" / "common" / (name.replace(".", "/") + ".py")
    spec = importlib.util.spec_from_file_location(f"{name}__source", source)
    assert spec is not None, source
    assert spec.loader is not None, source
    copy = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = copy  # dataclasses look their module up by name
    spec.loader.exec_module(copy)
    return copy


ORG = "acme"
OTHER_ORG = "globex"


API_CODE = "functions/api/"
"""The API's code: ApiFunction serves most routes, LintApiFunction (with the media layer) the lint-only ones."""


def api_functions(template: dict[str, Any]) -> list[str]:
    """The functions template.yaml deploys with the API's code, ApiFunction first."""
    found = [
        logical_id
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == "AWS::Serverless::Function"
        and str(resource["Properties"].get("CodeUri", "")).rstrip("/") + "/" == API_CODE
    ]
    return sorted(found, key=lambda name: name != "ApiFunction")


def claims(org: str = ORG, user: str = "user-1") -> dict[str, str]:
    return {"org_id": org, "sub": user}


def submission(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "contentType": "text",
        "prompt": "Write a LinkedIn post announcing our spring hiking collection",
        "tier": "standard",
        "brandKitId": "aurora-core",
    }
    body.update(overrides)
    return body


def body_of(response: dict[str, Any]) -> Any:
    return json.loads(response["body"])


PROBLEM_TYPE = "https://flashfusion.dev/problems/"


def problem_of(response: dict[str, Any], status: int | None = None) -> dict[str, Any]:
    """The RFC 9457 problem details of an error response, checked for the members every one carries."""
    if status is not None:
        assert response["statusCode"] == status, response
    headers = {k.lower(): v for k, v in (response.get("headers") or {}).items()}
    assert headers.get("content-type") == "application/problem+json", response
    body: dict[str, Any] = json.loads(response["body"])
    assert body["status"] == response["statusCode"], body
    assert body["type"] == PROBLEM_TYPE + body["code"].replace("_", "-"), body
    assert body["title"], body
    assert body["detail"], body
    assert isinstance(body["errors"], list), body
    assert all(set(e) == {"field", "problem"} and e["field"] for e in body["errors"]), body
    return body
