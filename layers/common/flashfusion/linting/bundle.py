"""Lint a bundle as a whole: the parts of a post, reel or carousel must agree with each other.

Each part is linted on its own first (LintAsset); this checks what only the parts together can get wrong:

- ``bundle.contradiction``: the image says something the caption contradicts: a price, a percentage or a
  date on the image that differs from every one of the same kind in the caption ("FREE" on the image is a
  price of 0). A claim on the image that the caption does not mention at all is a warning
  (``bundle.unsupported-claim``): a reader sees it without the caption's context.
- ``bundle.banned-term``: a banned term of the kit on any part, the image's own text included (an image's
  words reach the reader as surely as the caption's).
- ``bundle.sponsored-disclosure``: a sponsored bundle carries its disclosure where the platform shows it: in
  the caption, placed as the kit's rule for the channel says (``linting.disclosures``). A disclosure
  only on the image does not count: feeds show captions to screen readers and in search, and the
  platforms' rules name the caption.
- ``bundle.fit.*``: the parts fit the target platform together: every image's aspect ratio for that channel,
  one aspect for all the images of a carousel (the platforms crop every slide to the first's), and the
  caption's length as that platform counts it (``linting.platforms``).

Pure: texts, sizes and the kit in; a LintReport out. OCR and decoding happen in the caller.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from flashfusion.brandkit import BrandKit
from flashfusion.linting.base import CheckResult, report
from flashfusion.linting.disclosures import check_disclosures, find_disclosures, rules_for
from flashfusion.linting.platforms import LIMITS, TEXT_LIMITS, check_image_for_platforms, check_text_for_platforms
from flashfusion.linting.term_match import has_term
from flashfusion.models import LintReport, NotChecked, Violation

CONTRADICTION = "bundle.contradiction"
UNSUPPORTED = "bundle.unsupported-claim"
BANNED = "bundle.banned-term"
DISCLOSURE = "bundle.sponsored-disclosure"
CAROUSEL_ASPECT = "bundle.fit.carousel-aspect"


@dataclass(frozen=True)
class ImagePart:
    """One image of the bundle: its size and the words read off it (None: it could not be read)."""

    part_id: str
    width: int
    height: int
    text: str | None
    fmt: str = "jpeg"
    size_bytes: int = 0


@dataclass(frozen=True)
class BundleContent:
    """What the bundle linter reads: the caption (the lead text part), the images, where it goes."""

    caption: str
    caption_part: str = "copy"
    images: list[ImagePart] = field(default_factory=list)
    channel: str | None = None
    sponsored: bool = False
    carousel: bool = False


# --- claims --------------------------------------------------------------------------------------

_CURRENCY = r"[$€£¥]|USD|EUR|GBP"
_NUMBER = r"\d{1,6}(?:[.,]\d{3})*(?:[.,]\d{1,2})?"
PRICE = re.compile(
    rf"(?:(?P<pre>{_CURRENCY})\s?(?P<a>{_NUMBER}))|(?:(?P<b>{_NUMBER})\s?(?P<post>{_CURRENCY}))", re.IGNORECASE
)
PERCENT = re.compile(r"(?P<n>\d{1,3}(?:[.,]\d{1,2})?)\s?(?:%|per\s?cent\b|percent\b)", re.IGNORECASE)
FREE = re.compile(r"\bfree\b(?!\s+(?:of|from|shipping|delivery|returns)\b)", re.IGNORECASE)
MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
DATE_MONTH_DAY = re.compile(rf"\b(?P<m>{_MONTH})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b", re.IGNORECASE)
DATE_DAY_MONTH = re.compile(rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m>{_MONTH})\b\.?", re.IGNORECASE)


def _amount(text: str) -> Decimal | None:
    """A written amount as a number: "1,299.00", "1.299,00", "19,99" and "19.99" all read as meant."""
    digits = text.replace(" ", "")
    if re.fullmatch(r"\d{1,3}(?:[.,]\d{3})+", digits):  # thousands only: 1,299 or 1.299
        digits = re.sub(r"[.,]", "", digits)
    elif re.search(r"[.,]\d{1,2}$", digits):  # a decimal part: the last separator is the point
        whole, cents = digits[: -3 if digits[-3] in ".," else -2], digits[-2:].lstrip(".,")
        digits = re.sub(r"[.,]", "", whole) + "." + cents
    try:
        return Decimal(digits).normalize()
    except InvalidOperation:
        return None


def prices(text: str) -> set[Decimal]:
    found = {_amount(m["a"] or m["b"]) for m in PRICE.finditer(text)}
    if FREE.search(text):
        found.add(Decimal(0))
    return {amount for amount in found if amount is not None}


def percentages(text: str) -> set[Decimal]:
    return {amount for m in PERCENT.finditer(text) if (amount := _amount(m["n"])) is not None}


def dates(text: str) -> set[tuple[int, int]]:
    """(month, day) of every written date ("May 5", "5th of May"): the year is rarely on an image."""
    found: set[tuple[int, int]] = set()
    for pattern in (DATE_MONTH_DAY, DATE_DAY_MONTH):
        for m in pattern.finditer(text):
            day = int(m["d"])
            if 1 <= day <= 31:
                found.add((MONTHS[m["m"].lower()], day))
    return found


def _show(kind: str, values: Iterable[object]) -> str:
    def one(value: object) -> str:
        if kind == "date" and isinstance(value, tuple):
            return f"{value[1]}/{value[0]} (day/month)"
        if kind == "price" and value == Decimal(0):
            return "free"
        return f"{value}%" if kind == "percentage" else str(value)

    return ", ".join(sorted(one(v) for v in values))


CLAIMS = (("price", prices), ("percentage", percentages), ("date", dates))


def check_claims(caption: str, image: ImagePart) -> CheckResult:
    result = CheckResult(rules_checked=[CONTRADICTION, UNSUPPORTED])
    if image.text is None:
        return result
    for kind, read in CLAIMS:
        on_image: set[object] = set(read(image.text))
        in_caption: set[object] = set(read(caption))
        if not on_image or on_image <= in_caption:
            continue
        missing = on_image - in_caption
        if in_caption:
            result.violations.append(
                Violation(
                    rule_id=CONTRADICTION,
                    severity="error",
                    message=f"the {image.part_id} says {kind} {_show(kind, missing)} but the caption says "
                    f"{_show(kind, in_caption)}",
                    suggestion=f"make the {image.part_id}'s text and the caption give the same {kind}",
                )
            )
        else:
            result.violations.append(
                Violation(
                    rule_id=UNSUPPORTED,
                    severity="warning",
                    message=f"the {image.part_id} states {kind} {_show(kind, missing)}, which the caption does not "
                    "mention",
                    suggestion=f"state the {kind} in the caption too, or take it off the image",
                )
            )
    return result


# --- banned terms, disclosure, platform fit ------------------------------------------------------


def check_banned(texts: dict[str, str], kit: BrandKit) -> CheckResult:
    result = CheckResult(rules_checked=[BANNED])
    for part_id, text in texts.items():
        for term in kit.legal.banned_terms:
            if has_term(text, term):
                result.violations.append(
                    Violation(
                        rule_id=BANNED,
                        severity="error",
                        message=f'the {part_id} contains the banned term "{term}"',
                        suggestion=f'remove "{term}" from the {part_id}',
                    )
                )
    return result


def check_disclosure(content: BundleContent, kit: BrandKit) -> CheckResult:
    result = CheckResult()
    if not content.sponsored:
        return result
    findings, checked = check_disclosures(content.caption, kit, content.channel)
    if not checked:
        return result
    result.rules_checked.append(DISCLOSURE)
    entries = [entry for rule in rules_for(kit, content.channel) for entry in rule.any_of]
    on_images = [i.part_id for i in content.images if i.text and find_disclosures(i.text, entries)]
    for finding in findings:
        where = f" (the {', '.join(on_images)} shows one, but the platform shows the caption)" if on_images else ""
        result.violations.append(
            Violation(
                rule_id=DISCLOSURE,
                severity=finding.severity,
                message=f"the {content.caption_part}: {finding.message}{where}",
                suggestion=finding.suggestion,
            )
        )
    return result


def _bundle_rule(violation: Violation, part_id: str) -> Violation:
    # The platform module's findings, re-labelled as the bundle's and without their per-part fixes.
    return violation.model_copy(
        update={
            "rule_id": f"bundle.fit.{violation.rule_id}",
            "message": f"the {part_id}: {violation.message}",
            "fix": None,
            "location": None,
        }
    )


def check_fit(content: BundleContent) -> CheckResult:
    result = CheckResult()
    channel = (content.channel or "").strip().lower()
    if not channel or channel not in TEXT_LIMITS:
        if channel:
            result.not_checked.append(NotChecked(check="bundle.fit", reason=f"no platform limits for {channel!r}"))
        return result
    text = check_text_for_platforms(content.caption, [channel])
    result.rules_checked += [f"bundle.fit.{r}" for r in text.rules_checked]
    result.violations += [_bundle_rule(v, content.caption_part) for v in text.violations if "length" in v.rule_id]
    if channel in LIMITS:
        for image in content.images:
            checked = check_image_for_platforms(image.width, image.height, image.fmt, image.size_bytes, [channel])
            aspect = [r for r in checked.rules_checked if r.endswith("image-aspect")]
            result.rules_checked += [f"bundle.fit.{r}" for r in aspect if f"bundle.fit.{r}" not in result.rules_checked]
            result.violations += [_bundle_rule(v, image.part_id) for v in checked.violations if v.rule_id in aspect]
    if content.carousel and content.images:
        result.rules_checked.append(CAROUSEL_ASPECT)
        first = content.images[0]
        for image in content.images[1:]:
            if image.width * first.height != first.width * image.height:
                result.violations.append(
                    Violation(
                        rule_id=CAROUSEL_ASPECT,
                        severity="error",
                        message=f"the {image.part_id} is {image.width}x{image.height} but the {first.part_id} is "
                        f"{first.width}x{first.height}: a carousel shows every slide at the first one's aspect",
                        suggestion="make every image of the carousel the same aspect ratio",
                    )
                )
    return result


def lint_bundle(content: BundleContent, kit: BrandKit) -> LintReport:
    """The bundle-wide report (see the module docstring)."""
    results = [check_claims(content.caption, image) for image in content.images]
    for image in content.images:
        if image.text is None:
            results.append(
                CheckResult(
                    not_checked=[NotChecked(check=CONTRADICTION, reason=f"the {image.part_id}'s text was not read")]
                )
            )
    texts = {content.caption_part: content.caption, **{i.part_id: i.text for i in content.images if i.text}}
    results += [check_banned(texts, kit), check_disclosure(content, kit), check_fit(content)]
    return report(results)
