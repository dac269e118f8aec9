"""Predictive caching on a replayed synthetic history, printed, never asserted:
`.venv/bin/python tests/bench/bench_prediction.py` (BENCH_SEED, BENCH_WEEKS, BENCH_SCALE to vary it).

A seeded generator makes several weeks of requests for three organisations with weekly and hourly
patterns: recurring series (the same brief each week or each weekday, worded a little differently each
time; some carry a number that changes every week, so no candidate can serve them), exact re-submissions
of a recent brief, and one-off requests. One organisation changes its brand kit part-way.

The replay drives the product's pure modules, as the workflow does, day by day: at the off-peak hour
(02:00 UTC) the forecast (prediction.forecast) proposes each organisation's requests for the next 24 h; they
are priced by the router (routing.router, the packaged model matrix, vendors enabled) at the batch tier and
pre-generated in order while they fit the month's speculative cap (forecast.within_cap), ready at 03:00.
Each request is then served from the exact cache (prediction.cache_key, 7-day freshness), else from a
fresh candidate (prediction.matching.best_offer), else generated (its estimate is what it costs), and
joins the history.

Latency saved: the matrix gives each model a latency class, not seconds; a served request saves its
model's typical generation time, taken as fast 5 s, medium 20 s, slow 120 s (a served request's own
lookup and copy are well under a second in the workflow tests).
"""

from __future__ import annotations

import os
import random
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from flashfusion.models import AssetSubmission, Latency
from flashfusion.prediction.cache_key import cache_key
from flashfusion.prediction.forecast import ForecastRules, PastRequest, forecast, within_cap
from flashfusion.prediction.matching import Offer, Wanted, best_offer, options_key
from flashfusion.routing import router
from flashfusion.routing.matrix import load_matrix_file

SEED = int(os.environ.get("BENCH_SEED", "17"))
WEEKS = int(os.environ.get("BENCH_WEEKS", "6"))
SCALE = float(os.environ.get("BENCH_SCALE", "1.0"))
START = datetime(2026, 10, 5, tzinfo=UTC)  # a Monday; six weeks cross a month end (the cap is monthly)
OFF_PEAK_HOUR = 2
READY_AFTER = timedelta(hours=1)
FRESHNESS = timedelta(days=7)
LATENCY_SECONDS = {"fast": 5.0, "medium": 20.0, "slow": 120.0}
PROVIDERS = frozenset({"openai", "gemini", "bedrock", "runway", "replicate", "elevenlabs"})
MATRIX = load_matrix_file(None)


@dataclass(frozen=True)
class Series:
    """A recurring request: on ``weekdays`` around ``hour``, with probability ``p`` each time."""

    content_type: str
    channel: str
    tier: str
    phrasings: tuple[str, ...]
    weekdays: tuple[int, ...]
    hour: int
    p: float = 0.9
    options: tuple[tuple[str, Any], ...] = ()
    numbered: bool = False
    """A number in the brief changes every week ("issue 42"): a new request each time, never predictable."""


@dataclass(frozen=True)
class Org:
    org_id: str
    kit_id: str
    cap_usd: float
    series: tuple[Series, ...]
    one_offs_per_weekday: float
    kit_change_day: int | None = None


ORGS = (
    Org(
        "outdoor",
        "aurora-core",
        cap_usd=4.0,
        kit_change_day=25,
        one_offs_per_weekday=11,
        series=(
            Series(
                "text",
                "linkedin",
                "standard",
                (
                    "Tuesday customer story for LinkedIn: a hiker's first alpine trip",
                    "Customer story (LinkedIn, Tuesday): a hiker's first alpine trip",
                ),
                (1,),
                10,
            ),
            Series(
                "text",
                "x",
                "basic",
                ("Trail conditions on X for day {n} of the season",),
                (0, 1, 2, 3, 4),
                7,
                numbered=True,
            ),
            Series(
                "text",
                "linkedin",
                "standard",
                (
                    "Weekly trail tip for LinkedIn: how to pack a light daypack",
                    "LinkedIn weekly trail tip - how to pack a light daypack",
                    "Weekly trail tip (LinkedIn): how to pack a light daypack!",
                ),
                (0,),
                9,
            ),
            Series(
                "image",
                "instagram",
                "standard",
                (
                    "Instagram product photo of the Aurora rain shell on a misty ridge",
                    "Product photo for Instagram: the Aurora rain shell on a misty ridge",
                ),
                (0, 2, 4),
                11,
                options=(("size", "1024x1024"),),
            ),
            Series(
                "text",
                "x",
                "basic",
                ("Friday deals thread for X, issue {n}: this week's discounts on hiking boots",),
                (4,),
                15,
                numbered=True,
            ),
            Series(
                "video",
                "instagram",
                "basic",
                (
                    "Short vertical clip of hikers at sunrise for the weekend reel",
                    "Weekend reel: short vertical clip of hikers at sunrise",
                ),
                (5,),
                8,
                p=0.8,
                options=(("aspectRatio", "9:16"), ("durationSeconds", 5.0)),
            ),
        ),
    ),
    Org(
        "bakery",
        "crumb-kit",
        cap_usd=1.0,
        one_offs_per_weekday=8,
        series=(
            Series(
                "text",
                "facebook",
                "basic",
                ("Weekend opening hours post for Facebook", "Facebook post: our weekend opening hours"),
                (4,),
                16,
            ),
            Series(
                "text",
                "facebook",
                "basic",
                (
                    "Facebook post announcing today's fresh sourdough bake",
                    "Post for Facebook: today's fresh sourdough bake is out",
                ),
                (0, 1, 2, 3, 4),
                7,
            ),
            Series(
                "image",
                "instagram",
                "standard",
                ("Overhead photo of the weekend pastry box on a marble table",),
                (5,),
                9,
                options=(("size", "1024x1024"),),
            ),
            Series(
                "text",
                "linkedin",
                "standard",
                ("Monthly supplier spotlight {n} for LinkedIn",),
                (2,),
                14,
                numbered=True,
            ),
        ),
    ),
    Org(
        "fintech",
        "ledger-kit",
        cap_usd=0.10,
        one_offs_per_weekday=6,
        series=(
            Series("text", "x", "standard", ("Changelog summary for X, release {n}",), (3,), 17, numbered=True),
            Series(
                "text",
                "linkedin",
                "premium",
                (
                    "LinkedIn market wrap for founders: what moved in payments this week",
                    "Founders' LinkedIn market wrap - what moved in payments this week",
                ),
                (4,),
                16,
            ),
            Series(
                "image",
                "linkedin",
                "premium",
                ("Clean chart-style header image for the weekly payments newsletter",),
                (3,),
                10,
                options=(("size", "1536x1024"), ("quality", "high")),
            ),
        ),
    ),
)

SUBJECTS = (
    "the new trail shoe",
    "our winter sale",
    "a customer story",
    "the team offsite",
    "a product recall notice",
    "a podcast episode",
    "the spring collection",
    "a charity partnership",
    "store opening hours",
    "a hiring push",
    "a webinar invite",
    "a behind-the-scenes look",
)
ANGLES = ("playful", "expert", "short", "story-led", "data-driven", "warm", "bold")
MEDIA = (("text", "linkedin"), ("text", "x"), ("image", "instagram"), ("text", "facebook"), ("image", "linkedin"))
TIERS = ("basic", "standard", "standard", "premium")


@dataclass
class Request:
    org: Org
    at: datetime
    brief: str
    content_type: str
    channel: str
    tier: str
    options: tuple[tuple[str, Any], ...]
    kind: str


def vary(rng: random.Random, text: str) -> str:
    """How people retype a brief: case, spacing and end punctuation change; sometimes a word is added."""
    if rng.random() < 0.3:
        text = text.lower()
    if rng.random() < 0.3:
        text = text.rstrip("!.") + rng.choice(("", ".", "!"))
    if rng.random() < 0.2:
        text = text + " please"
    if rng.random() < 0.2:
        text = "  " + text.replace(" ", "  ", 1)
    return text


def business_hour(rng: random.Random) -> int:
    return min(23, max(0, int(rng.gauss(13, 3))))


def history(rng: random.Random) -> list[Request]:
    made: list[Request] = []
    for day in range(WEEKS * 7):
        date = START + timedelta(days=day)
        weekday = date.weekday()
        for org in ORGS:
            for series in org.series:
                if weekday in series.weekdays and rng.random() < series.p:
                    at = date + timedelta(hours=series.hour, minutes=rng.randint(-50, 50))
                    brief = rng.choice(series.phrasings).format(
                        n=day if "day {n}" in series.phrasings[0] else day // 7 + 30
                    )
                    made.append(
                        Request(
                            org,
                            at,
                            vary(rng, brief),
                            series.content_type,
                            series.channel,
                            series.tier,
                            series.options,
                            "series-numbered" if series.numbered else "series",
                        )
                    )
            rate = org.one_offs_per_weekday * SCALE * (1.0 if weekday < 5 else 0.3)
            for _ in range(_poisson(rng, rate)):
                content_type, channel = rng.choice(MEDIA)
                brief = f"{rng.choice(ANGLES).capitalize()} {channel} {content_type} about {rng.choice(SUBJECTS)}"
                if rng.random() < 0.5:
                    brief += f" for week {day // 7 + 1}, variant {rng.randint(1, 99)}"
                options = (("size", "1024x1024"),) if content_type == "image" else ()
                at = date + timedelta(hours=business_hour(rng), minutes=rng.randint(0, 59))
                made.append(Request(org, at, brief, content_type, channel, rng.choice(TIERS), options, "one-off"))
    made.sort(key=lambda r: r.at)
    # re-submissions: the same brief again within a few days (a colleague, another channel manager)
    repeats = []
    for request in made:
        if rng.random() < 0.08:
            at = request.at + timedelta(hours=rng.uniform(2, 96))
            if at < START + timedelta(days=WEEKS * 7):
                repeats.append(Request(**{**request.__dict__, "at": at, "brief": vary(rng, request.brief)}))
    for repeat in repeats:
        repeat.kind = "repeat"
    return sorted(made + repeats, key=lambda r: r.at)


def _poisson(rng: random.Random, rate: float) -> int:
    count, limit, product = 0, pow(2.718281828459045, -rate), rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def submission(request: Request, latency: Latency = Latency.REALTIME, tier: str | None = None) -> AssetSubmission:
    return AssetSubmission.model_validate(
        {
            "contentType": request.content_type,
            "prompt": request.brief,
            "tier": tier or request.tier,
            "latency": latency.value,
            "brandKitId": request.org.kit_id,
            "channel": request.channel,
            "options": dict(request.options),
        }
    )


def route(sub: AssetSubmission) -> tuple[str, float, float]:
    """The model the router picks, its estimate (USD) and its typical generation time (s)."""
    decision = router.route(MATRIX, router.query_for(sub, PROVIDERS, None))
    spec = MATRIX.get(decision.model)
    return decision.model, decision.estimated_cost_usd, LATENCY_SECONDS[spec.latency_class]


@dataclass
class CandidateState:
    offer: Offer
    org_id: str
    cost: float
    month: str
    served: int = 0


@dataclass
class Tally:
    requests: int = 0
    cache_hits: int = 0
    candidate_hits: int = 0
    baseline_usd: float = 0.0
    generated_usd: float = 0.0
    saved_seconds: float = 0.0
    baseline_seconds: float = 0.0
    by_kind: Counter[str] = field(default_factory=Counter)
    hits_by_kind: Counter[str] = field(default_factory=Counter)


def replay(requests: list[Request], predict: bool) -> tuple[Tally, list[CandidateState], dict[tuple[str, str], float]]:
    tally = Tally()
    cache: dict[tuple[str, str], tuple[datetime, int]] = {}
    candidates: list[CandidateState] = []
    spent: dict[tuple[str, str], float] = defaultdict(float)  # (org, month) -> speculative spend
    past: dict[str, list[PastRequest]] = defaultdict(list)
    kit_version = {org.org_id: 1 for org in ORGS}
    rules = ForecastRules()
    index = 0
    for day in range(WEEKS * 7):
        date = START + timedelta(days=day)
        for org in ORGS:
            if org.kit_change_day == day:
                kit_version[org.org_id] += 1
        run_at = date + timedelta(hours=OFF_PEAK_HOUR)
        # the requests before the off-peak run
        index = serve_until(requests, index, run_at, tally, cache, candidates, past, kit_version)
        if predict:
            for org in ORGS:
                month = run_at.strftime("%Y-%m")
                proposals = forecast(past[org.org_id], run_at, rules)
                priced = []
                for proposal in proposals:
                    probe = Request(
                        org,
                        run_at,
                        proposal.brief,
                        proposal.content_type,
                        proposal.channel or "",
                        proposal.tier,
                        proposal.options,
                        "speculative",
                    )
                    wanted = _wanted(probe, kit_version[org.org_id])
                    fresh = [c.offer for c in candidates if c.org_id == org.org_id]
                    if best_offer(fresh, wanted, run_at) is not None:
                        continue  # a fresh candidate already covers it
                    _, estimate, _ = route(submission(probe, Latency.BATCH))
                    priced.append((proposal, estimate))
                for proposal, cost in within_cap(priced, org.cap_usd - spent[(org.org_id, month)]):
                    spent[(org.org_id, month)] += cost
                    candidates.append(
                        CandidateState(
                            Offer(
                                candidate_id=f"{org.org_id}.{day}.{len(candidates)}",
                                brief=proposal.brief,
                                content_type=proposal.content_type,
                                tier=proposal.tier,
                                kit_id=org.kit_id,
                                kit_version=kit_version[org.org_id],
                                channel=proposal.channel,
                                sponsored=False,
                                options=proposal.options,
                                generated_at=run_at + READY_AFTER,
                                expires_at=run_at + timedelta(hours=rules.horizon_hours),
                            ),
                            org.org_id,
                            cost,
                            month,
                        )
                    )
        index = serve_until(requests, index, date + timedelta(days=1), tally, cache, candidates, past, kit_version)
    return tally, candidates, spent


def _wanted(request: Request, version: int) -> Wanted:
    return Wanted(
        brief=request.brief,
        content_type=request.content_type,
        tier=request.tier,
        kit_id=request.org.kit_id,
        kit_version=version,
        channel=request.channel,
        sponsored=False,
        options=options_key(dict(request.options)),
    )


def serve_until(
    requests: list[Request],
    index: int,
    until: datetime,
    tally: Tally,
    cache: dict[tuple[str, str], tuple[datetime, int]],
    candidates: list[CandidateState],
    past: dict[str, list[PastRequest]],
    kit_version: dict[str, int],
) -> int:
    while index < len(requests) and requests[index].at < until:
        request = requests[index]
        index += 1
        org_id, version = request.org.org_id, kit_version[request.org.org_id]
        model, cost, seconds = route(submission(request))
        tally.requests += 1
        # from week 3 on, the forecast has the two weeks of history a pattern needs (ForecastRules.min_weeks)
        kinds = [request.kind] + ([f"{request.kind} wk3+"] if request.at >= START + timedelta(days=14) else [])
        tally.by_kind.update(kinds)
        tally.baseline_usd += cost
        tally.baseline_seconds += seconds
        key = cache_key(
            brief=request.brief,
            kit_id=request.org.kit_id,
            kit_version=version,
            model=model,
            options=dict(request.options),
            content_type=request.content_type,
            channel=request.channel,
            sponsored=False,
        )
        entry = cache.get((org_id, key))
        if entry is not None and entry[0] > request.at:
            tally.cache_hits += 1
            tally.saved_seconds += seconds
            tally.hits_by_kind.update(kinds)
        else:
            ready = [c for c in candidates if c.org_id == org_id and c.offer.generated_at <= request.at]
            best = best_offer((c.offer for c in ready), _wanted(request, version), request.at)
            if best is not None:
                next(c for c in ready if c.offer is best).served += 1
                tally.candidate_hits += 1
                tally.saved_seconds += seconds
                tally.hits_by_kind.update(kinds)
            else:
                tally.generated_usd += cost
                cache[(org_id, key)] = (request.at + FRESHNESS, version)
        past[org_id].append(
            PastRequest(
                at=request.at,
                content_type=request.content_type,
                brief=request.brief,
                tier=request.tier,
                kit_id=request.org.kit_id,
                channel=request.channel,
                options=options_key(dict(request.options)),
            )
        )
    return index


def main() -> None:
    rng = random.Random(SEED)
    requests = history(rng)
    started = time.perf_counter()
    tally, candidates, spent = replay(requests, predict=True)
    elapsed = time.perf_counter() - started
    cache_only, _, _ = replay(requests, predict=False)
    days = WEEKS * 7
    print(f"synthetic history: {len(requests)} requests, {len(ORGS)} organisations, {days} days from {START:%Y-%m-%d}")
    print("  by kind: " + ", ".join(f"{k} {v}" for k, v in sorted(tally.by_kind.items())))
    print(f"replay: {elapsed:.2f} s (forecast daily at {OFF_PEAK_HOUR:02d}:00 UTC, horizon 24 h, seed {SEED})")
    print()
    for label, t in (("cache + prediction", tally), ("cache only", cache_only)):
        hits = t.cache_hits + t.candidate_hits
        print(f"{label}:")
        print(f"  exact-cache hits      {t.cache_hits:5d}  {t.cache_hits / t.requests:6.1%}")
        print(f"  candidate hits        {t.candidate_hits:5d}  {t.candidate_hits / t.requests:6.1%}")
        print(f"  total hit rate        {hits:5d}  {hits / t.requests:6.1%}")
        print(
            f"  latency saved         {t.saved_seconds / 3600:.2f} h"
            f" of {t.baseline_seconds / 3600:.2f} h generation time"
            f" ({t.saved_seconds / max(hits, 1):.0f} s per hit)"
        )
        print(f"  vendor spend          ${t.generated_usd:.4f} on demand (without any cache ${t.baseline_usd:.4f})")
        print("  hits by kind: " + ", ".join(f"{k} {t.hits_by_kind[k]}/{t.by_kind[k]}" for k in sorted(t.by_kind)))
    print()
    print("speculative spend per organisation and month (cap, spent, used = served >= 1, never used):")
    months = sorted({c.month for c in candidates} | {m for _, m in spent})
    total_used = total_unused = total_spent = 0.0
    for org in ORGS:
        for month in months:
            mine = [c for c in candidates if c.org_id == org.org_id and c.month == month]
            used = sum(c.cost for c in mine if c.served)
            unused = sum(c.cost for c in mine if not c.served)
            total_used, total_unused = total_used + used, total_unused + unused
            total_spent += spent[(org.org_id, month)]
            print(
                f"  {org.org_id:8s} {month}  cap ${org.cap_usd:.2f}  spent ${spent[(org.org_id, month)]:.4f}"
                f"  used ${used:.4f}  never used ${unused:.4f}"
                f"  candidates {len(mine)} ({sum(1 for c in mine if c.served)} served)"
            )
    made = len(candidates)
    served = sum(1 for c in candidates if c.served)
    print(
        f"  all: {made} candidates, {served} served ({served / max(made, 1):.0%}); spent ${total_spent:.4f},"
        f" used ${total_used:.4f}, never used ${total_unused:.4f}"
        f" ({total_unused / max(total_spent, 1e-12):.0%} of speculative spend)"
    )
    net = cache_only.generated_usd - (tally.generated_usd + total_spent)
    print(f"  net vendor spend vs cache only: ${net:+.4f} saved (positive: prediction paid for itself)")


if __name__ == "__main__":
    main()
