"""The one place that builds dependencies and picks adapters, once per cold start, from the settings.

Handlers and the API's routers ask here for what their use case needs (``get_deps``,
``scheduling_deps``, ``campaign_deps``, ``publish_deps``); the use cases in ``flashfusion.app`` only see
the protocols and repositories they are handed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache, partial
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.utilities import parameters

from flashfusion import tracing
from flashfusion.app.deps import Deps
from flashfusion.aws import clients, secrets
from flashfusion.aws.callback_secrets import CallbackSecrets
from flashfusion.aws.job_queue import SqsJobQueue
from flashfusion.errors import ReviewUnavailable
from flashfusion.models import Fault
from flashfusion.provenance.marking import Marker
from flashfusion.providers import registry
from flashfusion.providers.base import AsyncProvider, Provider, ProviderContext
from flashfusion.routing.matrix import ModelMatrix, load_matrix, load_matrix_file
from flashfusion.settings import Settings, get_settings
from flashfusion.storage.assets import AssetStore
from flashfusion.storage.budgets import BudgetRepository
from flashfusion.storage.campaigns import AccountRepository, CampaignRepository
from flashfusion.storage.dynamo import BrandKitRepository, ProvenanceRepository, RequestRepository
from flashfusion.storage.lint_jobs import LintJobRepository
from flashfusion.storage.review_links import ReviewLinkRepository
from flashfusion.storage.reviews import ReviewRepository

if TYPE_CHECKING:  # built on demand: a step's cold start does not pay for campaigns and publishing
    from flashfusion.app.campaigns import CampaignDeps
    from flashfusion.app.notifications import NotificationDeps
    from flashfusion.app.posts import SchedulingDeps
    from flashfusion.app.publishing import PublishDeps
    from flashfusion.linting.legal import ModerationAdapter
    from flashfusion.linting.ocr_types import OcrAdapter
    from flashfusion.provenance.signing import SigningKey
    from flashfusion.publishers.base import Publisher

MATRIX_CACHE_SECONDS = 300


@lru_cache(maxsize=1)
def get_deps() -> Deps:
    settings = get_settings()
    table = clients.table(settings.table_name)
    context = ProviderContext(
        api_key=lambda provider: secrets.api_key(settings.provider_secrets_prefix, provider),
        aws_client=clients.client,
        region=settings.aws_region,
        assets_bucket=settings.assets_bucket,
        staging_prefix=settings.staging_prefix,
    )
    return Deps(
        settings=settings,
        requests=RequestRepository(table),
        kits=BrandKitRepository(table),
        provenance=ProvenanceRepository(table),
        assets=AssetStore(clients.client("s3"), settings.assets_bucket, settings.staging_prefix),
        budgets=BudgetRepository(table, settings.default_monthly_budget_usd),
        campaigns=CampaignRepository(table),
        accounts=AccountRepository(table),
        provider=partial(_provider, context, settings),
        available_providers=registry.available_providers(settings.providers),
        matrix_source=partial(_matrix, settings),
        moderation=_moderation(settings),
        ocr=ocr_engine(settings.image_ocr),
        reviews=ReviewRepository(table),
        marker=Marker(lambda: _signing_key(settings), "signing is turned off in this deployment (SIGNING_MODE=off)"),
        events=partial(clients.client, "events"),
        stepfunctions=partial(clients.client, "stepfunctions"),
        signing_problem=partial(signing_problem, settings),
        callback_secrets=CallbackSecrets(partial(clients.client, "secretsmanager"), settings.callback_secrets_prefix),
        lint_jobs=LintJobRepository(table),
        lint_job_queue=SqsJobQueue(partial(clients.client, "sqs"), settings.lint_job_queue_url),
        review_links=ReviewLinkRepository(table),
        review_link_key=partial(_review_link_key, settings),
    )


def _review_link_key(settings: Settings) -> bytes:
    """The stack's link signing key, cached like the other secrets (a rotated value is picked up within
    the cache time, and every link signed with the old one stops working)."""
    if not settings.review_link_secret_name:
        raise ReviewUnavailable("shared review links are not configured here (REVIEW_LINK_SECRET_NAME is empty)")
    raw = parameters.get_secret(settings.review_link_secret_name, max_age=MATRIX_CACHE_SECONDS)
    return raw if isinstance(raw, bytes) else str(raw).encode("utf-8")


def _provider(
    context: ProviderContext, settings: Settings, name: str, faults: Sequence[Fault]
) -> Provider | AsyncProvider:
    return registry.provider_for(name, context, settings.providers, list(faults), settings.allow_fault_injection)


def _matrix(settings: Settings) -> ModelMatrix:
    """The packaged matrix, or the deployment's override from SSM (re-read every 5 minutes,
    so an operator can change routing without a redeploy)."""
    name = settings.model_matrix_parameter
    if name:
        return _parse_matrix(str(parameters.get_parameter(name, max_age=MATRIX_CACHE_SECONDS)))
    return _file_matrix(settings.model_matrix_path or None)


@lru_cache(maxsize=4)
def _parse_matrix(text: str) -> ModelMatrix:
    return load_matrix(text)


@lru_cache(maxsize=2)
def _file_matrix(path: str | None) -> ModelMatrix:
    return load_matrix_file(path)


@lru_cache(maxsize=2)
def _signing_key_for(mode: str, key_id: str, secret: str) -> SigningKey:
    """Parsed once per secret value: a rotated key or certificate chain is a new value, picked up within
    the secret's cache time, without parsing PEM on every save."""
    from flashfusion.provenance import signing

    if mode == "kms":
        from flashfusion.aws.kms_signing import KmsSigningKey

        if not key_id:
            raise ValueError("SIGNING_MODE=kms needs SIGNING_KMS_KEY_ID")
        return KmsSigningKey(clients.client("kms"), key_id, secret.encode("utf-8"))
    return signing.PemSigningKey.from_secret(secret)


def _signing_key(settings: Settings) -> SigningKey | None:
    if settings.signing_mode == "off":
        return None
    if not settings.signing_secret_name:
        raise ValueError(f"SIGNING_MODE={settings.signing_mode} needs SIGNING_SECRET_NAME")
    raw = parameters.get_secret(settings.signing_secret_name, max_age=MATRIX_CACHE_SECONDS)
    secret = raw.decode("utf-8") if isinstance(raw, bytes) else str(raw)
    return _signing_key_for(settings.signing_mode, settings.signing_kms_key_id, secret)


SIGNING_SET_UP = (
    "store the chain with `ffo signing-cert --key-id <ContentSigningKey> --secret-name {secret} "
    "--organization <your organisation>` (README: Provenance and content credentials)"
)


def signing_problem(settings: Settings) -> str | None:
    """A cheap look at the signing set-up (no key parsing: the Validate step has no cryptography): the
    secret exists and holds what the mode needs. A fresh stack with SigningMode=kms has no chain yet."""
    mode, secret = settings.signing_mode, settings.signing_secret_name
    if mode == "off":
        return None
    if not secret:
        return f"SIGNING_MODE={mode} needs SIGNING_SECRET_NAME"
    if mode == "kms" and not settings.signing_kms_key_id:
        return "SIGNING_MODE=kms needs SIGNING_KMS_KEY_ID"
    how = SIGNING_SET_UP.format(secret=secret)
    try:
        raw = parameters.get_secret(secret, max_age=MATRIX_CACHE_SECONDS)
    except parameters.exceptions.GetParameterError as error:
        return f"the signing secret {secret} cannot be read ({type(error.__cause__ or error).__name__}); {how}"
    text = raw.decode("utf-8") if isinstance(raw, bytes) else str(raw)
    if mode == "kms" and "-----BEGIN CERTIFICATE-----" not in text:
        return f"the signing secret {secret} holds no certificate chain for the KMS key; {how}"
    if mode == "secret" and not ("privateKeyPem" in text and "certificateChainPem" in text):
        return f"the signing secret {secret} must be JSON with privateKeyPem and certificateChainPem"
    return None


def ocr_engine(kind: str) -> OcrAdapter | None:
    """``rekognition`` (DetectText), ``tesseract`` (when installed here) or none: not checked, never passed."""
    if kind == "rekognition":
        from flashfusion.vision.rekognition import RekognitionOcr

        return RekognitionOcr(clients.client("rekognition"))
    if kind == "tesseract":
        from flashfusion.vision.tesseract import TesseractOcr

        if TesseractOcr.available():
            return TesseractOcr()
    return None


def _moderation(settings: Settings) -> ModerationAdapter | None:
    if settings.image_moderation != "rekognition":
        return None
    from flashfusion.vision.rekognition import RekognitionModeration

    return RekognitionModeration(clients.client("rekognition"))


# scheduling, campaigns, publishing ------------------------------------------------------------------
def scheduling_deps(settings: Settings | None = None, scheduler_client: Any | None = None) -> SchedulingDeps:
    """Posts and their EventBridge Scheduler schedules; ``settings`` defaults to this process's."""
    from flashfusion.app.posts import SchedulingDeps
    from flashfusion.aws.scheduler import PostScheduler, ScheduleTarget
    from flashfusion.storage.campaigns import PostRepository

    settings = settings or get_settings()
    table = clients.table(settings.table_name)
    return SchedulingDeps(
        campaigns=CampaignRepository(table),
        posts=PostRepository(table),
        accounts=AccountRepository(table),
        scheduler=PostScheduler(
            scheduler_client or clients.client("scheduler"),
            ScheduleTarget(
                function_arn=settings.publish_function_arn,
                role_arn=settings.scheduler_role_arn,
                dead_letter_arn=settings.publish_dlq_arn,
                group=settings.schedule_group,
            ),
        ),
    )


def campaign_deps() -> CampaignDeps:
    from flashfusion.app.campaigns import CampaignDeps

    deps = get_deps()
    return CampaignDeps(
        scheduling=scheduling_deps(),
        kits=deps.kits,
        provenance=deps.provenance,
        admin_group=deps.settings.admin_group,
        emit=deps.emit,
    )


def publisher_factory(outbox_dir: str) -> Callable[[str], Publisher]:
    from flashfusion.publishers import publisher_for

    def make(platform: str) -> Publisher:
        return publisher_for(platform, outbox_dir=outbox_dir)

    return make


def publish_deps(own_arn: str = "") -> PublishDeps:
    """``own_arn``: this function's ARN (from the Lambda context), the target of rate-limit retries when
    the settings name none (a function cannot reference its own ARN in template.yaml)."""
    from flashfusion.app.publishing import PublishDeps

    deps = get_deps()
    settings = deps.settings
    if own_arn and not settings.publish_function_arn:
        settings = settings.model_copy(update={"publish_function_arn": own_arn})
    return PublishDeps(
        scheduling=scheduling_deps(settings),
        table=deps.requests.table,
        provenance=deps.provenance,
        requests=deps.requests,
        s3=deps.assets.s3,
        bucket=deps.assets.bucket,
        events=clients.client("events"),
        event_bus=settings.event_bus_name,
        enabled_publishers=frozenset(p.strip() for p in settings.enabled_publishers.split(",") if p.strip()),
        publisher_for=publisher_factory(settings.outbox_dir),
        credentials=secrets.account_credentials(settings.account_secrets_prefix),
        idempotency_client=clients.client("dynamodb"),
    )


def notification_deps() -> NotificationDeps:
    """The notification function's and the settings route's dependencies: SNS, SES and chat in AWS, the
    outbox (files) where NOTIFICATION_DELIVERY=outbox."""
    from flashfusion.app.notifications import NotificationDeps
    from flashfusion.aws.chat_webhook_secrets import ChatWebhookSecrets
    from flashfusion.notifications.channels import AwsChannels, Channels, OutboxChannels
    from flashfusion.storage.notification_settings import NotificationSettingsRepository

    settings = get_settings()
    channels: Channels
    if settings.notification_delivery == "aws":
        channels = AwsChannels(
            partial(clients.client, "sns"),
            partial(clients.client, "ses"),
            settings.alerts_topic_arn,
            settings.notification_sender,
        )
    else:
        channels = OutboxChannels(settings.outbox_dir)
    return NotificationDeps(
        settings=NotificationSettingsRepository(
            clients.table(settings.table_name),
            ChatWebhookSecrets(partial(clients.client, "secretsmanager"), settings.chat_webhook_secrets_prefix),
        ),
        channels=channels,
        console_url=settings.console_url,
        admin_group=settings.admin_group,
    )


def reset() -> None:
    """Forget everything built (tests and the local engine start new mocked endpoints)."""
    get_deps.cache_clear()
    get_settings.cache_clear()
    _parse_matrix.cache_clear()
    _file_matrix.cache_clear()
    _signing_key_for.cache_clear()
    parameters.clear_caches()
    clients.reset()
    tracing.reset()
