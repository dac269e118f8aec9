"""`sponsored` on POST /v1/assets: accepted as a JSON boolean, stored with the request and passed to the workflow;
anything else is a 400 naming the field; a submission that leaves it out is the request it always was."""

from __future__ import annotations

import json
from typing import Any

import pytest

from flashfusion.app.submissions import submission_hash
from flashfusion.models import AssetSubmission
from tests.api.test_api import accepted, executions, finish, json_error, post, problems, stored
from tests.helpers import submission


def execution_input(engine: Any, request_id: str) -> dict[str, Any]:
    sfn = engine.client("stepfunctions")
    described = sfn.describe_execution(executionArn=engine.execution_arn(request_id))
    result: dict[str, Any] = json.loads(described["input"])
    return result


@pytest.mark.parametrize("sponsored", [True, False])
def test_the_flag_is_stored_and_reaches_the_workflow(engine: Any, sponsored: bool) -> None:
    request_id = accepted(post(engine, submission(channel="instagram", sponsored=sponsored)))

    assert execution_input(engine, request_id)["request"]["sponsored"] is sponsored
    (item,) = stored(engine, "REQUEST#")
    assert item["request"]["M"]["sponsored"] == {"BOOL": sponsored}
    finish(engine, request_id)


def test_left_out_it_is_not_sponsored(engine: Any) -> None:
    request_id = accepted(post(engine, submission()))
    assert execution_input(engine, request_id)["request"]["sponsored"] is False
    finish(engine, request_id)


@pytest.mark.parametrize("value", ["yes", "true", 1, 0, None, [], {"paid": True}])
def test_anything_but_a_boolean_is_a_400_naming_the_field(engine: Any, value: Any) -> None:
    response = post(engine, submission(sponsored=value))

    error = json_error(response, 400)
    assert "sponsored" in problems(error), error
    assert executions(engine) == []
    assert stored(engine, "REQUEST#") == []


def test_the_idempotency_hash_is_unchanged_for_submissions_that_do_not_use_it() -> None:
    """Requests stored before the flag existed were hashed without it: a retry must still be the same request."""
    body = submission(clientRequestId="spring-launch-001")
    left_out = submission_hash(AssetSubmission.model_validate(body))
    assert submission_hash(AssetSubmission.model_validate({**body, "sponsored": False})) == left_out
    assert submission_hash(AssetSubmission.model_validate({**body, "sponsored": True})) != left_out


def test_the_same_client_request_id_sponsored_and_not_is_two_different_bodies(engine: Any) -> None:
    request_id = accepted(post(engine, submission(clientRequestId="paid-001")))
    response = post(engine, submission(clientRequestId="paid-001", sponsored=True))

    assert "clientRequestId" in problems(json_error(response, 400))
    finish(engine, request_id)
