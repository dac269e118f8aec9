"""Submitting a request and reading its status: the API's use cases, also used by `ffo run`.

Everything a client can get wrong is checked before anything is written, so a bad request starts
nothing and leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from typing import Any, Literal

from pydantic import Field, ValidationError

from flashfusion import tracing
from flashfusion.app.deps import Deps
from flashfusion.app.operating_metrics import emit_for_request
from flashfusion.errors import BrandKitNotFound, InvalidRequest, NoModelAvailable, RequestNotFound, UnsafeDestination
from flashfusion.modelbase import CamelModel
from flashfusion.models import AssetRequest, AssetSubmission, RequestRecord, Revision
from flashfusion.observability import MetricUnit
from flashfusion.routing import router

ORG_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}\Z")
"""An id as we issue them; ``\\Z``, not ``$``, so a trailing newline is refused too."""


class Accepted(CamelModel):
    """``POST /v1/assets``'s answer: the request is stored and its workflow started (or it already was)."""

    request_id: str
    status: Literal["accepted"] = "accepted"
    duplicate: bool = Field(description="true: this clientRequestId was submitted before; nothing new started")
    status_url: str = Field(description="where to poll the request's status")


def field_errors(error: ValidationError) -> list[dict[str, str]]:
    return [{"field": ".".join(str(p) for p in e["loc"]) or "body", "problem": e["msg"]} for e in error.errors()]


def parse_submission(body: Any) -> AssetSubmission:
    if isinstance(body, AssetSubmission):  # validated by the API already
        return body
    if not isinstance(body, dict):
        raise InvalidRequest("the body must be a JSON object", [{"field": "body", "problem": "not a JSON object"}])
    try:
        return AssetSubmission.model_validate(body)
    except ValidationError as error:
        raise InvalidRequest("the request is invalid", field_errors(error)) from error


def submission_hash(submission: AssetSubmission) -> str:
    body = submission.to_json()
    if not submission.sponsored:
        # added after requests were stored with this hash: a submission that does not use it hashes as before,
        # so a client retrying across the upgrade is still recognised as the same request
        body.pop("sponsored", None)
    if submission.cache == "use":  # the default, added later: hashes as before (see sponsored)
        body.pop("cache", None)
    if submission.operation == "generate":
        body.pop("operation", None)  # likewise: requests stored before brand_style hash as they did
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def check_feasible(submission: AssetSubmission, org_id: str, deps: Deps) -> None:
    if submission.faults and not deps.settings.allow_fault_injection:
        raise InvalidRequest(
            "fault injection is only allowed on the local engine",
            [{"field": "faults", "problem": "not allowed in this deployment"}],
        )
    try:
        router.route(deps.matrix, router.query_for(submission, deps.available_providers, None))
    except NoModelAvailable as error:
        where = "contentType" if submission.operation == "generate" else "operation"
        raise InvalidRequest(str(error), [{"field": where, "problem": str(error)}]) from error
    try:
        deps.kits.get(org_id, submission.brand_kit_id)
    except BrandKitNotFound as error:
        raise InvalidRequest(str(error), [{"field": "brandKitId", "problem": str(error)}]) from error
    if submission.campaign_id:
        from flashfusion.storage.campaigns import CampaignNotFound

        try:
            deps.campaigns.get(org_id, submission.campaign_id, with_assets=False)
        except CampaignNotFound as error:
            problem = f"campaign {submission.campaign_id!r} not found in this organisation"
            raise InvalidRequest(problem, [{"field": "campaignId", "problem": problem}]) from error
    if submission.schedule is not None:
        check_schedule(submission, org_id, deps)
    if submission.callback_url is not None:
        check_callback(submission.callback_url, org_id, deps)
    if submission.style is not None:
        from flashfusion.app.source_uploads import check_source

        check_source(org_id, submission.style.source_upload_id, deps)


def check_callback(url: str, org_id: str, deps: Deps) -> None:
    """A callback goes only to a public https URL, signed with the organisation's callback secret."""
    from flashfusion.outbound import check_url

    try:
        check_url(url)
    except UnsafeDestination as error:
        raise InvalidRequest(f"callbackUrl {error}", [{"field": "callbackUrl", "problem": str(error)}]) from error
    if deps.callback_secrets is None or deps.callback_secrets.get(org_id) is None:
        problem = (
            "this organisation has no callback signing secret: an admin creates one with POST /v1/callbacks/secret"
        )
        raise InvalidRequest(problem, [{"field": "callbackUrl", "problem": problem}])


def check_schedule(submission: AssetSubmission, org_id: str, deps: Deps) -> None:
    """What can be known at submit about the posts asked for: a plan needs a campaign, a time must be ahead,
    and every target must be an active account of this organisation on that platform. (Whatever changes
    before the asset is saved is reported on the request as ``followUpError``.)"""
    from flashfusion.app.posts import check_account, check_future
    from flashfusion.models import utcnow
    from flashfusion.storage.campaigns import AccountNotFound

    schedule = submission.schedule
    assert schedule is not None
    if schedule.mode == "campaign_plan":
        if not submission.campaign_id:
            problem = "'add to the campaign plan' needs a campaignId on the request"
            raise InvalidRequest(problem, [{"field": "campaignId", "problem": problem}])
        return
    assert schedule.at is not None  # ScheduleRequest guarantees it for mode 'at'
    check_future(schedule.at, utcnow(), "schedule.at")
    for index, target in enumerate(schedule.targets):
        where = f"schedule.targets.{index}.accountId"
        try:
            check_account(deps.accounts.get(org_id, target.account_id), target.platform)
        except AccountNotFound as error:
            problem = f"account {target.account_id!r} not found in this organisation"
            raise InvalidRequest(problem, [{"field": where, "problem": problem}]) from error
        except InvalidRequest as error:
            raise InvalidRequest(str(error), [{"field": where, "problem": str(error)}]) from error


def submit(body: Any, org_id: str, user_id: str, deps: Deps, sfn: Any) -> tuple[str, bool]:
    """Validate, store and start a request. Returns (request id, whether this call started it)."""
    check_org(org_id)
    submission = parse_submission(body)
    check_feasible(submission, org_id, deps)
    request = AssetRequest(**submission.model_dump(), request_id=str(uuid.uuid4()), org_id=org_id, user_id=user_id)
    try:
        request_id, created = deps.requests.create(request, submission_hash(submission))
    except ValueError as error:
        raise InvalidRequest(str(error), [{"field": "clientRequestId", "problem": str(error)}]) from error
    if not created:
        existing = deps.requests.get_item(org_id, request_id) or {}
        if existing.get("executionArn"):
            return request_id, False
        # Stored but never started (the first call died in between): start it now, same name.
        request = AssetRequest.model_validate(existing["request"])
    try:
        start(request, deps, sfn)
    except Exception:
        if created:  # leave nothing behind that no workflow will ever finish
            deps.requests.delete(org_id, request_id, request.client_request_id)
        raise
    if created:
        emit_for_request("RequestsSubmitted", MetricUnit.Count, 1, None, request.content_type.value, request.tier.value)
    return request_id, created


def start(request: AssetRequest, deps: Deps, sfn: Any, name: str | None = None) -> str:
    """Start the workflow for a request; the execution name makes a repeated start a no-op."""
    name = name or request.request_id
    tracing.bind_request(request.request_id, request.org_id)
    header = tracing.trace_header()
    try:
        with tracing.span("start workflow", {"flashfusion.execution_name": name}):
            response = sfn.start_execution(
                stateMachineArn=deps.settings.state_machine_arn,
                name=name,
                # The revision is part of the state from the start: the Map state selects it by path.
                input=json.dumps({"request": request.to_json(), "revision": Revision().to_json()}),
                # the execution, and so every step's Lambda, joins this invocation's trace
                **({"traceHeader": header} if header else {}),
            )
        arn = str(response["executionArn"])
    except sfn.exceptions.ExecutionAlreadyExists:
        arn = f"{deps.settings.state_machine_arn.replace(':stateMachine:', ':execution:')}:{name}"
    deps.requests.set_execution(request.org_id, request.request_id, arn)
    return arn


def status(org_id: str, request_id: str, deps: Deps) -> RequestRecord:
    check_org(org_id)
    if not ORG_ID.match(request_id):  # not an id we ever issued: no lookup, same answer as unknown
        raise RequestNotFound(f"request {request_id} not found")
    return deps.requests.get(org_id, request_id)


def check_org(org_id: str) -> None:
    if not org_id:
        raise InvalidRequest(
            "the caller has no organisation", [{"field": "orgId", "problem": "missing from the token"}]
        )
    if not ORG_ID.match(org_id):
        raise InvalidRequest(
            "the caller's organisation id is malformed",
            [{"field": "orgId", "problem": "the token's organisation claim must match [A-Za-z0-9._-]{1,64}"}],
        )
