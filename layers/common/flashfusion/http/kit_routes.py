"""Brand kit routes of the HTTP API (a Powertools Router for ApiFunction): store a new version (admin
role), read the current one or a given version, list versions, and validate a kit without storing it.

The organisation comes from the token; another organisation's kit id is a 404.
"""

# No `from __future__ import annotations`: Powertools reads the handlers' annotations at run time. Path
# parameters keep template.yaml's names (kitId).
from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Query

from flashfusion.app import brand_files, brand_kits
from flashfusion.app.brand_files import BrandFileUploadRequest, BrandFileUploadTicket
from flashfusion.brandkit import BrandKit
from flashfusion.http.identity import authenticated
from flashfusion.http.problems import documented
from flashfusion.modelbase import Identifier
from flashfusion.observability import tracer
from flashfusion.wiring import get_deps

router = Router()
TAGS = ["Brand kits"]


class BrandKitFields(BrandKit):
    """A kit as ``PUT /v1/brand-kits/{kitId}`` takes it: the path names the kit (kitId may be left out) and
    the server numbers the version (a version in the body is ignored)."""

    kit_id: Identifier | None = None


def _json(kit: BrandKit) -> dict[str, object]:
    return kit.model_dump(mode="json", by_alias=True, exclude_none=True)


@router.post(
    "/v1/brand-kits/validate",
    operation_id="validateBrandKit",
    summary="Check a brand kit against the kit model (400 naming each field); nothing is stored",
    tags=TAGS,
    responses=documented(200, "The kit as it would be stored", body=True),
)
@tracer.capture_method(capture_response=False)
def validate_kit(kit: Annotated[BrandKit, Body()]) -> brand_kits.KitCheck:
    deps = get_deps()
    caller = authenticated(router.current_event, deps.settings)
    return brand_kits.validate(caller, _json(kit))


@router.put(
    "/v1/brand-kits/<kitId>",
    operation_id="putBrandKit",
    summary="Store the body as the kit's next version (admin role); an unchanged kit answers its current version",
    tags=TAGS,
    responses=documented(200, "The stored (or unchanged) version", 403, 404, body=True),
)
@tracer.capture_method(capture_response=False)
def put_kit(kitId: str, kit: Annotated[BrandKitFields, Body()]) -> brand_kits.StoredKit:
    deps = get_deps()
    caller = authenticated(router.current_event, deps.settings)
    fields = _json(kit)
    fields.pop("version", None)
    return brand_kits.put(caller, kitId, fields, deps)


@router.get(
    "/v1/brand-kits/<kitId>",
    operation_id="getBrandKit",
    summary="The kit's current version, or ?version=N",
    tags=TAGS,
    responses=documented(200, "The kit version", 404),
)
@tracer.capture_method(capture_response=False)
def get_kit(
    kitId: str, version: Annotated[int | None, Query(ge=1, le=9_999_999, description="a stored version")] = None
) -> brand_kits.KitVersion:
    deps = get_deps()
    caller = authenticated(router.current_event, deps.settings)
    return brand_kits.get(caller, kitId, None if version is None else str(version), deps)


@router.get(
    "/v1/brand-kits/<kitId>/versions",
    operation_id="getBrandKitVersions",
    summary="Every stored version of the kit, oldest first (bounded: not paged)",
    tags=TAGS,
    responses=documented(200, "The kit's versions", 404),
)
@tracer.capture_method(capture_response=False)
def list_kit_versions(kitId: str) -> brand_kits.KitVersions:
    deps = get_deps()
    caller = authenticated(router.current_event, deps.settings)
    return brand_kits.versions(caller, kitId, deps)


@router.post(
    "/v1/brand-kits/<kitId>/uploads",
    status_code=201,
    operation_id="createBrandFileUpload",
    summary="A presigned S3 POST for a logo (PNG, WebP) or font (WOFF2, TTF, OTF) of the kit (admin role); S3 "
    "enforces the type and size; the kit then names the returned file",
    tags=TAGS,
    responses=documented(201, "The form to POST the file with, and the key to name in the kit", 403, 404, body=True),
)
@tracer.capture_method(capture_response=False)
def create_brand_file_upload(kitId: str, request: Annotated[BrandFileUploadRequest, Body()]) -> BrandFileUploadTicket:
    deps = get_deps()
    return brand_files.create_upload(authenticated(router.current_event, deps.settings), kitId, request, deps)
