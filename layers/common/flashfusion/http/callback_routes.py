"""Callback routes of the HTTP API: an admin creates or rotates the organisation's callback signing secret."""

# No `from __future__ import annotations`: Powertools reads the handlers' annotations at run time.
from aws_lambda_powertools.event_handler.api_gateway import Router

from flashfusion.app import callbacks
from flashfusion.http.identity import authenticated
from flashfusion.http.problems import documented
from flashfusion.modelbase import CamelModel
from flashfusion.observability import tracer
from flashfusion.publishers.webhook import SIGNATURE_HEADER
from flashfusion.wiring import get_deps

router = Router()
TAGS = ["Callbacks"]


class CallbackSecret(CamelModel):
    """The organisation's new callback signing secret: shown once, store it with your receiver."""

    secret: str
    header: str = SIGNATURE_HEADER
    algorithm: str = 'HMAC-SHA256 of "<t>." + body, hex, in v1=; t is Unix seconds'


@router.post(
    "/v1/callbacks/secret",
    status_code=201,
    operation_id="rotateCallbackSecret",
    summary="Create or rotate the organisation's callback signing secret (admin); the previous one stops signing",
    tags=TAGS,
    responses=documented(201, "The new secret, shown once", 403),
)
@tracer.capture_method(capture_response=False)
def rotate_callback_secret() -> CallbackSecret:
    deps = get_deps()
    caller = authenticated(router.current_event, deps.settings)
    return CallbackSecret(secret=callbacks.rotate_secret(caller, deps))
