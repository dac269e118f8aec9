"""Lint only (``POST /v1/lint``): check content an organisation brings against one of its brand kit versions,
without generating, storing or reviewing anything.

Text comes inline; an image, a track or a video is first PUT to a presigned staging URL
(``POST /v1/lint/uploads``) and then named by its upload id. Text and images answer synchronously with the
report the workflow's LintAsset step makes: the same checks, the same LintContext (OCR, moderation, the kit's
logos and fonts), aggregated the same way (``linting.summary``). An image that cannot be decoded within the
linter's memory bound is a report with a ``media.decodable`` error, as in the workflow. Audio and video take
minutes to analyse: ``flashfusion.app.lint_jobs`` queues them as jobs, which end with this same report.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from pydantic import Field, StrictBool, StringConstraints

from flashfusion.app.caller import Caller
from flashfusion.app.deps import Deps
from flashfusion.app.reviews import UploadTicket
from flashfusion.app.step_lint import brand_lint_context, lint_or_report
from flashfusion.brandkit import BrandKit
from flashfusion.errors import BrandKitNotFound, InvalidRequest
from flashfusion.linting.summary import summarize
from flashfusion.media_types import base_type
from flashfusion.modelbase import CamelModel, Identifier
from flashfusion.models import LintReport, Locale
from flashfusion.observability import MetricUnit, metrics
from flashfusion.storage import keys

MAX_LINT_TEXT = 10_000
"""Characters of inline text: far above any platform's post limit, well within the API's time budget."""
SYNC_UPLOAD_TYPES = {"image/png": "png", "image/jpeg": "jpg"}
"""Uploads linted while the client waits, and the key's extension for each."""
ASYNC_UPLOAD_TYPES = {
    "audio/wav": "wav",
    "audio/mpeg": "mp3",
    "audio/mp4": "m4a",
    "audio/ogg": "ogg",
    "audio/flac": "flac",
    "video/mp4": "mp4",
    "video/quicktime": "mov",
    "video/webm": "webm",
}
"""Uploads linted as a job (POST /v1/lint answers 202): what the linter decodes (WAV natively, the rest through
FFmpeg), and the key's extension for each."""
LINT_UPLOAD_TYPES = SYNC_UPLOAD_TYPES | ASYNC_UPLOAD_TYPES
MAX_LINT_UPLOAD_BYTES = 25 * 1024 * 1024
"""An uploaded image larger than this is refused before it is read (the Lambda holds it in memory)."""
MAX_MEDIA_UPLOAD_BYTES = 200 * 1024 * 1024
"""An uploaded track or video larger than this is refused before it is queued (the audio decoder's memory
bound assumes at most this beside the samples it decodes)."""
UPLOAD_SECONDS = 300
"""How long the presigned PUT stays valid."""
LINT_RESPONSE_BYTES = 64 * 1024
"""The answer's report is aggregated and cut to this size (a 10,000-character text can repeat a finding)."""

UploadId = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")]


class LintUploadRequest(CamelModel):
    """What a client sends to ``POST /v1/lint/uploads``: the type of the file it will PUT."""

    mime_type: str = Field(
        max_length=200,
        description="image/png or image/jpeg (linted at once); audio/wav, audio/mpeg, audio/mp4, audio/ogg, "
        "audio/flac, video/mp4, video/quicktime or video/webm (linted as a job)",
    )


class LintUploadTicket(UploadTicket):
    """Where to PUT the file (presigned, short-lived); ``POST /v1/lint`` then names ``uploadId``."""

    max_bytes: int = Field(description="larger files are refused when linted")


class LintRequest(CamelModel):
    """What a client sends to ``POST /v1/lint``: exactly one of ``text`` or ``uploadId``."""

    brand_kit_id: Identifier
    brand_kit_version: int | None = Field(
        default=None, ge=1, le=9_999_999, description="a stored version of the kit; default: its current one"
    )
    channel: str | None = Field(default=None, max_length=32, description="the platform the content is for")
    sponsored: StrictBool = Field(default=False, description="a paid post: its copy must carry a disclosure")
    locale: Locale | None = Field(default=None, description="the copy's locale; default: the kit's language")
    text: str | None = Field(default=None, min_length=1, max_length=MAX_LINT_TEXT, description="the text to lint")
    upload_id: UploadId | None = Field(
        default=None, description="an upload of POST /v1/lint/uploads (an image; audio and video answer a job)"
    )


class LintResult(CamelModel):
    """``POST /v1/lint``'s answer: the kit version used and the report (as the workflow's, aggregated)."""

    brand_kit_id: str
    brand_kit_version: int
    mime_type: str = Field(description="what was linted: text/plain, or the uploaded file's type")
    report: LintReport


def max_bytes_for(mime: str) -> int:
    return MAX_MEDIA_UPLOAD_BYTES if mime in ASYNC_UPLOAD_TYPES else MAX_LINT_UPLOAD_BYTES


def create_upload(caller: Caller, request: LintUploadRequest, deps: Deps) -> LintUploadTicket:
    mime = base_type(request.mime_type)
    if mime not in LINT_UPLOAD_TYPES:
        problem = f"one of {', '.join(LINT_UPLOAD_TYPES)} (send text inline as text)"
        raise InvalidRequest(f"{mime!r} cannot be linted from an upload", [{"field": "mimeType", "problem": problem}])
    upload_id = uuid.uuid4().hex
    key = keys.lint_upload_key(deps.assets.staging_prefix, caller.org_id, upload_id, LINT_UPLOAD_TYPES[mime])
    return LintUploadTicket(
        upload_id=upload_id,
        url=deps.assets.presigned_put(key, mime, UPLOAD_SECONDS),
        headers={"Content-Type": mime, "x-amz-server-side-encryption": "AES256"},
        expires_in=UPLOAD_SECONDS,
        max_bytes=max_bytes_for(mime),
    )


def checked(request: LintRequest) -> None:
    """Exactly one of text and uploadId (what a JSON Schema of the body cannot say)."""
    given = [name for name, value in (("text", request.text), ("uploadId", request.upload_id)) if value is not None]
    if len(given) != 1:
        problem = "give exactly one of text or uploadId"
        raise InvalidRequest(problem, [{"field": name, "problem": problem} for name in given or ["text", "uploadId"]])


def report_for(org_id: str, kit: BrandKit, request: LintRequest, data: bytes, mime: str, deps: Deps) -> LintResult:
    """The workflow's report of ``data`` against ``kit``, aggregated to the answer's size."""
    context = brand_lint_context(deps, org_id, kit, request.locale, request.channel, request.sponsored)
    full = lint_or_report(data, mime, context)
    metrics.add_metric(name="LintOnly", unit=MetricUnit.Count, value=1)
    return LintResult(
        brand_kit_id=kit.kit_id,
        brand_kit_version=kit.version,
        mime_type=mime,
        report=summarize(full, budget_bytes=LINT_RESPONSE_BYTES),
    )


def kit_for(org_id: str, request: LintRequest, deps: Deps) -> BrandKit:
    try:
        return deps.kits.get(org_id, request.brand_kit_id, request.brand_kit_version)
    except BrandKitNotFound as error:
        fields = ["brandKitId", "brandKitVersion"] if request.brand_kit_version else ["brandKitId"]
        raise InvalidRequest(str(error), [{"field": name, "problem": str(error)} for name in fields]) from error


def located_upload(org_id: str, upload_id: str, deps: Deps) -> tuple[str, str]:
    """The key and type of an upload, checked for size. The key is built from the caller's organisation, so
    another organisation's upload id finds nothing and nothing of theirs is read."""
    for mime, ext in LINT_UPLOAD_TYPES.items():
        key = keys.lint_upload_key(deps.assets.staging_prefix, org_id, upload_id, ext)
        head = deps.assets.head_staged(org_id, key)
        if head is None:
            continue
        limit = max_bytes_for(mime)
        if int(head.get("ContentLength", 0)) > limit:
            problem = f"the file is larger than {limit // (1024 * 1024)} MB"
            raise InvalidRequest(problem, [{"field": "uploadId", "problem": problem}])
        return key, mime
    problem = "nothing was uploaded with this id in this organisation (or the upload has expired)"
    raise InvalidRequest(problem, [{"field": "uploadId", "problem": problem}])
