"""Audio checks: BS.1770-4 loudness and true peak against the EBU Tech 3341 facts, clipping, the verdicts."""

from __future__ import annotations

import io
import math
import wave

import av
import numpy as np
import pytest

from flashfusion.linting.audio import (
    CLIPPING_RULE,
    DECODE_RULE,
    LOUDNESS_RULE,
    TRUE_PEAK_RULE,
    check_audio,
    clipped_runs,
    decode_audio,
    integrated_loudness,
    k_weighting,
    true_peak,
)
from flashfusion.models import BrandKit, TimeRange

RATES = [44_100, 48_000]


def sine(dbfs: float, seconds: float, rate: int, *, freq: float = 1000.0, channels: int = 2, phase: float = 0.0):
    t = np.arange(round(seconds * rate)) / rate
    wave_ = 10 ** (dbfs / 20) * np.sin(2 * np.pi * freq * t + phase)
    return np.repeat(wave_[:, None], channels, axis=1).astype(np.float32)


def sequence(*parts: tuple[float, float], rate: int = 48_000) -> np.ndarray:
    """EBU 3341 style: (dBFS, seconds) segments of a stereo 1 kHz sine, back to back."""
    return np.concatenate([sine(level, seconds, rate) for level, seconds in parts])


def wav_bytes(samples: np.ndarray, rate: int, width: int = 2) -> bytes:
    scale = {2: 32767, 3: 8388607}[width]
    ints = np.round(np.clip(samples, -1, 1) * scale).astype(np.int32)
    if width == 2:
        raw = ints.astype("<i2").tobytes()
    else:
        raw = ints.astype("<i4").view(np.uint8).reshape(-1, 4)[:, :3].tobytes()
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(samples.shape[1])
        writer.setsampwidth(width)
        writer.setframerate(rate)
        writer.writeframes(raw)
    return buffer.getvalue()


def kit(target: float = -14.0, tolerance: float = 1.0, max_peak: float = -1.0) -> BrandKit:
    return BrandKit.model_validate(
        {
            "kitId": "audio",
            "name": "Audio Co",
            "audio": {"targetLufs": target, "toleranceLu": tolerance, "maxTruePeakDbtp": max_peak},
        }
    )


# --- K-weighting and loudness ---------------------------------------------------------------------------


def test_k_weighting_at_48k_is_the_published_bs1770_filter() -> None:
    (shelf_b, shelf_a), (hp_b, hp_a) = k_weighting(48_000)
    np.testing.assert_allclose(shelf_b, [1.53512485958697, -2.69169618940638, 1.19839281085285], atol=1e-12)
    np.testing.assert_allclose(shelf_a, [1.0, -1.69065929318241, 0.73248077421585], atol=1e-12)
    np.testing.assert_allclose(hp_b, [1.0, -2.0, 1.0])
    np.testing.assert_allclose(hp_a, [1.0, -1.99004745483398, 0.99007225036621], atol=1e-12)


@pytest.mark.parametrize("rate", RATES)
@pytest.mark.parametrize("level", [-23.0, -33.0])
def test_ebu3341_cases_1_and_2_stereo_1khz_sine_reads_its_level(rate: int, level: float) -> None:
    # EBU Tech 3341 cases 1 and 2: 20 s stereo 1 kHz sine at -23 / -33 dBFS per channel -> -23 / -33 LUFS +-0.1
    assert integrated_loudness(sine(level, 20, rate), rate) == pytest.approx(level, abs=0.1)


def test_ebu3341_case_3_relative_gate() -> None:
    # -36, -23, -36 dBFS for 10, 60, 10 s: the quiet parts fall under the relative gate -> -23 LUFS
    assert integrated_loudness(sequence((-36, 10), (-23, 60), (-36, 10)), 48_000) == pytest.approx(-23, abs=0.1)


def test_ebu3341_case_4_absolute_and_relative_gates() -> None:
    samples = sequence((-72, 10), (-36, 10), (-23, 60), (-36, 10), (-72, 10))
    assert integrated_loudness(samples, 48_000) == pytest.approx(-23, abs=0.1)


def test_ebu3341_case_5_levels_average_in_energy() -> None:
    samples = sequence((-26, 20), (-20, 20.1), (-26, 20))
    assert integrated_loudness(samples, 48_000) == pytest.approx(-23, abs=0.1)


@pytest.mark.parametrize("rate", RATES)
def test_mono_997hz_at_minus_20_dbfs_reads_about_minus_23_lufs(rate: int) -> None:
    # one channel carries half the power of the same sine on two: -20 dBFS mono -> -23.01 LUFS
    assert integrated_loudness(sine(-20, 5, rate, freq=997, channels=1), rate) == pytest.approx(-23.01, abs=0.1)


def test_silence_is_minus_infinity_and_too_short_is_an_error() -> None:
    assert integrated_loudness(np.zeros((48_000, 2)), 48_000) == -math.inf
    with pytest.raises(ValueError, match="400 ms"):
        integrated_loudness(np.zeros((1000, 2)), 48_000)


def test_inter_sample_peak_is_above_the_sample_peak() -> None:
    rate = 48_000
    samples = 1.41 * np.sin(2 * np.pi * 12_000 * np.arange(rate) / rate + math.pi / 4)
    assert 20 * math.log10(np.max(np.abs(samples))) == pytest.approx(0.0, abs=0.03)
    assert true_peak(samples, rate) > 2.5


@pytest.mark.parametrize("rate", RATES)
def test_full_scale_997hz_sine_true_peak_is_0_dbtp(rate: int) -> None:
    assert true_peak(sine(0, 1, rate, freq=997), rate) == pytest.approx(0.0, abs=0.1)


# --- clipping -------------------------------------------------------------------------------------------


def test_clipped_sine_is_found_at_its_first_flat_top() -> None:
    rate = 44_100
    samples = sine(0, 1, rate, freq=100) * 1.5  # +3.5 dB into a 16-bit file: flat tops at 32767
    decoded, _ = decode_audio(wav_bytes(samples, rate), "audio/wav")
    runs = clipped_runs(decoded)
    assert runs
    first = runs[0]
    assert first.length > 50
    assert first.start / rate == pytest.approx(0.0025 - first.length / rate / 2, abs=0.001)  # round the 1st crest


def test_loud_low_sine_near_full_scale_is_not_clipping() -> None:
    rate = 44_100
    samples = sine(-0.001, 1, rate, freq=40)  # many samples above -0.01 dBFS, but none flat
    decoded, _ = decode_audio(wav_bytes(samples, rate), "audio/wav")
    assert clipped_runs(decoded) == []


def test_float_overs_count_as_clipping() -> None:
    samples = sine(0, 0.5, 48_000, freq=50) * 1.2
    assert clipped_runs(samples)


# --- decoding -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("width", [2, 3])
def test_wav_decodes_to_float_frames_by_channels(width: int) -> None:
    samples = sine(-6, 0.5, 44_100)
    decoded, rate = decode_audio(wav_bytes(samples, 44_100, width), "audio/x-wav")
    assert rate == 44_100
    assert decoded.shape == samples.shape
    assert decoded.dtype == np.float32
    np.testing.assert_allclose(decoded, samples, atol=1e-4)


def encode(samples: np.ndarray, rate: int, fmt: str, codec: str, frame_size: int) -> bytes:
    """Encode a stereo float signal with PyAV: FLAC from interleaved 16-bit, lossy codecs from float planar."""
    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format=fmt) as container:
        stream = container.add_stream(codec, rate=rate, layout="stereo")
        for index, start in enumerate(range(0, samples.shape[0], frame_size)):
            chunk = samples[start : start + frame_size]
            if codec == "flac":
                packed = np.round(chunk * 32767).astype(np.int16).reshape(1, -1)
                frame = av.AudioFrame.from_ndarray(packed, format="s16", layout="stereo")
            else:
                frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(chunk.T), format="fltp", layout="stereo")
            frame.sample_rate, frame.pts = rate, index * frame_size
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return buffer.getvalue()


def test_flac_decodes_through_pyav_sample_exact() -> None:
    rate = 48_000
    samples = sine(-20, 2, rate)
    decoded, decoded_rate = decode_audio(encode(samples, rate, "flac", "flac", 4608), "audio/flac")
    assert decoded_rate == rate
    assert decoded.shape == samples.shape
    np.testing.assert_allclose(decoded, samples, atol=1e-4)


def test_mp3_decodes_through_pyav() -> None:
    rate = 44_100
    samples = sine(-20, 3, rate)
    decoded, decoded_rate = decode_audio(encode(samples, rate, "mp3", "libmp3lame", 1152), "audio/mpeg")
    assert decoded_rate == rate
    assert decoded.shape[1] == 2
    assert decoded.shape[0] == pytest.approx(samples.shape[0], rel=0.05)
    # LAME's psychoacoustic model costs a pure tone a few tenths of a dB
    assert integrated_loudness(decoded, rate) == pytest.approx(-20, abs=0.6)


# --- the check ------------------------------------------------------------------------------------------


def rules_of(result) -> set[str]:
    return {v.rule_id for v in result.violations}


@pytest.mark.parametrize("rate", RATES)
def test_on_target_audio_passes(rate: int) -> None:
    result = check_audio(wav_bytes(sine(-14, 3, rate), rate), "audio/wav", kit(-14, 1, -1))
    assert result.violations == []
    assert set(result.rules_checked) == {LOUDNESS_RULE, TRUE_PEAK_RULE, CLIPPING_RULE}
    assert result.metrics["audio.lufs"] == pytest.approx(-14, abs=0.1)
    assert result.metrics["audio.truePeakDbtp"] == pytest.approx(-14, abs=0.1)
    assert result.metrics["audio.durationSeconds"] == pytest.approx(3.0)


def test_quiet_audio_is_a_loudness_warning_with_the_gain_to_apply() -> None:
    result = check_audio(wav_bytes(sine(-23, 3, 48_000), 48_000), "audio/wav", kit(-14, 1, -1))
    [violation] = result.violations
    assert violation.rule_id == LOUDNESS_RULE
    assert violation.severity == "warning"
    assert "-23.0 LUFS" in violation.message
    assert "+9.0 dB" in violation.message
    # +9 dB would take the -23 dBTP peak to -14 dBTP: no limiter needed
    assert "limit" not in (violation.suggestion or "")


def test_gain_that_would_overshoot_the_peak_suggests_a_limiter() -> None:
    samples = sine(-24, 3, 44_100)
    samples[::4410] = 0.9  # sparse spikes: loud peaks, little energy
    result = check_audio(wav_bytes(samples, 44_100), "audio/wav", kit(-14, 1, -1))
    loudness = next(v for v in result.violations if v.rule_id == LOUDNESS_RULE)
    assert "limit it to -1.0 dBTP" in (loudness.suggestion or "")


def test_within_tolerance_passes_and_outside_warns() -> None:
    samples = wav_bytes(sine(-15.5, 3, 44_100), 44_100)
    assert check_audio(samples, "audio/wav", kit(-14, 2, -1)).violations == []
    assert rules_of(check_audio(samples, "audio/wav", kit(-14, 1, -1))) == {LOUDNESS_RULE}


def test_peak_over_the_maximum_is_an_error() -> None:
    result = check_audio(wav_bytes(sine(-0.5, 3, 44_100), 44_100), "audio/wav", kit(-1, 1, -1))
    assert rules_of(result) == {TRUE_PEAK_RULE}
    [violation] = result.violations
    assert violation.severity == "error"
    assert "-0.5 dBTP" in violation.message


def test_clipping_is_an_error_with_the_first_clipped_run() -> None:
    rate = 44_100
    samples = sine(-14, 3, rate, freq=100)
    samples[rate : rate + 2 * rate // 100] *= 10  # a burst clipped at 1.0 s
    result = check_audio(wav_bytes(samples, rate), "audio/wav", kit(-14, 3, 0))
    clipping = next(v for v in result.violations if v.rule_id == CLIPPING_RULE)
    assert clipping.severity == "error"
    assert isinstance(clipping.location, TimeRange)
    assert 1.0 <= clipping.location.start_seconds < clipping.location.end_seconds < 1.02
    assert TRUE_PEAK_RULE in rules_of(result)


def test_silence_is_a_loudness_warning_without_a_lufs_metric() -> None:
    result = check_audio(wav_bytes(np.zeros((44_100, 2), np.float32), 44_100), "audio/wav", kit())
    assert rules_of(result) == {LOUDNESS_RULE}
    assert "silent" in result.violations[0].message
    assert "audio.lufs" not in result.metrics


def test_too_short_to_gate_is_not_checked_not_passed() -> None:
    result = check_audio(wav_bytes(sine(-14, 0.2, 44_100), 44_100), "audio/wav", kit())
    assert LOUDNESS_RULE not in result.rules_checked
    assert [n.check for n in result.not_checked] == [LOUDNESS_RULE]


def test_undecodable_audio_is_an_error_not_an_exception() -> None:
    result = check_audio(b"not audio at all", "audio/mpeg", kit())
    assert rules_of(result) == {DECODE_RULE}
