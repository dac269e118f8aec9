"""Key layouts: every key is scoped to its organisation, and the ASL builds the same request key."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flashfusion.models import AssetRequest
from flashfusion.storage import keys
from tests.helpers import ORG, ROOT, submission

ASL_PATH = ROOT / "statemachine" / "create_asset.asl.json"
FORMAT = re.compile(r"^States\.Format\('((?:[^'\\]|\\.)*)',\s*(\$[A-Za-z0-9_.]+(?:,\s*\$[A-Za-z0-9_.]+)*)\)$")

# Every builder, called with the organisation and one id to check.
BUILDERS: dict[str, Callable[[str, str], Any]] = {
    "request_key": lambda org, i: keys.request_key(org, i),
    "idempotency_key": lambda org, i: keys.idempotency_key(org, i),
    "brand_kit_key": lambda org, i: keys.brand_kit_key(org, i),
    "brand_kit_key_versioned": lambda org, i: keys.brand_kit_key(org, i, 3),
    "provenance_key": lambda org, i: keys.provenance_key(org, i, 1),
}
ALL_KEYS: dict[str, Callable[[str], str]] = {
    "org_pk": lambda org: keys.org_pk(org),
    "request_key": lambda org: keys.request_key(org, "req-1")["PK"],
    "idempotency_key": lambda org: keys.idempotency_key(org, "client-1")["PK"],
    "brand_kit_key": lambda org: keys.brand_kit_key(org, "kit-1")["PK"],
    "brand_kit_key_versioned": lambda org: keys.brand_kit_key(org, "kit-1", 2)["PK"],
    "provenance_key": lambda org: keys.provenance_key(org, "asset-1", 4)["PK"],
    "provenance_by_time": lambda org: keys.provenance_by_time(org),
}
BAD_IDS = ["", "a#b", "#", "a/b", "/", "a b", " a", "a ", "\t", "a\tb", "../x", "a\x00b", "é"]
ORGS = st.from_regex(r"[A-Za-z0-9._:-]{1,40}", fullmatch=True)


@pytest.mark.parametrize("builder", list(ALL_KEYS))
@pytest.mark.parametrize("org", [ORG, "globex", "Org.Name_1:x-y"])
def test_every_partition_key_starts_with_the_organisation(builder: str, org: str) -> None:
    pk = ALL_KEYS[builder](org)
    assert pk == f"ORG#{org}" or pk.startswith(f"ORG#{org}#")


@given(org=ORGS, other=ORGS, item=ORGS)
def test_keys_of_two_organisations_never_collide(org: str, other: str, item: str) -> None:
    if org == other:
        return
    for build in BUILDERS.values():
        a, b = build(org, item), build(other, item)
        assert a["PK"] != b["PK"]
        assert a["PK"] == f"ORG#{org}"
    assert keys.provenance_by_time(org) != keys.provenance_by_time(other)


def test_sort_keys_name_the_item_type() -> None:
    assert keys.request_key(ORG, "r1")["SK"] == "REQUEST#r1"
    assert keys.idempotency_key(ORG, "c1")["SK"] == "IDEMPOTENCY#c1"
    assert keys.brand_kit_key(ORG, "k1")["SK"] == "BRANDKIT#k1"
    assert keys.brand_kit_key(ORG, "k1", 7)["SK"].startswith("BRANDKIT#k1#V#")
    assert keys.provenance_key(ORG, "a1", 7)["SK"].startswith("ASSET#a1#V#")


def test_versioned_sort_keys_sort_in_version_order() -> None:
    versions = [1, 2, 9, 10, 99, 100, 12345]
    kit_sks = [keys.brand_kit_key(ORG, "k1", v)["SK"] for v in versions]
    asset_sks = [keys.provenance_key(ORG, "a1", v)["SK"] for v in versions]
    assert sorted(kit_sks) == kit_sks
    assert sorted(asset_sks) == asset_sks
    # The unversioned kit key is a prefix of every version, so begins_with finds them all.
    assert all(sk.startswith(keys.brand_kit_key(ORG, "k1")["SK"] + "#") for sk in kit_sks)


@pytest.mark.parametrize("bad", BAD_IDS)
def test_bad_organisation_id_is_rejected_by_every_builder(bad: str) -> None:
    with pytest.raises(ValueError, match="organisation id"):
        keys.org_pk(bad)
    for build in BUILDERS.values():
        with pytest.raises(ValueError, match="cannot hold"):
            build(bad, "item-1")
    with pytest.raises(ValueError, match="cannot hold"):
        keys.provenance_by_time(bad)
    with pytest.raises(ValueError, match="cannot hold"):
        keys.asset_object_key(bad, "asset-1", 1, "txt")
    with pytest.raises(ValueError, match="cannot hold"):
        keys.staging_object_key("staging", bad, "req-1", "a.txt")
    with pytest.raises(ValueError, match="cannot hold"):
        keys.staging_prefix_of("staging", bad)


@pytest.mark.parametrize("bad", BAD_IDS)
@pytest.mark.parametrize("builder", list(BUILDERS))
def test_bad_item_id_is_rejected(builder: str, bad: str) -> None:
    with pytest.raises(ValueError, match="cannot hold"):
        BUILDERS[builder](ORG, bad)


@pytest.mark.parametrize("bad", BAD_IDS)
def test_bad_ids_rejected_in_object_keys(bad: str) -> None:
    with pytest.raises(ValueError, match="cannot hold"):
        keys.asset_object_key(ORG, bad, 1, "txt")
    with pytest.raises(ValueError, match="cannot hold"):
        keys.staging_object_key("staging", ORG, bad, "a.txt")
    with pytest.raises(ValueError, match="cannot hold"):
        keys.staging_object_key("staging", ORG, "req-1", bad)


@pytest.mark.parametrize("bad", ["acme\n", "acme\r\n", "\nacme"])
def test_line_breaks_are_rejected_too(bad: str) -> None:
    """``$`` in a Python regex also matches before a final newline; a key must not end in one."""
    with pytest.raises(ValueError, match="cannot hold"):
        keys.org_pk(bad)
    with pytest.raises(ValueError, match="cannot hold"):
        keys.request_key(ORG, bad)


def test_asset_object_key_layout() -> None:
    assert keys.asset_object_key("acme", "a-1b2c", 3, "png") == "orgs/acme/assets/a-1b2c/3.png"


@given(
    org=ORGS,
    asset=ORGS,
    version=st.integers(min_value=1, max_value=10**6),
    ext=st.sampled_from(["txt", "png"]),
)
def test_asset_object_key_layout_property(org: str, asset: str, version: int, ext: str) -> None:
    key = keys.asset_object_key(org, asset, version, ext)
    assert key.split("/") == ["orgs", org, "assets", asset, f"{version}.{ext}"]


def test_staging_keys_live_under_the_organisation_prefix() -> None:
    key = keys.staging_object_key("staging", ORG, "req-1", "asset.txt")
    assert key.startswith(keys.staging_prefix_of("staging", ORG))
    assert key.split("/") == ["staging", ORG, "req-1", "asset.txt"]
    assert not key.startswith(keys.staging_prefix_of("staging", ORG + "x"))


# --- the ASL builds the same request key ------------------------------------------------------


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def _json_path(document: dict[str, Any], path: str) -> Any:
    assert path.startswith("$."), path
    value: Any = document
    for part in path[2:].split("."):
        value = value[part]
    return value


def _states_format(expression: str, document: dict[str, Any]) -> str:
    match = FORMAT.match(expression)
    assert match, f"not a States.Format of JSON paths: {expression}"
    template, paths = match.groups()
    template = re.sub(r"\\(.)", r"\1", template)
    arguments = [p.strip() for p in paths.split(",")]
    assert template.count("{}") == len(arguments), template
    for path in arguments:
        template = template.replace("{}", str(_json_path(document, path)), 1)
    return template


def _dynamodb_tasks(states: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    found = []
    for name, state in states.items():
        if str(state.get("Resource", "")).startswith("arn:aws:states:::dynamodb:"):
            found.append((name, state["Parameters"]["Key"]))
        processor = state.get("ItemProcessor") or state.get("Iterator")
        if processor:  # the Map state's inner states (translation outcomes) write request keys too
            found += _dynamodb_tasks(processor["States"])
    return found


def _dynamodb_keys() -> list[tuple[str, dict[str, Any]]]:
    return _dynamodb_tasks(json.loads(ASL_PATH.read_text("utf-8"))["States"])


def _dynamodb_request_keys() -> list[tuple[str, dict[str, Any]]]:
    return [(n, k) for n, k in _dynamodb_keys() if "REQUEST#" in k["SK"]["S.$"]]


def test_asl_campaign_asset_key_matches_keys_campaign_asset_key() -> None:
    document = {"request": {"orgId": ORG, "campaignId": "spring-26"}, "saved": {"asset": {"assetId": "a-1"}}}
    tasks = [(n, k) for n, k in _dynamodb_keys() if "CAMPAIGNASSET#" in k["SK"]["S.$"]]
    assert [n for n, _ in tasks] == ["AddToCampaign"]
    built = {attribute: _states_format(value["S.$"], document) for attribute, value in tasks[0][1].items()}
    assert built == keys.campaign_asset_key(ORG, "spring-26", "a-1")


def test_asl_updates_dynamodb_directly() -> None:
    names = [name for name, _ in _dynamodb_request_keys()]
    assert names, "expected direct DynamoDB tasks in the state machine"


@pytest.mark.parametrize(
    ("org", "request_id"), [(ORG, "req-1"), ("globex", "01J9Z8Y7X6W5V4T3S2R1Q0P9N8"), ("a.b_c", "x:y-z")]
)
def test_asl_request_key_matches_keys_request_key(org: str, request_id: str) -> None:
    request = AssetRequest.model_validate({**submission(), "requestId": request_id, "orgId": org, "userId": "user-1"})
    # The state machine input is the workflow state: {"request": <AssetRequest as camelCase JSON>}.
    document = {"request": request.to_json()}
    expected = keys.request_key(org, request_id)
    tasks = _dynamodb_request_keys()
    assert tasks
    for name, key in tasks:
        assert set(key) == set(expected), name
        built = {}
        for attribute, value in key.items():
            assert set(value) == {"S.$"}, (name, attribute, value)
            built[attribute] = _states_format(value["S.$"], document)
        assert built == expected, name


def test_every_states_format_in_the_asl_that_builds_a_key_is_checked() -> None:
    asl = json.loads(ASL_PATH.read_text("utf-8"))
    formats = [
        value
        for node in _walk(asl)
        for value in node.values()
        if isinstance(value, str) and value.startswith("States.Format(") and "#" in value
    ]
    checked = [v["S.$"] for _, key in _dynamodb_keys() for v in key.values()]
    assert formats
    assert sorted(formats) == sorted(checked)


@given(org=ORGS, item=ORGS, other=ORGS)
def test_format_templates_build_the_same_keys_as_the_builders(org: str, item: str, other: str) -> None:
    assert keys.ORG_PK_FORMAT.format(org) == keys.org_pk(org)
    assert keys.REQUEST_SK_FORMAT.format(item) == keys.request_key(org, item)["SK"]
    assert keys.CAMPAIGN_ASSET_SK_FORMAT.format(item, other) == keys.campaign_asset_key(org, item, other)["SK"]
