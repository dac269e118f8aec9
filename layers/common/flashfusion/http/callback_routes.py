"""Callback routes of the HTTP API: an admin creates or rotates the organisation's callback signing secret."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router

from flashfusion.errors import Forbidden
from flashfusion.http.identity import authenticated
from flashfusion.observability import logger, tracer
from flashfusion.wiring import get_deps

router = Router()


@router.post("/v1/callbacks/secret")
@tracer.capture_method(capture_response=False)
def rotate_callback_secret() -> Response:
    """A new signing secret for the organisation's callbacks, shown once; the previous one stops signing."""
    deps = get_deps()
    caller = authenticated(router.current_event, deps.settings)
    if not caller.has_role(deps.settings.admin_group):
        raise Forbidden(f"creating the callback signing secret needs the {deps.settings.admin_group} role")
    if deps.callback_secrets is None:
        raise Forbidden("callbacks are not available in this deployment")
    secret = deps.callback_secrets.rotate(caller.org_id)
    logger.info("callback secret rotated", extra={"orgId": caller.org_id, "by": caller.user_id})
    deps.emit("CallbackSecretRotated", {"orgId": caller.org_id, "by": caller.user_id})
    return Response(
        status_code=201,
        content_type=content_types.APPLICATION_JSON,
        body={"secret": secret, "header": "X-FlashFusion-Signature", "algorithm": "HMAC-SHA256 over t.body"},
    )
