"""Sponsored content: a paid post must carry a disclosure the kit accepts, where readers see it.

Checked only when the request says the post is sponsored (``sponsored`` on the request, the lint context and
``ffo lint --sponsored``). Which rules apply to a post (``kit.legal.sponsored_disclosures``):

- the rules whose ``channels`` name the post's channel (any case); several may apply, and each must be met
  (e.g. a hashtag rule and a "Paid partnership" label rule);
- else the rules with no channels (the kit's every-channel rules); with no channel, only those;
- else one built-in rule: any of ``DEFAULT_DISCLOSURE_TEXTS``, anywhere. A sponsored post is never silently
  let through for want of a rule; a kit that wants no text disclosure on a channel (the platform's own
  paid-partnership label does the job) says so with a rule for that channel whose level is "off".

A rule is met when any one of its ``any_of`` entries is found, ending within the first ``within_first_chars``
characters when the rule sets a placement (Unicode code points of the post as written: an emoji sequence counts
each code point, which errs towards the fold):

- an entry starting with "#" is a whole hashtag, in any case: ``#ad`` matches "#ad", "#AD", "#ad." and "(#ad)"
  but not "#advice", "#ad_campaign", "#adé", "brand#ad" or a URL fragment ("https://x.co/#ad"), as a
  platform would link it (the fullwidth number sign U+FF03 that X accepts counts as "#");
- any other entry is matched as whole words in any case and spacing ("Paid  partnership", "PAID PARTNERSHIP").

A finding names the channel, the accepted disclosures and where one must appear; its fix inserts the rule's
first entry (or the one found too late) at the start of the post, where every placement is met.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import TYPE_CHECKING

from flashfusion.brandkit import DEFAULT_DISCLOSURE_TEXTS, SponsoredDisclosure
from flashfusion.models import Fix, TextSpan, Violation

if TYPE_CHECKING:
    from flashfusion.brandkit import BrandKit

DISCLOSURE_RULE = "legal.sponsored-disclosure"
DEFAULT_RULE = SponsoredDisclosure(any_of=list(DEFAULT_DISCLOSURE_TEXTS))
URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
HASH_SIGNS = "#\uff03"
"""A hashtag's sign: "#" or the fullwidth one X also links."""
JOINERS = frozenset("\u200c\u200d")
"""Zero-width (non-)joiners continue a hashtag on the platforms (twitter-text's hashtag characters)."""


def rules_for(kit: BrandKit, channel: str | None) -> list[SponsoredDisclosure]:
    """The disclosure rules a sponsored post on ``channel`` must meet (see the module docstring)."""
    rules = kit.legal.sponsored_disclosures
    if channel:
        wanted = channel.strip().lower()
        named = [rule for rule in rules if wanted in {c.strip().lower() for c in rule.channels}]
        if named:
            return named
    every = [rule for rule in rules if not rule.channels]
    return every or [DEFAULT_RULE]


@lru_cache(maxsize=512)
def entry_pattern(entry: str) -> re.Pattern[str]:
    """An accepted disclosure as a pattern: a whole hashtag for "#..." entries, else words in any spacing."""
    if entry.startswith("#"):
        # the character after is checked in code too (combining marks and joiners continue a hashtag)
        sign = f"[{HASH_SIGNS}]"
        return re.compile(rf"(?<![\w&{HASH_SIGNS}]){sign}" + re.escape(entry[1:]) + rf"(?![\w{HASH_SIGNS}])", re.I)
    body = r"\s+".join(re.escape(word) for word in entry.split())
    before = r"(?<!\w)" if entry[:1].isalnum() else ""
    after = r"(?!\w)" if entry[-1:].isalnum() else ""
    return re.compile(before + body + after, re.IGNORECASE)


def _continues_word(ch: str) -> bool:
    return ch in JOINERS or unicodedata.category(ch).startswith("M")


def find_disclosures(text: str, entries: list[str]) -> list[tuple[str, int, int]]:
    """Every accepted disclosure in ``text``: (entry, start, end), in text order; none inside a URL."""
    urls = [m.span() for m in URL.finditer(text)] if ("://" in text or "www." in text.lower()) else []
    found: list[tuple[str, int, int]] = []
    for entry in entries:
        hashtag = entry.startswith("#")
        for match in entry_pattern(entry).finditer(text):
            start, end = match.span()
            if hashtag and (
                (end < len(text) and _continues_word(text[end])) or (start > 0 and _continues_word(text[start - 1]))
            ):
                continue
            if any(u_start <= start < u_end for u_start, u_end in urls):
                continue
            found.append((entry, start, end))
    return sorted(found, key=lambda item: (item[1], item[2]))


def _quoted(entries: list[str]) -> str:
    quoted = [f'"{e}"' for e in entries]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


def _where(rule: SponsoredDisclosure) -> str:
    if rule.within_first_chars is None:
        return "anywhere in the post"
    return f'within the first {rule.within_first_chars} characters (before the "more" fold)'


def _insertion(text: str, entry: str) -> Fix:
    """``entry`` at the very start, which meets every placement; a label that ends in a letter gets a colon."""
    if not text or text[:1].isspace():
        glue = ""
    elif entry.startswith("#") or not entry[-1:].isalnum():
        glue = " "
    else:
        glue = ": "
    return Fix(kind="insert", span=TextSpan(start=0, end=0, text=""), text=entry + glue)


def check_rule(text: str, rule: SponsoredDisclosure, channel: str | None) -> Violation | None:
    """The finding for one rule, or None when the post meets it (or the rule is off)."""
    if rule.level == "off":
        return None
    on = f"on {channel}" if channel else "on any channel"
    accepted = _quoted(rule.any_of)
    found = find_disclosures(text, rule.any_of)
    limit = rule.within_first_chars
    if found and (limit is None or any(end <= limit for _, _, end in found)):
        return None
    if not found:
        return Violation(
            rule_id=DISCLOSURE_RULE,
            severity=rule.level,
            message=f"a sponsored post {on} needs a disclosure: {accepted}, {_where(rule)}; none was found",
            suggestion=f'add "{rule.any_of[0]}" at the start',
            fix=_insertion(text, rule.any_of[0]),
        )
    entry, start, end = found[0]
    written = text[start:end]
    return Violation(
        rule_id=DISCLOSURE_RULE,
        severity=rule.level,
        message=(
            f'a sponsored post {on} needs a disclosure ({accepted}) {_where(rule)}; "{written}" ends at '
            f"character {end}, after the fold"
        ),
        location=TextSpan(start=start, end=end, text=written),
        suggestion=f'move "{written}" to the start',
        fix=_insertion(text, entry),
    )


def check_disclosures(text: str, kit: BrandKit, channel: str | None) -> tuple[list[Violation], bool]:
    """The findings for a sponsored post, and whether any rule was checked (all of them may be off)."""
    rules = [rule for rule in rules_for(kit, channel) if rule.level != "off"]
    findings = [v for v in (check_rule(text, rule, channel) for rule in rules) if v is not None]
    return _one_insertion_each(findings), bool(rules)


def _one_insertion_each(findings: list[Violation]) -> list[Violation]:
    """Two rules missing the same disclosure would insert it twice: the later fixes of one text are dropped."""
    seen: set[str] = set()
    out: list[Violation] = []
    for violation in findings:
        fix = violation.fix
        if fix is not None and fix.text.strip() in seen:
            violation = violation.model_copy(update={"fix": None})
        elif fix is not None:
            seen.add(fix.text.strip())
        out.append(violation)
    return out
