"""Sentiment of a text: VADER's compound score (loaded lazily, once per process), against the kit's range."""

from __future__ import annotations

import math
from itertools import compress, pairwise
from operator import itemgetter
from string import punctuation as PUNCTUATION
from typing import TYPE_CHECKING, Any, Final, NamedTuple

from flashfusion.linting import findings
from flashfusion.linting.voice.common import NON_ASCII, WORD_KIND_CACHE_LIMIT, forget_oldest_half

if TYPE_CHECKING:
    from flashfusion.models import Severity, Violation

SENTIMENT_RULE = "voice.sentiment"


class _Token(NamedTuple):
    """What VADER's scoring needs of one whitespace token: the fields of a ``Token``.

    The linter builds tokens as plain tuples (``Token``, fields read by index: ``WORD_AT`` and the others), never
    as this class: the garbage collector stops tracking a plain tuple of strings and bools, where an instance of a
    tuple subclass stays tracked for ever, and the token caches (``token_facts``, ``pieces``) hold tens of
    thousands, which every full collection would walk. A ``_Token`` equals the plain tuple of its fields."""

    word: str
    """The token without surrounding punctuation (unless that leaves two characters or fewer)."""
    lower: str
    may_have_valence: bool
    """In the lexicon and not a booster: the only words ``sentiment_valence`` is called for."""
    upper: bool
    """``word.isupper()`` (VADER's all-caps checks)."""
    booster: bool
    """In VADER's booster list: ``scalar_inc_dec`` gives it a scalar (0 to every other word)."""
    negation_context: bool
    """A word ``_negation_check`` looks for before a valenced word (a negation, "n't", "never", "without",
    "doubt", "so", "this"): with none of them among the three words before it, the check changes nothing."""
    idiom: bool
    """A word of one of VADER's special-case idioms or multi-word boosters: with none of them around a valenced
    word, ``_special_idioms_check`` changes nothing."""


Token = tuple[str, str, bool, bool, bool, bool, bool]
"""A ``_Token``'s fields as a plain tuple (see ``_Token``)."""
WORD_AT: Final = 0
LOWER_AT: Final = 1
MAY_HAVE_VALENCE_AT: Final = 2
UPPER_AT: Final = 3
BOOSTER_AT: Final = 4

# _Token's fields, read in C
_WORD = itemgetter(0)
_LOWER = itemgetter(1)
_MAY_HAVE_VALENCE = itemgetter(2)
_UPPER = itemgetter(3)
_NEGATION_CONTEXT = itemgetter(5)
_IDIOM = itemgetter(6)


def _sift_sentiment_scores(sentiments: list[Any]) -> tuple[float, float, int]:
    """``SentimentIntensityAnalyzer._sift_sentiment_scores`` over the non-zero scores only (a zero adds to
    neither sum), in the same order (the same float sums), and the zeros counted in C."""
    pos_sum = 0.0
    neg_sum = 0.0
    for sentiment_score in filter(None, sentiments):
        if sentiment_score > 0:
            pos_sum += float(sentiment_score) + 1
        if sentiment_score < 0:
            neg_sum += float(sentiment_score) - 1
    return pos_sum, neg_sum, sentiments.count(0)


_vader: _FastVader | None = None


def _sentiment() -> _FastVader:
    """The analyzer, made on first use, once per process (a module global rather than an ``lru_cache``: compiled,
    a call of this is a C call and a global read)."""
    global _vader
    if _vader is None:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        _vader = _FastVader(SentimentIntensityAnalyzer())
    return _vader


class _FastVader:
    """``SentimentIntensityAnalyzer.polarity_scores`` with identical scores and less per-call work:
    the emoji pass is skipped for texts with no emoji in VADER's table, words outside the lexicon get
    their 0 valence without a ``sentiment_valence`` call, and a text with no valenced word skips the
    scoring (all-zero sentiments score compound 0). What VADER needs of each whitespace token (its word
    without surrounding punctuation, lowercased, and whether the lexicon may give it a valence) is cached per
    token, so a text none of whose words can carry a valence (about half of short brand posts) is scored from
    those cached facts alone."""

    def __init__(self, analyzer: Any) -> None:
        from vaderSentiment import vaderSentiment as vs

        self.analyzer = analyzer
        self.lexicon: dict[str, float] = analyzer.lexicon
        self.emojis: dict[str, str] = analyzer.emojis
        # its emoji pass looks characters up one by one, so only one-character keys ever match
        self.emoji_chars = frozenset(k for k in analyzer.emojis if len(k) == 1)
        self.emoji_non_ascii = not any(k.isascii() for k in self.emoji_chars)  # then only non-ASCII need a look
        self.boosters = vs.BOOSTER_DICT
        self.negations = frozenset(vs.NEGATE)
        self.strip_punc = vs.SentiText._strip_punc_if_word
        self.vs = vs
        self.token_facts: dict[str, Token] = {}
        self.negation_words = self.negations | {"never", "without", "doubt", "so", "this"}
        self.idiom_words = frozenset(
            word
            for phrase in [*vs.SPECIAL_CASES, *[k for k in vs.BOOSTER_DICT if " " in k]]
            for word in phrase.split(" ")
        )
        self.listed = frozenset(self.lexicon).union(self.boosters, self.negation_words, self.idiom_words)
        """Every lowercase word some fact of ``_Token`` looks up (a word in none has none but "n't")."""
        # words that can give a lexicon word near them, or themselves, other than its lexicon value (``_sum``); the
        # negation contexts and the idioms' words are told by the tokens' facts
        self.context_words = frozenset(self.boosters) | {"no", "least", "kind"}
        # the n-grams _special_idioms_check looks up (all of two or three words but "badass", never looked up)
        self.phrases = frozenset(vs.SPECIAL_CASES) | frozenset(k for k in vs.BOOSTER_DICT if " " in k)
        # the emoji whose description (or that which is itself) holds a "!" or "?": VADER's punctuation emphasis
        # counts those of the text with its emoji described, which other emoji leave as they are
        self.punctuating_emoji = frozenset(k for k, d in self.emojis.items() if len(k) == 1 and _punctuating(k + d))
        self.memo_words: list[str] | None = None
        self.memo_lower: list[str] = []
        # the analyzer's per-word checks lowercase the whole text each time: these reuse one list
        analyzer._negation_check = self._negation_check
        analyzer._special_idioms_check = self._special_idioms_check
        analyzer._sift_sentiment_scores = _sift_sentiment_scores

    def _no_emoji(self, text: str) -> str:
        """vaderSentiment's emoji pass: each emoji becomes its description, after a space unless it
        starts the text or follows a space."""
        emojis = self.emojis
        if self.emoji_chars.isdisjoint(text):  # most texts, and most pieces with letters not ASCII: no emoji
            return text
        if self.emoji_non_ascii:
            # only non-ASCII characters can be emoji: look at those alone
            found = [m.start() for m in NON_ASCII.finditer(text) if m.group() in emojis]
        else:
            found = [i for i in range(len(text)) if text[i] in emojis]
        parts: list[str] = []
        done = 0
        for i in found:
            parts.append(text[done:i])
            if i and text[i - 1] != " ":
                parts.append(" ")
            parts.append(emojis[text[i]])
            done = i + 1
        parts.append(text[done:])
        return "".join(parts)

    def _token(self, token: str) -> Token:
        """The cache miss of ``_tokens``."""
        stripped = token.strip(PUNCTUATION)  # ``SentiText._strip_punc_if_word``
        word = token if len(stripped) <= 2 else stripped
        lower = word.lower()
        facts: Token
        if lower not in self.listed and "n't" not in lower:  # most words: in no list, no fact
            facts = (word, lower, False, word.isupper(), False, False, False)
        else:
            booster = lower in self.boosters
            facts = (
                word,
                lower,
                lower in self.lexicon and not booster,
                word.isupper(),
                booster,
                lower in self.negation_words or "n't" in lower,
                lower in self.idiom_words,
            )
        if len(self.token_facts) >= WORD_KIND_CACHE_LIMIT:
            forget_oldest_half(self.token_facts)
        self.token_facts[token] = facts
        return facts

    def _tokens(self, text: str) -> list[Token]:
        """``SentiText._words_and_emoticons`` as cached facts: each whitespace-split token without its surrounding
        punctuation, unless that leaves two characters or fewer (an emoticon)."""
        cached = self.token_facts.get
        return [cached(token) or self._token(token) for token in text.split()]

    def _lowered(self, words: list[str]) -> list[str]:
        """The lowercased words of the text being scored (the list VADER's checks rebuild per call)."""
        if words is not self.memo_words:
            self.memo_words = words
            self.memo_lower = [w.lower() for w in words]
        return self.memo_lower

    def _negation_check(self, valence: float, words_and_emoticons: list[str], start_i: int, i: int) -> float:
        """``SentimentIntensityAnalyzer._negation_check``, verbatim but for the lowercased list."""
        negated, n_scalar = self._negated, self.vs.N_SCALAR
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

    def _negated(self, words: list[str]) -> bool:
        """``vaderSentiment.negated`` of a one-word list, as the checks above call it: the lowercased word is a
        negation word or holds "n't" (a set lookup instead of a scan of the negation list)."""
        (word,) = words
        return word in self.negations or "n't" in word

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

    def _valence(
        self,
        is_cap_diff: bool,
        tokens: list[Token],
        words: list[str],
        lowered: list[str],
        i: int,
        negation: list[bool] | None,
        idiom: list[bool] | None,
    ) -> float:
        """``SentimentIntensityAnalyzer.sentiment_valence`` (with its ``_least_check``) for a lexicon word,
        verbatim but for the lowercased list (the original lowercases each neighbour at every look) and for the
        checks that cannot change the valence, skipped by the tokens' facts: ``scalar_inc_dec`` of a word that
        is not a booster (0.0, still added), ``_negation_check`` with none of the words it looks for before
        the word, ``_special_idioms_check`` with no word of an idiom the text holds around it (``negation``:
        each token's ``negation_context``; ``idiom``: whether each token is a word of such an idiom,
        ``_phrase_words``; either None when no token is)."""
        vs, lexicon = self.vs, self.lexicon
        item, lower = words[i], lowered[i]
        valence = lexicon[lower]
        if lower == "no" and i != len(words) - 1 and lowered[i + 1] in lexicon:
            valence = 0.0
        if (
            (i > 0 and lowered[i - 1] == "no")
            or (i > 1 and lowered[i - 2] == "no")
            or (i > 2 and lowered[i - 3] == "no" and lowered[i - 1] in ["or", "nor"])
        ):
            valence = lexicon[lower] * vs.N_SCALAR
        if item.isupper() and is_cap_diff:
            if valence > 0:
                valence += vs.C_INCR
            else:
                valence -= vs.C_INCR
        for start_i in range(0, 3):
            if i > start_i and lowered[i - (start_i + 1)] not in lexicon:
                booster = tokens[i - (start_i + 1)][BOOSTER_AT]
                scalar = vs.scalar_inc_dec(words[i - (start_i + 1)], valence, is_cap_diff) if booster else 0.0
                if start_i == 1 and scalar != 0:
                    scalar = scalar * 0.95
                if start_i == 2 and scalar != 0:
                    scalar = scalar * 0.9
                valence = valence + scalar
                # the words _negation_check looks at: the start_i + 1 words before the valenced one
                if negation is not None and any(negation[i - (start_i + 1) : i]):
                    valence = self._negation_check(valence, words, start_i, i)
                # _special_idioms_check (i > 2 here) looks at the three words before and two after
                if start_i == 2 and idiom is not None and any(idiom[i - 3 : i + 3]):
                    valence = self._special_idioms_check(valence, words, i)
        # _least_check
        if i > 1 and lowered[i - 1] not in lexicon and lowered[i - 1] == "least":
            if lowered[i - 2] != "at" and lowered[i - 2] != "very":
                valence = valence * vs.N_SCALAR
        elif i > 0 and lowered[i - 1] not in lexicon and lowered[i - 1] == "least":
            valence = valence * vs.N_SCALAR
        return float(valence)

    def __call__(self, text: str) -> dict[str, float]:
        text = self._no_emoji(text).strip()
        return self.scores(self._tokens(text), text)

    def scores(self, tokens: list[Token], text: str) -> dict[str, float]:
        """The scores of a text whose tokens are ``tokens``; ``text`` is read for its "!" and "?" only (VADER's
        punctuation emphasis)."""
        sentiments = self._sentiments(tokens)
        if sentiments is None:
            # every sentiment is 0: the scores of an all-zero list
            if not tokens:
                return {"neg": 0.0, "neu": 0.0, "pos": 0.0, "compound": 0.0}
            return {"neg": 0.0, "neu": 1.0, "pos": 0.0, "compound": 0.0}
        scores: dict[str, float] = self.analyzer.score_valence(sentiments, text)
        return scores

    def compound(self, tokens: list[Token], text: str) -> float:
        """``scores(tokens, text)["compound"]``, without the positive, negative and neutral shares: the compound
        part of ``score_valence``, verbatim, over the sum of the sentiments (``_sum``)."""
        sum_s = self._sum(tokens)
        if sum_s is None:
            return 0.0
        punct_emph_amplifier = _punctuation_emphasis(text)
        if sum_s > 0:
            sum_s += punct_emph_amplifier
        elif sum_s < 0:
            sum_s -= punct_emph_amplifier
        return round(_normalize(sum_s), 4)

    def _sum(self, tokens: list[Token]) -> float | None:
        """``float(sum(self._sentiments(tokens)))``, or None when that is None: each lexicon word's score is its
        lexicon value unless something near it can change that, and only then worked out by ``_valence``.

        ``_valence`` gives a lexicon word at ``i`` other than its lexicon value only when it is ALL CAPS among
        words that are not all so, or a context word is from ``i - 3`` to ``i + 2``: a booster, "no" (itself or
        one of the three before), "least" (the one before), "kind" (itself, before "of"), a negation context
        (``_negation_check`` reads the three before) or a word of an idiom the text holds
        (``_special_idioms_check`` reads the three before and the two after). ``_but_check`` changes scores only
        when "but" is among the words. The zeros ``_sentiments`` holds add nothing to a sum (in any float
        summation)."""
        n = len(tokens)
        valenced = list(compress(range(n), map(_MAY_HAVE_VALENCE, tokens)))
        if not valenced:
            return None
        lowered = list(map(_LOWER, tokens))
        if "but" in lowered:  # ``_but_check`` weighs every sentiment by its side of the "but"
            sentiments = self._sentiments(tokens)
            return None if sentiments is None else float(sum(sentiments))
        context = self.context_words
        lexicon = self.lexicon
        values: list[float] = []
        cap_diff: bool | None = None
        phrase_words: set[int] | None = None
        words: list[str] | None = None
        for i in valenced:
            token = tokens[i]
            start = i - 3 if i > 3 else 0
            window = tokens[start : i + 3]
            near = not context.isdisjoint(lowered[start : i + 3]) or any(map(_NEGATION_CONTEXT, window))
            if not near and any(map(_IDIOM, window)):
                if phrase_words is None:
                    phrase_words = self._phrase_words(tokens, lowered)
                near = bool(phrase_words) and not phrase_words.isdisjoint(range(i - 3, i + 3))
            upper = token[UPPER_AT]
            if upper and cap_diff is None:
                cap_diff = 0 < sum(map(_UPPER, tokens)) < n
            if not near and not (upper and cap_diff):
                values.append(lexicon[token[LOWER_AT]])
                continue
            if token[LOWER_AT] == "kind" and i < n - 1 and lowered[i + 1] == "of":
                continue  # scores 0
            if words is None:
                words = self.memo_words = list(map(_WORD, tokens))
                self.memo_lower = lowered
                negation = list(map(_NEGATION_CONTEXT, tokens))
                if phrase_words is None:
                    phrase_words = self._phrase_words(tokens, lowered) if any(map(_IDIOM, tokens)) else set()
                idiom = [j in phrase_words for j in range(n)] if phrase_words else None
                if cap_diff is None:
                    cap_diff = 0 < sum(map(_UPPER, tokens)) < n
            assert cap_diff is not None  # worked out with ``words``
            values.append(self._valence(cap_diff, tokens, words, lowered, i, negation, idiom))
        return float(sum(values)) if values else None

    def _phrase_words(self, tokens: list[Token], lowered: list[str]) -> set[int]:
        """The positions of the words of each two- or three-word run that is an idiom or a multi-word booster:
        every n-gram ``_special_idioms_check`` looks up is such a run, of words that are all idiom words."""
        found: set[int] = set()
        at = list(compress(range(len(tokens)), map(_IDIOM, tokens)))
        phrases = self.phrases
        for j, k in pairwise(at):
            if k != j + 1:
                continue
            if f"{lowered[j]} {lowered[k]}" in phrases:
                found.update((j, k))
            if k + 1 < len(lowered) and f"{lowered[j]} {lowered[k]} {lowered[k + 1]}" in phrases:
                found.update((j, k, k + 1))
        return found

    def _sentiments(self, tokens: list[Token]) -> list[Any] | None:
        """VADER's sentiment of each token (after ``_but_check``), or None when every one is 0."""
        valenced = list(compress(range(len(tokens)), map(_MAY_HAVE_VALENCE, tokens)))
        if not valenced:
            return None
        words = list(map(_WORD, tokens))
        # allcap_differential: some but not all words ALL CAPS
        is_cap_diff = 0 < len(words) - sum(map(_UPPER, tokens)) < len(words)
        self.memo_words = words
        lowered = self.memo_lower = list(map(_LOWER, tokens))
        last = len(words) - 1
        # words outside the lexicon, boosters and "kind" before "of" score 0
        sentiments: list[Any] = [0] * len(words)
        negation = list(map(_NEGATION_CONTEXT, tokens)) if any(map(_NEGATION_CONTEXT, tokens)) else None
        # only the words of an idiom the text holds can change a valence there (``_phrase_words``)
        phrase_words = self._phrase_words(tokens, lowered) if any(map(_IDIOM, tokens)) else None
        idiom = [j in phrase_words for j in range(len(tokens))] if phrase_words else None
        scored = False
        for i in valenced:
            if lowered[i] == "kind" and i < last and lowered[i + 1] == "of":
                continue
            scored = True
            sentiments[i] = self._valence(is_cap_diff, tokens, words, lowered, i, negation, idiom)
        if not scored:
            return None
        if "but" in lowered:  # ``_but_check`` changes nothing otherwise
            sentiments = self.analyzer._but_check(words, sentiments)
        return sentiments


def _normalize(score: float) -> float:
    """``vaderSentiment.normalize`` (its default ``alpha``, 15), verbatim: the same float operations."""
    norm_score = score / math.sqrt((score * score) + 15)
    if norm_score < -1.0:
        return -1.0
    elif norm_score > 1.0:
        return 1.0
    else:
        return norm_score


def _punctuating(text: str) -> bool:
    return "!" in text or "?" in text


def _punctuation_emphasis(text: str) -> float:
    """``SentimentIntensityAnalyzer._punctuation_emphasis``: its ``_amplify_ep`` plus its ``_amplify_qm``, with
    their arithmetic."""
    ep_count = text.count("!")
    if ep_count > 4:
        ep_count = 4
    ep_amplifier = ep_count * 0.292
    qm_count = text.count("?")
    qm_amplifier = 0.0
    if qm_count > 1:
        qm_amplifier = qm_count * 0.18 if qm_count <= 3 else 0.96
    return ep_amplifier + qm_amplifier


def sentiment_finding(compound: float, low: float, high: float, severity: Severity) -> Violation:
    """The finding for a compound score outside ``low`` to ``high``."""
    side = "too negative" if compound < low else "too positive"
    return findings.violation(
        rule_id=SENTIMENT_RULE,
        severity=severity,
        message=f"the tone is {side}: sentiment {compound:+.2f}, the brand kit wants {low:+.2f} to {high:+.2f}",
        suggestion="reword towards the brand's tone" if compound < low else "tone the enthusiasm down",
    )
