"""Approval policies: a brand kit's ``review.approvals`` needs approvals in order, each by a member of the step's
group who is neither the requester nor an earlier approver; only the last approval resumes the workflow;
reject or regenerate at any step ends it; two deciders racing on one step: one wins, the other gets a 409."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from tests.helpers import ORG, OTHER_ORG, body_of, claims
from tests.workflow.review_helpers import (
    decide,
    finish,
    noncompliant,
    provenance_record,
    request_record,
    reviewer,
    wait_for_review,
)

KIT = "aurora-two-step"
STEPS = [{"group": "brand", "label": "Brand"}, {"group": "legal", "label": "Legal sign-off"}]


def member(user: str, *groups: str) -> dict[str, Any]:
    return {**claims(ORG, user), "cognito:groups": f"[{' '.join(groups)}]"}


@pytest.fixture
def two_steps(engine: Any, sample_kit: dict[str, Any]) -> Any:
    engine.seed_brand_kit(ORG, {**sample_kit, "kitId": KIT, "review": {"approvals": STEPS}})
    return engine


def open_review(engine: Any, requester: dict[str, Any] | None = None) -> tuple[str, str]:
    response = engine.api("POST", "/v1/assets", noncompliant(brandKitId=KIT), requester or claims())
    assert response["statusCode"] == 202, response
    request_id = str(body_of(response)["requestId"])
    return request_id, str(wait_for_review(engine, request_id)["review"]["reviewId"])


def review_of(engine: Any, review_id: str) -> dict[str, Any]:
    response = engine.api("GET", f"/v1/reviews/{review_id}", None, reviewer())
    assert response["statusCode"] == 200, response
    found: dict[str, Any] = body_of(response)
    return found


def running(engine: Any, request_id: str) -> bool:
    arn = engine.execution_arn(request_id)
    return bool(engine.client("stepfunctions").describe_execution(executionArn=arn)["status"] == "RUNNING")


def test_two_approvals_in_order_then_the_workflow_resumes(two_steps: Any) -> None:
    engine = two_steps
    request_id, review_id = open_review(engine)
    review = review_of(engine, review_id)
    assert [s["group"] for s in review["approvalSteps"]] == ["brand", "legal"]
    assert review["approvals"] == []
    assert review["nextApproval"] == {"step": 0, "group": "brand", "label": "Brand"}
    assert review["requestedBy"] == "user-1"

    approve = {"decision": "approve"}
    for wrong in (member("lee", "legal"), reviewer()):  # legal before brand; a reviewer of no step's group
        refused = decide(engine, review_id, approve, wrong)
        assert refused["statusCode"] == 403, refused
    assert (
        decide(engine, review_id, {"decision": "approve_with_edits", "editedText": "x"}, member("bo", "brand"))[
            "statusCode"
        ]
        == 400
    )  # edits belong to the last step

    first = decide(engine, review_id, approve, member("bo", "brand", "legal"))
    assert first["statusCode"] == 200, first
    after_first = body_of(first)
    assert after_first["status"] == "pending"
    assert [(a["step"], a["group"], a["by"]) for a in after_first["approvals"]] == [(0, "brand", "bo")]
    assert after_first["nextApproval"]["group"] == "legal"
    assert running(engine, request_id)  # the workflow keeps waiting
    assert request_record(engine, request_id)["status"] == "needs_review"

    again = decide(engine, review_id, approve, member("bo", "brand", "legal"))
    assert again["statusCode"] == 403  # one person, one step
    late = decide(engine, review_id, approve, member("bea", "brand"))
    assert late["statusCode"] == 409  # brand is done: bea lost the race to bo, and is told so
    assert body_of(late)["code"] == "review_raced"
    assert "bo" in body_of(late)["detail"]
    stale = decide(engine, review_id, {**approve, "step": 0}, member("lee", "legal"))
    assert stale["statusCode"] == 409  # sent for the brand step, which is done

    last = decide(engine, review_id, {**approve, "comment": "cleared"}, member("lee", "legal"))
    assert last["statusCode"] == 200, last
    finish(engine, request_id)
    decided = review_of(engine, review_id)
    assert (decided["status"], decided["decision"], decided["reviewer"]) == ("decided", "approve", "lee")
    assert [(a["group"], a["by"]) for a in decided["approvals"]] == [("brand", "bo"), ("legal", "lee")]
    assert all(a["at"] for a in decided["approvals"])
    assert "nextApproval" not in decided
    assert request_record(engine, request_id)["status"] == "succeeded"
    assert provenance_record(decided["assetId"], 1)["reviewer"] == "lee"


def test_nobody_approves_their_own_request_and_a_reject_ends_it_at_any_step(two_steps: Any) -> None:
    engine = two_steps
    bea = member("bea", "brand")
    request_id, review_id = open_review(engine, requester=bea)
    refused = decide(engine, review_id, {"decision": "approve"}, bea)
    assert refused["statusCode"] == 403
    assert "own request" in body_of(refused)["detail"]
    own_link = engine.api("POST", f"/v1/reviews/{review_id}/links", {"expiresInHours": 1}, bea)
    assert own_link["statusCode"] == 403  # nor through a link sent to oneself
    outsider = {**claims(OTHER_ORG, "gina"), "cognito:groups": "[brand legal reviewers]"}
    assert decide(engine, review_id, {"decision": "approve"}, outsider)["statusCode"] == 404
    assert review_of(engine, review_id)["approvals"] == []

    ended = decide(engine, review_id, {"decision": "reject", "comment": "off brand"}, member("ben", "brand"))
    assert ended["statusCode"] == 200, ended
    finish(engine, request_id)
    assert request_record(engine, request_id)["status"] == "rejected"
    assert review_of(engine, review_id)["decision"] == "reject"


def test_two_deciders_racing_on_one_step_one_wins_the_other_gets_409(two_steps: Any, item_atomic_moto: None) -> None:
    engine = two_steps
    request_id, review_id = open_review(engine)
    answers: list[dict[str, Any]] = []
    gate = threading.Barrier(2)

    def one(who: dict[str, Any]) -> None:
        gate.wait(timeout=10)
        answers.append(decide(engine, review_id, {"decision": "approve"}, who))

    threads = [threading.Thread(target=one, args=(member(user, "brand"),)) for user in ("bea", "ben")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(a["statusCode"] for a in answers) == [200, 409], answers
    lost = body_of(next(a for a in answers if a["statusCode"] == 409))
    assert lost["code"] == "review_raced"
    review = review_of(engine, review_id)
    assert len(review["approvals"]) == 1
    assert (
        review["approvals"][0]["by"]
        == body_of(next(a for a in answers if a["statusCode"] == 200))["approvals"][0]["by"]
    )
    assert running(engine, request_id)

    assert decide(engine, review_id, {"decision": "reject"}, member("lee", "legal"))["statusCode"] == 200
    finish(engine, request_id)


def test_an_outside_link_counts_for_the_step_it_was_made_for(two_steps: Any) -> None:
    engine = two_steps
    request_id, review_id = open_review(engine)
    assert engine.api("POST", f"/v1/reviews/{review_id}/links", {"expiresInHours": 4}, reviewer())["statusCode"] == 403
    made = engine.api("POST", f"/v1/reviews/{review_id}/links", {"expiresInHours": 4}, member("bea", "brand"))
    assert made["statusCode"] == 201, made
    link = body_of(made)
    assert (link["step"], link["group"]) == (0, "brand")

    approved = engine.api(
        "POST", f"/v1/shared-reviews/{link['token']}/decision", {"decision": "approve", "name": "Agency"}, None
    )
    assert approved["statusCode"] == 200, approved
    review = review_of(engine, review_id)
    assert [(a["by"], a.get("linkId")) for a in review["approvals"]] == [("Agency", link["linkId"])]
    assert review["nextApproval"]["group"] == "legal"

    at_legal = engine.api(
        "POST", f"/v1/shared-reviews/{link['token']}/decision", {"decision": "approve", "name": "Agency"}, None
    )
    assert at_legal["statusCode"] == 403  # made for the brand step only
    assert decide(engine, review_id, {"decision": "approve"}, member("lee", "legal"))["statusCode"] == 200
    finish(engine, request_id)
    assert request_record(engine, request_id)["status"] == "succeeded"
