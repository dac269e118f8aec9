from __future__ import annotations

from datetime import time
from typing import get_args

import pytest

from flashfusion.scheduling.models import Cadence, Platform, PostingRules
from flashfusion.scheduling.planner import in_quiet_hours
from flashfusion.scheduling.platform_rules import DEFAULT_POSTING_TIMES, DEFAULT_RULES, default_rules, rules_for

PLATFORMS: tuple[str, ...] = get_args(Platform)

# Published hard caps per account per 24 h (see the comments in platform_rules.py).
HARD_CAPS = {"x": 100, "linkedin": 150, "instagram": 50, "facebook": 25, "bluesky": 11_666}


def test_every_platform_has_rules_and_times() -> None:
    assert set(DEFAULT_RULES) == set(PLATFORMS)
    assert set(DEFAULT_POSTING_TIMES) == set(PLATFORMS)
    for platform, rules in DEFAULT_RULES.items():
        assert rules.platform == platform
        assert rules.daily_limit >= 1


@pytest.mark.parametrize("platform", sorted(HARD_CAPS))
def test_daily_limits_stay_below_the_published_caps(platform: str) -> None:
    assert DEFAULT_RULES[platform].daily_limit <= HARD_CAPS[platform]  # type: ignore[index]


def test_machine_targets_fire_on_time_social_ones_may_be_late() -> None:
    for platform, rules in DEFAULT_RULES.items():
        if platform in {"webhook", "outbox"}:
            assert rules.flexible_window_minutes == 0
        else:
            assert 0 < rules.flexible_window_minutes <= 30


def test_default_times_are_sorted_and_outside_default_quiet_hours() -> None:
    quiet = Cadence().quiet_hours
    for platform, times in DEFAULT_POSTING_TIMES.items():
        assert list(times) == sorted(set(times)), platform
        assert len(times) >= 1
        assert not any(in_quiet_hours(value, quiet) for value in times), platform


def test_defaults_are_read_only_and_copies_are_independent() -> None:
    with pytest.raises(TypeError):
        DEFAULT_RULES["x"] = PostingRules(platform="x", daily_limit=1)  # type: ignore[index]
    copy = default_rules()
    copy["x"] = PostingRules(platform="x", daily_limit=1)
    assert DEFAULT_RULES["x"].daily_limit != 1


def test_rules_for_prefers_the_callers_rules() -> None:
    mine = PostingRules(platform="x", daily_limit=1, min_gap_minutes=5)
    assert rules_for("x", {"x": mine}) is mine
    assert rules_for("linkedin", {"x": mine}) is DEFAULT_RULES["linkedin"]
    assert rules_for("x") is DEFAULT_RULES["x"]


@pytest.mark.parametrize(
    ("wall", "expected"),
    [(time(21, 59), False), (time(22, 0), True), (time(3, 0), True), (time(6, 59), True), (time(7, 0), False)],
)
def test_quiet_hours_spanning_midnight(wall: time, expected: bool) -> None:
    assert in_quiet_hours(wall, Cadence().quiet_hours) is expected
