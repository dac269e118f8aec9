"""POST /v1/lint and POST /v1/lint/uploads: an organisation's own text or image checked against a version of
its brand kit, synchronously, with the workflow's report; nothing generated or stored, nothing of another
organisation reachable."""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import unquote, urlparse

import pytest

from tests.api.test_api import executions, json_error, problems, stored
from tests.helpers import ORG, OTHER_ORG, body_of, claims

FUNCTION = "LintApiFunction"
KIT = "aurora-core"
COMPLIANT = "At Aurora Outdoor we make jackets that keep you warm on the trail. We test each one in the hills we love."
NONCOMPLIANT = "Our jackets are a guaranteed miracle and completely risk-free!!!"


def lint(engine: Any, body: Any, org: str = ORG) -> dict[str, Any]:
    return engine.api("POST", "/v1/lint", body, claims(org), function=FUNCTION)


def report_of(response: dict[str, Any]) -> dict[str, Any]:
    assert response["statusCode"] == 200, response
    result: dict[str, Any] = body_of(response)
    return result


def rules(report: dict[str, Any], severity: str | None = None) -> set[str]:
    return {v["ruleId"] for v in report["violations"] if severity is None or v["severity"] == severity}


def upload(engine: Any, data: bytes, mime: str = "image/png", org: str = ORG) -> str:
    """Ask for a ticket, then PUT the file where its presigned URL points (moto's S3, as the client would)."""
    ticket = engine.api("POST", "/v1/lint/uploads", {"mimeType": mime}, claims(org), function=FUNCTION)
    assert ticket["statusCode"] == 201, ticket
    answer = body_of(ticket)
    assert answer["method"] == "PUT"
    assert answer["headers"]["Content-Type"] == mime
    url = urlparse(answer["url"])
    key = unquote(url.path.lstrip("/"))
    assert key.startswith(f"staging/{org}/lint-uploads/"), key
    from flashfusion.wiring import get_deps

    deps = get_deps()
    deps.assets.s3.put_object(Bucket=deps.assets.bucket, Key=key, Body=data, ContentType=mime)
    upload_id: str = answer["uploadId"]
    return upload_id


def png(rgb: tuple[int, int, int], size: int = 96) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (size, size), rgb).save(out, format="PNG")
    return out.getvalue()


def test_compliant_text_answers_a_compliant_report(engine: Any) -> None:
    result = report_of(lint(engine, {"brandKitId": KIT, "text": COMPLIANT, "channel": "linkedin"}))

    assert (result["brandKitId"], result["brandKitVersion"], result["mimeType"]) == (KIT, 1, "text/plain")
    report = result["report"]
    assert report["compliant"] is True, report
    assert rules(report, "error") == set()
    assert "legal.banned-term" in report["rulesChecked"]
    assert "platform.linkedin.text-length" in report["rulesChecked"]


def test_noncompliant_text_names_each_violation_and_where(engine: Any) -> None:
    report = report_of(lint(engine, {"brandKitId": KIT, "text": NONCOMPLIANT}))["report"]

    assert report["compliant"] is False
    assert {"legal.banned-term", "voice.required-term"} <= rules(report, "error")
    banned = {v["location"]["text"]: v["location"] for v in report["violations"] if v["ruleId"] == "legal.banned-term"}
    assert set(banned) == {"guaranteed", "miracle", "risk-free"}
    for term, location in banned.items():
        assert NONCOMPLIANT[location["start"] : location["end"]] == term
    assert report["findings"] >= len(report["violations"])
    assert report["autoFixable"] is True  # the extra exclamation marks carry a fix


def test_repeats_are_aggregated_as_in_the_workflow(engine: Any) -> None:
    text = COMPLIANT + " " + " ".join(["It is a miracle."] * 40)
    report = report_of(lint(engine, {"brandKitId": KIT, "text": text}))["report"]

    (miracle,) = [v for v in report["violations"] if v["ruleId"] == "legal.banned-term"]
    assert miracle["count"] == 40
    assert 1 < len(miracle["locations"]) < 40


def test_sponsored_copy_needs_the_kit_s_disclosure(engine: Any) -> None:
    from flashfusion.linting.disclosures import DISCLOSURE_RULE

    body = {"brandKitId": KIT, "text": COMPLIANT, "channel": "instagram"}
    assert report_of(lint(engine, body))["report"]["compliant"] is True

    undisclosed = report_of(lint(engine, {**body, "sponsored": True}))["report"]
    assert undisclosed["compliant"] is False
    assert DISCLOSURE_RULE in rules(undisclosed, "error"), undisclosed

    disclosed = report_of(lint(engine, {**body, "sponsored": True, "text": "#ad " + COMPLIANT}))["report"]
    assert DISCLOSURE_RULE in disclosed["rulesChecked"]
    assert DISCLOSURE_RULE not in rules(disclosed), disclosed


def test_a_pinned_kit_version_is_the_one_checked(engine: Any, sample_kit: dict[str, Any]) -> None:
    stricter = {**sample_kit, "version": 2}
    stricter["legal"] = {**sample_kit["legal"], "bannedTerms": [*sample_kit["legal"]["bannedTerms"], "jackets"]}
    engine.seed_brand_kit(ORG, stricter)

    current = report_of(lint(engine, {"brandKitId": KIT, "text": COMPLIANT}))
    pinned = report_of(lint(engine, {"brandKitId": KIT, "brandKitVersion": 1, "text": COMPLIANT}))

    assert current["brandKitVersion"] == 2
    assert "legal.banned-term" in rules(current["report"])
    assert pinned["brandKitVersion"] == 1
    assert "legal.banned-term" not in rules(pinned["report"])
    missing = json_error(lint(engine, {"brandKitId": KIT, "brandKitVersion": 7, "text": COMPLIANT}), 400)
    assert {"brandKitId", "brandKitVersion"} <= set(problems(missing))


def test_an_uploaded_image_round_trip(engine: Any) -> None:
    on_palette = report_of(lint(engine, {"brandKitId": KIT, "uploadId": upload(engine, png((15, 110, 110)))}))
    off_palette = report_of(lint(engine, {"brandKitId": KIT, "uploadId": upload(engine, png((255, 0, 255)))}))

    assert on_palette["mimeType"] == off_palette["mimeType"] == "image/png"
    checked = set(on_palette["report"]["rulesChecked"])
    assert "colors.palette" in checked  # the image checks ran, not the text ones
    assert "voice.required-term" not in checked
    assert "colors.palette" not in rules(on_palette["report"])
    assert off_palette["report"]["compliant"] is False
    assert "colors.palette" in rules(off_palette["report"], "error"), off_palette["report"]


def test_an_uploaded_jpeg_is_linted_as_jpeg(engine: Any) -> None:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 64), (15, 110, 110)).save(out, format="JPEG")
    result = report_of(lint(engine, {"brandKitId": KIT, "uploadId": upload(engine, out.getvalue(), "image/jpeg")}))
    assert result["mimeType"] == "image/jpeg"


def test_an_undecodable_upload_is_a_report_not_an_error(engine: Any) -> None:
    report = report_of(lint(engine, {"brandKitId": KIT, "uploadId": upload(engine, b"not a picture at all")}))["report"]

    assert report["compliant"] is False
    assert rules(report, "error") == {"media.decodable"}


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"brandKitId": KIT}, {"text", "uploadId"}),
        ({"brandKitId": KIT, "text": COMPLIANT, "uploadId": "0" * 32}, {"text", "uploadId"}),
        ({"brandKitId": KIT, "text": ""}, {"text"}),
        ({"brandKitId": KIT, "text": "a" * 10_001}, {"text"}),
        ({"brandKitId": KIT, "uploadId": "../../etc/passwd"}, {"uploadId"}),
        ({"brandKitId": KIT, "uploadId": "0" * 32}, {"uploadId"}),  # well formed, nothing uploaded
        ({"brandKitId": "no-such-kit", "text": COMPLIANT}, {"brandKitId"}),
        ({"brandKitId": KIT, "text": COMPLIANT, "sponsored": "yes"}, {"sponsored"}),
        ({"brandKitId": KIT, "text": COMPLIANT, "locale": "English"}, {"locale"}),
        ({"brandKitId": KIT, "text": COMPLIANT, "brandKitVersion": 0}, {"brandKitVersion"}),
        ({"brandKitId": KIT, "text": COMPLIANT, "prompt": "x"}, {"prompt"}),
    ],
)
def test_a_bad_body_is_a_400_naming_each_field(engine: Any, body: dict[str, Any], fields: set[str]) -> None:
    error = json_error(lint(engine, body), 400)
    assert fields <= set(problems(error)), error


@pytest.mark.parametrize("mime", ["application/pdf", "text/plain", "image/gif", "audio/x-unknown"])
def test_only_images_audio_and_video_are_uploaded(engine: Any, mime: str) -> None:
    response = engine.api("POST", "/v1/lint/uploads", {"mimeType": mime}, claims(), function=FUNCTION)
    problem = problems(json_error(response, 400))["mimeType"]
    assert {"image/png", "audio/wav", "video/mp4"} <= set(problem.replace(",", " ").split())


def test_another_organisation_s_upload_and_kit_are_not_found(engine: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from flashfusion.wiring import get_deps

    theirs = upload(engine, png((15, 110, 110)), org=OTHER_ORG)
    deps = get_deps()
    read: list[str] = []
    original = deps.assets.read_staged
    monkeypatch.setattr(deps.assets, "read_staged", lambda org, key: read.append(key) or original(org, key))

    error = json_error(lint(engine, {"brandKitId": KIT, "uploadId": theirs}), 400)
    assert "uploadId" in problems(error)
    assert read == []  # their file was never read: the key is built from the caller's organisation

    engine.seed_brand_kit(OTHER_ORG, {**_kit(engine), "kitId": "globex-only"})
    error = json_error(lint(engine, {"brandKitId": "globex-only", "text": COMPLIANT}), 400)
    assert "brandKitId" in problems(error)
    assert report_of(lint(engine, {"brandKitId": "globex-only", "text": COMPLIANT}, org=OTHER_ORG))


def _kit(engine: Any) -> dict[str, Any]:
    from flashfusion.wiring import get_deps

    kit: dict[str, Any] = get_deps().kits.get(ORG, KIT).model_dump(mode="json", by_alias=True, exclude_none=True)
    return kit


def test_no_token_no_lint(engine: Any) -> None:
    calls = (("/v1/lint", {"brandKitId": KIT, "text": COMPLIANT}), ("/v1/lint/uploads", {"mimeType": "image/png"}))
    for path, body in calls:
        response = engine.api("POST", path, body, {}, function=FUNCTION)
        assert json_error(response, 401)["code"] == "unauthorized"


def test_linting_starts_nothing_and_stores_no_request(engine: Any) -> None:
    report_of(lint(engine, {"brandKitId": KIT, "text": NONCOMPLIANT}))
    assert executions(engine) == []
    assert stored(engine, "REQUEST#") == []
