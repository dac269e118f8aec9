"""One identity rule for every route: a token without a subject, or without a well-formed organisation,
is a 401 and changes nothing, whatever the route (every HttpApi event of ApiFunction in template.yaml)."""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Iterator
from typing import Any

import pytest

from ffo.cfn import load_template
from ffo.engine import api_routes
from tests.helpers import ORG, OTHER_ORG, ROOT, problem_of, submission

TEMPLATE = load_template(ROOT / "template.yaml")


def public_routes() -> set[tuple[str, str]]:
    """Routes the template serves without the JWT authorizer (``Auth: {Authorizer: NONE}``)."""
    events = TEMPLATE["Resources"]["ApiFunction"]["Properties"]["Events"].values()
    return {
        (str(e["Properties"]["Method"]).upper(), str(e["Properties"]["Path"]))
        for e in events
        if e.get("Type") == "HttpApi" and e["Properties"].get("Auth", {}).get("Authorizer") == "NONE"
    }


ROUTES = [route for route in api_routes(TEMPLATE) if route not in public_routes()]

BAD_CALLERS = {
    "missing sub": {"org_id": ORG},
    "empty sub": {"org_id": ORG, "sub": ""},
    "missing org": {"sub": "user-1"},
    "empty org": {"org_id": "", "sub": "user-1"},
    "malformed org": {"org_id": "acme#REQUEST", "sub": "user-1"},
    "no claims": {},
}


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "id-1", path)


def everything(engine: Any) -> list[str]:
    """Every item of the table, read from moto's backend (a Scan through boto3 spends ~0.5 s serialising the
    seeded kits: this test runs for every route and bad token)."""
    from moto.dynamodb.models import dynamodb_backends

    from ffo.cfn import ACCOUNT_ID

    (name,) = engine.resources.tables
    table = dynamodb_backends[ACCOUNT_ID][engine.region].get_table(name)
    return sorted(
        json.dumps({k: _plain(v) for k, v in item.attrs.items()}, sort_keys=True, default=str)
        for item in table.all_items()
    )


def _plain(value: Any) -> Any:
    """A moto DynamoType as plain data (its own to_json deep-copies every nested value: ~15 ms a kit)."""
    if value.type == "M":
        return {k: _plain(v) for k, v in value.value.items()}
    if value.type == "L":
        return [_plain(v) for v in value.value]
    return [value.type, value.value]


def executions(engine: Any) -> int:
    return len(engine.client("stepfunctions").list_executions(stateMachineArn=engine.state_machine_arn())["executions"])


def test_the_route_list_is_the_template_s() -> None:
    assert ("POST", "/v1/assets") in ROUTES
    assert ("PATCH", "/v1/accounts/{accountId}") in ROUTES
    assert len(ROUTES) >= 20, ROUTES


def test_only_the_api_docs_and_the_shared_review_links_are_public() -> None:
    # A shared review link's token (signed, expiring, revocable) is its own credential: flashfusion.app.review_links
    assert public_routes() == {
        ("GET", "/v1/docs"),
        ("GET", "/v1/shared-reviews/{token}"),
        ("POST", "/v1/shared-reviews/{token}/decision"),
    }


SAMPLE_ROUTES = [("POST", "/v1/assets"), ("GET", "/v1/requests/{requestId}"), ("PATCH", "/v1/accounts/{accountId}")]
"""Every bad token on a few routes (one creates, one reads, one changes); the two kinds of missing identity
(no user, no organisation) on every route: every route reads its caller through the same ``authenticated``,
so the claim-by-claim cases need not be repeated 40 times (each costs a seeded world)."""
CASES = [
    *[(m, p, name) for m, p in ROUTES for name in ("missing sub", "missing org")],
    *[(m, p, name) for m, p in SAMPLE_ROUTES for name in BAD_CALLERS if name not in ("missing sub", "missing org")],
]


def test_the_sample_routes_exist() -> None:
    assert set(SAMPLE_ROUTES) <= set(ROUTES)


@pytest.fixture(scope="module")
def world(_shared_engine: Any) -> Iterator[Any]:
    """One seeded world for the module's ~200 refusals, not one each (resuming the engine, emptying and seeding
    it cost ~40 ms a test). Sound because each of them asserts that its request changed nothing, items and
    executions alike: a request that did change the world fails its own test, and every test compares what it
    finds after its request with what it found before it, not with the seed."""
    engine = _shared_engine
    engine.resume()
    try:
        engine.reset_world()
        kit = json.loads((ROOT / "events" / "brand-kit.sample.json").read_text("utf-8"))
        engine.seed_brand_kit(ORG, kit)
        engine.seed_brand_kit(OTHER_ORG, kit)
        yield engine
    finally:
        engine.configure()
        engine.suspend()


@pytest.fixture
def engine(world: Any) -> Any:
    """This module's engine: the shared world above (not tests/conftest.py's fresh one for each test)."""
    # as the engine does when it resumes, which here was before this test's own warning filters were set up
    warnings.filterwarnings("ignore", message="No application metrics to publish")
    return world


@pytest.mark.parametrize(("method", "path", "caller_name"), CASES, ids=[f"{m} {p}-{n}" for m, p, n in CASES])
def test_every_route_refuses_a_token_without_user_or_org_with_401(
    engine: Any, method: str, path: str, caller_name: str
) -> None:
    caller = BAD_CALLERS[caller_name]
    before = everything(engine)
    started = executions(engine)
    body: Any = (
        submission() if (method, path) == ("POST", "/v1/assets") else ({} if method in ("POST", "PATCH") else None)
    )

    response = engine.api(method, concrete(path), body, caller)

    assert response["statusCode"] == 401, response
    error = problem_of(response, 401)
    assert error["code"] == "unauthorized"
    assert everything(engine) == before
    assert executions(engine) == started
