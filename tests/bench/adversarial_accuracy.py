"""Accuracy of the text linter on the adversarial set, per class, printed: `python -m tests.bench.adversarial_accuracy`.

The set (tests/fixtures/adversarial/posts.jsonl, kits in kits.json beside it) was written by hand, expected
verdicts included, before the matcher was changed. A record is right when the lint verdict (compliant or
not) is the expected one, the rule it names (``rule``) is among the findings, at any severity, and the rule
it rules out (``absentRule``) is not.

A record whose kit does not validate here (a kit written for a feature this branch does not have yet,
e.g. sponsored disclosures or kit-chosen severities) counts as wrong, with the reason printed.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from dataclasses import dataclass, fields
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from flashfusion.linting.engine import LintContext, lint_text
from flashfusion.models import BrandKit

SET_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "adversarial"


@dataclass(frozen=True)
class Record:
    id: str
    kit: str
    channel: str | None
    text: str
    sponsored: bool
    cls: str
    expected: str
    rule: str | None
    absent_rule: str | None


@dataclass(frozen=True)
class Outcome:
    record: Record
    right: bool
    why: str


def load_records() -> list[Record]:
    records = []
    for line in (SET_DIR / "posts.jsonl").read_text("utf-8").splitlines():
        if not line.strip():
            continue
        raw: dict[str, Any] = json.loads(line)
        records.append(
            Record(
                id=raw["id"],
                kit=raw["kit"],
                channel=raw.get("channel"),
                text=raw["text"],
                sponsored=bool(raw.get("sponsored", False)),
                cls=raw["class"],
                expected=raw["expected"],
                rule=raw.get("rule"),
                absent_rule=raw.get("absentRule"),
            )
        )
    return records


@cache
def raw_kits() -> dict[str, dict[str, Any]]:
    kits: dict[str, dict[str, Any]] = json.loads((SET_DIR / "kits.json").read_text("utf-8"))
    return kits


@cache
def kit_named(name: str) -> BrandKit | str:
    """The kit, or why it does not validate on this branch."""
    try:
        return BrandKit.model_validate(raw_kits()[name])
    except ValidationError as error:
        return f"kit {name!r} does not validate here ({error.error_count()} errors)"


def context_for(record: Record, kit: BrandKit) -> LintContext:
    """The lint context; the sponsored flag is passed where this branch's context has one."""
    if any(f.name == "sponsored" for f in fields(LintContext)):
        return LintContext(kit=kit, channel=record.channel, sponsored=record.sponsored)  # type: ignore[call-arg]
    return LintContext(kit=kit, channel=record.channel)


def evaluate(record: Record) -> Outcome:
    kit = kit_named(record.kit)
    if isinstance(kit, str):
        return Outcome(record, False, kit)
    report = lint_text(record.text, context_for(record, kit))
    verdict = "pass" if report.compliant else "fail"
    fired = {v.rule_id for v in report.violations}
    if verdict != record.expected:
        return Outcome(record, False, f"verdict {verdict}, expected {record.expected}; fired {sorted(fired)}")
    if record.rule is not None and record.rule not in fired:
        return Outcome(record, False, f"{record.rule} did not fire; fired {sorted(fired)}")
    if record.absent_rule is not None and record.absent_rule in fired:
        return Outcome(record, False, f"{record.absent_rule} fired")
    return Outcome(record, True, "")


def accuracy_by_class(outcomes: list[Outcome]) -> dict[str, tuple[int, int]]:
    """class -> (right, total)."""
    table: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for outcome in outcomes:
        table[outcome.record.cls][0] += int(outcome.right)
        table[outcome.record.cls][1] += 1
    return {cls: (right, total) for cls, (right, total) in sorted(table.items())}


def main() -> None:
    outcomes = [evaluate(record) for record in load_records()]
    kits = {o.record.kit for o in outcomes}
    print(f"adversarial set: {len(outcomes)} posts, {len(kits)} kits")
    for cls, (right, total) in accuracy_by_class(outcomes).items():
        print(f"  {cls:10} {right:3}/{total:3}  {100 * right / total:5.1f}%")
    right = sum(o.right for o in outcomes)
    print(f"  {'all':10} {right:3}/{len(outcomes):3}  {100 * right / len(outcomes):5.1f}%")
    if "-v" in sys.argv:
        for outcome in outcomes:
            if not outcome.right:
                print(f"  wrong {outcome.record.id} [{outcome.record.kit}] {outcome.record.text[:60]!r}: {outcome.why}")


if __name__ == "__main__":
    main()
