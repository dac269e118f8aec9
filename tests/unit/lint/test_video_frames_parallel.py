"""A video's sampled frames are checked two at a time, and each kit logo is read once per video: the report
is the one a frame-by-frame run gives."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from flashfusion.linting import video
from flashfusion.linting.base import CheckResult
from flashfusion.linting.engine import LintContext, lint_asset
from flashfusion.models import BrandKit, Violation
from tests.unit.lint.test_engine import KIT, LOGO
from tests.unit.lint.test_video import COLOURS, make_video


@pytest.fixture(scope="module")
def clip() -> bytes:
    return make_video()


def slow_first_frames(threads: set[str]) -> video.FrameCheck:
    """A check whose earlier frames finish last, so a report in finishing order would be out of frame order."""

    def check(frame: np.ndarray) -> CheckResult:
        threads.add(threading.current_thread().name)
        second = int(np.argmax([np.abs(frame[0, 0].astype(int) - c).sum() <= 30 for c in COLOURS]))
        time.sleep(0.05 * (len(COLOURS) - second))
        message = f"colour of second {second}"
        return CheckResult(
            violations=[Violation(rule_id="t", severity="warning", message=message)], rules_checked=["t"]
        )

    return check


def test_frames_are_checked_on_two_threads_and_reported_in_frame_order(
    clip: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(video.os, "cpu_count", lambda: 2)
    threads: set[str] = set()
    result = video.check_video(clip, KIT, slow_first_frames(threads), frame_count=4)
    assert len(threads) == 2
    assert [v.message for v in result.violations] == [
        "at 0.50 s: colour of second 0",
        "at 1.50 s: colour of second 1",
        "at 2.50 s: colour of second 2",
        "at 3.50 s: colour of second 3",
    ]


def test_one_core_checks_frames_in_the_calling_thread(clip: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(video.os, "cpu_count", lambda: 1)
    threads: set[str] = set()
    result = video.check_video(clip, KIT, slow_first_frames(threads), frame_count=4)
    assert threads == {threading.current_thread().name}
    assert [v.message.split(": ")[1] for v in result.violations] == [f"colour of second {i}" for i in range(4)]


def test_each_logo_is_read_once_per_video(clip: bytes) -> None:
    reads: list[str] = []

    def load(ref: str) -> np.ndarray:
        reads.append(ref)
        return LOGO

    report = lint_asset(clip, "video/mp4", LintContext(kit=KIT, load_logo=load))
    assert reads == [logo.file for logo in KIT.logos]
    assert report.metrics["video.framesChecked"] == 5
    assert [v.rule_id for v in report.violations if v.rule_id.startswith("logo")] == ["logo.missing"] * 5


def test_a_logo_that_cannot_be_read_is_not_checked_on_any_frame(clip: bytes) -> None:
    reads: list[str] = []

    def load(ref: str) -> np.ndarray:
        reads.append(ref)
        raise FileNotFoundError(f"no such key: {ref}")

    two = BrandKit.model_validate(
        {**KIT.model_dump(by_alias=True), "logos": [*KIT.model_dump(by_alias=True)["logos"]] * 2}
    )
    report = lint_asset(clip, "video/mp4", LintContext(kit=two, load_logo=load))
    assert reads == [KIT.logos[0].file]  # the same file named twice is read once
    reasons = [n.reason for n in report.not_checked if n.check == "logo"]
    assert len(reasons) == 1
    assert "FileNotFoundError" in reasons[0]
    assert "no such key" in reasons[0]
    assert not [v for v in report.violations if v.rule_id.startswith("logo")]


def test_the_first_frame_is_checked_while_later_frames_decode(clip: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(video.os, "cpu_count", lambda: 2)
    first_checked = threading.Event()
    converted: list[bool] = []  # per decoded frame: had the first frame's check run by then?
    to_rgb = video.to_rgb

    def slow_to_rgb(frame: video.av.VideoFrame) -> np.ndarray:
        if converted:  # every frame after the first waits (briefly) for the first one's check
            first_checked.wait(timeout=5)
        converted.append(first_checked.is_set())
        return to_rgb(frame)

    def check(frame: np.ndarray) -> CheckResult:
        first_checked.set()
        return CheckResult(rules_checked=["t"])

    monkeypatch.setattr(video, "to_rgb", slow_to_rgb)
    result = video.check_video(clip, KIT, check, frame_count=4)
    assert result.metrics["video.framesChecked"] == 4
    assert converted == [False, True, True, True]
