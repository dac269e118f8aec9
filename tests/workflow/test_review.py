"""The human review loop through the real ASL: each decision, the round limit, expiry, races, isolation."""

from __future__ import annotations

import hashlib
import threading
from typing import Any

import pytest

from tests.helpers import ORG, OTHER_ORG, body_of, claims
from tests.workflow.review_helpers import (
    decide,
    event_queue,
    finish,
    noncompliant,
    provenance_record,
    received_events,
    request_record,
    reviewer,
    states_entered,
    stored,
    submit,
    versions,
    wait_for_review,
)


def seed_kit(engine: Any, sample_kit: dict[str, Any], kit_id: str, **review: Any) -> None:
    engine.seed_brand_kit(ORG, {**sample_kit, "kitId": kit_id, "review": review})


def test_failed_lint_waits_for_a_review_holding_the_token(engine: Any) -> None:
    observed = event_queue(engine)
    request_id = submit(engine, noncompliant())
    record = wait_for_review(engine, request_id)
    review_id = record["review"]["reviewId"]

    listed = body_of(engine.api("GET", "/v1/reviews?status=pending", None, reviewer()))["items"]
    assert [r["reviewId"] for r in listed] == [review_id]
    review = body_of(engine.api("GET", f"/v1/reviews/{review_id}", None, reviewer()))
    assert review["status"] == "pending"
    assert review["requestId"] == request_id
    assert review["version"] == 1
    assert {v["ruleId"] for v in review["violations"]} >= {"legal.banned-term"}
    assert review["suggestions"], "the linter's suggestions travel with the review"
    assert review["preview"]["key"].startswith(f"staging/{ORG}/{request_id}/")
    assert review["preview"]["url"].startswith("https://")
    assert review["regenerationsLeft"] == 2
    assert "taskToken" not in review
    assert "taskToken" not in str(listed)

    from flashfusion.wiring import get_deps

    token = get_deps().reviews.token(ORG, review_id)
    history = engine.history(engine.execution_arn(request_id))
    scheduled = [e for e in history if e["type"] == "TaskScheduled"]
    assert scheduled
    assert token in scheduled[-1]["taskScheduledEventDetails"]["parameters"]
    kinds = [e["detail-type"] for e in received_events(engine, observed)]
    assert "AssetReviewRequested" in kinds


def test_approve_as_is_saves_the_version_with_the_decision(engine: Any) -> None:
    request_id = submit(engine, noncompliant())
    review_id = wait_for_review(engine, request_id)["review"]["reviewId"]

    answer = decide(engine, review_id, {"decision": "approve", "comment": "legal signed it off"})
    assert answer["statusCode"] == 200, answer
    assert body_of(answer)["status"] == "decided"
    finish(engine, request_id)

    states = states_entered(engine, request_id)
    assert states[-7:] == [
        "RequestReview",
        "ReviewDecided",
        "SaveAsset",
        "HasCampaign",
        "HasLocales",
        "WantsPosts",
        "Succeeded",
    ]
    record = request_record(engine, request_id)
    assert record["status"] == "succeeded"
    record_ = provenance_record(record["asset"]["assetId"], 1)
    assert (record_["decision"], record_["reviewer"], record_["reviewComment"]) == (
        "approve",
        "rita",
        "legal signed it off",
    )
    assert record_["lintPassed"] is False
    assert record_["status"] == "published"
    assert record_["lintResults"]["legal.banned-term"] is False


def test_approve_with_edited_text_publishes_a_human_edited_child(engine: Any) -> None:
    request_id = submit(engine, noncompliant())
    review_id = wait_for_review(engine, request_id)["review"]["reviewId"]
    edited = "Meet Aurora. Our jackets keep you warm and dry on every trail. Find out more on our website."

    assert decide(engine, review_id, {"decision": "approve_with_edits", "editedText": edited})["statusCode"] == 200
    finish(engine, request_id)

    record = request_record(engine, request_id)
    asset = record["asset"]
    assert record["status"] == "succeeded"
    assert asset["version"] == 2
    assert stored(asset["key"]).decode("utf-8") == edited
    child, parent = provenance_record(asset["assetId"], 2), provenance_record(asset["assetId"], 1)
    assert child["humanEdited"] is True
    assert child["decision"] == "approve_with_edits"
    assert (child["parentAssetId"], child["parentVersion"]) == (asset["assetId"], 1)
    assert child["outputHash"] == hashlib.sha256(edited.encode()).hexdigest()
    assert parent["status"] == "superseded"
    assert parent["humanEdited"] is False
    assert [(v["version"], v["status"]) for v in versions(engine, asset["assetId"])] == [
        (1, "superseded"),
        (2, "published"),
    ]
    assert "LintEdited" in states_entered(engine, request_id)


def test_approve_with_an_uploaded_replacement_file(engine: Any) -> None:
    request_id = submit(engine, noncompliant())
    review_id = wait_for_review(engine, request_id)["review"]["reviewId"]
    ticket = engine.api("POST", f"/v1/reviews/{review_id}/uploads", {"mimeType": "text/plain"}, reviewer())
    assert ticket["statusCode"] == 201, ticket
    upload = body_of(ticket)
    assert upload["method"] == "PUT"
    assert upload["url"].startswith("https://")

    missing = decide(engine, review_id, {"decision": "approve_with_edits", "replacementUploadId": upload["uploadId"]})
    assert missing["statusCode"] == 400  # nothing uploaded yet: refused, the review stays pending

    replacement = b"Aurora jackets: warm, dry and made to last. Find out more on our website.\n"
    from flashfusion.storage import keys
    from flashfusion.wiring import get_deps

    deps = get_deps()
    key = keys.review_upload_key("staging", ORG, request_id, review_id, upload["uploadId"], "txt")
    deps.assets.s3.put_object(Bucket=deps.assets.bucket, Key=key, Body=replacement, ContentType="text/plain")
    answer = decide(engine, review_id, {"decision": "approve_with_edits", "replacementUploadId": upload["uploadId"]})
    assert answer["statusCode"] == 200, answer
    finish(engine, request_id)
    asset = request_record(engine, request_id)["asset"]
    assert stored(asset["key"]) == replacement
    assert provenance_record(asset["assetId"], 2)["humanEdited"] is True


def test_regenerate_adds_feedback_to_the_prompt_and_starts_a_new_round(engine: Any) -> None:
    request_id = submit(engine, noncompliant())
    first = wait_for_review(engine, request_id)["review"]["reviewId"]
    feedback = "Drop the guarantee and the miracle; talk about warmth instead"
    assert decide(engine, first, {"decision": "regenerate", "feedback": feedback})["statusCode"] == 200

    second = wait_for_review(engine, request_id, round_=1)["review"]["reviewId"]
    assert second != first
    review = body_of(engine.api("GET", f"/v1/reviews/{second}", None, reviewer()))
    assert feedback in review["prompt"]
    assert review["round"] == 1
    assert review["regenerationsLeft"] == 1
    assert decide(engine, second, {"decision": "approve"})["statusCode"] == 200
    finish(engine, request_id)

    states = states_entered(engine, request_id)
    assert states.count("RouteModel") == 2
    assert states.count("RequestReview") == 2
    asset = request_record(engine, request_id)["asset"]
    v1, v2 = provenance_record(asset["assetId"], 1), provenance_record(asset["assetId"], 2)
    assert (v1["status"], v1["decision"]) == ("superseded", "regenerate")
    assert (v2["status"], v2["decision"], v2["parentVersion"], v2["reviewRound"]) == ("published", "approve", 1, 1)
    assert v2["feedback"] == [feedback]
    assert v2["promptHash"] != v1["promptHash"]  # the model was given the feedback
    assert v2["humanEdited"] is False


def test_regeneration_rounds_are_bounded_by_the_kit(engine: Any, sample_kit: dict[str, Any]) -> None:
    seed_kit(engine, sample_kit, "aurora-once", maxRegenerations=1)
    request_id = submit(engine, noncompliant(brandKitId="aurora-once"))
    first = wait_for_review(engine, request_id)["review"]["reviewId"]
    assert decide(engine, first, {"decision": "regenerate", "feedback": "softer"})["statusCode"] == 200
    second = wait_for_review(engine, request_id, round_=1)["review"]["reviewId"]

    refused = decide(engine, second, {"decision": "regenerate", "feedback": "again"})
    assert refused["statusCode"] == 409
    assert body_of(refused)["code"] == "regeneration_limit_reached"
    assert decide(engine, second, {"decision": "reject", "comment": "off brand"})["statusCode"] == 200
    finish(engine, request_id)
    assert states_entered(engine, request_id)[-1] == "Rejected"
    assert request_record(engine, request_id)["status"] == "rejected"


def test_reject_publishes_nothing_but_keeps_the_version_for_the_audit(engine: Any) -> None:
    request_id = submit(engine, noncompliant())
    review_id = wait_for_review(engine, request_id)["review"]["reviewId"]
    assert decide(engine, review_id, {"decision": "reject", "comment": "not for us"})["statusCode"] == 200
    finish(engine, request_id)

    record = request_record(engine, request_id)
    assert record["status"] == "rejected"
    assert record.get("asset") is None
    assert states_entered(engine, request_id)[-3:] == ["SaveReviewedVersion", "AfterReview", "Rejected"]
    from tests.workflow.review_helpers import provenance_record as prov

    asset_id = body_of(engine.api("GET", f"/v1/reviews/{review_id}", None, reviewer()))["assetId"]
    assert (prov(asset_id, 1)["status"], prov(asset_id, 1)["decision"]) == ("rejected", "reject")
    again = decide(engine, review_id, {"decision": "approve"})
    assert again["statusCode"] == 409
    assert body_of(again)["code"] == "review_decided"


def test_an_abandoned_review_expires_cleanly(engine: Any, sample_kit: dict[str, Any]) -> None:
    seed_kit(engine, sample_kit, "aurora-hurry", timeoutSeconds=1, heartbeatSeconds=1)
    observed = event_queue(engine)
    request_id = submit(engine, noncompliant(brandKitId="aurora-hurry"))
    finish(engine, request_id)

    assert (
        states_entered(engine, request_id)[-4:]
        == [
            "RequestReview",
            "ExpireReview",
            "SaveReviewedVersion",
            "AfterReview",
        ]
        or states_entered(engine, request_id)[-1] == "ReviewExpired"
    )
    record = request_record(engine, request_id)
    assert record["status"] == "review_expired"
    assert record["review"]["status"] == "expired"
    review_id = record["review"]["reviewId"]
    late = decide(engine, review_id, {"decision": "approve"})
    assert late["statusCode"] == 409
    assert body_of(late)["code"] == "review_expired"
    assert "AssetReviewExpired" in [e["detail-type"] for e in received_events(engine, observed)]


def test_two_decisions_racing_resume_the_workflow_once(engine: Any) -> None:
    request_id = submit(engine, noncompliant())
    review_id = wait_for_review(engine, request_id)["review"]["reviewId"]
    answers: list[dict[str, Any]] = []
    gate = threading.Barrier(2)

    def one(decision: dict[str, Any]) -> None:
        gate.wait(timeout=10)
        answers.append(decide(engine, review_id, decision))

    threads = [
        threading.Thread(target=one, args=({"decision": "approve"},)),
        threading.Thread(target=one, args=({"decision": "reject"},)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    finish(engine, request_id)

    assert sorted(a["statusCode"] for a in answers) == [200, 409]
    history = engine.history(engine.execution_arn(request_id))
    assert sum(e["type"] == "TaskSucceeded" for e in history) == 1
    winner = body_of(next(a for a in answers if a["statusCode"] == 200))["decision"]
    assert request_record(engine, request_id)["status"] == ("succeeded" if winner == "approve" else "rejected")


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ({**claims(OTHER_ORG, "gina"), "cognito:groups": "[reviewers]"}, 404),  # another organisation
        (claims(ORG, "sam"), 403),  # same organisation, not a reviewer
    ],
)
def test_only_a_reviewer_of_the_same_organisation_decides(engine: Any, who: dict[str, Any], status: int) -> None:
    request_id = submit(engine, noncompliant())
    review_id = wait_for_review(engine, request_id)["review"]["reviewId"]
    assert decide(engine, review_id, {"decision": "approve"}, who)["statusCode"] == status
    assert request_record(engine, request_id)["review"]["status"] == "pending"
    assert decide(engine, review_id, {"decision": "reject"})["statusCode"] == 200
    finish(engine, request_id)


@pytest.mark.parametrize(
    ("decision", "field"),
    [
        ({"decision": "maybe"}, "decision"),
        ({"decision": "regenerate"}, "body"),
        ({"decision": "approve_with_edits"}, "body"),
        ({"decision": "approve", "editedText": "x"}, "body"),
    ],
)
def test_malformed_decisions_are_refused_and_the_review_stays_open(
    engine: Any, decision: dict[str, Any], field: str
) -> None:
    request_id = submit(engine, noncompliant())
    review_id = wait_for_review(engine, request_id)["review"]["reviewId"]
    answer = decide(engine, review_id, decision)
    assert answer["statusCode"] == 400, answer
    assert body_of(answer)["errors"][0]["field"] == field
    assert request_record(engine, request_id)["review"]["status"] == "pending"
    assert decide(engine, review_id, {"decision": "reject"})["statusCode"] == 200
    finish(engine, request_id)


def test_feedback_that_names_the_terms_gives_a_compliant_regeneration(engine: Any) -> None:
    request_id = submit(engine, noncompliant())
    review_id = wait_for_review(engine, request_id)["review"]["reviewId"]
    feedback = 'Remove "guaranteed", "miracle" and "risk-free"; talk about warmth'
    assert decide(engine, review_id, {"decision": "regenerate", "feedback": feedback})["statusCode"] == 200
    finish(engine, request_id)

    states = states_entered(engine, request_id)
    assert states.count("RequestReview") == 1  # the second round passed lint: nobody had to look again
    record = request_record(engine, request_id)
    assert record["status"] == "succeeded"
    asset = record["asset"]
    text = stored(asset["key"]).decode("utf-8").lower()
    assert not any(term in text for term in ("guaranteed", "miracle", "risk-free"))
    assert "reviewer feedback" not in text  # the feedback steers the model; it is not copy
    v2 = provenance_record(asset["assetId"], 2)
    assert (v2["lintPassed"], v2["parentVersion"], v2["feedback"], v2.get("decision")) == (True, 1, [feedback], None)
