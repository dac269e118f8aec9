"""The console's session: ``ffo serve`` signs a person in with ``GET /local/token`` (never a deployed route),
``GET /v1/me`` tells the console who that is, and a shared review link opens over HTTP without any token."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

from ffo.cfn import load_template
from ffo.commands.serve import seed_kit
from ffo.http_gateway import Gateway
from ffo.local_issuer import AuthorizerConfig
from ffo.local_server import LocalServer
from tests.api.served import Api, served, start, submit_until_review
from tests.helpers import ORG, ROOT, body_of, claims

__all__ = ["served"]  # the fixture, used by name


def test_ffo_serve_signs_a_person_in_and_a_shared_link_needs_no_token(
    tmp_path: Path, served: list[LocalServer], sample_kit: dict[str, Any]
) -> None:
    server = start(served, tmp_path)
    assert seed_kit(server, [ORG], sample_kit) == [ORG]
    client = httpx.Client(base_url=server.url, timeout=30, trust_env=False)

    answer = client.get("/local/token", params={"org": ORG, "sub": "ann", "groups": "reviewers,brand"})
    assert answer.status_code == 200, answer.text
    assert answer.headers["cache-control"] == "no-store"
    signed_in = answer.json()
    assert (signed_in["org"], signed_in["sub"], signed_in["groups"]) == (ORG, "ann", ["brand", "reviewers"])
    assert signed_in["tokenType"] == "Bearer"
    api = Api(server, signed_in["token"])

    me = api.call("GET", "/v1/me")
    assert me.status_code == 200, me.text
    assert me.json() == {
        "sub": "ann",
        "orgId": ORG,
        "groups": ["brand", "reviewers"],
        "roles": ["reviewer"],
        "reviewerGroup": "reviewers",
        "adminGroup": "admins",
    }
    assert client.get("/v1/me").status_code == 401  # the API still wants the token

    for bad in ({"org": "acme#x", "sub": "ann"}, {"org": ORG}, {"org": ORG, "sub": "ann", "groups": "a b"}):
        refused = client.get("/local/token", params=bad)
        assert refused.status_code == 400, bad
        assert refused.json()["errors"]

    review_id = submit_until_review(api)
    made = api.call("POST", f"/v1/reviews/{review_id}/links", json={"expiresInHours": 2})
    assert made.status_code == 201, made.text
    link = made.json()
    assert link["url"] == f"{server.url}/console/#/shared/{link['token']}"  # the console ffo serve serves
    opened = client.get(f"/v1/shared-reviews/{link['token']}")  # no Authorization header at all
    assert opened.status_code == 200, opened.text
    assert opened.json()["reviewId"] == review_id
    assert client.get("/v1/shared-reviews/not-a-token").status_code == 401

    server.stop()  # the link's key outlives a restart (kept under out/.ffo-dev-ca), as the review does
    again = start(served, tmp_path)
    reopened = httpx.Client(base_url=again.url, timeout=30, trust_env=False).get(f"/v1/shared-reviews/{link['token']}")
    assert reopened.status_code == 200, reopened.text  # still verifies: the same key, the link's record restored


def test_without_ffo_serve_there_is_no_token_route() -> None:
    """A gateway not given a minter (as API Gateway has none) has no /local/token: the template's routes only."""
    template = load_template(ROOT / "template.yaml")
    config = AuthorizerConfig.from_template(template)
    engine = SimpleNamespace(template=template)
    authorizer = SimpleNamespace(config=config, claims=lambda *_: None)  # refuses every token
    gateway = Gateway(engine, authorizer, {}, lambda: "http://x", str)  # type: ignore[arg-type]
    assert gateway.answer("GET", "/local/token?org=acme&sub=ann", {}, b"").status == 404
    assert gateway.route("GET", "/local/token") is None


@pytest.mark.parametrize(
    ("groups", "roles"),
    [("[reviewers admins]", ["reviewer", "admin"]), ("[editors]", []), ("[admins]", ["admin"])],
)
def test_me_names_the_roles_the_groups_give(engine: Any, groups: str, roles: list[str]) -> None:
    answer = engine.api("GET", "/v1/me", None, {**claims(ORG, "zoe"), "cognito:groups": groups})
    assert answer["statusCode"] == 200, answer
    me = body_of(answer)
    assert (me["sub"], me["orgId"], me["roles"]) == ("zoe", ORG, roles)
    assert me["groups"] == sorted(groups.strip("[]").split())
