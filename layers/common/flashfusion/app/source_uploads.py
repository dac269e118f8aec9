"""Source images (``POST /v1/uploads``): a photo the organisation uploads to have it restyled in the brand's look
(``POST /v1/assets`` with ``operation: brand_style`` and ``style.sourceUploadId``).

The upload is an S3 presigned POST, as brand kit files are (``app/brand_files.py``): the signed policy holds the
key (in the caller's organisation's staging area, so no ticket writes into another organisation's), the declared
``Content-Type``, encryption and the size range, and S3 refuses anything else. A submission names the upload by
its id only: the key is rebuilt from the caller's organisation, so another organisation's id finds nothing (404).
Before anything starts, the file's first bytes must be those of the type it was declared as: a text file posted
as image/png is refused at submit with a problem, not found by the Generate step. The Generate step decodes it
within the linter's memory bound (decompression bombs refused).
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Literal

from pydantic import Field

from flashfusion.app.caller import Caller
from flashfusion.app.deps import Deps
from flashfusion.errors import InvalidRequest, UploadNotFound
from flashfusion.media_types import base_type
from flashfusion.modelbase import CamelModel
from flashfusion.models import SourceImage
from flashfusion.storage import keys

SOURCE_TYPES = ("image/png", "image/jpeg", "image/webp")
"""What a source image may be."""
MAX_SOURCE_BYTES = 20 * 1024 * 1024
"""The Generate step holds the file and its decoded pixels in memory: larger files are refused by S3."""
UPLOAD_SECONDS = 300
SIGNATURE_BYTES = 12


class SourceUploadRequest(CamelModel):
    mime_type: str = Field(max_length=100, description="image/png, image/jpeg or image/webp; S3 refuses another")


class SourceUploadTicket(CamelModel):
    """An HTML-form upload to S3: POST ``fields`` then the file (as the last field, named ``file``) to ``url`` as
    multipart/form-data; then submit ``POST /v1/assets`` with ``operation: brand_style`` and
    ``style.sourceUploadId``."""

    upload_id: str
    url: str = Field(description="where to POST the form (presigned S3 POST)")
    method: Literal["POST"] = "POST"
    fields: dict[str, str] = Field(description="the form fields to send, unchanged, before the file")
    mime_type: str
    max_bytes: int = Field(description="a larger file is refused by S3 (400 EntityTooLarge)")
    expires_in: int = Field(description="seconds the form stays valid")


def create_upload(caller: Caller, request: SourceUploadRequest, deps: Deps) -> SourceUploadTicket:
    mime = base_type(request.mime_type)
    if mime not in SOURCE_TYPES:
        problem = f"a source image is one of {', '.join(SOURCE_TYPES)}"
        raise InvalidRequest(f"{mime!r} is not a source image type", [{"field": "mimeType", "problem": problem}])
    upload_id = uuid.uuid4().hex
    key = keys.source_upload_key(deps.assets.staging_prefix, caller.org_id, upload_id)
    url, fields = deps.assets.presigned_post(key, mime, MAX_SOURCE_BYTES, UPLOAD_SECONDS)
    return SourceUploadTicket(
        upload_id=upload_id,
        url=url,
        fields=fields,
        mime_type=mime,
        max_bytes=MAX_SOURCE_BYTES,
        expires_in=UPLOAD_SECONDS,
    )


def _signature_matches(mime: str, head: bytes) -> bool:
    if mime == "image/png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if mime == "image/jpeg":
        return head.startswith(b"\xff\xd8\xff")
    return head[:4] == b"RIFF" and head[8:12] == b"WEBP"


def locate(org_id: str, upload_id: str, deps: Deps) -> tuple[str, str]:
    """The key and type of the organisation's upload; ``UploadNotFound`` when it has none with this id."""
    key = keys.source_upload_key(deps.assets.staging_prefix, org_id, upload_id)
    head = deps.assets.head_staged(org_id, key)
    if head is None:
        raise UploadNotFound(f"upload {upload_id} not found in this organisation (or it has expired)")
    mime = base_type(str(head.get("ContentType", "")))
    if mime not in SOURCE_TYPES:  # the signed policy pinned one of ours; a copy put there another way might not
        problem = f"the upload is {mime or 'of no type'}, not one of {', '.join(SOURCE_TYPES)}"
        raise InvalidRequest(problem, [{"field": "style.sourceUploadId", "problem": problem}])
    if int(head.get("ContentLength", 0)) > MAX_SOURCE_BYTES:
        problem = f"the file is larger than {MAX_SOURCE_BYTES // (1024 * 1024)} MB"
        raise InvalidRequest(problem, [{"field": "style.sourceUploadId", "problem": problem}])
    return key, mime


def check_source(org_id: str, upload_id: str, deps: Deps) -> None:
    """At submit: the upload exists in the caller's organisation and starts like the image type it declared."""
    key, mime = locate(org_id, upload_id, deps)
    head = deps.assets.read_staged_head(org_id, key, SIGNATURE_BYTES)
    if not _signature_matches(mime, head):
        problem = f"the uploaded file is not a {mime} image"
        raise InvalidRequest(problem, [{"field": "style.sourceUploadId", "problem": problem}])


def read_source(org_id: str, upload_id: str, deps: Deps) -> tuple[bytes, SourceImage]:
    """The upload's bytes and what provenance records of it (the Generate step)."""
    key, mime = locate(org_id, upload_id, deps)
    data = deps.assets.read_staged(org_id, key)
    return data, SourceImage(upload_id=upload_id, key=key, mime_type=mime, sha256=hashlib.sha256(data).hexdigest())
