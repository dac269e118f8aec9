"""ffo's follow loop: it asks whether the request waits on a review (an API call) only when the execution's
last event is a submitted task, and it sleeps on the engine's activity, not on a fixed poll."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from ffo.commands.execution import follow

AT = datetime(2030, 1, 1, tzinfo=UTC)


def event(kind: str) -> dict[str, Any]:
    return {"type": kind, "timestamp": AT}


class FakeEngine:
    """Plays a history one event per look; the last look finds the execution waiting on a task token."""

    def __init__(self, histories: list[list[dict[str, Any]]]) -> None:
        self.histories = histories
        self.looks = 0
        self.waits: list[tuple[int, float]] = []
        self.sleeps = SimpleNamespace(retries=[])

    def execution_status(self, arn: str) -> str:
        return "RUNNING"

    def history(self, arn: str) -> list[dict[str, Any]]:
        self.looks += 1
        return self.histories[min(self.looks, len(self.histories)) - 1]

    def activity(self) -> int:
        return self.looks

    def wait_for_activity(self, seen: int, timeout: float) -> int:
        self.waits.append((seen, timeout))
        return seen + 1


def test_paused_is_asked_only_once_a_task_was_submitted() -> None:
    running = [event("ExecutionStarted"), event("TaskScheduled")]
    engine = FakeEngine(
        [running, [*running, event("TaskStarted")], [*running, event("TaskStarted"), event("TaskSubmitted")]]
    )
    asked: list[int] = []

    def paused() -> bool:
        asked.append(engine.looks)
        return True

    assert follow(engine, "arn", lambda line: None, timeout=30, paused=paused)
    assert asked == [3]  # not on the two looks before the TaskSubmitted event
    assert [seen for seen, _ in engine.waits] == [0, 1]  # slept on the engine's activity between looks


def test_a_submitted_task_that_is_not_a_review_keeps_following() -> None:
    submitted = [event("ExecutionStarted"), event("TaskSubmitted")]
    engine = FakeEngine([submitted, submitted, submitted])
    answers = iter([False, False, True])
    assert follow(engine, "arn", lambda line: None, timeout=30, paused=lambda: next(answers))
    assert engine.looks == 3
