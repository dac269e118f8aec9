"""Banned-term patterns on adversarial inputs, printed, never asserted.

Run: `python -m tests.bench.bench_banned_backtracking`.

The unit test (tests/unit/lint/test_legal.py::test_no_catastrophic_backtracking) counts the scans;
this prints what they cost here. Target: each well under 2 s (about 20 ms on a 2-core dev machine).
"""

from __future__ import annotations

import time

from flashfusion.linting import legal

CASES = [
    ("aaa", "a" * 10000 + "b"),
    ("ill", "1" * 5000 + "x"),
    ("ill", "1 " * 5000),
    ("scam", "s c a m " * 2000),
    ("double your money", "double" + " -_" * 3000 + "x"),
    ("double your money", "double your " * 2000),
    ("win big", "w\u200bi\u00adn " * 3000),
    ("win big", "#" + "Win" * 5000),
]


def main() -> None:
    for term, text in CASES:
        legal.banned_pattern(term)  # built once per process: time the scan, not the pattern's construction
        started = time.perf_counter()
        legal.find_banned(text, [term])
        elapsed = time.perf_counter() - started
        print(f"{term!r:8} over {len(text):6} chars ({text[:8]!r}...): {elapsed * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
