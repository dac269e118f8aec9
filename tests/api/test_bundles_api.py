"""Bundles on POST /v1/assets: validated before anything starts (problem details naming the field), and
GET /v1/requests/{id} shows each part; another organisation's bundle is not found and not changed."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.test_api import accepted, executions, get, json_error, post, problems, stored
from tests.helpers import claims, submission


def bundle_submission(**overrides: Any) -> dict[str, Any]:
    body = submission(channel="instagram", bundle={"kind": "post"})
    del body["contentType"]  # a bundle's request is its lead text part: contentType may be left out
    body.update(overrides)
    return body


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"bundle": {"kind": "post", "imageCount": 3}}, "bundle.imageCount"),
        ({"bundle": {"kind": "carousel", "imageCount": 11}}, "bundle.imageCount"),
        ({"bundle": {"kind": "carousel", "imageCount": 1}}, "bundle.imageCount"),
        ({"bundle": {"kind": "post", "parts": {"video": {}}}}, "bundle.parts"),
        ({"bundle": {"kind": "zine"}}, "bundle.kind"),
        ({"contentType": "image"}, "contentType"),
        ({"locales": ["fr-FR"]}, "locales"),
    ],
)
def test_an_invalid_bundle_is_a_400_naming_the_field_and_starts_nothing(
    engine: Any, overrides: dict[str, Any], field: str
) -> None:
    error = json_error(post(engine, bundle_submission(**overrides)), 400)

    assert any(name.endswith(field) or name.startswith(field) for name in problems(error)), error
    assert executions(engine) == []
    assert stored(engine, "REQUEST#") == []


def test_a_bundle_request_shows_its_parts_and_is_another_organisations_404(engine: Any) -> None:
    request_id = accepted(post(engine, bundle_submission(bundle={"kind": "carousel", "imageCount": 2})))
    engine.wait_for_execution(engine.execution_arn(request_id), timeout=90)

    record = json_ok(get(engine, request_id))
    assert record["contentType"] == "text"
    parts = record["bundle"]["parts"]
    assert [p["partId"] for p in parts] == ["copy", "image-1", "image-2"]
    assert all(p["asset"]["assetId"] for p in parts if p["status"] == "saved")
    other = get(engine, request_id, claims("globex", "user-9"))
    assert other["statusCode"] == 404
    assert json_ok(get(engine, request_id)) == record  # unchanged by the other organisation's look


def json_ok(response: dict[str, Any]) -> dict[str, Any]:
    import json

    assert response["statusCode"] == 200, response
    body: dict[str, Any] = json.loads(response["body"])
    return body
