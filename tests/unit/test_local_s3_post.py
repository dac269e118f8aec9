"""The local S3's presigned POST check (ffo.local_s3_post) against forms botocore really signs, with both of
its signers (SigV4, and SigV2 which it uses when a client names no signature version): S3's answers for a bad
signature, an expired policy, a changed or extra field, a starts-with condition and the size range."""

from __future__ import annotations

import datetime as dt
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.credentials import Credentials

from ffo.local_s3_post import Accepted, PostForm, Refusal, check

CREDENTIALS = Credentials("AKIDLOCAL", "local-secret", "local-token")
REGION = "us-east-1"
BUCKET = "assets"
KEY = "orgs/acme/brand/kit/logo-1.png"


def signed_form(
    signature_version: str | None, conditions: list[Any] | None = None, expires: int = 300
) -> dict[str, str]:
    config = Config(signature_version=signature_version) if signature_version else None
    s3 = boto3.client(
        "s3",
        region_name=REGION,
        aws_access_key_id=CREDENTIALS.access_key,
        aws_secret_access_key=CREDENTIALS.secret_key,
        aws_session_token=CREDENTIALS.token,
        config=config,
    )
    post = s3.generate_presigned_post(
        Bucket=BUCKET,
        Key=KEY,
        Fields={"Content-Type": "image/png"},
        Conditions=conditions or [{"Content-Type": "image/png"}, ["content-length-range", 1, 10]],
        ExpiresIn=expires,
    )
    return {k.lower(): str(v) for k, v in post["fields"].items()}


def outcome(fields: dict[str, str], data: bytes = b"12345", now: dt.datetime | None = None) -> Accepted | Refusal:
    return check(BUCKET, PostForm(fields=fields, file=data), CREDENTIALS, REGION, now)


@pytest.fixture(params=["s3v4", None], ids=["sigv4", "default-sigv2"])
def version(request: pytest.FixtureRequest) -> str | None:
    value: str | None = request.param
    return value


def test_a_signed_form_within_its_policy_is_stored(version: str | None) -> None:
    accepted = outcome(signed_form(version))
    assert isinstance(accepted, Accepted)
    assert (accepted.key, accepted.content_type, accepted.status) == (KEY, "image/png", 204)


def test_a_changed_signature_or_policy_is_refused(version: str | None) -> None:
    fields = signed_form(version)
    name = "x-amz-signature" if "x-amz-signature" in fields else "signature"
    forged = outcome({**fields, name: fields[name][:-2] + "00"})
    assert isinstance(forged, Refusal)
    assert (forged.status, forged.code) == (403, "SignatureDoesNotMatch")
    other = signed_form(version, [{"Content-Type": "image/png"}, ["content-length-range", 1, 10_000]])
    swapped = outcome({**fields, "policy": other["policy"]})  # a laxer policy under the first signature
    assert isinstance(swapped, Refusal)
    assert swapped.code == "SignatureDoesNotMatch"


def test_an_expired_policy_is_refused(version: str | None) -> None:
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=10)
    refused = outcome(signed_form(version, expires=300), now=later)
    assert isinstance(refused, Refusal)
    assert (refused.status, refused.message) == (403, "Invalid according to Policy: Policy expired.")


def test_conditions_and_extra_fields_are_enforced(version: str | None) -> None:
    fields = signed_form(version)
    retyped = outcome({**fields, "content-type": "text/html"})
    assert isinstance(retyped, Refusal)
    assert (retyped.status, retyped.code) == (403, "AccessDenied")
    extra = outcome({**fields, "x-amz-meta-owner": "mallory"})
    assert isinstance(extra, Refusal)
    assert "Extra input fields: x-amz-meta-owner" in extra.message
    assert isinstance(outcome({**fields, "x-ignore-note": "fine"}), Accepted)
    moved = outcome({**fields, "key": "orgs/other/brand/kit/logo-1.png"})
    assert isinstance(moved, Refusal)
    assert moved.status == 403


def test_starts_with_lets_the_client_choose_within_a_prefix(version: str | None) -> None:
    conditions = [["starts-with", "$Content-Type", "image/"], ["content-length-range", 1, 10]]
    fields = signed_form(version, conditions)
    assert isinstance(outcome({**fields, "content-type": "image/webp"}), Accepted)
    refused = outcome({**fields, "content-type": "font/ttf"})
    assert isinstance(refused, Refusal)
    assert refused.status == 403


def test_the_size_range_is_s3_s_400s(version: str | None) -> None:
    fields = signed_form(version)
    large = outcome(fields, b"x" * 11)
    assert isinstance(large, Refusal)
    assert (large.status, large.code) == (400, "EntityTooLarge")
    empty = outcome(fields, b"")
    assert isinstance(empty, Refusal)
    assert (empty.status, empty.code) == (400, "EntityTooSmall")
    assert isinstance(outcome(fields, b"x" * 10), Accepted)
