"""Bundles in the console: a bundle's review shows every part with its own findings (the bundle-wide ones first)
and is decided one part at a time through the local engine; the shared link lists the parts; the request page
follows the parts; the form asks for a bundle."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Browser, Page, expect

from tests.api.served import NONCOMPLIANT
from tests.browser.conftest import Served, axe_findings, new_context, screenshot
from tests.browser.flows import TERMINAL, bundle_review_waiting, open_review, outcome

ASPECT_RULE = "bundle.fit.platform.instagram.image-aspect"


def part(page: Page, part_id: str) -> Any:
    return page.locator(f'li.part[data-part="{part_id}"]')


def no_sideways_scroll(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth"))


def test_a_bundle_review_shows_every_part_and_is_decided_one_part_at_a_time(browser: Browser, served: Served) -> None:
    review = bundle_review_waiting(served)
    copy_text = served.client.get(review["parts"][0]["preview"]["url"]).text
    image_findings = review["parts"][1]["violations"]
    findings: dict[str, Any] = {}
    for width in ("375", "1440"):
        context = new_context(browser, served, width, served.token())
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error, errors=errors: errors.append(str(error)))
        open_review(page, review["reviewId"])
        expect(page.get_by_role("heading", level=1)).to_have_text("Review: a bundle of 2 parts")
        # The bundle-wide findings come first, before any part.
        wide = page.locator("#bundle-findings")
        expect(wide).to_contain_text(ASPECT_RULE)
        assert wide.evaluate("w => !!(w.compareDocumentPosition(document.querySelector('li.part')) & 4)")
        expect(page.locator("li.part")).to_have_count(2)
        expect(part(page, "copy").get_by_role("heading", level=3)).to_have_text("Part 1: copy (text, the lead)")
        expect(part(page, "copy").locator(".text-preview")).to_have_text(copy_text)
        image = part(page, "image").get_by_role("img", name="image: the image under review")
        expect(image).to_be_visible()
        page.wait_for_function("() => document.querySelector('#part-image-image').naturalWidth > 0")
        expect(part(page, "image").locator(".violation")).to_have_count(len(image_findings))
        # A finding of the bundle is not repeated under a part.
        expect(part(page, "copy").locator(".violation", has_text=ASPECT_RULE)).to_have_count(0)
        page.wait_for_load_state("networkidle")
        screenshot(page, f"review-bundle-{width}")
        findings[width] = axe_findings(page)
        assert no_sideways_scroll(page), f"the bundle review scrolls sideways at {width} px"
        assert errors == []
        if width != "1440":
            context.close()
    assert {w: f for w, f in findings.items() if f} == {}

    # Regenerate the image alone, from the keyboard: its summary opens the form, Tab reaches the button.
    part(page, "image").locator("summary", has_text="Regenerate image").focus()
    page.keyboard.press("Enter")
    feedback = page.get_by_label("What should change in image")
    feedback.focus()
    page.keyboard.type("A calmer sky, square")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Regenerate image"
    page.keyboard.press("Enter")
    expect(outcome(page)).to_contain_text("Decision recorded: sent back for regeneration (part image)")
    expect(page.get_by_role("button", name="Approve", exact=True)).to_be_disabled()
    decided = served.call("GET", f"/v1/reviews/{review['reviewId']}").json()
    assert (decided["decision"], decided["feedback"]) == ("regenerate", "A calmer sky, square")

    # The image is made again (still 9:16, so a second review); the copy is edited there and the bundle approved.
    second = bundle_review_waiting(served, 1, review["requestId"])
    assert second["reviewId"] != review["reviewId"]
    open_review(page, second["reviewId"])
    # An edit the API refuses (longer than it takes) is explained with the problem's field, not lost.
    part(page, "copy").locator("summary", has_text="Edit copy").click()
    editor = page.get_by_label("Edited text of copy")
    editor.fill("x" * 20_001)
    page.get_by_role("button", name="Approve with edits to copy").click()
    expect(outcome(page)).to_contain_text("The decision failed")
    expect(outcome(page).locator("li")).to_contain_text("editedText")
    screenshot(page, "review-bundle-problem-1440")
    assert served.call("GET", f"/v1/reviews/{second['reviewId']}").json()["status"] == "pending"
    edited = "Spring trails are open. Our hiking collection is here."
    editor.fill(edited)
    page.get_by_role("button", name="Approve with edits to copy").click()
    expect(outcome(page)).to_contain_text("Decision recorded: approved with edits (part copy)")
    record = served.settled(review["requestId"], TERMINAL, timeout=120)
    assert record["status"] == "succeeded", record
    copy, image_part = (p["asset"] for p in record["bundle"]["parts"])
    assert (copy["version"], image_part["version"]) == (2, 2)  # each part was sent back once
    asset = served.call("GET", f"/v1/assets/{copy['assetId']}").json()
    current = next(v for v in asset["versions"] if v["version"] == asset["currentVersion"])
    assert served.client.get(current["download"]["url"]).text == edited
    assert current["humanEdited"]
    context.close()


def test_the_shared_link_page_lists_a_bundles_parts(browser: Browser, served: Served) -> None:
    review = bundle_review_waiting(served)
    made = served.call("POST", f"/v1/reviews/{review['reviewId']}/links", json={"expiresInHours": 24})
    assert made.status_code == 201, made.text
    token = made.json()["token"]
    copy_text = served.client.get(review["parts"][0]["preview"]["url"]).text
    findings: dict[str, Any] = {}
    for width in ("375", "1440"):
        outside = new_context(browser, served, width)  # no account
        page = outside.new_page()
        page.goto(f"/console/#/shared/{token}")
        expect(page.get_by_role("heading", name="Your decision")).to_be_visible()
        expect(page.locator("#shared-bundle-findings")).to_contain_text(
            next(v["message"] for v in review["violations"] if v["ruleId"] == ASPECT_RULE)
        )
        cards = page.locator("li.part")
        expect(cards).to_have_count(2)
        expect(cards.nth(0).get_by_role("heading")).to_have_text("Part 1: copy (text, the lead)")
        expect(cards.nth(0).locator(".text-preview")).to_have_text(copy_text)
        expect(cards.nth(1).get_by_role("heading")).to_have_text("Part 2: image (image)")
        page.wait_for_function("() => document.querySelector('li.part[data-part=image] img').naturalWidth > 0")
        page.wait_for_load_state("networkidle")
        screenshot(page, f"shared-bundle-{width}")
        findings[width] = axe_findings(page)
        assert no_sideways_scroll(page), f"the shared bundle page scrolls sideways at {width} px"
        if width != "1440":
            outside.close()
    assert {w: f for w, f in findings.items() if f} == {}
    page.get_by_label("Your name").fill("Olive Outsider")
    page.get_by_role("button", name="Approve").click()
    expect(page.locator("#shared-outcome")).to_contain_text("Thank you, Olive Outsider")
    assert served.settled(review["requestId"], TERMINAL, timeout=120)["status"] == "succeeded"
    outside.close()


def test_a_carousel_asked_for_in_the_form_shows_its_parts_on_the_request_page(page: Page, served: Served) -> None:
    sent: list[dict[str, Any]] = []
    page.on(
        "request", lambda r: sent.append(r.post_data_json) if r.method == "POST" and "/v1/assets" in r.url else None
    )
    page.goto("/console/#/requests/new")
    page.get_by_label("A bundle: a post, a reel or a carousel made and reviewed together").check()
    expect(page.get_by_label("Locales")).to_be_hidden()  # refused on a bundle: not offered
    expect(page.get_by_label("Images in the carousel")).to_be_hidden()
    page.get_by_label("Kind of bundle").select_option("carousel")
    page.get_by_label("Images in the carousel").fill("2")
    page.get_by_label("Brief").fill("Announce our spring hiking collection")
    page.get_by_label("Platform").select_option("linkedin")
    page.get_by_role("button", name="Submit request").click()
    expect(page.locator("#bundle-parts .part-status")).to_have_count(3, timeout=60_000)
    assert sent[0]["bundle"] == {"kind": "carousel", "imageCount": 2}
    assert "contentType" not in sent[0]
    expect(page.locator("#request-status-text")).to_have_text("Done", timeout=120_000)
    request_id = page.locator("#request-status .hint").first.inner_text().rsplit(" ", 1)[1]
    record = served.call("GET", f"/v1/requests/{request_id}").json()
    assert record["status"] == "succeeded", record
    shown = page.locator("#bundle-parts .part-status")
    for n, expected in enumerate(record["bundle"]["parts"]):
        expect(shown.nth(n).locator(".part-name")).to_have_text(f"{expected['partId']} ({expected['contentType']})")
        expect(shown.nth(n).locator(".part-state")).to_have_text("Saved")
        expect(shown.nth(n).get_by_role("link")).to_have_attribute(
            "href", f"#/assets/{expected['asset']['assetId']}/lineage"
        )
    assert [p["partId"] for p in record["bundle"]["parts"]] == ["copy", "image-1", "image-2"]
    screenshot(page, "request-bundle-done-1440")
    assert axe_findings(page) == []


def test_a_finding_on_the_copy_is_fixed_in_the_copys_own_editor(page: Page, served: Served) -> None:
    """A brief with banned claims: the copy's findings sit under the copy (marked in its text), the queue says it
    is a bundle, and the copy's "Edit" button selects the words in the copy's editor."""
    review = bundle_review_waiting(served, prompt=NONCOMPLIANT, bundle={"kind": "post"})
    own = [v for v in review["violations"] if not v["ruleId"].startswith("bundle.")]
    assert own, review["violations"]
    page.goto("/console/#/reviews")
    queued = page.locator(f'a[href$="{review["reviewId"]}"] .queue-title')
    expect(queued).to_have_text("bundle (copy, image) · round 0")
    open_review(page, review["reviewId"])
    copy = part(page, "copy")
    expect(copy.locator(".violation")).to_have_count(len(own))
    expect(page.locator("#bundle-findings .violation")).to_have_count(len(review["violations"]) - len(own))
    expect(copy.locator(".text-preview mark").first).to_contain_text("guaranteed")
    copy.get_by_role("button", name="Edit “guaranteed” in copy").click()
    editor = page.get_by_label("Edited text of copy")
    expect(editor).to_be_focused()
    selected = "() => { const e = document.activeElement; return e.value.slice(e.selectionStart, e.selectionEnd); }"
    assert page.evaluate(selected) == "guaranteed"
    page.keyboard.type("dependable")
    edited = editor.input_value()
    assert "guaranteed" not in edited
    screenshot(page, "review-bundle-copy-edit-1440")
    page.get_by_role("button", name="Approve with edits to copy").click()
    expect(outcome(page)).to_contain_text("Decision recorded: approved with edits (part copy)")
    record = served.settled(review["requestId"], TERMINAL, timeout=120)
    assert record["status"] == "succeeded", record
    copy_asset = record["bundle"]["parts"][0]["asset"]
    asset = served.call("GET", f"/v1/assets/{copy_asset['assetId']}").json()
    current = next(v for v in asset["versions"] if v["version"] == asset["currentVersion"])
    assert served.client.get(current["download"]["url"]).text == edited


def test_a_reels_video_and_music_parts_get_their_players_and_timelines(page: Page, served: Served) -> None:
    """A reel's review as the API documents it (ReviewPartView: preview with its URL, TimeRange locations): the
    offline reel rarely waits on a review, so its media parts are this test's own, on a real bundle review."""
    review = bundle_review_waiting(served)
    image = review["parts"][1]
    timed = {"ruleId": "audio.loudness", "severity": "warning", "message": "too loud", "count": 1, "locations": []}
    reel = {
        **review,
        "parts": [
            {**review["parts"][0], "partId": "script", "role": "script"},
            {
                **image,
                "partId": "video",
                "role": "video",
                "contentType": "video",
                "preview": {**image["preview"], "mimeType": "video/mp4"},
                "violations": [{**timed, "ruleId": "logo.missing", "location": {"startSeconds": 2, "endSeconds": 4}}],
            },
            {
                **image,
                "partId": "music",
                "role": "music",
                "contentType": "music",
                "required": False,
                "preview": {**image["preview"], "mimeType": "audio/wav"},
                "violations": [{**timed, "location": {"startSeconds": 6, "endSeconds": 8}}],
            },
        ],
    }
    page.route(f"**/v1/reviews/{review['reviewId']}", lambda r: r.fulfill(json=reel))
    open_review(page, review["reviewId"])
    expect(page.locator("li.part")).to_have_count(3)
    expect(part(page, "music").get_by_role("heading", level=3)).to_have_text("Part 3: music (audio, optional)")
    assert page.locator("#part-video-media").evaluate("v => v.tagName") == "VIDEO"
    assert page.locator("#part-music-media").evaluate("v => v.tagName") == "AUDIO"
    video_marks = page.get_by_role("group", name="Violations on the timeline of video").get_by_role("button")
    expect(video_marks).to_have_accessible_name("Violation 1, logo.missing, 0:02 to 0:04: play from there")
    music_marks = page.get_by_role("group", name="Violations on the timeline of music").get_by_role("button")
    expect(music_marks).to_have_accessible_name("Violation 1, audio.loudness, 0:06 to 0:08: play from there")
    expect(part(page, "video").locator("summary", has_text="Regenerate video")).to_have_count(1)
    expect(part(page, "video").locator("summary", has_text="Edit")).to_have_count(0)  # text parts only
    assert axe_findings(page) == []


def test_a_bundles_image_is_replaced_by_a_file_the_reviewer_uploads(page: Page, served: Served) -> None:
    """The tall image of a post bundle replaced by a square PNG from the reviewer's disk: it goes up through the
    presigned PUT (its progress shown), becomes the image part's next version, and the bundle is approved."""
    import io

    from PIL import Image

    review = bundle_review_waiting(served)
    open_review(page, review["reviewId"])
    expect(part(page, "copy").locator("summary", has_text="Replace")).to_have_count(0)  # text is edited, not replaced
    part(page, "image").locator("summary", has_text="Replace image").click()
    square = io.BytesIO()
    Image.new("RGB", (1080, 1080), (38, 70, 83)).save(square, format="PNG")
    page.get_by_label("Replacement file for image").set_input_files(
        {"name": "square.png", "mimeType": "image/png", "buffer": square.getvalue()}
    )
    page.get_by_role("button", name="Upload and approve image").click()
    expect(outcome(page)).to_contain_text("Decision recorded: approved with edits (part image)")
    assert page.locator("#part-image-progress").evaluate("p => p.value") == 100
    screenshot(page, "review-bundle-replaced-image-1440")
    record = served.settled(review["requestId"], TERMINAL, timeout=120)
    assert record["status"] == "succeeded", record
    copy, image_part = (p["asset"] for p in record["bundle"]["parts"])
    assert (copy["version"], image_part["version"]) == (1, 2)
    asset = served.call("GET", f"/v1/assets/{image_part['assetId']}").json()
    current = next(v for v in asset["versions"] if v["version"] == asset["currentVersion"])
    saved = Image.open(io.BytesIO(served.client.get(current["download"]["url"]).content))
    assert saved.size == (1080, 1080)
    assert saved.convert("RGB").getpixel((540, 540)) == (38, 70, 83)
    assert current["humanEdited"]
