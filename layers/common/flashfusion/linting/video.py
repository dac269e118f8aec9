"""Video checks: probe the file, run the image checks on frames sampled through it, check the soundtrack.

Frames are sampled at the middle of ``count`` equal slices of the video (so neither the first frame of
a fade-in nor the last of a fade-out stands for a whole slice). Short videos are decoded straight
through, converting only the chosen frames; long ones seek to the keyframe before each sample time,
which decodes less than the whole file once the samples are more than a GOP apart. Each sampled frame is
checked on a worker thread as soon as it is decoded, two at a time, and the findings are merged in frame order.
"""

from __future__ import annotations

import io
import math
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from fractions import Fraction

import av
import numpy as np
import numpy.typing as npt
from av.video.reformatter import ColorRange, Colorspace

from flashfusion.linting import media
from flashfusion.linting.audio import check_audio_samples, decode_audio_stream
from flashfusion.linting.base import CheckResult
from flashfusion.linting.media import check_declared_size, describe_error, reduction
from flashfusion.models import BrandKit, ImageBox, NotChecked, TimeRange, Violation

Frame = npt.NDArray[np.uint8]
FrameCheck = Callable[[Frame], CheckResult]

DECODE_RULE = "video.decodable"
FRAMES_CHECK = "video.frames"
SEEK_ABOVE_SECONDS = 20.0  # below this a straight decode is as quick as seeking to every sample
MAX_DECODED_FRAMES = 3000
"""Frames decoded at most for the samples (a straight decode, or one seek's run to its target): a stream
whose timestamps never reach the targets stops here instead of decoding to the end."""
FRAME_WORKERS = 2
"""Sampled frames checked at once, at most: the image checks are numpy FFTs and Pillow resizes, which release
the GIL, so two cores check two frames in about the time of one (a 2-vCPU Lambda, a laptop). Each frame in
flight holds its own working arrays, so this also bounds the memory on top of the decoded frames."""
# H.273 matrix coefficients: 1 = BT.709; 5, 6 = BT.601 (BT.470BG, SMPTE 170M); 2 = unspecified.
BT709, BT601 = 1, {5, 6}
FULL_RANGE = 2


@dataclass(frozen=True)
class VideoInfo:
    duration_s: float
    width: int
    height: int
    fps: float
    frames: int
    has_audio: bool = False


def _open(data: bytes) -> av.container.InputContainer:
    return av.open(io.BytesIO(data), mode="r")


def _info(container: av.container.InputContainer) -> VideoInfo:
    if not container.streams.video:
        raise ValueError("no video stream")
    stream = container.streams.video[0]
    fps = float(stream.average_rate or stream.guessed_rate or 0)
    if stream.duration is not None and stream.time_base is not None:
        duration = float(stream.duration * stream.time_base)
    elif container.duration is not None:
        duration = container.duration / av.time_base
    else:
        duration = 0.0
    frames = stream.frames or (round(duration * fps) if fps else 0)
    return VideoInfo(
        duration_s=duration,
        width=stream.codec_context.width,
        height=stream.codec_context.height,
        fps=fps,
        frames=frames,
        has_audio=bool(container.streams.audio),
    )


def probe_video(data: bytes) -> VideoInfo:
    """Duration, size, frame rate and frame count of the first video stream."""
    with _open(data) as container:
        return _info(container)


def sample_times(duration_s: float, count: int) -> list[float]:
    """The middles of ``count`` equal slices of the video."""
    return [(index + 0.5) * duration_s / count for index in range(count)]


def sample_frames(data: bytes, count: int = 5, *, seek: bool | None = None) -> list[tuple[float, Frame]]:
    """``count`` RGB frames (height, width, 3) evenly spaced through the video, with their times in seconds.

    ``seek`` forces seeking (True) or a straight decode (False); by default long videos seek.
    """
    return list(iter_frames(data, count, seek=seek))


def iter_frames(data: bytes, count: int = 5, *, seek: bool | None = None) -> Iterator[tuple[float, Frame]]:
    """``sample_frames`` one frame at a time, as each is decoded: a frame can be checked while the next decodes."""
    if count < 1:
        return
    with _open(data) as container:
        info = _info(container)
        check_declared_size(info.width, info.height, "video frame")
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        targets = sample_times(info.duration_s, count)
        if seek is None:
            seek = info.duration_s > SEEK_ABOVE_SECONDS
        if seek:
            yield from _by_seeking(container, stream, targets)
        else:
            yield from _straight(container, stream, targets)


def to_rgb(frame: av.VideoFrame) -> Frame:
    """RGB (height, width, 3) with the matrix the video is tagged with, as players show it; frames over the
    linter's pixel budget are scaled down by an integer factor while converting.

    swscale defaults to BT.601, which shifts BT.709 colours by a few units: enough to move a brand colour.
    Untagged video follows the players' rule: BT.709 from 720 lines up, BT.601 below.
    """
    tagged = frame.colorspace
    hd = tagged == BT709 or (tagged not in BT601 and frame.height >= 720)
    matrix = Colorspace.ITU709 if hd else Colorspace.ITU601
    full = frame.color_range == FULL_RANGE or frame.format.name.startswith("yuvj")
    factor = reduction(frame.width, frame.height, media.LINT_PIXEL_BUDGET)
    array = frame.to_ndarray(
        width=-(-frame.width // factor),
        height=-(-frame.height // factor),
        format="rgb24",
        src_colorspace=matrix,
        dst_colorspace=matrix,
        src_color_range=ColorRange.JPEG if full else ColorRange.MPEG,
        dst_color_range=ColorRange.JPEG,
    )
    return np.asarray(array, dtype=np.uint8)


def _frame_time(frame: av.VideoFrame, stream: av.video.stream.VideoStream) -> float:
    if frame.pts is None or frame.time_base is None:
        return 0.0
    start = stream.start_time or 0
    return float((frame.pts - start) * Fraction(frame.time_base))


def _straight(
    container: av.container.InputContainer, stream: av.video.stream.VideoStream, targets: list[float]
) -> Iterator[tuple[float, Frame]]:
    taken = 0
    previous: av.VideoFrame | None = None
    for decoded, frame in enumerate(container.decode(stream)):
        if decoded >= MAX_DECODED_FRAMES:
            break
        time = _frame_time(frame, stream)
        # a target falls in [previous frame, this frame): take the frame on screen at the target
        while taken < len(targets) and time > targets[taken] and previous is not None:
            yield _frame_time(previous, stream), to_rgb(previous)
            taken += 1
        if taken == len(targets):
            return
        previous = frame
    while previous is not None and taken < len(targets):  # targets past the last frame's start
        yield _frame_time(previous, stream), to_rgb(previous)
        taken += 1


def _by_seeking(
    container: av.container.InputContainer, stream: av.video.stream.VideoStream, targets: list[float]
) -> Iterator[tuple[float, Frame]]:
    base = stream.time_base or Fraction(1, 1000)
    start = stream.start_time or 0
    for target in targets:
        container.seek(start + math.floor(target / base), stream=stream, backward=True, any_frame=False)
        chosen: av.VideoFrame | None = None
        for decoded, frame in enumerate(container.decode(stream)):
            if decoded >= MAX_DECODED_FRAMES or (chosen is not None and _frame_time(frame, stream) > target):
                break
            chosen = frame
        if chosen is not None:
            yield _frame_time(chosen, stream), to_rgb(chosen)


def check_video(
    data: bytes, kit: BrandKit, frame_check: FrameCheck | None = None, *, frame_count: int = 5
) -> CheckResult:
    """Probe the video, run ``frame_check`` on sampled frames and the audio rules on its soundtrack.

    ``UnsupportedMedia`` when its frames declare more pixels than can be decoded within the memory bound.
    """
    try:
        info = probe_video(data)
    except (av.error.FFmpegError, ValueError) as error:
        return CheckResult(
            violations=[
                Violation(
                    rule_id=DECODE_RULE,
                    severity="error",
                    message=f"the video could not be decoded: {describe_error(error)}",
                )
            ],
            rules_checked=[DECODE_RULE],
        )
    check_declared_size(info.width, info.height, "video frame")
    result = CheckResult(
        metrics={
            "video.durationSeconds": round(info.duration_s, 3),
            "video.width": float(info.width),
            "video.height": float(info.height),
            "video.fps": round(info.fps, 3),
        }
    )
    if frame_check is None:
        result.not_checked.append(NotChecked(check=FRAMES_CHECK, reason="no frame check was supplied"))
    else:
        _merge_frames(result, _check_each(iter_frames(data, frame_count), frame_check), info)
    if info.has_audio:
        _soundtrack(result, data, kit, info.duration_s)
    return result


def _merge_frames(result: CheckResult, frames: list[tuple[float, CheckResult]], info: VideoInfo) -> None:
    frame_length = 1.0 / info.fps if info.fps else 0.0
    seen_not_checked: set[str] = set()
    collected: dict[str, list[float]] = {}
    for time, checked in frames:
        for rule in checked.rules_checked:
            if rule not in result.rules_checked:
                result.rules_checked.append(rule)
        for missing in checked.not_checked:
            if missing.check not in seen_not_checked:
                seen_not_checked.add(missing.check)
                result.not_checked.append(missing)
        for violation in checked.violations:
            location = violation.location
            if not isinstance(location, ImageBox):
                location = TimeRange(start_seconds=round(time, 3), end_seconds=round(time + frame_length, 3))
            result.violations.append(
                violation.model_copy(update={"message": f"at {time:.2f} s: {violation.message}", "location": location})
            )
        for key, value in checked.metrics.items():
            collected.setdefault(key, []).append(value)
    # per-frame metrics: the mean under the check's own name, and the worst-case ends beside it
    for key, values in collected.items():
        result.metrics[key] = float(np.mean(values))
        result.metrics[f"{key}.min"] = float(np.min(values))
        result.metrics[f"{key}.max"] = float(np.max(values))
    result.metrics["video.framesChecked"] = float(len(frames))


def _check_each(frames: Iterable[tuple[float, Frame]], frame_check: FrameCheck) -> list[tuple[float, CheckResult]]:
    """``frame_check`` of every frame with its time, in frame order (the report reads the same however they ran).

    Each frame is handed to a worker as soon as it is decoded, so checks overlap the decoding of later frames.
    """
    workers = min(FRAME_WORKERS, os.cpu_count() or 1)
    if workers < 2:
        return [(time, frame_check(frame)) for time, frame in frames]
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="lint-frame") as pool:
        running = [(time, pool.submit(frame_check, frame)) for time, frame in frames]
        return [(time, future.result()) for time, future in running]


def _soundtrack(result: CheckResult, data: bytes, kit: BrandKit, duration_s: float) -> None:
    try:
        with _open(data) as container:
            samples, rate = decode_audio_stream(container)
    except (av.error.FFmpegError, ValueError) as error:
        result.not_checked.append(
            NotChecked(check="audio", reason=f"the soundtrack could not be decoded: {describe_error(error)}")
        )
        return
    audio = check_audio_samples(samples, rate, kit, declared_seconds=duration_s)
    result.violations += audio.violations
    result.rules_checked += [r for r in audio.rules_checked if r not in result.rules_checked]
    result.not_checked += audio.not_checked
    result.metrics.update(audio.metrics)
