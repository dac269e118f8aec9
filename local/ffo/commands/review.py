"""`ffo review`: run a request and decide the reviews it stops for, through the real API."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path
from typing import Any

from ffo.commands.common import Parents, Subparsers, mime_of
from ffo.commands.execution import follow, report, waiting_review
from ffo.request_files import DEFAULT_KIT, project_root, read_kit, read_request_file

REVIEWER = {"cognito:groups": "[reviewers]"}
DEFAULT_STATE = "out/state"


def register(subparsers: Subparsers, parents: Parents) -> None:
    parser = subparsers.add_parser(
        "review",
        help="run a request and decide the reviews it stops for, or decide one waiting in `ffo serve`",
        description="Submits a request file like `ffo run`; each time the workflow waits on a human review it "
        "shows the violations and suggestions, writes the preview under --out/reviews/, and decides through the "
        "real API: the next --decision (approve, approve_with_edits, regenerate, reject), or asks when run in a "
        "terminal without --decision. Then prints the final status, the asset, its provenance and its lineage. "
        "With --request ID (and --org) instead of a file, decides the review that request waits on in the running "
        "`ffo serve` (found through --state), over HTTP with a reviewer's token from the local issuer. With a file "
        "and --state DIR, the run uses `ffo serve`'s state in DIR (a server running on DIR owns it: then submit "
        "with `ffo run --state DIR` and decide with --request).",
    )
    parser.add_argument("event", nargs="?", help="request file (see events/); or use --request")
    parser.add_argument("--request", help="decide the pending review of this request in the running `ffo serve`")
    parser.add_argument("--org", help="with --request: the request's organisation")
    parser.add_argument(
        "--state",
        help="`ffo serve`'s state directory. With --request: the running server's (default out/state). With a "
        "request file: run on that state (loaded, then saved), unless `ffo serve` is running on it",
    )
    parser.add_argument(
        "--decision",
        action="append",
        choices=["approve", "approve_with_edits", "regenerate", "reject"],
        help="the decision for the next review round (repeat once per round)",
    )
    parser.add_argument("--feedback", action="append", help="what a regeneration should change (one per regenerate)")
    parser.add_argument("--edited-text", help="approve_with_edits: the corrected text")
    parser.add_argument("--file", help="approve_with_edits: a replacement file, uploaded like a client would")
    parser.add_argument("--comment", help="a comment recorded with each decision")
    parser.add_argument(
        "--part", help="a bundle's review: the part an edit or a regeneration is for (copy, image, image-2, video...)"
    )
    parser.add_argument("--reviewer", default="local-reviewer", help="the reviewer's user id (default local-reviewer)")
    parser.add_argument("--kit", default=DEFAULT_KIT, help=f"brand kit file to seed (default {DEFAULT_KIT})")
    parser.add_argument("--out", default="out", help="folder for previews and the saved asset (default out/)")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds to wait for each stretch of the run")
    parser.set_defaults(func=run)


def _decision_body(decision: str, args: argparse.Namespace, feedback: list[str]) -> dict[str, Any]:
    body: dict[str, Any] = {"decision": decision}
    if args.comment:
        body["comment"] = args.comment
    if decision == "regenerate":
        body["feedback"] = feedback.pop(0) if feedback else "address the violations the linter found"
    if decision == "approve_with_edits" and args.edited_text is not None:
        body["editedText"] = args.edited_text
    if getattr(args, "part", None) and decision in ("approve_with_edits", "regenerate"):
        body["partId"] = args.part
    return body


def _upload(engine: Any, review: dict[str, Any], path: Path, claims: dict[str, Any]) -> str:
    """Upload a replacement file the way a client would: ask for a ticket, then put the bytes there."""
    from flashfusion.media_types import extension_for
    from flashfusion.storage import keys
    from flashfusion.wiring import get_deps

    mime = mime_of(path)
    answer = engine.api("POST", f"/v1/reviews/{review['reviewId']}/uploads", {"mimeType": mime}, claims)
    ticket = json.loads(answer["body"])
    if answer["statusCode"] != 201:
        raise SystemExit(f"ffo review: the upload was refused: {ticket.get('detail')}")
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


def decide_served(args: argparse.Namespace) -> int:
    """Decide the review a request waits on in the running ``ffo serve``, over HTTP, as a reviewer would.

    The workflow waiting on the review is a thread of that server: only it can resume it, so without a
    running server there is nothing to decide (a saved state keeps the request, not its execution)."""
    import httpx

    from ffo.cfn import load_template
    from ffo.local_issuer import AuthorizerConfig, LocalIssuer
    from ffo.local_server import running_server

    if not args.org or not args.decision:
        raise SystemExit("ffo review --request: pass --org and one --decision")
    state = Path(args.state or DEFAULT_STATE).resolve()
    server = running_server(state)
    if server is None:
        raise SystemExit(
            f"ffo review: no `ffo serve` is running on {state}; start it (the review's workflow lives there)"
        )
    root = project_root(args.root)
    config = AuthorizerConfig.from_template(load_template(root / "template.yaml"))
    token = LocalIssuer(Path(server.issuer)).mint(
        config, org_id=args.org, subject=args.reviewer, groups=["reviewers"], ttl_seconds=300
    )
    feedback = list(args.feedback or [])
    with httpx.Client(base_url=server.url, headers={"authorization": f"Bearer {token}"}, trust_env=False) as http:
        record = http.get(f"/v1/requests/{args.request}")
        if record.status_code != 200:
            sys.stdout.write(f"GET /v1/requests/{args.request} -> {record.status_code} {record.text}\n")
            return 2
        review = record.json().get("review") or {}
        if record.json().get("status") != "needs_review" or review.get("status") != "pending":
            sys.stdout.write(f"request {args.request} is {record.json().get('status')}: no review waits\n")
            return 2
        body = _decision_body(args.decision[0], args, feedback)
        decided = http.post(f"/v1/reviews/{review['reviewId']}/decision", json=body)
        sys.stdout.write(
            f"POST /v1/reviews/{review['reviewId']}/decision {args.decision[0]} -> {decided.status_code}\n"
        )
        return 0 if decided.status_code == 200 else 2


def run(args: argparse.Namespace) -> int:
    """Run a request and decide each review it stops for, through the real API handler."""
    from ffo.engine import LocalEngine

    if args.request:
        return decide_served(args)
    if not args.event:
        raise SystemExit("ffo review: give a request file, or --request ID --org ORG --decision ...")

    from ffo.local_server import StateDirectoryBusy, running_server
    from ffo.shared_state import ServerOwnsState, kept_in

    state = Path(args.state).resolve() if args.state else None
    if state is not None and (server := running_server(state)) is not None:  # before an engine starts for nothing
        return _refused(ServerOwnsState(state, server), args.event, state, sys.stdout.write)
    with LocalEngine(project_root(args.root), instant=True) as engine:
        try:
            with kept_in(engine, state, engine.stream.fallback.write) if state is not None else nullcontext():
                return _run(engine, args, keep=state is not None)
        except StateDirectoryBusy as error:
            return _refused(error, args.event, state, engine.stream.fallback.write)


def _refused(error: Exception, event: str, state: Path | None, say: Callable[[str], Any]) -> int:
    from ffo.shared_state import ServerOwnsState

    hint = (
        f"\n  Submit with `ffo run {event} --state {state}` (it goes to the server), then decide with "
        f"`ffo review --request ID --org ORG --state {state} --decision ...`"
        if isinstance(error, ServerOwnsState)
        else ""
    )
    say(f"ffo review: {error}{hint}\n")
    return 2


def _run(engine: Any, args: argparse.Namespace, *, keep: bool) -> int:
    """Submit the file's request and decide each review it stops for (``keep``: on a kept state)."""
    from ffo.commands.served_requests import seed_kit_if_missing

    root = engine.root
    _, body, caller = read_request_file(Path(args.event))
    kit = read_kit(root, args.kit)
    out = Path(args.out)
    decisions, feedback = list(args.decision or []), list(args.feedback or [])
    interactive = not decisions and sys.stdin.isatty()
    say = engine.stream.fallback.write
    org_id = caller["orgId"]
    claims = {"org_id": org_id, "sub": caller["userId"]}
    if keep:
        seed_kit_if_missing(engine, org_id, kit)
    else:
        engine.seed_brand_kit(org_id, kit)
    answer = engine.api("POST", "/v1/assets", body, claims)
    accepted = json.loads(answer["body"] or "{}")
    say(f"POST /v1/assets -> {answer['statusCode']} {json.dumps(accepted)}\n")
    if answer["statusCode"] != 202:
        return 2
    request_id = accepted["requestId"]
    arn = engine.execution_arn(request_id)
    reviewer_claims = {**claims, "sub": args.reviewer, **REVIEWER}
    decided_ids: set[str] = set()

    def next_review() -> dict[str, Any] | None:
        # The request still shows a review it was just given a decision on until the workflow moves on (a busy
        # machine widens that moment): that one is never decided twice, only a review of a later round.
        pending = waiting_review(engine, org_id, request_id)
        return pending if pending is not None and pending.get("reviewId") not in decided_ids else None

    while True:
        if not follow(engine, arn, say, args.timeout, lambda: next_review() is not None):
            return 3
        pending = next_review()
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
        decided_ids.add(str(review["reviewId"]))
        result = json.loads(decided["body"])
        say(f"POST /v1/reviews/{review['reviewId']}/decision {decision} -> {decided['statusCode']}\n")
        if decided["statusCode"] != 200:
            say(f"  refused: {result.get('detail')}\n")
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
