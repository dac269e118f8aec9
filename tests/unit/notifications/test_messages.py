"""What each product event tells people, and where it goes."""

from __future__ import annotations

import pytest

from flashfusion.notifications.messages import (
    BUDGET_THRESHOLD,
    CHAT,
    POST_NEEDS_REAUTH,
    REQUEST_FAILED,
    REVIEW_REQUESTED,
    REVIEWERS,
    SUBJECT_CHARS,
    TOPIC,
    message_for,
    review_link,
)


def test_a_failed_request_names_the_request_and_its_cause_for_operators_and_chat() -> None:
    message = message_for(
        REQUEST_FAILED,
        {"orgId": "acme", "requestId": "r-1", "error": "FallbackChainExhausted", "cause": "All 3 failed"},
    )
    assert message is not None
    assert message.channels == (TOPIC, CHAT)
    assert "r-1" in message.subject
    assert "FallbackChainExhausted" in message.subject
    assert "All 3 failed" in message.text
    assert "acme" in message.text


def test_a_review_request_links_to_the_console_and_goes_to_reviewers_not_operators() -> None:
    detail = {"orgId": "acme", "requestId": "r-2", "reviewId": "rv-9", "violations": 2, "deadline": "2026-12-07"}
    message = message_for(REVIEW_REQUESTED, detail, "https://console.example.com/")
    assert message is not None
    assert message.link == "https://console.example.com/#/reviews/rv-9"
    assert message.channels == (CHAT, REVIEWERS)
    assert message.link in message.text
    assert "2 brand rule findings" in message.text


def test_without_a_console_url_a_review_message_has_no_link() -> None:
    message = message_for(REVIEW_REQUESTED, {"orgId": "acme", "reviewId": "rv-9"})
    assert message is not None
    assert message.link is None
    assert review_link("  ", "rv-9") is None


@pytest.mark.parametrize(
    ("detail_type", "detail", "words"),
    [
        (
            POST_NEEDS_REAUTH,
            {"orgId": "o", "platform": "x", "accountId": "a-1", "postId": "p", "reason": "401"},
            "re-auth",
        ),
        (
            BUDGET_THRESHOLD,
            {"orgId": "o", "thresholdPercent": 80, "spentUsd": 8.5, "limitUsd": 10, "month": "2026-12"},
            "80 %",
        ),
    ],
)
def test_operator_events_go_to_the_topic(detail_type: str, detail: dict[str, object], words: str) -> None:
    message = message_for(detail_type, detail)
    assert message is not None
    assert TOPIC in message.channels
    assert words in message.subject


def test_unknown_events_and_events_without_an_organisation_tell_nobody() -> None:
    assert message_for("AssetRequestCancelled", {"orgId": "acme"}) is None
    assert message_for(REQUEST_FAILED, {"requestId": "r"}) is None


def test_subjects_fit_sns_and_ses() -> None:
    message = message_for(REQUEST_FAILED, {"orgId": "o", "requestId": "r" * 300, "error": "E" * 300})
    assert message is not None
    assert len(message.subject) <= SUBJECT_CHARS
