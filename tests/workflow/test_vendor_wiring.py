"""A real vendor adapter inside the workflow: key from Secrets Manager, vendor errors, usage as cost.

The vendor's HTTP API is replaced by respx with its documented shapes; everything else is the same
code a deployment runs (registry, Powertools parameters over Secrets Manager, Retry/Catch by name).
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import respx

from flashfusion.routing import pricing
from tests.helpers import ORG, body_of, claims, submission
from tests.unit.providers.test_openai import response_body

KEY = "sk-test-wiring-0123456789"
PREFIX = "ffo/test/providers"


@pytest.fixture
def vendor_engine(fresh_engine: Any, sample_kit: dict[str, Any]) -> Any:
    engine = fresh_engine
    engine.configure(env={"ENABLED_PROVIDERS": "openai,local", "PROVIDER_SECRETS_PREFIX": PREFIX})
    engine.seed_brand_kit(ORG, sample_kit)
    engine.client("secretsmanager").create_secret(Name=f"{PREFIX}/openai", SecretString=json.dumps({"apiKey": KEY}))
    return engine


def run(engine: Any, body: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    response = engine.api("POST", "/v1/assets", body, claims())
    assert response["statusCode"] == 202, response
    request_id = body_of(response)["requestId"]
    return request_id, engine.wait_for_execution(engine.execution_arn(request_id))


def provenance_of(engine: Any, request_id: str) -> dict[str, Any]:
    from flashfusion.wiring import get_deps

    asset = body_of(engine.api("GET", f"/v1/requests/{request_id}", None, claims()))["asset"]
    result: dict[str, Any] = get_deps().provenance.get(ORG, asset["assetId"], asset["version"]).to_json()
    return result


def test_vendor_text_is_generated_priced_and_settled(vendor_engine: Any) -> None:
    with respx.mock(base_url="https://api.openai.com/v1", assert_all_called=True) as api:
        call = api.post("/responses").mock(return_value=httpx.Response(200, json=response_body(usage=(900, 200))))
        request_id, execution = run(vendor_engine, submission())

    assert execution["status"] == "SUCCEEDED"
    sent = call.calls.last.request
    assert sent.headers["authorization"] == f"Bearer {KEY}"
    assert json.loads(sent.content)["model"] == "gpt-5-mini"
    record = provenance_of(vendor_engine, request_id)
    assert record["model"] == "openai/gpt-5-mini"
    assert record["offline"] is False
    from flashfusion.wiring import get_deps

    spec = get_deps().matrix.get("openai/gpt-5-mini")
    expected = pricing.cost_of(spec, {"inputTokens": 900, "outputTokens": 200})
    assert record["cost"]["usd"] == pytest.approx(expected)
    assert get_deps().budgets.status(ORG).spent_usd == pytest.approx(expected)
    for invocation in vendor_engine.invocations:
        assert KEY not in invocation.logs


def test_vendor_throttling_is_retried_with_the_vendors_errors(vendor_engine: Any) -> None:
    limited = httpx.Response(
        429,
        headers={"retry-after": "3"},
        json={
            "error": {"message": "Rate limit reached", "type": "requests", "param": None, "code": "rate_limit_exceeded"}
        },
    )
    with respx.mock(base_url="https://api.openai.com/v1") as api:
        api.post("/responses").mock(side_effect=[limited, limited, httpx.Response(200, json=response_body())])
        request_id, execution = run(vendor_engine, submission())

    assert execution["status"] == "SUCCEEDED"
    assert len(vendor_engine.sleeps.retries) == 2
    attempts = provenance_of(vendor_engine, request_id)["attempts"]
    assert [(a["model"], a["outcome"], a.get("error")) for a in attempts] == [
        ("openai/gpt-5-mini", "failed", "ProviderThrottled"),
        ("openai/gpt-5-mini", "failed", "ProviderThrottled"),
        ("openai/gpt-5-mini", "succeeded", None),
    ]


def test_a_refused_key_falls_back_to_the_next_model_without_retrying(vendor_engine: Any) -> None:
    refused = httpx.Response(
        401,
        json={"error": {"message": f"Incorrect API key provided: {KEY}.", "type": "invalid_request_error",
                        "param": None, "code": "invalid_api_key"}},
    )  # fmt: skip
    with respx.mock(base_url="https://api.openai.com/v1") as api:
        api.post("/responses").mock(return_value=refused)
        request_id, execution = run(vendor_engine, submission())

    assert execution["status"] == "SUCCEEDED"
    assert vendor_engine.sleeps.retries == []
    output = json.loads(execution["output"])
    assert output["route"]["failed"][0]["error"] == "ProviderAuthError"
    assert KEY not in output["route"]["failed"][0]["message"]
    record = provenance_of(vendor_engine, request_id)
    assert record["fallbackChain"][0] == "openai/gpt-5-mini"
    refusal = record["attempts"][0]
    assert (refusal["error"], refusal["outcome"]) == ("ProviderAuthError", "failed")
    assert "Incorrect API key provided" in refusal["message"]
    assert KEY not in refusal["message"]
    assert record["model"] == record["fallbackChain"][-1] != "openai/gpt-5-mini"
