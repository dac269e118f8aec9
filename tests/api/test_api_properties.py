"""Every route of the API function, fed arbitrary input with a valid token, answers without a 5xx.

The routes come from template.yaml (the HttpApi events of every function deployed with the API's code:
ApiFunction and LintApiFunction), so a new route is covered the day it is added. Bodies are arbitrary JSON
(and JSON shaped like our requests, with hostile values), query strings carry our parameter names with odd
values, path ids are short, long, unicode or odd. A 4xx must carry RFC 9457 problem details (a 400 naming each
field). Bounded (a few examples per route, derandomized) so it runs in CI in well under a minute.
"""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ffo.cfn import load_template
from ffo.engine import api_routes
from tests.helpers import ROOT, api_functions, claims, problem_of

pytestmark = pytest.mark.filterwarnings("ignore:Couldn.t determine the remaining time left")

TEMPLATE = load_template(ROOT / "template.yaml")
ROUTES = [route for function in api_functions(TEMPLATE) for route in api_routes(TEMPLATE, function)]
FUNCTION_OF = {route: function for function in api_functions(TEMPLATE) for route in api_routes(TEMPLATE, function)}
EXAMPLES_PER_ROUTE = 15

FIELDS = [
    "contentType", "prompt", "tier", "latency", "brandKitId", "channel", "options", "size", "clientRequestId",
    "locales", "campaignId", "schedule", "mode", "at", "targets", "platform", "accountId", "assetId", "version",
    "assetVersion", "scheduledAt", "startsAt", "endsAt", "timeZone", "cadence", "maxPostsPerDay",
    "minGapMinutes", "quietHours", "preferredTimes", "name", "status", "handle", "settings", "decision",
    "comment", "feedback", "editedText", "replacementUploadId", "mimeType", "caption", "faults", "text",
    "uploadId", "brandKitVersion", "sponsored", "locale",
]  # fmt: skip
ODD_STRINGS = [
    "",
    " ",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-14:00",
    "9999-12-31T23:00:00-05:00",
    "2030-01-01T00:00:00",
    "2030-01-01T09:00:00Z",
    "1700000000",
    "99999x99999",
    "1024x1024",
    "Europe/Paris",
    "../../etc",
    "ORG#acme",
    "a" * 3000,
    "é" * 700,
    "\u0000",
    "abc\n",
    "💥",
    "outbox-main",
    "text",
    "image",
    "outbox",
    "pending",
    "approve",
]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
    st.sampled_from(ODD_STRINGS),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(FIELDS), st.text(max_size=10)), inner, max_size=5),
    ),
    max_leaves=20,
)
shaped_bodies = st.dictionaries(st.sampled_from(FIELDS), json_values, min_size=1, max_size=8)
bodies = st.one_of(json_values, shaped_bodies)
depths = st.sampled_from([1, 2, 63, 64, 65, 1_000, 100_000])
raw_bodies = st.one_of(
    depths.map(lambda n: "[" * n + "]" * n),
    st.none(),
    depths.map(lambda n: '{"prompt":' * n + "1" + "}" * n),
    st.none(),
    st.text(max_size=40),
)


@st.composite
def payloads(draw: st.DrawFn) -> tuple[Any, str | None]:
    """(JSON body, raw body): a raw body is sent as it is, so a JSON body is drawn only where no raw one was."""
    raw = draw(raw_bodies)
    return (None if raw is not None else draw(bodies)), raw


ids = st.one_of(
    st.sampled_from([s for s in ODD_STRINGS if s]),
    st.text(min_size=1, max_size=40),
    st.tuples(st.characters(), st.integers(min_value=65, max_value=3000)).map(lambda t: t[0] * t[1]),
)
odd = st.sampled_from([s for s in ODD_STRINGS if s])
moments = st.one_of(
    odd,
    st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat()),
    st.sampled_from(["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "2030-01-01T00:00:00Z"]),
)
tokens = st.one_of(
    json_values.map(lambda v: base64.urlsafe_b64encode(json.dumps(v).encode()).decode()),
    st.text(max_size=40),
)
queries = st.fixed_dictionaries(
    {},
    optional={
        "status": st.one_of(odd, st.text(max_size=20)),
        "model": ids,
        "campaignId": ids,
        "since": moments,
        "until": moments,
        "limit": st.one_of(st.integers(min_value=-5, max_value=10**6).map(str), odd),
        "nextToken": tokens,
        "other": st.text(max_size=20),
    },
)


def _path(template: str, values: list[str]) -> str:
    parts = template.split("/")
    filled = iter(values)
    return "/".join(quote(next(filled), safe="") if p.startswith("{") else p for p in parts)


def _check(response: dict[str, Any], request: str) -> None:
    assert "statusCode" in response, (request, response)
    status = response["statusCode"]
    assert status < 500, (request, status, response.get("body"))
    if status >= 400:
        try:
            body = problem_of(response, status)
        except (AssertionError, KeyError, ValueError) as error:
            raise AssertionError((request, response)) from error
        if status == 400:  # a 400 names the field at fault
            assert body["errors"], (request, body)


def test_the_routes_come_from_the_template() -> None:
    assert len(ROUTES) >= 20
    assert ("POST", "/v1/assets") in ROUTES
    assert ("GET", "/v1/provenance") in ROUTES
    assert FUNCTION_OF[("POST", "/v1/lint")] == "LintApiFunction"


@pytest.mark.parametrize(("method", "template"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
def test_no_route_answers_5xx_to_arbitrary_input(engine: Any, method: str, template: str) -> None:
    count = template.count("{")
    has_body = method in ("POST", "PATCH", "PUT")

    @settings(
        max_examples=EXAMPLES_PER_ROUTE,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(
        path_ids=st.lists(ids, min_size=count, max_size=count),
        query=queries,
        # A JSON body is drawn only where it is sent: not for a route without a body, not beside a raw body (sent
        # instead). Examples that differed only in a body never sent were the same request twice, and drawing
        # those bodies took about a fifth of this test's CPU.
        payload=payloads() if has_body else st.just((None, None)),
    )
    def check(path_ids: list[str], query: dict[str, str], payload: tuple[Any, str | None]) -> None:
        body, raw = payload
        path = _path(template, path_ids)
        if query:
            path += "?" + urlencode(query)
        response = engine.api(
            method, path, body if has_body else None, claims(), raw_body=raw, function=FUNCTION_OF[(method, template)]
        )
        _check(response, f"{method} {path[:200]} body={str(raw if raw is not None else body)[:200]}")

    check()
