"""Text lint throughput, printed, never asserted: `python -m tests.bench.bench_text_lint`.

1,000 generated short posts (1-4 sentences, some emoji, some violations) per round through
the whole text lint (``engine.lint_text``: legal, required terms, voice, platforms) with the sample kit,
on one core. Every round uses fresh posts, so no per-text cache is hit twice (per-word and per-kit caches are).
Two corpora: templated posts (a brand's small vocabulary: the per-word caches mostly hit) and posts of unseen
vocabulary (random words of the 135k-word CMU table with numbers, hashtags, mentions, URLs and emoji: most
whitespace pieces are new to the linter, as in a stream of posts about anything).
The analyzers' one-time load (VADER lexicon, the CMU syllable and hyphenation tables, emoji tables) is timed apart.
Target (issue 16): >= 10,000 posts per second, warm, one core. On a busy shared machine the wall figure
measures the machine's load as much as the lint: the posts per CPU-second are printed too.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import sysconfig
import time
from collections.abc import Callable
from pathlib import Path

from flashfusion.linting import voice
from flashfusion.linting.engine import LintContext, lint_text
from flashfusion.linting.voice import syllable_table
from flashfusion.models import BrandKit

ROOT = Path(__file__).resolve().parents[2]
POSTS = int(os.environ.get("BENCH_POSTS", "1000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))

OPENERS = [
    "We built the {product} for long days on the trail.",
    "Our {product} keeps you dry when the weather turns.",
    "Meet the new {product} from Aurora Outdoor.",
    "The {product} is back in {colour} for the spring season.",
    "Aurora Outdoor tested the {product} on {n} summits this winter.",
    "New season, new {product}.",
    "We think the {product} is our lightest yet.",
    "Our team packed the {product} for a {n}-day trek across the ridge.",
]
MIDDLES = [
    "It weighs {n}00 grams and packs into its own pocket.",
    "The GORE-TEX shell breathes on steep climbs.",
    "Our explorers asked for more pockets, so we added two.",
    "It is really light and very warm.",
    "Customers say it is the cheap option that lasts.",
    "We utilize recycled fabric in every panel.",
    "The the zip is sealed against wind and rain.",
    "Grab a hiking pole and a trekking pole before you go.",
    "The color matches the colour of the glacier.",
    "Notwithstanding considerable organizational heterogeneity, our comprehensive sustainability methodology prevails.",
    "It's totally awesome, guys!!",
    "The rain was awful and the mud was terrible.",
]
CLOSERS = [
    "See you out there.",
    "Available now at Aurora Outdoor.",
    "Find yours in store this week!",
    "Results guaranteed!",
    "Thanks for exploring with us.",
    "Visit aurora outdoor online at https://example.com/shop #hiking @aurora",
]
EMOJI = ["", "", "", " 🌲", " ⛰️", " 🌲🌲🌲", " 👍🏽", " ❄️☀️"]
PRODUCTS = ["trail jacket", "summit pack", "trekking pole", "insulated vest", "rain shell"]
COLOURS = ["teal", "ember orange", "slate", "glacier white"]


def make_posts(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    posts = []
    for i in range(count):
        parts = [rng.choice(OPENERS)]
        parts += rng.sample(MIDDLES, rng.randint(0, 2))
        if rng.random() < 0.6:
            parts.append(rng.choice(CLOSERS))
        text = " ".join(parts).format(product=rng.choice(PRODUCTS), colour=rng.choice(COLOURS), n=rng.randint(2, 9))
        # a unique tail so no two posts (and no two rounds) share a text
        posts.append(f"{text}{rng.choice(EMOJI)} Post {seed}-{i}.")
    return posts


UNSEEN_EMOJI = ["🌲", "⛰️", "👍🏽", "❄️", "🔥", "😀", "🇫🇷"]


def dictionary_words() -> list[str]:
    """Every word of the CMU syllable table the layer ships (lowercase; some with an apostrophe or a period)."""
    return list(syllable_table.load() or ())


def make_unseen_posts(seed: int, count: int, words: list[str]) -> list[str]:
    """Posts of random dictionary words: 1-4 sentences of 3-14 words, sentence-cased, with a comma, a number, a
    hashtag, a mention, a URL or emoji here and there (``words``: ``dictionary_words()``)."""
    rng = random.Random(seed)
    posts = []
    for _ in range(count):
        sentences = []
        for _ in range(rng.randint(1, 4)):
            sentence = rng.choices(words, k=rng.randint(3, 14))
            sentence[0] = sentence[0].capitalize()
            if rng.random() < 0.3:
                sentence[rng.randrange(len(sentence))] += ","
            if rng.random() < 0.2:
                sentence.insert(rng.randint(1, len(sentence)), str(rng.randint(1, 9999)))
            if rng.random() < 0.1:
                sentence.append("#" + rng.choice(words).replace("'", "").capitalize())
            if rng.random() < 0.05:
                sentence.append("@" + rng.choice(words).replace("'", ""))
            if rng.random() < 0.05:
                host = rng.choice(words).replace("'", "")
                sentence.append(f"https://{host}.com/{rng.choice(words)}")
            sentences.append(" ".join(sentence) + rng.choice([".", ".", ".", "!", "?", "!!"]))
        text = " ".join(sentences)
        if rng.random() < 0.3:
            text += " " + rng.choice(UNSEEN_EMOJI)
        posts.append(text)
    return posts


def linter_build() -> str:
    """Whether the text linter runs compiled (``layers/mypyc_build.py``, by ``make setup``) or from its sources."""
    suffix = sysconfig.get_config_var("EXT_SUFFIX")
    linting = [m for name, m in sys.modules.items() if name.startswith("flashfusion.linting.") and m is not None]
    compiled = [m for m in linting if (getattr(m, "__file__", None) or "").endswith(suffix)]
    if not compiled:
        return "from its sources (no mypyc build for this interpreter: make setup compiles it)"
    return f"compiled with mypyc: {len(compiled)} of its {len(linting)} loaded modules"


def lint(post: str, kit: BrandKit) -> int:
    """What the Lint step runs on a text asset: legal, required terms, voice, and the kit's platforms."""
    return len(lint_text(post, LintContext(kit=kit)).violations)


def run_corpus(name: str, make: Callable[[int], list[str]], kit: BrandKit) -> None:
    """``ROUNDS`` rounds of fresh posts (``make(seed)``) through the whole text lint, printed."""
    make(999)  # the generator's own first call (the word list) is not the linter's time
    for post in make(999)[:200]:  # warm: per-kit and per-word caches, as a warm Lambda has them
        lint(post, kit)
    rates: list[float] = []
    cpu_rates: list[float] = []
    violations = 0
    sizes: list[int] = []
    for round_no in range(ROUNDS):
        posts = make(1000 + round_no)
        sizes += [len(p) for p in posts]
        started, cpu_started = time.perf_counter(), time.process_time()
        violations = sum(lint(post, kit) for post in posts)
        elapsed = time.perf_counter() - started
        rates.append(len(posts) / elapsed)
        cpu_rates.append(len(posts) / (time.process_time() - cpu_started))
    print(f"{name}: {POSTS} fresh posts x {ROUNDS} rounds, one core")
    print(f"  post length: median {statistics.median(sizes):.0f} chars, max {max(sizes)}")
    print(f"  violations per round: {violations} ({violations / POSTS:.1f} per post)")
    print(f"  posts/second per round: {', '.join(f'{r:,.0f}' for r in rates)}")
    print(f"  median {statistics.median(rates):,.0f} posts/s, worst {min(rates):,.0f} posts/s (target >= 10,000)")
    print(f"  per CPU-second (steadier on a shared machine): median {statistics.median(cpu_rates):,.0f} posts/s")


def main() -> None:
    kit = BrandKit.model_validate(json.loads((ROOT / "events" / "brand-kit.sample.json").read_text("utf-8")))
    started = time.perf_counter()
    voice.warm_up()
    load_ms = (time.perf_counter() - started) * 1000
    print("whole text lint (legal, required terms, voice, platforms; sample kit)")
    print(f"  analyzers' one-time load (syllable and hyphenation tables, VADER, emoji): {load_ms:.0f} ms")
    run_corpus("templated posts", lambda seed: make_posts(seed, POSTS), kit)
    words = dictionary_words()
    run_corpus("unseen vocabulary", lambda seed: make_unseen_posts(seed, POSTS, words), kit)
    print(f"the linter ran {linter_build()}")


if __name__ == "__main__":
    main()
