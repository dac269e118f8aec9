"""Legal checks on text (banned terms, disclaimers, trademarks, claims) and image moderation.

Every term is looked for in the normalised text (``linting.normalise``: NFKC, default-ignorable code points
removed, confusables folded to Latin where a word is plausibly a disguise, spaced or dotted letters joined)
with the shared rules of ``linting.term_match`` (whole words, any case, phrase words across spaces, hyphens
or nothing, hashtag camel case); locations point into the original text.

Banned terms are matched harder still: in simple inflections and through l33t spellings:

- inflections of the last word: -s -es -ed -ing -er -est -ly, a doubled final consonant ("banned"),
  y -> i ("happier", "happily"), -d/-r/-st after a final e ("cured") and a dropped final e
  ("curing");
- l33t: 0->o, 1->i/l, 3->e, 4->a, 5->s, 7->t, @->a, $->s;
- letters split by one consistent separator: "m i r a c l e", "m.i.r.a.c.l.e", "m-i-r-a-c-l-e",
  "m_i_r_a_c_l_e", "m*i*r*a*c*l*e" (joined by the normalisation), also next to a one-letter word
  ("a m i r a c l e", "w i n a car");
- repeated letters: "miiiracle" (up to 30 of each).

Decisions (tested):
- word boundaries are kept, so a banned "ass" never hits "class", "assess" or "passage", and "win" never
  hits "window" or "Darwin";
- only the suffixes above count: "miracle" does not hit "miraculous(ly)" (a different stem). List
  such derived words in the kit if they are banned too;
- a hyphen or space inside a banned term also matches a space, a hyphen or nothing ("risk-free",
  "risk free", "riskfree", "#RiskFree"); never sentence punctuation;
- a match made only of digits and symbols ("5413" for "sale") is a number, not a word: skipped;
- spaced letters are read as one word: "c l a s s" and "t i t l e" do not hit "ass" / "tit";
- suffix letters are not stretched ("assess" must not read as "ass" + "eSS").

Disclaimers apply to every post, sponsored or not, when their ``channels`` is empty or names the channel
(case-insensitive); with no channel, only the every-channel disclaimers apply. A disclaimer is present when
its text appears anywhere (any case, any whitespace). Sponsored-content disclosures ("#ad" or "#sponsored",
within the first N characters) are ``flashfusion.linting.disclosures``, checked only for sponsored posts.

Image moderation is an adapter (``ModerationAdapter``, Rekognition in ``flashfusion.vision``) passed in;
offline there is none and the check reports ``not_checked`` rather than passing.
"""

from __future__ import annotations

import re
import string
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Protocol

from flashfusion.linting import findings
from flashfusion.linting.base import CheckResult
from flashfusion.linting.media import describe_error
from flashfusion.linting.normalise import IGNORECASE_ASCII, Normalised, normalise, normalise_term
from flashfusion.linting.term_match import (
    AFTER,
    BEFORE,
    SEP,
    Found,
    TermIndex,
    boundaries_hold,
    find_term,
    found_in,
    leading,
    surely_absent,
    term_words,
)
from flashfusion.linting.terms import BANNED_RULE
from flashfusion.models import BrandKit, Fix, NotChecked, TextSpan, Violation

if TYPE_CHECKING:
    from flashfusion.brandkit import Disclaimer, LegalRules, Trademark

DISCLAIMER_RULE = "legal.disclaimer"
TRADEMARK_RULE = "legal.trademark"
CLAIM_RULE = "legal.claim"
MODERATION_RULE = "legal.moderation"
LEGAL_RULES = [BANNED_RULE, DISCLAIMER_RULE, TRADEMARK_RULE, CLAIM_RULE]

OFFLINE_REASON = "no moderation service here (offline); not checked is not passed"

# --- banned terms -----------------------------------------------------------------------------

LEET: dict[str, str] = {
    "a": "a4@",
    "e": "e3",
    "i": "i1",
    "l": "l1",
    "o": "o0",
    "s": "s5$",
    "t": "t7",
}
MAX_REPEAT = 30  # a letter stretched further is not matched; unbounded repeats backtrack badly on "1111..."
SEPARATORS = [" ", ".", "-", "_", "*"]
SUFFIXES = ["s", "es", "ed", "ing", "er", "est", "ly"]
VOWELS = set("aeiou")


def _letter(ch: str) -> str:
    """One letter of a term: its l33t look-alikes."""
    return "[" + re.escape(LEET.get(ch, ch)) + "]"


def _stretched(word: str) -> str:
    """A word whose letters may repeat: a run of one letter becomes ``[cls]{n,n+29}`` rather than n
    adjacent ``[cls]+`` (which backtracks exponentially on a long run of that letter)."""
    out: list[str] = []
    for run in re.finditer(r"(.)\1*", word.lower()):
        ch, count = run.group(1), len(run.group(0))
        out.append(f"{_letter(ch)}{{{count},{count + MAX_REPEAT - 1}}}" if ch.isalpha() else re.escape(run.group(0)))
    return "".join(out)


def _plain(letters: str) -> str:
    return "".join(_letter(ch) if ch.isalpha() else re.escape(ch) for ch in letters)


def _stem_variants(word: str) -> list[str]:
    """The last word written with its optional inflection, including y->i and dropped-e stems."""
    lower = word.lower()
    if not lower[-1:].isalpha():
        return [_stretched(word)]
    suffixes = [*SUFFIXES, "d", "r", "st"] if lower.endswith("e") else SUFFIXES
    variants = [_stretched(word) + "(?:" + "|".join(_plain(s) for s in suffixes) + ")?"]
    if len(lower) > 2 and lower.endswith("y") and lower[-2] not in VOWELS:
        variants.append(
            _stretched(word[:-1])
            + _letter("i")
            + "(?:"
            + "|".join(_plain(s) for s in ("es", "ed", "er", "est", "ly"))
            + ")"
        )
    if len(lower) > 2 and lower.endswith("e") and lower[-2] not in VOWELS:
        variants.append(_stretched(word[:-1]) + _plain("ing"))
    return variants


@lru_cache(maxsize=1024)  # once per term and process
def banned_pattern(term: str) -> re.Pattern[str]:
    """A banned term with its inflections and l33t spellings, over normalised text (``normalise``); whole
    words only, with ``term_match``'s boundary exceptions (checked by ``boundaries_hold``)."""
    words = term_words(term)
    head = [_stretched(w) for w in words[:-1]]
    last = "(?:" + "|".join(_stem_variants(words[-1])) + ")"
    first = words[0][0].lower()
    start = leading(_letter(first) if first.isalpha() else re.escape(first))
    return re.compile(start + BEFORE + "(?:" + SEP.join([*head, last]) + ")" + AFTER, re.IGNORECASE)


# A cheap necessary condition for ``banned_pattern(term)`` to match: the text and the term are reduced
# the same way (case folded, with the non-ASCII letters ``re.IGNORECASE`` equates to ASCII ones; each
# l33t class mapped to one byte; whitespace and separators dropped). Every match then reduces to a
# string holding the term's reduction minus its last letter (inflections drop or change only that
# letter), each character possibly repeated ("miiiracle"), so a text where ``_term_key(term)`` finds
# nothing cannot match and its expensive pattern is skipped.
_IGNORECASE_ASCII = IGNORECASE_ASCII
_LEET_CANON = {"4": "a", "@": "a", "3": "e", "l": "1", "i": "1", "0": "o", "5": "s", "$": "s", "7": "t"}
_DROPPED_ASCII = "".join(chr(c) for c in range(128) if chr(c).isspace()) + "".join(SEPARATORS) + "-"
_ASCII_TABLE = bytes.maketrans(
    (string.ascii_uppercase + "".join(_LEET_CANON) + "IL").encode(),
    (string.ascii_lowercase.replace("i", "1").replace("l", "1") + "".join(_LEET_CANON.values()) + "11").encode(),
)
_DROPPED_ASCII_BYTES = _DROPPED_ASCII.encode()


_NON_ASCII_SPACE = re.compile(r"[^\S\x00-\x7f]")  # what the patterns' \s matches beyond ASCII
_NON_ASCII_CASE = re.compile("[" + "".join(_IGNORECASE_ASCII) + "]")
NON_ASCII_SPACES = "\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
"""``_NON_ASCII_SPACE`` spelled out (a test holds them equal), to join the case letters in one class:"""
_NON_ASCII_EITHER = re.compile(f"[{NON_ASCII_SPACES}{''.join(_IGNORECASE_ASCII)}]")  # one scan: most texts have neither
_NON_ASCII_TABLE = str.maketrans({ch: _LEET_CANON.get(letter, letter) for ch, letter in _IGNORECASE_ASCII.items()})


def _reduce(text: str) -> bytes:
    if not text.isascii() and _NON_ASCII_EITHER.search(text) is not None:
        text = _NON_ASCII_SPACE.sub("", text)
        if _NON_ASCII_CASE.search(text):
            text = text.translate(_NON_ASCII_TABLE)
    return text.encode("utf-8").translate(_ASCII_TABLE, _DROPPED_ASCII_BYTES)


@lru_cache(maxsize=1024)
def _term_key(term: str) -> re.Pattern[bytes] | None:
    """Finds, in a reduced text, the reduced term minus its last letter with each character repeatable;
    None (always run the pattern) for a non-ASCII term."""
    plain = " ".join(normalise_term(term).split())
    if not plain.isascii():
        return None
    reduced = _reduce(plain[:-1] if plain[-1:].isalpha() else plain)
    runs = [m.group(0)[:1] for m in re.finditer(rb"(.)\1*", reduced, re.DOTALL)]
    if not runs:
        return re.compile(b"")
    # "g+u+a+..." is found where "guu*a+..." is (at its last "g"): a pattern that starts with a literal string is
    # searched by skipping to that string ("gu", rarer than any one byte), not tried at every position
    literal = b"".join(map(re.escape, runs[:2]))
    second = re.escape(runs[1]) + b"*" if len(runs) > 1 else b""
    return re.compile(literal + second + b"".join([re.escape(r) + b"+" for r in runs[2:]]))


def find_disguised(norm: Normalised, term: str, reduced: list[bytes]) -> list[Found]:
    """Every match of ``term`` with its inflections and l33t spellings in the normalised text; ``reduced``
    holds the text's reduction once computed (shared by the terms of one text)."""
    if not term_words(term):
        return []
    key = _term_key(term)
    if key is not None:
        if not reduced:
            reduced.append(_reduce(norm.text))
        if key.search(reduced[0]) is None:
            return []
    return _disguised(norm, term)


def _disguised(norm: Normalised, term: str) -> list[Found]:
    """``find_disguised`` without its pre-check."""
    has_letters = any(ch.isalpha() for ch in term)
    found: list[Found] = []
    for match in banned_pattern(term).finditer(norm.text):
        start, end = match.span()
        if end == start or not boundaries_hold(norm, start, end):
            continue
        if has_letters and not any(ch.isalpha() for ch in match.group(0)):
            continue  # all digits and symbols ("5413", "1 1 1"): a number, not an obfuscated word
        found.append(found_in(norm, start, end))
    return found


@lru_cache(maxsize=256)  # a kit's banned terms, once per kit
def _banned_keys(terms: tuple[str, ...]) -> tuple[tuple[str, re.Pattern[bytes]], ...] | None:
    """Each term with words and its key (``_term_key``): only a term whose key finds something in the reduced text
    can match, and a text where no key does holds none of the terms. None when some term has no key. (Searched one
    by one: each skips to its literal start, where one alternation of them would be tried at every byte that starts
    any of them; a short text is first searched for any of them at once: ``_any_key``.)"""
    keyed = [(term, _term_key(term)) for term in terms if term_words(term)]
    if not keyed or any(key is None for _, key in keyed):
        return None
    return tuple((term, key) for term, key in keyed if key is not None)


SHORT_REDUCED = 64
"""A reduced text of at most this many bytes is first searched for any banned key at once (``_any_key``)."""


@lru_cache(maxsize=256)  # a kit's banned terms, once per kit
def _any_key(keys: tuple[tuple[str, re.Pattern[bytes]], ...] | None) -> re.Pattern[bytes] | None:
    """One alternation of ``keys``: it finds something exactly when one of the keys does (an existence test: which
    key matched where does not matter). On a short text one search of it costs less than one per key (each search
    pays its call), on a long one more (every alternative is tried at each byte that may start one)."""
    if not keys or len(keys) < 2:
        return None
    return re.compile(b"|".join([key.pattern for _, key in keys]))


def find_banned(text: str | Normalised, terms: list[str]) -> list[Violation]:
    keys = _banned_keys(tuple(terms))
    return _find_banned(text if isinstance(text, Normalised) else normalise(text), terms, keys, _any_key(keys))


def _find_banned(
    norm: Normalised,
    terms: Sequence[str],
    keys: tuple[tuple[str, re.Pattern[bytes]], ...] | None,
    any_key: re.Pattern[bytes] | None = None,
) -> list[Violation]:
    """``find_banned``, with the terms' ``_banned_keys`` (and their ``_any_key``): each key is searched once, and only
    the terms whose key finds something are matched; a short text where no key finds anything is left after one
    search."""
    if keys is not None:
        text = _reduce(norm.text)
        if any_key is not None and len(text) <= SHORT_REDUCED and any_key.search(text) is None:
            return []
        hits = [term for term, key in keys if key.search(text) is not None]
        if not hits:
            return []
        matched = [(term, _disguised(norm, term)) for term in hits]
    else:
        reduced: list[bytes] = []
        matched = [(term, find_disguised(norm, term, reduced)) for term in terms]
    found: list[Violation] = []
    for term, matches in matched:
        for match in matches:
            plain = " ".join(term.split())
            written = match.text
            label = f'"{written}"' if written.lower() == plain.lower() else f'"{written}" (banned: "{plain}")'
            found.append(
                findings.violation(
                    rule_id=BANNED_RULE,
                    severity="error",
                    message=f"{label} is a banned term in this brand kit",
                    location=findings.text_span(start=match.start, end=match.end, text=written),
                    suggestion=f'remove or rephrase "{written}"',
                )
            )
    return sorted(found, key=lambda v: v.location.start if isinstance(v.location, TextSpan) else 0)


class LegalPlan:
    """What a kit's legal rules look for in every text, prepared once per kit: the banned terms' keys, and one
    ``TermIndex`` of the trademarks' terms and the claims' phrases (a text holding none of their first runs has
    neither an unmarked trademark nor a claim, and their lists are not walked)."""

    def __init__(self, banned: tuple[str, ...], marks_and_claims: tuple[str, ...]) -> None:
        self.banned = banned
        self.banned_keys = _banned_keys(banned)
        self.any_banned_key = _any_key(self.banned_keys)
        self.index = TermIndex(marks_and_claims)
        self._searched = bool(self.index.runs or self.index.unanchored)

    def may_mark_or_claim(self, norm: Normalised) -> bool:
        """False when the text surely holds none of the trademarks and claims (``term_match.surely_absent``)."""
        return self._searched and bool(self.index.unanchored or self.index.present(norm))


@lru_cache(maxsize=64)
def _plan_for(banned: tuple[str, ...], marks_and_claims: tuple[str, ...]) -> LegalPlan:
    return LegalPlan(banned, marks_and_claims)


PLAN_CACHE_LIMIT = 64
_plan_cache: dict[int, tuple[LegalRules, LegalPlan]] = {}


def legal_plan(rules: LegalRules) -> LegalPlan:
    """The plan of ``rules``: looked up by identity (the cache holds the object, so its id is not reused while
    cached), built once per distinct content. Like ``voice.term_patterns.kit_patterns``, a kit's legal rules are
    not expected to change in place once it has been linted."""
    cached = _plan_cache.get(id(rules))
    if cached is not None and cached[0] is rules:
        return cached[1]
    if len(_plan_cache) >= PLAN_CACHE_LIMIT:
        _plan_cache.clear()
    terms = (*[t.term for t in rules.trademarks], *[c.phrase for c in rules.claims])
    plan = _plan_for(tuple(rules.banned_terms), terms)
    _plan_cache[id(rules)] = (rules, plan)
    return plan


# --- disclaimers ------------------------------------------------------------------------------


def _applies(disclaimer: Disclaimer, channel: str | None) -> bool:
    if not disclaimer.channels:
        return True
    return channel is not None and channel.lower() in {c.lower() for c in disclaimer.channels}


def _insertion(text: str, disclaimer: Disclaimer) -> Fix:
    if disclaimer.position == "start":
        glue = "" if not text or text[:1].isspace() else " "
        return findings.fix(
            kind="insert", span=findings.text_span(start=0, end=0, text=""), text=disclaimer.text + glue
        )
    glue = "" if not text or text[-1:].isspace() else " "
    end = len(text)
    return findings.fix(
        kind="insert", span=findings.text_span(start=end, end=end, text=""), text=glue + disclaimer.text
    )


def missing_disclaimers(text: str, disclaimers: list[Disclaimer], channel: str | None) -> list[Violation]:
    found: list[Violation] = []
    for disclaimer in disclaimers:
        if not _applies(disclaimer, channel) or not disclaimer.text.split():
            continue
        if term_pattern_loose(disclaimer.text).search(text):
            continue
        where = "at the start" if disclaimer.position == "start" else "at the end"
        found.append(
            findings.violation(
                rule_id=DISCLAIMER_RULE,
                severity="error",
                message=f'the required disclaimer "{disclaimer.text}" is missing'
                + (f" for {channel}" if channel else ""),
                suggestion=f'add "{disclaimer.text}" {where}',
                fix=_insertion(text, disclaimer),
            )
        )
    return found


@lru_cache(maxsize=1024)  # a kit's disclaimers, on every post
def term_pattern_loose(phrase: str) -> re.Pattern[str]:
    """A phrase in any case and spacing; boundaries only where the phrase starts/ends with a word char."""
    body = r"\s+".join(re.escape(w) for w in phrase.split())
    before = r"(?<!\w)" if phrase.strip()[:1].isalnum() else ""
    after = r"(?!\w)" if phrase.strip()[-1:].isalnum() else ""
    return re.compile(before + body + after, re.IGNORECASE)


# --- trademarks -------------------------------------------------------------------------------

ASCII_SYMBOLS = {"®": "(R)", "™": "(TM)", "℠": "(SM)"}


def _marked(text: str, end: int, trademark: Trademark) -> bool:
    rest = text[end : end + 4]
    return rest.startswith(trademark.symbol) or rest.upper().startswith(ASCII_SYMBOLS[trademark.symbol])


def unmarked_trademarks(text: str | Normalised, trademarks: list[Trademark]) -> list[Violation]:
    norm = text if isinstance(text, Normalised) else normalise(text)
    text = norm.original
    found: list[Violation] = []
    for trademark in trademarks:
        if surely_absent(norm, trademark.term):
            continue
        matches = find_term(norm, trademark.term)
        if trademark.first_use_only:
            matches = matches[:1]
        for match in matches:
            if _marked(text, match.end, trademark):
                continue
            which = "the first use of " if trademark.first_use_only else ""
            found.append(
                findings.violation(
                    rule_id=TRADEMARK_RULE,
                    severity="warning",
                    message=f'{which}the trademark "{match.text}" needs its {trademark.symbol} symbol',
                    location=findings.text_span(start=match.start, end=match.end, text=match.text),
                    suggestion=f'write "{match.text}{trademark.symbol}"',
                    fix=findings.fix(
                        kind="insert",
                        span=findings.text_span(start=match.end, end=match.end, text=""),
                        text=trademark.symbol,
                    ),
                )
            )
    return found


# --- claims -----------------------------------------------------------------------------------


def unsubstantiated_claims(text: str | Normalised, kit: BrandKit) -> list[Violation]:
    found: list[Violation] = []
    norm = text if isinstance(text, Normalised) else normalise(text)
    for claim in kit.legal.claims:
        if surely_absent(norm, claim.phrase):  # (a phrase without words too: it matches nothing)
            continue
        # through the same Unicode disguises as every term; not inflected ("waterproofing" is a treatment)
        matches = find_term(norm, claim.phrase)
        if not matches:
            continue
        evidence = claim.substantiation.strip() or "evidence that supports the claim"
        for match in matches:
            found.append(
                findings.violation(
                    rule_id=CLAIM_RULE,
                    severity="warning",
                    message=f'the claim "{match.text}" needs substantiation: {evidence}',
                    location=findings.text_span(start=match.start, end=match.end, text=match.text),
                    suggestion=f"keep the claim only with {evidence} on file, or remove it",
                )
            )
    return found


def check_legal(text: str, kit: BrandKit, channel: str | None, *, sponsored: bool = False) -> CheckResult:
    """Every legal check of ``text``; the sponsored-content disclosure only when ``sponsored``."""
    required = kit.legal.required_disclaimers
    disclaimers = missing_disclaimers(text, required, channel) if required else []
    rules = list(LEGAL_RULES)
    metrics: dict[str, float] = {}
    disclosed: list[Violation] = []
    if sponsored:
        from flashfusion.linting.disclosures import DISCLOSURE_RULE, check_disclosures

        disclosed, checked = check_disclosures(text, kit, channel)
        if checked:
            rules.append(DISCLOSURE_RULE)
        metrics["legal.sponsored"] = 1.0
        disclaimers = _without_duplicate_insertions(disclaimers, disclosed)
    norm = normalise(text)
    plan = legal_plan(kit.legal)
    violations = [*_find_banned(norm, plan.banned, plan.banned_keys, plan.any_banned_key), *disclaimers, *disclosed]
    if plan.may_mark_or_claim(norm):
        violations += unmarked_trademarks(norm, kit.legal.trademarks)
        violations += unsubstantiated_claims(norm, kit)
    return CheckResult(violations, rules, [], metrics)  # positional: ~1/3 cheaper than by keyword


def _without_duplicate_insertions(disclaimers: list[Violation], disclosed: list[Violation]) -> list[Violation]:
    """A kit written before sponsored disclosures may still list "#ad" as a standing disclaimer: when the
    disclosure's fix inserts that text at the start (which meets the disclaimer too: it may be anywhere), the
    disclaimer's own insertion is dropped so the fixed post does not carry it twice."""
    inserted = {v.fix.text.strip().rstrip(":").lower() for v in disclosed if v.fix is not None}
    return [
        v.model_copy(update={"fix": None}) if v.fix is not None and v.fix.text.strip().lower() in inserted else v
        for v in disclaimers
    ]


# --- image moderation -------------------------------------------------------------------------


class ModerationAdapter(Protocol):
    def labels(self, image_bytes: bytes) -> list[tuple[str, float]]:
        """Moderation labels found in the image: (name, confidence 0-100)."""
        ...


class ModerationRejected(Exception):
    """The service refused this image (format, size): retrying will not help, so it is not checked."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code


def check_moderation(
    image_bytes: bytes,
    adapter: ModerationAdapter | None,
    min_confidence: float = 50.0,
) -> CheckResult:
    if adapter is None:
        return CheckResult(not_checked=[NotChecked(check=MODERATION_RULE, reason=OFFLINE_REASON)])
    try:
        labels = adapter.labels(image_bytes)
    except ModerationRejected as exc:
        reason = f"the moderation service could not check this image ({describe_error(exc)}); not checked is not passed"
        return CheckResult(not_checked=[NotChecked(check=MODERATION_RULE, reason=reason)])
    violations: list[Violation] = []
    top = 0.0
    for name, confidence in labels:
        top = max(top, confidence)
        if confidence >= min_confidence:
            violations.append(
                Violation(
                    rule_id=MODERATION_RULE,
                    severity="error",
                    message=(
                        f'moderation label "{name}" at {confidence:.1f}% confidence (threshold {min_confidence:g}%)'
                    ),
                    suggestion="regenerate or edit the image, or send it to human review",
                )
            )
    return CheckResult(
        violations=violations,
        rules_checked=[MODERATION_RULE],
        metrics={"moderation.max_confidence": top},
    )
