"""The console end to end in headless Chromium against ffo serve: sign-in (local and OIDC code + PKCE), a
request submitted through the form, every review decision, a lost race (409), an expired review, the
heartbeat, lineage and the calendar; screenshots at three widths and axe-core with no serious or critical
finding on every page."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import time
import urllib.parse
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Route, expect

from tests.api.served import NONCOMPLIANT
from tests.browser.conftest import WIDTHS, Served, axe_findings, new_context, screenshot
from tests.helpers import ORG, submission

TERMINAL = {"succeeded", "failed", "rejected", "cancelled", "review_expired"}
ADMIN = ("reviewers", "admins")


def review_waiting(served: Served, **overrides: Any) -> dict[str, Any]:
    """A request whose text breaks the kit's banned terms, submitted through the API; its review."""
    body = submission(prompt=NONCOMPLIANT, channel="instagram", **overrides)
    accepted = served.call("POST", "/v1/assets", json=body)
    assert accepted.status_code == 202, accepted.text
    record = served.settled(accepted.json()["requestId"], TERMINAL | {"needs_review"})
    assert record["status"] == "needs_review", record
    review: dict[str, Any] = served.call("GET", f"/v1/reviews/{record['review']['reviewId']}").json()
    return review


def open_review(page: Page, review_id: str) -> None:
    page.goto(f"/console/#/reviews/{review_id}")
    expect(page.get_by_role("heading", name="Decide")).to_be_visible()


def outcome(page: Page) -> Any:
    return page.locator("#decision-outcome")


# sign-in -------------------------------------------------------------------------------------------------
def test_local_sign_in_asks_ffo_serve_for_a_token_and_keeps_it_for_the_tab(browser: Browser, served: Served) -> None:
    asked: list[dict[str, list[str]]] = []
    token = served.token(sub="dana", groups=("reviewers",))

    def local_token(route: Route) -> None:  # the /local/token contract: {token} for org, sub and groups
        asked.append(urllib.parse.parse_qs(urllib.parse.urlsplit(route.request.url).query))
        route.fulfill(status=200, content_type="application/json", body=json.dumps({"token": token}))

    context = new_context(browser, served)
    page = context.new_page()
    page.route("**/local/token?*", local_token)
    page.goto("/console/#/reviews")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_label("Organisation").fill(ORG)
    page.get_by_label("User").fill("dana")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", name="Reviews waiting")).to_be_visible()
    expect(page.locator("#who")).to_contain_text(f"dana · {ORG}")
    assert asked == [{"org": [ORG], "sub": ["dana"], "groups": ["reviewers"]}]
    assert page.evaluate("sessionStorage.getItem('ffo.idToken')") == token
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert page.evaluate("sessionStorage.getItem('ffo.idToken')") is None
    context.close()


def test_a_pasted_token_signs_in_when_the_server_has_no_local_token_route(browser: Browser, served: Served) -> None:
    context = new_context(browser, served)
    page = context.new_page()
    page.route("**/local/token?*", lambda route: route.fulfill(status=404, body='{"message":"Not Found"}'))
    page.goto("/console/#/calendar")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("paste a token")
    page.get_by_label("Token from ffo token").fill(served.token(sub="erin"))
    page.get_by_role("button", name="Use this token").click()
    expect(page.get_by_role("heading", name="Campaign calendar")).to_be_visible()
    context.close()


OIDC = {
    "mode": "oidc",
    "issuer": "https://issuer.invalid/pool",
    "clientId": "console-client",
    "authorizeUrl": "https://auth.invalid/oauth2/authorize",
    "tokenUrl": "https://auth.invalid/oauth2/token",
}


def oidc_page(
    browser: Browser, served: Served, on_authorize: Callable[[dict[str, str]], str]
) -> tuple[Page, list[dict[str, str]]]:
    """A console configured for an OIDC issuer whose two endpoints are played by this test (no network)."""
    exchanged: list[dict[str, str]] = []
    # ffo serve's CSP allows only its own origin (its console signs in locally); on AWS the issuer's token
    # endpoint is the console's to call.
    context = new_context(browser, served, bypass_csp=True)
    page = context.new_page()
    config = {"apiBase": "", "auth": OIDC, "heartbeatSeconds": 30}
    page.route("**/console/config.json", lambda r: r.fulfill(content_type="application/json", body=json.dumps(config)))

    def authorize(route: Route) -> None:
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(route.request.url).query))
        route.fulfill(status=302, headers={"location": on_authorize(query)})

    def token(route: Route) -> None:
        exchanged.append(dict(urllib.parse.parse_qsl(route.request.post_data or "")))
        route.fulfill(
            content_type="application/json",
            headers={"access-control-allow-origin": "*"},
            body=json.dumps({"id_token": served.token(sub="oidc-user"), "token_type": "Bearer"}),
        )

    page.route("https://auth.invalid/oauth2/authorize?*", authorize)
    page.route("https://auth.invalid/oauth2/token", token)
    return page, exchanged


def test_oidc_sign_in_is_authorization_code_with_pkce_s256_and_a_checked_state(
    browser: Browser, served: Served
) -> None:
    seen: list[dict[str, str]] = []

    def issue_code(query: dict[str, str]) -> str:
        seen.append(query)
        return f"{query['redirect_uri']}?code=the-code&state={urllib.parse.quote(query['state'])}"

    page, exchanged = oidc_page(browser, served, issue_code)
    page.goto("/console/#/calendar")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", name="Campaign calendar")).to_be_visible()
    [asked] = seen
    assert (asked["response_type"], asked["client_id"], asked["code_challenge_method"]) == (
        "code",
        "console-client",
        "S256",
    )
    assert asked["redirect_uri"] == f"{served.url}/console/"
    assert len(asked["state"]) >= 20
    assert "openid" in asked["scope"].split()
    [exchange] = exchanged
    assert (exchange["grant_type"], exchange["code"], exchange["client_id"]) == (
        "authorization_code",
        "the-code",
        "console-client",
    )
    verifier = exchange["code_verifier"]
    assert 43 <= len(verifier) <= 128
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest()).rstrip(b"=").decode()
    assert asked["code_challenge"] == challenge
    assert "code=" not in page.url  # the code does not stay in the address bar or history
    page.context.close()


def test_an_oidc_answer_with_another_state_is_refused(browser: Browser, served: Served) -> None:
    page, exchanged = oidc_page(browser, served, lambda q: f"{q['redirect_uri']}?code=stolen&state=forged")
    page.goto("/console/#/reviews")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("state mismatch")
    assert exchanged == []
    assert page.evaluate("sessionStorage.getItem('ffo.idToken')") is None
    page.context.close()


# requests and the four decisions --------------------------------------------------------------------------
def test_a_request_from_the_form_waits_for_review_then_an_approval_finishes_it(page: Page, served: Served) -> None:
    page.goto("/console/#/requests/new")
    page.get_by_label("Brief").fill(NONCOMPLIANT)
    page.get_by_label("instagram").check()
    page.get_by_label("Tier").select_option("basic")
    page.get_by_role("button", name="Submit request").click()
    expect(page.locator("#request-status-text")).to_have_text("Waiting for a reviewer", timeout=60_000)
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
    page.get_by_label("linkedin").check()
    page.get_by_role("button", name="Submit request").click()
    expect(page.locator("#request-status-text")).to_have_text("Done", timeout=60_000)
    download = page.locator("#download-link")
    expect(download).to_be_visible()
    request_id = seen[0].rsplit("/", 1)[1]
    record = served.call("GET", f"/v1/requests/{request_id}").json()
    assert record["status"] == "succeeded"
    fetched = served.http.get(download.get_attribute("href") or "")
    asset = served.call("GET", f"/v1/assets/{record['asset']['assetId']}").json()
    current = next(v for v in asset["versions"] if v["version"] == asset["currentVersion"])
    assert fetched.status_code == 200
    assert fetched.content == served.http.get(current["download"]["url"]).content


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
    saved = served.http.get(current["download"]["url"]).text
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


def test_an_open_review_page_sends_the_heartbeat_and_stops_when_left(browser: Browser, served: Served) -> None:
    review = review_waiting(served)
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
    page.wait_for_timeout(1500)
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


# calendar ------------------------------------------------------------------------------------------------
def _future(days: float) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def planned_post(served: Served, kit_id: str = "aurora-core") -> dict[str, Any]:
    admin = served.token(sub="admin-1", groups=ADMIN)
    served.call(
        "POST", "/v1/accounts", token=admin, json={"accountId": "outbox-main", "platform": "outbox", "handle": "l"}
    )
    done = served.settled(served.call("POST", "/v1/assets", json=submission()).json()["requestId"], TERMINAL)
    assert done["status"] == "succeeded", done
    campaign = served.call(
        "POST",
        "/v1/campaigns",
        json={"name": "Spring hiking", "brandKitId": kit_id, "startsAt": _future(1), "endsAt": _future(8)},
    ).json()
    body = {
        "assetId": done["asset"]["assetId"],
        "platform": "outbox",
        "accountId": "outbox-main",
        "scheduledAt": _future(2),
        "campaignId": campaign["campaignId"],
        "caption": "Spring is here",
    }
    created = served.call("POST", "/v1/posts", json=body)
    assert created.status_code == 201, created.text
    post: dict[str, Any] = created.json()
    return post


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
@pytest.mark.parametrize("width", list(WIDTHS))
def test_every_page_at_each_width_has_no_serious_accessibility_finding(
    browser: Browser, served: Served, width: str
) -> None:
    review = review_waiting(served)
    signed_in = new_context(browser, served, width, served.token())
    page = signed_in.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    pages = {
        "queue": ("#/reviews", page.locator('.queue[aria-busy="false"]')),
        "review": (f"#/reviews/{review['reviewId']}", page.get_by_role("heading", name="Decide")),
        "request": ("#/requests/new", page.get_by_role("heading", name="New request")),
        "calendar": ("#/calendar", page.locator('.calendar[aria-busy="false"]')),
        "shared-invalid": ("#/shared/not-a-link", page.get_by_role("heading", name="A review shared with you")),
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


def test_the_review_page_is_operable_from_the_keyboard(page: Page, served: Served) -> None:
    review = review_waiting(served)
    open_review(page, review["reviewId"])
    page.get_by_label("Reason").focus()
    page.keyboard.type("Not for us")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Reject"
    page.keyboard.press("Enter")
    expect(outcome(page)).to_contain_text("Decision recorded: rejected")


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
