"""What an operator relies on in template.yaml: every log group expires, the assets bucket is audited."""

from __future__ import annotations

from typing import Any

import pytest

from ffo.cfn import load_template
from tests.helpers import ROOT

TEMPLATE = load_template(ROOT / "template.yaml")
RESOURCES: dict[str, Any] = TEMPLATE["Resources"]


def of_type(kind: str) -> dict[str, Any]:
    return {name: r for name, r in RESOURCES.items() if r["Type"] == kind}


def test_every_log_group_has_a_stage_retention() -> None:
    groups = of_type("AWS::Logs::LogGroup")
    assert len(groups) >= len(of_type("AWS::Serverless::Function")) + 2  # functions, API access, state machine
    for name, group in groups.items():
        assert group["Properties"].get("RetentionInDays") == {"Fn::If": ["IsProd", 365, 30]}, name


@pytest.mark.parametrize("function", sorted(of_type("AWS::Serverless::Function")))
def test_every_function_logs_to_a_group_of_the_template(function: str) -> None:
    """Lambda's default /aws/lambda/<name> group is created on first log and never expires."""
    target = RESOURCES[function]["Properties"].get("LoggingConfig", {}).get("LogGroup")
    assert isinstance(target, dict), f"{function} has no LoggingConfig.LogGroup"
    assert RESOURCES[target["Ref"]]["Type"] == "AWS::Logs::LogGroup"


def test_the_assets_bucket_is_access_logged_to_a_private_expiring_bucket() -> None:
    logging = RESOURCES["AssetsBucket"]["Properties"]["LoggingConfiguration"]
    destination = RESOURCES[logging["DestinationBucketName"]["Ref"]]["Properties"]
    assert all(destination["PublicAccessBlockConfiguration"].values())
    assert destination["LifecycleConfiguration"]["Rules"][0]["ExpirationInDays"] == {"Fn::If": ["IsProd", 365, 30]}
    policy = RESOURCES["AccessLogsBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    (delivery,) = [s for s in policy if s["Effect"] == "Allow"]
    assert delivery["Principal"] == {"Service": "logging.s3.amazonaws.com"}
    assert "aws:SourceAccount" in delivery["Condition"]["StringEquals"]


@pytest.mark.parametrize(
    ("function", "parameter"),
    [("ApiFunction", "ApiConcurrencyLimit"), ("GenerateFunction", "GenerateConcurrencyLimit")],
)
def test_the_spending_functions_can_be_capped_and_are_not_by_default(function: str, parameter: str) -> None:
    reserved = RESOURCES[function]["Properties"]["ReservedConcurrentExecutions"]
    _, value, otherwise = reserved["Fn::If"]
    assert value == {"Ref": parameter}
    assert otherwise == {"Ref": "AWS::NoValue"}
    assert TEMPLATE["Parameters"][parameter]["Default"] == 0  # a new account must keep 10 unreserved
