"""The offline text generator: the embedded default when no vendor is configured.

It is not a language model. It writes short, on-brand marketing copy from templates, chosen and filled
deterministically from the prompt hash and the brand kit, so the same request gives the same text and
the rest of the workflow (lint, save, provenance) runs on a real file. Provenance records it as a
``local/...`` model with ``offline: true`` so nobody mistakes it for vendor output.
"""

from __future__ import annotations

import math
import re

from flashfusion.linting.term_match import has_term
from flashfusion.models import Tier
from flashfusion.providers.base import GeneratedContent, GenerationJob

DATASET_TAG = "offline-templates-v1"
STAND_IN_DATASET_TAG = "offline-translation-stand-in-v1"

_OPENERS = [
    "Meet {brand}.",
    "Something new from {brand}.",
    "{brand} has news to share.",
    "Here is what {brand} has been working on.",
]
_BRIDGES = [
    "We set out to {topic}, and we did it with care.",
    "This season we {topic}.",
    "Our team came together to {topic}.",
    "It started with one idea: {topic}.",
]
_DETAILS = [
    "Every detail was tested with the people who use it every day.",
    "It is built to last, simple to start with, and ready when you are.",
    "Thoughtful design, clear results and support that answers.",
    "Made for teams who want quality without the noise.",
]
_CLOSERS = [
    "Find out more on our website.",
    "Talk to us and see what it can do for you.",
    "Join us and be among the first to try it.",
    "We would love to hear what you think.",
]
# Instruction words people put in prompts that are not part of the subject.
_INSTRUCTION = re.compile(
    r"^(please\s+)?(write|create|draft|make|generate|compose|give me|produce)\s+"
    r"((a|an|the|some)\s+)?((short|long|brief|catchy|premium|punchy)\s+)*"
    r"((linkedin|instagram|facebook|tiktok|x|twitter|youtube|blog|social|marketing)\s+)?"
    r"((post|caption|copy|text|tweet|headline|tagline|announcement|message|blurb)\b)?\s*"
    r"((about|announcing|for|on|that says|saying|to say)\b)?\s*",
    re.IGNORECASE,
)
_SENTENCES = {Tier.BASIC: 3, Tier.STANDARD: 4, Tier.PREMIUM: 5}


def _pick(options: list[str], digest: str, slot: int, avoid: list[str]) -> str:
    """A template sentence chosen by the prompt hash, skipping any that would say a banned term.

    Like a model told the kit's rules, the generator's own words never break them; the prompt's
    subject is the user's and is echoed as given, so the linter still sees it.
    """
    allowed = [o for o in options if not any(has_term(o, t) for t in avoid)]
    pool = allowed or options
    return pool[int(digest[slot * 4 : slot * 4 + 4], 16) % len(pool)]


def subject_of(prompt: str) -> str:
    """The prompt without its instruction words, as a phrase that fits after "we ..."."""
    stripped = _INSTRUCTION.sub("", prompt.strip()).strip().rstrip(".!?")
    subject = stripped or prompt.strip().rstrip(".!?")
    if not subject:
        return "share something new"
    if subject.lower().startswith(("our ", "the ", "a ", "an ")):
        return f"bring you {subject[0].lower()}{subject[1:]}"
    if stripped == prompt.strip().rstrip(".!?"):  # the prompt's own first word starts a sentence
        return subject[0].lower() + subject[1:]
    return subject  # mid-sentence already: keep names as written ("Aurora Trail Boots")


# A quote opens after a space or punctuation and closes before one, so "don't" starts no term.
_QUOTED_TERM = re.compile(r"(?:^|(?<=[\s(\[,:;]))[\"“«']([^\"“”«»']{2,60})[\"”»'](?=$|[\s).,;:!?\]])")
_CLAUSE = re.compile(r",\s*|;\s*|\s+(?:and|but)\s+")
_VERB = re.compile(r"\s+(?:are|is|was|were|will|has|have|can)\s+")


def ruled_out(feedback: tuple[str, ...]) -> list[str]:
    """Terms a reviewer named in quotes ("drop 'guaranteed'"): what a revising model would leave out."""
    return [m.strip() for item in feedback for m in _QUOTED_TERM.findall(item) if m.strip()]


def without(subject: str, terms: list[str]) -> str:
    """The subject minus every clause that says a ruled-out term; if all do, just what it is about."""
    if not terms:
        return subject
    clauses = [c for c in _CLAUSE.split(subject) if c.strip()]
    kept = [c for c in clauses if not any(has_term(c, t) for t in terms)]
    if kept and clauses and kept[0] == clauses[0]:  # the clause that says what it is about stays
        return " and ".join(kept)
    head = _VERB.split(clauses[0])[0] if clauses else ""
    return head if head and not any(has_term(head, t) for t in terms) else "share something new"


def compose(job: GenerationJob) -> str:
    digest = job.prompt_hash
    brand = job.brand_kit.voice.brand_name or job.brand_kit.name
    banned = job.brand_kit.legal.banned_terms
    # The reviewer's feedback is in job.prompt for a real model; this generator reads the brief for its
    # subject and honours the terms the feedback names in quotes.
    topic = without(subject_of(job.brief or job.prompt), ruled_out(job.feedback))
    detail = _pick(_DETAILS, digest, 2, banned)
    parts = [
        _pick(_OPENERS, digest, 0, banned).format(brand=brand),
        _pick(_BRIDGES, digest, 1, banned).format(topic=topic),
        detail,
        _pick(_CLOSERS, digest, 3, banned),
    ]
    if job.model.tier == Tier.PREMIUM:
        second = _pick([d for d in _DETAILS if d != detail], digest, 4, banned)
        if not any(has_term(second, t) for t in banned):  # no clean second detail: say less
            parts.insert(3, second)
    parts = parts[: _SENTENCES[job.model.tier]]
    # A brand-aware model is told the kit's required terms; this one makes sure they appear.
    written = " ".join(parts)
    missing = [t for t in job.brand_kit.voice.required_terms if not has_term(written, t)]
    if missing:
        parts.append(" ".join(missing))
    return " ".join(parts) + "\n"


STAND_IN_LABEL = "[{locale} translation stand-in: not translated]"


def stand_in_translation(source: str, locale: str) -> str:
    """What the offline engine gives for a translation: the source, labelled so no one ships it as one.

    There is no offline translation model; the label keeps the workflow honest (the record says
    stand-in too) while the rest of the path (locale rules, lint, save, provenance) runs for real.
    """
    label, text = STAND_IN_LABEL.format(locale=locale), source.strip()
    return f"{label}\n{text}\n" if "\n" in text else f"{label} {text}\n"


class OfflineTextProvider:
    name = "local"

    def generate(self, job: GenerationJob) -> GeneratedContent:
        if job.task == "translate":
            text = stand_in_translation(job.source_text or "", job.target_locale or "und")
            parameters: dict[str, object] = {"generator": "offline-translation-stand-in", "standIn": True}
            return _content(job, text, STAND_IN_DATASET_TAG, parameters)
        parameters = {"generator": "offline-templates", "sentences": _SENTENCES[job.model.tier]}
        return _content(job, compose(job), DATASET_TAG, parameters)


def _content(job: GenerationJob, text: str, dataset_tag: str, parameters: dict[str, object]) -> GeneratedContent:
    return GeneratedContent(
        data=text.encode("utf-8"),
        mime_type="text/plain; charset=utf-8",
        extension="txt",
        vendor_model=job.model.vendor_model,
        offline=True,
        dataset_tag=dataset_tag,
        # Tokens estimated at ~4 characters each, so a priced offline matrix settles like a vendor would.
        usage={
            "inputChars": float(len(job.prompt)),
            "outputChars": float(len(text)),
            "inputTokens": float(math.ceil(len(job.prompt) / 4)),
            "outputTokens": float(math.ceil(len(text) / 4)),
        },
        parameters=parameters,
    )
