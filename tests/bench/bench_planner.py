"""Campaign planner figures, printed, never asserted: `.venv/bin/python tests/bench/bench_planner.py`.

500 assets over 90 days on 5 platforms (one account each), Europe/Paris (two DST changes in the
window), default cadence and rules, some existing posts: median and max plan time over REPEATS runs.
"""

from __future__ import annotations

import os
import statistics
import time
from datetime import UTC, datetime, timedelta

from flashfusion.scheduling.models import Campaign, CampaignTarget, PlanAsset, Post
from flashfusion.scheduling.planner import plan_campaign

ASSETS = int(os.environ.get("BENCH_ASSETS", "500"))
DAYS = int(os.environ.get("BENCH_DAYS", "90"))
REPEATS = int(os.environ.get("BENCH_REPEATS", "7"))
PLATFORMS = ("x", "linkedin", "facebook", "instagram", "bluesky")


def main() -> None:
    start = datetime(2025, 2, 1, 8, 0, tzinfo=UTC)  # spans the March and (with 270 days) October changes
    campaign = Campaign(
        campaign_id="bench",
        org_id="org-bench",
        name="Bench",
        brand_kit_id="kit",
        starts_at=start,
        ends_at=start + timedelta(days=DAYS),
        time_zone="Europe/Paris",
        targets=[CampaignTarget(platform=platform, account_id=f"{platform}-1") for platform in PLATFORMS],
        created_at=start,
        updated_at=start,
    )
    assets = [PlanAsset(asset_id=f"asset-{i:04d}") for i in range(ASSETS)]
    existing = [
        Post(
            post_id=f"old-{platform}-{day}",
            org_id="org-bench",
            asset_id=f"old-{day}",
            asset_version=1,
            platform=platform,
            account_id=f"{platform}-1",
            scheduled_at=start + timedelta(days=day, hours=3),
            created_at=start,
            updated_at=start,
        )
        for platform in PLATFORMS
        for day in range(0, DAYS, 7)
    ]
    timings: list[float] = []
    plan = None
    for _ in range(REPEATS):
        began = time.perf_counter()
        plan = plan_campaign(campaign, assets, existing=existing, now=start)
        timings.append((time.perf_counter() - began) * 1000)
    assert plan is not None
    print(
        f"plan_campaign: {ASSETS} assets x {len(PLATFORMS)} platforms x {DAYS} days, {len(existing)} existing posts, "
        f"{REPEATS} runs"
    )
    print(f"  median {statistics.median(timings):.1f} ms, max {max(timings):.1f} ms")
    print(f"  {len(plan.slots)} slots, {len(plan.unplaced)} unplaced")
    for note in plan.notes:
        print(f"  {note}")


if __name__ == "__main__":
    main()
