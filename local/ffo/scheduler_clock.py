"""EventBridge Scheduler, locally: moto stores schedules but never fires them; this fires them on a clock.

``fire_due(engine, until)`` reads every schedule from moto, parses its one-time ``at(...)`` expression
in its ``ScheduleExpressionTimezone``, and fires those due by ``until`` (oldest first) through
``engine.invoke(<target function logical id>, <target input>)``: the same publish handler as in AWS.
A failed invocation is retried up to the target's ``RetryPolicy.MaximumRetryAttempts`` (instantly), then
its input goes to the target's dead-letter queue with the error; a schedule whose
``ActionAfterCompletion`` is DELETE is deleted once fired. A fire may create new schedules (a rate-limit
retry): they are fired too when due by ``until``. Recurring (``rate``/``cron``) schedules are ignored.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

AT = re.compile(r"^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$")
MAX_ROUNDS = 100


@dataclass
class Fired:
    name: str
    group: str
    due: datetime
    function: str
    input: dict[str, Any]
    attempts: int
    ok: bool
    result: Any = None
    error: str | None = None
    dead_lettered: bool = False
    deleted: bool = False

    def describe(self) -> str:
        what = self.result if self.ok else self.error
        extra = " -> dead-letter queue" if self.dead_lettered else ""
        return (
            f"{self.due.isoformat()} {self.group}/{self.name} -> {self.function} "
            f"({self.attempts} attempt{'s' if self.attempts != 1 else ''}): {json.dumps(what)}{extra}"
        )


@dataclass
class Clock:
    """What already fired (a schedule kept after completion must not fire twice)."""

    fired: set[tuple[str, str]] = field(default_factory=set)


def due_time(schedule: dict[str, Any]) -> datetime | None:
    """The instant a one-time schedule is due, or None for a recurring one."""
    match = AT.match(str(schedule.get("ScheduleExpression", "")))
    if not match:
        return None
    zone = ZoneInfo(str(schedule.get("ScheduleExpressionTimezone") or "UTC"))
    return datetime.fromisoformat(match.group(1)).replace(tzinfo=zone).astimezone(UTC)


def parse_time(text: str) -> datetime:
    """``--until``: ISO 8601 (an offset, or UTC when it has none), or ``now``, or ``+30m`` / ``+2h`` / ``+1d``."""
    now = datetime.now(UTC)
    if text == "now":
        return now
    relative = re.fullmatch(r"\+(\d+)([smhd])", text)
    if relative:
        seconds = int(relative.group(1)) * {"s": 1, "m": 60, "h": 3600, "d": 86400}[relative.group(2)]
        return datetime.fromtimestamp(now.timestamp() + seconds, UTC)
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _schedules(client: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {}
    while True:
        page = client.list_schedules(**kwargs)
        for short in page.get("Schedules", []):
            found.append(client.get_schedule(Name=short["Name"], GroupName=short["GroupName"]))
        if not page.get("NextToken"):
            return found
        kwargs["NextToken"] = page["NextToken"]


def _function_of(engine: Any, arn: str) -> str:
    name = arn.split(":function:", 1)[-1].split(":", 1)[0]
    if name in engine.resources.functions:
        return name
    for logical_id, resource in engine.template["Resources"].items():  # a named function (FunctionName)
        props = resource.get("Properties", {})
        named = resource.get("Type") == "AWS::Serverless::Function" and "FunctionName" in props
        if named and str(engine.resolver.resolve(props["FunctionName"])) == name:
            return str(logical_id)
    raise KeyError(f"schedule target {arn} is no function of the template")


def _dead_letter(engine: Any, arn: str, body: dict[str, Any]) -> None:
    sqs = engine.client("sqs")
    url = sqs.get_queue_url(QueueName=arn.rsplit(":", 1)[-1])["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps(body))


def fire_due(engine: Any, until: datetime, clock: Clock | None = None) -> list[Fired]:
    clock = clock or getattr(engine, "_scheduler_clock", None) or Clock()
    engine._scheduler_clock = clock
    client = engine.client("scheduler")
    fired: list[Fired] = []
    for _ in range(MAX_ROUNDS):
        due = []
        for schedule in _schedules(client):
            at = due_time(schedule)
            key = (schedule["GroupName"], schedule["Name"])
            if at is None or at > until or schedule.get("State") == "DISABLED" or key in clock.fired:
                continue
            due.append((at, schedule))
        if not due:
            return fired
        for at, schedule in sorted(due, key=lambda pair: (pair[0], pair[1]["Name"])):
            fired.append(_fire(engine, client, clock, at, schedule))
    raise RuntimeError(f"schedules kept coming due after {MAX_ROUNDS} rounds (a schedule re-creating itself?)")


def _fire(engine: Any, client: Any, clock: Clock, at: datetime, schedule: dict[str, Any]) -> Fired:
    target = schedule["Target"]
    function = _function_of(engine, target["Arn"])
    payload = json.loads(target.get("Input") or "{}")
    retries = int(target.get("RetryPolicy", {}).get("MaximumRetryAttempts", 0))
    record = Fired(schedule["Name"], schedule["GroupName"], at, function, payload, 0, False)
    for _ in range(retries + 1):
        record.attempts += 1
        result, invocation = engine.invoke(function, payload)
        if invocation.ok:
            record.ok, record.result, record.error = True, result, None
            break
        record.error = f"{invocation.error_type}: {(result or {}).get('errorMessage', '')}"
    clock.fired.add((schedule["GroupName"], schedule["Name"]))
    dead_letter = target.get("DeadLetterConfig", {}).get("Arn")
    if not record.ok and dead_letter:
        _dead_letter(engine, dead_letter, {"schedule": schedule["Name"], "input": payload, "error": record.error})
        record.dead_lettered = True
    if schedule.get("ActionAfterCompletion") == "DELETE":
        try:
            client.delete_schedule(Name=schedule["Name"], GroupName=schedule["GroupName"])
            record.deleted = True
        except client.exceptions.ResourceNotFoundException:
            pass
    return record


def serve(
    engine: Any, say: Callable[[str], Any], interval: float = 1.0, stop: Callable[[], bool] = lambda: False
) -> None:
    """Fire due schedules in real time until ``stop()`` (or Ctrl-C)."""
    while not stop():
        for record in fire_due(engine, datetime.now(UTC)):
            say(record.describe() + "\n")
        time.sleep(interval)


# the `ffo plan`, `ffo tick` and `ffo serve` commands ---------------------------------------------------
LOCAL_ACCOUNT = {"accountId": "outbox-main", "platform": "outbox", "handle": "local outbox"}


def plan_file(path: Any) -> str:
    """``ffo plan``: a campaign file (CampaignFields + ``assets`` [+ ``now``]) -> the planner's table."""
    import yaml

    from flashfusion.scheduling import planner
    from flashfusion.scheduling.models import Campaign, PlanAsset

    data = yaml.safe_load(path.read_text("utf-8"))  # JSON is YAML
    if not isinstance(data, dict):
        raise ValueError(f"{path} must hold a campaign object")
    assets = [PlanAsset.model_validate(a) for a in data.pop("assets", [])]
    now_text = data.pop("now", None)
    now = parse_time(str(now_text)) if now_text else datetime.now(UTC)
    data.setdefault("campaignId", path.stem.replace(" ", "-")[:64] or "campaign")
    data.setdefault("orgId", "local-org")
    data.setdefault("createdAt", now.isoformat())
    data.setdefault("updatedAt", now.isoformat())
    campaign = Campaign.model_validate(data)
    return planner.format_plan(planner.plan_campaign(campaign, assets, now=now))


def seed_accounts(engine: Any, org_id: str, accounts: list[dict[str, Any]]) -> None:
    from flashfusion.scheduling.models import PlatformAccount
    from flashfusion.wiring import scheduling_deps

    repository = scheduling_deps().accounts
    for account in [LOCAL_ACCOUNT, *accounts]:
        repository.put(org_id, PlatformAccount.model_validate(account))


def run_request(engine: Any, path: Any, kit: dict[str, Any], say: Callable[[str], Any], timeout: float) -> bool:
    """Submit a request file and wait for the workflow; its SchedulePosts state schedules the posts the
    body's ``schedule`` asks for."""
    from ffo.request_files import read_request_file

    _, body, caller = read_request_file(path)
    org_id = caller["orgId"]
    engine.seed_brand_kit(org_id, kit)
    seed_accounts(engine, org_id, list(caller.get("accounts", [])))
    result = engine.api("POST", "/v1/assets", body, {"org_id": org_id, "sub": caller["userId"]})
    answer = json.loads(result.get("body") or "{}")
    say(f"{path}: POST /v1/assets -> {result['statusCode']} {json.dumps(answer)}\n")
    if result["statusCode"] != 202:
        return False
    arn = engine.execution_arn(answer["requestId"])
    description = engine.wait_for_execution(arn, timeout=timeout)
    say(f"  workflow {description['status']}\n")
    if description["status"] != "SUCCEEDED":
        return False
    output = json.loads(description.get("output") or "{}")
    if output.get("followUpError"):
        say(f"  scheduling failed: {output['followUpError'].get('Cause')}\n")
    posts = output.get("posts") or {}
    for post in posts.get("posts", []):
        say(f"  scheduled post {post['postId']} on {post['platform']}/{post['accountId']} at {post['scheduledAt']}\n")
    for reason in posts.get("skipped", []):
        say(f"  not scheduled: {reason}\n")
    return True


def run_tick(engine: Any, until: datetime, say: Callable[[str], Any]) -> list[Fired]:
    say(f"firing the schedules due by {until.isoformat()}\n")
    fired = fire_due(engine, until)
    for record in fired:
        say("  " + record.describe() + "\n")
    if not fired:
        say("  nothing was due\n")
    return fired
