"""`ffo run`: submit a request file through the API handler and follow the workflow to its end."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from ffo.commands.common import Parents, Subparsers
from ffo.commands.execution import follow, report, waiting_review
from ffo.request_files import DEFAULT_KIT, project_root, read_kit, read_request_file, source_file_of


def register(subparsers: Subparsers, parents: Parents) -> None:
    parser = subparsers.add_parser(
        "run",
        parents=[parents.request_file],
        help="run a request file through the workflow",
        description="Submit a request through the API handler and follow the workflow: states entered, "
        "retried, caught and exited with durations; then the final status, the asset file under --out and "
        "its provenance record. EVENT is a request file ({caller, body}), a bare submission, or an API "
        "Gateway HTTP API event. Exit code: 0 succeeded or needs review, 1 failed, 2 rejected (4xx) or the state "
        "directory is held by another ffo command. With --state DIR the run uses `ffo serve`'s state (loaded first, "
        "saved after, so `ffo serve --state DIR` sees the request later); if `ffo serve` is running on DIR, the "
        "request goes to that server over HTTP instead, and its review can be decided from any terminal with "
        "`ffo review --request ID --state DIR`.",
    )
    parser.add_argument(
        "--kit", default=DEFAULT_KIT, help=f"brand kit file to seed for the caller (default {DEFAULT_KIT})"
    )
    parser.add_argument("--out", default="out", help="folder for the saved asset (default out/)")
    parser.add_argument(
        "--real-time", action="store_true", help="really sleep Retry/Wait delays (default: instant, recorded)"
    )
    parser.add_argument(
        "--state",
        help="use this `ffo serve` state directory (e.g. out/state): loaded, then saved; a running server gets the "
        "request over HTTP",
    )
    parser.add_argument("--logs", action="store_true", help="print each handler's structured logs afterwards")
    parser.add_argument(
        "--trace",
        action="store_true",
        help="print the request's span tree afterwards (API, each step, each vendor call, with durations and "
        "GenAI attributes; OpenTelemetry SDK, in memory)",
    )
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds to wait for the execution (default 120)")
    parser.add_argument(
        "--matrix",
        help="a model matrix file instead of the packaged one "
        "(events/matrix-priced-local.json prices the offline models, to try budgets)",
    )
    parser.add_argument(
        "--raise-budget",
        type=float,
        metavar="USD",
        help="if the request ends queued for budget, "
        "raise the monthly budget to USD and let the batch worker resume it",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if not getattr(args, "trace", False):
        return _serve_or_run(args, None)
    from ffo.span_tree import collecting

    with collecting() as collector:
        return _serve_or_run(args, collector)


def _serve_or_run(args: argparse.Namespace, collector: Any) -> int:
    from ffo.engine import LocalEngine

    root = project_root(args.root)
    event, body, caller = read_request_file(Path(args.event))
    started = time.perf_counter()
    env = {"MODEL_MATRIX_PATH": str(Path(args.matrix).resolve())} if args.matrix else {}
    if not args.state:  # no server or state directory to look at: their modules (httpx among them) stay unloaded
        with LocalEngine(root, instant=not args.real_time, env=env) as engine:
            return _run(engine, args, root, event, body, caller, started, collector, seed_always=True)
    import sys

    from ffo.local_server import StateDirectoryBusy, running_server
    from ffo.shared_state import kept_in

    state = Path(args.state).resolve()
    if (server := running_server(state)) is not None:
        from ffo.commands.served_requests import submit_to_server

        return submit_to_server(server, root, state, event, body, caller, args.timeout, sys.stdout.write)
    with LocalEngine(root, instant=not args.real_time, env=env) as engine:
        say = engine.stream.fallback.write
        try:
            with kept_in(engine, state, say):
                return _run(engine, args, root, event, body, caller, started, collector, seed_always=False)
        except StateDirectoryBusy as error:
            say(f"ffo run: {error}\n")
            return 2


SOURCE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".webp": "image/webp"}


def _with_uploaded_source(
    engine: Any, body: dict[str, Any], caller: dict[str, str], source: Path, say: Any
) -> dict[str, Any]:
    """A brand_style request file's photo, uploaded as a client does (POST /v1/uploads, then the file at the
    ticket's key), its upload id put in ``style.sourceUploadId``."""
    from ffo.engine import http_api_event
    from flashfusion.storage import keys
    from flashfusion.wiring import get_deps

    mime = SOURCE_TYPES.get(source.suffix.lower())
    if mime is None:
        raise SystemExit(f"ffo: {source} is not a PNG, JPEG or WebP file")
    claims = {"org_id": caller["orgId"], "sub": caller["userId"]}
    result, _ = engine.invoke("ApiFunction", http_api_event("POST", "/v1/uploads", {"mimeType": mime}, claims))
    if result["statusCode"] != 201:
        raise SystemExit(f"ffo: POST /v1/uploads -> {result['statusCode']} {result.get('body')}")
    upload_id = json.loads(result["body"])["uploadId"]
    deps = get_deps()
    key = keys.source_upload_key(deps.assets.staging_prefix, caller["orgId"], upload_id)
    engine.client("s3").put_object(Bucket=deps.assets.bucket, Key=key, Body=source.read_bytes(), ContentType=mime)
    say(f"POST /v1/uploads -> 201; {source.name} uploaded as {upload_id}\n")
    return {**body, "style": {**(body.get("style") or {}), "sourceUploadId": upload_id}}


def _run(
    engine: Any,
    args: argparse.Namespace,
    root: Path,
    event: dict[str, Any] | None,
    body: Any,
    caller: dict[str, str],
    started: float,
    collector: Any,
    *,
    seed_always: bool,
) -> int:
    from ffo.commands.served_requests import seed_kit_if_missing
    from ffo.engine import http_api_event

    kit = read_kit(root, args.kit)
    out = Path(args.out)
    say = engine.stream.fallback.write
    source = source_file_of(Path(args.event), root)
    if source is not None and event is None and isinstance(body, dict):
        body = _with_uploaded_source(engine, body, caller, source, say)
    if event is None:
        event = http_api_event("POST", "/v1/assets", body, {"org_id": caller["orgId"], "sub": caller["userId"]})
    org_id = str(event["requestContext"]["authorizer"]["jwt"]["claims"].get("org_id", ""))
    if org_id:
        if seed_always:
            engine.seed_brand_kit(org_id, kit)
        else:  # a kept state may have the kit already (a version cannot be stored twice)
            seed_kit_if_missing(engine, org_id, kit)
        if "monthlyBudgetUsd" in caller:
            engine.seed_budget(org_id, float(caller["monthlyBudgetUsd"]))
    say(
        f"ffo: local engine up ({len(engine.resources.functions)} functions, "
        f"{len(engine.resources.state_machines)} state machine) "
        f"in {time.perf_counter() - started:.2f} s\n"
    )
    result, _ = engine.invoke("ApiFunction", event)
    answer = json.loads(result.get("body") or "{}")
    say(f"POST /v1/assets -> {result['statusCode']} {json.dumps(answer)}\n")
    if result["statusCode"] != 202:
        return 2
    request_id = answer["requestId"]
    paused = lambda: waiting_review(engine, org_id, request_id) is not None  # noqa: E731
    if not follow(engine, engine.execution_arn(request_id), say, args.timeout, paused):
        return 3
    record = report(engine, org_id, request_id, out, say)
    if record["status"] == "needs_review":
        say(
            f"\na person must decide review {record['review']['reviewId']}; locally: "
            f"ffo review {args.event} --decision approve|approve_with_edits|regenerate|reject\n"
        )
    if record["status"] == "queued" and args.raise_budget is not None:
        say(f"\nraising the monthly budget to ${args.raise_budget:.4f}; the batch worker resumes the queue\n")
        engine.seed_budget(org_id, args.raise_budget)
        delivered = engine.deliver("BatchQueue")
        say(f"batch worker: {len(delivered['succeeded'])} resumed, {len(delivered['failed'])} still waiting\n")
        if delivered["succeeded"]:
            executions = engine.client("stepfunctions").list_executions(stateMachineArn=engine.state_machine_arn())[
                "executions"
            ]
            resumed = next(e for e in executions if e["name"].startswith(f"{request_id}-retry-"))
            if not follow(engine, resumed["executionArn"], say, args.timeout):
                return 3
            record = report(engine, org_id, request_id, out, say)
    if args.logs:
        for invocation in engine.invocations:
            say(f"--- {invocation.function} ({invocation.duration_ms:.0f} ms)\n{invocation.logs}")
    if collector is not None:
        from ffo.span_tree import render

        say("\n" + render(collector.spans(), request_id))
    say(f"wall time {time.perf_counter() - started:.2f} s\n")
    return 1 if record["status"] == "failed" else 0
