"""Bundles through the real workflow: the lead text part, then the media parts in a Map state, the bundle
linted as a whole, every part saved with its provenance; one budget hold for the whole bundle."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.helpers import ORG, ROOT, body_of, claims

EVENTS = ROOT / "events"
PRICED = ROOT / "events" / "matrix-priced-local.json"
IMAGE_MODELS = ("local/image-basic", "local/image-standard", "local/image-premium")


def body(name: str, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EVENTS / name).read_text("utf-8"))["body"]
    data.update(overrides)
    return data


def run(engine: Any, request: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    response = engine.api("POST", "/v1/assets", request, claims())
    assert response["statusCode"] == 202, response
    request_id = body_of(response)["requestId"]
    return request_id, engine.wait_for_execution(engine.execution_arn(request_id), timeout=120)


def record_of(engine: Any, request_id: str) -> dict[str, Any]:
    result: dict[str, Any] = body_of(engine.api("GET", f"/v1/requests/{request_id}", None, claims()))
    return result


def entered(engine: Any, request_id: str) -> list[str]:
    return [
        e["stateEnteredEventDetails"]["name"]
        for e in engine.history(engine.execution_arn(request_id))
        if e["type"].endswith("StateEntered")
    ]


def no_image_model(required: bool | None = None) -> dict[str, Any]:
    """The post bundle with every image model refusing (ProviderRejected: the image's chain runs out)."""
    bundle: dict[str, Any] = {"kind": "post", "parts": {"image": {"options": {"size": "1080x1080"}}}}
    if required is not None:
        bundle["parts"]["image"]["required"] = required
    faults = [{"model": model, "kind": "rejected"} for model in IMAGE_MODELS]
    return body("bundle-post.json", bundle=bundle, faults=faults)


def test_a_post_bundle_makes_its_parts_lints_them_together_and_saves_each_with_provenance(engine: Any) -> None:
    from flashfusion.app.bundle_planning import derived_prompt, planned_parts
    from flashfusion.models import AssetSubmission, prompt_hash
    from flashfusion.provenance.credentials import read_credentials
    from flashfusion.wiring import get_deps

    request_id, execution = run(engine, body("bundle-post.json"))

    assert execution["status"] == "SUCCEEDED"
    states = entered(engine, request_id)
    assert states.index("Generate") < states.index("PlanParts") < states.index("PartGenerate")
    assert states.index("PartLintAsset") < states.index("LintBundle") < states.index("SaveBundle")
    record = record_of(engine, request_id)
    assert record["status"] == "succeeded"
    bundle = record["bundle"]
    assert [(p["partId"], p["status"]) for p in bundle["parts"]] == [("copy", "saved"), ("image", "saved")]
    assert bundle["lintPassed"] is True
    copy, image = (p["asset"] for p in bundle["parts"])
    assert record["asset"]["assetId"] == copy["assetId"]  # the lead part is the request's asset

    deps = get_deps()
    image_record = deps.provenance.get(ORG, image["assetId"], image["version"])
    assert (image_record.bundle_id, image_record.bundle_part) == (bundle["bundleId"], "image")
    assert (image_record.parent_asset_id, image_record.content_type.value) == (copy["assetId"], "image")
    assert image_record.attempts
    assert all(a.model.startswith("local/image-") for a in image_record.attempts)  # its own calls, not the copy's
    lead_text = deps.assets.read(copy["key"])[0].decode("utf-8")
    plan = planned_parts(AssetSubmission.model_validate(body("bundle-post.json")).bundle)  # type: ignore[arg-type]
    image_prompt = derived_prompt(plan[1], lead_text, body("bundle-post.json")["prompt"], 1)
    assert " ".join(lead_text.split()[:2]) in image_prompt  # the image's headline is the copy's first words
    assert image_record.prompt_hash == prompt_hash(image_prompt)
    stored = deps.provenance.get_bundle(ORG, bundle["bundleId"])
    assert [(p.part_id, p.asset_id) for p in stored.parts] == [
        ("copy", copy["assetId"]),
        ("image", image["assetId"]),
    ]
    assert stored.lint_passed is True
    data, _ = deps.assets.read(image["key"])
    credentials = read_credentials(data, image["mimeType"])
    assert [i.relationship for i in credentials.ingredients] == ["inputTo"]


def test_a_required_part_that_cannot_be_made_fails_the_bundle_with_its_hold_released(
    fresh_engine: Any, sample_kit: dict[str, Any]
) -> None:
    from flashfusion.wiring import get_deps

    fresh_engine.configure(env={"MODEL_MATRIX_PATH": str(PRICED)})
    fresh_engine.seed_brand_kit(ORG, sample_kit)
    fresh_engine.seed_budget(ORG, 5.0)

    request_id, execution = run(fresh_engine, no_image_model())

    assert execution["status"] == "FAILED"
    states = entered(fresh_engine, request_id)
    assert states.count("PartFallback") >= 1
    assert "PartFailed" in states
    assert states[states.index("LintBundle") + 1] == "ReleaseBudget"
    record = record_of(fresh_engine, request_id)
    assert record["status"] == "failed"
    assert record["error"]["type"] == "BundlePartFailed"
    assert [(p["partId"], p["status"]) for p in record["bundle"]["parts"]] == [
        ("copy", "generated"),
        ("image", "failed"),
    ]
    budgets = get_deps().budgets
    status = budgets.status(ORG)
    assert budgets.reservations(ORG) == {}  # the bundle's hold is closed
    assert status.reserved_usd == pytest.approx(0.0)
    copy_cost = sum(a["costUsd"] for a in record["attempts"] if a["outcome"] == "succeeded")
    assert copy_cost > 0
    assert status.spent_usd == pytest.approx(copy_cost)  # what the copy was billed, nothing of the hold


def test_the_bundle_holds_its_whole_estimate_before_any_part_runs(
    fresh_engine: Any, sample_kit: dict[str, Any]
) -> None:
    """A budget that covers the copy but not the copy and the image: the bundle never starts its parts."""
    fresh_engine.configure(env={"MODEL_MATRIX_PATH": str(PRICED)})
    fresh_engine.seed_brand_kit(ORG, sample_kit)
    fresh_engine.seed_budget(ORG, 0.04)  # the copy (~0.026) fits, the copy and the image (~0.056) do not

    request_id, execution = run(fresh_engine, body("bundle-post.json"))

    assert execution["status"] == "FAILED"
    states = entered(fresh_engine, request_id)
    assert "Generate" not in states
    assert "PlanParts" not in states
    assert record_of(fresh_engine, request_id)["error"]["type"] == "BudgetExceeded"


def test_an_optional_part_that_fails_leaves_the_bundle_standing(engine: Any) -> None:
    request_id, execution = run(engine, no_image_model(required=False))

    assert execution["status"] == "SUCCEEDED"
    parts = record_of(engine, request_id)["bundle"]["parts"]
    assert [(p["partId"], p["status"]) for p in parts] == [("copy", "saved"), ("image", "failed")]
    assert "ProviderRejected" in (parts[1]["error"] or "") or "chain" in (parts[1]["error"] or "")


def test_a_bundle_is_reviewed_as_one_and_a_decision_regenerates_or_edits_one_part(engine: Any) -> None:
    from tests.workflow.review_helpers import decide, finish, states_entered, wait_for_review

    # A 9:16 image does not fit an Instagram post (4:5 to 1.91:1): the bundle goes to review.
    tall = {"kind": "post", "parts": {"image": {"options": {"size": "1080x1920"}}}}
    response = engine.api("POST", "/v1/assets", body("bundle-post.json", bundle=tall), claims())
    request_id = body_of(response)["requestId"]

    review_id = wait_for_review(engine, request_id, 0)["review"]["reviewId"]
    review = body_of(engine.api("GET", f"/v1/reviews/{review_id}", None, claims()))
    assert [(p["partId"], p["contentType"]) for p in review["parts"]] == [("copy", "text"), ("image", "image")]
    assert any(v["ruleId"] == "bundle.fit.platform.instagram.image-aspect" for v in review["violations"])
    refused = decide(engine, review_id, {"decision": "regenerate", "feedback": "again", "partId": "video"})
    assert refused["statusCode"] == 400  # a post has no video part

    decided = decide(engine, review_id, {"decision": "regenerate", "feedback": "a calmer sky", "partId": "image"})
    assert decided["statusCode"] == 200, decided
    second = wait_for_review(engine, request_id, 1)["review"]["reviewId"]
    assert second != review_id
    edited = "Spring trails are open. Our hiking collection is here."
    decided = decide(engine, second, {"decision": "approve_with_edits", "editedText": edited, "partId": "copy"})
    assert decided["statusCode"] == 200, decided
    finish(engine, request_id)

    states = states_entered(engine, request_id)
    assert states.count("RouteModel") == 1  # the copy was never made again
    assert states.count("GenerateParts") == 2
    assert states.count("PartGenerate") == 2
    assert states[-6:] == [
        "ReviseBundle",
        "AfterBundleRevision",
        "LintRevisedBundle",
        "SaveBundle",
        "BundleSaved",
        "Succeeded",
    ]
    record = record_of(engine, request_id)
    assert record["status"] == "succeeded"
    copy, image = (p["asset"] for p in record["bundle"]["parts"])
    assert (copy["version"], image["version"]) == (2, 2)
    from flashfusion.wiring import get_deps

    deps = get_deps()
    assert deps.assets.read(copy["key"])[0].decode("utf-8") == edited
    assert deps.provenance.get(ORG, copy["assetId"], 2).human_edited is True
    assert deps.provenance.get(ORG, image["assetId"], 2).feedback == ["a calmer sky"]


def test_a_reviewer_replaces_a_bundle_image_with_an_uploaded_file(engine: Any) -> None:
    import io

    from PIL import Image

    from flashfusion.storage import keys
    from flashfusion.wiring import get_deps
    from tests.workflow.review_helpers import decide, finish, reviewer, wait_for_review

    tall = {"kind": "post", "parts": {"image": {"options": {"size": "1080x1920"}}}}
    request_id = body_of(engine.api("POST", "/v1/assets", body("bundle-post.json", bundle=tall), claims()))["requestId"]
    review_id = wait_for_review(engine, request_id, 0)["review"]["reviewId"]
    uploads = f"/v1/reviews/{review_id}/uploads"

    lead_only = engine.api("POST", uploads, {"mimeType": "image/png"}, reviewer())
    assert lead_only["statusCode"] == 400  # the lead part is the copy: an image needs the image part named
    assert "partId" in body_of(lead_only)["errors"][0]["problem"]
    assert engine.api("POST", uploads, {"mimeType": "text/plain", "partId": "image"}, reviewer())["statusCode"] == 400
    assert engine.api("POST", uploads, {"mimeType": "image/png", "partId": "video"}, reviewer())["statusCode"] == 400
    ticket = engine.api("POST", uploads, {"mimeType": "image/png", "partId": "image"}, reviewer())
    assert ticket["statusCode"] == 201, ticket
    upload_id = body_of(ticket)["uploadId"]

    square = io.BytesIO()
    Image.new("RGB", (1080, 1080), (38, 70, 83)).save(square, format="PNG")
    deps = get_deps()
    key = keys.review_upload_key("staging", ORG, request_id, review_id, upload_id, "png")
    deps.assets.s3.put_object(Bucket=deps.assets.bucket, Key=key, Body=square.getvalue(), ContentType="image/png")
    edit = {"decision": "approve_with_edits", "replacementUploadId": upload_id, "partId": "image"}
    decided = decide(engine, review_id, edit)
    assert decided["statusCode"] == 200, decided
    finish(engine, request_id)

    record = record_of(engine, request_id)
    assert record["status"] == "succeeded"
    copy, image = (p["asset"] for p in record["bundle"]["parts"])
    assert (copy["version"], image["version"]) == (1, 2)
    saved = Image.open(io.BytesIO(deps.assets.read(image["key"])[0]))  # the uploaded pixels, with a C2PA manifest added
    assert saved.size == (1080, 1080)
    assert saved.convert("RGB").getpixel((540, 540)) == (38, 70, 83)
    assert deps.provenance.get(ORG, image["assetId"], 2).human_edited is True
