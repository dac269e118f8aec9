"""Brand style transfer through the real workflow (issue 17): an organisation's uploaded photo, submitted with
``operation: brand_style``, is routed to a model that offers the operation, restyled by the built-in provider,
linted by the same brand linter and saved with the upload as its ``parentOf`` ingredient."""

from __future__ import annotations

from typing import Any

from flashfusion.storage import keys
from flashfusion.wiring import get_deps
from tests.helpers import ORG, body_of, claims
from tests.photos import encoded, scene
from tests.workflow.review_helpers import finish, provenance_record, request_record, states_entered, stored, submit


def upload(engine: Any, data: bytes, mime: str = "image/jpeg", org: str = ORG) -> str:
    """A source upload as a client makes it: a ticket from the API, then the file at the ticket's key (the form
    POST itself is tested over HTTP in tests/api)."""
    response = engine.api("POST", "/v1/uploads", {"mimeType": mime}, claims(org))
    assert response["statusCode"] == 201, response
    upload_id = str(body_of(response)["uploadId"])
    deps = get_deps()
    key = keys.source_upload_key(deps.assets.staging_prefix, org, upload_id)
    engine.client("s3").put_object(Bucket=deps.assets.bucket, Key=key, Body=data, ContentType=mime)
    return upload_id


def brand_style_request(upload_id: str, **style: Any) -> dict[str, Any]:
    return {
        "contentType": "image",
        "prompt": "Our spring trail photo in the Aurora Outdoor look",
        "tier": "basic",
        "brandKitId": "aurora-core",
        "operation": "brand_style",
        "style": {"sourceUploadId": upload_id, **style},
    }


def test_an_uploaded_photo_comes_back_in_the_brand_look_linted_and_with_its_upload_as_ingredient(
    engine: Any,
) -> None:
    from flashfusion.provenance.credentials import read_credentials

    photo = encoded(scene(11, 360, 480))
    upload_id = upload(engine, photo)

    request_id = submit(engine, brand_style_request(upload_id))
    finish(engine, request_id)

    entered = states_entered(engine, request_id)
    assert (
        entered.index("RouteModel")
        < entered.index("Generate")
        < entered.index("LintAsset")
        < entered.index("SaveAsset")
    )
    record = request_record(engine, request_id)
    assert record["status"] == "succeeded"
    assert record["lint"]["metrics"]["colors.compliantShare"] >= 0.8  # the kit's colour check passed
    asset = record["asset"]
    assert asset["model"] == "local/image-basic"
    provenance = provenance_record(asset["assetId"], asset["version"])
    assert provenance["parameters"]["operation"] == "brand_style"
    assert provenance["parameters"]["colorShareBefore"] < 0.8 <= provenance["parameters"]["colorShareAfter"]
    assert provenance["parameters"]["placed"] == ["logo"]
    assert provenance["source"]["uploadId"] == upload_id
    assert provenance["lintResults"]["colors.palette"] is True
    assert provenance["cost"]["usd"] == 0.0

    data = stored(asset["key"])
    report = read_credentials(data, asset["mimeType"], trust_anchors_pem=engine.trust_anchor_pem)
    assert report.signature_valid, report.errors
    assert [a.action for a in report.actions] == ["c2pa.opened", "c2pa.color_adjustments", "c2pa.edited"]
    assert [(i.relationship, i.title) for i in report.ingredients] == [("parentOf", f"upload {upload_id}")]
    assert report.xmp_digital_source_type is not None
    assert report.xmp_digital_source_type.endswith("/compositeWithTrainedAlgorithmicMedia")
