"""Publishing a post exactly once, and classifying what the platform said."""

from __future__ import annotations

import json
import threading
import time
from datetime import timedelta

import pytest

from flashfusion.app.posts import schedule
from flashfusion.app.publishing import publish
from flashfusion.errors import PublishAuthExpired, PublishRateLimited, PublishRejected, PublishUnavailable
from flashfusion.scheduling.models import AccountStatus, PostStatus
from tests.unit.campaigns.world import FakePublisher, World

pytestmark = pytest.mark.filterwarnings("ignore:Couldn.t determine the remaining time left")


def scheduled(world: World, text: str = "Spring hiking, ready when you are.", platform: str = "x", **kw: object):  # type: ignore[no-untyped-def]
    account = world.account(f"acct-{platform}", platform)
    post = world.post(world.asset(text, **kw), account)  # type: ignore[arg-type]
    stored, _ = schedule(post, world.scheduling)
    return stored


def test_a_due_post_is_published_and_keeps_the_platform_id_and_url(world: World) -> None:
    post = scheduled(world)

    outcome = publish(post.org_id, post.post_id, world.publish_deps())

    assert outcome.outcome == "published"
    assert outcome.status == PostStatus.PUBLISHED
    stored = world.scheduling.posts.get(post.org_id, post.post_id)
    assert (stored.platform_post_id, stored.platform_url) == ("pp-1", "https://example.test/p/1")
    ((account_id, credentials, content),) = world.publisher.calls
    assert account_id == "acct-x"
    assert credentials == {"accessToken": "token-acct-x"}
    assert content.text == "Spring hiking, ready when you are."
    assert content.media is None
    assert content.idempotency_key == f"{post.org_id}:{post.post_id}:acct-x"


def test_firing_the_same_schedule_twice_posts_once(world: World) -> None:
    post = scheduled(world)
    deps = world.publish_deps()

    first = publish(post.org_id, post.post_id, deps)
    second = publish(post.org_id, post.post_id, deps)

    assert (first.outcome, second.outcome) == ("published", "duplicate")
    assert second.platform_post_id == first.platform_post_id
    assert len(world.publisher.calls) == 1


def test_a_retry_after_the_record_write_failed_gets_the_stored_result_not_a_second_post(world: World) -> None:
    post = scheduled(world)
    deps = world.publish_deps()
    publish(post.org_id, post.post_id, deps)
    # as if the invocation died after posting, before it marked the post published
    world.scheduling.posts.put(
        world.scheduling.posts.get(post.org_id, post.post_id).model_copy(update={"status": PostStatus.SCHEDULED})
    )

    again = publish(post.org_id, post.post_id, deps)

    assert again.outcome == "published"
    assert again.platform_post_id == "pp-1"
    assert len(world.publisher.calls) == 1


@pytest.mark.usefixtures("item_atomic_moto")
def test_concurrent_fires_of_one_schedule_post_once(world: World) -> None:
    post = scheduled(world)
    world.publisher = FakePublisher(delay=0.3)
    barrier = threading.Barrier(4)
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def fire() -> None:
        deps = world.publish_deps()
        barrier.wait()
        try:
            outcomes.append(publish(post.org_id, post.post_id, deps).outcome)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=fire) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert not errors, errors
    assert len(world.publisher.calls) == 1
    assert sorted(outcomes).count("published") == 1
    assert set(outcomes) <= {"published", "in_progress", "duplicate"}
    assert world.scheduling.posts.get(post.org_id, post.post_id).status == PostStatus.PUBLISHED


def test_a_fire_that_read_the_post_before_another_published_it_reports_a_duplicate(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The interleaving a loaded machine gives the concurrent fires: B reads the post while it is still scheduled,
    A publishes it and marks it, then B goes on (its delivery is the stored result, not a second post)."""
    post = scheduled(world)
    deps = world.publish_deps()
    assert publish(post.org_id, post.post_id, deps).outcome == "published"  # A
    as_b_read_it = post.model_copy()  # scheduled
    repository = type(world.scheduling.posts)
    real_get = repository.get
    reads = iter([as_b_read_it])
    monkeypatch.setattr(repository, "get", lambda self, org, pid: next(reads, None) or real_get(self, org, pid))

    b = publish(post.org_id, post.post_id, deps)

    assert b.outcome == "duplicate", b
    assert len(world.publisher.calls) == 1
    stored = real_get(world.scheduling.posts, post.org_id, post.post_id)
    assert stored.status == PostStatus.PUBLISHED
    assert stored.attempts == 1  # B did not count an attempt of its own


def test_an_expired_token_marks_account_and_post_and_emits_an_event(world: World) -> None:
    post = scheduled(world)
    world.publisher = FakePublisher(errors=[PublishAuthExpired("token expired (code 89)", platform="x")])

    outcome = publish(post.org_id, post.post_id, world.publish_deps())

    assert outcome.outcome == "needs_reauth"
    assert world.scheduling.posts.get(post.org_id, post.post_id).status == PostStatus.NEEDS_REAUTH
    account = world.scheduling.accounts.get(post.org_id, post.account_id)
    assert account.status == AccountStatus.NEEDS_REAUTH
    assert "token expired" in (account.status_reason or "")
    (event,) = world.events
    assert event["DetailType"] == "PostNeedsReauth"
    assert json.loads(event["Detail"])["postId"] == post.post_id
    # no blind retry: firing again publishes nothing and calls nobody
    assert publish(post.org_id, post.post_id, world.publish_deps()).outcome == "skipped"
    assert world.publisher.calls == []


def test_an_account_already_needing_reauth_is_not_called(world: World) -> None:
    post = scheduled(world)
    world.scheduling.accounts.set_status(post.org_id, post.account_id, AccountStatus.NEEDS_REAUTH, "revoked")
    outcome = publish(post.org_id, post.post_id, world.publish_deps())
    assert outcome.outcome == "needs_reauth"
    assert world.publisher.calls == []
    assert world.credentials_read == []


def test_rate_limited_schedules_a_retry_at_the_platforms_reset(world: World) -> None:
    post = scheduled(world)
    world.publisher = FakePublisher(errors=[PublishRateLimited("429 too many requests", platform="x", retry_after=900)])

    outcome = publish(post.org_id, post.post_id, world.publish_deps())

    assert outcome.outcome == "rescheduled"
    assert outcome.status == PostStatus.SCHEDULED
    stored = world.scheduling.posts.get(post.org_id, post.post_id)
    assert stored.attempts == 1
    assert stored.schedule_name == f"post-{post.post_id}-retry1"
    assert stored.scheduled_at == world.now() + timedelta(seconds=901)
    retry = world.scheduler_client.get_schedule(Name=stored.schedule_name, GroupName="ffo-posts")
    assert retry["ScheduleExpression"] == f"at({(world.now() + timedelta(seconds=901)):%Y-%m-%dT%H:%M:%S})"
    # the retry fire publishes (the failed attempt left no idempotency record behind)
    assert publish(post.org_id, post.post_id, world.publish_deps()).outcome == "published"
    assert len(world.publisher.calls) == 1


def test_rejected_content_fails_with_the_platforms_reason(world: World) -> None:
    post = scheduled(world)
    world.publisher = FakePublisher(errors=[PublishRejected("duplicate content (code 187)", platform="x")])
    outcome = publish(post.org_id, post.post_id, world.publish_deps())
    assert outcome.outcome == "failed"
    assert "duplicate content (code 187)" in (outcome.reason or "")
    stored = world.scheduling.posts.get(post.org_id, post.post_id)
    assert stored.status == PostStatus.FAILED
    assert "code 187" in (stored.error or "")


def test_an_unknown_error_is_raised_for_the_retries_and_a_retry_can_publish(world: World) -> None:
    post = scheduled(world)
    world.publisher = FakePublisher(errors=[PublishUnavailable("502 bad gateway", platform="x")])
    with pytest.raises(PublishUnavailable):
        publish(post.org_id, post.post_id, world.publish_deps())
    stored = world.scheduling.posts.get(post.org_id, post.post_id)
    assert stored.status == PostStatus.SCHEDULED
    assert stored.attempts == 1
    assert "502" in (stored.error or "")
    assert publish(post.org_id, post.post_id, world.publish_deps()).outcome == "published"


def test_a_cancelled_post_is_not_published(world: World) -> None:
    from flashfusion.app.posts import cancel

    post = scheduled(world)
    cancel(post.org_id, post.post_id, world.scheduling)
    assert publish(post.org_id, post.post_id, world.publish_deps()).outcome == "skipped"
    assert world.publisher.calls == []


def test_an_asset_that_is_no_longer_approved_is_not_published(world: World) -> None:
    post = scheduled(world, lint_passed=False)
    outcome = publish(post.org_id, post.post_id, world.publish_deps())
    assert outcome.outcome == "failed"
    assert "not approved" in (outcome.reason or "")
    assert world.publisher.calls == []


def test_text_over_the_platforms_limit_is_not_published(world: World) -> None:
    post = scheduled(world, text="word " * 100)  # 500 characters: over X's 280
    outcome = publish(post.org_id, post.post_id, world.publish_deps())
    assert outcome.outcome == "failed"
    assert "not compliant for x" in (outcome.reason or "")
    assert world.publisher.calls == []


def test_a_platform_not_enabled_goes_to_the_outbox(world: World) -> None:
    post = scheduled(world, platform="linkedin")
    outcome = publish(post.org_id, post.post_id, world.publish_deps(enabled=frozenset({"outbox"})))
    assert outcome.outcome == "published"
    assert outcome.via == "outbox"
    assert world.credentials_read == []  # the outbox needs no credentials


def test_a_platform_not_enabled_without_outbox_fails_clearly(world: World) -> None:
    post = scheduled(world, platform="linkedin")
    outcome = publish(post.org_id, post.post_id, world.publish_deps(enabled=frozenset({"x"})))
    assert outcome.outcome == "failed"
    assert "not enabled" in (outcome.reason or "")


# the real X adapter, with respx standing in for api.x.com ------------------------------------------
def x_deps(world: World):  # type: ignore[no-untyped-def]
    from flashfusion.publishers import publisher_for

    deps = world.publish_deps()
    deps.publisher_for = lambda platform: publisher_for(platform)
    return deps


def test_the_x_adapter_posts_once_and_keeps_the_tweet_id_and_url(world: World) -> None:
    import httpx
    import respx

    post = scheduled(world)
    with respx.mock(assert_all_called=True) as router:
        route = router.post("https://api.x.com/2/tweets").mock(
            return_value=httpx.Response(201, json={"data": {"id": "1850000000000000001", "text": "Spring hiking"}})
        )
        first = publish(post.org_id, post.post_id, x_deps(world))
        second = publish(post.org_id, post.post_id, x_deps(world))
    assert route.call_count == 1
    assert route.calls[0].request.headers["authorization"] == "Bearer token-acct-x"
    assert json.loads(route.calls[0].request.content) == {"text": "Spring hiking, ready when you are."}
    assert (first.outcome, second.outcome) == ("published", "duplicate")
    stored = world.scheduling.posts.get(post.org_id, post.post_id)
    assert stored.platform_post_id == "1850000000000000001"
    assert stored.platform_url == "https://x.com/acct-x/status/1850000000000000001"


def test_the_x_adapter_401_means_needs_reauth_and_429_a_retry_at_the_reset(world: World) -> None:
    import httpx
    import respx

    expired = scheduled(world)
    limited = world.post(world.asset(), world.account("acct-x2", "x"))
    schedule(limited, world.scheduling)
    reset = int(time.time()) + 20 * 60  # the adapter reads X's reset against the real clock
    with respx.mock() as router:
        router.post("https://api.x.com/2/tweets").mock(
            side_effect=[
                httpx.Response(401, json={"title": "Unauthorized", "detail": "Unauthorized", "status": 401}),
                httpx.Response(429, headers={"x-rate-limit-reset": str(reset)}, json={"title": "Too Many Requests"}),
            ]
        )
        deps = x_deps(world)
        assert publish(expired.org_id, expired.post_id, deps).outcome == "needs_reauth"
        outcome = publish(limited.org_id, limited.post_id, deps)
    assert outcome.outcome == "rescheduled"
    retry_at = world.scheduling.posts.get(limited.org_id, limited.post_id).scheduled_at
    assert retry_at >= world.now() + timedelta(minutes=19)
    assert retry_at <= world.now() + timedelta(minutes=22)
    assert [e["DetailType"] for e in world.events] == ["PostNeedsReauth"]
