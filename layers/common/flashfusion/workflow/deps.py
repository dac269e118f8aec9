"""The adapters a step needs, built once per cold start from the settings."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from flashfusion.routing.matrix import ModelMatrix, load_matrix_file
from flashfusion.settings import Settings, get_settings
from flashfusion.storage import aws
from flashfusion.storage.assets import AssetStore
from flashfusion.storage.dynamo import BrandKitRepository, ProvenanceRepository, RequestRepository


@dataclass(frozen=True)
class Deps:
    settings: Settings
    matrix: ModelMatrix
    requests: RequestRepository
    kits: BrandKitRepository
    provenance: ProvenanceRepository
    assets: AssetStore


@lru_cache(maxsize=1)
def get_deps() -> Deps:
    settings = get_settings()
    table = aws.table(settings.table_name)
    return Deps(
        settings=settings,
        matrix=load_matrix_file(settings.model_matrix_path or None),
        requests=RequestRepository(table),
        kits=BrandKitRepository(table),
        provenance=ProvenanceRepository(table),
        assets=AssetStore(aws.client("s3"), settings.assets_bucket, settings.staging_prefix),
    )


def reset() -> None:
    get_deps.cache_clear()
    get_settings.cache_clear()
    aws.reset()
