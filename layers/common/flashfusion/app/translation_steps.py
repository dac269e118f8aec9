"""Translations: one child version of the saved asset per requested locale (inside the Map state).

Text goes through the text router (the request's tier, the org's budget, the provider's own retry
and fallback rules); an image or video the offline generator drew gets its headline translated and
is drawn again. Each result is linted against the kit's rules for that locale and stored as a child
of the source version, with its own provenance. A locale that cannot be done fails alone.
"""

from __future__ import annotations

import dataclasses
import hashlib
import time
import uuid

from flashfusion.app import budget_alerts
from flashfusion.app.deps import Deps
from flashfusion.app.step_common import ASSET_NAMESPACE, _require, effective_prompt
from flashfusion.app.step_generation import _provider
from flashfusion.app.step_routing import route_query
from flashfusion.errors import ProviderAuthError, ProviderRejected, TranslationSkipped
from flashfusion.models import (
    ContentType,
    Cost,
    Generation,
    LocaleOutcome,
    OutputOptions,
    SavedAsset,
    WorkflowState,
)
from flashfusion.observability import MetricUnit, metrics
from flashfusion.providers.base import GeneratedContent, GenerationJob, GenerationOptions
from flashfusion.routing import pricing, router

INSTRUCTION = (
    "Translate the marketing copy between the <copy> tags into the language and locale {locale}. "
    "Keep brand names, product names, trademarks and their symbols, hashtags, @mentions, URLs and emoji "
    "exactly as written. Keep the meaning, the tone and the line breaks. Reply with the translation only."
    "\n<copy>\n{text}\n</copy>"
)


def translation_asset_id(request_id: str, locale: str) -> str:
    return str(uuid.uuid5(ASSET_NAMESPACE, f"{request_id}:{locale}"))


def _translate_text(state: WorkflowState, deps: Deps, text: str, locale: str) -> tuple[str, GeneratedContent, str]:
    """The text in ``locale``, the provider's content, and the model that translated it."""
    request = state.request
    validated = _require(state.validated, "validated")
    as_text = request.model_copy(update={"content_type": ContentType.TEXT, "prompt": text, "options": OutputOptions()})
    remaining = deps.budgets.status(request.org_id).available_usd
    query = route_query(as_text, deps, remaining)
    decision = router.route(deps.matrix, query)
    kit = deps.kits.get(request.org_id, validated.brand_kit_id, validated.brand_kit_version).for_locale(locale)
    last: Exception | None = None
    for model_id in [decision.model, *decision.chain]:
        spec = deps.matrix.get(model_id)
        reservation = f"{request.request_id}.translate.{locale}.{model_id.replace('/', '-')}"
        estimate = router.estimate(spec, query)
        held = estimate > 0 and deps.budgets.reserve(request.org_id, reservation, estimate)
        job = GenerationJob(
            request_id=request.request_id,
            content_type=ContentType.TEXT,
            prompt=INSTRUCTION.format(locale=locale, text=text),
            prompt_hash=hashlib.sha256(text.encode("utf-8")).hexdigest(),
            model=spec,
            brand_kit=kit,
            channel=request.channel,
            options=GenerationOptions(max_output_tokens=max(256, len(text))),
            org_id=request.org_id,
            task="translate",
            target_locale=locale,
            source_text=text,
        )
        try:
            content = _provider(deps, request, spec).generate(job)
        except (ProviderRejected, ProviderAuthError) as error:  # this model will not: try the next one
            if held:
                deps.budgets.release(request.org_id, reservation)
            last = error
            continue
        except Exception:
            if held:
                deps.budgets.release(request.org_id, reservation)
            raise
        cost = content.cost_usd if content.cost_usd is not None else pricing.cost_of(spec, content.usage, None, None)
        if held:
            deps.budgets.settle(request.org_id, reservation, cost)
            budget_alerts.after_spend(deps, request.org_id)
        translated = content.data.decode("utf-8").strip()
        return translated, dataclasses.replace(content, cost_usd=cost), spec.id
    raise ProviderRejected(f"no text model would translate into {locale}: {last}")


def translate(state: WorkflowState, deps: Deps) -> Generation:
    request = state.request
    locale = _require(state.locale, "locale")
    source = _require(state.saved, "saved").provenance
    started = time.perf_counter()
    if source.content_type == ContentType.MUSIC:
        raise TranslationSkipped("music has no text to translate")
    if source.content_type != ContentType.TEXT and not source.offline:
        raise TranslationSkipped(
            f"the {source.content_type.value} came from {source.model}: its text is part of the picture and "
            "cannot be drawn again; request it in this locale instead"
        )
    if source.content_type == ContentType.TEXT:
        stored, _ = deps.assets.read(source.key)
        translated, text_content, text_model = _translate_text(state, deps, stored.decode("utf-8"), locale)
        content = dataclasses.replace(
            text_content,
            data=(translated + "\n").encode("utf-8"),
            mime_type="text/plain; charset=utf-8",
            extension="txt",
        )
        model = text_model
    else:
        content, text_model = _redraw(state, deps, locale)
        model = source.model
    data, mime, extension = content.data, content.mime_type, content.extension
    asset_id = translation_asset_id(request.request_id, locale)
    staged = deps.assets.stage(request.org_id, request.request_id, f"{asset_id}.v1.{extension}", data, mime)
    metrics.add_metric(name="Translations", unit=MetricUnit.Count, value=1)
    return Generation(
        asset_id=asset_id,
        version=1,
        content_type=source.content_type,
        model=model,
        provider=deps.matrix.get(model).provider,
        vendor_model=deps.matrix.get(model).vendor_model,
        offline=content.offline,
        dataset_tag=content.dataset_tag,
        staging_key=staged,
        mime_type=mime,
        extension=extension,
        output_hash=hashlib.sha256(data).hexdigest(),
        size_bytes=len(data),
        latency_ms=int((time.perf_counter() - started) * 1000),
        cost=Cost(usd=content.cost_usd or 0.0, units=content.usage),
        parameters=dict(content.parameters),
        locale=locale,
        parent_version=None,
        translation={
            "sourceAssetId": source.asset_id,
            "sourceVersion": source.version,
            "sourceLanguage": "und",
            "locale": locale,
            "textModel": text_model,
            "standIn": bool(content.parameters.get("standIn")),
        },
    )


def _redraw(state: WorkflowState, deps: Deps, locale: str) -> tuple[GeneratedContent, str]:
    """An offline image or video drawn again with its headline in ``locale``, and the text model used."""
    from flashfusion.providers.offline_image import OfflineImageProvider, headline_of, printable
    from flashfusion.providers.offline_video import OfflineVideoProvider

    request = state.request
    source = _require(state.saved, "saved").provenance
    validated = _require(state.validated, "validated")
    kit = deps.kits.get(request.org_id, validated.brand_kit_id, validated.brand_kit_version)
    prompt = effective_prompt(request, state.revision)
    headline = headline_of(request.prompt, kit.voice.brand_name or kit.name)  # as the generator drew it
    translated, text_content, text_model = _translate_text(state, deps, headline, locale)
    drawable = printable(translated)
    if drawable != " ".join(translated.split()):
        raise TranslationSkipped(
            f"the offline generator's font cannot draw the {locale} headline; translate this asset with a vendor model"
        )
    options = request.options
    job = GenerationJob(
        request_id=request.request_id,
        content_type=source.content_type,
        prompt=prompt,
        prompt_hash=source.prompt_hash,
        model=deps.matrix.get(source.model),
        brand_kit=kit,
        channel=request.channel,
        options=GenerationOptions(
            size=options.size, duration_seconds=options.duration_seconds, aspect_ratio=options.aspect_ratio
        ),
        org_id=request.org_id,
        brief=request.prompt,
        feedback=tuple(state.revision.feedback),
        overlay_text=drawable,
    )
    generator = OfflineImageProvider() if source.content_type == ContentType.IMAGE else OfflineVideoProvider()
    drawn = generator.generate(job)
    parameters = {**drawn.parameters, "standIn": bool(text_content.parameters.get("standIn"))}
    usage = {**drawn.usage, **{f"translation.{k}": v for k, v in text_content.usage.items()}}
    content = GeneratedContent(
        data=drawn.data,
        mime_type=drawn.mime_type,
        extension=drawn.extension,
        vendor_model=drawn.vendor_model,
        offline=True,
        dataset_tag=drawn.dataset_tag,
        usage=usage,
        cost_usd=text_content.cost_usd,
        parameters=parameters,
    )
    return content, text_model


def save_translation(state: WorkflowState, deps: Deps) -> SavedAsset:
    """Store the translation as a child of the source version, and record the locale's outcome."""
    from flashfusion.app.versions import store_version

    request = state.request
    generation = _require(state.generation, "generation")
    if not isinstance(generation, Generation):
        raise ValueError("the translation has not finished")
    report = _require(state.lint, "lint")
    source = _require(state.saved, "saved").provenance
    saved = store_version(
        state.model_copy(update={"review": None}),
        deps,
        generation,
        status="published" if report.compliant else "rejected",
        parent_asset_id=source.asset_id,
        parent_version=source.version,
    )
    outcome = LocaleOutcome(
        locale=_require(state.locale, "locale"),
        status="succeeded" if report.compliant else "non_compliant",
        asset=saved.asset,
        lint_passed=report.compliant,
        violations=report.violations,
        stand_in=bool((generation.translation or {}).get("standIn")),
    )
    deps.requests.set_translation(request.org_id, request.request_id, outcome)
    return saved
