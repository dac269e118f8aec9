"""Deployment configuration read through Powertools parameters: the SSM matrix override and API keys."""

from __future__ import annotations

import json
from collections.abc import Iterator

import boto3
import pytest
from aws_lambda_powertools.utilities import parameters
from moto import mock_aws
from pydantic import ValidationError

from flashfusion import wiring as deps
from flashfusion.aws import secrets
from flashfusion.routing.matrix import default_matrix_text


@pytest.fixture
def aws() -> Iterator[None]:
    with mock_aws():
        parameters.clear_caches()
        yield
    parameters.clear_caches()


def matrix_text(version: str) -> str:
    matrix = json.loads(default_matrix_text())
    matrix["version"] = version
    matrix["models"] = [m for m in matrix["models"] if m["provider"] == "local"]
    return json.dumps(matrix)


@pytest.mark.usefixtures("aws")
def test_the_matrix_comes_from_ssm_when_a_parameter_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    ssm = boto3.client("ssm", region_name="us-east-1")
    ssm.put_parameter(Name="ffo-matrix", Value=matrix_text("ops-1"), Type="String")
    monkeypatch.setenv("MODEL_MATRIX_PARAMETER", "ffo-matrix")
    deps.reset()

    assert deps.get_deps().matrix.version == "ops-1"
    assert {m.provider for m in deps.get_deps().matrix.models} == {"local"}

    ssm.put_parameter(Name="ffo-matrix", Value=matrix_text("ops-2"), Type="String", Overwrite=True)
    assert deps.get_deps().matrix.version == "ops-1"  # cached for a while, not read on every step
    parameters.clear_caches()  # what the cache's expiry does after 5 minutes
    assert deps.get_deps().matrix.version == "ops-2"


def test_without_a_parameter_the_packaged_matrix_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MODEL_MATRIX_PARAMETER", raising=False)
    deps.reset()
    assert deps.get_deps().matrix.version == json.loads(default_matrix_text())["version"]


@pytest.mark.usefixtures("aws")
@pytest.mark.parametrize("stored", ["sk-plain-key", json.dumps({"apiKey": "sk-plain-key"})])
def test_api_keys_come_from_secrets_manager(stored: str) -> None:
    boto3.client("secretsmanager", region_name="us-east-1").create_secret(
        Name="ffo/dev/providers/openai", SecretString=stored
    )
    assert secrets.api_key("ffo/dev/providers", "openai") == "sk-plain-key"


@pytest.mark.usefixtures("aws")
def test_a_secret_in_another_shape_is_refused_without_showing_it() -> None:
    boto3.client("secretsmanager", region_name="us-east-1").create_secret(
        Name="ffo/dev/providers/gemini", SecretString=json.dumps({"key": "AIza-secret-value"})
    )
    with pytest.raises(ValueError, match="apiKey") as raised:
        secrets.api_key("ffo/dev/providers", "gemini")
    assert "AIza-secret-value" not in str(raised.value)


def test_settings_are_read_again_only_when_the_environment_changed(monkeypatch: pytest.MonkeyPatch) -> None:
    from flashfusion.settings import get_settings

    monkeypatch.setenv("TABLE_NAME", "first-table")
    get_settings.cache_clear()
    first = get_settings()
    get_settings.cache_clear()
    assert get_settings() is first  # the same environment: the settings already read
    monkeypatch.setenv("TABLE_NAME", "second-table")
    get_settings.cache_clear()
    assert get_settings().table_name == "second-table"
    monkeypatch.setenv("TABLE_NAME", "first-table")
    get_settings.cache_clear()
    assert get_settings().table_name == "first-table"
    with pytest.raises(ValidationError, match="frozen"):  # shared, so nobody may change them in place
        first.table_name = "changed"
