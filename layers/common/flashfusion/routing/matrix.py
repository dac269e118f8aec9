"""The model matrix: which models exist, what they cost in their own units, and what they accept."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import Field

from flashfusion.models import CamelModel, ContentType, Operation, Tier


class Prices(CamelModel):
    """USD list prices, each in the unit the vendor bills."""

    input_per_m_tok: float = Field(default=0.0, ge=0, alias="inputPerMTok")
    output_per_m_tok: float = Field(default=0.0, ge=0, alias="outputPerMTok")
    per_image: dict[str, float] = Field(
        default_factory=dict, description='by "WxH/quality", "WxH" or "default", most specific first'
    )
    per_second: float = Field(default=0.0, ge=0, description="per second of video or audio produced")
    per_compute_second: float = Field(
        default=0.0,
        ge=0,
        description="per second of vendor compute (Replicate); when the vendor reports compute time, it "
        "replaces per_second at settlement, and per_second stays the estimate before the call",
    )


class Limits(CamelModel):
    max_prompt_chars: int = Field(default=4000, ge=1)
    sizes: list[str] = Field(default_factory=list, description="image/video sizes accepted; empty: any")
    default_size: str | None = None
    min_seconds: float | None = Field(default=None, ge=0)
    max_seconds: float | None = Field(default=None, ge=0)
    default_seconds: float | None = Field(default=None, ge=0)
    max_output_tokens: int | None = Field(default=None, ge=1)


class ModelSpec(CamelModel):
    id: str
    provider: str
    vendor_model: str
    medium: ContentType
    tier: Tier
    prices: Prices = Field(default_factory=Prices)
    latency_class: Literal["fast", "medium", "slow"] = "medium"
    limits: Limits = Field(default_factory=Limits)
    mode: Literal["sync", "async"] = "sync"
    poll_seconds: int = Field(default=10, ge=1, le=300)
    max_wait_seconds: int = Field(default=900, ge=10, le=86400)
    endpoint: str | None = Field(default=None, description="generic-http provider: the operator's endpoint")
    operations: list[Operation] = Field(
        default_factory=lambda: list[Operation](["generate"]),
        description="what the model can be asked to do: generate from a prompt, brand_style an uploaded image",
    )
    enabled: bool = True
    note: str = ""


class ModelMatrix(CamelModel):
    version: str
    comment: str = ""
    models: list[ModelSpec]

    def get(self, model_id: str) -> ModelSpec:
        for spec in self.models:
            if spec.id == model_id:
                return spec
        raise KeyError(f"model {model_id!r} is not in matrix {self.version}")


def load_matrix(text: str) -> ModelMatrix:
    matrix = ModelMatrix.model_validate(json.loads(text))
    ids = [m.id for m in matrix.models]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ValueError(f"model matrix {matrix.version} lists {duplicates} more than once")
    return matrix


def default_matrix_text() -> str:
    return resources.files("flashfusion.routing").joinpath("model_matrix.json").read_text("utf-8")


def load_matrix_file(path: str | Path | None = None) -> ModelMatrix:
    return load_matrix(Path(path).read_text("utf-8") if path else default_matrix_text())
