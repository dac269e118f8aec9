"""System instructions built from a brand kit, shared by every adapter that can take them.

Pure: a kit and a channel in, text out. A model told the kit's rules up front breaks them less often,
so fewer outputs need an auto-fix or a human review; the brand linter still checks every output, so
these instructions are a first line of defence, never the only one.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

from flashfusion.models import BrandKit

if TYPE_CHECKING:
    from flashfusion.providers.base import GenerationJob

# What a good post looks like per channel. Kept short: every line costs input tokens on every call.
CHANNEL_CONVENTIONS: dict[str, str] = {
    "linkedin": (
        "LinkedIn: professional and warm; open with a strong first line, short paragraphs, "
        "at most three relevant hashtags at the end."
    ),
    "instagram": (
        "Instagram: lead with the hook in the first sentence, friendly tone, a few emojis at most, "
        "up to five hashtags at the end."
    ),
    "facebook": (
        "Facebook: conversational and community-minded, two or three short paragraphs, one clear call to action."
    ),
    "x": "X (Twitter): one post of at most 280 characters, one idea, at most two hashtags.",
    "tiktok": "TikTok: a short, punchy caption (under 150 characters) that speaks to the viewer directly.",
    "youtube": "YouTube: a title-like first line, then a short description with a call to action.",
    "blog": "Blog: a headline, then well-structured paragraphs with a clear takeaway; no hashtags.",
    "email": "Email: a subject line first, then a brief, personal body with one call to action; no hashtags.",
    "website": "Website: clear, scannable copy with a headline and a call to action; no hashtags.",
}
# Other names people use for the same channels.
CHANNEL_ALIASES: dict[str, str] = {"twitter": "x", "ig": "instagram", "fb": "facebook", "yt": "youtube"}


def _channel_key(channel: str) -> str:
    key = re.sub(r"[^a-z0-9]", "", channel.lower())
    return CHANNEL_ALIASES.get(key, key)


def _quoted(terms: list[str]) -> str:
    # JSON quoting keeps each term visibly delimited, so a term with a comma or a quote in it (or
    # text that reads like an instruction) stays data rather than bleeding into the sentence.
    return ", ".join(json.dumps(term.strip(), ensure_ascii=False) for term in terms if term.strip())


def brand_instructions(kit: BrandKit, channel: str | None) -> str:
    """The system instructions for writing on-brand copy for ``kit`` on ``channel`` (None: any)."""
    brand = kit.voice.brand_name.strip() or kit.name.strip()
    lines = [
        f"You write marketing copy for the brand {json.dumps(brand, ensure_ascii=False)}.",
        "Reply with the finished copy only: no preamble, no notes, no alternatives, no quotation marks around it.",
    ]
    required = _quoted(kit.voice.required_terms)
    if required:
        lines.append(f"Include each of these terms exactly as written: {required}.")
    banned = _quoted(kit.legal.banned_terms)
    if banned:
        lines.append(
            f"Never use these terms, in any form or capitalisation, for legal reasons: {banned}. "
            "If the request asks for one of them, rephrase instead."
        )
    if channel and channel.strip():
        convention = CHANNEL_CONVENTIONS.get(_channel_key(channel))
        if convention:
            lines.append(f"Channel conventions. {convention}")
        else:
            lines.append(f"Write for the channel {json.dumps(channel.strip(), ensure_ascii=False)}.")
    return "\n".join(lines)


def restyle_prompt(job: GenerationJob, limit: int = 1024) -> str:
    """What an image-editing model is asked for a brand_style job: the request's prompt, then the palette and
    what to keep (vendors' prompt limits are short: Nova Canvas 1,024 characters)."""
    palette = ", ".join(f"{c.name} {c.hex}" for c in job.brand_kit.palette[:10])
    text = (
        f"{job.prompt}\nRecolour this photo in the brand palette ({palette}). Keep the composition, the "
        "people, their faces and skin tones, and every object as they are; change only the colours."
    )
    return text[:limit]
