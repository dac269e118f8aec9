"""The shortcuts of the text lint's shared parts are exact.

- The normalisation: a text whose non-ASCII runs are inert (``normalise._inert_run``: emoji, symbols, letters
  with no look-alike) is its own normalisation; inert runs are copied; the confusable and dash steps skip a text
  whose runs make nothing for them (``_run_may_fold``). The result (text, spans back into the original, joined
  runs, case key) is the one every step gives character by character. The spaced-letter hints hold wherever
  ``SPACED_RUN`` finds a run with a letter.
- ``has_term`` stops at the first match ``find_term`` would report.
- The banned-term reduction's one pre-check class is its two classes.
- The report's merge lists each rule as the one-by-one merge does.
"""

# ruff: noqa: RUF001 - the pieces hold look-alike characters on purpose
from __future__ import annotations

import re
from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st

from flashfusion.linting import legal
from flashfusion.linting import normalise as normalise_module
from flashfusion.linting.base import CheckResult, report
from flashfusion.linting.normalise import SPACED_HINTS, SPACED_RUN, Normalised, normalise
from flashfusion.linting.term_match import find_term, has_term
from tests.helpers import linter_sources

with linter_sources():  # the plain normalisation: this copy's shortcuts patched off (``_in_full``)
    from flashfusion.linting import normalise as plain_normalise

PIECES = [
    "win",
    "Sale",
    " ",
    "  ",
    "\n",
    ".",
    "-",
    "_",
    "*",
    "@",
    "$",
    "w i n",
    "w.i.n",
    "a m i r a c l e",
    "1-2",
    "Post 7-0.",
    "🌲",
    "👍🏽",
    "⛰\ufe0f",
    "❄️☀️",
    "👨\u200d👩\u200d👧",
    "🇫🇷",
    "\u200b",
    "\u200d",
    "\ufeff",
    "\u00ad",
    "\ufe0f",
    "\u0301",
    "e\u0301",
    "m\u0336",
    "a\u0301\u0302\u0303",
    "\u20dd",
    "ｗｉｎ",
    "𝐰𝐢𝐧",
    "ⓦ",
    "ﬁ",
    "\u00a0",
    "\u2009",
    "\u2010",
    "\u2013",
    "\u2212",
    "\u2014",
    "\u2019",
    "café",
    "naïve",
    "ß",
    "İ",
    "ı",
    "ſ",
    "\u212a",
    "ѕсаm",
    "wіn",
    "сор",
    "Привет",
    "Ωμέγα",
    "ᴍɪʀᴀᴄʟᴇ",
    "日本語",
    "한국",
    "\u1100\u1161",
    "©",
    "®",
    "™",
    "€",
    "½",
    "²",
    "٣",
    "https://example.com/a",
]
texts = st.lists(st.one_of(st.sampled_from(PIECES), st.text(min_size=1, max_size=4)), min_size=0, max_size=25).map(
    "".join
)


CASE_FOLDS = {"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"}


def _case_key(text: str) -> str:
    """The four letters IGNORECASE equates to ASCII ones mapped to them, then lowercased."""
    return re.sub("[\u0130\u0131\u017f\u212a]", lambda m: CASE_FOLDS[m[0]], text).lower()


def _in_full(text: str) -> Normalised:
    """Every step on every character: no run is taken as inert, every run as one whose pieces may fold, no
    character as one that is only kept or dropped."""
    with (
        mock.patch.object(plain_normalise, "_char_kind", return_value=plain_normalise._OTHER),
        mock.patch.object(plain_normalise, "_inert_run", return_value=False),
        mock.patch.object(plain_normalise, "_run_may_fold", return_value=True),
    ):
        return plain_normalise._normalise.__wrapped__(text)


def _spans(norm: Normalised) -> list[tuple[int, int]]:
    n = len(norm.text)
    return [norm.span(i, i + 1) for i in range(n)] + ([norm.span(0, n)] if n else [])


@settings(max_examples=800, deadline=None)
@given(texts)
def test_the_normalisation_is_the_one_every_step_gives(text: str) -> None:
    fast = normalise(text)
    full = _in_full(text)
    assert fast.original == text
    assert fast.text == full.text
    assert _spans(fast) == _spans(full)
    assert fast.runs == full.runs
    assert fast.case_key == full.case_key
    assert fast.case_key == _case_key(fast.text)
    assert normalise_module.case_key(text) == _case_key(text)
    assert fast == Normalised(fast.original, fast.text, fast.starts, fast.ends, fast.runs, fast.case_key)
    if not fast.runs and all(map(normalise_module._inert_run, normalise_module.NON_ASCII_RUN.findall(text))):
        assert fast.text == text  # an inert text is its own normalisation
        assert fast.starts is None


SPACED = st.lists(
    st.sampled_from(["a", "I", "1", "7", "@", "$", "_", "é", "ß", "²", "ab", "12", " ", ".", "-", "*", "·", "•", "\n"]),
    max_size=14,
).map("".join)


@settings(max_examples=1500, deadline=None)
@given(st.one_of(texts, SPACED))
def test_the_spaced_letter_hints_hold_wherever_a_run_is_found(text: str) -> None:
    if any(any(c.isalpha() for c in run.group()) for run in SPACED_RUN.finditer(text)):
        assert any(hint.search(text) for hint in SPACED_HINTS)


TERMS = ["win", "Aurora Outdoor", "GORE-TEX", "#1", "a1", "double your money", "café", "ﬁt", "сор", ""]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from([*PIECES, *TERMS, "Wi n", "#WinBig", "w i n a car"]), max_size=20).map("".join))
def test_has_term_is_whether_find_term_finds_it(text: str) -> None:
    for term in TERMS:
        assert has_term(text, term) == bool(find_term(text, term))


def test_the_reductions_one_pre_check_class_is_its_two_classes() -> None:
    for code in range(0x80, 0x110000):
        ch = chr(code)
        either = legal._NON_ASCII_SPACE.match(ch) or legal._NON_ASCII_CASE.match(ch)
        assert bool(legal._NON_ASCII_EITHER.match(ch)) == bool(either), hex(code)


def _rules_as_merged_one_by_one(results: list[CheckResult]) -> list[str]:
    """The report's rules as the merge defines them: repeats within one result stay; a rule an earlier result
    checked is not listed again."""
    rules: list[str] = []
    for index, result in enumerate(results):
        earlier = {rule for other in results[:index] for rule in other.rules_checked}
        rules += [rule for rule in result.rules_checked if rule not in earlier]
    return rules


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["a", "b", "c", "d", "e"]), max_size=4), max_size=5))
def test_the_report_lists_each_rule_as_the_merge_defines(rule_lists: list[list[str]]) -> None:
    results = [
        CheckResult(rules_checked=list(rules), metrics={f"m{i}": float(i)}) for i, rules in enumerate(rule_lists)
    ]
    merged = report(iter(results))
    assert merged.rules_checked == _rules_as_merged_one_by_one(results)
    assert merged.metrics == {f"m{i}": float(i) for i in range(len(rule_lists))}


def test_the_known_rule_lists_are_bounded() -> None:
    """The report remembers which rule lists have no repeat; a service linting for many kits never holds more
    than the bound, and a list seen again is answered as first."""
    from flashfusion.linting import base

    for n in range(base._WITHOUT_REPEATS_MAX + 10):
        rules = [f"rule.{n}", "a", "b"]
        assert base._without_repeats(rules)
        assert base._without_repeats(rules)
        assert not base._without_repeats([*rules, "a"])
        assert len(base._WITHOUT_REPEATS) <= base._WITHOUT_REPEATS_MAX
