"""The local engine: template.yaml's resources in moto, the real ASL executing, handlers in-process.

with LocalEngine(project_root) as engine:
    response = engine.api("POST", "/v1/assets", body, claims)
    execution = engine.wait_for_execution(request_id)

One engine can serve many tests: ``suspend()`` turns moto's mocks, the patches and the environment
off while keeping moto's data; ``resume()`` turns them back on (rebuilding the resources if something
reset moto meanwhile); ``reset_world()`` empties every table, bucket, queue and schedule group and
forgets executions; ``configure(env=...)`` changes the functions' environment (``configure()`` undoes it).
"""

from __future__ import annotations

import base64
import io
import json
import logging
import os
import sys
import threading
import time
import urllib.parse
import warnings
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from unittest import mock

import boto3
from moto import mock_aws
from moto.awslambda.models import LambdaFunction
from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser

from ffo import (
    asl_cache,
    aws_limits,
    botocache,
    execution_events,
    execution_history,
    interpreter_faults,
    moto_speedups,
    sfn_clients,
    world_state,
)
from ffo.cfn import ACCOUNT_ID, Resolver, load_template, local_names
from ffo.lambda_runtime import (
    Handler,
    Invocation,
    LocalLambdaContext,
    ThreadRoutedStream,
    invoke,
    load_handler,
)
from ffo.sleeps import SleepRecorder

# moto's interpreter logs an ERROR for every path a Choice's IsPresent finds missing (``$.request.bundle`` on
# each single-asset request), which Step Functions treats as false; a real failure is in the execution's
# history, and an interpreter fault is logged by ffo.interpreter_faults.
logging.getLogger("moto.stepfunctions.parser").setLevel(logging.CRITICAL)

TERMINAL = {"SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"}
# moto has no Rekognition: offline, image moderation is reported as not checked (never as passed)
# and text in images is read with Tesseract instead.
LOCAL_FUNCTION_ENV = {"IMAGE_MODERATION": "off", "IMAGE_OCR": "tesseract"}
# moto's KMS hashes a MessageType=DIGEST message again (real KMS does not), so a KMS-signed manifest
# would not verify: locally the development key and chain sit in a Secrets Manager secret instead.
LOCAL_SIGNING_SECRET = "flashfusion/local/c2pa-signing"  # noqa: S105 (a secret name, not a secret)
LOCAL_SIGNING_ENV = {"SIGNING_MODE": "secret", "SIGNING_SECRET_NAME": LOCAL_SIGNING_SECRET, "SIGNING_KMS_KEY_ID": ""}
# The stack's shared-review-link key (template: ReviewLinkSecret), seeded like the signing key.
LOCAL_REVIEW_LINK_SECRET = "flashfusion/local/review-links"  # noqa: S105 (a secret name, not a secret)
LOCAL_REVIEW_LINK_ENV = {"REVIEW_LINK_SECRET_NAME": LOCAL_REVIEW_LINK_SECRET}
SQS_ATTRIBUTES = {"VisibilityTimeout", "MessageRetentionPeriod", "DelaySeconds", "ReceiveMessageWaitTimeSeconds"}
LOCAL_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_DEV": "false",
    "ALLOW_FAULT_INJECTION": "true",
}


@dataclass
class LocalFunction:
    logical_id: str
    code_dir: Path
    handler_name: str
    environment: dict[str, str]
    timeout: float
    memory: int
    base_environment: dict[str, str] = field(default_factory=dict)
    """The environment from the template and the engine's constructor, before ``configure``."""
    _handler: Handler | None = None

    def handler(self) -> Handler:
        if self._handler is None:  # loaded on first use, like a cold start
            self._handler = load_handler(self.code_dir, self.handler_name, f"ffo_fn_{self.logical_id}")
        return self._handler


@dataclass
class Resources:
    tables: dict[str, str] = field(default_factory=dict)
    buckets: dict[str, str] = field(default_factory=dict)
    functions: dict[str, LocalFunction] = field(default_factory=dict)
    state_machines: dict[str, str] = field(default_factory=dict)
    queues: dict[str, str] = field(default_factory=dict)
    """logical id -> queue URL"""
    queue_consumers: dict[str, str] = field(default_factory=dict)
    """queue logical id -> function logical id (the template's SQS event source mappings)"""
    seeds: dict[str, world_state.Snapshot] = field(default_factory=dict)
    """what each named seeding wrote into an empty world (``LocalEngine.seeded``)"""


class LocalEngine:
    def __init__(
        self,
        root: Path,
        *,
        region: str = "us-east-1",
        stack_name: str = "flashfusion-local",
        parameters: dict[str, str] | None = None,
        instant: bool = True,
        env: dict[str, str] | None = None,
        dev_ca_dir: Path | None = None,
    ) -> None:
        self.root = root
        self.dev_ca_dir = dev_ca_dir or root / "out" / ".ffo-dev-ca"
        self._route_cache: dict[str, list[tuple[str, str]]] = {}
        self.env_overrides = env or {}
        self.region = region
        self.stack_name = stack_name
        self.template = load_template(root / "template.yaml")
        from ffo.issuer_name import LOCAL_ISSUER  # not ffo.local_issuer: its JOSE library is not needed here

        # A local stack trusts the local issuer (ffo token), as a deployed one trusts its pool or IdP.
        self.parameters = {"JwtIssuer": LOCAL_ISSUER, **(parameters or {})}
        self.sleeps = SleepRecorder(instant=instant)
        self.resources = Resources()
        self.invocations: list[Invocation] = []
        self._invoke_lock = threading.RLock()
        self._stack: list[Any] = []
        self._saved_env: dict[str, str | None] = {}
        self.stream = ThreadRoutedStream(sys.stdout)
        self._clients: dict[str, Any] = {}
        self._parked_threads: set[int] = set()
        self._aws: Any = None
        self._boto3_session: Any = None
        self.active = False
        self.configured_env: dict[str, str] = {}
        self._stopped_by_engine: set[str] = set()
        """Executions the engine stopped itself (a test ended): their endings are not announced."""
        self.event_rules: list[tuple[dict[str, Any], str]] = []
        self._pending_events: list[dict[str, Any]] = []
        self._ending: set[str] = set()
        """Executions whose status-change event is being delivered (wait_for_execution waits for it)."""
        self._ending_changed = threading.Condition()
        self._activity = threading.Condition()
        self._activity_count = 0
        """Invocations returned and executions ended so far: a waiter sleeps until this moves, not a fixed poll."""
        self._invoke_depth = 0
        self.rebuilds = 0
        """How many times ``resume`` found moto reset (by another ``mock_aws``) and built the resources again."""

    # lifecycle -------------------------------------------------------------------------------
    def __enter__(self) -> LocalEngine:
        try:
            self.start()
        except BaseException:  # a half-started engine must not leave moto's mocks on for whoever runs next
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        self._activate(reset=True)
        self._build()
        self._seed_signing_key()

    def stop(self) -> None:
        self._deactivate(remove_data=True)

    def suspend(self) -> None:
        """Mocks, patches, stdout and environment off; moto's data (the resources) kept for ``resume``."""
        self._deactivate(remove_data=False)

    def resume(self) -> None:
        """Back on after ``suspend``; builds the resources again if moto was reset meanwhile."""
        self._activate(reset=False)
        try:
            self.client("stepfunctions").describe_state_machine(stateMachineArn=self.state_machine_arn())
        except Exception:  # another mock_aws reset moto's backends: the world is gone
            self.rebuilds += 1
            self._build()
            self._seed_signing_key()
        else:  # the functions' environment is applied for the whole run, as _build does (in one go: the same
            # names end with the same values, the last function's winning, and each name's prior value is kept)
            merged: dict[str, str] = {}
            for function in self.resources.functions.values():
                merged.update(function.environment)
            self._set_env(merged)

    def _activate(self, *, reset: bool) -> None:
        if self.active:
            return
        self._set_env({**LOCAL_ENV, "AWS_DEFAULT_REGION": self.region, "AWS_REGION": self.region})
        warnings.filterwarnings("ignore", message="No application metrics to publish")
        if self._aws is None:
            self._aws = mock_aws(config={"stepfunctions": {"execute_state_machine": True}})
        self._aws.start(reset=reset)
        if self._boto3_session is not None:
            # moto sets boto3's default session aside while it runs; a new one costs ~40 ms (its client
            # and resource factories), which every handler's first client call then paid at each resume
            boto3.DEFAULT_SESSION = self._boto3_session
        self.active = True
        parse = mock.patch.object(AmazonStateLanguageParser, "parse", staticmethod(_cached_parse))
        parse.start()
        self._stack.append(parse.stop)
        limits = aws_limits.step_functions_limits()
        limits.__enter__()
        self._stack.append(lambda: limits.__exit__(None, None, None))
        faults = interpreter_faults.logged()
        faults.__enter__()
        self._stack.append(lambda: faults.__exit__(None, None, None))
        events = execution_events.delivered(self._execution_ended, self._execution_ending)
        events.__enter__()
        self._stack.append(lambda: events.__exit__(None, None, None))
        sent = execution_events.put_events_seen(self._event_put)
        sent.__enter__()
        self._stack.append(lambda: sent.__exit__(None, None, None))
        speedups = moto_speedups.faster_moto()  # tests turn them on for the whole session already
        speedups.__enter__()
        self._stack.append(lambda: speedups.__exit__(None, None, None))
        if not botocache.sharing():  # tests share one loader for the whole session already
            loaders = botocache.shared_loaders()
            loaders.__enter__()
            self._stack.append(lambda: loaders.__exit__(None, None, None))
        clients = sfn_clients.shared()
        clients.__enter__()
        self._stack.append(lambda: clients.__exit__(None, None, None))
        sleeps = self.sleeps.installed()
        sleeps.__enter__()
        self._stack.append(lambda: sleeps.__exit__(None, None, None))
        patcher = mock.patch.object(LambdaFunction, "_invoke_lambda", self._moto_invoke())
        patcher.start()
        self._stack.append(patcher.stop)
        self._capture_stdout()
        self._stack.append(self._release_stdout)
        self._reset_layer_caches()
        self._route_layer_logs()

    def _deactivate(self, *, remove_data: bool) -> None:
        if self.active:
            self.stop_executions()
        while self._stack:
            self._stack.pop()()
        if self.active:
            self.active = False
            self._boto3_session = boto3.DEFAULT_SESSION
            self._aws.stop(remove_data=remove_data)
        for name, value in self._saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._saved_env.clear()
        self._reset_layer_caches()

    def _set_env(self, values: dict[str, str]) -> None:
        for name, value in values.items():
            self._saved_env.setdefault(name, os.environ.get(name))
            os.environ[name] = value

    def _capture_stdout(self) -> None:
        """Route handler prints (EMF metrics) per invocation; others (pytest, say) may swap stdout too."""
        if sys.stdout is not self.stream:
            self.stream.fallback = sys.stdout
            sys.stdout = self.stream

    def _release_stdout(self) -> None:
        fallback = self.stream.fallback
        if sys.stdout is self.stream:
            sys.stdout = fallback

    def _reset_layer_caches(self) -> None:
        from flashfusion import wiring as deps
        from flashfusion.providers import faults

        deps.reset()
        faults.reset()

    def _route_layer_logs(self) -> None:
        from flashfusion.observability import logger

        for handler in logger.handlers:  # Powertools bound sys.stdout when it was created
            if isinstance(handler, logging.StreamHandler):
                previous = handler.setStream(self.stream)
                if previous is not None and previous is not self.stream:
                    self._stack.append(lambda h=handler, p=previous: h.setStream(p))

    # resources -------------------------------------------------------------------------------
    def client(self, service: str) -> Any:
        """One client per service for the engine's life (creating a boto3 client costs ~10 ms)."""
        if service not in self._clients:
            self._clients[service] = boto3.client(service, region_name=self.region)
        return self._clients[service]

    # per-test isolation ----------------------------------------------------------------------
    def configure(self, env: dict[str, str] | None = None) -> None:
        """Overrides on top of every function's environment (as ``LocalEngine(env=...)`` would set them);
        ``configure()`` goes back to the engine's own. Handlers and layer caches are loaded again."""
        env = dict(env or {})
        if env == self.configured_env:
            return
        for name in set(self.configured_env) - set(env):
            if name in self._saved_env:
                original = self._saved_env[name]
                if original is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = original
        self.configured_env = env
        for function in self.resources.functions.values():
            function.environment = {**function.base_environment, **env}
            function._handler = None  # a new deployment: a cold start with the new environment
            if self.active:
                self._set_env(function.environment)
                self.client("lambda").update_function_configuration(
                    FunctionName=function.logical_id, Environment={"Variables": function.environment}
                )
        self._reset_layer_caches()

    @contextmanager
    def configured(self, env: dict[str, str]) -> Iterator[LocalEngine]:
        """configure(env) for a block: with engine.configured({"MODEL_MATRIX_PATH": p}) as engine: ..."""
        previous = self.configured_env
        self.configure(env)
        try:
            yield self
        finally:
            self.configure(previous)

    def stop_executions(self, grace: float = 0.5) -> None:
        """Stop every running execution, let a handler that is running finish, and give moto's
        interpreter threads ``grace`` seconds to end.

        A stopped execution that was waiting for a task token (a review) keeps its thread blocked
        until the token's timeout: moto does not wake it. It invokes nothing more (the execution is
        stopped); it is remembered and not waited for again.
        """
        ran = world_state.state_machines_with_executions(self.region, self.resources.state_machines)
        for logical_id, arn in self.resources.state_machines.items():
            if logical_id not in ran:
                continue
            running = world_state.running_executions(self.region, arn)
            if running is None:  # moto's models could not be read: ask the API
                try:
                    listed = self.client("stepfunctions").list_executions(stateMachineArn=arn, statusFilter="RUNNING")
                    running = [execution["executionArn"] for execution in listed["executions"]]
                except Exception:  # moto was reset under the engine: nothing of ours is running
                    running = []
            for execution_arn in running:
                self._stopped_by_engine.add(execution_arn)
                self.client("stepfunctions").stop_execution(executionArn=execution_arn, error="TestEnded")
        with self._invoke_lock:  # a handler still running on an interpreter thread ends first
            pass
        deadline = time.monotonic() + grace
        for thread in threading.enumerate():
            target = getattr(thread, "_target", None)
            if thread is threading.current_thread() or target is None or thread.ident in self._parked_threads:
                continue
            if str(getattr(target, "__module__", "")).startswith("moto.stepfunctions"):
                thread.join(max(0.0, deadline - time.monotonic()))
                if thread.is_alive() and thread.ident is not None:
                    self._parked_threads.add(thread.ident)

    def reset_world(self) -> None:
        """Every table, bucket, queue and schedule group empty, no executions, no secrets but the
        signing key, no recorded invocations or sleeps, fresh layer caches: as after ``start()``."""
        self.stop_executions()
        refs, _ = local_names(self.template, self.region, self.stack_name)
        role = self._role
        ddb, sqs, scheduler = self.client("dynamodb"), self.client("sqs"), self.client("scheduler")
        sfn, secrets = self.client("stepfunctions"), self.client("secretsmanager")
        # Only what the test touched is reset: most tests use a table or two of the stack's.
        tables = world_state.empty_tables(
            self.region, world_state.tables_with_items(self.region, self.resources.tables)
        )
        buckets = world_state.empty_buckets(world_state.buckets_with_objects(self.resources.buckets))
        machines = world_state.state_machines_with_executions(self.region, self.resources.state_machines)
        for logical_id, resource in self.template["Resources"].items():
            kind, props = resource["Type"], resource.get("Properties", {})
            if kind == "AWS::DynamoDB::Table" and refs[logical_id] in tables:
                ddb.delete_table(TableName=refs[logical_id])
                self._create_table(refs[logical_id], props)
            elif kind == "AWS::S3::Bucket" and refs[logical_id] in buckets:
                self._empty_bucket(refs[logical_id])
            elif kind == "AWS::Serverless::StateMachine" and logical_id in machines:
                # its executions go with it; the parse is cached
                sfn.delete_state_machine(stateMachineArn=self.resources.state_machines[logical_id])
                self._create_state_machine(logical_id, props, role)
        if world_state.queues_with_messages(self.region, self.resources.queues):
            for url in self.resources.queues.values():  # moto allows one PurgeQueue a minute, as AWS does
                sqs.delete_queue(QueueUrl=url)
            self._create_queues()
        kept_secrets = (LOCAL_SIGNING_SECRET, LOCAL_REVIEW_LINK_SECRET)
        if world_state.anything_else(
            self.region, self.resources.tables, self.resources.buckets, self._schedule_groups(), kept_secrets
        ):
            for table in set(ddb.list_tables()["TableNames"]) - set(self.resources.tables):  # a test's own
                ddb.delete_table(TableName=table)
            for bucket in self.client("s3").list_buckets()["Buckets"]:
                if bucket["Name"] not in self.resources.buckets:
                    self._empty_bucket(bucket["Name"])
                    self.client("s3").delete_bucket(Bucket=bucket["Name"])
            for group in scheduler.list_schedule_groups()["ScheduleGroups"]:
                for schedule in scheduler.list_schedules(GroupName=group["Name"])["Schedules"]:
                    scheduler.delete_schedule(Name=schedule["Name"], GroupName=group["Name"])
                if group["Name"] != "default" and group["Name"] not in self._schedule_groups():
                    scheduler.delete_schedule_group(Name=group["Name"])
            for secret in secrets.list_secrets()["SecretList"]:
                if secret["Name"] not in kept_secrets:
                    secrets.delete_secret(SecretId=secret["ARN"], ForceDeleteWithoutRecovery=True)
        self.invocations.clear()
        self.sleeps.clear()
        self.__dict__.pop("_scheduler_clock", None)
        self._reset_layer_caches()

    def _empty_bucket(self, name: str) -> None:
        s3 = self.client("s3")
        for page in s3.get_paginator("list_object_versions").paginate(Bucket=name):
            keys = [
                {"Key": v["Key"], "VersionId": v["VersionId"]}
                for v in [*page.get("Versions", []), *page.get("DeleteMarkers", [])]
            ]
            if keys:
                s3.delete_objects(Bucket=name, Delete={"Objects": keys, "Quiet": True})

    def _build(self) -> None:
        previous = self.resources.functions
        self.resources = Resources()
        refs, attrs = local_names(self.template, self.region, self.stack_name)
        pseudo = {
            "AWS::Region": self.region,
            "AWS::AccountId": ACCOUNT_ID,
            "AWS::StackName": self.stack_name,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
        }
        self.resolver = Resolver(self.template, refs, attrs, pseudo, self.parameters)
        resolve = self.resolver.resolve
        globals_fn = self.template.get("Globals", {}).get("Function", {})
        global_env = resolve(globals_fn.get("Environment", {}).get("Variables", {}))
        role = _create_role("ffo-local")
        self._role: str = role
        for logical_id, resource in self.template["Resources"].items():
            kind, props = resource["Type"], resource.get("Properties", {})
            if kind == "AWS::DynamoDB::Table":
                self._create_table(refs[logical_id], props)
            elif kind == "AWS::S3::Bucket":
                self._create_bucket(refs[logical_id], props)
        self._create_queues()
        # Every function's environment is applied for the whole run (and again at each invocation),
        # because the layer reads its settings once per process, as Lambda reads them once per sandbox.
        for logical_id, resource in self.template["Resources"].items():
            if resource["Type"] != "AWS::Serverless::Function":
                continue
            props = resource["Properties"]
            env = {
                **global_env,
                **resolve(props.get("Environment", {}).get("Variables", {})),
                **LOCAL_FUNCTION_ENV,
                **LOCAL_SIGNING_ENV,
                **LOCAL_REVIEW_LINK_ENV,
                **self.env_overrides,
            }
            base = {k: str(v) for k, v in env.items()}
            function = LocalFunction(
                logical_id=logical_id,
                code_dir=self.root / props["CodeUri"],
                handler_name=props.get("Handler", globals_fn.get("Handler", "app.lambda_handler")),
                environment={**base, **self.configured_env},
                timeout=int(props.get("Timeout", globals_fn.get("Timeout", 3))),
                memory=int(props.get("MemorySize", globals_fn.get("MemorySize", 128))),
                base_environment=base,
            )
            if logical_id in previous:  # built again after a moto reset: the loaded module stays loaded
                function._handler = previous[logical_id]._handler
            self.resources.functions[logical_id] = function
            for event in props.get("Events", {}).values():
                if event.get("Type") == "SQS":
                    queue = event["Properties"]["Queue"]
                    self.resources.queue_consumers[queue["Fn::GetAtt"][0]] = logical_id
            self._set_env(function.environment)
            self._create_function(function)
        for logical_id, resource in self.template["Resources"].items():
            if resource["Type"] == "AWS::Serverless::StateMachine":
                self._create_state_machine(logical_id, resource["Properties"], role)
        self._create_schedule_groups()
        self.event_rules = execution_events.rules(self.template, self.resolver.resolve)

    def _execution_ending(self, execution: Any) -> None:
        with self._ending_changed:
            self._ending.add(execution.exec_arn)

    def activity(self) -> int:
        """A count that moves whenever a handler returns or an execution ends (see ``wait_for_activity``)."""
        return self._activity_count

    def wait_for_activity(self, seen: int, timeout: float) -> int:
        """Sleep until ``activity()`` differs from ``seen`` (something happened) or ``timeout`` passes.

        Pollers (``wait_for_execution``, ``ffo run``'s follow) wait here instead of polling every few
        milliseconds: each poll is a moto call that takes the GIL from the interpreter thread doing the work."""
        with self._activity:
            self._activity.wait_for(lambda: self._activity_count != seen, timeout)
            return self._activity_count

    def _moved(self) -> None:
        with self._activity:
            self._activity_count += 1
            self._activity.notify_all()

    def _execution_ended(self, execution: Any) -> None:
        """EventBridge's status-change event to the functions whose rule matches (AWS invokes them async)."""
        try:
            if self.active and execution.exec_arn not in self._stopped_by_engine:
                self._deliver(execution_events.status_change(execution, self.region, ACCOUNT_ID))
        finally:
            with self._ending_changed:
                self._ending.discard(execution.exec_arn)
                self._ending_changed.notify_all()
            self._moved()

    def _event_put(self, event: dict[str, Any]) -> None:
        """An event a handler put on the bus: delivered once that invocation has returned (as AWS would,
        asynchronously), never inside it, whose environment it would change."""
        self._pending_events.append(event)

    def _deliver(self, event: dict[str, Any]) -> None:
        for pattern, function in self.event_rules:
            if execution_events.matches(pattern, event):
                self.invoke(function, event)

    def _deliver_pending(self) -> None:
        while self._pending_events:
            self._deliver(self._pending_events.pop(0))

    def _create_function(self, function: LocalFunction) -> None:
        """Registered with moto's Lambda backend directly, with the request CreateFunction would carry:
        through a boto3 client each of the ~25 functions cost a serialised request and response
        (~10 ms each) and the Lambda service model loaded twice, for a placeholder no one calls."""
        from moto.awslambda.models import lambda_backends

        lambda_backends[ACCOUNT_ID][self.region].create_function(
            {
                "FunctionName": function.logical_id,
                "Runtime": "python3.12",  # moto's runtime list; the template's python3.13 is what deploys
                "Role": self._role,
                "Handler": function.handler_name,
                "Code": {"ZipFile": _PLACEHOLDER_ZIP},
                "Timeout": max(1, round(function.timeout)),
                "MemorySize": function.memory,
                "Environment": {"Variables": dict(function.environment)},
            }
        )

    def add_function(self, logical_id: str, code_dir: Path, handler: str, *, timeout: float, memory: int = 128) -> str:
        """A function that is not in the template (a test's probe), run like the template's; its ARN."""
        if logical_id not in self.resources.functions:
            function = LocalFunction(logical_id, code_dir, handler, {}, timeout, memory)
            self.resources.functions[logical_id] = function
            self._create_function(function)
        return f"arn:aws:lambda:{self.region}:{ACCOUNT_ID}:function:{logical_id}"

    def _create_queues(self) -> None:
        """The template's queues, in moto's SQS backend directly, with what CreateQueue and SetQueueAttributes
        would carry: nothing here needs the SQS client or moto's SQS model (~50 ms) for ~9 calls."""
        from moto.sqs.models import sqs_backends

        backend = sqs_backends[ACCOUNT_ID][self.region]
        refs, attrs = local_names(self.template, self.region, self.stack_name)
        queues = {
            logical_id: resource.get("Properties", {})
            for logical_id, resource in self.template["Resources"].items()
            if resource["Type"] == "AWS::SQS::Queue"
        }
        for logical_id, props in queues.items():
            attributes = {k: str(v) for k, v in props.items() if k in SQS_ATTRIBUTES}
            backend.create_queue(attrs[(logical_id, "QueueName")], None, **attributes)
            self.resources.queues[logical_id] = str(refs[logical_id])  # the URL CreateQueue answers
        for logical_id, props in queues.items():
            if props.get("RedrivePolicy"):  # set once every queue exists, as CloudFormation orders it
                backend.set_queue_attributes(
                    attrs[(logical_id, "QueueName")],
                    {"RedrivePolicy": json.dumps(self.resolver.resolve(props["RedrivePolicy"]))},
                )

    def _seed_signing_key(self) -> None:
        """The development signing key and chain (created once under dev_ca_dir) as the functions' secret."""
        from ffo.devcert import dev_chain, dev_signing_material

        private_pem, chain_pem = dev_signing_material(self.dev_ca_dir, "FlashFusion local engine (development signer)")
        self.trust_anchor_pem: bytes = dev_chain(self.dev_ca_dir).certificate_pem
        secret = {"privateKeyPem": private_pem.decode("utf-8"), "certificateChainPem": chain_pem.decode("utf-8")}
        self.client("secretsmanager").create_secret(Name=LOCAL_SIGNING_SECRET, SecretString=json.dumps(secret))
        from ffo.devcert import dev_review_link_key

        link_key = dev_review_link_key(self.dev_ca_dir)
        self.client("secretsmanager").create_secret(Name=LOCAL_REVIEW_LINK_SECRET, SecretString=link_key)

    def _create_table(self, name: str, props: dict[str, Any]) -> None:
        args: dict[str, Any] = {
            "TableName": name,
            "AttributeDefinitions": props["AttributeDefinitions"],
            "KeySchema": props["KeySchema"],
            "BillingMode": props.get("BillingMode", "PAY_PER_REQUEST"),
        }
        if props.get("GlobalSecondaryIndexes"):
            args["GlobalSecondaryIndexes"] = props["GlobalSecondaryIndexes"]
        ddb = self.client("dynamodb")
        ddb.create_table(**args)
        ttl = props.get("TimeToLiveSpecification")
        if ttl:
            ddb.update_time_to_live(TableName=name, TimeToLiveSpecification=ttl)
        self.resources.tables[name] = name

    def _create_bucket(self, name: str, props: dict[str, Any]) -> None:
        s3 = self.client("s3")
        if self.region == "us-east-1":
            s3.create_bucket(Bucket=name)
        else:
            s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": self.region})
        if props.get("VersioningConfiguration", {}).get("Status") == "Enabled":
            s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        self.resources.buckets[name] = name

    def definition(self, props: dict[str, Any]) -> str:
        text = (self.root / props["DefinitionUri"]).read_text("utf-8")
        for key, value in self.resolver.resolve(props.get("DefinitionSubstitutions", {})).items():
            text = text.replace("${" + key + "}", str(value))
        return text

    def _create_state_machine(self, logical_id: str, props: dict[str, Any], role: str) -> None:
        """In moto's Step Functions backend directly (it validates the definition as CreateStateMachine does)."""
        from moto.stepfunctions.parser.models import stepfunctions_parser_backends

        machine = stepfunctions_parser_backends[ACCOUNT_ID][self.region].create_state_machine(
            name=logical_id, definition=self.definition(props), roleArn=role, sm_type=props.get("Type", "STANDARD")
        )
        self.resources.state_machines[logical_id] = str(machine.arn)

    # lambda ----------------------------------------------------------------------------------
    def _moto_invoke(self) -> Any:
        engine = self

        def _invoke_lambda(fn: LambdaFunction, event: Any = None) -> tuple[str, bool, str]:
            payload = event if isinstance(event, dict | list) else json.loads(event or "{}")
            result, invocation = engine.invoke(fn.function_name, payload)
            return json.dumps(result), not invocation.ok, invocation.logs

        return _invoke_lambda

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """No handler runs inside this block (handlers run one at a time under the invoke lock): what
        the functions wrote is between two steps, never in the middle of one (``ffo serve`` snapshots here)."""
        with self._invoke_lock:
            yield

    def invoke(self, logical_id: str, event: Any) -> tuple[Any, Invocation]:
        """Run the function's handler as Lambda would, with Lambda's limits: 6 MB in and out, and its
        timeout (measured locally as the handler thread's CPU time, so a busy machine does not time out)."""
        function = self.resources.functions[logical_id]
        with self._invoke_lock:
            self._capture_stdout()
            self._set_env(function.environment)
            context = LocalLambdaContext(
                function_name=logical_id,
                memory_limit_in_mb=function.memory,
                timeout_seconds=function.timeout,
                region=self.region,
                account_id=ACCOUNT_ID,
            )
            size = aws_limits.payload_bytes(event)
            if size > aws_limits.LAMBDA_SYNC_PAYLOAD_BYTES:
                refused = aws_limits.request_too_large(size)
                invocation = Invocation(logical_id, False, 0.0, "", refused["errorType"])
                self.invocations.append(invocation)
                return refused, invocation
            cpu_started = time.thread_time()
            self._invoke_depth += 1
            try:
                result, invocation = invoke(function.handler(), event, context, self.stream)
            finally:
                self._invoke_depth -= 1
                self._moved()
            took = time.thread_time() - cpu_started
            if took > function.timeout:
                result = aws_limits.timed_out(context.aws_request_id, function.timeout, took)
                invocation = replace(invocation, ok=False, error_type=result["errorType"])
            elif invocation.ok and (size := aws_limits.payload_bytes(result)) > aws_limits.LAMBDA_SYNC_PAYLOAD_BYTES:
                result = aws_limits.response_too_large(size)
                invocation = replace(invocation, ok=False, error_type=result["errorType"])
            self.invocations.append(invocation)
            if self._invoke_depth == 0 and self._pending_events:
                self._deliver_pending()
                self._set_env(function.environment)  # the caller's function environment, as it was
            return result, invocation

    # front door ------------------------------------------------------------------------------
    def api(
        self,
        method: str,
        path: str,
        body: Any = None,
        claims: dict[str, Any] | None = None,
        raw_body: str | None = None,
        function: str = "ApiFunction",
    ) -> dict[str, Any]:
        """Call the API function with an API Gateway HTTP API (payload 2.0) event."""
        event = http_api_event(method, path, body, claims, raw_body, self._routes(function))
        return self.api_event(event, function)

    def api_event(self, event: dict[str, Any], function: str = "ApiFunction") -> dict[str, Any]:
        """Invoke the API function with a ready event (``ffo serve`` builds it from a real HTTP request)
        and answer as API Gateway does when the invoke itself fails."""
        result, invocation = self.invoke(function, event)
        if not invocation.ok:  # API Gateway hides a failed invoke behind a bare status
            too_large = invocation.error_type == "RequestEntityTooLargeException"
            status, message = (413, "Request Entity Too Large") if too_large else (500, "Internal Server Error")
            return {
                "statusCode": status,
                "headers": {"content-type": "application/json"},
                "body": json.dumps({"message": message}),
            }
        return dict(result)

    def deliver(self, queue: str, max_messages: int = 10) -> dict[str, list[str]]:
        """Hand waiting messages to the queue's consumer once, as Lambda's event source mapping would.

        Messages reported in batchItemFailures go back to the queue at once (locally the visibility
        timeout is not waited out); the others are deleted.
        """
        sqs = self.client("sqs")
        url = self.resources.queues[queue]
        received = sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=max_messages, AttributeNames=["All"], WaitTimeSeconds=0
        ).get("Messages", [])
        if not received:
            return {"succeeded": [], "failed": []}
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        event = {
            "Records": [
                {
                    "messageId": m["MessageId"],
                    "receiptHandle": m["ReceiptHandle"],
                    "body": m["Body"],
                    "attributes": m.get("Attributes", {}),
                    "messageAttributes": {},
                    "md5OfBody": m["MD5OfBody"],
                    "eventSource": "aws:sqs",
                    "eventSourceARN": arn,
                    "awsRegion": self.region,
                }
                for m in received
            ]
        }
        result, invocation = self.invoke(self.resources.queue_consumers[queue], event)
        if invocation.ok:
            failed = {f["itemIdentifier"] for f in (result or {}).get("batchItemFailures", [])}
        else:  # a failed invocation returns the whole batch to the queue
            failed = {m["MessageId"] for m in received}
        for message in received:
            if message["MessageId"] in failed:
                sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0)
            else:
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        ids = [m["MessageId"] for m in received]
        return {"succeeded": [i for i in ids if i not in failed], "failed": [i for i in ids if i in failed]}

    def state_machine_arn(self, logical_id: str = "CreateAssetStateMachine") -> str:
        return self.resources.state_machines[logical_id]

    def execution_arn(self, name: str, logical_id: str = "CreateAssetStateMachine") -> str:
        return self.state_machine_arn(logical_id).replace(":stateMachine:", ":execution:") + f":{name}"

    def wait_for_execution(self, execution_arn: str, timeout: float = 60.0) -> dict[str, Any]:
        """Poll until the execution ends; raises TimeoutError instead of polling forever."""
        deadline = time.monotonic() + timeout
        while True:
            seen = self.activity()
            status = self.execution_status(execution_arn)
            if status in TERMINAL:
                with self._ending_changed:  # and what the ending set off (ExecutionWatch) has run
                    self._ending_changed.wait_for(
                        lambda: execution_arn not in self._ending, max(0.0, deadline - time.monotonic())
                    )
                description: dict[str, Any] = self.client("stepfunctions").describe_execution(
                    executionArn=execution_arn
                )
                return description
            if time.monotonic() > deadline:
                raise TimeoutError(f"execution {execution_arn} still {status} after {timeout}s")
            # woken when a handler returns or an execution ends; the timeout covers states that invoke
            # nothing (Wait, Pass, Choice) and an ending that came between the look and this wait
            self.wait_for_activity(seen, 0.1)

    def execution_status(self, execution_arn: str) -> str:
        """RUNNING, SUCCEEDED, FAILED, ...: ``DescribeExecution``'s status, read from moto's backend."""
        status = execution_history.status(self.region, execution_arn)
        if status is not None:
            return status
        return str(self.client("stepfunctions").describe_execution(executionArn=execution_arn)["status"])

    def history(self, execution_arn: str) -> list[dict[str, Any]]:
        """Every event of the execution, as boto3's ``GetExecutionHistory`` pages give them (read from moto's
        backend without the API's serialising and parsing, which cost ~15 ms for a short workflow's events)."""
        read = execution_history.history(self.region, execution_arn)
        if read is not None:
            return read
        return execution_history.api_history(self.client("stepfunctions"), execution_arn)

    def seed_budget(self, org_id: str, monthly_limit_usd: float) -> None:
        from flashfusion.wiring import get_deps

        get_deps().budgets.set_monthly_limit(org_id, monthly_limit_usd)

    def seeded(self, name: str, seed: Callable[[], None]) -> None:
        """Right after ``reset_world``: run ``seed`` the first time, and later put back what it wrote
        (moto's items and objects, copied) instead of running it again. Seeding the sample kits through
        the API costs ~0.1 s of moto serialisation per test; the copy costs a millisecond."""
        saved = self.resources.seeds.get(name)
        if saved is not None and world_state.restore(self.region, saved):
            return
        seed()
        taken = world_state.snapshot(self.region, self.resources.tables, self.resources.buckets)
        if taken is not None:
            self.resources.seeds[name] = taken

    def seed_brand_kit(self, org_id: str, kit: dict[str, Any], files_from: Path | None = None) -> None:
        """Store a kit for an organisation, its logo files uploaded to the org's brand folder in S3
        (as an operator would), the kit pointing at them there."""
        from flashfusion.models import BrandKit
        from flashfusion.wiring import get_deps

        deps = get_deps()
        parsed = BrandKit.model_validate(kit)
        logos = []
        for logo in parsed.logos:
            local = next(
                (p for p in ((files_from or self.root) / logo.file, self.root / logo.file) if p.is_file()), None
            )
            if local is None:
                logos.append(logo)
                continue
            key = deps.assets.put_brand_file(org_id, parsed.kit_id, local.name, local.read_bytes(), "image/png")
            logos.append(logo.model_copy(update={"file": key}))
        deps.kits.put(org_id, parsed.model_copy(update={"logos": logos}))

    # scheduled posts -------------------------------------------------------------------------
    def _routes(self, function: str) -> list[tuple[str, str]]:
        if function not in self._route_cache:  # the template does not change under a running engine
            self._route_cache[function] = api_routes(self.template, function)
        return self._route_cache[function]

    def _schedule_groups(self) -> list[str]:
        return [
            str(self.resolver.resolve({"Ref": logical_id}))
            for logical_id, resource in self.template["Resources"].items()
            if resource["Type"] == "AWS::Scheduler::ScheduleGroup"
        ]

    def _create_schedule_groups(self) -> None:
        """moto refuses schedules in a group that does not exist: create the template's groups (in moto's
        Scheduler backend directly: a text run never loads the Scheduler client or model otherwise)."""
        from moto.scheduler.models import scheduler_backends

        for name in self._schedule_groups():
            backend = scheduler_backends[ACCOUNT_ID][self.region]
            backend.create_schedule_group(name=name, tags=None)  # type: ignore[arg-type]  # as the API passes no Tags

    def fire_due(self, until: Any) -> list[Any]:
        """Fire every schedule due up to ``until`` (moto stores schedules but never fires them)."""
        from ffo.scheduler_clock import fire_due

        return fire_due(self, until)


def api_routes(template: dict[str, Any], function: str = "ApiFunction") -> list[tuple[str, str]]:
    """(method, path template) of every HttpApi event of the API function in template.yaml."""
    events = template["Resources"][function]["Properties"].get("Events", {})
    return [
        (str(e["Properties"]["Method"]).upper(), str(e["Properties"]["Path"]))
        for e in events.values()
        if e.get("Type") == "HttpApi"
    ]


def match_route(method: str, path: str, routes: list[tuple[str, str]]) -> tuple[str, dict[str, str]]:
    """The template route a request path matches, and its path parameters, as API Gateway resolves them."""
    parts = path.strip("/").split("/")
    for route_method, template in routes:
        if route_method not in (method.upper(), "ANY"):
            continue
        pattern = template.strip("/").split("/")
        if len(pattern) != len(parts):
            continue
        parameters: dict[str, str] = {}
        for want, got in zip(pattern, parts, strict=True):
            if want.startswith("{") and want.endswith("}"):
                parameters[want[1:-1]] = urllib.parse.unquote(got)
            elif want != got:
                break
        else:
            return template, parameters
    return path, {}


def http_api_event(
    method: str,
    path: str,
    body: Any,
    claims: dict[str, Any] | None,
    raw_body: str | None = None,
    routes: list[tuple[str, str]] | None = None,
) -> dict[str, Any]:
    text = raw_body if raw_body is not None else (None if body is None else json.dumps(body))
    path, _, query = path.partition("?")
    route, path_parameters = match_route(method, path, routes or [])
    return {
        "version": "2.0",
        "routeKey": f"{method} {route}",
        "rawPath": path,
        "rawQueryString": query,
        "queryStringParameters": dict(urllib.parse.parse_qsl(query)) or None,
        "headers": {"content-type": "application/json", "authorization": "Bearer local"},
        "requestContext": {
            "accountId": ACCOUNT_ID,
            "apiId": "local",
            "authorizer": {"jwt": {"claims": claims or {}, "scopes": None}},
            "domainName": "localhost",
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "127.0.0.1",
                "userAgent": "ffo",
            },
            "requestId": f"local-{time.time_ns()}",
            "routeKey": f"{method} {route}",
            "stage": "$default",
            "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime()),
            "timeEpoch": int(time.time() * 1000),
        },
        "pathParameters": path_parameters,
        "body": text,
        "isBase64Encoded": False,
    }


_PARSED: dict[str, tuple[Any, Any]] = {}
_real_parse = AmazonStateLanguageParser.parse


def _cached_parse(definition: str) -> tuple[Any, Any]:
    """moto parses the ASL on create_state_machine and again on every start_execution (~0.3 s each):
    parse each definition once. The parsed program keeps no execution state (that lives in each
    execution's Environment), which is how moto itself runs one Map iterator for many items at once."""
    if definition not in _PARSED:
        _PARSED[definition] = asl_cache.parse(definition, _real_parse)  # and once per machine: ffo.asl_cache
    return _PARSED[definition]


def _create_role(name: str) -> str:
    """The functions' and the state machines' role, in moto's IAM backend directly: nothing here calls
    IAM, so its client and service model (~40 ms) are not loaded for one CreateRole."""
    from moto.iam.models import iam_backends

    return str(
        iam_backends[ACCOUNT_ID]["global"]
        .create_role(
            role_name=name,
            assume_role_policy_document=json.dumps({"Version": "2012-10-17", "Statement": []}),
            path="/",
            permissions_boundary=None,
            description="",
            tags=[],
            max_session_duration=None,
        )
        .arn
    )


def _placeholder_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", "# the local engine runs functions/<name>/app.py in-process\n")
    return buffer.getvalue()


_PLACEHOLDER_ZIP = base64.b64encode(_placeholder_zip()).decode("ascii")
"""As CreateFunction's JSON body carries it (moto's backend decodes it)."""
