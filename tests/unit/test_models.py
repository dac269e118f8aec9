"""Boundary models: what the API accepts, how it serialises, how prompts hash."""

from __future__ import annotations

import hashlib
import unicodedata
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from flashfusion.models import (
    MAX_PROMPT_CHARS,
    AssetSubmission,
    BrandKit,
    ContentType,
    Fault,
    LintReport,
    Tier,
    Violation,
    normalise_prompt,
    prompt_hash,
)
from tests.helpers import submission


def _error_locs(exc: pytest.ExceptionInfo[ValidationError]) -> list[tuple[Any, ...]]:
    return [tuple(e["loc"]) for e in exc.value.errors()]


def _rejects(body: dict[str, Any]) -> list[tuple[Any, ...]]:
    with pytest.raises(ValidationError) as exc:
        AssetSubmission.model_validate(body)
    return _error_locs(exc)


# --- AssetSubmission validation ---------------------------------------------------------------


def test_valid_submission_parses_with_defaults() -> None:
    sub = AssetSubmission.model_validate(submission(tier="premium"))
    assert sub.content_type is ContentType.TEXT
    assert sub.tier is Tier.PREMIUM
    assert sub.brand_kit_id == "aurora-core"
    assert sub.faults == []
    assert sub.client_request_id is None


@pytest.mark.parametrize("content_type", ["audio", "TEXT", "", "3d"])
def test_unknown_content_type_is_rejected(content_type: str) -> None:
    assert ("contentType",) in _rejects(submission(contentType=content_type))


@pytest.mark.parametrize("prompt", ["", " ", "   \n\t  "])
def test_empty_or_whitespace_prompt_is_rejected(prompt: str) -> None:
    assert ("prompt",) in _rejects(submission(prompt=prompt))


def test_prompt_at_limit_is_accepted_and_one_over_is_rejected() -> None:
    at_limit = AssetSubmission.model_validate(submission(prompt="a" * MAX_PROMPT_CHARS))
    assert len(at_limit.prompt) == MAX_PROMPT_CHARS
    assert ("prompt",) in _rejects(submission(prompt="a" * (MAX_PROMPT_CHARS + 1)))


def test_prompt_surrounding_whitespace_is_stripped_before_the_length_check() -> None:
    sub = AssetSubmission.model_validate(submission(prompt="  " + "a" * MAX_PROMPT_CHARS + "\n "))
    assert sub.prompt == "a" * MAX_PROMPT_CHARS


@pytest.mark.parametrize("field", ["orgId", "org_id", "userId", "requestId", "contenttype"])
def test_unknown_or_server_owned_field_is_rejected(field: str) -> None:
    locs = _rejects(submission(**{field: "evil-corp"}))
    assert (field,) in locs


def test_extra_field_error_type_is_extra_forbidden() -> None:
    with pytest.raises(ValidationError) as exc:
        AssetSubmission.model_validate(submission(orgId="other"))
    assert any(e["type"] == "extra_forbidden" for e in exc.value.errors())


@pytest.mark.parametrize(
    "client_request_id",
    ["", "has space", "slash/inside", "hash#inside", "x" * 129, "émoji", "abc\n"],
)
def test_bad_client_request_id_is_rejected(client_request_id: str) -> None:
    assert ("clientRequestId",) in _rejects(submission(clientRequestId=client_request_id))


@pytest.mark.parametrize("client_request_id", ["a", "order-42", "2026.01.01:run_7", "x" * 128])
def test_good_client_request_id_is_accepted(client_request_id: str) -> None:
    sub = AssetSubmission.model_validate(submission(clientRequestId=client_request_id))
    assert sub.client_request_id == client_request_id


@pytest.mark.parametrize("brand_kit_id", ["", "has space", "a/b", "x" * 65])
def test_bad_brand_kit_id_is_rejected(brand_kit_id: str) -> None:
    assert ("brandKitId",) in _rejects(submission(brandKitId=brand_kit_id))


def test_missing_required_fields_are_each_named() -> None:
    locs = _rejects({})
    for field in ("contentType", "prompt", "brandKitId"):
        assert (field,) in locs


def test_valid_faults_parse() -> None:
    sub = AssetSubmission.model_validate(
        submission(faults=[{"kind": "throttle", "times": 2, "model": "local/text-standard"}, {"kind": "auth"}])
    )
    assert [f.kind for f in sub.faults] == ["throttle", "auth"]
    assert sub.faults[0].times == 2
    assert sub.faults[1].model is None
    assert sub.faults[1].times is None


@pytest.mark.parametrize(
    ("fault", "bad_field"),
    [
        ({"kind": "explode"}, "kind"),
        ({}, "kind"),
        ({"kind": "throttle", "times": 0}, "times"),
        ({"kind": "throttle", "times": 21}, "times"),
        ({"kind": "throttle", "count": 2}, "count"),
    ],
)
def test_bad_fault_shape_is_rejected(fault: dict[str, Any], bad_field: str) -> None:
    locs = _rejects(submission(faults=[fault]))
    assert ("faults", 0, bad_field) in locs


def test_too_many_faults_are_rejected() -> None:
    assert ("faults",) in _rejects(submission(faults=[{"kind": "throttle"}] * 11))


def test_faults_must_be_a_list() -> None:
    assert any(loc[0] == "faults" for loc in _rejects(submission(faults={"kind": "throttle"})))


def test_channel_longer_than_32_is_rejected() -> None:
    assert ("channel",) in _rejects(submission(channel="c" * 33))


# --- camelCase round trip ---------------------------------------------------------------------


def test_to_json_uses_camel_case_and_round_trips() -> None:
    body = submission(
        latency="batch",
        channel="linkedin",
        clientRequestId="req-1",
        faults=[{"model": "local/text-standard", "kind": "timeout", "times": 1}],
    )
    sub = AssetSubmission.model_validate(body)
    dumped = sub.to_json()
    assert {"contentType", "brandKitId", "clientRequestId"} <= dumped.keys()
    assert not any("_" in key for key in dumped)
    assert dumped["faults"][0] == {"model": "local/text-standard", "kind": "timeout", "times": 1}
    again = AssetSubmission.model_validate(dumped)
    assert again == sub
    assert again.to_json() == dumped


def test_to_json_omits_none_and_serialises_enums_as_strings() -> None:
    dumped = AssetSubmission.model_validate(submission()).to_json()
    assert "clientRequestId" not in dumped
    assert "channel" not in dumped
    assert dumped["contentType"] == "text"
    assert type(dumped["tier"]) is str


def test_snake_case_names_are_accepted_too() -> None:
    sub = AssetSubmission.model_validate({"content_type": "image", "prompt": "a lake", "brand_kit_id": "k1"})
    assert sub.content_type is ContentType.IMAGE
    assert sub.to_json()["brandKitId"] == "k1"


def test_fault_to_json_is_camel_case_and_forbids_extras() -> None:
    assert Fault(kind="rejected", times=3).to_json() == {"kind": "rejected", "times": 3}
    with pytest.raises(ValidationError):
        Fault.model_validate({"kind": "rejected", "reason": "x"})


# --- prompt hash ------------------------------------------------------------------------------


def test_prompt_hash_is_sha256_of_the_normalised_prompt() -> None:
    prompt = "  Write a POST\tabout   Café  "
    expected = hashlib.sha256(normalise_prompt(prompt).encode("utf-8")).hexdigest()
    assert prompt_hash(prompt) == expected
    assert len(prompt_hash(prompt)) == 64
    assert int(prompt_hash(prompt), 16) >= 0


@pytest.mark.parametrize(
    "variant",
    [
        "write a post about our boots",
        "Write a post about our boots",
        "WRITE A POST ABOUT OUR BOOTS",
        "  write   a post\nabout our\tboots  ",
        "write\u00a0a post about our boots",
    ],
)
def test_prompt_hash_ignores_case_and_whitespace(variant: str) -> None:
    assert prompt_hash(variant) == prompt_hash("write a post about our boots")


def test_prompt_hash_ignores_unicode_composition() -> None:
    composed = unicodedata.normalize("NFC", "Café launch")
    decomposed = unicodedata.normalize("NFD", "Café launch")
    assert composed != decomposed
    assert prompt_hash(composed) == prompt_hash(decomposed)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("write a post about our boots", "write a post about our tents"),
        ("boots", "boot s"),
        ("launch", "launch!"),
    ],
)
def test_prompt_hash_differs_for_different_text(a: str, b: str) -> None:
    assert prompt_hash(a) != prompt_hash(b)


@given(st.text(max_size=200))
def test_prompt_hash_property_matches_hashlib(prompt: str) -> None:
    norm = normalise_prompt(prompt)
    assert prompt_hash(prompt) == hashlib.sha256(norm.encode("utf-8")).hexdigest()
    # Normalisation is idempotent and leaves no leading/trailing or doubled whitespace.
    assert normalise_prompt(norm) == norm
    assert norm == norm.strip()
    assert "  " not in norm


# --- LintReport -------------------------------------------------------------------------------


def _violation(rule: str, severity: str = "error") -> Violation:
    return Violation.model_validate({"ruleId": rule, "severity": severity, "message": "m"})


def test_result_per_rule_marks_rules_with_errors_as_failed() -> None:
    report = LintReport(
        compliant=False,
        violations=[_violation("legal.banned-term")],
        rules_checked=["legal.banned-term", "voice.required-term"],
    )
    assert report.result_per_rule() == {"legal.banned-term": False, "voice.required-term": True}


def test_result_per_rule_ignores_warnings_and_suggestions() -> None:
    report = LintReport(
        compliant=True,
        violations=[_violation("a", "warning"), _violation("b", "suggestion")],
        rules_checked=["a", "b"],
    )
    assert report.result_per_rule() == {"a": True, "b": True}


def test_result_per_rule_only_reports_checked_rules() -> None:
    report = LintReport(compliant=False, violations=[_violation("not-checked")], rules_checked=["a"])
    assert report.result_per_rule() == {"a": True}


def test_result_per_rule_empty_when_nothing_checked() -> None:
    assert LintReport(compliant=True).result_per_rule() == {}


# --- BrandKit ---------------------------------------------------------------------------------


def test_sample_brand_kit_parses(sample_kit: dict[str, Any]) -> None:
    kit = BrandKit.model_validate(sample_kit)
    assert kit.kit_id == sample_kit["kitId"]
    assert kit.voice.required_terms == sample_kit["voice"]["requiredTerms"]
    assert kit.legal.banned_terms == sample_kit["legal"]["bannedTerms"]
    assert BrandKit.model_validate(kit.to_json()) == kit


@pytest.mark.parametrize(
    ("patch", "loc"),
    [
        ({"kitId": "bad id"}, ("kitId",)),
        ({"version": 0}, ("version",)),
        ({"name": ""}, ("name",)),
        ({"name": "n" * 201}, ("name",)),
        ({"voice": {"requiredTerms": "Aurora"}}, ("voice", "requiredTerms")),
        ({"voice": {"brandName": "A", "tone": "loud"}}, ("voice", "tone")),
        ({"legal": {"bannedTerms": [1, {"x": 1}]}}, ("legal", "bannedTerms", 1)),
        ({"colours": ["#fff"]}, ("colours",)),
    ],
)
def test_brand_kit_errors_name_the_field(
    sample_kit: dict[str, Any], patch: dict[str, Any], loc: tuple[Any, ...]
) -> None:
    with pytest.raises(ValidationError) as exc:
        BrandKit.model_validate({**sample_kit, **patch})
    assert loc in _error_locs(exc)
