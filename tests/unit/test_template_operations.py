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


def _authorizer_and_org_claim(parameters: dict[str, str]) -> tuple[Any, Any, Any, set[str]]:
    from ffo.cfn import Resolver, load_template, local_names

    template = load_template(ROOT / "template.yaml")
    refs, attrs = local_names(template, "eu-west-1", "ffo-test")
    pseudo = {"AWS::Region": "eu-west-1", "AWS::AccountId": "123456789012", "AWS::StackName": "ffo-test"}
    resolver = Resolver(template, refs, attrs, pseudo, parameters)
    jwt = template["Resources"]["HttpApi"]["Properties"]["Auth"]["Authorizers"]["JwtAuthorizer"]["JwtConfiguration"]
    org_claim = template["Resources"]["ApiFunction"]["Properties"]["Environment"]["Variables"]["ORG_CLAIM"]
    created = {
        logical_id
        for logical_id, resource in template["Resources"].items()
        if "Condition" not in resource or resolver.condition(resource["Condition"])
    }
    return resolver.resolve(jwt["issuer"]), resolver.resolve(jwt["audience"]), resolver.resolve(org_claim), created


def test_a_stack_without_an_issuer_creates_its_user_pool_and_trusts_its_id_tokens() -> None:
    issuer, audience, org_claim, created = _authorizer_and_org_claim({})
    assert {"UserPool", "UserPoolClient", "ReviewersUserGroup", "AdminsUserGroup"} <= created
    assert str(issuer).startswith("https://cognito-idp.eu-west-1.amazonaws.com/")
    assert "EXAMPLE" not in str(issuer)
    assert len(audience) == 1
    assert org_claim == "custom:org_id"


def test_an_external_issuer_replaces_the_pool() -> None:
    external = {"JwtIssuer": "https://login.example.org/", "JwtAudience": "app-1,app-2", "OrgIdClaim": "tenant"}
    issuer, audience, org_claim, created = _authorizer_and_org_claim(external)
    assert "UserPool" not in created
    assert issuer == "https://login.example.org/"
    assert audience in (["app-1", "app-2"], "app-1,app-2")
    assert org_claim == "tenant"
