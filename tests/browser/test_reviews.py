"""Requests and reviews in the console: a request from the form to its download, every decision, a lost race
(409), an expired review, the heartbeat, keyboard use, and the overlay logic."""

from __future__ import annotations

import io
import json
import math
import re
import struct
import time
import wave
from typing import Any

from playwright.sync_api import Browser, Page, expect

from tests.api.served import NONCOMPLIANT
from tests.browser.conftest import Served, new_context, screenshot
from tests.browser.flows import ADMIN, TERMINAL, open_review, outcome, review_waiting
from tests.helpers import submission


# requests and the four decisions --------------------------------------------------------------------------
def test_a_request_from_the_form_waits_for_review_then_an_approval_finishes_it(page: Page, served: Served) -> None:
    page.goto("/console/#/requests/new")
    page.get_by_label("Brief").fill(NONCOMPLIANT)
    page.get_by_label("Platform").select_option("instagram")
    page.get_by_label("Tier").select_option("basic")
    page.get_by_role("button", name="Submit request").click()
    expect(page.locator("#request-status-text")).to_have_text("Waiting for a reviewer", timeout=60_000)
    screenshot(page, "request-needs-review-1440")
    page.get_by_role("link", name="Open the review").click()
    expect(page.locator("#text-preview mark")).to_have_count(3)
    expect(page.locator("#text-preview mark").first).to_have_text(re.compile("guaranteed"))
    review_id = page.url.rsplit("/", 1)[1]
    review = served.call("GET", f"/v1/reviews/{review_id}").json()
    assert review["channel"] == "instagram"
    page.get_by_label("Comment (optional)").fill("fine for a test")
    page.get_by_role("button", name="Approve", exact=True).click()
    expect(outcome(page)).to_contain_text("Decision recorded: approved")
    record = served.settled(review["requestId"], TERMINAL)
    assert (record["status"], record["tier"]) == ("succeeded", "basic")
    decided = served.call("GET", f"/v1/reviews/{review_id}").json()
    assert (decided["decision"], decided["reviewer"], decided["comment"]) == (
        "approve",
        "reviewer-1",
        "fine for a test",
    )

    page.goto(f"/console/#/assets/{review['assetId']}/lineage")
    expect(page.locator(".version").first).to_contain_text("approve by reviewer-1")


def test_a_compliant_request_from_the_form_shows_its_status_until_done_then_a_download(
    page: Page, served: Served
) -> None:
    seen: list[str] = []
    page.on("request", lambda r: seen.append(r.url) if "/v1/requests/" in r.url else None)
    page.goto("/console/#/requests/new")
    page.get_by_label("Brief").fill("Write a LinkedIn post announcing our spring hiking collection")
    page.get_by_label("Platform").select_option("linkedin")
    page.get_by_role("button", name="Submit request").click()
    expect(page.locator("#request-status-text")).to_have_text("Done", timeout=60_000)
    download = page.locator("#download-link")
    expect(download).to_be_visible()
    screenshot(page, "request-done-1440")
    request_id = seen[0].rsplit("/", 1)[1]
    record = served.call("GET", f"/v1/requests/{request_id}").json()
    assert record["status"] == "succeeded"
    fetched = served.client.get(download.get_attribute("href") or "")
    asset = served.call("GET", f"/v1/assets/{record['asset']['assetId']}").json()
    current = next(v for v in asset["versions"] if v["version"] == asset["currentVersion"])
    assert fetched.status_code == 200
    assert fetched.content == served.client.get(current["download"]["url"]).content


def test_approve_with_edits_saves_the_text_from_the_editor(page: Page, served: Served) -> None:
    review = review_waiting(served)
    open_review(page, review["reviewId"])
    page.get_by_role("button", name="Edit “guaranteed”").click()
    editor = page.get_by_label("Edited text")
    expect(editor).to_be_focused()
    assert (
        page.evaluate(
            "() => { const e = document.activeElement; return e.value.slice(e.selectionStart, e.selectionEnd); }"
        )
        == "guaranteed"
    )
    page.keyboard.type("dependable")
    edited = editor.input_value()
    assert "dependable" in edited
    assert "guaranteed" not in edited
    page.get_by_role("button", name="Approve with edits").click()
    expect(outcome(page)).to_contain_text("Decision recorded: approved with edits")
    record = served.settled(review["requestId"], TERMINAL)
    assert record["status"] == "succeeded", record
    asset = served.call("GET", record["assetUrl"]).json()
    current = next(v for v in asset["versions"] if v["version"] == asset["currentVersion"])
    saved = served.client.get(current["download"]["url"]).text
    assert saved == edited
    lineage = served.call("GET", f"/v1/assets/{record['asset']['assetId']}/lineage").json()
    assert any(node["humanEdited"] for node in lineage["versions"])


def test_regenerate_sends_the_feedback_and_the_workflow_goes_round_again(page: Page, served: Served) -> None:
    review = review_waiting(served)
    open_review(page, review["reviewId"])
    page.get_by_label("What should change").fill("Drop the superlatives")
    page.get_by_role("button", name="Regenerate with feedback").click()
    expect(outcome(page)).to_contain_text("sent back for regeneration")
    decided = served.call("GET", f"/v1/reviews/{review['reviewId']}").json()
    assert (decided["decision"], decided["feedback"]) == ("regenerate", "Drop the superlatives")
    record = served.settled(review["requestId"], TERMINAL | {"needs_review"}, timeout=60)
    if record["status"] == "needs_review":  # the same banned brief fails again: a new round waits
        assert record["review"]["round"] == 1
        assert record["review"]["reviewId"] != review["reviewId"]


def test_reject_records_the_reason(page: Page, served: Served) -> None:
    review = review_waiting(served)
    open_review(page, review["reviewId"])
    page.get_by_role("button", name="Reject").click()  # the reason is required: nothing is sent without it
    assert served.call("GET", f"/v1/reviews/{review['reviewId']}").json()["status"] == "pending"
    page.get_by_label("Reason").fill("Off brand")
    page.get_by_role("button", name="Reject").click()
    expect(outcome(page)).to_contain_text("Decision recorded: rejected")
    assert served.settled(review["requestId"], TERMINAL)["status"] == "rejected"
    assert served.call("GET", f"/v1/reviews/{review['reviewId']}").json()["comment"] == "Off brand"


def test_a_decision_that_lost_the_race_says_who_decided_first(page: Page, served: Served) -> None:
    review = review_waiting(served)
    open_review(page, review["reviewId"])
    first = served.call(
        "POST",
        f"/v1/reviews/{review['reviewId']}/decision",
        token=served.token(sub="reviewer-2"),
        json={"decision": "approve"},
    )
    assert first.status_code == 200, first.text
    page.get_by_label("Reason").fill("Too late")
    page.get_by_role("button", name="Reject").click()
    expect(outcome(page)).to_contain_text("Your decision was not recorded")
    expect(outcome(page)).to_contain_text("already approved by reviewer-2")
    screenshot(page, "review-409-1440")
    expect(page.get_by_role("button", name="Approve", exact=True)).to_be_disabled()
    assert served.call("GET", f"/v1/reviews/{review['reviewId']}").json()["decision"] == "approve"


def test_an_expired_review_is_shown_as_expired_and_cannot_be_decided(
    page: Page, served: Served, sample_kit: dict[str, Any]
) -> None:
    kit = {**sample_kit, "kitId": "aurora-hurry", "review": {"timeoutSeconds": 1, "heartbeatSeconds": 1}}
    kit.pop("version", None)
    kit["logos"] = []  # a kit put through the API names files in the org's brand folder; none are needed here
    put = served.call("PUT", "/v1/brand-kits/aurora-hurry", token=served.token(sub="admin-1", groups=ADMIN), json=kit)
    assert put.status_code in (200, 201), put.text
    accepted = served.call("POST", "/v1/assets", json=submission(prompt=NONCOMPLIANT, brandKitId="aurora-hurry")).json()
    record = served.settled(accepted["requestId"], TERMINAL)
    assert record["status"] == "review_expired", record
    open_review(page, record["review"]["reviewId"])
    expect(page.locator("#review-status")).to_have_text("expired")
    expect(page.locator("#time-left")).to_have_text("expired")
    expect(outcome(page)).to_contain_text("expired")
    expect(page.get_by_role("button", name="Reject")).to_be_disabled()
    screenshot(page, "review-expired-1440")


def test_an_open_review_page_sends_the_heartbeat_and_stops_when_left(
    browser: Browser, served: Served, undecided_review: dict[str, Any]
) -> None:
    review = undecided_review
    context = new_context(browser, served, token=served.token())
    page = context.new_page()
    config = {"apiBase": "", "auth": {"mode": "local", "tokenUrl": "/local/token"}, "heartbeatSeconds": 0.3}
    page.route("**/console/config.json", lambda r: r.fulfill(content_type="application/json", body=json.dumps(config)))
    reads: list[float] = []
    page.on(
        "request",
        lambda r: reads.append(time.monotonic()) if r.url.endswith(f"/v1/reviews/{review['reviewId']}") else None,
    )
    open_review(page, review["reviewId"])
    opened = time.monotonic()
    while len(reads) < 4 and time.monotonic() - opened < 1.5:  # 1.5 s at most, not always
        page.wait_for_timeout(50)  # Playwright hands over the request events while it waits
    while_open = len(reads)
    assert while_open >= 4  # the first read, then one every 0.3 s
    page.goto("/console/#/reviews")
    expect(page.get_by_role("heading", name="Reviews waiting")).to_be_visible()
    page.wait_for_timeout(800)
    assert len(reads) <= while_open + 1  # at most one already on its way when the page was left
    context.close()


def test_the_overlay_logic_cuts_spans_and_applies_fixes_where_the_words_still_are(page: Page) -> None:
    page.goto("/console/#/reviews")
    expect(page.get_by_role("heading", name="Reviews waiting")).to_be_visible()
    result = page.evaluate(
        """async () => {
          const o = await import('/console/js/overlay.js');
          const text = 'Buy the best jacket now';
          const vs = [
            {ruleId: 'a', severity: 'error', location: {start: 8, end: 12, text: 'best'},
             fix: {kind: 'replace', span: {start: 8, end: 12, text: 'best'}, text: 'warmest'}},
            {ruleId: 'b', severity: 'warning', location: {start: 4, end: 19, text: 'the best jacket'}},
            {ruleId: 'c', severity: 'error', fix: {kind: 'insert', span: {start: 23, end: 23, text: ''}, text: ' #ad'}},
          ];
          return {
            segments: o.textSegments(text, vs).map((s) => [s.text, s.marks]),
            same: o.applyFix(text, vs[0], text.length),
            moved: o.applyFix('Please buy the best jacket now', vs[0], text.length),
            gone: o.applyFix('Buy a jacket now', vs[0], text.length),
            appended: o.applyFix('Buy the best jacket right now', vs[2], text.length),
            box: o.boxPercent({x: 50, y: 25, width: 100, height: 50}, 200, 100),
            range: o.rangePercent({startSeconds: 2, endSeconds: 4}, 8),
          };
        }"""
    )
    assert result["segments"] == [["Buy ", []], ["the ", [1]], ["best", [0, 1]], [" jacket", [1]], [" now", []]]
    assert result["same"] == {"text": "Buy the warmest jacket now", "at": 8}
    assert result["moved"]["text"] == "Please buy the warmest jacket now"
    assert result["gone"] is None
    assert result["appended"]["text"] == "Buy the best jacket right now #ad"
    assert result["box"] == {"left": "25%", "top": "25%", "width": "50%", "height": "50%"}
    assert result["range"] == {"left": "25%", "width": "25%"}


def test_the_review_page_is_operable_from_the_keyboard(page: Page, served: Served) -> None:
    review = review_waiting(served)
    open_review(page, review["reviewId"])
    page.get_by_label("Reason").focus()
    page.keyboard.type("Not for us")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Reject"
    page.keyboard.press("Enter")
    expect(outcome(page)).to_contain_text("Decision recorded: rejected")


def test_an_audio_file_is_drawn_as_a_waveform(page: Page) -> None:
    rate, seconds = 8000, 1.0
    frames = bytearray()
    for i in range(int(rate * seconds)):  # a tone that is silent for its first half
        value = int(12000 * math.sin(2 * math.pi * 440 * i / rate)) if i >= rate * seconds / 2 else 0
        frames += struct.pack("<h", value)
    sound = io.BytesIO()
    with wave.open(sound, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(bytes(frames))
    page.route("**/test-audio.wav", lambda r: r.fulfill(content_type="audio/wav", body=sound.getvalue()))
    page.goto("/console/#/reviews")
    expect(page.get_by_role("heading", name="Reviews waiting")).to_be_visible()
    drawn = page.evaluate(
        """async () => {
          const w = await import('/console/js/waveform.js');
          const canvas = document.createElement('canvas');
          canvas.style.width = '400px';
          document.body.append(canvas);
          const duration = await w.drawWaveform('/test-audio.wav', canvas);
          const g = canvas.getContext('2d');
          const column = (x) => Array.from(g.getImageData(Math.floor(x), 0, 1, canvas.height).data)
            .filter((v, i) => i % 4 === 3 && v > 0).length;
          return {duration, quiet: column(canvas.width / 4), loud: column(canvas.width * 3 / 4)};
        }"""
    )
    assert abs(drawn["duration"] - seconds) < 0.01
    assert drawn["quiet"] <= 2  # silence: a one-pixel line
    assert drawn["loud"] > 20  # the tone fills most of the height


def test_a_video_review_marks_its_time_ranges_on_the_timeline(page: Page, undecided_review: dict[str, Any]) -> None:
    """The review's shape as the API documents it (docs/openapi.json, TimeRange locations), for a video: the
    offline generators rarely leave a video for review, so the answer is this test's own."""
    review = undecided_review
    video = {
        **review,
        "contentType": "video",
        "preview": {**review["preview"], "mimeType": "video/mp4"},
        "violations": [
            {
                "ruleId": "logo.missing",
                "severity": "error",
                "message": "no logo",
                "count": 1,
                "locations": [],
                "location": {"startSeconds": 2.0, "endSeconds": 4.0},
            },
            {
                "ruleId": "audio.loudness",
                "severity": "warning",
                "message": "too loud",
                "count": 1,
                "locations": [],
                "location": {"startSeconds": 6.0, "endSeconds": 8.0},
            },
        ],
    }
    page.route(f"**/v1/reviews/{review['reviewId']}", lambda r: r.fulfill(json=video))
    open_review(page, review["reviewId"])
    ranges = page.get_by_role("group", name="Violations on the timeline").get_by_role("button")
    expect(ranges).to_have_count(2)
    expect(ranges.first).to_have_accessible_name("Violation 1, logo.missing, 0:02 to 0:04: play from there")
    # No decodable video here: the timeline spans the last range's end (8 s).
    assert ranges.nth(0).evaluate("b => [b.style.left, b.style.width]") == ["25%", "25%"]
    assert ranges.nth(1).evaluate("b => [b.style.left, b.style.width]") == ["75%", "25%"]
    assert page.locator("#preview-media").evaluate("v => v.tagName") == "VIDEO"
