"""A tiny DSL for Amazon States Language: states as plain dicts, named retry policies, Catch helpers.

Keys are emitted in one fixed order (Type, Comment, Resource, Parameters, …, Retry, Catch, Next/End)
so the rendered JSON is deterministic and diffs stay readable. ``${Name}`` strings are SAM
DefinitionSubstitutions and pass through untouched.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flashfusion import errors

State = dict[str, Any]
"""One state's ASL, as a JSON object."""

# --- retry policies ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Retrier:
    """One Retry entry. The module's constants are the named policies; states list the ones they need."""

    name: str
    errors: tuple[str, ...]
    interval_seconds: int
    max_attempts: int
    backoff_rate: float
    max_delay_seconds: int | None = None
    jitter: str | None = "FULL"

    def asl(self) -> State:
        entry: State = {
            "ErrorEquals": list(self.errors),
            "IntervalSeconds": self.interval_seconds,
            "MaxAttempts": self.max_attempts,
            "BackoffRate": self.backoff_rate,
        }
        if self.max_delay_seconds is not None:
            entry["MaxDelaySeconds"] = self.max_delay_seconds
        if self.jitter is not None:
            entry["JitterStrategy"] = self.jitter
        return entry


def _names(*classes: type[BaseException]) -> tuple[str, ...]:
    """Step Functions error names of our typed errors: the class name is the contract (flashfusion.errors)."""
    return tuple(cls.__name__ for cls in classes)


LAMBDA_SERVICE_ERRORS = (
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
)
"""What the Lambda service (not the function) raises when an invoke fails transiently."""

DYNAMODB_TRANSIENT_ERRORS = (
    "DynamoDB.ProvisionedThroughputExceededException",
    "DynamoDB.InternalServerErrorException",
    "DynamoDB.ThrottlingException",
    "DynamoDB.RequestLimitExceeded",
)
"""What a direct DynamoDB integration raises when a write may succeed if tried again."""

PROVIDER_THROTTLED_ERRORS = _names(errors.ProviderThrottled)
PROVIDER_FAILED_ERRORS = (*_names(errors.ProviderUnavailable, errors.ProviderTimeout), "States.Timeout")
PROVIDER_TRANSIENT_ERRORS = (*PROVIDER_THROTTLED_ERRORS, *_names(errors.ProviderUnavailable, errors.ProviderTimeout))
PROVIDER_FINAL_ERRORS = _names(errors.ProviderRejected, errors.ProviderAuthError, errors.GenerationTimedOut)
AWS_THROTTLED_ERRORS = _names(errors.AwsThrottled)

LAMBDA_TRANSIENT = Retrier("Lambda transient", LAMBDA_SERVICE_ERRORS, 1, 3, 2.0, 8)
"""Every Lambda task: the invoke itself failed (service error, throttled invoke)."""

DYNAMODB_TRANSIENT = Retrier("DynamoDB transient", DYNAMODB_TRANSIENT_ERRORS, 1, 4, 2.0)
"""Every direct DynamoDB task."""

PROVIDER_THROTTLING = Retrier("provider throttling", PROVIDER_THROTTLED_ERRORS, 2, 4, 3.0, 10)
"""A vendor said slow down (HTTP 429): longer waits, more attempts."""

PROVIDER_TRANSIENT = Retrier("provider transient", PROVIDER_FAILED_ERRORS, 1, 2, 2.0, 10)
"""A vendor failed or timed out: one more try, then the next model of the chain."""

PROVIDER_RETRIES = (PROVIDER_THROTTLING, PROVIDER_TRANSIENT)
"""The provider transient policy: throttling first (its own backoff), then failures and timeouts."""

AWS_THROTTLING = Retrier("AWS service throttling", AWS_THROTTLED_ERRORS, 2, 4, 2.0, 16)
"""An AWS service the function calls (Rekognition, DynamoDB, Scheduler) still throttled after botocore's
own attempts: raised as ``AwsThrottled`` by flashfusion.aws.throttling."""

SQS_SEND = Retrier("SQS send", ("States.TaskFailed",), 1, 3, 2.0)
"""The sqs:sendMessage integration (QueueForBudget)."""


def retries(*policies: Retrier) -> list[State]:
    return [policy.asl() for policy in policies]


# --- catch ---------------------------------------------------------------------------------------


def catch(error_names: Iterable[str], next_state: str, result_path: str | None = "$.error") -> State:
    return {"ErrorEquals": list(error_names), "ResultPath": result_path, "Next": next_state}


def catch_all(next_state: str, result_path: str | None = "$.error") -> State:
    return catch(["States.ALL"], next_state, result_path)


# --- states --------------------------------------------------------------------------------------


def sub(name: str) -> str:
    """A SAM DefinitionSubstitutions placeholder."""
    return "${" + name + "}"


def _flow(state: State, next_state: str | None, end: bool) -> State:
    if (next_state is None) == (not end):
        raise ValueError("a state needs exactly one of Next and End")
    if next_state is not None:
        state["Next"] = next_state
    else:
        state["End"] = True
    return state


def task(
    resource: str,
    *,
    comment: str | None = None,
    parameters: State | None = None,
    timeout_seconds_path: str | None = None,
    heartbeat_seconds_path: str | None = None,
    result_path: str | None,
    timeout_seconds: int | None = None,
    retry: Sequence[Retrier] = (),
    catches: Sequence[State] = (),
    next_state: str | None = None,
    end: bool = False,
) -> State:
    state: State = {"Type": "Task"}
    if comment is not None:
        state["Comment"] = comment
    state["Resource"] = resource
    if parameters is not None:
        state["Parameters"] = parameters
    if timeout_seconds_path is not None:
        state["TimeoutSecondsPath"] = timeout_seconds_path
    if heartbeat_seconds_path is not None:
        state["HeartbeatSecondsPath"] = heartbeat_seconds_path
    state["ResultPath"] = result_path
    if timeout_seconds is not None:
        state["TimeoutSeconds"] = timeout_seconds
    if retry:
        state["Retry"] = retries(*retry)
    if catches:
        state["Catch"] = list(catches)
    return _flow(state, next_state, end)


def lambda_task(
    function_arn: str,
    *,
    comment: str,
    result_path: str | None,
    next_state: str,
    catches: Sequence[State],
    timeout_seconds: int = 60,
    retry: Sequence[Retrier] = (LAMBDA_TRANSIENT,),
) -> State:
    """A Lambda function as the Resource (its ARN a substitution); Lambda transient retry by default."""
    return task(
        sub(function_arn),
        comment=comment,
        result_path=result_path,
        timeout_seconds=timeout_seconds,
        retry=retry,
        catches=catches,
        next_state=next_state,
    )


def rule(variable: str, operator: str, value: Any, next_state: str | None = None) -> State:
    """A Choice rule (with ``next_state``) or a condition inside And/Or/Not (without)."""
    entry: State = {"Variable": variable, operator: value}
    if next_state is not None:
        entry["Next"] = next_state
    return entry


def all_of(conditions: Sequence[State], next_state: str) -> State:
    return {"And": list(conditions), "Next": next_state}


def choice(rules: Sequence[State], default: str, comment: str | None = None) -> State:
    state: State = {"Type": "Choice"}
    if comment is not None:
        state["Comment"] = comment
    state["Choices"] = list(rules)
    state["Default"] = default
    return state


def wait(seconds_path: str, next_state: str, comment: str | None = None) -> State:
    state: State = {"Type": "Wait"}
    if comment is not None:
        state["Comment"] = comment
    state["SecondsPath"] = seconds_path
    state["Next"] = next_state
    return state


def pass_state(
    *,
    result_path: str | None,
    result: Any = None,
    parameters: State | None = None,
    comment: str | None = None,
    next_state: str | None = None,
    end: bool = False,
) -> State:
    state: State = {"Type": "Pass"}
    if comment is not None:
        state["Comment"] = comment
    if result is not None:
        state["Result"] = result
    if parameters is not None:
        state["Parameters"] = parameters
    state["ResultPath"] = result_path
    return _flow(state, next_state, end)


def succeed(comment: str | None = None) -> State:
    state: State = {"Type": "Succeed"}
    if comment is not None:
        state["Comment"] = comment
    return state


def fail(*, error_path: str, cause_path: str) -> State:
    return {"Type": "Fail", "ErrorPath": error_path, "CausePath": cause_path}


def inline_map(
    *,
    comment: str,
    items_path: str,
    max_concurrency: int,
    item_selector: State,
    start_at: str,
    states: Mapping[str, State],
    result_path: str | None,
    catches: Sequence[State] = (),
    next_state: str,
) -> State:
    state: State = {
        "Type": "Map",
        "Comment": comment,
        "ItemsPath": items_path,
        "MaxConcurrency": max_concurrency,
        "ItemSelector": item_selector,
        "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": start_at, "States": dict(states)},
        "ResultPath": result_path,
    }
    if catches:
        state["Catch"] = list(catches)
    state["Next"] = next_state
    return state


def machine(comment: str, start_at: str, states: Mapping[str, State]) -> State:
    return {"Comment": comment, "StartAt": start_at, "States": dict(states)}


# --- intrinsic functions and DynamoDB attribute values -------------------------------------------


def states_format(template: str, *paths: str) -> str:
    """``States.Format('<template>', <paths>)``: one ``{}`` in the template per JSONPath argument."""
    rest = template.replace("{}", "")
    if template.count("{}") != len(paths) or "{" in rest or "}" in rest:
        raise ValueError(f"{template!r} needs exactly one {{}} per argument ({len(paths)})")
    escaped = template.replace("\\", "\\\\").replace("'", "\\'")
    return f"States.Format('{escaped}', {', '.join(paths)})"


def s_path(path: str) -> State:
    return {"S.$": path}


def s_value(value: str) -> State:
    return {"S": value}


def render(definition: State) -> str:
    """The committed form: two-space indent, keys in the order the builder wrote them, trailing newline."""
    return json.dumps(definition, indent=2, ensure_ascii=False) + "\n"
