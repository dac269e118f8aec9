"""NEEDS THE console-api BRANCH (shared review links, approval policies): not collected until then.

These tests drive the console's outside-reviewer page and a two-step approval against the routes the
console-api branch adds (POST /v1/reviews/{id}/links, GET and POST /v1/shared-reviews/{token}, the
brand kit's review.approvals). They passed on a trial merge of console-web and console-api; once both are
merged, rename this file to test_outside_reviewers_and_approvals.py so pytest collects it.
"""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Browser, expect

from tests.api.served import NONCOMPLIANT
from tests.browser.conftest import Served, new_context, screenshot
from tests.browser.flows import ADMIN, TERMINAL, open_review, outcome, review_waiting
from tests.helpers import submission


def test_an_outside_reviewer_decides_through_a_link_with_the_name_they_give(browser: Browser, served: Served) -> None:
    review = review_waiting(served)
    inside = new_context(browser, served, token=served.token())
    page = inside.new_page()
    open_review(page, review["reviewId"])
    page.get_by_label("Who it is for (optional)").fill("Legal advisor")
    page.get_by_role("button", name="Create link").click()
    link = page.get_by_label("Link for the outside reviewer")
    url = link.input_value()
    assert "/console/#/shared/" in url
    inside.close()

    outside = new_context(browser, served)  # no account, no token
    page = outside.new_page()
    page.goto(url)
    expect(page.locator("#text-preview")).to_contain_text("guaranteed")
    page.get_by_role("button", name="Approve").click()  # no name yet: nothing is sent
    expect(page.locator("#shared-outcome")).to_contain_text("give your name")
    page.get_by_label("Your name").fill("Olive Outsider")
    page.get_by_role("button", name="Approve").click()
    expect(page.locator("#shared-outcome")).to_contain_text("Thank you, Olive Outsider")
    screenshot(page, "shared-decided-1440")
    decided = served.call("GET", f"/v1/reviews/{review['reviewId']}").json()
    assert decided["decision"] == "approve"
    assert "Olive Outsider" in str(decided["reviewer"])
    assert served.settled(review["requestId"], TERMINAL)["status"] == "succeeded"
    page.reload()
    expect(page.locator("#shared-outcome")).to_contain_text("already decided (approve)")
    outside.close()


def test_a_two_step_approval_waits_for_each_group_in_order(
    browser: Browser, served: Served, sample_kit: dict[str, Any]
) -> None:
    steps = [{"group": "brand", "label": "Brand check"}, {"group": "legal", "label": "Legal sign-off"}]
    kit = {**sample_kit, "kitId": "aurora-two-step", "review": {"approvals": steps}, "logos": []}
    kit.pop("version", None)
    admin = served.token(sub="admin-1", groups=ADMIN)
    put = served.call("PUT", "/v1/brand-kits/aurora-two-step", token=admin, json=kit)
    assert put.status_code in (200, 201), put.text
    requester = served.token(sub="requester-1", groups=("reviewers", "brand"))
    body = submission(prompt=NONCOMPLIANT, brandKitId="aurora-two-step")
    accepted = served.call("POST", "/v1/assets", token=requester, json=body).json()
    record = served.settled(accepted["requestId"], TERMINAL | {"needs_review"})
    assert record["status"] == "needs_review", record
    review_id = record["review"]["reviewId"]

    own = new_context(browser, served, token=requester)  # nobody approves their own request
    page = own.new_page()
    open_review(page, review_id)
    page.get_by_role("button", name="Approve", exact=True).click()
    expect(outcome(page)).to_contain_text("The decision failed")
    own.close()

    brand = new_context(browser, served, token=served.token(sub="brenda", groups=("reviewers", "brand")))
    page = brand.new_page()
    open_review(page, review_id)
    expect(page.locator("#next-approval")).to_have_text("step 1: Brand check")
    page.get_by_role("button", name="Approve", exact=True).click()
    expect(outcome(page)).to_contain_text("Your approval is recorded (step 1)")
    expect(outcome(page)).to_contain_text("Next: Legal sign-off")
    expect(page.get_by_role("button", name="Approve", exact=True)).to_be_disabled()
    brand.close()
    assert served.call("GET", f"/v1/requests/{accepted['requestId']}").json()["status"] == "needs_review"

    legal = new_context(browser, served, token=served.token(sub="lena", groups=("reviewers", "legal")))
    page = legal.new_page()
    open_review(page, review_id)
    expect(page.locator("#approvals")).to_have_text("brand by brenda")
    expect(page.locator("#next-approval")).to_have_text("step 2: Legal sign-off")
    page.get_by_role("button", name="Approve", exact=True).click()
    expect(outcome(page)).to_contain_text("Decision recorded: approved")
    screenshot(page, "review-two-step-1440")
    legal.close()
    assert served.settled(accepted["requestId"], TERMINAL)["status"] == "succeeded"


def test_local_sign_in_through_ffo_serves_own_token_route(browser: Browser, served: Served) -> None:
    context = new_context(browser, served)
    page = context.new_page()
    page.goto("/console/#/reviews")
    page.get_by_label("User").fill("riley")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", name="Reviews waiting")).to_be_visible()
    expect(page.locator("#who")).to_contain_text("riley · acme")
    me = page.evaluate(
        "async () => (await fetch('/v1/me', {headers: {authorization: "
        "'Bearer ' + sessionStorage.getItem('ffo.idToken')}})).json()"
    )
    assert (me["sub"], me["orgId"]) == ("riley", "acme")
    assert "reviewers" in me["groups"]
    context.close()
