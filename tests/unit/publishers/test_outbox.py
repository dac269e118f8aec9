"""The outbox publisher (embedded default) and the publisher registry."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from flashfusion.errors import PublishUnavailable
from flashfusion.publishers import PLATFORMS, publisher_for
from flashfusion.publishers.base import PublishContent
from flashfusion.publishers.bluesky import BlueskyPublisher
from flashfusion.publishers.meta import FacebookPagePublisher, InstagramPublisher
from flashfusion.publishers.outbox import OutboxPublisher
from flashfusion.scheduling.models import PlatformAccount
from tests.unit.publishers.conftest import PNG, fixed_clock

ACCOUNT = PlatformAccount(account_id="acc-out", platform="outbox", handle="local", settings={"orgId": "org-aurora"})
KEY = "post-123:acc-out"


def test_writes_json_and_media_under_org_and_date(tmp_path: Path) -> None:
    publisher = OutboxPublisher(tmp_path, clock=fixed_clock)
    content = PublishContent(
        text="Spring", media=PNG, media_mime_type="image/png", alt_text="tent", idempotency_key=KEY
    )

    result = publisher.publish(ACCOUNT, {}, content)

    directory = tmp_path / "org-aurora" / "2026-03-02"
    record_path = directory / f"{result.platform_post_id}.json"
    record = json.loads(record_path.read_text())
    assert record["text"] == "Spring"
    assert record["idempotencyKey"] == KEY
    assert record["publishedAt"] == "2026-03-02T12:00:00Z"
    assert record["media"]["sha256"] == hashlib.sha256(PNG).hexdigest()
    assert (directory / record["media"]["file"]).read_bytes() == PNG
    assert record["media"]["file"].endswith(".png")
    assert result.url == record_path.resolve().as_uri()
    assert not list(directory.glob(".*.tmp"))  # no temporaries left behind


def test_same_key_twice_is_one_post_even_on_another_day(tmp_path: Path) -> None:
    first = OutboxPublisher(tmp_path, clock=fixed_clock).publish(
        ACCOUNT, {}, PublishContent(text="a", idempotency_key=KEY)
    )
    later = OutboxPublisher(tmp_path, clock=lambda: datetime(2026, 3, 5, 9, 0, tzinfo=UTC))
    second = later.publish(ACCOUNT, {}, PublishContent(text="a", idempotency_key=KEY))

    assert second.platform_post_id == first.platform_post_id
    assert second.url == first.url
    assert len(list(tmp_path.rglob("*.json"))) == 1


def test_different_keys_are_different_posts_and_account_is_the_fallback_owner(tmp_path: Path) -> None:
    account = ACCOUNT.model_copy(update={"settings": {}})
    publisher = OutboxPublisher(tmp_path, clock=fixed_clock)

    one = publisher.publish(account, {}, PublishContent(text="a", idempotency_key="k1"))
    two = publisher.publish(account, {}, PublishContent(text="a", idempotency_key="k2"))

    assert one.platform_post_id != two.platform_post_id
    assert sorted(p.parent.parent.name for p in tmp_path.rglob("*.json")) == ["acc-out", "acc-out"]


def test_unwritable_outbox_is_unavailable(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")

    with pytest.raises(PublishUnavailable):
        OutboxPublisher(blocker, clock=fixed_clock).publish(ACCOUNT, {}, PublishContent(text="a", idempotency_key=KEY))


def test_registry_covers_every_platform(tmp_path: Path) -> None:
    assert set(PLATFORMS) == {"x", "linkedin", "facebook", "instagram", "bluesky", "mastodon", "webhook", "outbox"}
    for platform in PLATFORMS:
        publisher = publisher_for(platform, outbox_dir=tmp_path, clock=fixed_clock)
        assert publisher.platform == platform
    assert isinstance(publisher_for("facebook"), FacebookPagePublisher)
    assert isinstance(publisher_for("instagram"), InstagramPublisher)
    assert isinstance(publisher_for("bluesky"), BlueskyPublisher)


@pytest.mark.parametrize("as_str", [False, True])
def test_registry_outbox_uses_the_given_dir(tmp_path: Path, as_str: bool) -> None:
    outbox_dir = str(tmp_path) if as_str else tmp_path
    result = publisher_for("outbox", outbox_dir=outbox_dir, clock=fixed_clock).publish(
        ACCOUNT, {}, PublishContent(text="a", idempotency_key=KEY)
    )
    assert result.url is not None
    assert result.url.startswith(tmp_path.resolve().as_uri())


def test_registry_refuses_unknown_platform() -> None:
    with pytest.raises(ValueError, match="tiktok"):
        publisher_for("tiktok")
