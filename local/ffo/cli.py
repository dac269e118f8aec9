"""`ffo`: the FlashFusion Orchestrator's local command line."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

DEFAULT_KIT = "events/brand-kit.sample.json"
DEFAULT_CALLER = {"orgId": "local-org", "userId": "local-user"}


def project_root(explicit: str | None) -> Path:
    if explicit:
        return Path(explicit).resolve()
    for candidate in [Path.cwd(), *Path.cwd().parents, Path(__file__).resolve().parents[2]]:
        if (candidate / "template.yaml").is_file():
            return candidate
    raise SystemExit("ffo: no template.yaml here or above; pass --root")


def read_request_file(path: Path) -> tuple[dict[str, Any] | None, Any, dict[str, str]]:
    """(API Gateway event or None, body, caller) from a request file."""
    try:
        data = json.loads(path.read_text("utf-8"))
    except json.JSONDecodeError as error:
        raise SystemExit(f"ffo: {path} is not valid JSON: {error}") from error
    if isinstance(data, dict) and "requestContext" in data:
        return data, None, {}
    if isinstance(data, dict) and "body" in data:
        return None, data["body"], {**DEFAULT_CALLER, **data.get("caller", {})}
    return None, data, dict(DEFAULT_CALLER)


def waiting_review(engine: Any, org_id: str, request_id: str) -> dict[str, Any] | None:
    """The pending review the request waits on, if it waits on one."""
    record: dict[str, Any] = json.loads(
        engine.api("GET", f"/v1/requests/{request_id}", None, {"org_id": org_id})["body"]
    )
    review = record.get("review") or {}
    if record.get("status") == "needs_review" and review.get("status") == "pending":
        return review
    return None


def follow(
    engine: Any,
    arn: str,
    say: Callable[[str], Any],
    timeout: float,
    paused: Callable[[], bool] | None = None,
) -> bool:
    """Print the execution's states as they happen, until it ends or ``paused()`` says it waits on a
    person; False if it is still running after ``timeout``."""
    from ffo.progress import ProgressPrinter

    printer = ProgressPrinter(emit=lambda line: say(line + "\n"), retry_delays=lambda: engine.sleeps.retries)
    deadline = time.monotonic() + timeout
    sfn = engine.client("stepfunctions")
    while True:
        status = sfn.describe_execution(executionArn=arn)["status"]
        printer.feed(engine.history(arn))
        if status != "RUNNING" or (paused is not None and paused()):
            return True
        if time.monotonic() > deadline:
            say(f"ffo: gave up waiting after {timeout} s; the execution is still running\n")
            return False
        time.sleep(0.05)


def report(engine: Any, org_id: str, request_id: str, out: Path, say: Callable[[str], Any]) -> dict[str, Any]:
    """Print the request's final status; write its asset and provenance under ``out``."""
    from flashfusion.wiring import get_deps

    record: dict[str, Any] = json.loads(
        engine.api("GET", f"/v1/requests/{request_id}", None, {"org_id": org_id})["body"]
    )
    say(f"\nstatus: {record['status']}\n")
    for violation in record.get("violations", []):
        say(f"  violation [{violation['severity']}] {violation['ruleId']}: {violation['message']}\n")
    if record.get("error"):
        say(
            f"  {'reason' if record['status'] == 'queued' else 'error'} {record['error']['type']}: "
            f"{record['error']['message']}\n"
        )
    if record.get("asset"):
        asset = record["asset"]
        deps = get_deps()
        data, _ = deps.assets.read(asset["key"])
        target = out / asset["key"]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        if asset.get("sidecarKey"):
            sidecar, _ = deps.assets.read(asset["sidecarKey"])
            target.with_suffix(".c2pa").write_bytes(sidecar)
        provenance = deps.provenance.get(org_id, asset["assetId"], asset["version"]).to_json()
        (target.parent / f"{asset['version']}.provenance.json").write_text(json.dumps(provenance, indent=2))
        say(f"asset written to {target} ({len(data)} bytes, {asset['mimeType']})\n")
        say("provenance record:\n" + json.dumps(provenance, indent=2) + "\n")
        for locale, outcome in sorted(record.get("translations", {}).items()):
            line = f"translation {locale}: {outcome['status']}"
            if outcome.get("asset"):
                child = outcome["asset"]
                data, _ = deps.assets.read(child["key"])
                written = out / child["key"]
                written.parent.mkdir(parents=True, exist_ok=True)
                written.write_bytes(data)
                if child.get("sidecarKey"):
                    sidecar, _ = deps.assets.read(child["sidecarKey"])
                    written.with_suffix(".c2pa").write_bytes(sidecar)
                line += f" -> {written}" + (" (stand-in, not translated)" if outcome.get("standIn") else "")
            if outcome.get("error"):
                line += f" ({outcome['error']})"
            say(line + "\n")
            for violation in outcome.get("violations", []):
                say(f"  violation [{violation['severity']}] {violation['ruleId']}: {violation['message']}\n")
        budget = deps.budgets.status(org_id)
        say(
            f"budget {budget.month}: spent ${budget.spent_usd:.4f} of ${budget.limit_usd:.4f}, "
            f"${budget.available_usd:.4f} left\n"
        )
    return record


def cmd_run(args: argparse.Namespace) -> int:
    from ffo.engine import LocalEngine, http_api_event

    root = project_root(args.root)
    event, body, caller = read_request_file(Path(args.event))
    kit = json.loads((root / args.kit if not Path(args.kit).is_absolute() else Path(args.kit)).read_text("utf-8"))
    started = time.perf_counter()
    out = Path(args.out)
    env = {"MODEL_MATRIX_PATH": str(Path(args.matrix).resolve())} if args.matrix else {}
    with LocalEngine(root, instant=not args.real_time, env=env) as engine:
        say = engine.stream.fallback.write
        if event is None:
            event = http_api_event("POST", "/v1/assets", body, {"org_id": caller["orgId"], "sub": caller["userId"]})
        org_id = str(event["requestContext"]["authorizer"]["jwt"]["claims"].get("org_id", ""))
        if org_id:
            engine.seed_brand_kit(org_id, kit)
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
        say(f"wall time {time.perf_counter() - started:.2f} s\n")
        return 1 if record["status"] == "failed" else 0


def cmd_route(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from ffo.cfn import load_template
    from flashfusion.errors import BudgetExceeded, NoModelAvailable
    from flashfusion.models import AssetSubmission
    from flashfusion.providers.registry import available_providers
    from flashfusion.routing import router
    from flashfusion.routing.matrix import load_matrix_file

    root = project_root(args.root)
    _, body, caller = read_request_file(Path(args.event))
    try:
        submission = AssetSubmission.model_validate(body)
    except ValidationError as error:
        print(f"ffo route: the request is invalid:\n{error}")
        return 2
    params = load_template(root / "template.yaml").get("Parameters", {})
    enabled = args.providers or str(params.get("EnabledProviders", {}).get("Default", "local"))
    providers = available_providers(frozenset(p.strip() for p in enabled.split(",") if p.strip()))
    budget = args.budget if args.budget is not None else caller.get("monthlyBudgetUsd")
    if budget is None:
        budget = float(params.get("DefaultMonthlyBudgetUsd", {}).get("Default", 100))
    matrix = load_matrix_file(args.matrix)
    query = router.query_for(submission, providers, float(budget))
    print(
        f"request: {submission.content_type.value}, tier {submission.tier.value}, {submission.latency.value}, "
        f"prompt {len(submission.prompt)} chars"
    )
    print(f"providers enabled: {', '.join(sorted(providers)) or 'none'}; matrix {matrix.version}")
    print(f"remaining budget: ${float(budget):.4f}")
    try:
        decision = router.route(matrix, query)
    except (BudgetExceeded, NoModelAvailable) as error:
        print(f"no route: {type(error).__name__}: {error}")
        return 1
    print(f"chosen: {decision.model}  estimated ${decision.estimated_cost_usd:.4f}")
    for reason in decision.reasons:
        print(f"  why: {reason}")
    print("fallback chain:" if decision.chain else "fallback chain: (none)")
    for number, model_id in enumerate(decision.chain, 1):
        spec = matrix.get(model_id)
        print(
            f"  {number}. {model_id} ({spec.tier.value}, {spec.latency_class})  "
            f"estimated ${router.estimate(spec, query):.4f}"
        )
    print("passed over:" if decision.passed_over else "passed over: (none)")
    for passed in decision.passed_over:
        print(f"  {passed.model}: {passed.reason}")
    return 0


TEXT_SUFFIXES = {".txt": "text/plain", ".md": "text/markdown", ".markdown": "text/markdown"}


def load_brand_kit(path: Path) -> Any:
    """A brand kit from a JSON or YAML file; an invalid kit exits naming each field and its problem."""
    import yaml
    from pydantic import ValidationError

    from flashfusion.models import BrandKit

    text = path.read_text("utf-8")
    data = yaml.safe_load(text) if path.suffix.lower() in (".yaml", ".yml") else json.loads(text)
    try:
        return BrandKit.model_validate(data)
    except ValidationError as error:
        lines = [f"  {'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors()]
        raise SystemExit(f"ffo: {path} is not a valid brand kit:\n" + "\n".join(lines)) from error


def describe(report: Any) -> list[str]:
    errors = sum(v.severity == "error" for v in report.violations)
    warnings = sum(v.severity == "warning" for v in report.violations)
    lines = [f"{'compliant' if report.compliant else 'NOT compliant'} ({errors} errors, {warnings} warnings)"]
    for v in report.violations:
        where = ""
        location = v.location
        if location is not None and hasattr(location, "text"):
            where = f' at {location.start}-{location.end} "{location.text}"'
        elif location is not None and hasattr(location, "width"):
            where = f" at box x={location.x} y={location.y} {location.width}x{location.height}"
        elif location is not None:
            where = f" at {location.start_seconds:.1f}-{location.end_seconds:.1f} s"
        lines.append(f"  [{v.severity}] {v.rule_id}{where}: {v.message}")
        if v.suggestion:
            lines.append(f"      suggestion: {v.suggestion}")
        if v.fix:
            lines.append(f"      auto-fix: {v.fix.kind} with {v.fix.text!r}")
    for skipped in report.not_checked:
        lines.append(f"  [not checked] {skipped.check}: {skipped.reason}")
    if report.metrics:
        lines.append("  metrics: " + ", ".join(f"{k}={v:.3g}" for k, v in sorted(report.metrics.items())))
    return lines


def local_ocr() -> Any | None:
    from flashfusion.linting.ocr import TesseractOcr

    return TesseractOcr() if TesseractOcr.available() else None


def cmd_lint(args: argparse.Namespace) -> int:
    import mimetypes

    from flashfusion.app.steps import decode_rgba
    from flashfusion.linting.engine import LintContext, lint_asset

    kit_path = Path(args.brand_kit)
    kit = load_brand_kit(kit_path)
    root = project_root(args.root)

    def find_file(ref: str) -> bytes:
        for candidate in (Path(ref), kit_path.parent / ref, root / ref):
            if candidate.is_file():
                return candidate.read_bytes()
        raise FileNotFoundError(f"brand file {ref!r} not found next to the kit, here or in the project")

    def load_logo(ref: str) -> Any:
        return decode_rgba(find_file(ref))

    results = []
    unreadable = False
    for name in args.files:
        path = Path(name)
        mime = TEXT_SUFFIXES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] or ""
        try:
            context = LintContext(
                kit=kit, channel=args.channel, load_logo=load_logo, ocr=local_ocr(), load_font=find_file
            )
            report = lint_asset(path.read_bytes(), mime, context)
        except (OSError, ValueError) as error:
            print(f"{name}: cannot lint: {error}")
            unreadable = True
            continue
        results.append((name, report))
    if args.json:
        print(json.dumps([{"file": name, "report": report.to_json()} for name, report in results], indent=2))
    else:
        for name, report in results:
            lines = describe(report)
            print(f"{name}: {lines[0]}")
            for line in lines[1:]:
                print(line)
    if unreadable:
        return 2
    return 0 if all(report.compliant for _, report in results) else 1


REVIEWER = {"cognito:groups": "[reviewers]"}


def _decision_body(decision: str, args: argparse.Namespace, feedback: list[str]) -> dict[str, Any]:
    body: dict[str, Any] = {"decision": decision}
    if args.comment:
        body["comment"] = args.comment
    if decision == "regenerate":
        body["feedback"] = feedback.pop(0) if feedback else "address the violations the linter found"
    if decision == "approve_with_edits" and args.edited_text is not None:
        body["editedText"] = args.edited_text
    return body


def _upload(engine: Any, review: dict[str, Any], path: Path, claims: dict[str, Any]) -> str:
    """Upload a replacement file the way a client would: ask for a ticket, then put the bytes there."""
    import mimetypes

    from flashfusion.media_types import extension_for
    from flashfusion.storage import keys
    from flashfusion.wiring import get_deps

    mime = TEXT_SUFFIXES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] or ""
    answer = engine.api("POST", f"/v1/reviews/{review['reviewId']}/uploads", {"mimeType": mime}, claims)
    ticket = json.loads(answer["body"])
    if answer["statusCode"] != 201:
        raise SystemExit(f"ffo review: the upload was refused: {ticket.get('message')}")
    # The ticket's presigned URL points at S3; in-process the engine's S3 is moto, so put there directly.
    deps = get_deps()
    key = keys.review_upload_key(
        deps.assets.staging_prefix,
        review["orgId"],
        review["requestId"],
        review["reviewId"],
        ticket["uploadId"],
        extension_for(mime),
    )
    deps.assets.s3.put_object(Bucket=deps.assets.bucket, Key=key, Body=path.read_bytes(), ContentType=mime)
    return str(ticket["uploadId"])


def _show_review(review: dict[str, Any], out: Path, say: Callable[[str], Any]) -> None:
    from flashfusion.wiring import get_deps

    say(
        f"\nreview {review['reviewId']} (round {review['round']}, "
        f"{review['regenerationsLeft']} regeneration(s) left, decide by {review['deadline']})\n"
    )
    for violation in review.get("violations", []):
        say(f"  [{violation['severity']}] {violation['ruleId']}: {violation['message']}\n")
    for suggestion in review.get("suggestions", []):
        say(f"  suggestion: {suggestion}\n")
    preview = review["preview"]
    data, _ = get_deps().assets.read(preview["key"])
    target = out / "reviews" / review["reviewId"] / Path(preview["key"]).name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    say(f"  preview: {target}\n")


def cmd_review(args: argparse.Namespace) -> int:
    """Run a request and decide each review it stops for, through the real API handler."""
    from ffo.engine import LocalEngine

    root = project_root(args.root)
    _, body, caller = read_request_file(Path(args.event))
    kit = json.loads((root / args.kit if not Path(args.kit).is_absolute() else Path(args.kit)).read_text("utf-8"))
    out = Path(args.out)
    decisions, feedback = list(args.decision or []), list(args.feedback or [])
    interactive = not decisions and sys.stdin.isatty()
    with LocalEngine(root, instant=True) as engine:
        say = engine.stream.fallback.write
        org_id = caller["orgId"]
        claims = {"org_id": org_id, "sub": caller["userId"]}
        engine.seed_brand_kit(org_id, kit)
        answer = engine.api("POST", "/v1/assets", body, claims)
        accepted = json.loads(answer["body"] or "{}")
        say(f"POST /v1/assets -> {answer['statusCode']} {json.dumps(accepted)}\n")
        if answer["statusCode"] != 202:
            return 2
        request_id = accepted["requestId"]
        arn = engine.execution_arn(request_id)
        reviewer_claims = {**claims, "sub": args.reviewer, **REVIEWER}
        while True:
            paused = lambda: waiting_review(engine, org_id, request_id) is not None  # noqa: E731
            if not follow(engine, arn, say, args.timeout, paused):
                return 3
            pending = waiting_review(engine, org_id, request_id)
            if pending is None:
                break
            review = json.loads(engine.api("GET", f"/v1/reviews/{pending['reviewId']}", None, reviewer_claims)["body"])
            _show_review(review, out, say)
            if interactive:
                decision = input("decision [approve/approve_with_edits/regenerate/reject]: ").strip()
                if decision == "regenerate":
                    feedback.append(input("feedback: ").strip())
            elif decisions:
                decision = decisions.pop(0)
            else:
                say("no decision left to give: the review stays pending (pass --decision once per round)\n")
                return 0
            decision_body = _decision_body(decision, args, feedback)
            if decision == "approve_with_edits" and args.file:
                decision_body["replacementUploadId"] = _upload(engine, review, Path(args.file), reviewer_claims)
            decided = engine.api("POST", f"/v1/reviews/{review['reviewId']}/decision", decision_body, reviewer_claims)
            result = json.loads(decided["body"])
            say(f"POST /v1/reviews/{review['reviewId']}/decision {decision} -> {decided['statusCode']}\n")
            if decided["statusCode"] != 200:
                say(f"  refused: {result.get('message')}\n")
                return 2
        record = report(engine, org_id, request_id, out, say)
        if record.get("asset"):
            lineage = json.loads(
                engine.api("GET", f"/v1/assets/{record['asset']['assetId']}/lineage", None, claims)["body"]
            )
            say("lineage:\n")
            for node in lineage["versions"]:
                say(
                    f"  {node['assetId']} v{node['version']} {node['status']}"
                    f"{' human-edited' if node.get('humanEdited') else ''}"
                    f"{' decision=' + node['decision'] if node.get('decision') else ''}"
                    f"{' parent=v' + str(node['parentVersion']) if node.get('parentVersion') else ''}\n"
                )
        return 1 if record["status"] == "failed" else 0


def cmd_provenance(args: argparse.Namespace) -> int:
    """Read a file's content credentials back and verify them."""
    import mimetypes

    from flashfusion.provenance.credentials import read_credentials

    path = Path(args.file)
    if not path.is_file():
        print(f"ffo provenance: {path} is not a file")
        return 2
    mime = TEXT_SUFFIXES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] or ""
    sidecar_path = Path(args.sidecar) if args.sidecar else path.with_suffix(".c2pa")
    sidecar = sidecar_path.read_bytes() if mime.startswith("text/") and sidecar_path.is_file() else None
    root = project_root(args.root)
    anchor_path = Path(args.trust_anchor) if args.trust_anchor else root / "out" / ".ffo-dev-ca" / "ca.pem"
    anchors = anchor_path.read_bytes() if anchor_path.is_file() else None
    try:
        report = read_credentials(path.read_bytes(), mime, sidecar=sidecar, trust_anchors_pem=anchors)
    except ValueError as error:
        print(f"ffo provenance: {path}: {error}")
        return 2
    if args.json:
        print(json.dumps(report.to_json(), indent=2))
        return 0 if report.signature_valid else 1
    if not report.present:
        print(f"{path}: no content credentials" + (" (no sidecar found)" if mime.startswith("text/") else ""))
        return 1
    verdict = (
        "valid and trusted"
        if report.trusted
        else "valid, signer not trusted here"
        if report.signature_valid
        else "INVALID"
    )
    print(f"{path}: content credentials {verdict}")
    print(f"  manifest {report.active_manifest}, signed by {report.signer_subject} ({report.signer_issuer})")
    for action in report.actions:
        agent = f" by {action.software_agent}" if action.software_agent else ""
        source = f" [{action.digital_source_type.rsplit('/', 1)[-1]}]" if action.digital_source_type else ""
        print(f"  action {action.action}{agent}{source}")
    for ingredient in report.ingredients:
        print(f"  ingredient {ingredient.title} ({ingredient.relationship})")
    if report.xmp_digital_source_type:
        print(f"  XMP digital source type: {report.xmp_digital_source_type}")
    for name, value in (report.assertion or {}).items():
        print(f"  {name}: {value}")
    for issue in report.errors:
        print(f"  problem {issue.code}: {issue.explanation or ''}")
    if anchors is None:
        print("  (no trust anchor: pass --trust-anchor, or run the local engine once to create the dev CA)")
    return 0 if report.signature_valid else 1


def cmd_validate(args: argparse.Namespace) -> int:
    from ffo.validate import check_template

    root = project_root(args.root)
    problems = check_template(root, Path(args.template) if args.template else None)
    for problem in problems:
        print(f"error: {problem}")
    if problems:
        print(f"ffo validate: {len(problems)} problem(s)")
        return 1
    print("ffo validate: template.yaml and every state machine definition are consistent")
    return 0


def cmd_plan(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from ffo.scheduler_clock import plan_file

    try:
        print(plan_file(Path(args.campaign)))
    except (ValidationError, ValueError) as error:
        print(f"ffo plan: {args.campaign} is not a valid campaign file:\n{error}")
        return 2
    return 0


def _posting_engine(args: argparse.Namespace) -> Any:
    from ffo.engine import LocalEngine

    outbox = Path(args.out) / "outbox"
    return LocalEngine(project_root(args.root), env={"OUTBOX_DIR": str(outbox.resolve())}), outbox


def cmd_tick(args: argparse.Namespace) -> int:
    from ffo.scheduler_clock import parse_time, run_request, run_tick

    root = project_root(args.root)
    kit = json.loads((root / DEFAULT_KIT).read_text("utf-8"))
    engine, outbox = _posting_engine(args)
    with engine:
        say = engine.stream.fallback.write
        ok = all(run_request(engine, Path(event), kit, say, args.timeout) for event in args.events)
        fired = run_tick(engine, parse_time(args.until), say)
        say(f"outbox: {outbox}\n")
    return 0 if ok and all(f.ok for f in fired) else 1


def cmd_serve(args: argparse.Namespace) -> int:
    import logging
    import os

    from moto.server import ThreadedMotoServer

    from ffo.scheduler_clock import run_request, serve

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per AWS call otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=args.port, verbose=False)
    server.start()
    os.environ["MOTO_PORT"] = str(args.port)
    os.environ["AWS_ENDPOINT_URL"] = f"http://127.0.0.1:{args.port}"
    root = project_root(args.root)
    kit = json.loads((root / DEFAULT_KIT).read_text("utf-8"))
    deadline = time.monotonic() + args.seconds if args.seconds else None
    try:
        engine, outbox = _posting_engine(args)
        with engine:
            say = engine.stream.fallback.write
            say(f"ffo serve: AWS endpoint {os.environ['AWS_ENDPOINT_URL']}; posts go to {outbox}; Ctrl-C stops\n")
            for event in args.events:
                run_request(engine, Path(event), kit, say, args.timeout)
            serve(engine, say, stop=lambda: deadline is not None and time.monotonic() > deadline)
    except KeyboardInterrupt:
        print("ffo serve: stopped")
    finally:
        server.stop()
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ffo",
        description="FlashFusion Orchestrator, locally: runs the real workflow offline (moto executes the "
        "state machine, the handlers run in this process, built-in generators stand in for AI vendors).",
    )
    parser.add_argument("--root", help="project root (default: the folder holding template.yaml)")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser(
        "run",
        help="run a request file through the workflow",
        description="Submit a request through the API handler and follow the workflow: states entered, "
        "retried, caught and exited with durations; then the final status, the asset file under --out and "
        "its provenance record. EVENT is a request file ({caller, body}), a bare submission, or an API "
        "Gateway HTTP API event. Exit code: 0 succeeded or needs review, 1 failed, 2 rejected (4xx).",
    )
    run.add_argument("event", help="request file (see events/)")
    run.add_argument(
        "--kit", default=DEFAULT_KIT, help=f"brand kit file to seed for the caller (default {DEFAULT_KIT})"
    )
    run.add_argument("--out", default="out", help="folder for the saved asset (default out/)")
    run.add_argument(
        "--real-time", action="store_true", help="really sleep Retry/Wait delays (default: instant, recorded)"
    )
    run.add_argument("--logs", action="store_true", help="print each handler's structured logs afterwards")
    run.add_argument("--timeout", type=float, default=120.0, help="seconds to wait for the execution (default 120)")
    run.add_argument(
        "--matrix",
        help="a model matrix file instead of the packaged one "
        "(events/matrix-priced-local.json prices the offline models, to try budgets)",
    )
    run.add_argument(
        "--raise-budget",
        type=float,
        metavar="USD",
        help="if the request ends queued for budget, "
        "raise the monthly budget to USD and let the batch worker resume it",
    )
    run.set_defaults(func=cmd_run)

    route = sub.add_parser(
        "route",
        help="show which model a request would be routed to, and why",
        description="Prints the routing decision for a request file without running it: the chosen model, "
        "its estimated cost, the remaining budget, the fallback chain, and why each other model was passed over.",
    )
    route.add_argument("event", help="request file (see events/)")
    route.add_argument(
        "--budget",
        type=float,
        help="remaining monthly budget in USD (default: the request file's "
        "caller.monthlyBudgetUsd, else the template's DefaultMonthlyBudgetUsd)",
    )
    route.add_argument(
        "--providers", help="comma-separated enabled providers (default: the template's EnabledProviders)"
    )
    route.add_argument("--matrix", help="a model matrix file (default: the packaged one)")
    route.set_defaults(func=cmd_route)

    lint = sub.add_parser(
        "lint",
        help="lint files on disk against a brand kit",
        description="Checks text, image, video and audio files against a brand kit (JSON or YAML): voice, "
        "legal and platform rules for text; colours, logo placement and platform formats for images; sampled "
        "frames, duration and aspect for video; loudness, true peak and clipping for audio. Exit code: 0 all "
        "compliant, 1 something is not, 2 a file could not be read.",
    )
    lint.add_argument("files", nargs="+", metavar="FILE")
    lint.add_argument("--brand-kit", required=True, metavar="KIT", help="brand kit file (.json, .yaml)")
    lint.add_argument("--channel", help="the platform the files are for (x, linkedin, instagram, ...)")
    lint.add_argument("--json", action="store_true", help="machine-readable reports")
    lint.set_defaults(func=cmd_lint)

    plan = sub.add_parser(
        "plan",
        help="print the posting plan the planner proposes for a campaign file",
        description="CAMPAIGN_FILE (JSON or YAML) holds a campaign as POST /v1/campaigns takes it (name, brandKitId, "
        "startsAt, endsAt, timeZone, targets, cadence) plus 'assets' ([{assetId, platforms}]) and optionally 'now'. "
        "Prints each slot in the campaign's time zone with its reason, and what could not be placed and why.",
    )
    plan.add_argument("campaign", metavar="CAMPAIGN_FILE")
    plan.set_defaults(func=cmd_plan)

    tick = sub.add_parser(
        "tick",
        help="run request files, then fire the post schedules due by a time",
        description="Runs each request file (see 'ffo run'; a body with 'schedule' gets its posts scheduled, "
        "to the caller's 'accounts' and a local outbox account 'outbox-main'), then fires every EventBridge "
        "Scheduler schedule due by --until through the real publish handler (retry policy, dead-letter queue, "
        "deleted after completion), printing each fire. Posts go to OUT/outbox unless a platform is enabled.",
    )
    tick.add_argument("events", nargs="*", metavar="EVENT", help="request files to run first")
    tick.add_argument("--until", required=True, metavar="TIME", help="ISO 8601 time, 'now', or +30m / +2h / +7d")
    tick.add_argument("--out", default="out", help="folder of the outbox (default out/)")
    tick.add_argument("--timeout", type=float, default=120.0, help="seconds to wait for each workflow")
    tick.set_defaults(func=cmd_tick)

    serve = sub.add_parser(
        "serve",
        help="run the local stack as a server and fire post schedules in real time",
        description="Starts moto's server on 127.0.0.1:PORT (MOTO_PORT and AWS_ENDPOINT_URL point there, so "
        "the engine, the handlers and any other AWS client reach it), runs the request files given, and then "
        "fires each post schedule when it falls due, printing what it does, until Ctrl-C.",
    )
    serve.add_argument("events", nargs="*", metavar="EVENT", help="request files to run first")
    serve.add_argument("--port", type=int, default=5000, help="moto server port (default 5000)")
    serve.add_argument("--out", default="out", help="folder of the outbox (default out/)")
    serve.add_argument("--seconds", type=float, default=0, help="stop after this many seconds (default: never)")
    serve.add_argument("--timeout", type=float, default=120.0, help="seconds to wait for each workflow")
    serve.set_defaults(func=cmd_serve)

    review = sub.add_parser(
        "review",
        help="run a request and decide the reviews it stops for",
        description="Submits a request file like `ffo run`; each time the workflow waits on a human review it "
        "shows the violations and suggestions, writes the preview under --out/reviews/, and decides through the "
        "real API: the next --decision (approve, approve_with_edits, regenerate, reject), or asks when run in a "
        "terminal without --decision. Then prints the final status, the asset, its provenance and its lineage.",
    )
    review.add_argument("event", help="request file (see events/)")
    review.add_argument(
        "--decision",
        action="append",
        choices=["approve", "approve_with_edits", "regenerate", "reject"],
        help="the decision for the next review round (repeat once per round)",
    )
    review.add_argument("--feedback", action="append", help="what a regeneration should change (one per regenerate)")
    review.add_argument("--edited-text", help="approve_with_edits: the corrected text")
    review.add_argument("--file", help="approve_with_edits: a replacement file, uploaded like a client would")
    review.add_argument("--comment", help="a comment recorded with each decision")
    review.add_argument("--reviewer", default="local-reviewer", help="the reviewer's user id (default local-reviewer)")
    review.add_argument("--kit", default=DEFAULT_KIT, help=f"brand kit file to seed (default {DEFAULT_KIT})")
    review.add_argument("--out", default="out", help="folder for previews and the saved asset (default out/)")
    review.add_argument("--timeout", type=float, default=120.0, help="seconds to wait for each stretch of the run")
    review.set_defaults(func=cmd_review)

    provenance = sub.add_parser(
        "provenance",
        help="read a file's content credentials back and verify them",
        description="Reads the C2PA manifest embedded in an image, video or audio file (or the .c2pa sidecar next "
        "to a text file), verifies its signature and hard binding, and prints what it says: actions with the model "
        "as software agent and the digital source type, ingredients (parents of edits, regenerations and "
        "translations), the FlashFusion assertion and the XMP digital source type. Exit code: 0 valid, 1 absent "
        "or invalid, 2 unreadable.",
    )
    provenance.add_argument("file")
    provenance.add_argument("--sidecar", help="the manifest of a text file (default FILE with .c2pa)")
    provenance.add_argument(
        "--trust-anchor", help="PEM of the CA to trust (default: the local development CA under out/.ffo-dev-ca/)"
    )
    provenance.add_argument("--json", action="store_true", help="the full report as JSON")
    provenance.set_defaults(func=cmd_provenance)

    validate = sub.add_parser(
        "validate",
        help="check template.yaml and every state machine definition",
        description="Checks that template.yaml's references resolve, every function's handler exists, and "
        "each state machine definition is valid ASL (moto's parser) whose substitutions are all defined, "
        "whose transitions all lead to existing states, whose states are all reachable, and whose custom "
        "error names are flashfusion.errors classes. Exit code 1 on any problem.",
    )
    validate.add_argument("--template", help="template file (default ROOT/template.yaml)")
    validate.set_defaults(func=cmd_validate)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
