"""Video checks: probing, frame sampling, the per-frame check merged, and the soundtrack's loudness."""

from __future__ import annotations

import io
from fractions import Fraction

import av
import numpy as np
import pytest

from flashfusion.linting.audio import LOUDNESS_RULE
from flashfusion.linting.base import CheckResult
from flashfusion.linting.video import (
    DECODE_RULE,
    FRAMES_CHECK,
    check_video,
    probe_video,
    sample_frames,
    sample_times,
)
from flashfusion.models import BrandKit, ImageBox, NotChecked, TimeRange, Violation

FPS = 24
WIDTH, HEIGHT = 160, 96
# one colour per second, so a sampled frame tells which second it came from
COLOURS = [(200, 30, 30), (30, 200, 30), (30, 30, 200), (220, 220, 220)]
KIT = BrandKit.model_validate({"kitId": "video", "name": "Video Co", "audio": {"targetLufs": -14, "toleranceLu": 1}})


def make_video(seconds: int = 4, *, audio_dbfs: float | None = None, gop: int = FPS) -> bytes:
    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format="mp4") as container:
        video = container.add_stream("libx264", rate=FPS)
        video.width, video.height, video.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        video.options = {"preset": "ultrafast", "crf": "18"}
        video.codec_context.gop_size = gop
        video.codec_context.colorspace = 1  # tagged BT.709, as the offline generator writes
        video.codec_context.color_primaries = video.codec_context.color_trc = 1
        rate = 48_000
        sound = container.add_stream("aac", rate=rate, layout="stereo") if audio_dbfs is not None else None
        for index in range(seconds * FPS):
            image = np.zeros((HEIGHT, WIDTH, 3), np.uint8)
            image[:] = COLOURS[(index // FPS) % len(COLOURS)]
            frame = av.VideoFrame.from_ndarray(image, format="rgb24").reformat(
                format="yuv420p", src_colorspace="ITU709", dst_colorspace="ITU709"
            )
            frame.pts, frame.time_base = index, Fraction(1, FPS)
            container.mux(video.encode(frame))
        container.mux(video.encode(None))
        if sound is not None and audio_dbfs is not None:
            t = np.arange(seconds * rate) / rate
            tone = (10 ** (audio_dbfs / 20) * np.sin(2 * np.pi * 1000 * t)).astype(np.float32)
            for index, start in enumerate(range(0, tone.size, 1024)):
                chunk = np.ascontiguousarray(np.stack([tone[start : start + 1024]] * 2))
                frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="stereo")
                frame.sample_rate, frame.pts = rate, index * 1024
                container.mux(sound.encode(frame))
            container.mux(sound.encode(None))
    return buffer.getvalue()


@pytest.fixture(scope="module")
def silent_video() -> bytes:
    return make_video()


@pytest.fixture(scope="module")
def loud_video() -> bytes:
    return make_video(audio_dbfs=-6)


def test_probe_reads_duration_size_rate_and_frames(silent_video: bytes) -> None:
    info = probe_video(silent_video)
    assert info.duration_s == pytest.approx(4.0, abs=0.05)
    assert (info.width, info.height) == (WIDTH, HEIGHT)
    assert info.fps == pytest.approx(FPS)
    assert info.frames == 4 * FPS
    assert info.has_audio is False


def test_sample_times_are_the_middles_of_equal_slices() -> None:
    assert sample_times(4.0, 4) == [0.5, 1.5, 2.5, 3.5]


@pytest.mark.parametrize("seek", [False, True])
def test_frames_are_evenly_spaced_rgb_from_the_right_moment(silent_video: bytes, seek: bool) -> None:
    frames = sample_frames(silent_video, 4, seek=seek)
    assert len(frames) == 4
    times = [time for time, _ in frames]
    assert times == sorted(times)
    for (time, image), expected in zip(frames, [0.5, 1.5, 2.5, 3.5], strict=True):
        assert expected - 1 / FPS <= time <= expected  # the frame on screen at the sample time
        assert image.shape == (HEIGHT, WIDTH, 3)
        assert image.dtype == np.uint8
        # BT.709 decoded as BT.709: the colour comes back within compression noise
        colour = COLOURS[int(expected)]
        assert np.abs(image.reshape(-1, 3).mean(axis=0) - colour).max() < 4


def test_seek_and_straight_decode_agree(silent_video: bytes) -> None:
    straight = sample_frames(silent_video, 5, seek=False)
    seeking = sample_frames(silent_video, 5, seek=True)
    assert [t for t, _ in straight] == pytest.approx([t for t, _ in seeking])
    for (_, a), (_, b) in zip(straight, seeking, strict=True):
        np.testing.assert_array_equal(a, b)


def test_frame_check_runs_per_frame_and_its_findings_are_merged(silent_video: bytes) -> None:
    seen: list[tuple[int, ...]] = []

    def frame_check(frame: np.ndarray) -> CheckResult:
        seen.append(frame.shape)
        red = frame[..., 0].mean() > 150 and frame[..., 1].mean() < 100
        violations = []
        if red:
            violations.append(Violation(rule_id="image.color", severity="error", message="off-palette red"))
            violations.append(
                Violation(
                    rule_id="image.logo",
                    severity="warning",
                    message="logo too small",
                    location=ImageBox(x=1, y=2, width=3, height=4),
                )
            )
        return CheckResult(
            violations=violations,
            rules_checked=["image.color", "image.logo"],
            not_checked=[NotChecked(check="image.ocr", reason="no OCR engine")],
            metrics={"image.colorShare": 0.2 if red else 1.0},
        )

    result = check_video(silent_video, KIT, frame_check, frame_count=4)
    assert seen == [(HEIGHT, WIDTH, 3)] * 4
    assert result.rules_checked == ["image.color", "image.logo"]  # no duplicates, no audio rules (no track)
    assert [n.check for n in result.not_checked] == ["image.ocr"]
    colour, logo = result.violations
    assert colour.message == "at 0.50 s: off-palette red"  # frame 12 is on screen from 0.5 s
    assert isinstance(colour.location, TimeRange)
    assert colour.location.start_seconds == pytest.approx(0.5)
    assert colour.location.end_seconds == pytest.approx(0.5 + 1 / FPS, abs=0.001)
    assert logo.location == ImageBox(x=1, y=2, width=3, height=4)
    assert logo.message == "at 0.50 s: logo too small"
    assert result.metrics["image.colorShare"] == pytest.approx(0.8)
    assert result.metrics["image.colorShare.min"] == pytest.approx(0.2)
    assert result.metrics["video.framesChecked"] == 4
    assert result.metrics["video.durationSeconds"] == pytest.approx(4.0, abs=0.05)
    assert (result.metrics["video.width"], result.metrics["video.height"]) == (WIDTH, HEIGHT)


def test_without_a_frame_check_the_frames_are_not_checked(silent_video: bytes) -> None:
    result = check_video(silent_video, KIT)
    assert result.violations == []
    assert [n.check for n in result.not_checked] == [FRAMES_CHECK]


def test_soundtrack_loudness_is_checked(loud_video: bytes) -> None:
    assert probe_video(loud_video).has_audio
    result = check_video(loud_video, KIT, lambda _frame: CheckResult())
    # a -6 dBFS stereo sine reads about -6 LUFS, 8 LU over the -14 target
    assert result.metrics["audio.lufs"] == pytest.approx(-6, abs=0.5)
    assert result.metrics["audio.durationSeconds"] == pytest.approx(4.0, abs=0.1)
    assert LOUDNESS_RULE in result.rules_checked
    [loudness] = [v for v in result.violations if v.rule_id == LOUDNESS_RULE]
    assert "dB of gain" in loudness.message


def test_offline_generator_video_is_probed_and_sampled() -> None:
    from flashfusion.providers.offline_video import FPS as OFFLINE_FPS
    from flashfusion.providers.offline_video import encode_mp4

    def frames():
        for index in range(OFFLINE_FPS):
            image = np.full((64, 128, 3), index * 8, np.uint8)
            frame = av.VideoFrame.from_ndarray(image, format="rgb24")
            yield frame.reformat(format="yuv420p")

    data = encode_mp4(frames(), 128, 64)
    info = probe_video(data)
    assert (info.width, info.height, info.frames) == (128, 64, OFFLINE_FPS)
    sampled = sample_frames(data, 3)
    assert [image.shape for _, image in sampled] == [(64, 128, 3)] * 3
    levels = [int(image.mean()) for _, image in sampled]
    assert levels == sorted(levels)
    assert levels[0] < levels[-1]


def test_undecodable_video_is_an_error_not_an_exception() -> None:
    result = check_video(b"\x00\x00\x00 not a video", KIT)
    assert [v.rule_id for v in result.violations] == [DECODE_RULE]
