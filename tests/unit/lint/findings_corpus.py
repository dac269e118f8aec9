"""A varied corpus of text posts and the text lint's full report of each, for the differential test
(``test_findings_unchanged``): restructuring the text lint for speed must not change one finding, metric
or rule checked.

The corpus: generated posts (the text-lint benchmark's generator, fixed seeds), the hand-written adversarial
set (each post with its own kit, channel and sponsored flag, and again with a kit that has every Vale-style
rule type), and the texts of X's twitter-text conformance suite (URLs, hashtags, mentions, emoji, weighted
lengths). ``RICH_KIT`` is the sample kit with every rule type, trademarks, claims, disclaimers, a second
person and every text platform, so each check runs.

Record the reports (only when the lint's findings are meant to change, and say why in the commit):
``.venv/bin/python -m tests.unit.lint.findings_corpus``.
"""

from __future__ import annotations

import copy
import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from flashfusion.linting.engine import LintContext, lint_text
from flashfusion.models import BrandKit
from tests.unit.lint.twitter_text_fixture import suite as twitter_text_suite

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "tests" / "fixtures"
RECORDED = FIXTURES / "lint-findings" / "reports.jsonl.gz"


@dataclass(frozen=True)
class Case:
    id: str
    kit: str
    text: str
    channel: str | None = None
    sponsored: bool = False
    locale: str | None = None


def _sample_kit() -> dict[str, Any]:
    raw: dict[str, Any] = json.loads((ROOT / "events" / "brand-kit.sample.json").read_text("utf-8"))
    return raw


def _rich_kit() -> dict[str, Any]:
    """The sample kit with every Vale-style rule type, more legal terms and every text platform."""
    kit = copy.deepcopy(_sample_kit())
    kit["kitId"] = "rich"
    voice = kit["voice"]
    voice["person"] = "second"
    voice["formality"] = "formal"
    voice["emoji"] = "none"
    voice["maxExclamations"] = 0
    voice["preferredTerms"] = {
        **voice["preferredTerms"],
        "e-mail": "email",
        "sign up": "join",
        "colour way": "colorway",
    }
    voice["rules"] = [
        *voice["rules"],
        {"type": "substitution", "id": "plain-words", "swap": {"leverage": "use", "purchase": "buy", "ASAP": "soon"}},
        {"type": "occurrence", "id": "one-brand", "token": "Aurora", "max": 1, "level": "suggestion"},
        {"type": "occurrence", "id": "say-the-trail", "token": "trail", "min": 1},
        # "\uff57\uff4f\uff57": a fullwidth "wow"
        {"type": "existence", "id": "hype", "tokens": ["awesome", "insane", "crazy good", "\uff57\uff4f\uff57"]},
        {"type": "capitalization", "id": "product-caps", "terms": ["iPhone", "YouTube", "#1"]},
        {"type": "consistency", "id": "units", "either": [["km", "kilometres"], ["OK", "okay"]]},
        {"type": "readability", "id": "strict-plain", "maxGrade": 6, "level": "suggestion"},
    ]
    legal = kit["legal"]
    fullwidth_free = "\uff46\uff52\uff45\uff45"
    legal["bannedTerms"] = [*legal["bannedTerms"], "win", "free money", "ass", "cure", "happy", fullwidth_free]
    legal["trademarks"] = [*legal["trademarks"], {"term": "Aurora", "symbol": "™", "firstUseOnly": False}]
    legal["claims"] = [*legal["claims"], {"phrase": "100% recycled"}, {"phrase": "lightest"}]
    legal["requiredDisclaimers"] = [
        {"text": "Terms apply.", "channels": ["x", "linkedin"]},
        {"text": "#ad", "position": "start"},
    ]
    kit["targetPlatforms"] = ["x", "linkedin", "instagram", "facebook", "tiktok", "youtube"]
    return kit


@cache
def kits() -> dict[str, BrandKit]:
    raw: dict[str, Any] = json.loads((FIXTURES / "adversarial" / "kits.json").read_text("utf-8"))
    raw["sample"] = _sample_kit()
    raw["rich"] = _rich_kit()
    return {name: BrandKit.model_validate(kit) for name, kit in raw.items()}


def _generated() -> Iterator[Case]:
    from tests.bench.bench_text_lint import make_posts

    channels = [None, "x", "linkedin", "instagram", "bluesky", "mastodon"]
    for i, text in enumerate(make_posts(2026, 300)):
        yield Case(f"gen-{i}", "sample", text, channel=channels[i % len(channels)])
    for i, text in enumerate(make_posts(2027, 120)):
        yield Case(f"gen-rich-{i}", "rich", text, channel=channels[i % len(channels)], sponsored=i % 3 == 0)


def _adversarial() -> Iterator[Case]:
    for line in (FIXTURES / "adversarial" / "posts.jsonl").read_text("utf-8").splitlines():
        raw = json.loads(line)
        yield Case(raw["id"], raw["kit"], raw["text"], raw.get("channel"), bool(raw.get("sponsored", False)))
        yield Case(f"{raw['id']}-rich", "rich", raw["text"], raw.get("channel"), bool(raw.get("sponsored", False)))


def _texts_in(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "text" and isinstance(value, str):
                yield value
            else:
                yield from _texts_in(value)
    elif isinstance(node, list):
        for value in node:
            yield from _texts_in(value)


def _twitter_text() -> Iterator[Case]:
    seen: set[str] = set()
    for name in ("validate", "extract"):
        suite = twitter_text_suite(name)
        for text in _texts_in(suite):
            if text in seen:
                continue
            seen.add(text)
            n = len(seen)
            yield Case(f"tt-{n}", "rich" if n % 2 else "sample", text, channel="x" if n % 3 else None)


def _other_locales() -> Iterator[Case]:
    from tests.bench.bench_text_lint import make_posts

    for i, text in enumerate(make_posts(2028, 10)):
        yield Case(f"locale-{i}", "sample", text, locale="fr-FR" if i % 2 else "en-GB")


def corpus() -> list[Case]:
    return [*_generated(), *_adversarial(), *_twitter_text(), *_other_locales()]


def report_of(case: Case) -> dict[str, Any]:
    """The whole report as JSON: every violation (spans, fixes, messages), rule checked, not-checked and metric;
    not the time it was made."""
    context = LintContext(kit=kits()[case.kit], channel=case.channel, sponsored=case.sponsored, locale=case.locale)
    report = lint_text(case.text, context)
    dumped: dict[str, Any] = report.model_dump(mode="json", by_alias=True, exclude={"checked_at"})
    return dumped


def recorded() -> dict[str, dict[str, Any]]:
    """case id -> the report recorded for it."""
    lines = gzip.decompress(RECORDED.read_bytes()).decode("utf-8").splitlines()
    return {row["id"]: row["report"] for row in map(json.loads, lines)}


def record() -> None:
    rows = [json.dumps({"id": c.id, "report": report_of(c)}, ensure_ascii=False, sort_keys=True) for c in corpus()]
    RECORDED.parent.mkdir(parents=True, exist_ok=True)
    RECORDED.write_bytes(gzip.compress(("\n".join(rows) + "\n").encode("utf-8"), compresslevel=9, mtime=0))
    print(f"{len(rows)} reports written to {RECORDED.relative_to(ROOT)}")


if __name__ == "__main__":
    record()
