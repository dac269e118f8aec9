"""Outside reviewers: a signed, expiring, revocable link decides one review, through public routes (no JWT);
every token that is not exactly a live link of that review is refused and changes nothing."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ffo.engine import LOCAL_REVIEW_LINK_SECRET
from flashfusion.app import link_tokens, review_links
from tests.helpers import ORG, OTHER_ORG, body_of, claims, submission
from tests.workflow.review_helpers import (
    decide,
    finish,
    noncompliant,
    provenance_record,
    reviewer,
    stored,
    submit,
    wait_for_review,
)

OUTSIDER = {**claims(OTHER_ORG, "gina"), "cognito:groups": "[reviewers]"}
INTERNAL = {"orgId", "requestId", "assetId", "prompt", "requestedBy", "approvals", "createdBy"}


def make_link(engine: Any, review_id: str, who: dict[str, Any] | None = None, **body: Any) -> dict[str, Any]:
    response = engine.api("POST", f"/v1/reviews/{review_id}/links", {"expiresInHours": 24, **body}, who or reviewer())
    assert response["statusCode"] == 201, response
    created: dict[str, Any] = body_of(response)
    return created


def shared(engine: Any, token: str) -> dict[str, Any]:
    return dict(engine.api("GET", f"/v1/shared-reviews/{token}", None, None))


def shared_decide(engine: Any, token: str, body: dict[str, Any]) -> dict[str, Any]:
    return dict(engine.api("POST", f"/v1/shared-reviews/{token}/decision", body, None))


def link_key(engine: Any) -> bytes:
    secret = engine.client("secretsmanager").get_secret_value(SecretId=LOCAL_REVIEW_LINK_SECRET)["SecretString"]
    return str(secret).encode("utf-8")


def review_of(engine: Any, review_id: str) -> dict[str, Any]:
    response = engine.api("GET", f"/v1/reviews/{review_id}", None, claims())
    assert response["statusCode"] == 200, response
    found: dict[str, Any] = body_of(response)
    return found


def test_a_link_lets_an_outside_reviewer_decide_and_names_them(engine: Any) -> None:
    request_id = submit(engine, noncompliant())
    review_id = wait_for_review(engine, request_id)["review"]["reviewId"]
    before = datetime.now(UTC)

    link = make_link(engine, review_id, label="Client legal")
    token = link["token"]
    assert link["url"].endswith(f"/#/shared/{token}")
    assert link["label"] == "Client legal"
    assert link["state"] == "active"
    expires = datetime.fromisoformat(link["expiresAt"])
    assert before + timedelta(hours=23) < expires <= datetime.now(UTC) + timedelta(hours=24)

    seen = shared(engine, token)
    assert seen["statusCode"] == 200, seen
    view = body_of(seen)
    assert view["reviewId"] == review_id
    assert view["status"] == "pending"
    assert view["violations"], view
    assert view["text"]  # a text asset's content, inline
    assert view["preview"]["url"]
    assert view["label"] == "Client legal"
    assert not INTERNAL & set(view), set(view)

    listed = body_of(engine.api("GET", f"/v1/reviews/{review_id}/links", None, reviewer()))["items"]
    assert [(item["linkId"], item["state"]) for item in listed] == [(link["linkId"], "active")]
    assert "token" not in listed[0]  # shown once, when made

    nameless = shared_decide(engine, token, {"decision": "approve"})
    assert nameless["statusCode"] == 400
    decided = shared_decide(engine, token, {"decision": "approve", "name": "  Carla   Client ", "comment": "fine"})
    assert decided["statusCode"] == 200, decided
    assert body_of(decided)["decision"] == "approve"
    finish(engine, request_id)

    review = review_of(engine, review_id)
    assert (review["status"], review["decision"]) == ("decided", "approve")
    assert review["reviewer"] == "Carla Client"
    assert review["reviewerLinkId"] == link["linkId"]
    asset_id = review["assetId"]
    recorded = provenance_record(asset_id, 1)["reviewer"]
    assert "Carla Client" in recorded
    assert link["linkId"] in recorded
    again = shared_decide(engine, token, {"decision": "reject", "name": "Carla"})
    assert again["statusCode"] == 409  # decided once, as a reviewer's decision is
    used = body_of(engine.api("GET", f"/v1/reviews/{review_id}/links", None, reviewer()))["items"][0]
    assert used["usedAt"]


def _forge(payload: dict[str, Any], key: bytes) -> str:
    text = base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode().rstrip("=")
    return f"{text}.{base64.urlsafe_b64encode(link_tokens._mac(key, text)).decode().rstrip('=')}"


def test_expired_revoked_tampered_and_other_reviews_tokens_are_refused(
    engine: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    first_request = submit(engine, noncompliant())
    first = wait_for_review(engine, first_request)["review"]["reviewId"]
    second_request = submit(engine, noncompliant())
    second = wait_for_review(engine, second_request)["review"]["reviewId"]
    link = make_link(engine, first)
    token, key = link["token"], link_key(engine)
    claims_of = link_tokens.verify(key, token)
    assert (claims_of.org_id, claims_of.review_id, claims_of.link_id) == (ORG, first, link["linkId"])
    now = int(datetime.now(UTC).timestamp())

    payload, signature = token.split(".")
    flipped = payload[:-2] + ("A" if payload[-2] != "A" else "B") + payload[-1]
    invalid = {
        "tampered payload": f"{flipped}.{signature}",
        "tampered signature": f"{payload}.{signature[:-2]}{'A' if signature[-2] != 'A' else 'B'}{signature[-1]}",
        "no signature": payload,
        "another key": _forge({"v": 1, "o": ORG, "r": first, "l": link["linkId"], "e": now + 3600}, b"k" * 32),
        # well signed, but the link belongs to the first review: no such link under the second
        "another review": _forge({"v": 1, "o": ORG, "r": second, "l": link["linkId"], "e": now + 3600}, key),
        "another org": _forge({"v": 1, "o": OTHER_ORG, "r": first, "l": link["linkId"], "e": now + 3600}, key),
        "garbage": "not-a-token",
    }
    for name, bad in invalid.items():
        for answer in (shared(engine, bad), shared_decide(engine, bad, {"decision": "approve", "name": "Eve"})):
            assert answer["statusCode"] == 401, (name, answer)
            assert body_of(answer)["code"] == "link_invalid", name

    expired = _forge({"v": 1, "o": ORG, "r": first, "l": link["linkId"], "e": now - 1}, key)
    assert shared(engine, expired)["statusCode"] == 410
    assert body_of(shared_decide(engine, expired, {"decision": "approve", "name": "Eve"}))["code"] == "link_gone"

    later = datetime.now(UTC) + timedelta(hours=25)  # the link was made for 24 hours
    with monkeypatch.context() as patched:
        patched.setattr(review_links, "utcnow", lambda: later)
        assert shared(engine, token)["statusCode"] == 410
    assert shared(engine, token)["statusCode"] == 200

    revoked = make_link(engine, first)
    assert engine.api("DELETE", f"/v1/reviews/{first}/links/{revoked['linkId']}", None, OUTSIDER)["statusCode"] == 404
    assert shared(engine, revoked["token"])["statusCode"] == 200  # another org's revoke changed nothing
    answer = engine.api("DELETE", f"/v1/reviews/{first}/links/{revoked['linkId']}", None, reviewer())
    assert answer["statusCode"] == 200, answer
    assert body_of(answer)["state"] == "revoked"
    assert body_of(answer)["revokedBy"] == "rita"
    eve = {"decision": "reject", "name": "Eve"}
    refusals = (shared(engine, revoked["token"]), shared_decide(engine, revoked["token"], eve))
    for attempt in refusals:
        assert attempt["statusCode"] == 410
        assert body_of(attempt)["code"] == "link_gone"
    assert engine.api("DELETE", f"/v1/reviews/{second}/links/{link['linkId']}", None, reviewer())["statusCode"] == 404

    # nothing any refused token sent was recorded
    for review_id in (first, second):
        review = review_of(engine, review_id)
        assert (review["status"], review.get("decision")) == ("pending", None)
    for request_id, review_id in ((first_request, first), (second_request, second)):
        assert decide(engine, review_id, {"decision": "reject"})["statusCode"] == 200
        finish(engine, request_id)


def test_links_are_made_by_reviewers_of_the_organisation_only(engine: Any) -> None:
    request_id = submit(engine, noncompliant())
    review_id = wait_for_review(engine, request_id)["review"]["reviewId"]
    body = {"expiresInHours": 24}
    assert engine.api("POST", f"/v1/reviews/{review_id}/links", body, OUTSIDER)["statusCode"] == 404
    assert engine.api("GET", f"/v1/reviews/{review_id}/links", None, OUTSIDER)["statusCode"] == 404
    assert engine.api("POST", f"/v1/reviews/{review_id}/links", body, claims())["statusCode"] == 403
    assert engine.api("GET", f"/v1/reviews/{review_id}/links", None, claims())["statusCode"] == 403
    for hours in (0, 169):
        refused = engine.api("POST", f"/v1/reviews/{review_id}/links", {"expiresInHours": hours}, reviewer())
        assert refused["statusCode"] == 400, hours
    assert body_of(engine.api("GET", f"/v1/reviews/{review_id}/links", None, reviewer()))["items"] == []
    assert decide(engine, review_id, {"decision": "reject"})["statusCode"] == 200
    finish(engine, request_id)
    closed = engine.api("POST", f"/v1/reviews/{review_id}/links", body, reviewer())
    assert closed["statusCode"] == 409  # a link for a decided review would decide nothing


def test_a_bundle_review_and_its_link_show_every_part_with_its_file_and_own_findings(engine: Any) -> None:
    """A 9:16 image does not fit an Instagram post, so the bundle waits on a review of its two parts."""
    body = submission(
        channel="instagram", bundle={"kind": "post", "parts": {"image": {"options": {"size": "1080x1920"}}}}
    )
    del body["contentType"]
    request_id = submit(engine, body)
    review_id = wait_for_review(engine, request_id)["review"]["reviewId"]
    review = review_of(engine, review_id)
    assert [(p["partId"], p["contentType"]) for p in review["parts"]] == [("copy", "text"), ("image", "image")]
    for part in review["parts"]:  # each part's file can be opened, as the lead's can
        assert part["preview"]["url"], part
        assert part["preview"]["key"].startswith(staging_of(ORG))

    view = body_of(shared(engine, make_link(engine, review_id)["token"]))
    parts = view["parts"]
    assert [(p["partId"], p["role"], p["contentType"], p["status"]) for p in parts] == [
        (p["partId"], p["role"], p["contentType"], p["status"]) for p in review["parts"]
    ]
    copy, image = parts
    assert copy["text"] == stored(review["parts"][0]["preview"]["key"]).decode("utf-8")
    assert copy["text"] == view["text"]  # the lead is the review's own asset
    assert image.get("text") is None
    assert image["preview"]["mimeType"].startswith("image/")
    assert image["violations"] == review["parts"][1]["violations"]
    assert [v["ruleId"] for v in view["violations"]] == [v["ruleId"] for v in review["violations"]]
    for part in parts:  # nothing of the organisation's internals, on the parts either
        assert not (INTERNAL | {"key", "bucket", "error"}) & (set(part) | set(part.get("preview") or {})), part


def staging_of(org: str) -> str:
    from flashfusion.storage import keys
    from flashfusion.wiring import get_deps

    return keys.staging_prefix_of(get_deps().assets.staging_prefix, org)
