"""Brand kits over the API: PUT stores the next version (admin role), GET reads the current or a given
version, /versions lists them, /validate checks a kit without storing it; another organisation's kit is a
404 and is never changed."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.api.library_helpers import error_code, error_fields
from tests.helpers import ORG, OTHER_ORG, body_of, claims

ADMIN = {**claims(), "cognito:groups": "[admins]"}
OTHER_ADMIN = {**claims(OTHER_ORG), "cognito:groups": "[admins]"}
MEMBER = claims()
KIT = "aurora-core"  # seeded for both organisations by the engine fixture (version 1)


def call(
    engine: Any, method: str, path: str, caller: dict[str, Any] | None = None, body: Any = None
) -> tuple[int, Any]:
    response = engine.api(method, path, body, MEMBER if caller is None else caller)
    return response["statusCode"], body_of(response) if response.get("body") else None


def current(engine: Any, caller: dict[str, Any] | None = None) -> dict[str, Any]:
    status, answer = call(engine, "GET", f"/v1/brand-kits/{KIT}", caller)
    assert status == 200, answer
    return dict(answer)


def edited(kit: dict[str, Any], name: str) -> dict[str, Any]:
    body = copy.deepcopy(kit)
    body["name"] = name
    return body


def test_put_stores_the_next_version_and_get_reads_current_or_a_given_version(engine: Any) -> None:
    before = current(engine)
    assert before["version"] == 1

    status, stored = call(engine, "PUT", f"/v1/brand-kits/{KIT}", ADMIN, edited(before["kit"], "Aurora 2"))

    assert status == 200, stored
    assert (stored["version"], stored["created"]) == (2, True)
    assert stored["kit"]["version"] == 2
    now = current(engine)
    assert (now["version"], now["kit"]["name"]) == (2, "Aurora 2")
    status, old = call(engine, "GET", f"/v1/brand-kits/{KIT}?version=1")
    assert status == 200, old
    assert old["kit"]["name"] == before["kit"]["name"]
    status, listed = call(engine, "GET", f"/v1/brand-kits/{KIT}/versions")
    assert status == 200, listed
    assert listed["currentVersion"] == 2
    assert [(v["version"], v["name"], v["current"]) for v in listed["items"]] == [
        (1, before["kit"]["name"], False),
        (2, "Aurora 2", True),
    ]


def test_put_of_an_unchanged_kit_stores_no_new_version(engine: Any) -> None:
    kit = current(engine)["kit"]

    status, stored = call(engine, "PUT", f"/v1/brand-kits/{KIT}", ADMIN, kit)

    assert status == 200, stored
    assert (stored["version"], stored["created"]) == (1, False)
    assert [v["version"] for v in call(engine, "GET", f"/v1/brand-kits/{KIT}/versions")[1]["items"]] == [1]


def test_put_creates_a_new_kit_at_version_1_without_kit_id_or_version_in_the_body(engine: Any) -> None:
    status, stored = call(engine, "PUT", "/v1/brand-kits/winter", ADMIN, {"name": "Winter", "version": 7})

    assert status == 200, stored
    assert (stored["kitId"], stored["version"], stored["created"]) == ("winter", 1, True)
    assert call(engine, "GET", "/v1/brand-kits/winter")[1]["kit"]["name"] == "Winter"
    assert call(engine, "GET", "/v1/brand-kits/winter", claims(OTHER_ORG))[0] == 404


def test_changing_a_kit_needs_the_admin_role(engine: Any) -> None:
    before = current(engine)

    status, answer = call(engine, "PUT", f"/v1/brand-kits/{KIT}", MEMBER, edited(before["kit"], "Mine now"))

    assert status == 403, answer
    assert error_code(answer) == "forbidden"
    assert current(engine) == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": ""}, "name"),
        ({"kitId": "another-kit"}, "kitId"),
        ({"palette": [{"name": "Red", "hex": "red"}]}, "palette.0.hex"),
        ({"unknownThing": 1}, "unknownThing"),
        ({"logos": [{"logoId": "mark", "file": f"orgs/{OTHER_ORG}/brand/aurora-core/logo.png"}]}, "logos.0.file"),
        ({"fonts": [{"family": "Inter", "file": "/etc/passwd"}]}, "fonts.0.file"),
    ],
)
def test_an_invalid_kit_is_a_400_naming_the_field_on_put_and_validate_and_nothing_is_stored(
    engine: Any, change: dict[str, Any], field: str
) -> None:
    before = current(engine)
    body = {**before["kit"], **change}

    paths = [f"/v1/brand-kits/{KIT}"] + ([] if field == "kitId" else ["/v1/brand-kits/validate"])  # no path id there
    for path in paths:
        method = "PUT" if path.endswith(KIT) else "POST"
        status, answer = call(engine, method, path, ADMIN, body)
        assert status == 400, (path, answer)
        assert error_code(answer) == "invalid_request"
        assert field in error_fields(answer), answer
    assert current(engine) == before


def test_validate_answers_the_kit_as_read_and_stores_nothing(engine: Any) -> None:
    status, answer = call(engine, "POST", "/v1/brand-kits/validate", MEMBER, {"kitId": "draft", "name": "Draft"})

    assert status == 200, answer
    assert answer["valid"] is True
    assert answer["kit"]["kitId"] == "draft"
    assert answer["kit"]["review"]["maxRegenerations"] == 2  # defaults filled in
    assert call(engine, "GET", "/v1/brand-kits/draft")[0] == 404


@pytest.mark.parametrize(
    ("query", "field"), [("version=0", "version"), ("version=abc", "version"), ("version=-1", "version")]
)
def test_a_malformed_version_is_a_400(engine: Any, query: str, field: str) -> None:
    status, answer = call(engine, "GET", f"/v1/brand-kits/{KIT}?{query}")
    assert status == 400, answer
    assert error_fields(answer)[0] == field


@pytest.mark.parametrize(
    "path", ["/v1/brand-kits/nope", "/v1/brand-kits/nope/versions", f"/v1/brand-kits/{KIT}?version=9"]
)
def test_an_unknown_kit_or_version_is_a_404(engine: Any, path: str) -> None:
    status, answer = call(engine, "GET", path)
    assert status == 404, answer
    assert error_code(answer) == "not_found"


def test_another_organisation_neither_reads_nor_changes_a_kit_only_it_lacks(engine: Any) -> None:
    status, stored = call(engine, "PUT", "/v1/brand-kits/acme-only", ADMIN, {"name": "Acme only"})
    assert status == 200, stored
    assert call(engine, "PUT", f"/v1/brand-kits/{KIT}", ADMIN, edited(current(engine)["kit"], "Acme v2"))[0] == 200

    for path in ("/v1/brand-kits/acme-only", "/v1/brand-kits/acme-only/versions", "/v1/brand-kits/acme-only?version=1"):
        status, answer = call(engine, "GET", path, claims(OTHER_ORG))
        assert status == 404, (path, answer)
    theirs = current(engine, claims(OTHER_ORG))
    assert (theirs["version"], theirs["kit"]["name"]) != (2, "Acme v2")
    assert theirs["version"] == 1

    # their admin's PUT makes their own kit, never a version of ours
    status, own = call(engine, "PUT", "/v1/brand-kits/acme-only", OTHER_ADMIN, {"name": "Globex's"})
    assert status == 200, own
    assert own["version"] == 1
    assert call(engine, "GET", "/v1/brand-kits/acme-only")[1]["kit"]["name"] == "Acme only"


def test_a_kit_may_name_files_in_its_own_brand_folder(engine: Any) -> None:
    kit = current(engine)["kit"]
    assert kit["logos"], "the seeded kit has a logo in the brand folder"
    assert kit["logos"][0]["file"].startswith(f"orgs/{ORG}/brand/")

    status, stored = call(engine, "PUT", f"/v1/brand-kits/{KIT}", ADMIN, edited(kit, "Same logo"))

    assert status == 200, stored
    assert stored["kit"]["logos"][0]["file"] == kit["logos"][0]["file"]
