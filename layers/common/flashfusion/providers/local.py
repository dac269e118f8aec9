"""The embedded default provider: the offline generator for each medium.

Video and music rows are asynchronous, as every real video and music vendor is: `submit` renders
the file into the organisation's staging area (as Bedrock's async invoke writes to S3) and `poll`
answers "running" once before "succeeded", so the offline workflow walks the same
submit -> Wait -> poll -> Choice path a vendor job does.
"""

from __future__ import annotations

import hashlib
from typing import Any

from flashfusion.models import ContentType
from flashfusion.providers.base import (
    GeneratedContent,
    GenerationJob,
    PendingJob,
    PollResult,
    Provider,
    ProviderContext,
)
from flashfusion.storage import keys

POLLS_BEFORE_DONE = 1


class LocalProvider:
    name = "local"

    def __init__(self, ctx: ProviderContext | None = None) -> None:
        self.ctx = ctx

    def _generator(self, content_type: ContentType) -> Provider:
        # Imported on use: the text step should not load Pillow or numpy.
        if content_type == ContentType.TEXT:
            from flashfusion.providers.offline_text import OfflineTextProvider

            return OfflineTextProvider()
        if content_type == ContentType.IMAGE:
            from flashfusion.providers.offline_image import OfflineImageProvider

            return OfflineImageProvider()
        if content_type == ContentType.VIDEO:
            from flashfusion.providers.offline_video import OfflineVideoProvider

            return OfflineVideoProvider()
        from flashfusion.providers.offline_music import OfflineMusicProvider

        return OfflineMusicProvider()

    def generate(self, job: GenerationJob) -> GeneratedContent:
        if job.style is not None:  # operation brand_style: the organisation's photo, restyled here
            from flashfusion.providers.offline_brand_style import OfflineBrandStyleProvider

            return OfflineBrandStyleProvider().generate(job)
        return self._generator(job.content_type).generate(job)

    def submit(self, job: GenerationJob) -> PendingJob:
        if self.ctx is None or not job.org_id:
            raise ValueError("the local provider's async mode needs a provider context and the org id")
        content = self.generate(job)
        job_id = hashlib.sha256(f"{job.request_id}:{job.model.id}".encode()).hexdigest()[:16]
        key = keys.staging_object_key(
            self.ctx.staging_prefix, job.org_id, job.request_id, f"local-job-{job_id}.{content.extension}"
        )
        self.ctx.aws_client("s3").put_object(
            Bucket=self.ctx.assets_bucket,
            Key=key,
            Body=content.data,
            ContentType=content.mime_type,
            ServerSideEncryption="AES256",
        )
        state: dict[str, Any] = {
            "uri": f"s3://{self.ctx.assets_bucket}/{key}",
            "mimeType": content.mime_type,
            "extension": content.extension,
            "vendorModel": content.vendor_model,
            "datasetTag": content.dataset_tag,
            "usage": content.usage,
            "parameters": content.parameters,
            "polls": 0,
        }
        return PendingJob(vendor_job_id=job_id, poll_after_seconds=job.model.poll_seconds, state=state)

    def poll(self, job: GenerationJob, pending: PendingJob) -> PollResult:
        state = pending.state
        polls = int(state.get("polls", 0)) + 1
        if polls <= POLLS_BEFORE_DONE:
            return PollResult(
                status="running",
                progress=polls / (POLLS_BEFORE_DONE + 1),
                poll_after_seconds=job.model.poll_seconds,
                state={**state, "polls": polls},
            )
        return PollResult(
            status="succeeded",
            content=GeneratedContent(
                data=b"",
                source_uri=str(state["uri"]),
                mime_type=str(state["mimeType"]),
                extension=str(state["extension"]),
                vendor_model=str(state["vendorModel"]),
                offline=True,
                dataset_tag=str(state["datasetTag"]),
                usage=dict(state["usage"]),
                parameters=dict(state["parameters"]),
            ),
        )
