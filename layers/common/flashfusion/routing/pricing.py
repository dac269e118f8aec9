"""Price a generation in its medium's units: tokens, images by size and quality, seconds.

`estimate` is what a model would cost before the call (for routing and budget reservations);
`cost_of` is what it did cost, from the usage the vendor reported.
"""

from __future__ import annotations

from collections.abc import Sequence

from flashfusion.models import ContentType, Tier
from flashfusion.routing.matrix import ModelSpec

# Rough output sizes per tier, for the estimate before a text call; the vendor's usage settles it.
EXPECTED_OUTPUT_TOKENS = {Tier.BASIC: 300, Tier.STANDARD: 600, Tier.PREMIUM: 1200}
SYSTEM_PROMPT_TOKENS = 200
DEFAULT_IMAGE_SIZE = "1024x1024"
DEFAULT_SECONDS = {ContentType.VIDEO: 5.0, ContentType.MUSIC: 30.0}


def image_price(spec: ModelSpec, size: str | None, quality: str | None) -> float:
    size = size or spec.limits.default_size or DEFAULT_IMAGE_SIZE
    table = spec.prices.per_image
    for key in (f"{size}/{quality}" if quality else None, size, "default"):
        if key and key in table:
            return table[key]
    # Unknown size or quality: the dearest listed price, so an estimate never undershoots.
    return max(table.values(), default=0.0)


def seconds_for(spec: ModelSpec, requested: float | None) -> float:
    seconds = requested or spec.limits.default_seconds or DEFAULT_SECONDS.get(spec.medium, 0.0)
    if spec.limits.max_seconds:
        seconds = min(seconds, spec.limits.max_seconds)
    if spec.limits.min_seconds:
        seconds = max(seconds, spec.limits.min_seconds)
    return seconds


def estimate(
    spec: ModelSpec,
    prompt_chars: int,
    size: str | None = None,
    quality: str | None = None,
    seconds: float | None = None,
    max_output_tokens: int | None = None,
) -> float:
    if spec.medium == ContentType.TEXT:
        return text_estimate(prompt_chars, text_terms(spec, max_output_tokens))
    usage = {"images": 1.0} if spec.medium == ContentType.IMAGE else {"seconds": seconds_for(spec, seconds)}
    return cost_of(spec, usage, size=size, quality=quality)


def text_terms(spec: ModelSpec, max_output_tokens: int | None) -> tuple[float, float]:
    """The parts of a text estimate the prompt does not change: the input price per million tokens and the
    expected output's cost. The router prices many prompt lengths with one pair (``text_estimate``)."""
    # The request's cap is what the adapter sends the vendor, so it bounds what can be billed.
    caps = [c for c in (max_output_tokens, spec.limits.max_output_tokens) if c]
    output_tokens = float(min(caps) if caps else EXPECTED_OUTPUT_TOKENS[spec.tier])
    return spec.prices.input_per_m_tok, output_tokens * spec.prices.output_per_m_tok / 1e6


def text_estimate(prompt_chars: int, terms: tuple[float, float]) -> float:
    """``cost_of`` for a text call's expected usage, in the same order of operations (so the same float)."""
    input_per_m_tok, output_cost = terms
    input_tokens = prompt_chars / 4 + SYSTEM_PROMPT_TOKENS  # ~4 characters a token
    return round(input_tokens * input_per_m_tok / 1e6 + output_cost, 6)


_LINE_EXACT_BELOW = 2.0**30
_LINE_CLEAR_OF_HALF = 0.5 - 2.0**-10


class TextLine:
    """A text model's estimate as a straight line in the prompt length, in millionths of a dollar (pricing's
    precision): ``text_estimate`` for every prompt length, with the price worked out once per model and output
    cap. A new prompt length is then a multiply-add and a rounding to the whole millionth, where
    ``text_estimate`` is three float operations and a decimal rounding (``round(x, 6)``: most of its cost).

    Exact, not close: ``round(x, 6)`` is ``k / 1e6`` for the whole number ``k`` nearest ``x * 10**6`` (it rounds
    x's exact value, then takes the nearest float to k millionths, which is what dividing k by 1e6 gives). The
    line and ``text_estimate`` compute the same real number, each within three float roundings of it (every term
    is non-negative, so no error grows by cancelling): under 2**30 millionths they differ by less than 2e-6 of a
    millionth. So where the line lands more than 2**-10 from a half, both round to the same k; nearer a half (or
    from 2**30 millionths, over $1,000) ``text_estimate`` itself decides. (Prices in round cents put a half under
    a share of prompt lengths, one in 16 at $1.25 a million tokens; deciding those in integers instead was no
    faster than ``round``.)"""

    __slots__ = ("at_zero", "per_char", "terms")

    def __init__(self, terms: tuple[float, float]) -> None:
        input_per_m_tok, output_cost = terms
        self.terms = terms
        self.per_char = input_per_m_tok / 4  # millionths of a dollar a character: ~4 characters a token
        self.at_zero = SYSTEM_PROMPT_TOKENS * input_per_m_tok + output_cost * 1e6

    def estimate(self, prompt_chars: int) -> float:
        """``text_estimate(prompt_chars, self.terms)``, to the last bit."""
        micros = self.per_char * prompt_chars + self.at_zero
        if 0.0 <= micros < _LINE_EXACT_BELOW:
            whole = round(micros)
            if -_LINE_CLEAR_OF_HALF < micros - whole < _LINE_CLEAR_OF_HALF:  # the subtraction is exact
                return whole / 1e6
        return text_estimate(prompt_chars, self.terms)


def text_estimates(lines: Sequence[TextLine | None], prompt_chars: int) -> list[float | None]:
    """Each line's ``estimate`` for this prompt length (None where there is no line), in one pass: the router
    prices a text request's models together when it checks a budget or sorts by price (``TextLine.estimate``'s
    steps, inline: a call per model is a good part of the cost)."""
    found: list[float | None] = []
    for line in lines:
        if line is None:
            found.append(None)
            continue
        micros = line.per_char * prompt_chars + line.at_zero
        if 0.0 <= micros < _LINE_EXACT_BELOW:
            whole = round(micros)
            if -_LINE_CLEAR_OF_HALF < micros - whole < _LINE_CLEAR_OF_HALF:
                found.append(whole / 1e6)
                continue
        found.append(text_estimate(prompt_chars, line.terms))
    return found


def text_line(spec: ModelSpec, max_output_tokens: int | None) -> TextLine:
    """The model's text estimate for every prompt length at this output cap (``TextLine``)."""
    return TextLine(text_terms(spec, max_output_tokens))


def cost_of(spec: ModelSpec, usage: dict[str, float], size: str | None = None, quality: str | None = None) -> float:
    prices = spec.prices
    if usage.get("computeSeconds") and prices.per_compute_second:
        # Billed by compute time: that replaces the per-second estimate, never adds to it.
        media = usage["computeSeconds"] * prices.per_compute_second
    else:
        seconds = usage.get("seconds", 0.0) + usage.get("videoSeconds", 0.0) + usage.get("audioSeconds", 0.0)
        media = seconds * prices.per_second
    cost = (
        usage.get("inputTokens", 0.0) * prices.input_per_m_tok / 1e6
        + usage.get("outputTokens", 0.0) * prices.output_per_m_tok / 1e6
        + usage.get("images", 0.0) * image_price(spec, size, quality)
        + media
    )
    return round(cost, 6)
