"""Content signing on a fresh stack: refused before anything is paid for, and one command sets it up."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import ExtendedKeyUsageOID
from moto import mock_aws

from ffo.signing_setup import issue_chain_for_kms_key, store_chain, write_ca

SECRET = "flashfusion/test/c2pa-signing"


@pytest.fixture
def aws() -> Any:
    with mock_aws():
        yield boto3.session.Session(region_name="us-east-1")


def settings(**overrides: Any) -> Any:
    from flashfusion.settings import Settings

    values = {"signing_mode": "kms", "signing_secret_name": SECRET, "signing_kms_key_id": "key-1", **overrides}
    return Settings(**values)


def test_a_fresh_kms_stack_says_what_is_missing_and_how_to_fix_it(aws: Any) -> None:
    from flashfusion.wiring import signing_problem

    problem = signing_problem(settings())
    assert problem is not None
    assert SECRET in problem
    assert "ffo signing-cert" in problem


def test_a_secret_without_a_certificate_chain_is_a_problem_and_a_chain_is_none(aws: Any) -> None:
    from aws_lambda_powertools.utilities import parameters

    from flashfusion.wiring import signing_problem

    aws.client("secretsmanager").create_secret(Name=SECRET, SecretString="TODO")
    assert "no certificate chain" in (signing_problem(settings()) or "")
    parameters.clear_caches()
    aws.client("secretsmanager").put_secret_value(SecretId=SECRET, SecretString="-----BEGIN CERTIFICATE-----\n...")
    assert signing_problem(settings()) is None


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [({"signing_mode": "off"}, None), ({"signing_secret_name": ""}, "needs SIGNING_SECRET_NAME")],
)
def test_what_needs_no_secret_read(overrides: dict[str, Any], expected: str | None) -> None:
    from flashfusion.wiring import signing_problem

    problem = signing_problem(settings(**overrides))
    assert problem == expected or (expected is not None and problem is not None and expected in problem)


def test_signing_cert_issues_a_chain_for_the_kms_key_and_stores_it(aws: Any, tmp_path: Path) -> None:
    from flashfusion.aws.kms_signing import KmsSigningKey

    kms = aws.client("kms")
    key_id = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]

    issued = issue_chain_for_kms_key(kms, key_id, "Aurora Outdoor")
    assert store_chain(aws.client("secretsmanager"), SECRET, issued.chain_pem) == "created"
    assert store_chain(aws.client("secretsmanager"), SECRET, issued.chain_pem) == "updated"
    cert_path, key_path = write_ca(issued.ca, tmp_path / "ca")

    stored = aws.client("secretsmanager").get_secret_value(SecretId=SECRET)["SecretString"].encode()
    leaf, ca = x509.load_pem_x509_certificates(stored)
    kms_public = serialization.load_der_public_key(kms.get_public_key(KeyId=key_id)["PublicKey"])
    assert leaf.public_key() == kms_public  # the certificate is for the key in KMS
    leaf.verify_directly_issued_by(ca)
    assert ExtendedKeyUsageOID.EMAIL_PROTECTION in leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert "Aurora Outdoor" in leaf.subject.rfc4514_string()
    assert KmsSigningKey(kms, key_id, stored).certificate == leaf  # what SaveAsset loads
    assert key_path.stat().st_mode & 0o777 == 0o600
    assert x509.load_pem_x509_certificate(cert_path.read_bytes()) == ca


def test_signing_cert_refuses_a_key_that_cannot_sign_content_credentials(aws: Any) -> None:
    kms = aws.client("kms")
    key_id = kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    with pytest.raises(ValueError, match="ECC_NIST_P256"):
        issue_chain_for_kms_key(kms, key_id, "Aurora Outdoor")


def test_the_workflow_stops_at_validation_when_signing_is_not_set_up(fresh_engine: Any, sample_kit: Any) -> None:
    from tests.helpers import ORG, body_of, claims, submission

    fresh_engine.configure(env={"SIGNING_MODE": "kms", "SIGNING_KMS_KEY_ID": "key-1", "SIGNING_SECRET_NAME": "nope"})
    fresh_engine.seed_brand_kit(ORG, sample_kit)
    request_id = body_of(fresh_engine.api("POST", "/v1/assets", submission(), claims()))["requestId"]

    execution = fresh_engine.wait_for_execution(fresh_engine.execution_arn(request_id), timeout=60)

    assert execution["status"] == "FAILED"
    record = body_of(fresh_engine.api("GET", f"/v1/requests/{request_id}", None, claims()))
    assert record["status"] == "failed"
    assert record["error"]["type"] == "SigningNotConfigured"
    assert "ffo signing-cert" in record["error"]["message"]
    history = json.dumps(fresh_engine.history(fresh_engine.execution_arn(request_id)), default=str)
    assert '"ValidateRequest"' in history
    assert '"RouteModel"' not in history  # nothing reserved, nothing generated, nothing paid for
