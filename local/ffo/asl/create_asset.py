"""The create-asset workflow (statemachine/create_asset.asl.json), built from the DSL in ``builder``.

Regenerate with ``python -m ffo.asl`` (``make asl``); tests/unit/test_asl_generated.py fails when the
committed file differs from what this module builds.
"""

from __future__ import annotations

from flashfusion import errors
from flashfusion.storage import keys

from .builder import (
    AWS_THROTTLING,
    DYNAMODB_TRANSIENT,
    LAMBDA_SERVICE_ERRORS,
    LAMBDA_TRANSIENT,
    PROVIDER_FINAL_ERRORS,
    PROVIDER_RETRIES,
    PROVIDER_TRANSIENT_ERRORS,
    SQS_SEND,
    Retrier,
    State,
    all_of,
    catch,
    catch_all,
    choice,
    fail,
    inline_map,
    lambda_task,
    machine,
    pass_state,
    rule,
    s_path,
    s_value,
    states_format,
    sub,
    succeed,
    task,
    wait,
)

PATH = "statemachine/create_asset.asl.json"
"""Where the definition is committed, relative to the repository root (template.yaml's DefinitionUri)."""

COMMENT = (
    "FlashFusion create-asset workflow: validate, route within budget, generate (retry, poll long jobs, fall back), "
    "lint, auto-fix, human review (approve, edit, regenerate, reject; expiry), save with content credentials, "
    "translate per locale; budget-exhausted batch requests wait in a queue."
)

FAIL = "ReleaseBudget"
"""Where an unexpected error goes: give back the budget, record the failure, announce it, fail."""

GENERATION_RETRIES: tuple[Retrier, ...] = (*PROVIDER_RETRIES, LAMBDA_TRANSIENT)
"""Generate, PollGeneration and TranslateAsset: provider transient errors, then the invoke itself."""

LINT_RETRIES: tuple[Retrier, ...] = (LAMBDA_TRANSIENT, AWS_THROTTLING)
"""Every state that runs the Lint function, the one that calls Rekognition (OCR, moderation): a throttled
DetectText/DetectModerationLabels is retried, not a failed request."""

SCHEDULE_RETRIES: tuple[Retrier, ...] = (LAMBDA_TRANSIENT, AWS_THROTTLING)
"""SchedulePosts: transient errors only (DynamoDB or Scheduler throttling arrives typed as AwsThrottled).
Not States.TaskFailed: InvalidRequest and other definite errors would only be repeated."""

FALLBACK_ERRORS = (
    *PROVIDER_TRANSIENT_ERRORS,
    *PROVIDER_FINAL_ERRORS,
    "States.Timeout",
    *LAMBDA_SERVICE_ERRORS,
)
"""What sends Generate or PollGeneration to the next model of the chain (after their retries)."""

BUDGET_EXCEEDED = errors.BudgetExceeded.__name__
TRANSLATION_SKIPPED = errors.TranslationSkipped.__name__
POSTS_NOT_SCHEDULED = errors.PostsNotScheduled.__name__


# --- the request item, updated directly (no Lambda) ---------------------------------------------


def request_key() -> State:
    """keys.request_key(orgId, requestId) as States.Format."""
    return {
        "PK": {"S.$": states_format(keys.ORG_PK_FORMAT, "$.request.orgId")},
        "SK": {"S.$": states_format(keys.REQUEST_SK_FORMAT, "$.request.requestId")},
    }


def campaign_asset_key() -> State:
    """keys.campaign_asset_key(orgId, campaignId, assetId) as States.Format."""
    return {
        "PK": {"S.$": states_format(keys.ORG_PK_FORMAT, "$.request.orgId")},
        "SK": {"S.$": states_format(keys.CAMPAIGN_ASSET_SK_FORMAT, "$.request.campaignId", "$.saved.asset.assetId")},
    }


NOW = s_path("$$.State.EnteredTime")


def error_value(path: str) -> State:
    """A Step Functions error object ({Error, Cause}) as the request's ``{type, message}`` map."""
    return {"M": {"type": s_path(f"{path}.Error"), "message": s_path(f"{path}.Cause")}}


def update_request(
    *,
    comment: str,
    update_expression: str,
    names: State,
    values: State,
    next_state: str | None = None,
    end: bool = False,
) -> State:
    """An UpdateItem on the request item that exists already (ConditionExpression), DynamoDB transient retry."""
    return task(
        "arn:aws:states:::dynamodb:updateItem",
        comment=comment,
        parameters={
            "TableName": sub("TableName"),
            "Key": request_key(),
            "UpdateExpression": update_expression,
            "ConditionExpression": "attribute_exists(PK)",
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
        },
        result_path=None,
        retry=(DYNAMODB_TRANSIENT,),
        next_state=next_state,
        end=end,
    )


def set_status(status: str, *, comment: str, next_state: str, with_error: bool = False) -> State:
    names = {"#status": "status", "#updatedAt": "updatedAt"}
    values: State = {":status": s_value(status), ":now": NOW}
    expression = "SET #status = :status, #updatedAt = :now"
    if with_error:
        names["#error"] = "error"
        values[":error"] = error_value("$.error")
        expression += ", #error = :error"
    return update_request(
        comment=comment, update_expression=expression, names=names, values=values, next_state=next_state
    )


def record_locale(status: str, comment: str) -> State:
    return update_request(
        comment=comment,
        update_expression="SET #t.#l = :outcome, #updatedAt = :now",
        names={"#t": "translations", "#l.$": "$.locale", "#updatedAt": "updatedAt"},
        values={
            ":outcome": {
                "M": {"locale": s_path("$.locale"), "status": s_value(status), "error": s_path("$.error.Cause")}
            },
            ":now": NOW,
        },
        end=True,
    )


# --- the states ----------------------------------------------------------------------------------


def review_wait(comment: str, *, expire: str, decided: str) -> State:
    """A review holding the task's token (RequestReview, RequestBundleReview): the kit's timeout and heartbeat
    end the wait at ``expire``; the decision goes to ``decided``."""
    return task(
        "arn:aws:states:::lambda:invoke.waitForTaskToken",
        comment=comment,
        parameters={
            "FunctionName": sub("RequestReviewFunctionArn"),
            "Payload": {"taskToken.$": "$$.Task.Token", "state.$": "$"},
        },
        timeout_seconds_path="$.validated.review.timeoutSeconds",
        heartbeat_seconds_path="$.validated.review.heartbeatSeconds",
        result_path="$.review",
        retry=(LAMBDA_TRANSIENT,),
        catches=[
            catch(["States.Timeout", "States.HeartbeatTimeout"], expire, "$.reviewTimeout"),
            catch_all(FAIL),
        ],
        next_state=decided,
    )


def _generation_catches() -> list[State]:
    return [catch(FALLBACK_ERRORS, "Fallback", "$.lastError"), catch_all(FAIL)]


class Names:
    """The state names of one generate/poll/fallback/lint/autofix pipeline: the single asset's (and a bundle's
    lead part's) as they always were, and a bundle media part's with a prefix (ASL state names are unique in
    the whole machine, Map iterators included)."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def __getattr__(self, name: str) -> str:
        return self.prefix + name


MAIN = Names("")
PART = Names("Part")


def _generation_pipeline(
    names: Names,
    *,
    fail: str,
    on_compliant: str,
    on_review: str,
    fallback_catches: list[State],
    lead_rules: list[State] | None = None,
) -> dict[str, State]:
    """Generate (retry, poll long jobs, fall back) then lint and auto-fix: the same states for a single asset
    and for each part of a bundle; only where they go on success, review and failure differs."""
    generation_catches = [catch(FALLBACK_ERRORS, names.Fallback, "$.lastError"), catch_all(fail)]
    return {
        names.Generate: lambda_task(
            "GenerateFunctionArn",
            comment="Calls the routed model (or submits its job). Transient vendor errors are retried with capped, "
            "jittered backoff; then the next model of the chain is tried.",
            result_path="$.generation",
            timeout_seconds=120,
            retry=GENERATION_RETRIES,
            catches=generation_catches,
            next_state=names.IsGenerationReady,
        ),
        names.IsGenerationReady: choice(
            [rule("$.generation.status", "StringEquals", "pending", names.WaitForVendor)],
            names.LintAsset,
            comment="Long jobs (video, music) come back pending: wait, then poll; no Lambda sleeps on a vendor.",
        ),
        names.WaitForVendor: wait("$.generation.pollAfterSeconds", names.PollGeneration),
        names.PollGeneration: lambda_task(
            "PollFunctionArn",
            comment="Asks the vendor how its job is doing; stages the output when done; GenerationTimedOut past "
            "the model's maximum wait.",
            result_path="$.generation",
            timeout_seconds=120,
            retry=GENERATION_RETRIES,
            catches=generation_catches,
            next_state=names.IsGenerationReady,
        ),
        names.Fallback: lambda_task(
            "FallbackFunctionArn",
            comment="Releases the failed model's reservation, then the next model of the chain that fits the "
            "budget; FallbackChainExhausted names what each model said.",
            result_path="$.route",
            catches=fallback_catches,
            next_state=names.Generate,
        ),
        names.LintAsset: lambda_task(
            "LintFunctionArn",
            comment="Checks the staged output against the pinned brand kit version: text voice, legal and "
            "platform rules; image colours, logo and moderation; video frames and duration; audio loudness.",
            result_path="$.lint",
            retry=LINT_RETRIES,
            catches=[catch_all(fail)],
            next_state=names.IsCompliant,
        ),
        names.IsCompliant: choice(
            [
                *(lead_rules or []),
                rule("$.lint.compliant", "BooleanEquals", True, on_compliant),
                all_of(
                    [
                        rule("$.lint.autoFixable", "BooleanEquals", True),
                        rule("$.generation.autofixRounds", "NumericLessThan", 2),
                    ],
                    names.AutoFix,
                ),
            ],
            on_review,
            comment="Compliant: save. Fixable (substitutions, disclaimers, trims): fix and lint again, twice at "
            "most. Otherwise a person decides.",
        ),
        names.AutoFix: lambda_task(
            "AutoFixFunctionArn",
            comment="Applies the report's mechanical fixes to the staged text as a new staged object.",
            result_path="$.generation",
            catches=[catch_all(fail)],
            next_state=names.LintAsset,
        ),
    }


IS_BUNDLE = rule("$.request.bundle", "IsPresent", True)
REVIEWED = rule("$.review", "IsPresent", True)


def _bundle_lead_rules() -> list[State]:
    """A bundle's lead text part goes on to its media parts once it is compliant or no fix is left: the bundle
    is reviewed as one, after every part exists."""
    return [
        all_of([IS_BUNDLE, rule("$.lint.compliant", "BooleanEquals", True)], "PlanParts"),
        all_of(
            [
                IS_BUNDLE,
                rule("$.lint.autoFixable", "BooleanEquals", True),
                rule("$.generation.autofixRounds", "NumericLessThan", 2),
            ],
            "AutoFix",
        ),
        {**IS_BUNDLE, "Next": "PlanParts"},
    ]


def _part_states() -> dict[str, State]:
    """One media part of a bundle, inside the parts' Map state: routed, generated, fallen back, linted and
    auto-fixed by the single asset's states; a part that cannot be made ends as a failed result (LintBundle
    fails the bundle when the part was required)."""
    failed = "PartFailed"
    return {
        "PartRoute": lambda_task(
            "RouteFunctionArn",
            comment="The part's model and fallback chain (the bundle's one hold covers it: nothing is reserved).",
            result_path="$.route",
            catches=[catch_all(failed)],
            next_state=PART.Generate,
        ),
        **_generation_pipeline(
            PART,
            fail=failed,
            on_compliant="PartDone",
            on_review="PartDone",
            fallback_catches=[catch_all(failed)],
        ),
        "PartDone": pass_state(
            comment="The part's result: its staged output and lint verdict (the full report stays in S3).",
            parameters={
                "status": "done",
                "part.$": "$.part",
                "generation.$": "$.generation",
                "compliant.$": "$.lint.compliant",
                "lintReportKey.$": "$.lint.reportKey",
                "revision.$": "$.revision",
            },
            result_path="$",
            end=True,
        ),
        failed: pass_state(
            comment="The part could not be made: its error, for the bundle to judge (required or optional).",
            parameters={"status": "failed", "part.$": "$.part", "error.$": "$.error"},
            result_path="$",
            end=True,
        ),
    }


def _bundle_states() -> dict[str, State]:
    return {
        "PlanParts": lambda_task(
            "PlanPartsFunctionArn",
            comment="The media parts' requests, their prompts made from the lead text part (the image's headline "
            "from the copy, the video from the script).",
            result_path="$.bundle",
            catches=[catch_all(FAIL)],
            next_state="GenerateParts",
        ),
        "GenerateParts": inline_map(
            comment="The media parts in parallel, each through the single asset's states with its own fallback "
            "chain; a part that fails does not stop the others.",
            items_path="$.bundle.queue",
            max_concurrency=4,
            item_selector={
                "request.$": "$$.Map.Item.Value.request",
                "part.$": "$$.Map.Item.Value.part",
                "revision.$": "$$.Map.Item.Value.revision",
                "validated.$": "$.validated",
            },
            start_at="PartRoute",
            states=_part_states(),
            result_path="$.parts",
            catches=[catch_all(FAIL)],
            next_state="LintBundle",
        ),
        "LintBundle": lambda_task(
            "LintBundleFunctionArn",
            timeout_seconds=120,  # OCR of every image (up to 10 in a carousel)
            comment="Fails the bundle if a required part could not be made; else lints the parts together: the "
            "caption and the image's own text agree, no banned term anywhere, the disclosure where the platform "
            "shows it, the parts fit the platform.",
            result_path="$.bundleCheck",
            retry=LINT_RETRIES,
            catches=[catch_all(FAIL)],
            next_state="IsBundleCompliant",
        ),
        "IsBundleCompliant": choice(
            [rule("$.bundleCheck.compliant", "BooleanEquals", True, "SaveBundle")],
            "RequestBundleReview",
            comment="Every part and the bundle as a whole pass: save. Otherwise the bundle is reviewed as one.",
        ),
        "SaveBundle": lambda_task(
            "SaveBundleFunctionArn",
            comment="Every part stored with its content credentials and provenance (bundleId; a derived part "
            "names the lead as its ingredient), the bundle's record, the hold settled at the actual spend.",
            result_path="$.saved",
            catches=[catch_all(FAIL)],
            next_state="BundleSaved",
        ),
        "RequestBundleReview": review_wait(
            "One review for the whole bundle, every part on it; waits for the decision (a decision may "
            "name the part it edits or regenerates).",
            expire="ExpireBundleReview",
            decided="BundleReviewDecided",
        ),
        "ExpireBundleReview": lambda_task(
            "ExpireReviewFunctionArn",
            comment="Closes the abandoned bundle review (status review_expired) and announces it.",
            result_path="$.review",
            catches=[catch_all(FAIL)],
            next_state="SaveBundle",
        ),
        "BundleReviewDecided": choice(
            [
                rule("$.review.decision", "StringEquals", "approve", "SaveBundle"),
                rule("$.review.decision", "StringEquals", "reject", "SaveBundle"),
            ],
            "ReviseBundle",
            comment="Approved or rejected: the bundle is stored with the decision. An edit or a regeneration is "
            "for one part (the decision's partId; the lead text part by default).",
        ),
        "ReviseBundle": lambda_task(
            "ReviseBundleFunctionArn",
            comment="The edited part becomes its next version (human-edited); or the part is made again with the "
            "feedback: the lead (then every part from it) from RouteModel, a media part alone through the Map.",
            result_path="$",
            catches=[catch_all(FAIL)],
            next_state="AfterBundleRevision",
        ),
        "AfterBundleRevision": choice(
            [
                rule("$.bundle.regenerate", "StringEquals", "lead", "RouteModel"),
                rule("$.bundle.regenerate", "StringEquals", "parts", "GenerateParts"),
            ],
            "LintRevisedBundle",
            comment="A regeneration goes back through the workflow; an edit is linted for the record and saved.",
        ),
        "LintRevisedBundle": lambda_task(
            "LintBundleFunctionArn",
            timeout_seconds=120,  # OCR of every image (up to 10 in a carousel)
            comment="Lints the bundle with the reviewer's edit for the record; the reviewer's approval stands.",
            result_path="$.bundleCheck",
            retry=LINT_RETRIES,
            catches=[catch_all(FAIL)],
            next_state="SaveBundle",
        ),
        "BundleSaved": choice(
            [
                all_of([REVIEWED, rule("$.review.decision", "StringEquals", "reject")], "Rejected"),
                all_of([REVIEWED, rule("$.review.decision", "StringEquals", "expired")], "ReviewExpired"),
            ],
            "Succeeded",
            comment="A rejected or expired bundle is stored for the audit; otherwise it is done.",
        ),
    }


def _main_states() -> dict[str, State]:
    return {
        "ValidateRequest": lambda_task(
            "ValidateFunctionArn",
            comment="Brand kit exists in the organisation; pins its version; refuses faults outside local mode.",
            result_path="$.validated",
            catches=[catch_all(FAIL)],
            next_state="RouteModel",
        ),
        "RouteModel": lambda_task(
            "RouteFunctionArn",
            comment="Picks the model and fallback chain within the org's remaining budget, and reserves its "
            "estimated cost.",
            result_path="$.route",
            catches=[catch([BUDGET_EXCEEDED], "IsBatch"), catch_all(FAIL)],
            next_state="Generate",
        ),
        **_generation_pipeline(
            MAIN,
            fail=FAIL,
            on_compliant="SaveAsset",
            on_review="RequestReview",
            fallback_catches=[catch([BUDGET_EXCEEDED], "IsBatch"), catch_all(FAIL)],
            lead_rules=_bundle_lead_rules(),
        ),
        "SaveAsset": lambda_task(
            "SaveFunctionArn",
            comment="Stores the output under its permanent key with embedded content credentials (or a sidecar "
            "manifest), then the provenance record.",
            result_path="$.saved",
            catches=[catch_all(FAIL)],
            next_state="HasCampaign",
        ),
        "IsBatch": choice(
            [rule("$.request.latency", "StringEquals", "batch", "QueueForBudget")],
            FAIL,
            comment="Out of budget: a batch request waits in the queue for budget; a realtime one fails now.",
        ),
        "QueueForBudget": task(
            "arn:aws:states:::sqs:sendMessage",
            comment="The batch worker restarts the request when the budget allows.",
            parameters={
                "QueueUrl": sub("BatchQueueUrl"),
                "MessageBody": {"request.$": "$.request", "reason.$": "$.error.Cause"},
            },
            result_path=None,
            retry=(SQS_SEND,),
            catches=[catch_all(FAIL, "$.queueError")],
            next_state="MarkQueued",
        ),
        "MarkQueued": set_status(
            "queued",
            comment="Queued for budget, with the reason on the request.",
            next_state="Queued",
            with_error=True,
        ),
        "Queued": succeed(),
        "ReleaseBudget": lambda_task(
            "ReleaseFunctionArn",
            comment="Gives back any budget the request still holds.",
            result_path=None,
            catches=[catch_all("MarkFailed", "$.releaseError")],
            next_state="MarkFailed",
        ),
        "MarkFailed": set_status(
            "failed",
            comment="Records the error and its readable cause on the request.",
            next_state="AnnounceFailure",
            with_error=True,
        ),
        "AnnounceFailure": choice(
            [rule("$.request.speculative", "IsPresent", True, "Failed")],
            default="EmitFailed",
            comment="A pre-generated (speculative) request fails quietly: nobody asked for it, so nobody is told.",
        ),
        "EmitFailed": task(
            "arn:aws:states:::events:putEvents",
            comment="Tells subscribers (alerts, dashboards) that a request failed, and why.",
            parameters={
                "Entries": [
                    {
                        "Source": "flashfusion.orchestrator",
                        "DetailType": "AssetRequestFailed",
                        "EventBusName": sub("EventBusName"),
                        "Detail": {
                            "orgId.$": "$.request.orgId",
                            "requestId.$": "$.request.requestId",
                            "error.$": "$.error.Error",
                            "cause.$": "$.error.Cause",
                        },
                    }
                ]
            },
            result_path=None,
            catches=[catch_all("Failed", "$.eventError")],
            next_state="Failed",
        ),
        "Failed": fail(error_path="$.error.Error", cause_path="$.error.Cause"),
        "RequestReview": review_wait(
            "Opens a review holding this task's token and waits for the decision. Nobody deciding within "
            "TimeoutSeconds, or nobody touching the review within HeartbeatSeconds, ends the wait.",
            expire="ExpireReview",
            decided="ReviewDecided",
        ),
        "ReviewDecided": choice(
            [rule("$.review.decision", "StringEquals", "approve", "SaveAsset")],
            "SaveReviewedVersion",
            comment="Approved as it is: save it as the result. Anything else: store the version the reviewer saw "
            "first.",
        ),
        "ExpireReview": lambda_task(
            "ExpireReviewFunctionArn",
            comment="Closes the abandoned review (status review_expired) and announces it.",
            result_path="$.review",
            catches=[catch_all(FAIL)],
            next_state="SaveReviewedVersion",
        ),
        "SaveReviewedVersion": lambda_task(
            "SaveReviewedFunctionArn",
            comment="Stores the reviewed version with the decision (superseded, rejected or expired) and its "
            "credentials.",
            result_path="$.reviewed",
            catches=[catch_all(FAIL)],
            next_state="AfterReview",
        ),
        "AfterReview": choice(
            [
                rule("$.review.decision", "StringEquals", "approve_with_edits", "ApplyEdits"),
                rule("$.review.decision", "StringEquals", "regenerate", "PrepareRegeneration"),
                rule("$.review.decision", "StringEquals", "reject", "Rejected"),
            ],
            "ReviewExpired",
            comment="Edits become the next version; regeneration goes back through routing; rejection and expiry "
            "end here.",
        ),
        "ApplyEdits": lambda_task(
            "ApplyEditsFunctionArn",
            comment="The edited text or replacement file becomes the next version (humanEdited).",
            result_path="$.generation",
            catches=[catch_all(FAIL)],
            next_state="LintEdited",
        ),
        "LintEdited": lambda_task(
            "LintFunctionArn",
            comment="Lints the human-edited version for the record; the reviewer's approval stands.",
            result_path="$.lint",
            retry=LINT_RETRIES,
            catches=[catch_all(FAIL)],
            next_state="SaveAsset",
        ),
        "PrepareRegeneration": lambda_task(
            "PrepareRegenerationFunctionArn",
            comment="Adds the feedback to the prompt for the next round (at most the kit's maxRegenerations) and "
            "clears the last round's route, output and lint.",
            result_path="$",
            catches=[catch_all(FAIL)],
            next_state="RouteModel",
        ),
        "Rejected": succeed("Rejected by a reviewer: stored for the audit, nothing published."),
        "ReviewExpired": succeed("Nobody decided in time: stored for the audit, nothing published."),
        "HasLocales": choice(
            [rule("$.validated.localeCount", "NumericGreaterThan", 0, "TranslateLocales")],
            "WantsPosts",
            comment="Translations requested?",
        ),
        "TranslateLocales": inline_map(
            comment="One child version per locale; a failed locale is recorded and does not fail the others.",
            items_path="$.request.locales",
            max_concurrency=4,
            item_selector={
                "request.$": "$.request",
                "validated.$": "$.validated",
                "revision.$": "$.revision",
                "saved.$": "$.saved",
                "locale.$": "$$.Map.Item.Value",
            },
            start_at="TranslateAsset",
            states=_locale_states(),
            result_path=None,
            catches=[catch_all("MarkSucceeded", "$.translationError")],
            next_state="MarkSucceeded",
        ),
        "MarkSucceeded": set_status(
            "succeeded",
            comment="The source asset and every locale's outcome are recorded: the request is done.",
            next_state="WantsPosts",
        ),
        "HasCampaign": choice(
            [rule("$.validated.hasCampaign", "BooleanEquals", True, "AddToCampaign")],
            "HasLocales",
            comment="Does the saved asset join a campaign?",
        ),
        "AddToCampaign": task(
            "arn:aws:states:::dynamodb:updateItem",
            comment="The saved asset joins its campaign: one item per asset, written directly (no Lambda needed).",
            parameters={
                "TableName": sub("TableName"),
                "Key": campaign_asset_key(),
                "UpdateExpression": "SET assetId = :a, assetVersion = :v, campaignId = :c, requestId = :r, "
                "#t = :t, addedAt = if_not_exists(addedAt, :now)",
                "ExpressionAttributeNames": {"#t": "type"},
                "ExpressionAttributeValues": {
                    ":a": s_path("$.saved.asset.assetId"),
                    ":v": {"N.$": states_format("{}", "$.saved.asset.version")},
                    ":c": s_path("$.request.campaignId"),
                    ":r": s_path("$.request.requestId"),
                    ":t": s_value("campaign_asset"),
                    ":now": NOW,
                },
            },
            result_path=None,
            retry=(DYNAMODB_TRANSIENT,),
            catches=[catch_all("RecordFollowUpError", "$.followUpError")],
            next_state="HasLocales",
        ),
        "WantsPosts": choice(
            [rule("$.validated.wantsPosts", "BooleanEquals", True, "SchedulePosts")],
            "Succeeded",
            comment="Did the request ask for posts (a time and platforms, or the campaign plan)?",
        ),
        "SchedulePosts": lambda_task(
            "SchedulePostsFunctionArn",
            comment="One EventBridge Scheduler schedule per post; a target that cannot be scheduled is reported, "
            "not failed.",
            result_path="$.posts",
            retry=SCHEDULE_RETRIES,
            catches=[catch_all("RecordFollowUpError", "$.followUpError")],
            next_state="AllPostsScheduled",
        ),
        "AllPostsScheduled": choice(
            [rule("$.posts.skipped[0]", "IsPresent", True, "ReportSkippedPosts")],
            "Succeeded",
            comment="A target that could not be scheduled (account gone or inactive, time passed) is not silent.",
        ),
        "ReportSkippedPosts": pass_state(
            comment="The posts not scheduled, with their reasons, as the request's followUpError.",
            parameters={"Error": POSTS_NOT_SCHEDULED, "Cause.$": "States.JsonToString($.posts.skipped)"},
            result_path="$.followUpError",
            next_state="RecordFollowUpError",
        ),
        "RecordFollowUpError": update_request(
            comment="The asset is saved, but joining the campaign or scheduling its posts failed: the request says so.",
            update_expression="SET #f = :f, #updatedAt = :now",
            names={"#f": "followUpError", "#updatedAt": "updatedAt"},
            values={":f": error_value("$.followUpError"), ":now": NOW},
            next_state="Succeeded",
        ),
        "Succeeded": succeed(),
    }


def _locale_states() -> dict[str, State]:
    locale_catches = [catch([TRANSLATION_SKIPPED], "RecordLocaleSkipped"), catch_all("RecordLocaleFailed")]
    return {
        "TranslateAsset": lambda_task(
            "TranslateFunctionArn",
            comment="Text through the text router; an offline image or video redrawn with its headline translated.",
            result_path="$.generation",
            timeout_seconds=120,
            retry=GENERATION_RETRIES,
            catches=locale_catches,
            next_state="LintTranslation",
        ),
        "LintTranslation": lambda_task(
            "LintFunctionArn",
            comment="Lints the translation against the kit's rules for its locale.",
            result_path="$.lint",
            timeout_seconds=120,
            retry=LINT_RETRIES,
            catches=locale_catches,
            next_state="SaveTranslation",
        ),
        "SaveTranslation": lambda_task(
            "SaveTranslationFunctionArn",
            comment="Stores it as a child of the source version with its own provenance, and the locale's outcome.",
            result_path="$.translated",
            timeout_seconds=120,
            catches=locale_catches,
            next_state="LocaleDone",
        ),
        "LocaleDone": succeed(),
        "RecordLocaleSkipped": record_locale(
            "skipped", "Records this locale as skipped, with the reason; the other locales go on."
        ),
        "RecordLocaleFailed": record_locale(
            "failed", "Records this locale as failed, with the reason; the other locales go on."
        ),
    }


def definition() -> State:
    """The whole state machine definition, SAM ``${...}`` substitutions left in place."""
    return machine(COMMENT, "ValidateRequest", {**_main_states(), **_bundle_states()})
