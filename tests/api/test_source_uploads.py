"""Source image uploads (POST /v1/uploads) and brand_style requests, over real HTTP through `ffo serve` (whose
local S3 checks the presigned POST's signed policy as S3 does): an upload restyled end to end, another
organisation's upload id (404, nothing started), a file that is not the image it claims (400), types and sizes
the ticket refuses, and brand_style's own field rules."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from ffo.commands.serve import seed_kit
from ffo.local_server import LocalServer
from flashfusion.storage import keys
from tests.api.served import TERMINAL, Api, clean_server, module_server, server_config, tls
from tests.helpers import ORG, OTHER_ORG
from tests.photos import encoded, scene

__all__ = ["clean_server", "module_server"]  # fixtures, imported for pytest


@pytest.fixture
def apis(clean_server: LocalServer, sample_kit: dict[str, Any]) -> dict[str, Any]:
    server = clean_server
    seed_kit(server, [ORG, OTHER_ORG], sample_kit)
    issuer = server.issuer

    def api(org: str) -> Api:
        return Api(server, issuer.mint(server_config(server), org_id=org, subject="sam", groups=()))

    return {"server": server, "acme": api(ORG), "globex": api(OTHER_ORG)}


def ticket(api: Api, mime: str = "image/jpeg") -> dict[str, Any]:
    response = api.call("POST", "/v1/uploads", json={"mimeType": mime})
    assert response.status_code == 201, response.text
    found: dict[str, Any] = response.json()
    return found


def post_form(found: dict[str, Any], data: bytes, **changed: str) -> httpx.Response:
    fields = {**found["fields"], **changed}
    return httpx.post(found["url"], data=fields, files={"file": ("photo", data)}, trust_env=False, verify=tls())


def uploaded(api: Api, data: bytes, mime: str = "image/jpeg") -> str:
    found = ticket(api, mime)
    posted = post_form(found, data)
    assert posted.status_code == 204, posted.text
    return str(found["uploadId"])


def brand_style(upload_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "contentType": "image",
        "prompt": "Our trail photo in the brand look",
        "tier": "basic",
        "brandKitId": "aurora-core",
        "operation": "brand_style",
        "style": {"sourceUploadId": upload_id},
        **extra,
    }


def test_an_uploaded_photo_is_restyled_and_saved(apis: dict[str, Any]) -> None:
    api = apis["acme"]
    found = ticket(api)
    assert found["method"] == "POST"
    assert found["fields"]["Content-Type"] == "image/jpeg"
    assert found["maxBytes"] == 20 * 1024 * 1024
    assert post_form(found, encoded(scene(21, 240, 320))).status_code == 204

    accepted = api.call("POST", "/v1/assets", json=brand_style(found["uploadId"]))

    assert accepted.status_code == 202, accepted.text
    record = api.settled(accepted.json()["requestId"], TERMINAL)
    assert record["status"] == "succeeded", record
    assert record["asset"]["model"].startswith("local/image-")


def test_another_organisations_upload_is_not_found_and_starts_nothing(apis: dict[str, Any]) -> None:
    theirs = uploaded(apis["globex"], encoded(scene(22)))

    response = apis["acme"].call("POST", "/v1/assets", json=brand_style(theirs))

    assert response.status_code == 404, response.text
    assert response.json()["code"] == "not_found"
    assert apis["acme"].call("GET", "/v1/assets").json()["items"] == []
    # and theirs is still theirs: the key was never built under our organisation
    assert ticket(apis["globex"])["fields"]["key"].startswith(keys.staging_prefix_of("staging", OTHER_ORG))


def test_a_file_that_is_not_the_image_it_claims_is_a_400(apis: dict[str, Any]) -> None:
    upload_id = uploaded(apis["acme"], b"<html>not a photo</html>", "image/png")

    response = apis["acme"].call("POST", "/v1/assets", json=brand_style(upload_id))

    assert response.status_code == 400, response.text
    assert [e["field"] for e in response.json()["errors"]] == ["style.sourceUploadId"]


def test_the_ticket_refuses_other_types_and_s3_refuses_other_content(apis: dict[str, Any]) -> None:
    api = apis["acme"]
    refused = api.call("POST", "/v1/uploads", json={"mimeType": "image/svg+xml"})
    assert refused.status_code == 400
    assert [e["field"] for e in refused.json()["errors"]] == ["mimeType"]

    found = ticket(api, "image/png")
    assert post_form(found, encoded(scene(23), "PNG"), **{"Content-Type": "text/html"}).status_code == 403
    too_big = post_form(found, b"\x89PNG\r\n\x1a\n" + b"\x00" * found["maxBytes"])
    assert too_big.status_code == 400
    assert "<Code>EntityTooLarge</Code>" in too_big.text


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"operation": "brand_style", "style": None}, "body"),
        ({"contentType": "text"}, "body"),
        ({"operation": "generate"}, "body"),
        ({"style": {"sourceUploadId": "not-an-id"}}, "style.sourceUploadId"),
        ({"style": {"sourceUploadId": "0" * 32, "strength": 2}}, "style.strength"),
    ],
)
def test_brand_style_field_rules(apis: dict[str, Any], body: dict[str, Any], field: str) -> None:
    request = {**brand_style("0" * 32), **body}
    response = apis["acme"].call("POST", "/v1/assets", json=request)

    assert response.status_code == 400, response.text
    fields = [e["field"] for e in response.json()["errors"]]
    assert any(f.endswith(field) or f == field for f in fields), fields


def test_an_upload_id_never_uploaded_is_not_found(apis: dict[str, Any]) -> None:
    response = apis["acme"].call("POST", "/v1/assets", json=brand_style("f" * 32))

    assert response.status_code == 404, response.text
