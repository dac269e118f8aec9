"""What the workflow steps and the API's use cases are given: repositories and adapters, as protocols.

``flashfusion.wiring`` builds one per cold start from the settings; tests build their own. The
application never picks an adapter itself.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias

if TYPE_CHECKING:  # types only: a step's cold start imports none of these for Deps' sake
    from flashfusion.linting.legal import ModerationAdapter
    from flashfusion.linting.ocr_types import OcrAdapter
    from flashfusion.models import Fault
    from flashfusion.provenance.marking import Marker
    from flashfusion.providers.base import AsyncProvider, Provider
    from flashfusion.routing.matrix import ModelMatrix
    from flashfusion.settings import Settings
    from flashfusion.storage.assets import AssetStore
    from flashfusion.storage.budgets import BudgetRepository
    from flashfusion.storage.campaigns import AccountRepository, CampaignRepository
    from flashfusion.storage.dynamo import BrandKitRepository, ProvenanceRepository, RequestRepository
    from flashfusion.storage.lint_jobs import LintJobRepository
    from flashfusion.storage.review_links import ReviewLinkRepository
    from flashfusion.storage.reviews import ReviewRepository


class CallbackSecretStore(Protocol):
    """Each organisation's callback signing secret (flashfusion.aws.callback_secrets)."""

    def get(self, org_id: str) -> str | None: ...

    def rotate(self, org_id: str) -> str: ...


class JobQueue(Protocol):
    """Where a job waits for its worker (flashfusion.aws.job_queue: SQS)."""

    def send(self, message: dict[str, Any]) -> None: ...


ProviderFactory: TypeAlias = "Callable[[str, Sequence[Fault]], Provider | AsyncProvider]"
"""provider name, the request's injected faults -> the adapter (refuses a provider not enabled here)."""


@dataclass(frozen=True)
class Deps:
    settings: Settings
    requests: RequestRepository
    kits: BrandKitRepository
    provenance: ProvenanceRepository
    assets: AssetStore
    budgets: BudgetRepository
    campaigns: CampaignRepository
    accounts: AccountRepository
    """The organisation's platform accounts (a scheduled request's targets are checked at submit)."""
    provider: ProviderFactory
    available_providers: frozenset[str]
    """Providers both enabled in this deployment and implemented by an adapter: what routing may pick."""
    matrix_source: Callable[[], ModelMatrix]
    """The model matrix in force (packaged, or an operator's override re-read every few minutes)."""
    moderation: ModerationAdapter | None
    """Image moderation (Rekognition) where the deployment enables it; None: reported as not checked."""
    ocr: OcrAdapter | None
    """Text in images: Rekognition DetectText in AWS, Tesseract locally; None: reported as not checked."""
    reviews: ReviewRepository
    marker: Marker
    """Content credentials (XMP + signed C2PA) for every stored version."""
    events: Callable[[], Any]
    """The EventBridge client (boto3), created on first use."""
    stepfunctions: Callable[[], Any]
    """The Step Functions client (boto3), created on first use."""
    signing_problem: Callable[[], str | None] = lambda: None
    """Why versions could not be signed here (key or chain missing), or None: checked before generating."""
    callback_secrets: CallbackSecretStore | None = None
    """Callback signing secrets; None where callbacks are not wired (a test's own Deps)."""
    lint_jobs: LintJobRepository | None = None
    """Lint jobs of audio and video (POST /v1/lint); None where they are not wired (a test's own Deps)."""
    lint_job_queue: JobQueue | None = None
    """The queue their worker (LintJobFunction) reads."""
    review_links: ReviewLinkRepository | None = None
    """Shared review links; None where they are not wired (a test's own Deps)."""
    review_link_key: Callable[[], bytes] | None = None
    """The key that signs shared review links (the stack's secret, cached); None where not wired."""

    @property
    def matrix(self) -> ModelMatrix:
        return self.matrix_source()

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
