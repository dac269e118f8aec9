"""Content credentials on stored versions, and translations per locale, through the real workflow."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from flashfusion.linting.terms import REQUIRED_RULE
from tests.helpers import ORG, ROOT, body_of, claims, submission
from tests.workflow.review_helpers import finish, provenance_record, request_record, stored, submit

IMAGE = {
    "contentType": "image",
    "prompt": "Create an Instagram post announcing our spring hiking collection",
    "tier": "premium",
    "brandKitId": "aurora-core",
    "channel": "instagram",
    "options": {"size": "1080x1080"},
}


def read(engine: Any, data: bytes, mime: str, sidecar: bytes | None = None) -> Any:
    from flashfusion.provenance.credentials import read_credentials

    return read_credentials(data, mime, sidecar=sidecar, trust_anchors_pem=engine.trust_anchor_pem)


def test_a_saved_image_carries_signed_credentials_matching_its_record(engine: Any) -> None:
    request_id = submit(engine, IMAGE)
    finish(engine, request_id)
    asset = request_record(engine, request_id)["asset"]
    data = stored(asset["key"])
    record = provenance_record(asset["assetId"], asset["version"])

    assert asset["mimeType"] == "image/jpeg"
    report = read(engine, data, "image/jpeg")
    assert report.present
    assert report.signature_valid, report.errors
    assert report.trusted, report.errors
    created = report.actions[0]
    assert created.action == "c2pa.created"
    assert created.digital_source_type.endswith("/trainedAlgorithmicMedia")
    assert created.software_agent == record["model"]
    assert report.assertion["assetId"] == record["assetId"]
    assert report.assertion["promptSha256"] == record["promptHash"]
    assert report.assertion["outputSha256"] == record["outputHash"]
    assert report.assertion["lintPassed"] == record["lintPassed"]
    assert report.xmp_digital_source_type.endswith("/trainedAlgorithmicMedia")
    assert record["credentials"]["kind"] == "embedded"
    assert record["credentials"]["storedHash"] == hashlib.sha256(data).hexdigest()
    assert record["credentials"]["manifestLabel"] == report.active_manifest

    tampered = bytearray(data)
    tampered[len(tampered) // 2] ^= 0xFF
    assert not read(engine, bytes(tampered), "image/jpeg").signature_valid


def test_plain_text_gets_a_sidecar_manifest_next_to_it(engine: Any) -> None:
    request_id = submit(engine, submission())
    finish(engine, request_id)
    asset = request_record(engine, request_id)["asset"]
    assert asset["sidecarKey"] == asset["key"].rsplit(".", 1)[0] + ".c2pa"
    text, sidecar = stored(asset["key"]), stored(asset["sidecarKey"])
    report = read(engine, text, "text/plain", sidecar)
    assert report.signature_valid, report.errors
    assert report.trusted, report.errors
    assert report.assertion["outputSha256"] == hashlib.sha256(text).hexdigest()
    assert not read(engine, text + b"!", "text/plain", sidecar).signature_valid


def kit_with_locale_rules(sample_kit: dict[str, Any]) -> dict[str, Any]:
    # German copy must say "Wanderschuhe"; the stand-in keeps the English copy, so de-DE fails its own rule.
    return {**sample_kit, "kitId": "aurora-eu", "locales": {"de-DE": {"requiredTerms": ["Wanderschuhe"]}}}


def test_each_locale_becomes_a_child_version_linted_by_its_own_rules(engine: Any, sample_kit: dict[str, Any]) -> None:
    engine.seed_brand_kit(ORG, kit_with_locale_rules(sample_kit))
    body = submission(
        brandKitId="aurora-eu",
        prompt="Write a LinkedIn post announcing our spring hiking collection; invite people to our website",
        locales=["fr-FR", "de-DE", "ja-JP"],
    )
    request_id = submit(engine, body)
    finish(engine, request_id)

    record = request_record(engine, request_id)
    assert record["status"] == "succeeded"
    outcomes = record["translations"]
    assert set(outcomes) == {"fr-FR", "de-DE", "ja-JP"}
    source = record["asset"]
    assert outcomes["fr-FR"]["status"] == "succeeded"
    assert outcomes["fr-FR"]["standIn"] is True
    assert outcomes["de-DE"]["status"] == "non_compliant"
    assert [v["ruleId"] for v in outcomes["de-DE"]["violations"] if v["severity"] == "error"] == [REQUIRED_RULE]
    assert outcomes["ja-JP"]["status"] == "succeeded"  # the kit's English required terms still apply there
    for locale, outcome in outcomes.items():
        child = provenance_record(outcome["asset"]["assetId"], 1)
        assert child["locale"] == locale
        assert (child["parentAssetId"], child["parentVersion"]) == (source["assetId"], source["version"])
        assert child["translation"]["standIn"] is True
        text = stored(outcome["asset"]["key"]).decode("utf-8")
        assert text.startswith(f"[{locale} translation stand-in")
    lineage = body_of(engine.api("GET", f"/v1/assets/{source['assetId']}/lineage", None, claims()))
    assert {v.get("locale") for v in lineage["versions"]} == {None, "fr-FR", "de-DE", "ja-JP"}
    from_child = body_of(
        engine.api("GET", f"/v1/assets/{outcomes['ja-JP']['asset']['assetId']}/lineage", None, claims())
    )
    assert from_child["root"] == source["assetId"]
    assert len(from_child["versions"]) == 4


def test_an_offline_image_is_redrawn_with_its_headline_translated(engine: Any) -> None:
    body = {**IMAGE, "prompt": 'Create an Instagram post that says "Spring is here"', "locales": ["es-ES"]}
    request_id = submit(engine, body)
    finish(engine, request_id)
    record = request_record(engine, request_id)
    outcome = record["translations"]["es-ES"]
    assert outcome["status"] in ("succeeded", "non_compliant"), outcome
    original, redrawn = stored(record["asset"]["key"]), stored(outcome["asset"]["key"])
    assert original != redrawn
    child = provenance_record(outcome["asset"]["assetId"], 1)
    assert child["translation"]["textModel"].startswith("local/text-")
    report = read(engine, redrawn, "image/jpeg")
    assert [a.action for a in report.actions][:2] == ["c2pa.opened", "c2pa.translated"]
    assert report.ingredients
    assert report.ingredients[0].relationship == "parentOf"


def test_music_is_skipped_and_failed_locales_do_not_fail_the_request(engine: Any) -> None:
    request_id = submit(engine, submission(contentType="music", prompt="an upbeat jingle", locales=["fr-FR"]))
    finish(engine, request_id)
    record = request_record(engine, request_id)
    assert record["status"] == "succeeded"
    assert record["translations"]["fr-FR"]["status"] == "skipped"
    assert "no text" in record["translations"]["fr-FR"]["error"]

    image = {**IMAGE, "locales": ["fr-FR", "de-DE"]}
    # Every text call fails: the image (an image model) is saved, each translation fails after its retries.
    text_models = ["local/text-basic", "local/text-standard", "local/text-premium"]
    request_id = submit(engine, {**image, "faults": [{"model": m, "kind": "unavailable"} for m in text_models]})
    finish(engine, request_id)
    record = request_record(engine, request_id)
    assert record["status"] == "succeeded"
    assert record["asset"]
    assert {o["status"] for o in record["translations"].values()} == {"failed"}
    assert all("unavailable" in (o["error"] or "").lower() for o in record["translations"].values())


def test_video_and_music_carry_embedded_credentials(engine: Any) -> None:
    for event, mime in (("video-reel.json", "video/mp4"), ("music-jingle.json", "audio/wav")):
        body = json.loads((ROOT / "events" / event).read_text("utf-8"))["body"]
        request_id = submit(engine, body)
        finish(engine, request_id)
        asset = request_record(engine, request_id)["asset"]
        assert asset["mimeType"].startswith(mime.split("/")[0])
        data = stored(asset["key"])
        report = read(engine, data, mime)
        assert report.signature_valid, (event, report.errors)
        assert report.actions[0].software_agent == asset["model"]
        assert report.xmp_digital_source_type is not None
        record = provenance_record(asset["assetId"], asset["version"])
        assert record["credentials"]["kind"] == "embedded"
        assert record["credentials"]["storedHash"] == hashlib.sha256(data).hexdigest()
