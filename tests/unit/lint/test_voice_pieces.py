"""The voice checks' per-piece reading (``voice.pieces.text_facts``) gives what the whole-text functions give:
``analyse``'s counts and word scan, ``emoji_spans``' count, VADER's scores, and a repetition pre-check that holds
wherever ``REPEATED_WORD`` finds a repeat. Checked on generated texts full of the awkward cases (pieces made of
words, marks, URLs, hashtags, emoji, apostrophes, hyphens, blank lines, non-ASCII letters) and on random Unicode
text, then on the benchmark's posts and the adversarial corpus."""

# ruff: noqa: RUF001 - the alphabet holds the look-alike letters on purpose
from __future__ import annotations

import gc
import json
import string

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from vaderSentiment import vaderSentiment as vs
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from flashfusion.linting.normalise import normalise
from flashfusion.linting.voice import lexicon, pieces, reading_grade, syllable_table, word_scan
from flashfusion.linting.voice.common import WORD, forget_oldest_half
from flashfusion.linting.voice.emojis import emoji_spans
from flashfusion.linting.voice.pieces import _facts, text_facts
from flashfusion.linting.voice.sentiment import _sentiment, _Token
from flashfusion.linting.voice.term_patterns import KitPatterns, Terms
from flashfusion.linting.voice.vale_rules import REPEATED_WORD
from flashfusion.models import VoiceRules
from tests.bench.bench_text_lint import make_posts
from tests.helpers import ROOT
from tests.unit.lint.voice_reference import analyse

PIECES = [
    "We",
    "we're",
    "you",
    "You'll",
    "y'all",
    "Y'ALL's",
    "they",
    "our-team",
    "it's",
    "İt",
    "ſhe",
    "\u212ait",
    "you_",
    "_you",
    "'you",
    "Grab",
    "grab",
    "Join",
    "gonna",
    "awesome",
    "therefore",
    "notwithstanding",
    "internationalisation",
    "great",
    "GREAT",
    "not",
    "isn't",
    "very",
    "kind",
    "of",
    "but",
    "least",
    "no",
    "the",
    "The",
    "the-end",
    "well-the",
    "1",
    "1000-123",
    "1234567890123",
    "2026-12-06",
    "$19.99",
    "10:30",
    "143",
    "<3",
    ":)",
    "e.g.",
    "GORE-TEX",
    "café",
    "naïve",
    "Ａ",
    "don\u2019t",
    ".",
    "!",
    "!!",
    "?",
    "‼",
    "！",
    "…",
    "。",
    "?!",
    ",",
    "-",
    "_",
    "'",
    "\u2019",
    "(",
    ")",
    "http://x.co/a",
    "https://a.io/x",
    "www.a.io",
    "#tag",
    "#WinBig",
    "@aurora",
    "a#b",
    "##x",
    "🌲",
    "👍🏽",
    "❄️",
    "1️⃣",
    "©",
    "😀",
    "🔛",
    " ",
    "  ",
    "\t",
    "\n",
    "\n\n",
    "\n \n",
    "\u00a0",
    "\u2028",
]
texts = st.lists(st.sampled_from(PIECES), max_size=24).map("".join)
unicode_texts = st.text(max_size=60)
repeats = st.lists(
    st.sampled_from(
        [*("she", "She", "ſhe", "kit", "\u212ait", "KIT", "it", "İt", "IT"), *("the", "1the", "the's", "é", " ", "\n")]
    ),
    max_size=8,
).map("".join)
"""Texts made mostly of one word in several spellings regex case folding equates, so repeats are common."""


def _reference(text: str) -> tuple[object, ...]:
    analysis = analyse(text)
    scan = analysis.scan
    return (
        analysis.words,
        analysis.sentences,
        analysis.long_sentences,
        analysis.syllables,
        scan.casual,
        scan.formal,
        scan.found,
        scan.counts,
        scan.first_at,
        len(emoji_spans(text)),
    )


def _pieces(text: str) -> tuple[object, ...]:
    facts = text_facts(text)
    scan = facts.scan
    return (
        facts.words,
        facts.sentences,
        facts.long_sentences,
        facts.syllables,
        scan.casual,
        scan.formal,
        scan.found,
        scan.counts,
        scan.first_at,
        facts.emoji,
    )


def _compound(text: str) -> float:
    from flashfusion.linting.voice.check import _compound as compound_of

    return compound_of(text, text_facts(text))


def _assert_same(text: str) -> None:
    assert _pieces(text) == _reference(text)
    assert _compound(text) == _sentiment()(text)["compound"]
    if REPEATED_WORD.search(text):
        assert text_facts(text).may_repeat()


@settings(max_examples=800, deadline=None)
@given(texts)
def test_the_pieces_give_what_the_whole_text_gives(text: str) -> None:
    _assert_same(text)


@settings(max_examples=500, deadline=None)
@given(unicode_texts)
def test_the_pieces_give_what_the_whole_text_gives_on_any_unicode(text: str) -> None:
    _assert_same(text)


@settings(max_examples=500, deadline=None)
@given(repeats)
@example("İt it")  # re's case folding equates "İ" and "i"; str.lower does not
@example("it \u212aIT")
def test_the_repetition_pre_check_holds_wherever_a_word_repeats(text: str) -> None:
    if REPEATED_WORD.search(text):
        assert text_facts(text).may_repeat()


@settings(max_examples=300, deadline=None)
@given(texts)
def test_a_piece_seen_before_gives_the_same_facts(text: str) -> None:
    """Read once with empty caches and once with every piece cached: the same facts."""
    _facts.clear()
    first = _pieces(text)
    assert _pieces(text) == first


def test_the_benchmark_posts_and_the_adversarial_corpus_read_the_same() -> None:
    adversarial = [
        json.loads(line)["text"]
        for line in (ROOT / "tests" / "fixtures" / "adversarial" / "posts.jsonl").read_text("utf-8").splitlines()
    ]
    for text in [*make_posts(21, 300), *adversarial]:
        _assert_same(text)


def test_vaders_compound_from_the_pieces_is_vaders_own() -> None:
    """Against vaderSentiment itself, on texts where the emoji turn into words (one of them with a "!")."""
    reference = SentimentIntensityAnalyzer()
    for text in ["Great day 🔛 on the ridge 😀!", "not bad 👍🏽 at all", "Never so happy ❄️☀️", "🌲🌲🌲 good"]:
        assert _compound(text) == reference.polarity_scores(text)["compound"]


# Texts of words never seen before, as posts bring them: the reading's caches are emptied before each, so every
# piece is read from scratch (the first sight of a piece is read by shortcuts the cached path never takes).
VADER_LEXICON = SentimentIntensityAnalyzer().lexicon
VADER_IDIOM_WORDS = {w for phrase in [*vs.SPECIAL_CASES, *vs.BOOSTER_DICT] if " " in phrase for w in phrase.split(" ")}
VADER_IDIOM_WORDS |= {w for phrase in vs.SPECIAL_CASES for w in phrase.split(" ")}
LISTED = sorted(
    {
        *lexicon.slang_words(),
        *lexicon.formal_words(),
        *lexicon.imperative_verbs(),
        *lexicon.pronoun_heads(),
        *VADER_LEXICON,
        *vs.BOOSTER_DICT,
        *vs.NEGATE,
        *VADER_IDIOM_WORDS,
        *("never", "without", "doubt", "so", "this", "kind", "of", "least", "no", "but", "y"),
    }
)
"""Every word a voice check looks up in a list (with VADER's emoticons, phrases and contractions)."""
DICTIONARY = sorted(syllable_table.load() or ())
"""The CMU table's words (with apostrophes, dots and hyphens): their syllables come from the table."""
new_words = st.one_of(
    st.sampled_from(LISTED),
    st.sampled_from(DICTIONARY),
    st.text(string.ascii_letters, min_size=1, max_size=16),  # off the table: hyphenation counts its syllables
    st.integers(0, 10**14).map(str),
    st.sampled_from(["café", "naïve", "straße", "İt", "ſhe", "\u212ait", "Ａbc", "ÉLAN", "日本", "٣٤", "x²"]),
)
TRAILERS = [*("", "", "", ".", ".", ",", "!", "?", ";", ":", "!!", "?!", "!?!", "...", ".,", ",.", "!.", ":)", ")")]
TRAILERS += ['"', "'", "…", "！", "‼", "。", "🌲", "👍🏽", "❄️", "😀", "!🔥", ".#x", "-"]
"""What may follow a word in its piece: nothing, marks, emoji."""
new_pieces = st.builds(
    lambda lead, word, case, inner, trail: lead + case(word) + inner + trail,
    st.sampled_from(["", "", "", "(", "'", '"', "#", "@", "¿", "_", "-", "🌲"]),
    new_words,
    st.sampled_from([str, str, str.capitalize, str.upper, str.lower, str.swapcase, str.title]),
    st.sampled_from(["", "", "", "'s", "n't", "\u2019s", "'", "-", "-you", "-the", "é", "İ", "_", "2", "x"]),
    st.sampled_from(TRAILERS),
)
new_texts = st.lists(
    st.tuples(new_pieces, st.sampled_from([" ", " ", " ", " ", "  ", "\n", "\n\n", "\t"])), max_size=14
).map(lambda parts: "".join(piece + gap for piece, gap in parts))


def _forget_every_piece() -> None:
    _facts.clear()
    word_scan._word_kinds.clear()
    reading_grade._syllable_cache.clear()
    _sentiment().token_facts.clear()


def _vader_token(token: str) -> _Token:
    """What VADER's scoring reads of one whitespace token, from vaderSentiment's own lists and stripping."""
    word = vs.SentiText._strip_punc_if_word(token)
    lower = word.lower()
    return _Token(
        word,
        lower,
        lower in VADER_LEXICON and lower not in vs.BOOSTER_DICT,
        word.isupper(),
        lower in vs.BOOSTER_DICT,
        vs.negated([lower]) or lower in ("never", "without", "doubt", "so", "this"),
        lower in VADER_IDIOM_WORDS,
    )


@settings(max_examples=600, deadline=None)
@given(new_texts)
@example("Attacker overbearing, dominic! gongs? Stouder!! 7922 1432 #Laing 12345678901234 internationalisation.")
@example("YOU you. You, we! They? THEY'S kind of great. No, never so good; at least not. Zyxwvut qxz, Qxz.")
@example("uncomfortable Zyxwvutsrqpon, ABCDEFGHIJKLM. 1234567890123 123456789012!")  # 13 characters: long
@example("#ab @no #Yo! @we, #abc @You #great! #WE. @zyxwvutsrqponm? #Internationalisation great")
@example("Brand's we're Y'ALL's y'all rock'n'roll it's IT'S! don't can't, let's Let's. o'clock x'y great's you'd")
@example('(We "you" (y\'all) "great!" (#tag) (https://x.io) ("nested") (ab) (ab.) "dogs\'" (1234 ((you!)')
def test_texts_of_new_words_read_as_the_whole_text_reads(text: str) -> None:
    """Every piece read for the first time (words off every list and on one, capitalised, upper, with marks,
    apostrophes, digits, non-ASCII letters and emoji): what the whole-text reference reads, and VADER's tokens
    what vaderSentiment makes of each."""
    _forget_every_piece()
    _assert_same(text)
    _forget_every_piece()
    _assert_vaders_tokens(text)


def _assert_vaders_tokens(text: str) -> None:
    """The pieces' VADER tokens are vaderSentiment's of the text (all of them, whether or not the text's are
    read: they are when a token may have a valence)."""
    expected = [_vader_token(token) for token in _sentiment()._no_emoji(text).split()]
    assert [
        token for piece in text.split() for token in pieces.PieceFields(*pieces.piece_facts(piece)).vader
    ] == expected, text
    tokens = text_facts(text).vader_tokens
    assert tokens == (expected if any(token.may_have_valence for token in expected) else None), text


def test_every_listed_word_as_a_new_piece_reads_as_the_whole_text_reads() -> None:
    """Each word a check looks up, in the shapes a post brings it (plain, capitalised, upper, with a mark after
    it): read for the first time, the same facts as the reference's."""
    words = [word for word in LISTED if not any(c.isspace() for c in word)]
    shapes = [str, str.capitalize, str.upper, lambda w: w + ".", lambda w: w.title() + ",", lambda w: w + "!!"]
    shapes += [lambda w: "#" + w, lambda w: "@" + w.capitalize() + "?", lambda w: "#" + w.upper() + ";"]
    for shape in shapes:
        _forget_every_piece()
        for start in range(0, len(words), 25):
            text = " ".join(map(shape, words[start : start + 25]))
            assert _pieces(text) == _reference(text), text
            _assert_vaders_tokens(text)


@settings(max_examples=800, deadline=None)
@given(st.one_of(new_texts, texts, unicode_texts))
@example("İt ſhe \u212ait you\u2019re café-you wé-THEY x-İ-ſhe_ _you y\u2019all Y'ALL's-us")
def test_a_token_said_to_hold_no_pronoun_holds_none(text: str) -> None:
    """The word kind's pronoun bit (``word_scan._word_kind``) is a bound: where it is not set, the whole-text
    search (``_pronouns_in``, ``pronoun_pattern()`` for a token that is not ASCII) finds no pronoun."""
    for match in WORD.finditer(text):
        if not word_scan._word_kind(match.group()) & word_scan._PRONOUN:
            scan = word_scan.WordScan()
            word_scan._pronouns_in(text, match.group(), match.start(), match.end(), scan)
            assert scan.counts == {"first": 0, "second": 0, "third": 0}, match.group()


def test_the_cached_facts_are_left_to_the_garbage_collector_untracked() -> None:
    """Every kind of piece's facts and VADER's tokens are plain tuples of strings, numbers, bytes and bools: a
    collection stops tracking them, so the caches' tens of thousands are not walked by every full collection
    (a tuple subclass, a named tuple, stays tracked)."""
    _forget_every_piece()
    text = "We ride (the #trail) @you, don't we?! 12:30 rock'n'roll caf\u00e9 great! YOU 🌲🌲 non-stop https://x.io/a."
    read = [pieces.piece_facts(piece) for piece in text.split()]
    tokens = list(_sentiment().token_facts.values())
    # a collection untracks a tuple whose items are untracked when it looks at it: an outer tuple looked at before
    # its inner one is untracked by a later one (facts hold tuples of tuples: three levels)
    for _ in range(3):
        gc.collect()
    assert tokens
    assert [facts for facts in read if type(facts) is not tuple or gc.is_tracked(facts)] == []
    assert [token for token in tokens if type(token) is not tuple or gc.is_tracked(token)] == []


def test_a_full_cache_forgets_its_oldest_half() -> None:
    cache = {str(k): k for k in range(10)}
    forget_oldest_half(cache)
    assert cache == {str(k): k for k in range(5, 10)}
    cache["new"] = 10
    assert list(cache) == ["5", "6", "7", "8", "9", "new"]


def test_the_piece_cache_stays_bounded_and_keeps_the_latest_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    """Past its limit the piece cache keeps the most recent pieces (plain or not), and a forgotten piece read
    again gives the same facts."""
    monkeypatch.setattr(pieces, "PIECE_CACHE_LIMIT", 8)
    _forget_every_piece()
    plain = [f"{word}{mark}" for word in ("zyx", "Qwv", "plo", "ABC", "1234") for mark in ("", ".")]
    other = [f"{word}{mark}" for word in ("#tag", "(par", "café", "x\u2019s", "a-b") for mark in ("", "!")]
    first = []
    for words in (plain, other):  # each read its own way (``_new_piece``, ``_other_piece``)
        _facts.clear()
        first += [pieces.piece_facts(word) for word in words]
        assert words[0] not in _facts
        assert all(word in _facts for word in words[5:])  # the latest five of ten, where clearing keeps two
    assert [pieces.piece_facts(word) for word in plain + other] == first
    assert len(_facts) <= 8


TERM_GROUPS = [["colour", "color"], ["trekking pole", "hiking pole"], ["aa", "aaa"], ["win", "win big"], ["#1", "go"]]
term_texts = st.lists(
    st.sampled_from(["colour", "COLOR", "color-", "trekking", "pole", "hiking", "aa", "aaa", "win", "big", "#1", "go"])
    | st.sampled_from([" ", "-", "", ".", "\n", "#", "İ", "e"]),
    max_size=12,
).map("".join)


@settings(max_examples=500, deadline=None)
@given(term_texts, st.sampled_from(TERM_GROUPS))
@example("colour and COLOR", ["colour", "color"])
@example("aaa aa", ["aa", "aaa"])
def test_a_group_said_to_match_once_at_most_matches_once_at_most(text: str, group: list[str]) -> None:
    """The consistency rule's shortcut (``Terms.at_most_one_match``) is a bound on ``Terms.matches``, and the
    matches found from the text's present runs are the matches found without them."""
    terms = Terms(group)
    norm = normalise(text)
    present = KitPatterns(VoiceRules.model_validate({"preferredTerms": dict.fromkeys(group, "x")})).present(norm)
    found = terms.matches(norm)
    assert terms.matches(norm, present) == found
    if terms.at_most_one_match(norm, present):
        assert len(found) <= 1


LETTERLESS_PARTS = [*"0123456789", *".,!?;:-/$%()<>=*+'\"", ":)", "<3", "</3", ":-(", ";)", ":D", "(:", "$1", "19.99"]
letterless_pieces = st.lists(st.sampled_from(LETTERLESS_PARTS), min_size=1, max_size=6).map("".join)


@settings(max_examples=400, deadline=None)
@given(st.lists(letterless_pieces, min_size=1, max_size=8), st.sampled_from(["good", "bad", "we", "the", ""]))
@example([":)", "<3", ":-(", "(:", "1000-123.", "$19.99!", "!!", "10:30"], "")
def test_new_letterless_pieces_read_as_the_whole_text_reads(pieces_: list[str], word: str) -> None:
    """A piece of ASCII digits and marks read for the first time (``_letterless_piece``: its VADER token worked out
    without the token cache, unless it is a listed emoticon): the reference's facts and vaderSentiment's tokens."""
    text = " ".join([word, *pieces_])
    _forget_every_piece()
    _assert_same(text)
    _forget_every_piece()
    _assert_vaders_tokens(text)


@settings(max_examples=500, deadline=None)
@given(
    st.lists(st.sampled_from(PIECES) | new_pieces, max_size=20),
    st.sampled_from([" ", " ", "\n", "  ", " \t"]),
    st.sampled_from(["", " ", "\n"]),
)
@example(["We", "you", "they", "we", "You"], " ", "")
@example(["(We", "them", "our-team", "You'll"], " ", " ")
def test_the_first_pronouns_are_where_the_whole_text_has_them(words: list[str], gap: str, edge: str) -> None:
    """``first_at`` (a piece's offset by arithmetic when one character separates each piece, else by search): the
    reference's offsets, in the same order."""
    text = edge + gap.join(words) + edge
    assert list(text_facts(text).first_at().items()) == list(analyse(text).scan.first_at.items()), text


IMPERATIVES = sorted(lexicon.imperative_verbs())
opening_pieces = st.builds(
    lambda lead, word, case, trail: lead + case(word) + trail,
    st.sampled_from(["", "", "", "(", "#", "'", "_", "2", "É"]),
    st.sampled_from(IMPERATIVES) | st.sampled_from(["we", "the", "café", "grab-bag", "don't", "let\u2019s"]),
    st.sampled_from([str, str.capitalize, str.upper]),
    st.sampled_from(["", "", ".", "!", "?", "!!", ",", "…", "'s", "\u2019ll", "-x", "2", ".)", "?!", "。"]),
)
opening_texts = st.tuples(
    st.sampled_from(["", "", " ", "\n", "\u00a0"]),
    st.lists(
        st.tuples(opening_pieces | st.sampled_from(PIECES), st.sampled_from([" ", " ", "  ", "\t", "\n"])), max_size=12
    ),
).map(lambda lead_parts: lead_parts[0] + "".join(piece + gap for piece, gap in lead_parts[1]))


@settings(max_examples=600, deadline=None)
@given(opening_texts, st.booleans())
@example("Grab it. Find yours! See? join us", False)
@example(" Grab it.  Find (Visit #Check 'Go", True)
@example("Grab it.\nFind yours", False)
def test_the_imperative_openings_are_the_whole_texts(text: str, new: bool) -> None:
    """The casual weight and markers ``check_voice`` reads (``imperative_openings`` found once for both,
    ``casual_weight``, and ``casual_found`` instead of a whole ``WordScan``) are the whole-text word scan's."""
    if new:
        _forget_every_piece()
    facts = text_facts(text)
    scan = analyse(text).scan
    openings = facts.imperative_openings()
    assert facts.casual() == facts.casual_weight(openings) == scan.casual, text
    assert facts.casual_found(openings) == scan.found, text
