"""GET /v1/predictions and GET/PUT /v1/prediction-settings: each organisation sees and changes only its own
candidates and settings; changing them needs the admin role; paging; the cache field on submissions."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.api.library_helpers import error_code, error_fields
from tests.helpers import ORG, OTHER_ORG, body_of, claims, problem_of, submission

ADMIN = {**claims(), "cognito:groups": "[admins]"}
OTHER_ADMIN = {**claims(OTHER_ORG), "cognito:groups": "[admins]"}
SETTINGS = {"enabled": True, "monthlyCapUsd": 12.5, "horizonHours": 12, "freshnessDays": 3, "topK": 5}


def call(engine: Any, method: str, path: str, caller: dict[str, Any], body: Any = None) -> tuple[int, Any]:
    response = engine.api(method, path, body, caller)
    return response["statusCode"], body_of(response) if response.get("body") else None


def seed_candidates(org: str, count: int) -> list[str]:
    from flashfusion.app import result_cache
    from flashfusion.models import ContentType, utcnow
    from flashfusion.storage.result_cache import Candidate, candidate_id_for
    from flashfusion.wiring import get_deps

    repo = result_cache.repository(get_deps())
    now = utcnow()
    ids = []
    for n in range(count):
        stale_at = now + timedelta(hours=n + 1)
        candidate_id = candidate_id_for("text", stale_at, f"spec-{org}-{n}")
        repo.put_candidate(
            org,
            Candidate(
                candidate_id=candidate_id,
                request_id=f"spec-{org}-{n}",
                status="generating",
                brief=f"Weekly trail tip {n}",
                content_type=ContentType.TEXT,
                tier="standard",
                kit_id="aurora-core",
                kit_version=1,
                created_at=now,
                stale_at=stale_at,
            ),
        )
        ids.append(candidate_id)
    return ids


def test_settings_default_off_and_an_admin_changes_them_for_their_organisation_only(engine: Any) -> None:
    status, before = call(engine, "GET", "/v1/prediction-settings", claims())
    assert status == 200, before
    assert (before["enabled"], before["monthlyCapUsd"], before["freshnessDays"]) == (False, 0.0, 7)

    status, stored = call(engine, "PUT", "/v1/prediction-settings", ADMIN, SETTINGS)
    assert status == 200, stored
    assert {k: stored[k] for k in SETTINGS} == SETTINGS
    assert stored["spend"]["capUsd"] == 12.5
    assert stored["updatedBy"] == "user-1"
    assert call(engine, "GET", "/v1/prediction-settings", claims())[1]["horizonHours"] == 12

    other = call(engine, "GET", "/v1/prediction-settings", OTHER_ADMIN)[1]
    assert (other["enabled"], other["spend"]["capUsd"]) == (False, 0.0)
    from flashfusion.app import result_cache
    from flashfusion.wiring import get_deps

    assert result_cache.repository(get_deps()).enabled_orgs() == [ORG]


def test_changing_settings_needs_the_admin_role_and_a_valid_body(engine: Any) -> None:
    response = engine.api("PUT", "/v1/prediction-settings", SETTINGS, claims())
    problem_of(response, 403)
    bad = engine.api("PUT", "/v1/prediction-settings", {**SETTINGS, "freshnessDays": 30}, ADMIN)
    assert "freshnessDays" in error_fields(problem_of(bad, 400))
    assert call(engine, "GET", "/v1/prediction-settings", claims())[1]["enabled"] is False


def test_candidates_are_paged_and_another_organisation_sees_none_of_them(engine: Any) -> None:
    ids = seed_candidates(ORG, 3)
    status, first = call(engine, "GET", "/v1/predictions?limit=2", claims())
    assert status == 200, first
    assert [c["candidateId"] for c in first["items"]] == sorted(ids, reverse=True)[:2]
    assert all(c["state"] == "generating" for c in first["items"])
    token = first["nextToken"]
    rest = call(engine, "GET", f"/v1/predictions?limit=2&nextToken={token}", claims())[1]
    assert [c["candidateId"] for c in rest["items"]] == sorted(ids, reverse=True)[2:]

    assert call(engine, "GET", "/v1/predictions", claims(OTHER_ORG))[1]["items"] == []
    refused = engine.api("GET", f"/v1/predictions?nextToken={token}", None, claims(OTHER_ORG))
    assert error_code(problem_of(refused, 400)) == "invalid_request"


def test_a_candidate_made_under_an_older_kit_version_is_listed_as_invalidated(
    engine: Any, sample_kit: dict[str, Any]
) -> None:
    seed_candidates(ORG, 1)
    engine.seed_brand_kit(ORG, {**sample_kit, "version": sample_kit.get("version", 1) + 1})
    (view,) = call(engine, "GET", "/v1/predictions", claims())[1]["items"]
    assert view["state"] == "invalidated"


def test_the_cache_field_takes_use_or_bypass_only(engine: Any) -> None:
    response = engine.api("POST", "/v1/assets", submission(cache="sometimes"), claims())
    assert "cache" in error_fields(problem_of(response, 400))
