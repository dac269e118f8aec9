"""Configuration, read once per cold start from the function's environment (set by template.yaml)."""

from __future__ import annotations

import os
import threading
from functools import lru_cache
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    # frozen: one instance serves every reader of the same environment (get_settings)
    model_config = SettingsConfigDict(env_prefix="", case_sensitive=False, extra="ignore", frozen=True)

    stage: str = "dev"
    table_name: str = "flashfusion-local"
    assets_bucket: str = "flashfusion-assets-local"
    state_machine_arn: str = ""
    enabled_providers: str = Field(default="local", description="comma-separated provider names")
    allow_fault_injection: bool = False
    org_claim: str = "org_id"
    groups_claim: str = Field(default="cognito:groups", description="JWT claim listing the caller's groups")
    reviewer_group: str = Field(default="reviewers", description="group whose members may decide reviews")
    admin_group: str = Field(
        default="admins", description="group whose members may change where an account's credentials go"
    )
    event_bus_name: str = "default"
    signing_mode: Literal["kms", "secret", "off"] = Field(
        default="off", description="kms: a KMS key signs (chain in a secret); secret: key and chain in a secret"
    )
    signing_kms_key_id: str = ""
    signing_secret_name: str = Field(
        default="", description="kms: the certificate chain PEM; secret: JSON privateKeyPem + certificateChainPem"
    )
    schedule_group: str = Field(default="default", description="EventBridge Scheduler group of the post schedules")
    publish_function_arn: str = Field(default="", description="the publish function, target of every post schedule")
    scheduler_role_arn: str = Field(default="", description="role EventBridge Scheduler assumes to invoke it")
    publish_dlq_arn: str = Field(default="", description="SQS queue for schedule fires that kept failing")
    account_secrets_prefix: str = Field(default="flashfusion/dev/accounts", description="<prefix>/<org>/<account>")
    enabled_publishers: str = Field(default="outbox", description="platforms this deployment may post to")
    outbox_dir: str = Field(default="out/outbox", description="where the outbox publisher writes posts")
    notification_delivery: Literal["aws", "outbox"] = Field(
        default="outbox", description="aws: SNS, SES and chat webhooks; outbox: files under OUTBOX_DIR/notifications"
    )
    alerts_topic_arn: str = Field(default="", description="SNS topic of operators' alerts (alarms and events)")
    notification_sender: str = Field(default="", description="SES From address of reviewer emails")
    model_matrix_path: str = ""
    model_matrix_parameter: str = Field(default="", description="SSM parameter holding a matrix override")
    staging_prefix: str = "staging"
    provider_secrets_prefix: str = "flashfusion/dev/providers"
    callback_secrets_prefix: str = "flashfusion/dev/callbacks"
    chat_webhook_secrets_prefix: str = Field(default="flashfusion/dev/chat-webhooks", description="<prefix>/<org>/chat")
    review_link_secret_name: str = Field(
        default="", description="Secrets Manager secret (name or ARN) whose value signs shared review links"
    )
    console_url: str = Field(
        default="", description="the web console's base URL: shared review links and review emails point there"
    )
    default_monthly_budget_usd: float = Field(default=100.0, ge=0)
    batch_queue_url: str = ""
    lint_job_queue_url: str = Field(default="", description="SQS queue of audio and video lint jobs")
    image_moderation: Literal["rekognition", "off"] = "off"
    image_ocr: Literal["rekognition", "tesseract", "off"] = "off"
    aws_region: str = Field(default="us-east-1", validation_alias="AWS_REGION")

    @property
    def providers(self) -> frozenset[str]:
        return frozenset(p.strip() for p in self.enabled_providers.split(",") if p.strip())


_BUILT: dict[tuple[tuple[str, str], ...], Settings] = {}
"""The settings read from each of the last few environments: the tests and the local engine clear
``get_settings`` between tests and runs (~5-10 ms to read them again), mostly with the same environment."""
_BUILT_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    environment = tuple(sorted(os.environ.items()))  # Settings reads the environment and nothing else
    with _BUILT_LOCK:
        if environment in _BUILT:
            return _BUILT[environment]
    settings = Settings()
    with _BUILT_LOCK:
        _BUILT[environment] = settings
        while len(_BUILT) > 8:
            del _BUILT[next(iter(_BUILT))]
    return settings
