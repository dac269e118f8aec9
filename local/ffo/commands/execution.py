"""Following a workflow execution from the command line: its states as they happen, the review it
waits on, and the final report with the asset and provenance written to disk."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def reader(org_id: str) -> dict[str, str]:
    """The claims the CLI reads its own requests with: the organisation, and a user as every route needs."""
    return {"org_id": org_id, "sub": "ffo-local"}


def waiting_review(engine: Any, org_id: str, request_id: str) -> dict[str, Any] | None:
    """The pending review the request waits on, if it waits on one."""
    record: dict[str, Any] = json.loads(engine.api("GET", f"/v1/requests/{request_id}", None, reader(org_id))["body"])
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
    while True:
        seen = engine.activity()
        status = engine.execution_status(arn)
        history = engine.history(arn)
        printer.feed(history)
        if status != "RUNNING" or (paused is not None and _submitted(history) and paused()):
            return True
        if time.monotonic() > deadline:
            say(f"ffo: gave up waiting after {timeout} s; the execution is still running\n")
            return False
        # woken when a handler returns or the execution ends, instead of polling (each poll takes the GIL
        # from the interpreter thread); the timeout covers states that invoke nothing (Wait, Pass, Choice)
        engine.wait_for_activity(seen, 0.25)


def _submitted(history: list[dict[str, Any]]) -> bool:
    """The execution's last event is a submitted task (a ``.waitForTaskToken`` state now waits for a
    person or a callback): only then can it be paused, so ``paused()`` (an API call) is asked only then."""
    return bool(history) and history[-1].get("type") == "TaskSubmitted"


def report(engine: Any, org_id: str, request_id: str, out: Path, say: Callable[[str], Any]) -> dict[str, Any]:
    """Print the request's final status; write its asset and provenance under ``out``."""
    from flashfusion.wiring import get_deps

    record: dict[str, Any] = json.loads(engine.api("GET", f"/v1/requests/{request_id}", None, reader(org_id))["body"])
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
        target, data = _download(deps, asset, out)
        provenance = deps.provenance.get(org_id, asset["assetId"], asset["version"]).to_json()
        (target.parent / f"{asset['version']}.provenance.json").write_text(json.dumps(provenance, indent=2))
        say(f"asset written to {target} ({len(data)} bytes, {asset['mimeType']})\n")
        say("provenance record:\n" + json.dumps(provenance, indent=2) + "\n")
        for locale, outcome in sorted(record.get("translations", {}).items()):
            line = f"translation {locale}: {outcome['status']}"
            if outcome.get("asset"):
                child = outcome["asset"]
                written, _ = _download(deps, child, out)
                line += f" -> {written}" + (" (stand-in, not translated)" if outcome.get("standIn") else "")
            if outcome.get("error"):
                line += f" ({outcome['error']})"
            say(line + "\n")
            for violation in outcome.get("violations", []):
                say(f"  violation [{violation['severity']}] {violation['ruleId']}: {violation['message']}\n")
        bundle_parts(deps, record, out, say)
        budget = deps.budgets.status(org_id)
        say(
            f"budget {budget.month}: spent ${budget.spent_usd:.4f} of ${budget.limit_usd:.4f}, "
            f"${budget.available_usd:.4f} left\n"
        )
    return record


def bundle_parts(deps: Any, record: dict[str, Any], out: Path, say: Callable[[str], Any]) -> None:
    """A bundle's parts: each one's status and file, then the bundle-wide lint findings."""
    bundle = record.get("bundle")
    if not bundle:
        return
    say(f"bundle {bundle['bundleId']} ({bundle['kind']}):\n")
    for part in bundle["parts"]:
        line = f"  part {part['partId']} ({part['contentType']}{'' if part.get('required', True) else ', optional'}): "
        line += part["status"]
        if part.get("asset"):
            written, _ = _download(deps, part["asset"], out)
            line += f" -> {written}"
        if part.get("lintPassed") is not None:
            line += f" (lint {'passed' if part['lintPassed'] else 'failed'})"
        if part.get("error"):
            line += f" ({part['error']})"
        say(line + "\n")
    if bundle.get("lintPassed") is not None:
        say(f"  bundle lint: {'passed' if bundle['lintPassed'] else 'failed'}\n")
    for violation in bundle.get("violations", []):
        say(f"  bundle violation [{violation['severity']}] {violation['ruleId']}: {violation['message']}\n")


def _download(deps: Any, asset: dict[str, Any], out: Path) -> tuple[Path, bytes]:
    """Copy a stored version (and its sidecar manifest, if any) from the bucket to ``out/<key>``."""
    data, _ = deps.assets.read(asset["key"])
    target = out / asset["key"]
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    if asset.get("sidecarKey"):
        sidecar, _ = deps.assets.read(asset["sidecarKey"])
        target.with_suffix(".c2pa").write_bytes(sidecar)
    return target, data
