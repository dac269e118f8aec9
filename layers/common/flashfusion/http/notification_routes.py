"""Notification routes of the HTTP API: where the organisation's notifications go (admin role)."""

# No `from __future__ import annotations`: Powertools reads the handlers' annotations at run time.
from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body

from flashfusion.app import notifications
from flashfusion.http.identity import authenticated
from flashfusion.http.problems import documented
from flashfusion.observability import tracer
from flashfusion.wiring import get_deps, notification_deps

router = Router()
TAGS = ["Notifications"]


@router.get(
    "/v1/notifications/settings",
    operation_id="getNotificationSettings",
    summary="Where the organisation's notifications go: chat webhook (host only) and reviewers' emails (admin)",
    tags=TAGS,
    responses=documented(200, "The organisation's notification settings", 403),
)
@tracer.capture_method(capture_response=False)
def get_notification_settings() -> notifications.NotificationSettingsOut:
    caller = authenticated(router.current_event, get_deps().settings)
    return notifications.get_settings(caller, notification_deps())


@router.put(
    "/v1/notifications/settings",
    operation_id="setNotificationSettings",
    summary="Set the chat webhook (Slack-style, https, public host) and the reviewers' emails (admin)",
    tags=TAGS,
    responses=documented(200, "The new settings", 403, body=True),
)
@tracer.capture_method(capture_response=False)
def set_notification_settings(
    wanted: Annotated[notifications.NotificationSettingsIn, Body()],
) -> notifications.NotificationSettingsOut:
    caller = authenticated(router.current_event, get_deps().settings)
    return notifications.set_settings(caller, wanted, notification_deps())
