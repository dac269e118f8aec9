"""GET/PUT /v1/notifications/settings: where an organisation's notifications go (admin role), each
organisation seeing and changing only its own; the webhook URL (a credential) is never shown."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.helpers import ORG, OTHER_ORG, body_of, claims

PATH = "/v1/notifications/settings"
ADMIN = {**claims(), "cognito:groups": "[admins]"}
OTHER_ADMIN = {**claims(OTHER_ORG, "olga"), "cognito:groups": "[admins]"}
HOOK = "https://hooks.chat.example.com/services/T0/B0/very-secret-token"


def call(engine: Any, method: str, caller: dict[str, Any], body: Any = None) -> tuple[int, Any]:
    response = engine.api(method, PATH, body, caller)
    return response["statusCode"], body_of(response) if response.get("body") else None


def test_an_admin_sets_the_webhook_and_reviewers_and_sees_only_the_webhook_host(engine: Any) -> None:
    status, saved = call(engine, "PUT", ADMIN, {"chatWebhookUrl": HOOK, "reviewerEmails": ["rita@example.com"]})
    assert status == 200, saved
    assert saved["chatWebhookConfigured"] is True
    assert saved["chatWebhookHost"] == "hooks.chat.example.com"
    assert saved["reviewerEmails"] == ["rita@example.com"]
    status, read = call(engine, "GET", ADMIN)
    assert status == 200
    assert read == saved
    assert "very-secret-token" not in str(read)


def test_only_admins_read_or_change_the_settings(engine: Any) -> None:
    assert call(engine, "GET", claims())[0] == 403
    assert call(engine, "PUT", claims(), {"reviewerEmails": ["x@example.com"]})[0] == 403
    assert call(engine, "GET", ADMIN)[1]["reviewerEmails"] == []


def test_each_organisation_sees_and_changes_only_its_own(engine: Any) -> None:
    call(engine, "PUT", ADMIN, {"chatWebhookUrl": HOOK, "reviewerEmails": ["rita@example.com"]})
    status, other = call(engine, "GET", OTHER_ADMIN)
    assert status == 200
    assert other["chatWebhookConfigured"] is False
    assert other["reviewerEmails"] == []

    call(engine, "PUT", OTHER_ADMIN, {"reviewerEmails": ["olga@globex.example"]})
    mine = call(engine, "GET", ADMIN)[1]
    assert mine["reviewerEmails"] == ["rita@example.com"]
    assert mine["chatWebhookHost"] == "hooks.chat.example.com"
    from flashfusion.wiring import notification_deps

    settings = notification_deps().settings
    assert settings.chat_webhook_url(settings.get(OTHER_ORG)) is None
    assert settings.chat_webhook_url(settings.get(ORG)) == HOOK


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"chatWebhookUrl": "http://hooks.chat.example.com/x"}, "chatWebhookUrl"),
        ({"chatWebhookUrl": "https://169.254.169.254/latest/meta-data"}, "chatWebhookUrl"),
        ({"chatWebhookUrl": "https://user:pw@hooks.chat.example.com/x"}, "chatWebhookUrl"),
        ({"reviewerEmails": ["not-an-address"]}, "reviewerEmails"),
        ({"reviewerEmails": ["Rita <rita@example.com>"]}, "reviewerEmails"),
        ({"reviewerEmails": [f"r{i}@example.com" for i in range(21)]}, "reviewerEmails"),
    ],
)
def test_unsafe_webhooks_and_bad_addresses_are_refused_and_change_nothing(
    engine: Any, body: dict[str, Any], field: str
) -> None:
    call(engine, "PUT", ADMIN, {"chatWebhookUrl": HOOK, "reviewerEmails": ["rita@example.com"]})
    status, problem = call(engine, "PUT", ADMIN, body)
    assert status == 400, problem
    assert field in str(problem)
    assert call(engine, "GET", ADMIN)[1]["reviewerEmails"] == ["rita@example.com"]


def test_repeated_addresses_are_kept_once_and_clearing_the_webhook_stops_chat(engine: Any) -> None:
    call(engine, "PUT", ADMIN, {"chatWebhookUrl": HOOK})
    status, saved = call(engine, "PUT", ADMIN, {"reviewerEmails": ["a@example.com", "A@example.com", "b@example.com"]})
    assert status == 200
    assert saved["reviewerEmails"] == ["a@example.com", "b@example.com"]
    assert saved["chatWebhookConfigured"] is False


def test_the_webhook_url_is_kept_in_secrets_manager_per_organisation_and_not_in_the_table(engine: Any) -> None:
    call(engine, "PUT", ADMIN, {"chatWebhookUrl": HOOK})
    call(engine, "PUT", OTHER_ADMIN, {"chatWebhookUrl": "https://hooks.globex.example.com/services/other"})
    table = engine.client("dynamodb")
    items = [item for name in engine.resources.tables for item in table.scan(TableName=name)["Items"]]
    assert "very-secret-token" not in json.dumps(items)
    from flashfusion.wiring import get_settings

    prefix = get_settings().chat_webhook_secrets_prefix
    assert prefix.endswith("/chat-webhooks")  # the template's CHAT_WEBHOOK_SECRETS_PREFIX, which IAM is scoped to
    secrets = engine.client("secretsmanager")

    def stored(org: str) -> Any:
        return json.loads(secrets.get_secret_value(SecretId=f"{prefix}/{org}/chat")["SecretString"])

    assert stored(ORG) == {"url": HOOK}
    assert stored(OTHER_ORG) == {"url": "https://hooks.globex.example.com/services/other"}

    call(engine, "PUT", ADMIN, {"reviewerEmails": []})  # cleared: the secret no longer holds a URL
    assert stored(ORG) == {"url": None}
    assert call(engine, "PUT", ADMIN, {"chatWebhookUrl": HOOK})[1]["chatWebhookConfigured"] is True  # and set again


def test_a_webhook_stored_in_the_table_before_secrets_manager_still_works_and_moves_on_the_next_change(
    engine: Any,
) -> None:
    from flashfusion.storage import keys
    from flashfusion.wiring import notification_deps

    settings = notification_deps().settings
    settings.table.put_item(
        Item={**keys.notification_settings_key(ORG), "chatWebhookUrl": HOOK, "reviewerEmails": ["rita@example.com"]}
    )
    status, read = call(engine, "GET", ADMIN)
    assert status == 200
    assert read["chatWebhookConfigured"] is True
    assert read["chatWebhookHost"] == "hooks.chat.example.com"
    assert settings.chat_webhook_url(settings.get(ORG)) == HOOK

    new_hook = "https://hooks.chat.example.com/services/T0/B0/rotated"
    call(engine, "PUT", ADMIN, {"chatWebhookUrl": new_hook, "reviewerEmails": ["rita@example.com"]})
    item = settings.table.get_item(Key=keys.notification_settings_key(ORG))["Item"]
    assert "chatWebhookUrl" not in item
    assert item["chatWebhookHost"] == "hooks.chat.example.com"
    assert settings.chat_webhook_url(settings.get(ORG)) == new_hook
