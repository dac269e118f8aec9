"""Legal checks on text (banned terms, disclaimers, trademarks, claims) and image moderation.

Banned terms are matched harder here than in ``terms.banned_terms`` (which stays literal): on word
boundaries, in any case, in simple inflections, and through the usual obfuscations:

- inflections of the last word: -s -es -ed -ing -er -est -ly, a doubled final consonant ("banned"),
  y -> i ("happier", "happily"), -d/-r/-st after a final e ("cured") and a dropped final e
  ("curing");
- l33t: 0->o, 1->i/l, 3->e, 4->a, 5->s, 7->t, @->a, $->s;
- letters split by one consistent separator: "m i r a c l e", "m.i.r.a.c.l.e", "m-i-r-a-c-l-e",
  "m_i_r_a_c_l_e", "m*i*r*a*c*l*e";
- repeated letters: "miiiracle" (up to 30 of each).

Decisions (tested):
- word boundaries are kept, so a banned "ass" never hits "class", "assess" or "passage";
- only the suffixes above count: "miracle" does not hit "miraculous(ly)" (a different stem). List
  such derived words in the kit if they are banned too;
- a hyphen inside a banned term also matches a space or nothing ("risk-free", "risk free",
  "riskfree");
- a match made only of digits and symbols ("5413" for "sale") is a number, not a word: skipped;
- spaced letters must be the whole run: "c l a s s" and "t i t l e" do not hit "ass" / "tit"; the
  price is that a run right after a one-letter word ("a m i r a c l e") is missed too;
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
from functools import lru_cache
from typing import TYPE_CHECKING, Protocol

from flashfusion.linting.base import CheckResult
from flashfusion.linting.media import describe_error
from flashfusion.linting.terms import BANNED_RULE, term_pattern
from flashfusion.models import BrandKit, Fix, NotChecked, TextSpan, Violation

if TYPE_CHECKING:
    from flashfusion.brandkit import Disclaimer, Trademark

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


def _letter(ch: str, *, stretch: bool) -> str:
    """One letter of a term: its l33t look-alikes, optionally repeated ("miiiracle")."""
    cls = "[" + re.escape(LEET.get(ch, ch)) + "]"
    return f"{cls}{{1,{MAX_REPEAT}}}" if stretch else cls


def _unit_patterns(word: str, *, stretch: bool) -> list[str]:
    units: list[str] = []
    for ch in word.lower():
        if ch.isalpha():
            units.append(_letter(ch, stretch=stretch))
        elif ch == "-":
            units.append(r"[\s\-]?")
        else:
            units.append(re.escape(ch))
    return units


def _stretched(word: str, sep: str | None) -> str:
    """A word whose letters may repeat. Unseparated, a run of one letter becomes ``[cls]{n,}`` rather
    than n adjacent ``[cls]+`` (which backtracks exponentially on a long run of that letter)."""
    if sep is not None:  # separated: a letter may also repeat across separators ("s c a m m e r")
        s = re.escape(sep)
        units = [
            f"{unit}(?:{s}{unit}){{0,3}}" if ch.isalpha() else unit
            for ch, unit in zip(word.lower(), _unit_patterns(word, stretch=True), strict=True)
        ]
        return s.join(units)
    out: list[str] = []
    for run in re.finditer(r"(.)\1*", word.lower()):
        ch, count = run.group(1), len(run.group(0))
        if ch.isalpha():
            out.append(_letter(ch, stretch=False) + f"{{{count},{count + MAX_REPEAT - 1}}}")
        else:
            out += _unit_patterns(run.group(0), stretch=False)
    return "".join(out)


def _join(units: list[str], sep: str | None) -> str:
    if sep is None:
        return "".join(units)
    s = re.escape(sep)
    return s.join(units)


def _suffix_group(word: str, sep: str | None) -> str:
    """The optional inflection after the last word, written in the same separator style."""
    suffixes = [*SUFFIXES, "d", "r", "st"] if word.lower().endswith("e") else SUFFIXES
    alternatives = [_join(_unit_patterns(sfx, stretch=False), sep) for sfx in suffixes]
    glue = "" if sep is None else re.escape(sep)
    return "(?:" + glue + "(?:" + "|".join(alternatives) + "))?" if word[-1:].isalpha() else ""


def _stem_variants(word: str, sep: str | None) -> list[str]:
    """The last word written with its inflection, including y->i and dropped-e stems."""
    lower = word.lower()
    glue = "" if sep is None else re.escape(sep)
    variants = [_stretched(word, sep) + _suffix_group(word, sep)]
    if len(lower) > 2 and lower.endswith("y") and lower[-2] not in VOWELS:
        stem = _stretched(word[:-1], sep)
        endings = [_join(_unit_patterns(s, stretch=False), sep) for s in ("es", "ed", "er", "est", "ly")]
        variants.append(stem + glue + _letter("i", stretch=False) + glue + "(?:" + "|".join(endings) + ")")
    if len(lower) > 2 and lower.endswith("e") and lower[-2] not in VOWELS:
        stem = _stretched(word[:-1], sep)
        variants.append(stem + glue + "(?:" + _join(_unit_patterns("ing", stretch=False), sep) + ")")
    return variants


def _phrase_pattern(term: str, sep: str | None) -> str:
    words = term.split()
    head = [_stretched(w, sep) for w in words[:-1]]
    last = "(?:" + "|".join(_stem_variants(words[-1], sep)) + ")"
    between = r"\s+" if sep is None else r"(?:\s|" + re.escape(sep) + ")+"
    return between.join([*head, last])


@lru_cache(maxsize=1024)  # building the obfuscation alternatives costs ~8 ms a term: once per process
def banned_pattern(term: str) -> re.Pattern[str]:
    """A banned term with its inflections and obfuscations; matches whole words only."""
    forms = [_phrase_pattern(term, None)]
    letters = sum(ch.isalpha() for ch in term)
    if letters >= 3:  # "a s" or "o.k" are too ambiguous to read as obfuscations
        for sep in SEPARATORS:
            # a spaced run is one word: not the middle of a longer run ("c l a s s", "t i t l e")
            s = re.escape(sep)
            forms.append(rf"(?<!(?<!\w)\w{s})(?:{_phrase_pattern(term, sep)})(?!{s}\w(?!\w))")
    return re.compile(r"(?<!\w)(?:" + "|".join(forms) + r")(?!\w)", re.IGNORECASE)


# A cheap necessary condition for ``banned_pattern(term)`` to match: the text and the term are reduced
# the same way (case folded, with the non-ASCII letters ``re.IGNORECASE`` equates to ASCII ones; each
# l33t class mapped to one byte; whitespace and separators dropped). Every match then reduces to a
# string holding the term's reduction minus its last letter (inflections drop or change only that
# letter), each character possibly repeated ("miiiracle"), so a text where ``_term_key(term)`` finds
# nothing cannot match and its expensive pattern is skipped.
_IGNORECASE_ASCII = {"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"}
_LEET_CANON = {"4": "a", "@": "a", "3": "e", "l": "1", "i": "1", "0": "o", "5": "s", "$": "s", "7": "t"}
_DROPPED_ASCII = "".join(chr(c) for c in range(128) if chr(c).isspace()) + "".join(SEPARATORS) + "-"
_ASCII_TABLE = bytes.maketrans(
    (string.ascii_uppercase + "".join(_LEET_CANON) + "IL").encode(),
    (string.ascii_lowercase.replace("i", "1").replace("l", "1") + "".join(_LEET_CANON.values()) + "11").encode(),
)
_DROPPED_ASCII_BYTES = _DROPPED_ASCII.encode()


_NON_ASCII_SPACE = re.compile(r"[^\S\x00-\x7f]")  # what the patterns' \s matches beyond ASCII
_NON_ASCII_CASE = re.compile("[" + "".join(_IGNORECASE_ASCII) + "]")
_NON_ASCII_TABLE = str.maketrans({ch: _LEET_CANON.get(letter, letter) for ch, letter in _IGNORECASE_ASCII.items()})


def _reduce(text: str) -> bytes:
    if not text.isascii():
        text = _NON_ASCII_SPACE.sub("", text)
        if _NON_ASCII_CASE.search(text):
            text = text.translate(_NON_ASCII_TABLE)
    return text.encode("utf-8").translate(_ASCII_TABLE, _DROPPED_ASCII_BYTES)


@lru_cache(maxsize=1024)
def _term_key(term: str) -> re.Pattern[bytes] | None:
    """Finds, in a reduced text, the reduced term minus its last letter with each character repeatable;
    None (always run the pattern) for a non-ASCII term."""
    plain = " ".join(term.split())
    if not plain.isascii():
        return None
    reduced = _reduce(plain[:-1] if plain[-1:].isalpha() else plain)
    runs = [m.group(0)[:1] for m in re.finditer(rb"(.)\1*", reduced, re.DOTALL)]
    return re.compile(b"".join(re.escape(r) + b"+" for r in runs))


def find_banned(text: str, terms: list[str]) -> list[Violation]:
    found: list[Violation] = []
    reduced: bytes | None = None
    for term in terms:
        if not term.split():
            continue
        key = _term_key(term)
        if key is not None:
            if reduced is None:
                reduced = _reduce(text)
            if key.search(reduced) is None:
                continue
        has_letters = any(ch.isalpha() for ch in term)
        for match in banned_pattern(term).finditer(text):
            written = match.group(0)
            if has_letters and not any(ch.isalpha() for ch in written):
                continue  # all digits and symbols ("5413", "1 1 1"): a number, not an obfuscated word
            plain = " ".join(term.split())
            label = f'"{written}"' if written.lower() == plain.lower() else f'"{written}" (banned: "{plain}")'
            found.append(
                Violation(
                    rule_id=BANNED_RULE,
                    severity="error",
                    message=f"{label} is a banned term in this brand kit",
                    location=TextSpan(start=match.start(), end=match.end(), text=written),
                    suggestion=f'remove or rephrase "{written}"',
                )
            )
    return sorted(found, key=lambda v: v.location.start if isinstance(v.location, TextSpan) else 0)


# --- disclaimers ------------------------------------------------------------------------------


def _applies(disclaimer: Disclaimer, channel: str | None) -> bool:
    if not disclaimer.channels:
        return True
    return channel is not None and channel.lower() in {c.lower() for c in disclaimer.channels}


def _insertion(text: str, disclaimer: Disclaimer) -> Fix:
    if disclaimer.position == "start":
        glue = "" if not text or text[:1].isspace() else " "
        return Fix(kind="insert", span=TextSpan(start=0, end=0, text=""), text=disclaimer.text + glue)
    glue = "" if not text or text[-1:].isspace() else " "
    end = len(text)
    return Fix(kind="insert", span=TextSpan(start=end, end=end, text=""), text=glue + disclaimer.text)


def missing_disclaimers(text: str, disclaimers: list[Disclaimer], channel: str | None) -> list[Violation]:
    found: list[Violation] = []
    for disclaimer in disclaimers:
        if not _applies(disclaimer, channel) or not disclaimer.text.split():
            continue
        if term_pattern_loose(disclaimer.text).search(text):
            continue
        where = "at the start" if disclaimer.position == "start" else "at the end"
        found.append(
            Violation(
                rule_id=DISCLAIMER_RULE,
                severity="error",
                message=f'the required disclaimer "{disclaimer.text}" is missing'
                + (f" for {channel}" if channel else ""),
                suggestion=f'add "{disclaimer.text}" {where}',
                fix=_insertion(text, disclaimer),
            )
        )
    return found


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


def unmarked_trademarks(text: str, trademarks: list[Trademark]) -> list[Violation]:
    found: list[Violation] = []
    for trademark in trademarks:
        matches = list(term_pattern(trademark.term).finditer(text))
        if trademark.first_use_only:
            matches = matches[:1]
        for match in matches:
            if _marked(text, match.end(), trademark):
                continue
            which = "the first use of " if trademark.first_use_only else ""
            found.append(
                Violation(
                    rule_id=TRADEMARK_RULE,
                    severity="warning",
                    message=f'{which}the trademark "{match.group(0)}" needs its {trademark.symbol} symbol',
                    location=TextSpan(start=match.start(), end=match.end(), text=match.group(0)),
                    suggestion=f'write "{match.group(0)}{trademark.symbol}"',
                    fix=Fix(
                        kind="insert",
                        span=TextSpan(start=match.end(), end=match.end(), text=""),
                        text=trademark.symbol,
                    ),
                )
            )
    return found


# --- claims -----------------------------------------------------------------------------------


def unsubstantiated_claims(text: str, kit: BrandKit) -> list[Violation]:
    found: list[Violation] = []
    for claim in kit.legal.claims:
        if not claim.phrase.split():
            continue
        evidence = claim.substantiation.strip() or "evidence that supports the claim"
        for match in term_pattern(claim.phrase).finditer(text):
            found.append(
                Violation(
                    rule_id=CLAIM_RULE,
                    severity="warning",
                    message=f'the claim "{match.group(0)}" needs substantiation: {evidence}',
                    location=TextSpan(start=match.start(), end=match.end(), text=match.group(0)),
                    suggestion=f"keep the claim only with {evidence} on file, or remove it",
                )
            )
    return found


def check_legal(text: str, kit: BrandKit, channel: str | None, *, sponsored: bool = False) -> CheckResult:
    """Every legal check of ``text``; the sponsored-content disclosure only when ``sponsored``."""
    disclaimers = missing_disclaimers(text, kit.legal.required_disclaimers, channel)
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
    violations = [
        *find_banned(text, kit.legal.banned_terms),
        *disclaimers,
        *disclosed,
        *unmarked_trademarks(text, kit.legal.trademarks),
        *unsubstantiated_claims(text, kit),
    ]
    return CheckResult(violations=violations, rules_checked=rules, metrics=metrics)


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
