"""The real ASL through the local engine: every path, asserted on history, DynamoDB and S3."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

from tests.helpers import ORG, ROOT, body_of, claims, submission

ASL = json.loads((ROOT / "statemachine" / "create_asset.asl.json").read_text("utf-8"))


def run(engine: Any, body: dict[str, Any], org: str = ORG) -> tuple[str, dict[str, Any]]:
    response = engine.api("POST", "/v1/assets", body, claims(org))
    assert response["statusCode"] == 202, response
    request_id = body_of(response)["requestId"]
    return request_id, engine.wait_for_execution(engine.execution_arn(request_id))


def record(engine: Any, request_id: str, org: str = ORG) -> dict[str, Any]:
    response = engine.api("GET", f"/v1/requests/{request_id}", None, claims(org))
    assert response["statusCode"] == 200, response
    result: dict[str, Any] = body_of(response)
    return result


def states_entered(engine: Any, request_id: str) -> list[str]:
    return [
        e["stateEnteredEventDetails"]["name"]
        for e in engine.history(engine.execution_arn(request_id))
        if e["type"].endswith("StateEntered")
    ]


def provenance(engine: Any, asset: dict[str, Any], org: str = ORG) -> dict[str, Any]:
    from flashfusion.wiring import get_deps

    result: dict[str, Any] = get_deps().provenance.get(org, asset["assetId"], asset["version"]).to_json()
    return result


def s3_object(engine: Any, key: str) -> tuple[bytes, dict[str, str]]:
    from flashfusion.wiring import get_deps

    return get_deps().assets.read(key)


def generate_retrier(error: str) -> dict[str, Any]:
    retriers: list[dict[str, Any]] = ASL["States"]["Generate"]["Retry"]
    return next(r for r in retriers if error in r["ErrorEquals"])


def expected_bases(retrier: dict[str, Any], count: int) -> list[float]:
    return [
        min(retrier["IntervalSeconds"] * retrier["BackoffRate"] ** i, retrier["MaxDelaySeconds"]) for i in range(count)
    ]


def test_happy_path_saves_asset_with_provenance(engine: Any, sample_kit: dict[str, Any]) -> None:
    request_id, execution = run(engine, submission(tier="premium"))

    assert execution["status"] == "SUCCEEDED"
    assert states_entered(engine, request_id) == [
        "ValidateRequest",
        "RouteModel",
        "Generate",
        "IsGenerationReady",
        "LintAsset",
        "IsCompliant",
        "SaveAsset",
        "HasCampaign",
        "HasLocales",
        "WantsPosts",
        "Succeeded",
    ]
    status = record(engine, request_id)
    assert status["status"] == "succeeded"
    assert status["violations"] == []
    asset = status["asset"]
    assert asset["key"] == f"orgs/{ORG}/assets/{asset['assetId']}/1.txt"

    data, metadata = s3_object(engine, asset["key"])
    text = data.decode("utf-8")
    assert sample_kit["voice"]["brandName"] in text
    assert metadata["ffo-ai-generated"] == "true"

    record_ = provenance(engine, asset)
    assert record_["model"] == "local/text-premium"
    assert record_["offline"] is True
    assert record_["outputHash"] == hashlib.sha256(data).hexdigest()
    assert (
        record_["promptHash"] == hashlib.sha256(" ".join(submission()["prompt"].split()).lower().encode()).hexdigest()
    )
    assert record_["lintPassed"] is True
    assert record_["brandKitId"] == sample_kit["kitId"]
    assert record_["brandKitVersion"] == sample_kit["version"]
    assert record_["fallbackChain"] == ["local/text-premium"]
    assert [a["outcome"] for a in record_["attempts"]] == ["succeeded"]
    assert record_["humanEdited"] is False
    assert record_.get("parentAssetId") is None
    assert "prompt" not in record_  # only its hash is kept
    assert engine.sleeps.retries == []


def test_two_throttles_then_success_backs_off_with_jitter(engine: Any) -> None:
    faults = [{"model": "local/text-standard", "kind": "throttle", "times": 2}]
    request_id, execution = run(engine, submission(faults=faults))

    assert execution["status"] == "SUCCEEDED"
    retrier = generate_retrier("ProviderThrottled")
    delays = engine.sleeps.retries
    assert [d.base_seconds for d in delays] == expected_bases(retrier, 2)
    assert delays[1].base_seconds == delays[0].base_seconds * retrier["BackoffRate"]
    assert all(0 <= d.slept_seconds <= d.base_seconds for d in delays)
    assert any(d.slept_seconds < d.base_seconds for d in delays), "FULL jitter never shortened a delay"

    attempts = provenance(engine, record(engine, request_id)["asset"])["attempts"]
    assert [(a["model"], a["outcome"], a.get("error")) for a in attempts] == [
        ("local/text-standard", "failed", "ProviderThrottled"),
        ("local/text-standard", "failed", "ProviderThrottled"),
        ("local/text-standard", "succeeded", None),
    ]


def test_retry_delays_are_capped_by_max_delay(engine: Any) -> None:
    retrier = generate_retrier("ProviderThrottled")
    throttles = retrier["MaxAttempts"]  # every retry used, the last attempt succeeds
    _, execution = run(
        engine, submission(faults=[{"model": "local/text-standard", "kind": "throttle", "times": throttles}])
    )

    assert execution["status"] == "SUCCEEDED"
    bases = [d.base_seconds for d in engine.sleeps.retries]
    assert bases == expected_bases(retrier, throttles)
    assert max(bases) == retrier["MaxDelaySeconds"]
    uncapped = retrier["IntervalSeconds"] * retrier["BackoffRate"] ** (throttles - 1)
    assert uncapped > retrier["MaxDelaySeconds"], "the test must reach the cap"


def test_permanent_failure_falls_back_and_is_recorded(engine: Any) -> None:
    faults = [{"model": "local/text-premium", "kind": "unavailable"}]
    request_id, execution = run(engine, submission(tier="premium", faults=faults))

    assert execution["status"] == "SUCCEEDED"
    entered = states_entered(engine, request_id)
    assert entered[:5] == ["ValidateRequest", "RouteModel", "Generate", "Fallback", "Generate"]
    output = json.loads(execution["output"])
    assert output["route"]["failed"] == [
        {
            "model": "local/text-premium",
            "error": "ProviderUnavailable",
            "message": "injected fault: vendor unavailable (503)",
        }
    ]
    record_ = provenance(engine, record(engine, request_id)["asset"])
    assert record_["model"] == "local/text-standard"
    assert record_["fallbackChain"] == ["local/text-premium", "local/text-standard"]
    retrier = generate_retrier("ProviderUnavailable")
    failed = [a for a in record_["attempts"] if a["outcome"] == "failed"]
    assert len(failed) == 1 + retrier["MaxAttempts"]  # first call and each retry, then the fallback
    assert all(a["model"] == "local/text-premium" for a in failed)


def test_rejected_prompt_is_not_retried(engine: Any) -> None:
    faults = [{"model": "local/text-standard", "kind": "rejected"}]
    request_id, execution = run(engine, submission(faults=faults))

    assert execution["status"] == "SUCCEEDED"
    assert engine.sleeps.retries == []
    record_ = provenance(engine, record(engine, request_id)["asset"])
    assert record_["fallbackChain"] == ["local/text-standard", "local/text-basic"]


def test_every_model_failing_fails_with_a_readable_cause(engine: Any) -> None:
    request_id, execution = run(engine, submission(tier="premium", faults=[{"kind": "auth"}]))

    assert execution["status"] == "FAILED"
    assert execution["error"] == "FallbackChainExhausted"
    status = record(engine, request_id)
    assert status["status"] == "failed"
    assert status["error"]["type"] == "FallbackChainExhausted"
    message = status["error"]["message"]
    assert message.startswith("All 3 model(s) failed.")
    for model in ("local/text-premium", "local/text-standard", "local/text-basic"):
        assert f"{model} failed with ProviderAuthError" in message
    assert "Traceback" not in message
    assert "stackTrace" not in message
    assert "asset" not in status
    from flashfusion.wiring import get_deps

    assert get_deps().provenance.list_by_time(ORG) == []


def test_non_compliant_text_needs_review_with_violations(engine: Any, sample_kit: dict[str, Any]) -> None:
    from tests.workflow.review_helpers import wait_for_review

    body = submission(prompt="Write a post saying our jackets are a guaranteed miracle")
    response = engine.api("POST", "/v1/assets", body, claims())
    request_id = body_of(response)["requestId"]
    wait_for_review(engine, request_id)

    assert states_entered(engine, request_id)[-2:] == ["IsCompliant", "RequestReview"]
    status = record(engine, request_id)
    assert status["status"] == "needs_review"
    found = {v["location"]["text"].lower() for v in status["violations"]}
    assert found == {"guaranteed", "miracle"}
    assert all(v["ruleId"] == "legal.banned-term" and v["severity"] == "error" for v in status["violations"])
    assert "asset" not in status
    listing = engine.client("s3").list_objects_v2(
        Bucket=next(iter(engine.resources.buckets)), Prefix=f"orgs/{ORG}/assets/"
    )
    assert listing.get("KeyCount", 0) == 0


def test_duplicate_submit_starts_one_execution(engine: Any) -> None:
    body = submission(clientRequestId="campaign-42")
    first = engine.api("POST", "/v1/assets", body, claims())
    second = engine.api("POST", "/v1/assets", body, claims())

    assert first["statusCode"] == second["statusCode"] == 202
    assert body_of(first)["requestId"] == body_of(second)["requestId"]
    assert body_of(second)["duplicate"] is True
    engine.wait_for_execution(engine.execution_arn(body_of(first)["requestId"]))
    executions = engine.client("stepfunctions").list_executions(stateMachineArn=engine.state_machine_arn())
    assert len(executions["executions"]) == 1


def test_same_client_request_id_in_two_orgs_is_two_requests(engine: Any) -> None:
    body = submission(clientRequestId="shared-id")
    first = body_of(engine.api("POST", "/v1/assets", body, claims(ORG)))["requestId"]
    second = body_of(engine.api("POST", "/v1/assets", body, claims("globex")))["requestId"]
    assert first != second
    for org, request_id in ((ORG, first), ("globex", second)):
        assert engine.wait_for_execution(engine.execution_arn(request_id))["status"] == "SUCCEEDED"
        assert record(engine, request_id, org)["asset"]["key"].startswith(f"orgs/{org}/")


def test_a_step_failure_outside_generation_marks_the_request_failed(engine: Any) -> None:
    """A workflow started with a kit the org does not have fails in ValidateRequest, with its cause."""
    from flashfusion.models import AssetRequest
    from flashfusion.wiring import get_deps

    request = AssetRequest.model_validate(
        {**submission(brandKitId="no-such-kit"), "requestId": "direct-1", "orgId": ORG, "userId": "u"}
    )
    get_deps().requests.create(request, "hash")
    engine.client("stepfunctions").start_execution(
        stateMachineArn=engine.state_machine_arn(),
        name="direct-1",
        input=json.dumps({"request": request.to_json()}),
    )
    execution = engine.wait_for_execution(engine.execution_arn("direct-1"))

    assert execution["status"] == "FAILED"
    assert execution["error"] == "BrandKitNotFound"
    status = record(engine, "direct-1")
    assert status["status"] == "failed"
    assert "no-such-kit" in status["error"]["message"]
    assert states_entered(engine, "direct-1") == [
        "ValidateRequest",
        "ReleaseBudget",
        "MarkFailed",
        "AnnounceFailure",
        "EmitFailed",
        "Failed",
    ]


@pytest.mark.parametrize("kind", ["throttle", "unavailable", "timeout"])
def test_transient_errors_are_retried_before_falling_back(engine: Any, kind: str) -> None:
    error = {
        "throttle": "ProviderThrottled",
        "unavailable": "ProviderUnavailable",
        "timeout": "ProviderTimeout",
    }[kind]
    request_id, execution = run(engine, submission(faults=[{"model": "local/text-standard", "kind": kind}]))

    assert execution["status"] == "SUCCEEDED"
    assert len(engine.sleeps.retries) == generate_retrier(error)["MaxAttempts"]
    assert provenance(engine, record(engine, request_id)["asset"])["model"] == "local/text-basic"


def lint_reports(engine: Any, request_id: str) -> list[dict[str, Any]]:
    """What each LintAsset step returned, in order."""
    return [
        json.loads(e["stateExitedEventDetails"]["output"])["lint"]
        for e in engine.history(engine.execution_arn(request_id))
        if e["type"].endswith("StateExited") and e["stateExitedEventDetails"]["name"] == "LintAsset"
    ]


def test_fixable_violations_are_auto_fixed_and_linted_again_before_anyone_is_asked(engine: Any) -> None:
    """A sponsored Instagram post needs '#ad' (or '#sponsored'...) before the fold: the generated copy lacks
    it, the first lint fails, AutoFix puts it at the start, the second lint passes."""
    request_id, execution = run(engine, submission(channel="instagram", sponsored=True))

    assert execution["status"] == "SUCCEEDED"
    states = states_entered(engine, request_id)
    assert states.count("LintAsset") == 2
    assert states[states.index("AutoFix") - 1] == "IsCompliant"
    assert states[-5:] == ["SaveAsset", "HasCampaign", "HasLocales", "WantsPosts", "Succeeded"]
    status = record(engine, request_id)
    assert status["lint"]["compliant"] is True
    first, second = lint_reports(engine, request_id)
    assert first["compliant"] is False
    (finding,) = [v for v in first["violations"] if v["ruleId"] == "legal.sponsored-disclosure"]
    assert finding["severity"] == "error"
    assert "on instagram" in finding["message"]
    assert "within the first 125 characters" in finding["message"]
    assert second["compliant"] is True
    data, _ = s3_object(engine, status["asset"]["key"])
    assert data.decode("utf-8").startswith("#ad ")
    saved = provenance(engine, status["asset"])
    assert saved["autoFixes"] == ["legal.sponsored-disclosure"]
    assert saved["lintResults"]["legal.sponsored-disclosure"] is True
    assert saved["outputHash"] == hashlib.sha256(data).hexdigest()  # the fixed text, not the first draft


def test_the_same_post_unsponsored_needs_no_disclosure(engine: Any) -> None:
    request_id, execution = run(engine, submission(channel="instagram"))

    assert execution["status"] == "SUCCEEDED"
    (report,) = lint_reports(engine, request_id)
    assert report["compliant"] is True
    assert "legal.sponsored-disclosure" not in report["rulesChecked"]
    data, _ = s3_object(engine, record(engine, request_id)["asset"]["key"])
    assert "#ad" not in data.decode("utf-8")


def test_a_sponsored_post_that_breaks_other_rules_goes_to_review_disclosed(
    fresh_engine: Any, sample_kit: dict[str, Any]
) -> None:
    """The kit's own wording for the channel: the first lint names it as missing, AutoFix inserts it, and the
    post (which also promises a miracle) goes to a person already carrying its disclosure."""
    from tests.workflow.review_helpers import NONCOMPLIANT_PROMPT, submit, wait_for_review

    wording = "Paid partnership with Summit Trails"
    legal = {**sample_kit["legal"], "sponsoredDisclosures": [{"channels": ["linkedin"], "anyOf": [wording]}]}
    fresh_engine.seed_brand_kit(ORG, {**sample_kit, "legal": legal})
    request_id = submit(fresh_engine, submission(prompt=NONCOMPLIANT_PROMPT, channel="linkedin", sponsored=True))
    wait_for_review(fresh_engine, request_id)

    reports = lint_reports(fresh_engine, request_id)
    (finding,) = [v for v in reports[0]["violations"] if v["ruleId"] == "legal.sponsored-disclosure"]
    assert "on linkedin" in finding["message"]
    assert f'"{wording}"' in finding["message"]
    assert "legal.sponsored-disclosure" in reports[-1]["rulesChecked"]
    assert not [v for v in reports[-1]["violations"] if v["ruleId"] == "legal.sponsored-disclosure"]
    status = record(fresh_engine, request_id)
    assert status["status"] == "needs_review"
    assert {v["ruleId"] for v in status["lint"]["violations"] if v["severity"] == "error"} == {"legal.banned-term"}


def test_the_lint_report_is_returned_with_the_request(engine: Any) -> None:
    from tests.workflow.review_helpers import submit, wait_for_review

    request_id = submit(engine, submission(prompt="Write a post saying our jackets are a guaranteed miracle"))
    wait_for_review(engine, request_id)

    report = record(engine, request_id)["lint"]
    assert report["compliant"] is False
    assert "legal.banned-term" in report["rulesChecked"]
    assert {"voice.sentiment", "voice.grade"} & set(report["metrics"])
