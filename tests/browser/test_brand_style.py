"""Brand style transfer from the console's form: a file that cannot be a source is refused before anything is
sent; a real photo goes through POST /v1/uploads' presigned POST to the local engine's S3 with its progress
shown, then the request names the upload, and the saved asset's provenance names that very file."""

from __future__ import annotations

import hashlib
import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, Response, expect

from tests.browser.conftest import Served, axe_findings, new_context, screenshot
from tests.browser.flows import TERMINAL

STYLE_CHOICE = "Our own photo in the brand's look (brand style)"


def photo_png() -> bytes:
    """A small landscape: a blue sky over a green field with a brown path (nothing of the brand's palette)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (320, 240), (92, 150, 220))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 140, 320, 240), fill=(60, 140, 50))
    draw.polygon([(140, 240), (180, 240), (165, 140), (158, 140)], fill=(120, 90, 60))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def problems(page: Page) -> Any:
    return page.locator("#request-problems")


def test_a_brand_style_request_uploads_the_photo_with_progress_then_names_it(
    browser: Browser, served: Served, tmp_path: Path
) -> None:
    started = (datetime.now(UTC) - timedelta(seconds=5)).isoformat().replace("+00:00", "Z")
    context = new_context(browser, served, "375", served.token())
    page = context.new_page()
    tickets: list[dict[str, Any]] = []
    storage_posts: list[str] = []
    submitted: list[dict[str, Any]] = []

    def seen(response: Response) -> None:
        if response.url.endswith("/v1/uploads") and response.request.method == "POST":
            tickets.append(response.json())
        if "/local-s3/" in response.url and response.request.method == "POST":
            storage_posts.append(str(response.status))

    page.on("response", seen)
    page.on(
        "request",
        lambda r: submitted.append(r.post_data_json) if r.method == "POST" and r.url.endswith("/v1/assets") else None,
    )
    page.goto("/console/#/requests/new")
    page.get_by_label(STYLE_CHOICE).check()
    expect(page.get_by_label("Content type")).to_be_hidden()  # a brand style makes an image
    photo = page.get_by_label("Your photo")
    page.get_by_label("Brief").fill("Our spring trail photo in the Aurora Outdoor look")

    photo.set_input_files({"name": "notes.txt", "mimeType": "text/plain", "buffer": b"not a photo"})
    expect(page.locator("#source-status")).to_contain_text("choose a PNG, JPEG or WebP image")
    page.get_by_role("button", name="Submit request").click()
    expect(problems(page)).to_contain_text("“notes.txt” is a text/plain file: choose a PNG, JPEG or WebP image.")
    expect(photo).to_be_focused()

    too_large = tmp_path / "huge.png"  # a path, not a buffer: 20 MB through the protocol is slow on a loaded machine
    too_large.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(20 * 1024 * 1024))
    photo.set_input_files(too_large)
    page.get_by_role("button", name="Submit request").click()
    expect(problems(page)).to_contain_text("“huge.png” is 20.0 MB: the largest photo is 20 MB.")
    screenshot(page, "request-brand-style-problem-375")
    assert axe_findings(page) == []
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    assert (tickets, storage_posts, submitted) == ([], [], [])  # nothing was sent for a file that cannot be one

    source = photo_png()
    photo.set_input_files({"name": "trail.png", "mimeType": "image/png", "buffer": source})
    page.get_by_label("Headline on the photo (optional)").fill("Trails are open")
    page.get_by_role("button", name="Submit request").click()
    expect(page.locator("#source-status")).to_have_text("Uploaded trail.png.")
    expect(page.locator("#source-progress")).to_have_js_property("value", 100)
    expect(page.locator("#request-status-text")).to_have_text(
        re.compile("Done|Waiting for a reviewer"), timeout=120_000
    )
    screenshot(page, "request-brand-style-375")
    assert storage_posts == ["204"]
    assert len(tickets) == 1
    assert submitted == [
        {
            "contentType": "image",
            "tier": "standard",
            "prompt": "Our spring trail photo in the Aurora Outdoor look",
            "brandKitId": "aurora-core",
            "sponsored": False,
            "operation": "brand_style",
            "style": {"sourceUploadId": tickets[0]["uploadId"], "placeLogo": True, "headline": "Trails are open"},
        }
    ]
    request_id = page.locator("#request-status .hint").first.inner_text().rsplit(" ", 1)[1]
    record = served.call("GET", f"/v1/requests/{request_id}").json()
    if record["status"] == "needs_review":  # the photo may still break a rule: a reviewer lets it through
        decided = served.call(
            "POST", f"/v1/reviews/{record['review']['reviewId']}/decision", json={"decision": "approve"}
        )
        assert decided.status_code == 200, decided.text
    record = served.settled(request_id, TERMINAL, timeout=120)
    assert record["status"] == "succeeded", record
    audit = served.call("GET", "/v1/provenance", params={"since": started, "limit": 100}).json()["items"]
    saved = next(r for r in audit if r["assetId"] == record["asset"]["assetId"])
    # The very bytes the browser posted to S3 are what the asset was made from.
    assert saved["source"]["uploadId"] == tickets[0]["uploadId"]
    assert saved["source"]["sha256"] == hashlib.sha256(source).hexdigest()
    context.close()


def test_a_storage_refusal_is_said_in_words(page: Page) -> None:
    """S3 answers a refused form upload with XML (Code, Message): the console says what it means."""
    page.goto("/console/#/requests/new")
    expect(page.get_by_role("heading", name="New request")).to_be_visible()
    said = page.evaluate(
        """async () => {
          const api = await import('/console/js/api.js');
          const xml = (code, message) =>
            `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`;
          return [
            api.storageProblem(400, xml('EntityTooLarge', 'Your proposed upload exceeds the limit'), 20971520),
            api.storageProblem(403, xml('AccessDenied', 'Policy expired')),
            api.storageProblem(500, xml('InternalError', 'We encountered an internal error')),
            api.storageProblem(502, 'Bad Gateway'),
          ];
        }"""
    )
    assert said == [
        "The file is too large (at most 20 MB).",
        "The storage refused the upload: the upload form has expired or does not fit this file. Try again.",
        "The upload was refused (HTTP 500, InternalError): We encountered an internal error",
        "The upload was refused (HTTP 502).",
    ]
