"""What the console's browser tests set up through the API: a review waiting, a planned post."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

from playwright.sync_api import Page, expect

from tests.api.served import NONCOMPLIANT
from tests.browser.conftest import Served, backoff
from tests.helpers import submission

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


TALL_POST = {"kind": "post", "parts": {"image": {"options": {"size": "1080x1920"}}}}
"""A post whose image is 9:16: Instagram takes 4:5 to 1.91:1, so the bundle lint sends the bundle to review."""


def bundle_review_waiting(
    served: Served, round_: int = 0, request_id: str | None = None, **overrides: Any
) -> dict[str, Any]:
    """A post bundle (caption and image) waiting on a review of both parts in ``round_``; submitted through the
    API (a 9:16 image, or ``overrides``) unless ``request_id`` names one already sent back."""
    if request_id is None:
        body = submission(channel="instagram", **{"bundle": TALL_POST, **overrides})
        del body["contentType"]  # a bundle's request is its lead text part
        accepted = served.call("POST", "/v1/assets", json=body)
        assert accepted.status_code == 202, accepted.text
        request_id = accepted.json()["requestId"]
    deadline = time.monotonic() + 120
    for pause in backoff():
        record = served.call("GET", f"/v1/requests/{request_id}").json()
        assert record["status"] not in TERMINAL, record
        if record["status"] == "needs_review" and record["review"]["round"] == round_:
            break
        assert time.monotonic() < deadline, f"no review in round {round_}: {record['status']}"
        time.sleep(pause)
    review: dict[str, Any] = served.call("GET", f"/v1/reviews/{record['review']['reviewId']}").json()
    assert [p["partId"] for p in review["parts"]] == ["copy", "image"], review
    return review
