"""The adapters a step needs, built once per cold start from the settings."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from aws_lambda_powertools.utilities import parameters

from flashfusion.provenance.marking import Marker
from flashfusion.providers import secrets
from flashfusion.providers.base import ProviderContext
from flashfusion.routing.matrix import ModelMatrix, load_matrix, load_matrix_file
from flashfusion.settings import Settings, get_settings
from flashfusion.storage import aws
from flashfusion.storage.assets import AssetStore
from flashfusion.storage.budgets import BudgetRepository
from flashfusion.storage.dynamo import BrandKitRepository, ProvenanceRepository, RequestRepository
from flashfusion.storage.reviews import ReviewRepository

MATRIX_CACHE_SECONDS = 300


@dataclass(frozen=True)
class Deps:
    settings: Settings
    requests: RequestRepository
    kits: BrandKitRepository
    provenance: ProvenanceRepository
    assets: AssetStore
    budgets: BudgetRepository
    providers: ProviderContext
    moderation: Any | None
    """Image moderation (Rekognition) where the deployment enables it; None: reported as not checked."""
    ocr: Any | None
    """Text in images: Rekognition DetectText in AWS, Tesseract locally; None: reported as not checked."""
    reviews: ReviewRepository
    marker: Marker
    """Content credentials (XMP + signed C2PA) for every stored version."""

    def events(self) -> Any:
        return aws.client("events")

    def stepfunctions(self) -> Any:
        return aws.client("stepfunctions")

    def emit(self, detail_type: str, detail: dict[str, Any]) -> None:
        """An EventBridge event for subscribers (notifications, dashboards); never holds prompts or tokens."""
        self.events().put_events(
            Entries=[
                {
                    "Source": "flashfusion.orchestrator",
                    "DetailType": detail_type,
                    "EventBusName": self.settings.event_bus_name,
                    "Detail": json.dumps(detail),
                }
            ]
        )

    @property
    def matrix(self) -> ModelMatrix:
        """The packaged matrix, or the deployment's override from SSM (re-read every 5 minutes,
        so an operator can change routing without a redeploy)."""
        name = self.settings.model_matrix_parameter
        if name:
            return _parse_matrix(str(parameters.get_parameter(name, max_age=MATRIX_CACHE_SECONDS)))
        return _file_matrix(self.settings.model_matrix_path or None)


@lru_cache(maxsize=4)
def _parse_matrix(text: str) -> ModelMatrix:
    return load_matrix(text)


@lru_cache(maxsize=2)
def _file_matrix(path: str | None) -> ModelMatrix:
    return load_matrix_file(path)


@lru_cache(maxsize=1)
def get_deps() -> Deps:
    settings = get_settings()
    table = aws.table(settings.table_name)
    return Deps(
        settings=settings,
        requests=RequestRepository(table),
        kits=BrandKitRepository(table),
        provenance=ProvenanceRepository(table),
        assets=AssetStore(aws.client("s3"), settings.assets_bucket, settings.staging_prefix),
        budgets=BudgetRepository(table, settings.default_monthly_budget_usd),
        providers=ProviderContext(
            api_key=lambda provider: secrets.api_key(settings.provider_secrets_prefix, provider),
            aws_client=aws.client,
            region=settings.aws_region,
            assets_bucket=settings.assets_bucket,
            staging_prefix=settings.staging_prefix,
        ),
        moderation=_moderation(settings),
        ocr=_ocr(settings),
        reviews=ReviewRepository(table),
        marker=Marker(lambda: _signing_key(settings), "signing is turned off in this deployment (SIGNING_MODE=off)"),
    )


@lru_cache(maxsize=2)
def _signing_key_for(mode: str, key_id: str, secret: str) -> Any:
    """Parsed once per secret value: a rotated key or certificate chain is a new value, picked up within
    the secret's cache time, without parsing PEM on every save."""
    from flashfusion.provenance import signing

    if mode == "kms":
        if not key_id:
            raise ValueError("SIGNING_MODE=kms needs SIGNING_KMS_KEY_ID")
        return signing.KmsSigningKey(aws.client("kms"), key_id, secret.encode("utf-8"))
    return signing.PemSigningKey.from_secret(secret)


def _signing_key(settings: Settings) -> Any | None:
    if settings.signing_mode == "off":
        return None
    if not settings.signing_secret_name:
        raise ValueError(f"SIGNING_MODE={settings.signing_mode} needs SIGNING_SECRET_NAME")
    raw = parameters.get_secret(settings.signing_secret_name, max_age=MATRIX_CACHE_SECONDS)
    secret = raw.decode("utf-8") if isinstance(raw, bytes) else str(raw)
    return _signing_key_for(settings.signing_mode, settings.signing_kms_key_id, secret)


def _ocr(settings: Settings) -> Any | None:
    from flashfusion.linting import ocr

    if settings.image_ocr == "rekognition":
        return ocr.RekognitionOcr(aws.client("rekognition"))
    if settings.image_ocr == "tesseract" and ocr.TesseractOcr.available():
        return ocr.TesseractOcr()
    return None


def _moderation(settings: Settings) -> Any | None:
    if settings.image_moderation != "rekognition":
        return None
    from flashfusion.linting.legal import RekognitionModeration

    return RekognitionModeration(aws.client("rekognition"))


def reset() -> None:
    get_deps.cache_clear()
    get_settings.cache_clear()
    _parse_matrix.cache_clear()
    _file_matrix.cache_clear()
    _signing_key_for.cache_clear()
    parameters.clear_caches()
    aws.reset()
