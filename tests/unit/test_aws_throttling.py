"""AWS throttling becomes the typed ``AwsThrottled`` error the state machine retries by name."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber

from flashfusion.aws.throttling import THROTTLING_CODES, is_throttling, typed_throttling
from flashfusion.errors import AwsThrottled


def client_error(code: str, operation: str = "DetectText") -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "slow down"}}, operation)


def test_the_codes_are_botocores_own_list() -> None:
    from botocore.retries.standard import ThrottledRetryableChecker

    assert frozenset(ThrottledRetryableChecker._THROTTLED_ERROR_CODES) == THROTTLING_CODES
    rekognition = {"ThrottlingException", "ProvisionedThroughputExceededException", "LimitExceededException"}
    assert rekognition <= THROTTLING_CODES


@pytest.mark.parametrize(
    "code", ["ThrottlingException", "Throttling", "ProvisionedThroughputExceededException", "TooManyRequestsException"]
)
def test_throttling_codes_become_aws_throttled_chained(code: str) -> None:
    original = client_error(code)
    with pytest.raises(AwsThrottled) as caught, typed_throttling("rekognition"):
        raise original
    assert caught.value.__cause__ is original
    assert (caught.value.service, caught.value.code) == ("rekognition", code)
    assert "rekognition" in str(caught.value)
    assert code in str(caught.value)
    assert "DetectText" in str(caught.value)
    assert type(caught.value).__name__ == "AwsThrottled"  # the Step Functions error name


@pytest.mark.parametrize("code", ["InvalidImageFormatException", "AccessDeniedException", "InternalServerError"])
def test_other_client_errors_pass_unchanged(code: str) -> None:
    original = client_error(code)
    with pytest.raises(ClientError) as caught, typed_throttling("rekognition"):
        raise original
    assert caught.value is original
    assert not is_throttling(original)


def test_other_exceptions_pass_unchanged() -> None:
    with pytest.raises(KeyError), typed_throttling("dynamodb"):
        raise KeyError("x")
    assert not is_throttling(KeyError("x"))


def test_a_stubbed_rekognition_throttle_is_typed() -> None:
    client = boto3.client("rekognition", region_name="us-east-1")
    with Stubber(client) as stub:
        stub.add_client_error("detect_text", service_error_code="ThrottlingException", http_status_code=400)
        with pytest.raises(AwsThrottled, match="ThrottlingException"), typed_throttling("rekognition"):
            client.detect_text(Image={"Bytes": b"png"})
