"""Review, lineage and provenance-audit routes of the HTTP API (a Powertools Router for ApiFunction)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router

from flashfusion.app import reviews
from flashfusion.http.identity import Caller, authenticated, json_body, query
from flashfusion.wiring import get_deps

router = Router()


def _caller() -> Caller:
    return authenticated(router.current_event, get_deps().settings)


def _body() -> Any:
    return json_body(router.current_event)


def _query() -> dict[str, str]:
    return query(router.current_event)


@router.get("/v1/reviews")
def list_reviews() -> dict[str, Any]:
    deps = get_deps()
    found = reviews.list_reviews(_caller(), _query().get("status"), deps)
    return {"reviews": [reviews.review_view(r, deps) for r in found]}


@router.get("/v1/reviews/<review_id>")
def get_review(review_id: str) -> dict[str, Any]:
    deps = get_deps()
    return reviews.review_view(reviews.get_review(_caller(), review_id, deps), deps)


@router.post("/v1/reviews/<review_id>/decision")
def decide(review_id: str) -> dict[str, Any]:
    deps = get_deps()
    return reviews.review_view(reviews.decide(_caller(), review_id, _body(), deps), deps)


@router.post("/v1/reviews/<review_id>/uploads")
def upload(review_id: str) -> Response:
    ticket = reviews.create_upload(_caller(), review_id, _body(), get_deps())
    return Response(status_code=201, content_type=content_types.APPLICATION_JSON, body=ticket.to_json())


@router.get("/v1/assets/<asset_id>/lineage")
def lineage(asset_id: str) -> dict[str, Any]:
    return reviews.lineage(_caller(), asset_id, get_deps())


@router.get("/v1/provenance")
def audit() -> dict[str, Any]:
    return reviews.audit(_caller(), _query(), get_deps())
