"""``GET /v1/models``: the model matrix in force here, each row with its prices in the unit its vendor
bills, and for each row routing cannot pick, why: switched off in the matrix, its provider not enabled in
this deployment (ENABLED_PROVIDERS), or no adapter for its provider in this build.

The same matrix and provider set routing uses (``deps.matrix``, ``deps.available_providers``), so what this
says is enabled is what a request can be routed to.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from flashfusion.app.api_models import ApiModel
from flashfusion.app.deps import Deps
from flashfusion.errors import InvalidRequest
from flashfusion.models import ContentType, Tier
from flashfusion.providers.registry import ADAPTERS
from flashfusion.routing.matrix import ModelSpec

PriceUnit = Literal[
    "per_million_input_tokens", "per_million_output_tokens", "per_image", "per_second", "per_compute_second"
]


class Price(ApiModel):
    unit: PriceUnit
    usd: float = Field(ge=0)
    variant: str | None = Field(default=None, description='per_image: "WxH/quality", "WxH" or "default"')


class ModelRow(ApiModel):
    id: str
    provider: str
    vendor_model: str
    medium: ContentType
    tier: Tier
    latency_class: Literal["fast", "medium", "slow"]
    mode: Literal["sync", "async"] = Field(description="async: submitted, then polled (video, music)")
    prices: list[Price] = Field(description="USD list prices in the vendor's billing units")
    enabled: bool = Field(description="routing may pick this model here")
    disabled_reasons: list[str] = Field(default_factory=list, description="why routing cannot pick it")
    note: str | None = None


class ModelCatalog(ApiModel):
    matrix_version: str
    items: list[ModelRow]


def _prices(spec: ModelSpec) -> list[Price]:
    prices = spec.prices
    if spec.medium == ContentType.TEXT:
        return [
            Price(unit="per_million_input_tokens", usd=prices.input_per_m_tok),
            Price(unit="per_million_output_tokens", usd=prices.output_per_m_tok),
        ]
    if spec.medium == ContentType.IMAGE:
        return [Price(unit="per_image", usd=usd, variant=variant) for variant, usd in prices.per_image.items()]
    found = [Price(unit="per_second", usd=prices.per_second)]
    if prices.per_compute_second:
        found.append(Price(unit="per_compute_second", usd=prices.per_compute_second))
    return found


def _why_not(spec: ModelSpec, deps: Deps) -> list[str]:
    reasons: list[str] = []
    if not spec.enabled:
        reasons.append("switched off in the model matrix" + (f": {spec.note}" if spec.note else ""))
    if spec.provider not in ADAPTERS:
        reasons.append(f"no adapter for provider {spec.provider!r} in this build")
    elif spec.provider not in deps.settings.providers:
        reasons.append(f"provider {spec.provider!r} is not enabled in this deployment (ENABLED_PROVIDERS)")
    elif spec.provider not in deps.available_providers:
        reasons.append(f"provider {spec.provider!r} is not available here")
    return reasons


def _choice(query: dict[str, str], name: str, allowed: list[str]) -> str | None:
    value = query.get(name) or None
    if value is not None and value not in allowed:
        problem = "one of " + ", ".join(allowed)
        raise InvalidRequest(f"{name}: {problem}", [{"field": name, "problem": problem}])
    return value


def catalog(query: dict[str, str], deps: Deps) -> ModelCatalog:
    """Every row of the matrix in force (``medium`` and ``tier`` narrow it), in the matrix's order."""
    medium = _choice(query, "medium", [c.value for c in ContentType])
    tier = _choice(query, "tier", [t.value for t in Tier])
    matrix = deps.matrix
    rows = []
    for spec in matrix.models:
        if (medium and spec.medium != medium) or (tier and spec.tier != tier):
            continue
        reasons = _why_not(spec, deps)
        rows.append(
            ModelRow(
                id=spec.id,
                provider=spec.provider,
                vendor_model=spec.vendor_model,
                medium=spec.medium,
                tier=spec.tier,
                latency_class=spec.latency_class,
                mode=spec.mode,
                prices=_prices(spec),
                enabled=not reasons,
                disabled_reasons=reasons,
                note=spec.note or None,
            )
        )
    return ModelCatalog(matrix_version=matrix.version, items=rows)
