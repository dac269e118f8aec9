"""Brand kit files (``POST /v1/brand-kits/{kitId}/uploads``, admin role): a logo or a font uploaded by the
client straight to S3 with a presigned POST, then named by the kit (``logos[].file``, ``fonts[].file``).

The limits are S3's to enforce, in the signed policy: the key (under the caller's organisation's brand folder,
so no ticket can write into another organisation's), the ``Content-Type`` declared here, encryption, and
``content-length-range``. A client that posts a bigger file gets S3's 400 EntityTooLarge; another type, S3's 403.

Logos are raster images because the lint's logo check decodes them (Pillow): PNG or WebP. SVG is not offered:
no rasteriser is deployed, so an SVG logo would never be checked. Fonts: WOFF2, TrueType or OpenType.
"""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import Field

from flashfusion.app.caller import Caller
from flashfusion.app.deps import Deps
from flashfusion.app.roles import require_admin
from flashfusion.errors import InvalidRequest
from flashfusion.media_types import base_type
from flashfusion.modelbase import CamelModel
from flashfusion.storage import keys

BrandFileKind = Literal["logo", "font"]
BRAND_FILE_TYPES: dict[str, dict[str, str]] = {
    "logo": {"image/png": "png", "image/webp": "webp"},
    "font": {"font/woff2": "woff2", "font/ttf": "ttf", "font/otf": "otf"},
}
"""What each kind of file may be, and the key's extension for each type."""
MAX_BRAND_FILE_BYTES: dict[str, int] = {"logo": 5 * 1024 * 1024, "font": 10 * 1024 * 1024}
UPLOAD_SECONDS = 300


class BrandFileUploadRequest(CamelModel):
    kind: BrandFileKind = Field(description="logo (image/png, image/webp) or font (font/woff2, font/ttf, font/otf)")
    mime_type: str = Field(max_length=100, description="the file's type; S3 refuses the upload if it differs")


class BrandFileUploadTicket(CamelModel):
    """An HTML-form upload to S3: POST ``fields`` then the file (as the last field, named ``file``) to ``url``
    as multipart/form-data; then name ``file`` in the kit (``logos[].file`` or ``fonts[].file``)."""

    upload_id: str
    kind: BrandFileKind
    file: str = Field(description="the S3 key to name in the kit once uploaded")
    url: str = Field(description="where to POST the form (presigned S3 POST)")
    method: Literal["POST"] = "POST"
    fields: dict[str, str] = Field(description="the form fields to send, unchanged, before the file")
    mime_type: str
    max_bytes: int = Field(description="a larger file is refused by S3 (400 EntityTooLarge)")
    expires_in: int = Field(description="seconds the form stays valid")


def create_upload(caller: Caller, kit_id: str, request: BrandFileUploadRequest, deps: Deps) -> BrandFileUploadTicket:
    require_admin(caller, deps, "uploading brand kit files")
    if not keys.is_key_part(kit_id) or len(kit_id) > 64:
        raise InvalidRequest("not a kit id", [{"field": "kitId", "problem": "at most 64 characters [A-Za-z0-9._-]"}])
    allowed = BRAND_FILE_TYPES[request.kind]
    mime = base_type(request.mime_type)
    if mime not in allowed:
        problem = f"a {request.kind} is one of {', '.join(allowed)}"
        raise InvalidRequest(f"{mime!r} is not a {request.kind} type", [{"field": "mimeType", "problem": problem}])
    upload_id = uuid.uuid4().hex
    key = keys.brand_file_key(caller.org_id, kit_id, f"{request.kind}-{upload_id}.{allowed[mime]}")
    limit = MAX_BRAND_FILE_BYTES[request.kind]
    url, fields = deps.assets.presigned_post(key, mime, limit, UPLOAD_SECONDS)
    return BrandFileUploadTicket(
        upload_id=upload_id,
        kind=request.kind,
        file=key,
        url=url,
        fields=fields,
        mime_type=mime,
        max_bytes=limit,
        expires_in=UPLOAD_SECONDS,
    )
