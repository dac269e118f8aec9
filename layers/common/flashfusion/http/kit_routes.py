"""Brand kit routes of the HTTP API (a Powertools Router for ApiFunction): store a new version (admin
role), read the current one or a given version, list versions, and validate a kit without storing it.

The organisation comes from the token; another organisation's kit id is a 404.
"""

# No `from __future__ import annotations`: Powertools reads the handlers' annotations at run time. Path
# parameters keep template.yaml's names (kitId).
from aws_lambda_powertools.event_handler.api_gateway import Router

from flashfusion.app import brand_kits, roles
from flashfusion.http.identity import authenticated, json_body, query
from flashfusion.observability import tracer
from flashfusion.wiring import get_deps

router = Router()
TAGS = ["Brand kits"]


@router.post(
    "/v1/brand-kits/validate",
    operation_id="validateBrandKit",
    summary="Check a brand kit against the kit model (400 naming each field); nothing is stored",
    tags=TAGS,
)
@tracer.capture_method(capture_response=False)
def validate_kit() -> brand_kits.KitCheck:
    deps = get_deps()
    caller = authenticated(router.current_event, deps.settings)
    return brand_kits.validate(caller, json_body(router.current_event))


@router.put(
    "/v1/brand-kits/<kitId>",
    operation_id="putBrandKit",
    summary="Store the body as the kit's next version (admin role); an unchanged kit answers its current version",
    tags=TAGS,
)
@tracer.capture_method(capture_response=False)
def put_kit(kitId: str) -> brand_kits.StoredKit:
    deps = get_deps()
    caller = authenticated(router.current_event, deps.settings)
    roles.require_admin(caller, deps, "changing a brand kit")
    return brand_kits.put(caller, kitId, json_body(router.current_event), deps)


@router.get(
    "/v1/brand-kits/<kitId>",
    operation_id="getBrandKit",
    summary="The kit's current version, or ?version=N",
    tags=TAGS,
)
@tracer.capture_method(capture_response=False)
def get_kit(kitId: str) -> brand_kits.KitVersion:
    deps = get_deps()
    caller = authenticated(router.current_event, deps.settings)
    return brand_kits.get(caller, kitId, query(router.current_event).get("version"), deps)


@router.get(
    "/v1/brand-kits/<kitId>/versions",
    operation_id="listBrandKitVersions",
    summary="Every stored version of the kit, oldest first",
    tags=TAGS,
)
@tracer.capture_method(capture_response=False)
def list_kit_versions(kitId: str) -> brand_kits.KitVersions:
    deps = get_deps()
    caller = authenticated(router.current_event, deps.settings)
    return brand_kits.versions(caller, kitId, deps)
