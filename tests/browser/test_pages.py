"""The calendar, an image review with boxes and an upload, and every page at 375, 768 and 1440 px:
screenshots in out/screenshots/ and axe-core with no serious or critical finding."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.api.served import NONCOMPLIANT
from tests.browser.conftest import WIDTHS, Served, axe_findings, new_context, screenshot
from tests.browser.flows import TERMINAL, open_review, outcome, planned_post, review_waiting
from tests.helpers import submission


def test_the_queue_lists_pending_reviews_oldest_first_with_time_left_and_filters_them(
    page: Page, served: Served, undecided_review: dict[str, Any]
) -> None:
    first, second = undecided_review, review_waiting(served)  # the second made after the first
    page.goto("/console/#/reviews")
    expect(page.locator('.queue[aria-busy="false"]')).to_be_visible()
    links = page.locator(".queue-link")
    shown = [str(href).rsplit("/", 1)[1] for href in links.evaluate_all("els => els.map(e => e.getAttribute('href'))")]
    assert shown.index(first["reviewId"]) < shown.index(second["reviewId"])
    pending = served.call("GET", "/v1/reviews", params={"status": "pending", "limit": 100}).json()["items"]
    by_age = [r["reviewId"] for r in sorted(pending, key=lambda r: r["createdAt"])]
    assert [r for r in shown if r in by_age] == [r for r in by_age if r in shown]
    item = page.locator(".queue-item", has=page.locator(f'a[href$="{first["reviewId"]}"]'))
    expect(item.locator(".late, dd").last).to_have_text(re.compile(r"^\d+ d \d+ h$"))
    expect(item.locator(".badge")).to_have_text("Error")

    page.get_by_label("Worst severity").select_option("warning")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator(f'a[href$="{first["reviewId"]}"]')).to_have_count(0)
    page.get_by_label("Worst severity").select_option("error")
    page.get_by_label("Medium").select_option("image")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator(f'a[href$="{first["reviewId"]}"]')).to_have_count(0)
    page.get_by_label("Medium").select_option("text")
    page.get_by_label("Age").select_option("3600")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator(f'a[href$="{first["reviewId"]}"]')).to_have_count(1)
    assert page.url.split("#", 1)[1] == "/reviews?medium=text&age=3600&worstSeverity=error"
    page.reload()  # the filters are kept in the address
    expect(page.get_by_label("Age")).to_have_value("3600")
    expect(page.get_by_label("Medium")).to_have_value("text")


def test_the_calendar_shows_posts_by_day_and_platform_and_reschedules_and_cancels(page: Page, served: Served) -> None:
    post = planned_post(served)
    page.goto("/console/#/calendar")
    item = page.locator(".post", has_text=f"Post {post['postId']}")
    expect(item).to_contain_text("Spring is here")
    expect(page.locator(".day", has=item).locator(".platform").first).to_have_text("outbox")
    new_time = (datetime.now() + timedelta(days=3)).replace(hour=9, minute=30, second=0, microsecond=0)
    item.get_by_label(f"New time for post {post['postId']}").fill(new_time.strftime("%Y-%m-%dT%H:%M"))
    item.get_by_role("button", name="Reschedule").click()
    expect(page.get_by_role("alert")).to_contain_text("Post rescheduled")
    moved = served.call("GET", f"/v1/posts/{post['postId']}").json()
    assert datetime.fromisoformat(moved["scheduledAt"].replace("Z", "+00:00")) == new_time.astimezone(UTC)
    page.locator(".post", has_text=f"Post {post['postId']}").get_by_role("button", name="Cancel post").click()
    expect(page.get_by_role("alert")).to_contain_text("Post cancelled")
    assert served.call("GET", f"/v1/posts/{post['postId']}").json()["status"] == "cancelled"


# every page: screenshots at three widths, axe-core ---------------------------------------------------------
@pytest.fixture(scope="module")
def shown(served: Served, undecided_review: dict[str, Any]) -> dict[str, Any]:
    """What the pages show: a review waiting, a saved asset (its lineage) and a planned post (the calendar)."""
    post = planned_post(served)
    return {"review": undecided_review, "assetId": post["assetId"]}


@pytest.mark.parametrize("width", list(WIDTHS))
def test_every_page_at_each_width_has_no_serious_accessibility_finding(
    browser: Browser, served: Served, shown: dict[str, Any], width: str
) -> None:
    review = shown["review"]
    signed_in = new_context(browser, served, width, served.token())
    page = signed_in.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    pages = {
        "queue": ("#/reviews", page.locator('.queue[aria-busy="false"]')),
        "review": (f"#/reviews/{review['reviewId']}", page.get_by_role("heading", name="Decide")),
        "request": ("#/requests/new", page.get_by_role("heading", name="New request")),
        "calendar": ("#/calendar", page.locator('.calendar[aria-busy="false"] .post').first),
        "lineage": (f"#/assets/{shown['assetId']}/lineage", page.locator(".version").first),
        "shared-invalid": ("#/shared/not-a-link", page.get_by_role("alert").filter(has_text="not valid")),
    }
    findings: dict[str, Any] = {}
    for name, (hash_route, ready) in pages.items():
        page.goto(f"/console/{hash_route}")
        expect(ready).to_be_visible()
        page.wait_for_load_state("networkidle")
        screenshot(page, f"{name}-{width}")
        findings[name] = axe_findings(page)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{name} scrolls sideways at {width} px"
    signed_in.close()
    anonymous = new_context(browser, served, width)
    page = anonymous.new_page()
    page.goto("/console/#/reviews")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    screenshot(page, f"sign-in-{width}")
    findings["sign-in"] = axe_findings(page)
    anonymous.close()
    assert {name: found for name, found in findings.items() if found} == {}
    assert errors == []


# an image review: boxes on the image, a replacement file uploaded with progress ----------------------------
def test_an_image_review_draws_the_boxes_and_approves_an_uploaded_replacement(browser: Browser, served: Served) -> None:
    accepted = served.call("POST", "/v1/assets", json=submission(contentType="image", prompt=NONCOMPLIANT)).json()
    record = served.settled(accepted["requestId"], TERMINAL | {"needs_review"})
    assert record["status"] == "needs_review", record
    review = served.call("GET", f"/v1/reviews/{record['review']['reviewId']}").json()
    boxes = [v["location"] for v in review["violations"] if v.get("location") and "x" in v["location"]]
    assert boxes
    findings: dict[str, Any] = {}
    for width in WIDTHS:
        context = new_context(browser, served, width, served.token())
        page = context.new_page()
        open_review(page, review["reviewId"])
        image = page.locator("#preview-image")
        expect(page.locator(".image-stage .box")).to_have_count(len(boxes))
        shown = image.bounding_box()
        natural = page.evaluate(
            "() => { const i = document.getElementById('preview-image'); return [i.naturalWidth, i.naturalHeight]; }"
        )
        first = page.locator(".image-stage .box").first.bounding_box()
        assert shown
        assert first
        scale = shown["width"] / natural[0]
        assert abs(first["x"] - (shown["x"] + boxes[0]["x"] * scale)) <= 2
        assert abs(first["width"] - boxes[0]["width"] * scale) <= 2
        screenshot(page, f"review-image-{width}")
        findings[width] = axe_findings(page)
        if width != "1440":
            context.close()
    assert {w: f for w, f in findings.items() if f} == {}

    from PIL import Image

    replacement = io.BytesIO()
    Image.new("RGB", (64, 48), (20, 90, 160)).save(replacement, format="PNG")
    page.get_by_text("Approve with edits").click()
    page.get_by_label("Replacement file").set_input_files(
        {"name": "fixed.png", "mimeType": "image/png", "buffer": replacement.getvalue()}
    )
    page.get_by_role("button", name="Upload and approve").click()
    expect(outcome(page)).to_contain_text("Decision recorded: approved with edits")
    assert page.locator("#upload-progress").evaluate("p => p.value") == 100
    done = served.settled(review["requestId"], TERMINAL)
    assert done["status"] == "succeeded", done
    asset = served.call("GET", done["assetUrl"]).json()
    current = next(v for v in asset["versions"] if v["version"] == asset["currentVersion"])
    assert current["humanEdited"]
    assert current["mimeType"] == "image/png"
    page.context.close()
