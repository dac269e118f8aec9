"""Constants and small builders shared by the test tiers."""

from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.machinery import SOURCE_SUFFIXES, FileFinder, SourceFileLoader
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


def layer_script(name: str) -> ModuleType:
    """``layers/<name>.py`` (a build script, not a package module) loaded as a module."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "layers" / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


LINTER = "flashfusion.linting"
LINTER_FOLDER = str(ROOT / "layers" / "common" / "flashfusion" / "linting")


def _linter_modules() -> dict[str, ModuleType]:
    return {name: m for name, m in sys.modules.items() if name == LINTER or name.startswith(LINTER + ".")}


def _sources_only(path: str) -> FileFinder:
    if not path.startswith(LINTER_FOLDER):
        raise ImportError  # the next path hook: everything outside the linter imports as usual
    return FileFinder(path, (SourceFileLoader, SOURCE_SUFFIXES))


@contextmanager
def linter_sources() -> Iterator[None]:
    """Imports of ``flashfusion.linting`` made inside give a second copy of the linter, run from its sources,
    whatever is compiled (layers/mypyc_build.py); the modules imported before are back in place after. A
    differential test compares the compiled fast path with the plain path it gets by patching its shortcuts off
    in this copy: a compiled module's calls to its own functions, or to another compiled module's, do not look
    them up, so a patch of the compiled module would not be seen (the test would compare the fast path with
    itself)."""
    import flashfusion

    saved = _linter_modules()
    attribute = flashfusion.__dict__.get("linting")
    for name in saved:
        del sys.modules[name]
    sys.path_hooks.insert(0, _sources_only)
    sys.path_importer_cache.clear()
    try:
        yield
    finally:
        sys.path_hooks.remove(_sources_only)
        sys.path_importer_cache.clear()
        for name in _linter_modules():
            del sys.modules[name]
        sys.modules.update(saved)
        if attribute is None:
            flashfusion.__dict__.pop("linting", None)
        else:
            flashfusion.linting = attribute  # type: ignore[attr-defined]


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
