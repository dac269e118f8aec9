"""The campaign planner: which asset goes to which account when. Pure: models in, a plan out.

Every (asset, allowed target) pair ends up exactly once in ``slots`` or ``unplaced``. Hard constraints,
checked on the real instant read back in the campaign's time zone (so DST can never sneak a post into
quiet hours or onto the wrong day):

- inside [max(startsAt, now), endsAt);
- never in quiet hours (local wall clock; start after end spans midnight; start == end means none);
- at most min(rules.dailyLimit, cadence.maxPostsPerDay[platform]) posts per account per LOCAL day;
- at least max(cadence.minGapMinutes, rules.minGapMinutes) between two posts on one account;
- one asset at most once per account.

Existing posts that are (or will be) out on the account count against the daily limit, the gap and
the one-asset rule, whichever campaign they came from.

How a post is placed: post i of n on an account aims at the instant i + 1/2 of the way through the
window (even spread), on its local day; it takes the nearest posting time of that day (preferred
times, else the platform's default times) free as named; only when every one of them is too close to
another post does it move by just enough for the gap, later if that stays on the day outside quiet
hours, else earlier. A full day sends it to the nearest day with room, later days first. Once an
account has no room anywhere, the rest of its assets are unplaced with the reason, without searching
again (placing posts only ever removes room).

DST: a posting time is turned into an instant with fold=0. For a repeated hour (fall back) that is the
first occurrence, so the time is used once; for a missing hour (spring forward) zoneinfo applies the
offset from before the change, which lands as far after the gap as the time was inside it (02:30 ->
03:30 in Paris); the reason says so, and quiet hours are checked on 03:30, the time people see.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flashfusion.scheduling.models import (
    Campaign,
    CampaignPlan,
    CampaignTarget,
    PlanAsset,
    PlannedSlot,
    Platform,
    Post,
    PostingRules,
    PostStatus,
    QuietHours,
    Unplaced,
)
from flashfusion.scheduling.platform_rules import DEFAULT_POSTING_TIMES, rules_for

COUNTED_STATUSES: frozenset[PostStatus] = frozenset(
    {PostStatus.SCHEDULED, PostStatus.PUBLISHING, PostStatus.PUBLISHED, PostStatus.NEEDS_REAUTH}
)
"""Existing posts that occupy their account. NEEDS_REAUTH still goes out once the account is re-linked;
failed and cancelled posts never will."""

_DAYTIME_SLOTS = 4


def _naive(value: time) -> time:
    # Wall-clock rules are read in the campaign's zone; an offset on a bare time would be meaningless.
    return value.replace(tzinfo=None)


def in_quiet_hours(wall: time, quiet: QuietHours | None) -> bool:
    """Whether a local wall-clock time is inside quiet hours; ``end`` is the first time allowed again."""
    if quiet is None:
        return False
    start, end, wall = _naive(quiet.start), _naive(quiet.end), _naive(wall)
    if start == end:
        return False
    if start < end:
        return start <= wall < end
    return wall >= start or wall < end


def _duration(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return f"{hours} h {rest} min"
    if hours:
        return f"{hours} h"
    return f"{minutes} min"


def _quiet_text(quiet: QuietHours | None) -> str:
    if quiet is None or _naive(quiet.start) == _naive(quiet.end):
        return ""
    return f" outside quiet hours {_naive(quiet.start):%H:%M}-{_naive(quiet.end):%H:%M}"


@dataclass(frozen=True, slots=True)
class _Candidate:
    at: datetime  # UTC
    wall: time  # the posting time it came from, as named (before any DST shift)
    day: date  # local date of ``at``
    label: str
    note: str | None


@dataclass(frozen=True, slots=True)
class _Times:
    """The posting times of one platform in this campaign, or why there are none."""

    times: tuple[time, ...]
    label: str
    problem: str | None = None


def _posting_times(platform: Platform, preferred: Sequence[time], quiet: QuietHours | None) -> _Times:
    if preferred:
        named = sorted({_naive(value) for value in preferred})
        usable = tuple(value for value in named if not in_quiet_hours(value, quiet))
        if not usable:
            listed = ", ".join(f"{value:%H:%M}" for value in named)
            span = "" if quiet is None else f" {_naive(quiet.start):%H:%M}-{_naive(quiet.end):%H:%M}"
            return _Times(
                (),
                "preferred time",
                f"all slots in quiet hours: every preferred time ({listed}) is in quiet hours{span}",
            )
        return _Times(usable, "preferred time")
    defaults = tuple(value for value in DEFAULT_POSTING_TIMES[platform] if not in_quiet_hours(value, quiet))
    if defaults:
        return _Times(defaults, f"default {platform} time")
    # Quiet hours swallow every default: spread a few times over what is left of the day. The end of
    # quiet hours is always allowed, so the list is never empty.
    open_times = [time(hour, minute) for hour in range(24) for minute in (0, 30)]
    open_times = [value for value in open_times if not in_quiet_hours(value, quiet)]
    if not open_times and quiet is not None:
        open_times = [_naive(quiet.end)]
    if len(open_times) > _DAYTIME_SLOTS:
        step = (len(open_times) - 1) / (_DAYTIME_SLOTS - 1)
        open_times = [open_times[round(k * step)] for k in range(_DAYTIME_SLOTS)]
    return _Times(tuple(open_times), "daytime")


@dataclass(slots=True)
class _Window:
    zone: ZoneInfo
    start: datetime  # UTC, inclusive
    end: datetime  # UTC, exclusive
    first_day: date
    n_days: int
    quiet: QuietHours | None

    def local(self, at: datetime) -> datetime:
        return at.astimezone(self.zone)

    def day_index(self, at: datetime) -> int:
        return min(max((self.local(at).date() - self.first_day).days, 0), self.n_days - 1)

    def grid(self, times: _Times) -> list[list[_Candidate]]:
        """Candidates per local day, in time order: in the window and out of quiet hours."""
        days: list[list[_Candidate]] = [[] for _ in range(self.n_days)]
        seen: set[datetime] = set()
        for offset in range(self.n_days):
            day = self.first_day + timedelta(days=offset)
            for wall in times.times:
                named = datetime.combine(day, wall, tzinfo=self.zone)  # fold=0, deliberately (module doc)
                at = named.astimezone(UTC)
                if not self.start <= at < self.end or at in seen:
                    continue
                local = at.astimezone(self.zone)
                if in_quiet_hours(local.time(), self.quiet):
                    continue
                note = None
                if local.replace(tzinfo=None) != named.replace(tzinfo=None):
                    note = f"{wall:%H:%M} does not exist on {day} (clocks go forward), so {local:%H:%M}"
                index = (local.date() - self.first_day).days
                if not 0 <= index < self.n_days:
                    continue
                seen.add(at)
                days[index].append(_Candidate(at, wall, local.date(), f"{times.label} {wall:%H:%M}", note))
        for candidates in days:
            candidates.sort(key=lambda candidate: candidate.at)
        return days


def _day_order(first: int, n_days: int) -> Iterator[int]:
    """The ideal day, then outwards, later before earlier at the same distance."""
    yield first
    for distance in range(1, n_days):
        if first + distance < n_days:
            yield first + distance
        if first - distance >= 0:
            yield first - distance


@dataclass(slots=True)
class _Account:
    target: CampaignTarget
    cap: int
    gap: timedelta
    occupied: list[datetime] = field(default_factory=list)  # UTC, sorted
    per_day: dict[date, int] = field(default_factory=dict)
    posted: dict[str, Post] = field(default_factory=dict)
    existing: int = 0

    def add_existing(self, post: Post, window: _Window) -> None:
        at = post.scheduled_at.astimezone(UTC)
        insort(self.occupied, at)
        day = window.local(at).date()
        self.per_day[day] = self.per_day.get(day, 0) + 1
        self.existing += 1
        if post.asset_id not in self.posted or at < self.posted[post.asset_id].scheduled_at:
            self.posted[post.asset_id] = post

    def add(self, at: datetime, day: date) -> None:
        insort(self.occupied, at)
        self.per_day[day] = self.per_day.get(day, 0) + 1

    def room(self, day: date) -> bool:
        return self.per_day.get(day, 0) < self.cap

    def fit(self, candidate: _Candidate, window: _Window) -> tuple[datetime, datetime | None] | None:
        """The candidate, else the nearest instant on its day that keeps the gap: later, then earlier.

        Returns (instant, the post it had to move away from) or None.
        """
        at, gap, occupied = candidate.at, self.gap, self.occupied
        index = bisect_right(occupied, at - gap)  # everything before is at least a gap earlier
        if index == len(occupied) or occupied[index] >= at + gap:
            return at, None
        blocker = None
        while index < len(occupied) and occupied[index] < at + gap:
            blocker = occupied[index]
            at = blocker + gap
            index += 1
        if blocker is not None and self._allowed(at, candidate.day, window):
            return at, blocker
        # Moving earlier finds the room before a run of taken times (07:00 before a 09:00 post).
        at = candidate.at
        index = bisect_left(occupied, at + gap) - 1  # everything after is at least a gap later
        blocker = None
        while index >= 0 and occupied[index] > at - gap:
            blocker = occupied[index]
            at = blocker - gap
            index -= 1
        if blocker is not None and self._allowed(at, candidate.day, window):
            return at, blocker
        return None

    @staticmethod
    def _allowed(at: datetime, day: date, window: _Window) -> bool:
        if not window.start <= at < window.end:
            return False
        local = window.local(at)
        return local.date() == day and not in_quiet_hours(local.time(), window.quiet)


@dataclass(slots=True)
class _Placement:
    asset_index: int
    asset_id: str
    target_index: int
    at: datetime
    reason: str


def _describe_target(target: CampaignTarget) -> str:
    return f"{target.platform}/{target.account_id}"


def _plan_account(
    account: _Account,
    target_index: int,
    assets: Sequence[tuple[int, str]],
    window: _Window,
    grid: list[list[_Candidate]],
    times: _Times,
    placements: list[_Placement],
    unplaced: list[Unplaced],
    notes: list[str],
) -> None:
    target = account.target
    platform, account_id = target.platform, target.account_id

    def refuse(asset_id: str, reason: str) -> None:
        unplaced.append(Unplaced(asset_id=asset_id, platform=platform, account_id=account_id, reason=reason))

    to_place: list[tuple[int, str]] = []
    for asset_index, asset_id in assets:
        earlier = account.posted.get(asset_id)
        if earlier is not None:
            when = window.local(earlier.scheduled_at).strftime("%Y-%m-%d %H:%M %Z")
            refuse(asset_id, f"already {earlier.status.value} on this account for {when} (post {earlier.post_id})")
        else:
            to_place.append((asset_index, asset_id))
    if not to_place:
        return

    blocked: str | None = None
    if account.cap <= 0:
        blocked = f"maxPostsPerDay for {platform} is {account.cap}: the campaign allows no posts there"
    elif times.problem is not None:
        blocked = times.problem
    elif not any(grid):
        named = ", ".join(f"{value:%H:%M}" for value in times.times)
        blocked = (
            f"all slots in quiet hours or outside the window: no {times.label} ({named}) falls between "
            f"{window.local(window.start):%Y-%m-%d %H:%M} and {window.local(window.end):%Y-%m-%d %H:%M}"
            f"{_quiet_text(window.quiet)}"
        )

    n = len(to_place)
    span = window.end - window.start
    placed = 0
    for position, (asset_index, asset_id) in enumerate(to_place):
        if blocked is not None:
            refuse(asset_id, blocked)
            continue
        ideal = window.start + span * (2 * position + 1) / (2 * n)
        ideal_day = window.day_index(ideal)
        found = _find(account, window, grid, ideal, ideal_day)
        if found is None:
            blocked = _full_reason(account, window, grid, placed, n)
            refuse(asset_id, blocked)
            continue
        candidate, at, blocker = found
        account.add(at, candidate.day)
        placed += 1
        parts = [f"evenly spread: slot {position + 1} of {n} on {platform}", candidate.label]
        if candidate.note:
            parts.append(candidate.note)
        wanted = window.first_day + timedelta(days=ideal_day)
        if candidate.day != wanted:
            parts.append(f"nearest day with room to {wanted:%Y-%m-%d}")
        if blocker is not None:
            blocker_local = window.local(blocker)
            shown = (
                f"{blocker_local:%H:%M}" if blocker_local.date() == candidate.day else f"{blocker_local:%Y-%m-%d %H:%M}"
            )
            direction = "later" if at > candidate.at else "earlier"
            parts.append(
                f"moved {_duration(abs(at - candidate.at))} {direction} for the {_duration(account.gap)} gap "
                f"to the {shown} post"
            )
        placements.append(_Placement(asset_index, asset_id, target_index, at, "; ".join(parts)))
    limit = f"at most {account.cap} a day, {_duration(account.gap)} apart"
    counted = f", counting {account.existing} existing post(s)" if account.existing else ""
    notes.append(f"{_describe_target(target)}: {placed} of {n} placed ({limit}{counted})")


def _find(
    account: _Account, window: _Window, grid: list[list[_Candidate]], ideal: datetime, ideal_day: int
) -> tuple[_Candidate, datetime, datetime | None] | None:
    for index in _day_order(ideal_day, window.n_days):
        candidates = grid[index]  # one local day each
        if not candidates or not account.room(candidates[0].day):
            continue
        # Nearest to the ideal instant first; on a tie the later one. A posting time as named beats a
        # nearer one that would have to move for the gap: the times are what the campaign asked for.
        moved: tuple[_Candidate, datetime, datetime | None] | None = None
        for candidate in sorted(candidates, key=lambda c: (abs(c.at - ideal), c.at < ideal)):
            fitted = account.fit(candidate, window)
            if fitted is None:
                continue
            if fitted[1] is None:
                return candidate, fitted[0], None
            if moved is None:
                moved = (candidate, fitted[0], fitted[1])
        if moved is not None:
            return moved
    return None


def _full_reason(account: _Account, window: _Window, grid: list[list[_Candidate]], placed: int, n: int) -> str:
    days = [candidates[0].day for candidates in grid if candidates]
    full = sum(1 for day in days if not account.room(day))
    platform = account.target.platform
    head = f"window full for {_describe_target(account.target)} ({placed} of {n} placed)"
    counted = f", counting {account.existing} existing post(s)" if account.existing else ""
    if full == len(days):
        return (
            f"{head}: all {len(days)} local day(s) with a posting time are at the daily limit of "
            f"{account.cap} for {platform}{counted}"
        )
    return (
        f"{head}: {full} of {len(days)} local day(s) are at the daily limit of {account.cap}; the other "
        f"{len(days) - full} have no free time that keeps the {_duration(account.gap)} gap"
        f"{_quiet_text(window.quiet)}{counted}"
    )


def _window(campaign: Campaign, now: datetime) -> _Window:
    zone = ZoneInfo(campaign.time_zone)
    start = max(campaign.starts_at, now).astimezone(UTC)
    end = campaign.ends_at.astimezone(UTC)
    if start >= end:
        first_day = start.astimezone(zone).date()
        return _Window(zone, start, end, first_day, 0, campaign.cadence.quiet_hours)
    first_day = start.astimezone(zone).date()
    last_day = (end - timedelta(microseconds=1)).astimezone(zone).date()
    return _Window(zone, start, end, first_day, (last_day - first_day).days + 1, campaign.cadence.quiet_hours)


def plan_campaign(
    campaign: Campaign,
    assets: list[PlanAsset],
    rules: Mapping[str, PostingRules] | None = None,
    existing: Sequence[Post] = (),
    now: datetime | None = None,
) -> CampaignPlan:
    """Place each asset once on each campaign target it allows (see the module doc for the rules).

    ``rules`` overrides the platform defaults per platform. ``existing`` are posts already on the
    targets' accounts (any campaign). Pass ``now``: the planner reads the clock only when it is None.
    """
    if now is None:
        now = datetime.now(UTC)
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be an aware datetime")
    window = _window(campaign, now)
    cadence = campaign.cadence
    notes: list[str] = []
    if window.start > campaign.starts_at:
        notes.append(f"startsAt is in the past: planning from now, {window.local(window.start):%Y-%m-%d %H:%M %Z}")

    targets: list[CampaignTarget] = []
    seen_targets: set[tuple[str, str]] = set()
    for target in campaign.targets:
        key = (target.platform, target.account_id)
        if key in seen_targets:
            notes.append(f"target {_describe_target(target)} is listed twice; planned once")
            continue
        seen_targets.add(key)
        targets.append(target)

    per_target: list[list[tuple[int, str]]] = [[] for _ in targets]
    seen_assets: set[str] = set()
    for asset_index, asset in enumerate(assets):
        if asset.asset_id in seen_assets:
            notes.append(f"asset {asset.asset_id} is listed twice; the first entry is used")
            continue
        seen_assets.add(asset.asset_id)
        allowed = set(asset.platforms)
        matched = False
        for target_index, target in enumerate(targets):
            if not allowed or target.platform in allowed:
                per_target[target_index].append((asset_index, asset.asset_id))
                matched = True
        if not matched and targets:
            wanted = ", ".join(sorted(allowed))
            notes.append(f"asset {asset.asset_id} allows only {wanted}: no campaign target matches")

    accounts: list[_Account] = []
    by_key: dict[tuple[str, str], _Account] = {}
    for target in targets:
        platform_rules = rules_for(target.platform, rules)
        cap = platform_rules.daily_limit
        if target.platform in cadence.max_posts_per_day:
            cap = min(cap, cadence.max_posts_per_day[target.platform])
        gap = timedelta(minutes=max(cadence.min_gap_minutes, platform_rules.min_gap_minutes))
        account = _Account(target, cap, gap)
        accounts.append(account)
        by_key[(target.platform, target.account_id)] = account
    for post in sorted(existing, key=lambda post: (post.scheduled_at, post.post_id)):
        existing_account = by_key.get((post.platform, post.account_id))
        if existing_account is not None and post.status in COUNTED_STATUSES:
            existing_account.add_existing(post, window)

    placements: list[_Placement] = []
    unplaced: list[Unplaced] = []
    grids: dict[Platform, tuple[_Times, list[list[_Candidate]]]] = {}
    for target_index, account in enumerate(accounts):
        platform = account.target.platform
        if window.n_days == 0:
            ended = f"the campaign window ended at {window.local(window.end):%Y-%m-%d %H:%M %Z}"
            for _, asset_id in per_target[target_index]:
                unplaced.append(
                    Unplaced(asset_id=asset_id, platform=platform, account_id=account.target.account_id, reason=ended)
                )
            continue
        if platform not in grids:
            times = _posting_times(platform, cadence.preferred_times, cadence.quiet_hours)
            grids[platform] = (times, window.grid(times))
        times, grid = grids[platform]
        _plan_account(account, target_index, per_target[target_index], window, grid, times, placements, unplaced, notes)

    placements.sort(key=lambda placement: (placement.at, placement.target_index, placement.asset_index))
    slots = [
        PlannedSlot(
            asset_id=placement.asset_id,
            platform=targets[placement.target_index].platform,
            account_id=targets[placement.target_index].account_id,
            at=placement.at,
            local_time=window.local(placement.at).isoformat(),
            reason=placement.reason,
        )
        for placement in placements
    ]
    return CampaignPlan(
        campaign_id=campaign.campaign_id, time_zone=campaign.time_zone, slots=slots, unplaced=unplaced, notes=notes
    )


def _table(rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]) - 1)]
    return [
        "  ".join([*(cell.ljust(width) for cell, width in zip(row, widths, strict=False)), row[-1]]).rstrip()
        for row in rows
    ]


def format_plan(plan: CampaignPlan) -> str:
    """A plain-text table of the plan (local time first) and the unplaced list, for ``ffo plan``."""
    zone = ZoneInfo(plan.time_zone)
    lines = [
        f"Campaign {plan.campaign_id} ({plan.time_zone}): {len(plan.slots)} post(s) planned, "
        f"{len(plan.unplaced)} unplaced"
    ]
    if plan.slots:
        rows: list[tuple[str, ...]] = [("LOCAL TIME", "PLATFORM", "ACCOUNT", "ASSET", "REASON")]
        rows += [
            (
                slot.at.astimezone(zone).strftime("%Y-%m-%d %a %H:%M %Z"),
                slot.platform,
                slot.account_id,
                slot.asset_id,
                slot.reason,
            )
            for slot in plan.slots
        ]
        lines += ["", *_table(rows)]
    if plan.unplaced:
        lines += ["", f"Unplaced ({len(plan.unplaced)}):"]
        rows = [("ASSET", "PLATFORM", "ACCOUNT", "REASON")]
        rows += [(item.asset_id, item.platform, item.account_id, item.reason) for item in plan.unplaced]
        lines += _table(rows)
    if plan.notes:
        lines += ["", "Notes:", *(f"- {note}" for note in plan.notes)]
    return "\n".join(lines) + "\n"
