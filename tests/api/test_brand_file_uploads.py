"""Logo and font uploads of a brand kit by presigned S3 POST, over real HTTP through `ffo serve` (whose local S3
checks the signed policy as S3 does): accepted and then named by the kit, too large (400 EntityTooLarge), another
type (403), a caller who is not an admin (403), and another organisation (its own folder only)."""

from __future__ import annotations

import io
from typing import Any

import httpx
import pytest

from ffo.commands.serve import seed_kit
from ffo.local_server import LocalServer
from flashfusion.storage import keys
from tests.api.served import Api, clean_server, module_server, server_config, tls
from tests.helpers import ORG, OTHER_ORG

__all__ = ["clean_server", "module_server"]  # fixtures, imported for pytest


def png(size: int = 48) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGBA", (size, size), (15, 110, 110, 255)).save(out, format="PNG")
    return out.getvalue()


def post_form(ticket: dict[str, Any], data: bytes, **changed: str) -> httpx.Response:
    """POST the ticket's form (some fields changed, as a client might try) with the file last, as S3 wants."""
    fields = {**ticket["fields"], **changed}
    return httpx.post(ticket["url"], data=fields, files={"file": ("logo.png", data)}, trust_env=False, verify=tls())


@pytest.fixture
def admins(clean_server: LocalServer, sample_kit: dict[str, Any]) -> dict[str, Any]:
    server = clean_server
    seed_kit(server, [ORG, OTHER_ORG], sample_kit)
    issuer = server.issuer

    def api(org: str, groups: tuple[str, ...] = ("admins",)) -> Api:
        return Api(server, issuer.mint(server_config(server), org_id=org, subject="ada", groups=groups))

    return {"server": server, "acme": api(ORG), "globex": api(OTHER_ORG), "requester": api(ORG, ()), "kit": sample_kit}


def ticket_for(api: Api, kind: str = "logo", mime: str = "image/png", kit_id: str = "aurora-core") -> dict[str, Any]:
    response = api.call("POST", f"/v1/brand-kits/{kit_id}/uploads", json={"kind": kind, "mimeType": mime})
    assert response.status_code == 201, response.text
    ticket: dict[str, Any] = response.json()
    return ticket


def stored(server: LocalServer, key: str) -> bytes | None:
    from flashfusion.wiring import get_deps

    s3, bucket = server.engine.client("s3"), get_deps().assets.bucket
    try:
        data: bytes = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    except s3.exceptions.NoSuchKey:
        return None
    return data


def test_a_logo_is_uploaded_and_named_by_the_next_kit_version(admins: dict[str, Any]) -> None:
    api, server = admins["acme"], admins["server"]
    ticket = ticket_for(api)
    assert ticket["method"] == "POST"
    assert ticket["url"].startswith(f"{server.url}/local-s3/")
    assert ticket["file"].startswith(keys.brand_prefix_of(ORG) + "aurora-core/logo-")
    assert ticket["fields"]["Content-Type"] == "image/png"

    posted = post_form(ticket, png())

    assert posted.status_code == 204, posted.text
    assert stored(server, ticket["file"]) == png()
    kit = {k: v for k, v in admins["kit"].items() if k not in ("kitId", "version")}
    kit["logos"] = [{**admins["kit"]["logos"][0], "file": ticket["file"]}]
    kit["fonts"] = []
    put = api.call("PUT", "/v1/brand-kits/aurora-core", json=kit)
    assert put.status_code == 200, put.text
    assert put.json()["kit"]["logos"][0]["file"] == ticket["file"]
    font = ticket_for(api, "font", "font/woff2")
    assert font["file"].endswith(".woff2")
    assert font["maxBytes"] > 0


def test_a_file_over_the_limit_is_s3_s_400(admins: dict[str, Any]) -> None:
    ticket = ticket_for(admins["acme"])

    posted = post_form(ticket, b"\x89PNG" + b"\x00" * ticket["maxBytes"])

    assert posted.status_code == 400
    assert "<Code>EntityTooLarge</Code>" in posted.text
    assert stored(admins["server"], ticket["file"]) is None


def test_another_type_is_refused_by_the_api_and_by_s3(admins: dict[str, Any]) -> None:
    api = admins["acme"]
    refused = api.call("POST", "/v1/brand-kits/aurora-core/uploads", json={"kind": "logo", "mimeType": "image/svg+xml"})
    assert refused.status_code == 400
    assert {e["field"] for e in refused.json()["errors"]} == {"mimeType"}
    font_as_logo = api.call("POST", "/v1/brand-kits/aurora-core/uploads", json={"kind": "logo", "mimeType": "font/ttf"})
    assert font_as_logo.status_code == 400

    ticket = ticket_for(api)
    posted = post_form(ticket, png(), **{"Content-Type": "text/html"})  # the signed policy pins the type

    assert posted.status_code == 403
    assert "<Code>AccessDenied</Code>" in posted.text
    assert stored(admins["server"], ticket["file"]) is None


def test_only_an_admin_gets_a_ticket(admins: dict[str, Any]) -> None:
    refused = admins["requester"].call(
        "POST", "/v1/brand-kits/aurora-core/uploads", json={"kind": "logo", "mimeType": "image/png"}
    )

    assert refused.status_code == 403
    assert refused.json()["code"] == "forbidden"


def test_another_organisation_writes_only_in_its_own_folder(admins: dict[str, Any]) -> None:
    theirs = ticket_for(admins["globex"])
    assert theirs["file"].startswith(keys.brand_prefix_of(OTHER_ORG))

    ours = keys.brand_prefix_of(ORG) + "aurora-core/logo-planted.png"
    tampered = post_form(theirs, png(), key=ours)  # their form, our folder: the policy pins the key
    assert tampered.status_code == 403
    assert stored(admins["server"], ours) is None

    assert post_form(theirs, png()).status_code == 204
    kit = {k: v for k, v in admins["kit"].items() if k not in ("kitId", "version")}
    kit["logos"] = [{**admins["kit"]["logos"][0], "file": theirs["file"]}]
    kit["fonts"] = []
    named = admins["acme"].call("PUT", "/v1/brand-kits/aurora-core", json=kit)  # naming their file in our kit
    assert named.status_code == 400
    assert "logos.0.file" in {e["field"] for e in named.json()["errors"]}
