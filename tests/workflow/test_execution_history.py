"""The engine reads an execution's history and status from moto's backend: the same answer the API gives."""

from __future__ import annotations

from typing import Any

import pytest

from ffo import execution_history
from tests.helpers import body_of, claims, submission


def api_history(engine: Any, arn: str) -> list[dict[str, Any]]:
    return execution_history.api_history(engine.client("stepfunctions"), arn)


@pytest.mark.parametrize(
    "body",
    [
        submission(),  # succeeds
        submission(faults=[{"model": "local/text-standard", "kind": "throttle", "times": 2}]),  # retried
        submission(tier="premium", faults=[{"kind": "auth"}]),  # fails: every model refuses
        submission(locales=["de-DE", "fr-FR"]),  # a Map state over the locales
    ],
    ids=["succeeded", "retried", "failed", "map"],
)
def test_history_and_status_as_the_api_gives_them(engine: Any, body: dict[str, Any]) -> None:
    response = engine.api("POST", "/v1/assets", body, claims())
    assert response["statusCode"] == 202, response
    arn = engine.execution_arn(body_of(response)["requestId"])
    engine.wait_for_execution(arn)

    history = engine.history(arn)

    assert history == api_history(engine, arn)
    assert len(history) > 10
    assert {type(event["type"]) for event in history} == {str}
    assert engine.execution_status(arn) == engine.client("stepfunctions").describe_execution(executionArn=arn)["status"]


def finished(engine: Any) -> str:
    response = engine.api("POST", "/v1/assets", submission(), claims())
    arn: str = engine.execution_arn(body_of(response)["requestId"])
    engine.wait_for_execution(arn)
    return arn


def test_read_without_an_api_call(engine: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    arn = finished(engine)
    expected = api_history(engine, arn)

    def refused(**kwargs: Any) -> Any:
        raise AssertionError("the API was called")

    sfn = engine.client("stepfunctions")
    monkeypatch.setattr(sfn, "get_execution_history", refused)
    monkeypatch.setattr(sfn, "describe_execution", refused)

    assert engine.history(arn) == expected
    assert engine.execution_status(arn) == "SUCCEEDED"


def test_the_api_answers_when_moto_cannot_be_read(engine: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from ffo import execution_history

    arn = finished(engine)

    def moved(region: str, arn: str) -> Any:
        raise AttributeError("moto's models changed")

    monkeypatch.setattr(execution_history, "_execution", moved)

    assert engine.history(arn) == api_history(engine, arn)
    assert engine.execution_status(arn) == "SUCCEEDED"


def test_an_unknown_execution_is_refused_as_the_api_refuses_it(engine: Any) -> None:
    arn = engine.execution_arn("no-such-request")
    with pytest.raises(Exception, match="ExecutionDoesNotExist"):
        engine.history(arn)
    with pytest.raises(Exception, match="ExecutionDoesNotExist"):
        engine.execution_status(arn)
