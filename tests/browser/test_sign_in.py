"""Signing in to the console: locally through ffo serve's issuer (or a pasted token), and on AWS with the
authorization code flow and PKCE (S256) against an issuer this test plays, the state checked."""

from __future__ import annotations

import base64
import hashlib
import json
import urllib.parse
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Browser, Page, Route, expect

from ffo.local_issuer import LocalIssuer
from tests.browser.conftest import Served, new_context
from tests.helpers import ORG


# sign-in -------------------------------------------------------------------------------------------------
def test_local_sign_in_asks_ffo_serve_for_a_token_and_keeps_it_for_the_tab(browser: Browser, served: Served) -> None:
    asked: list[dict[str, list[str]]] = []
    token = served.token(sub="dana", groups=("reviewers",))

    def local_token(route: Route) -> None:  # the /local/token contract: {token} for org, sub and groups
        asked.append(urllib.parse.parse_qs(urllib.parse.urlsplit(route.request.url).query))
        route.fulfill(status=200, content_type="application/json", body=json.dumps({"token": token}))

    context = new_context(browser, served)
    page = context.new_page()
    page.route("**/local/token?*", local_token)
    page.goto("/console/#/reviews")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_label("Organisation").fill(ORG)
    page.get_by_label("User").fill("dana")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", name="Reviews waiting")).to_be_visible()
    expect(page.locator("#who")).to_contain_text(f"dana · {ORG}")
    assert asked == [{"org": [ORG], "sub": ["dana"], "groups": ["reviewers"]}]
    assert page.evaluate("sessionStorage.getItem('ffo.idToken')") == token
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert page.evaluate("sessionStorage.getItem('ffo.idToken')") is None
    context.close()


def test_a_pasted_token_signs_in_when_the_server_has_no_local_token_route(browser: Browser, served: Served) -> None:
    context = new_context(browser, served)
    page = context.new_page()
    page.route("**/local/token?*", lambda route: route.fulfill(status=404, body='{"message":"Not Found"}'))
    page.goto("/console/#/calendar")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("paste a token")
    page.get_by_label("Token from ffo token").fill(served.token(sub="erin"))
    page.get_by_role("button", name="Use this token").click()
    expect(page.get_by_role("heading", name="Campaign calendar")).to_be_visible()
    context.close()


OIDC = {
    "mode": "oidc",
    "issuer": "https://issuer.invalid/pool",
    "clientId": "console-client",
    "authorizeUrl": "https://auth.invalid/oauth2/authorize",
    "tokenUrl": "https://auth.invalid/oauth2/token",
}


def oidc_page(
    browser: Browser, served: Served, on_authorize: Callable[[dict[str, str]], str]
) -> tuple[Page, list[dict[str, str]]]:
    """A console configured for an OIDC issuer whose two endpoints are played by this test (no network)."""
    exchanged: list[dict[str, str]] = []
    # ffo serve's CSP allows only its own origin (its console signs in locally); on AWS the issuer's token
    # endpoint is the console's to call.
    context = new_context(browser, served, bypass_csp=True)
    page = context.new_page()
    config = {"apiBase": "", "auth": OIDC, "heartbeatSeconds": 30}
    page.route("**/console/config.json", lambda r: r.fulfill(content_type="application/json", body=json.dumps(config)))

    def authorize(route: Route) -> None:
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(route.request.url).query))
        route.fulfill(status=302, headers={"location": on_authorize(query)})

    def token(route: Route) -> None:
        exchanged.append(dict(urllib.parse.parse_qsl(route.request.post_data or "")))
        route.fulfill(
            content_type="application/json",
            headers={"access-control-allow-origin": "*"},
            body=json.dumps({"id_token": served.token(sub="oidc-user"), "token_type": "Bearer"}),
        )

    page.route("https://auth.invalid/oauth2/authorize?*", authorize)
    page.route("https://auth.invalid/oauth2/token", token)
    return page, exchanged


def test_oidc_sign_in_is_authorization_code_with_pkce_s256_and_a_checked_state(
    browser: Browser, served: Served
) -> None:
    seen: list[dict[str, str]] = []

    def issue_code(query: dict[str, str]) -> str:
        seen.append(query)
        return f"{query['redirect_uri']}?code=the-code&state={urllib.parse.quote(query['state'])}"

    page, exchanged = oidc_page(browser, served, issue_code)
    page.goto("/console/#/calendar")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", name="Campaign calendar")).to_be_visible()
    [asked] = seen
    assert (asked["response_type"], asked["client_id"], asked["code_challenge_method"]) == (
        "code",
        "console-client",
        "S256",
    )
    assert asked["redirect_uri"] == f"{served.url}/console/"
    assert len(asked["state"]) >= 20
    assert "openid" in asked["scope"].split()
    [exchange] = exchanged
    assert (exchange["grant_type"], exchange["code"], exchange["client_id"]) == (
        "authorization_code",
        "the-code",
        "console-client",
    )
    verifier = exchange["code_verifier"]
    assert 43 <= len(verifier) <= 128
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest()).rstrip(b"=").decode()
    assert asked["code_challenge"] == challenge
    assert "code=" not in page.url  # the code does not stay in the address bar or history
    page.context.close()


def test_an_oidc_answer_with_another_state_is_refused(browser: Browser, served: Served) -> None:
    page, exchanged = oidc_page(browser, served, lambda q: f"{q['redirect_uri']}?code=stolen&state=forged")
    page.goto("/console/#/reviews")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("state mismatch")
    assert exchanged == []
    assert page.evaluate("sessionStorage.getItem('ffo.idToken')") is None
    page.context.close()


def test_a_token_the_api_refuses_sends_the_person_back_to_sign_in(
    browser: Browser, served: Served, tmp_path: Path
) -> None:
    stranger = LocalIssuer(tmp_path).mint(served.config, org_id=ORG, subject="mallory", groups=["reviewers"])
    context = new_context(browser, served)
    page = context.new_page()
    page.goto("/console/#/reviews")
    page.evaluate("t => sessionStorage.setItem('ffo.idToken', t)", stranger)
    page.goto("/console/#/calendar")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert page.evaluate("sessionStorage.getItem('ffo.idToken')") is None
    context.close()
