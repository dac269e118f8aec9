"""Planning a bundle: its parts (the lead text part first), each media part's request and prompt (made from
the lead text), and the one budget hold of the whole bundle (reserved by RouteModel before any part runs,
settled at the actual spend on every ending). See flashfusion.app.bundles for the steps."""

from __future__ import annotations

import re
import uuid

from flashfusion.app import budget_alerts
from flashfusion.app.deps import Deps
from flashfusion.errors import BudgetExceeded
from flashfusion.models import (
    BUNDLE_ROLES,
    DEFAULT_CAROUSEL_IMAGES,
    MAX_PROMPT_CHARS,
    AssetRequest,
    BundleSpec,
    ContentType,
    OutputOptions,
    PartPlan,
    WorkflowState,
)
from flashfusion.observability import logger
from flashfusion.routing import router

BUNDLE_NAMESPACE = uuid.UUID("0c7b3d52-8f4e-4a61-9d2b-5e8a1f3c7b90")
ROLE_TYPES = {
    "copy": ContentType.TEXT,
    "script": ContentType.TEXT,
    "image": ContentType.IMAGE,
    "video": ContentType.VIDEO,
    "music": ContentType.MUSIC,
}
OPTIONAL_BY_DEFAULT = frozenset({"music"})
"""A reel without its music is still a reel; every other part is needed."""
HEADLINE_WORDS = 9
"""The offline image generator draws at most this many words; a real model's headline should be short too."""


def bundle_id_of(request: AssetRequest) -> str:
    return str(uuid.uuid5(BUNDLE_NAMESPACE, request.request_id))


def hold_id(request: AssetRequest) -> str:
    """The bundle's one budget reservation (it begins with the request id, as release_request expects)."""
    return f"{request.request_id}.bundle"


def spec_of(request: AssetRequest) -> BundleSpec:
    if request.bundle is None:
        raise ValueError("not a bundle request: the state machine sent a single asset to a bundle step")
    return request.bundle


def planned_parts(spec: BundleSpec) -> list[PartPlan]:
    """Every part of the bundle, the lead text part first (the media parts are made from it)."""
    roles = BUNDLE_ROLES[spec.kind]
    lead_role = roles[0]
    parts = [PartPlan(part_id=lead_role, role=lead_role, content_type=ROLE_TYPES[lead_role], index=0)]
    for role in roles[1:]:
        options = spec.parts.get(role)
        required = options.required if options and options.required is not None else role not in OPTIONAL_BY_DEFAULT
        count = (spec.image_count or DEFAULT_CAROUSEL_IMAGES) if spec.kind == "carousel" and role == "image" else 1
        for n in range(1, count + 1):
            part_id = f"{role}-{n}" if spec.kind == "carousel" and role == "image" else role
            parts.append(
                PartPlan(
                    part_id=part_id,
                    role=role,
                    content_type=ROLE_TYPES[role],
                    required=required,
                    derived_from=lead_role,
                    index=len(parts),
                )
            )
    return parts


def part_request(request: AssetRequest, part: PartPlan, prompt: str) -> AssetRequest:
    """The part's own request: the bundle's, with the part's content type, prompt and options."""
    spec = spec_of(request)
    chosen = spec.parts.get(part.role)
    options = chosen.options if chosen else OutputOptions()
    if part.content_type == ContentType.VIDEO and options.aspect_ratio is None and spec.kind == "reel":
        options = options.model_copy(update={"aspect_ratio": "9:16"})  # a reel is vertical
    if part.content_type == ContentType.IMAGE and options.size is None and request.options.size is not None:
        options = options.model_copy(update={"size": request.options.size})
    return request.model_copy(
        update={"content_type": part.content_type, "prompt": prompt[:MAX_PROMPT_CHARS], "options": options}
    )


# --- budget: one hold for the whole bundle --------------------------------------------------------


def reserve(state: WorkflowState, deps: Deps) -> None:
    """Hold the estimate of every part before any part runs (RouteModel of the lead calls this).

    Idempotent per request (a regeneration round finds its hold in place). BudgetExceeded sends the
    request where an over-budget request goes (the batch queue, or a failure with nothing held).
    """
    request = state.request
    spec = spec_of(request)
    remaining = deps.budgets.status(request.org_id).available_usd
    if hold_id(request) in deps.budgets.reservations(request.org_id):
        return
    total = 0.0
    for part in planned_parts(spec):
        query = router.query_for(part_request(request, part, request.prompt), deps.available_providers, remaining)
        total += router.route(deps.matrix, query).estimated_cost_usd
    if total <= 0:
        return  # offline models cost nothing: nothing to hold
    if not deps.budgets.reserve(request.org_id, hold_id(request), total):
        raise BudgetExceeded(
            f"the bundle's estimate ({total:.4f} USD for {len(planned_parts(spec))} parts) does not fit the "
            "organisation's remaining budget"
        )
    logger.info("bundle budget held", extra={"holdUsd": total, "parts": len(planned_parts(spec))})


def close_hold(deps: Deps, request: AssetRequest) -> bool:
    """Turn the bundle's hold into what its vendors billed (every successful call), the rest released."""
    org_id = request.org_id
    if hold_id(request) not in deps.budgets.reservations(org_id):
        return False
    record = deps.requests.get(org_id, request.request_id)
    spent = sum(a.cost_usd or 0.0 for a in record.attempts if a.outcome == "succeeded")
    closed = deps.budgets.settle(org_id, hold_id(request), spent)
    if closed and spent > 0:
        budget_alerts.after_spend(deps, org_id)
    return closed


# --- planning the media parts from the lead text --------------------------------------------------

_MARKUP = re.compile(r"(?:https?://|www\.)\S+|[#@][\w-]+|[*_`>#]+")
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")


def sentences(text: str) -> list[str]:
    """The lead text's sentences without links, hashtags, mentions or markdown, in order."""
    out = []
    for piece in _SENTENCE.split(text):
        cleaned = " ".join(_MARKUP.sub(" ", piece).split()).strip(" -\u2013\u2014:;,")
        if len(cleaned.split()) >= 3:  # "Shop at" (a link taken out) is no headline
            out.append(cleaned)
    return out


def headline(sentence: str) -> str:
    words = sentence.rstrip(".!?").split()
    text = " ".join(words[:HEADLINE_WORDS])
    return text.replace('"', "'")


def derived_prompt(part: PartPlan, lead_text: str, brief: str, total_images: int) -> str:
    """The part's prompt, made from the lead text part (a headline, a hook) and the bundle's brief."""
    lines = sentences(lead_text) or [brief]
    if part.role == "image":
        n = int(part.part_id.rsplit("-", 1)[1]) if "-" in part.part_id else 1
        line = lines[(n - 1) % len(lines)]
        slide = f"Slide {n} of {total_images}: " if total_images > 1 else ""
        return f'{slide}an image with the headline "{headline(line)}", matching this post. Brief: {brief}'
    if part.role == "video":
        return f'A vertical video for this script, opening on "{headline(lines[0])}". Brief: {brief}'
    return f"Background music for a reel about: {brief}"
