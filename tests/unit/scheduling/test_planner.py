from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flashfusion.scheduling.models import (
    Cadence,
    Campaign,
    CampaignPlan,
    CampaignTarget,
    PlanAsset,
    Post,
    PostingRules,
    PostStatus,
    QuietHours,
)
from flashfusion.scheduling.planner import format_plan, plan_campaign
from flashfusion.scheduling.platform_rules import DEFAULT_RULES

T0 = datetime(2024, 1, 1, tzinfo=UTC)
COUNTED = {PostStatus.SCHEDULED, PostStatus.PUBLISHING, PostStatus.PUBLISHED, PostStatus.NEEDS_REAUTH}


def campaign(
    starts_at: datetime,
    ends_at: datetime,
    targets: Sequence[tuple[str, str]] = (("linkedin", "li-1"),),
    time_zone: str = "UTC",
    **cadence: object,
) -> Campaign:
    return Campaign(
        campaign_id="camp-1",
        org_id="org-1",
        name="Spring",
        brand_kit_id="kit-1",
        starts_at=starts_at,
        ends_at=ends_at,
        time_zone=time_zone,
        targets=[CampaignTarget(platform=platform, account_id=account) for platform, account in targets],  # type: ignore[arg-type]
        cadence=Cadence(**cadence),  # type: ignore[arg-type]
        created_at=T0,
        updated_at=T0,
    )


def post(
    platform: str, account: str, at: datetime, asset: str = "old", status: PostStatus = PostStatus.SCHEDULED
) -> Post:
    return Post(
        post_id=f"p-{platform}-{account}-{asset}-{int(at.timestamp())}",
        org_id="org-1",
        asset_id=asset,
        asset_version=1,
        platform=platform,  # type: ignore[arg-type]
        account_id=account,
        scheduled_at=at,
        status=status,
        created_at=T0,
        updated_at=T0,
    )


def assets(n: int, *platforms: str) -> list[PlanAsset]:
    return [PlanAsset(asset_id=f"a{i}", platforms=list(platforms)) for i in range(n)]  # type: ignore[arg-type]


def quiet(q: QuietHours | None, wall: time) -> bool:
    """An independent reading of quiet hours, so a planner bug there cannot hide in the check."""
    if q is None or q.start == q.end:
        return False
    minutes = wall.hour * 60 + wall.minute + wall.second / 60
    start, end = q.start.hour * 60 + q.start.minute, q.end.hour * 60 + q.end.minute
    if start < end:
        return start <= minutes < end
    return minutes >= start or minutes < end


def check(
    plan: CampaignPlan,
    camp: Campaign,
    items: Sequence[PlanAsset],
    now: datetime,
    rules: Mapping[str, PostingRules] | None = None,
    existing: Sequence[Post] = (),
) -> None:
    """Every hard constraint and the accounting invariant."""
    zone = ZoneInfo(camp.time_zone)
    start, end = max(camp.starts_at, now), camp.ends_at
    targets = list(dict.fromkeys((t.platform, t.account_id) for t in camp.targets))
    expected = Counter(
        (asset.asset_id, platform, account)
        for asset in {a.asset_id: a for a in reversed(items)}.values()
        for platform, account in targets
        if not asset.platforms or platform in asset.platforms
    )
    got = Counter((s.asset_id, s.platform, s.account_id) for s in plan.slots)
    got.update((u.asset_id, u.platform, u.account_id) for u in plan.unplaced)
    assert got == expected, "every (asset, target) pair exactly once in slots or unplaced"
    assert all(u.reason for u in plan.unplaced)

    counted = [p for p in existing if p.status in COUNTED]
    for platform, account in targets:
        rule = (rules or {}).get(platform) or DEFAULT_RULES[platform]  # type: ignore[index]
        cap = min(rule.daily_limit, camp.cadence.max_posts_per_day.get(platform, rule.daily_limit))
        gap = timedelta(minutes=max(camp.cadence.min_gap_minutes, rule.min_gap_minutes))
        mine = [s for s in plan.slots if (s.platform, s.account_id) == (platform, account)]
        old = [p for p in counted if (p.platform, p.account_id) == (platform, account)]
        old_assets = {p.asset_id for p in old}
        per_day: Counter[date] = Counter(p.scheduled_at.astimezone(zone).date() for p in old)
        new_days: set[date] = set()
        for slot in mine:
            local = slot.at.astimezone(zone)
            assert start <= slot.at < end, f"{slot.at} outside the window"
            assert not quiet(camp.cadence.quiet_hours, local.time()), f"{local} in quiet hours"
            assert datetime.fromisoformat(slot.local_time) == slot.at
            assert slot.asset_id not in old_assets
            assert slot.reason
            per_day[local.date()] += 1
            new_days.add(local.date())
        for day in new_days:
            assert per_day[day] <= cap, f"{platform}/{account} has {per_day[day]} posts on {day}, limit {cap}"
        times = sorted([s.at for s in mine] + [p.scheduled_at for p in old])
        new = {s.at for s in mine}
        for before, after in pairwise(times):
            if before in new or after in new:
                assert after - before >= gap, f"{before} and {after} closer than {gap}"
        assert len({s.asset_id for s in mine}) == len(mine)


def plan_and_check(
    camp: Campaign,
    items: list[PlanAsset],
    now: datetime,
    rules: Mapping[str, PostingRules] | None = None,
    existing: Sequence[Post] = (),
) -> CampaignPlan:
    plan = plan_campaign(camp, items, rules=rules, existing=existing, now=now)
    check(plan, camp, items, now, rules, existing)
    return plan


def local_times(plan: CampaignPlan) -> list[str]:
    zone = ZoneInfo(plan.time_zone)
    return [f"{s.at.astimezone(zone):%Y-%m-%d %H:%M}" for s in plan.slots]


# --- examples -------------------------------------------------------------------------------------


def test_spread_evenly_over_the_window_at_preferred_times() -> None:
    start = datetime(2024, 5, 6, tzinfo=UTC)
    camp = campaign(start, start + timedelta(days=10), preferred_times=[time(9, 0), time(17, 0)])
    plan = plan_and_check(camp, assets(10), start)
    assert len(plan.slots) == 10
    assert len({s.at.date() for s in plan.slots}) == 10, "one a day, not all on day one"
    assert {s.at.time() for s in plan.slots} <= {time(9, 0), time(17, 0)}
    assert plan.slots[0].reason.startswith("evenly spread: slot 1 of 10 on linkedin; preferred time ")


def test_default_times_when_none_are_preferred() -> None:
    start = datetime(2024, 5, 6, tzinfo=UTC)
    plan = plan_and_check(campaign(start, start + timedelta(days=3)), assets(3), start)
    assert all("default linkedin time" in s.reason for s in plan.slots)


def test_quiet_hours_spanning_midnight() -> None:
    start = datetime(2024, 5, 6, tzinfo=UTC)
    camp = campaign(
        start,
        start + timedelta(days=3),
        targets=[("x", "x-1")],
        time_zone="Asia/Kolkata",
        quiet_hours=QuietHours(start=time(20, 0), end=time(10, 0)),
        preferred_times=[time(8, 0), time(12, 0), time(23, 0)],
        min_gap_minutes=60,
    )
    plan = plan_and_check(camp, assets(12), start)
    walls = {s.at.astimezone(ZoneInfo("Asia/Kolkata")).time() for s in plan.slots}
    assert all(time(10, 0) <= wall < time(20, 0) for wall in walls)
    assert time(12, 0) in walls


def test_all_preferred_times_in_quiet_hours_is_unplaced_with_the_reason() -> None:
    start = datetime(2024, 5, 6, tzinfo=UTC)
    camp = campaign(start, start + timedelta(days=3), preferred_times=[time(23, 0), time(6, 30)])
    plan = plan_and_check(camp, assets(2), start)
    assert not plan.slots
    assert [u.reason for u in plan.unplaced] == [
        "all slots in quiet hours: every preferred time (06:30, 23:00) is in quiet hours 22:00-07:00"
    ] * 2


def test_quiet_hours_covering_every_default_time_fall_back_to_daytime() -> None:
    start = datetime(2024, 5, 6, tzinfo=UTC)
    camp = campaign(start, start + timedelta(days=2), quiet_hours=QuietHours(start=time(7, 0), end=time(6, 0)))
    plan = plan_and_check(camp, assets(2), start)
    assert [s.at.time() for s in plan.slots] == [time(6, 30), time(6, 30)]
    assert "daytime 06:30" in plan.slots[0].reason


@pytest.mark.parametrize(
    ("zone", "day", "expected_utc"),
    [
        ("Europe/Paris", date(2024, 3, 31), datetime(2024, 3, 31, 1, 30, tzinfo=UTC)),  # 03:30 CEST
        ("America/New_York", date(2024, 3, 10), datetime(2024, 3, 10, 7, 30, tzinfo=UTC)),  # 03:30 EDT
    ],
)
def test_spring_forward_a_missing_time_moves_past_the_gap(zone: str, day: date, expected_utc: datetime) -> None:
    start = datetime.combine(day, time(0, 0), tzinfo=ZoneInfo(zone))
    camp = campaign(start, start + timedelta(hours=20), time_zone=zone, quiet_hours=None, preferred_times=[time(2, 30)])
    plan = plan_and_check(camp, assets(1), start)
    (slot,) = plan.slots
    assert slot.at == expected_utc
    assert slot.at.astimezone(ZoneInfo(zone)).time() == time(3, 30)
    assert f"02:30 does not exist on {day} (clocks go forward), so 03:30" in slot.reason


def test_spring_forward_missing_time_landing_in_quiet_hours_is_not_used() -> None:
    start = datetime(2024, 3, 31, 0, 0, tzinfo=ZoneInfo("Europe/Paris"))
    camp = campaign(
        start,
        start + timedelta(hours=20),
        time_zone="Europe/Paris",
        quiet_hours=QuietHours(start=time(3, 0), end=time(4, 0)),
        preferred_times=[time(2, 30)],
    )
    plan = plan_and_check(camp, assets(1), start)
    assert not plan.slots
    assert plan.unplaced[0].reason.startswith("all slots in quiet hours or outside the window")


@pytest.mark.parametrize(
    ("zone", "day", "wall", "first_utc"),
    [
        ("Europe/Paris", date(2024, 10, 27), time(2, 30), datetime(2024, 10, 27, 0, 30, tzinfo=UTC)),
        ("America/New_York", date(2024, 11, 3), time(1, 30), datetime(2024, 11, 3, 5, 30, tzinfo=UTC)),
    ],
)
def test_fall_back_a_repeated_time_is_used_once_at_its_first_occurrence(
    zone: str, day: date, wall: time, first_utc: datetime
) -> None:
    tz = ZoneInfo(zone)
    start = datetime.combine(day, time(0, 0), tzinfo=tz)
    camp = campaign(
        start,
        datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=tz),  # a 25-hour local day
        targets=[("webhook", "hook")],
        time_zone=zone,
        quiet_hours=None,
        preferred_times=[wall],
        min_gap_minutes=30,
        max_posts_per_day={"webhook": 2},
    )
    plan = plan_and_check(camp, assets(2), start)
    assert plan.slots[0].at == first_utc
    # The named time exists once (fold=0): the second post does not take its second pass an hour later,
    # it moves from the first by just the gap.
    assert plan.slots[1].at == first_utc + timedelta(minutes=30)
    assert plan.slots[1].reason.endswith(f"moved 30 min later for the 30 min gap to the {wall:%H:%M} post")


def test_daily_limit_counts_local_days_not_utc_days() -> None:
    # 20:00 UTC on May 5 is 01:30 IST on May 6: with one post a day, May 6 (local) is already full.
    zone = "Asia/Kolkata"
    start = datetime(2024, 5, 6, 0, 0, tzinfo=ZoneInfo(zone))
    camp = campaign(
        start, start + timedelta(days=3), time_zone=zone, quiet_hours=None, max_posts_per_day={"linkedin": 1}
    )
    existing = [post("linkedin", "li-1", datetime(2024, 5, 5, 20, 0, tzinfo=UTC))]
    plan = plan_and_check(camp, assets(3), start, existing=existing)
    days = [s.at.astimezone(ZoneInfo(zone)).date() for s in plan.slots]
    assert date(2024, 5, 6) not in days
    assert sorted(days) == [date(2024, 5, 7), date(2024, 5, 8)]
    assert "daily limit of 1" in plan.unplaced[0].reason
    assert "counting 1 existing post(s)" in plan.unplaced[0].reason


def test_existing_posts_push_a_slot_later_for_the_gap() -> None:
    start = datetime(2024, 5, 6, tzinfo=UTC)
    camp = campaign(start, start + timedelta(days=1), preferred_times=[time(9, 0)], min_gap_minutes=120)
    existing = [
        post("linkedin", "li-1", datetime(2024, 5, 6, 8, 0, tzinfo=UTC)),
        post("linkedin", "li-1", datetime(2024, 5, 6, 9, 0, tzinfo=UTC), status=PostStatus.CANCELLED),
        post("linkedin", "other", datetime(2024, 5, 6, 9, 0, tzinfo=UTC)),
    ]
    rules = {"linkedin": PostingRules(platform="linkedin", daily_limit=5, min_gap_minutes=30)}
    plan = plan_and_check(camp, assets(1), start, rules=rules, existing=existing)
    (slot,) = plan.slots
    assert slot.at == datetime(2024, 5, 6, 10, 0, tzinfo=UTC)
    assert slot.reason.endswith("preferred time 09:00; moved 1 h later for the 2 h gap to the 08:00 post")


def test_the_tighter_of_rule_and_cadence_wins() -> None:
    start = datetime(2024, 5, 6, tzinfo=UTC)
    rules = {"x": PostingRules(platform="x", daily_limit=2, min_gap_minutes=180)}
    loose = campaign(start, start + timedelta(days=2), targets=[("x", "x-1")], max_posts_per_day={"x": 5})
    plan = plan_and_check(loose, assets(6), start, rules=rules)
    assert len(plan.slots) == 4
    assert all(b.at - a.at >= timedelta(hours=3) for a, b in pairwise(plan.slots))
    tight = campaign(start, start + timedelta(days=2), targets=[("x", "x-1")], max_posts_per_day={"x": 1})
    assert len(plan_and_check(tight, assets(6), start, rules=rules).slots) == 2


def test_window_starting_in_the_past_plans_from_now() -> None:
    start = datetime(2024, 5, 1, tzinfo=UTC)
    now = datetime(2024, 5, 4, 13, 7, tzinfo=UTC)
    camp = campaign(start, start + timedelta(days=7), targets=[("x", "x-1")])
    plan = plan_and_check(camp, assets(6), now)
    assert all(s.at >= now for s in plan.slots)
    assert plan.notes[0] == "startsAt is in the past: planning from now, 2024-05-04 13:07 UTC"


def test_window_already_over() -> None:
    start = datetime(2024, 5, 1, tzinfo=UTC)
    camp = campaign(start, start + timedelta(days=1))
    plan = plan_and_check(camp, assets(2), start + timedelta(days=2))
    assert [u.reason for u in plan.unplaced] == ["the campaign window ended at 2024-05-02 00:00 UTC"] * 2


def test_asset_restricted_to_one_platform() -> None:
    start = datetime(2024, 5, 6, tzinfo=UTC)
    camp = campaign(start, start + timedelta(days=5), targets=[("x", "x-1"), ("linkedin", "li-1"), ("x", "x-2")])
    items = [PlanAsset(asset_id="only-x", platforms=["x"]), PlanAsset(asset_id="nowhere", platforms=["bluesky"])]
    plan = plan_and_check(camp, items, start)
    assert sorted((s.platform, s.account_id) for s in plan.slots) == [("x", "x-1"), ("x", "x-2")]
    assert any("nowhere allows only bluesky" in note for note in plan.notes)


def test_asset_already_on_the_account_is_not_posted_again() -> None:
    start = datetime(2024, 5, 6, tzinfo=UTC)
    camp = campaign(start, start + timedelta(days=5))
    existing = [post("linkedin", "li-1", datetime(2024, 4, 1, 9, tzinfo=UTC), asset="a0", status=PostStatus.PUBLISHED)]
    plan = plan_and_check(camp, assets(2), start, existing=existing)
    assert [s.asset_id for s in plan.slots] == ["a1"]
    assert plan.unplaced[0].reason.startswith("already published on this account for 2024-04-01 09:00 UTC")


def test_impossible_campaign_everything_unplaced_with_reasons() -> None:
    start = datetime(2024, 5, 6, 21, 0, tzinfo=UTC)
    camp = campaign(
        start,
        start + timedelta(hours=12),  # one evening and night, mostly quiet
        targets=[("linkedin", "li-1"), ("x", "x-1"), ("instagram", "ig-1")],
        max_posts_per_day={"x": 0},
        preferred_times=[time(21, 30)],
    )
    plan = plan_and_check(camp, assets(3), start)
    reasons = {(u.platform, u.reason) for u in plan.unplaced}
    assert ("x", "maxPostsPerDay for x is 0: the campaign allows no posts there") in reasons
    linkedin = [u for u in plan.unplaced if u.platform == "linkedin"]
    assert len(linkedin) == 2
    assert linkedin[0].reason.startswith("window full for linkedin/li-1 (1 of 3 placed)")
    assert len(plan.slots) == 2  # 21:30 once on linkedin, once on instagram


def test_deterministic_and_formatted() -> None:
    start = datetime(2024, 3, 28, tzinfo=UTC)
    camp = campaign(
        start, start + timedelta(days=5), targets=[("x", "x-1"), ("linkedin", "li-1")], time_zone="Europe/Paris"
    )
    items = assets(14)
    first = plan_campaign(camp, items, now=start)
    assert first == plan_campaign(camp, items, now=start)
    text = format_plan(first)
    assert text.startswith(f"Campaign camp-1 (Europe/Paris): {len(first.slots)} post(s) planned, ")
    assert "LOCAL TIME" in text
    assert "CEST" in text
    assert "CET" in text
    assert f"Unplaced ({len(first.unplaced)}):" in text
    assert first.unplaced[0].reason in text


def test_now_must_be_aware() -> None:
    start = datetime(2024, 5, 6, tzinfo=UTC)
    with pytest.raises(ValueError, match="aware"):
        plan_campaign(campaign(start, start + timedelta(days=1)), assets(1), now=datetime(2024, 5, 6))


# --- properties -----------------------------------------------------------------------------------

ZONES = [
    "UTC",
    "Europe/Paris",
    "America/New_York",
    "Asia/Kolkata",
    "Australia/Adelaide",
    "Australia/Lord_Howe",
    "America/St_Johns",
    "Asia/Kathmandu",
    "Pacific/Chatham",
    "America/Santiago",
]
# Near DST changes in at least one zone above: EU, US, AU, Chile, NZ spring and autumn 2024.
ANCHORS = [
    datetime(2024, 3, 9, 12, tzinfo=UTC),
    datetime(2024, 3, 30, 12, tzinfo=UTC),
    datetime(2024, 4, 6, 0, tzinfo=UTC),
    datetime(2024, 9, 7, 12, tzinfo=UTC),
    datetime(2024, 9, 28, 0, tzinfo=UTC),
    datetime(2024, 10, 5, 0, tzinfo=UTC),
    datetime(2024, 10, 26, 12, tzinfo=UTC),
    datetime(2024, 11, 2, 12, tzinfo=UTC),
    datetime(2024, 7, 1, 0, tzinfo=UTC),
]
TARGETS = [
    ("x", "x-1"),
    ("linkedin", "li-1"),
    ("linkedin", "li-2"),
    ("instagram", "ig-1"),
    ("webhook", "hook"),
    ("outbox", "x-1"),
]
PLATFORMS = sorted({platform for platform, _ in TARGETS} | {"bluesky"})
walls = st.builds(time, st.integers(0, 23), st.sampled_from([0, 0, 15, 30, 45, 59]))


@st.composite
def scenarios(
    draw: st.DrawFn,
) -> tuple[Campaign, list[PlanAsset], dict[str, PostingRules] | None, list[Post], datetime]:
    start = draw(st.sampled_from(ANCHORS)) + timedelta(minutes=draw(st.integers(-3 * 1440, 3 * 1440)))
    duration = timedelta(minutes=draw(st.integers(30, 12 * 1440)))
    now = start + timedelta(minutes=draw(st.integers(-1440, int(duration.total_seconds() // 60) + 60)))
    targets = draw(st.lists(st.sampled_from(TARGETS), min_size=1, max_size=4, unique=True))
    quiet_hours = draw(st.none() | st.builds(QuietHours, start=walls, end=walls))
    camp = campaign(
        start,
        start + duration,
        targets=targets,
        time_zone=draw(st.sampled_from(ZONES)),
        quiet_hours=quiet_hours,
        min_gap_minutes=draw(st.integers(1, 600)),
        preferred_times=draw(st.lists(walls, max_size=4)),
        max_posts_per_day=draw(st.dictionaries(st.sampled_from(PLATFORMS), st.integers(0, 5), max_size=3)),
    )
    rules = draw(
        st.none()
        | st.dictionaries(
            st.sampled_from(PLATFORMS),
            st.builds(lambda n, g: (n, g), st.integers(1, 6), st.integers(0, 300)),
            max_size=4,
        ).map(lambda d: {p: PostingRules(platform=p, daily_limit=n, min_gap_minutes=g) for p, (n, g) in d.items()})  # type: ignore[arg-type]
    )
    n_assets = draw(st.integers(0, 14))
    items = [
        PlanAsset(asset_id=f"a{i}", platforms=draw(st.lists(st.sampled_from(PLATFORMS), max_size=2, unique=True)))  # type: ignore[arg-type]
        for i in range(n_assets)
    ]
    existing = [
        post(
            platform,
            account,
            start + timedelta(minutes=draw(st.integers(-1440, int(duration.total_seconds() // 60) + 1440))),
            asset=draw(st.sampled_from([f"a{i}" for i in range(n_assets)] + ["old-1", "old-2"])),
            status=draw(st.sampled_from(list(PostStatus))),
        )
        for platform, account in draw(st.lists(st.sampled_from(TARGETS), max_size=10))
    ]
    return camp, items, rules, existing, now


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_property_hard_constraints_and_accounting(
    scenario: tuple[Campaign, list[PlanAsset], dict[str, PostingRules] | None, list[Post], datetime],
) -> None:
    camp, items, rules, existing, now = scenario
    plan = plan_and_check(camp, items, now, rules, existing)
    assert plan == plan_campaign(camp, items, rules=rules, existing=existing, now=now), "deterministic"


@st.composite
def crowded(draw: st.DrawFn) -> tuple[Campaign, list[PlanAsset], list[Post], datetime]:
    """Few days, many assets, tight limits, odd offsets: where day boundaries and gaps bite."""
    zone = draw(st.sampled_from(ZONES))
    start = draw(st.sampled_from(ANCHORS)) + timedelta(minutes=draw(st.integers(0, 1440)))
    duration = timedelta(hours=draw(st.integers(12, 96)))
    camp = campaign(
        start,
        start + duration,
        targets=[("x", "x-1")],
        time_zone=zone,
        quiet_hours=draw(st.none() | st.builds(QuietHours, start=walls, end=walls)),
        min_gap_minutes=draw(st.integers(1, 240)),
        preferred_times=draw(st.lists(walls, max_size=3)),
        max_posts_per_day={"x": draw(st.integers(1, 3))},
    )
    existing = [
        post("x", "x-1", start + timedelta(minutes=draw(st.integers(-600, int(duration.total_seconds() // 60)))))
        for _ in range(draw(st.integers(0, 4)))
    ]
    return camp, assets(draw(st.integers(5, 30))), existing, start


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(crowded())
def test_property_crowded_accounts_keep_limits(
    scenario: tuple[Campaign, list[PlanAsset], list[Post], datetime],
) -> None:
    camp, items, existing, now = scenario
    plan_and_check(camp, items, now, None, existing)
