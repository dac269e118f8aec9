"""Audio checks: integrated loudness (ITU-R BS.1770-4), true peak (BS.1770 Annex 2) and clipping.

Written in numpy rather than taken from a library: pyloudnorm (the well-kept BS.1770 package) needs
scipy, ~110 MB unpacked, for its two biquads, which would push the media layer (PyAV, numpy, Pillow)
towards Lambda's 250 MB limit; it has no true-peak meter either. The tests cross-check this module
against pyloudnorm when it is installed, and against the EBU Tech 3341 test signals.

- K-weighting: the two BS.1770 stages (high shelf, RLB high pass), their coefficients re-derived for
  the actual sample rate from the analogue prototypes that give the published 48 kHz coefficients
  exactly (the libebur128 derivation). Applied by FFT overlap-add: both stages are stable, and their
  impulse response has decayed below 1e-30 well inside the tail kept, so this equals the recursive
  filter started from rest (what ``scipy.signal.lfilter`` does) without a Python sample loop.
- Gating: mean square per 400 ms block, 75 % overlap, absolute gate -70 LUFS, relative gate -10 LU.
- True peak: 4x oversampling with the 48-tap, 4-phase interpolator of BS.1770-4 Annex 2.
"""

from __future__ import annotations

import io
import math
import wave
from dataclasses import dataclass

import av
import numpy as np
import numpy.typing as npt

from flashfusion.linting.base import CheckResult
from flashfusion.linting.media import describe_error
from flashfusion.models import BrandKit, NotChecked, TimeRange, Violation

Samples = npt.NDArray[np.float32]
Floats = npt.NDArray[np.float64]

LOUDNESS_RULE = "audio.loudness"
TRUE_PEAK_RULE = "audio.true-peak"
CLIPPING_RULE = "audio.clipping"
DECODE_RULE = "audio.decodable"

BLOCK_SECONDS = 0.4
HOP_SECONDS = 0.1  # 75 % overlap
ABSOLUTE_GATE_LUFS = -70.0
RELATIVE_GATE_LU = -10.0
LOUDNESS_OFFSET = -0.691

# Clipping: a run of at least CLIP_RUN samples of one sign at or beyond CLIP_LEVEL (-0.009 dBFS) that is
# flat (a clipped 16-bit file holds 32767 for the run) or over full scale (float data past 1.0 that a
# fixed-point encoder will clip). A loud low sine passes near full scale for many samples but is not flat.
CLIP_LEVEL = 0.999
CLIP_RUN = 3
CLIP_FLATNESS = 1e-4

# ITU-R BS.1770-4 Annex 2, table 1: the 4-phase, 12-taps-per-phase interpolating FIR (48 taps).
TRUE_PEAK_PHASES = np.array(
    [
        [
            0.0017089843750, 0.0109863281250, -0.0196533203125, 0.0332031250000,
            -0.0594482421875, 0.1373291015625, 0.9721679687500, -0.1022949218750,
            0.0476074218750, -0.0266113281250, 0.0148925781250, -0.0083007812500,
        ],
        [
            -0.0291748046875, 0.0292968750000, -0.0517578125000, 0.0891113281250,
            -0.1665039062500, 0.4650878906250, 0.7797851562500, -0.2003173828125,
            0.1015625000000, -0.0582275390625, 0.0330810546875, -0.0189208984375,
        ],
        [
            -0.0189208984375, 0.0330810546875, -0.0582275390625, 0.1015625000000,
            -0.2003173828125, 0.7797851562500, 0.4650878906250, -0.1665039062500,
            0.0891113281250, -0.0517578125000, 0.0292968750000, -0.0291748046875,
        ],
        [
            -0.0083007812500, 0.0148925781250, -0.0266113281250, 0.0476074218750,
            -0.1022949218750, 0.9721679687500, 0.1373291015625, -0.0594482421875,
            0.0332031250000, -0.0196533203125, 0.0109863281250, 0.0017089843750,
        ],
    ]
)  # fmt: skip

MAX_DECODED_SAMPLES = 24_000_000
"""Samples (frames x channels) decoded at most: 250 s of 48 kHz stereo, about 800 MB peak through the meters
(K-weighting, 4x true-peak oversampling), within the Lint function's 1,536 MB beside a 200 MB upload. A
longer file is measured on its start, says so in ``not_checked``, and keeps its declared duration for the
platform rules."""
LENGTH_CHECK = "audio.length"

WAV_MIMES = {"audio/wav", "audio/x-wav", "audio/wave", "audio/vnd.wave"}


# --- decoding ------------------------------------------------------------------------------------------


def decode_audio(data: bytes, mime: str) -> tuple[Samples, int]:
    """Decode to float32 samples shaped (frames, channels) in [-1, 1] and the sample rate.

    PCM WAV goes through the standard library; anything else (MP3, AAC, Ogg, float or extensible WAV
    that ``wave`` refuses) through PyAV's FFmpeg decoders.
    """
    if mime.split(";")[0].strip().lower() in WAV_MIMES or data[:4] == b"RIFF":
        try:
            return _decode_wav(data)
        except (wave.Error, EOFError, ValueError):
            pass  # not plain PCM: FFmpeg reads it
    with av.open(io.BytesIO(data), mode="r") as container:
        if not container.streams.audio:
            raise ValueError("no audio stream")
        return decode_audio_stream(container)


def _decode_wav(data: bytes) -> tuple[Samples, int]:
    with wave.open(io.BytesIO(data), "rb") as reader:
        channels, width, rate = reader.getnchannels(), reader.getsampwidth(), reader.getframerate()
        raw = reader.readframes(min(reader.getnframes(), max_frames(channels)))
    if width == 1:  # 8-bit WAV is unsigned
        values = (np.frombuffer(raw, dtype=np.uint8).astype(np.float32) - 128.0) / 128.0
    elif width == 2:
        values = np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0
    elif width == 3:
        triples = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 3).astype(np.int32)
        ints = triples[:, 0] | (triples[:, 1] << 8) | (triples[:, 2] << 16)
        ints = np.where(ints >= 1 << 23, ints - (1 << 24), ints)
        values = ints.astype(np.float32) / float(1 << 23)
    elif width == 4:
        values = (np.frombuffer(raw, dtype="<i4").astype(np.float64) / float(1 << 31)).astype(np.float32)
    else:
        raise ValueError(f"unsupported WAV sample width {width}")
    usable = len(values) - len(values) % channels
    return values[:usable].reshape(-1, channels), rate


def max_frames(channels: int) -> int:
    """Frames decoded at most for this many channels."""
    return max(1, MAX_DECODED_SAMPLES // max(1, channels))


def decode_audio_stream(container: av.container.InputContainer) -> tuple[Samples, int]:
    """Decode the first audio stream of an open container (an audio file, or a video's soundtrack); at most
    ``MAX_DECODED_SAMPLES`` of it."""
    stream = container.streams.audio[0]
    rate = stream.rate or stream.codec_context.sample_rate
    resampler = av.AudioResampler(format="fltp")  # float planar, layout and rate kept
    chunks: list[npt.NDArray[np.float32]] = []
    limit = max_frames(stream.channels or stream.codec_context.channels or 1)
    decoded = 0
    for frame in container.decode(stream):
        for converted in resampler.resample(frame):
            chunks.append(np.asarray(converted.to_ndarray(), dtype=np.float32))
            decoded += chunks[-1].shape[-1]
        if decoded >= limit:
            break
    else:
        for converted in resampler.resample(None):
            chunks.append(np.asarray(converted.to_ndarray(), dtype=np.float32))
    if not chunks:
        return np.zeros((0, max(1, stream.channels)), dtype=np.float32), int(rate)
    planar = np.concatenate(chunks, axis=1)[:, :limit]  # (channels, frames), at most MAX_DECODED_SAMPLES
    return np.ascontiguousarray(planar.T, dtype=np.float32), int(rate)


# --- loudness ------------------------------------------------------------------------------------------


def k_weighting(rate: float) -> list[tuple[Floats, Floats]]:
    """The two K-weighting biquads (b, a) for ``rate``; at 48 kHz they are BS.1770-4's published ones."""
    # Stage 1: high shelf, the acoustic effect of the head.
    f0, gain_db, q = 1681.974450955533, 3.999843853973347, 0.7071752369554196
    k = math.tan(math.pi * f0 / rate)
    vh = 10.0 ** (gain_db / 20.0)
    vb = vh**0.4996667741545416
    a0 = 1.0 + k / q + k * k
    shelf = (
        np.array([(vh + vb * k / q + k * k) / a0, 2.0 * (k * k - vh) / a0, (vh - vb * k / q + k * k) / a0]),
        np.array([1.0, 2.0 * (k * k - 1.0) / a0, (1.0 - k / q + k * k) / a0]),
    )
    # Stage 2: the RLB high pass.
    f0, q = 38.13547087602444, 0.5003270373238773
    k = math.tan(math.pi * f0 / rate)
    a0 = 1.0 + k / q + k * k
    high_pass = (np.array([1.0, -2.0, 1.0]), np.array([1.0, 2.0 * (k * k - 1.0) / a0, (1.0 - k / q + k * k) / a0]))
    return [shelf, high_pass]


def _response(stages: list[tuple[Floats, Floats]], nfft: int) -> npt.NDArray[np.complex128]:
    """The cascade's frequency response on the rfft grid of size ``nfft``."""
    z1 = np.exp(-2j * np.pi * np.arange(nfft // 2 + 1) / nfft)  # z^-1
    response = np.ones(nfft // 2 + 1, dtype=np.complex128)
    for b, a in stages:
        response *= (b[0] + b[1] * z1 + b[2] * z1 * z1) / (a[0] + a[1] * z1 + a[2] * z1 * z1)
    return response


def _tail_length(rate: float) -> int:
    # The high pass's double pole sits at ~exp(-2*pi*38/rate): after rate/2 samples it has decayed by
    # e^-119 (more at lower rates), so the impulse response kept is exact to double precision.
    return 1 << max(10, math.ceil(math.log2(rate / 2)))


def k_weight(samples: npt.NDArray[np.floating], rate: float) -> Floats:
    """K-weighted signal (float64, same shape), as the recursive filters started from rest give it."""
    x = np.asarray(samples, dtype=np.float64)
    if x.ndim == 1:
        x = x[:, None]
    n = x.shape[0]
    tail = _tail_length(rate)
    nfft = 4 * tail
    chunk = nfft - tail
    response = _response(k_weighting(rate), nfft)[:, None]
    out = np.zeros((n + nfft, x.shape[1]))
    for start in range(0, n, chunk):
        piece = x[start : start + chunk]
        out[start : start + nfft] += np.fft.irfft(np.fft.rfft(piece, nfft, axis=0) * response, nfft, axis=0)
    return out[:n]


def channel_weights(channels: int) -> Floats:
    """BS.1770 channel weights: 1.0 for L, R, C; 1.41 for the surrounds; the LFE of 5.1 is left out."""
    if channels == 6:  # FFmpeg / WAV order: L R C LFE Ls Rs
        return np.array([1.0, 1.0, 1.0, 0.0, 1.41, 1.41])
    if channels == 5:  # L R C Ls Rs
        return np.array([1.0, 1.0, 1.0, 1.41, 1.41])
    return np.ones(channels)


def block_loudness(samples: npt.NDArray[np.floating], rate: float) -> Floats:
    """Loudness of every 400 ms block (75 % overlap) of the K-weighted, channel-weighted signal."""
    weighted = k_weight(samples, rate)
    block = round(BLOCK_SECONDS * rate)
    hop = round(HOP_SECONDS * rate)
    n = weighted.shape[0]
    if n < block:
        return np.zeros(0)
    power = (weighted * weighted) @ channel_weights(weighted.shape[1])
    cumulative = np.concatenate(([0.0], np.cumsum(power)))
    starts = np.arange(0, n - block + 1, hop)
    mean_square = (cumulative[starts + block] - cumulative[starts]) / block
    with np.errstate(divide="ignore"):
        return LOUDNESS_OFFSET + 10.0 * np.log10(np.maximum(mean_square, 0.0))


def integrated_loudness(samples: npt.NDArray[np.floating], rate: float) -> float:
    """Gated integrated loudness in LUFS (-inf when silent); ValueError when shorter than one block."""
    blocks = block_loudness(samples, rate)
    if blocks.size == 0:
        raise ValueError(f"audio shorter than one {BLOCK_SECONDS * 1000:.0f} ms gating block")
    energy = 10.0 ** ((blocks - LOUDNESS_OFFSET) / 10.0)
    above_absolute = blocks > ABSOLUTE_GATE_LUFS
    if not above_absolute.any():
        return -math.inf
    relative_gate = LOUDNESS_OFFSET + 10.0 * math.log10(energy[above_absolute].mean()) + RELATIVE_GATE_LU
    gated = above_absolute & (blocks > relative_gate)
    return LOUDNESS_OFFSET + 10.0 * math.log10(energy[gated].mean())


# --- peaks and clipping --------------------------------------------------------------------------------


def true_peak(samples: npt.NDArray[np.floating], rate: float) -> float:
    """Maximum true-peak level in dBTP: 4x oversampled with the BS.1770 Annex 2 interpolator.

    The sample peak is included, so the true peak is never reported below it. ``rate`` is accepted for
    the interface: the Annex 2 filter is specified relative to the sample rate, so it is the same at
    44.1 and 48 kHz.
    """
    x = np.asarray(samples, dtype=np.float64)
    if x.ndim == 1:
        x = x[:, None]
    if x.size == 0:
        return -math.inf
    peak = float(np.max(np.abs(x)))
    for channel in x.T:
        for taps in TRUE_PEAK_PHASES:
            peak = max(peak, float(np.max(np.abs(np.convolve(channel, taps)))))
    return 20.0 * math.log10(peak) if peak > 0 else -math.inf


@dataclass(frozen=True)
class ClippedRun:
    channel: int
    start: int  # first sample of the run
    length: int


def clipped_runs(samples: npt.NDArray[np.floating]) -> list[ClippedRun]:
    """Runs of samples stuck at (or beyond) full scale, in order of their start."""
    x = np.asarray(samples, dtype=np.float64)
    if x.ndim == 1:
        x = x[:, None]
    runs: list[ClippedRun] = []
    for channel in range(x.shape[1]):
        column = x[:, channel]
        for sign in (1.0, -1.0):
            signed = sign * column
            mask = np.concatenate(([False], signed >= CLIP_LEVEL, [False]))
            edges = np.flatnonzero(np.diff(mask.astype(np.int8)))
            starts, ends = edges[0::2], edges[1::2]
            long_enough = (ends - starts) >= CLIP_RUN
            starts, ends = starts[long_enough], ends[long_enough]
            if starts.size == 0:
                continue
            for start, end in zip(starts, ends, strict=True):
                run = signed[start:end]
                high, low = float(run.max()), float(run.min())
                if high - low <= CLIP_FLATNESS or high > 1.0:
                    runs.append(ClippedRun(channel, int(start), int(end - start)))
    runs.sort(key=lambda r: (r.start, r.channel))
    return runs


# --- the check -----------------------------------------------------------------------------------------


def check_audio(data: bytes, mime: str, kit: BrandKit) -> CheckResult:
    """Decode an audio file and check it against the kit's audio rules."""
    try:
        samples, rate = decode_audio(data, mime)
    except (av.error.FFmpegError, ValueError, wave.Error, EOFError) as error:
        return CheckResult(
            violations=[
                Violation(
                    rule_id=DECODE_RULE,
                    severity="error",
                    message=f"the audio could not be decoded: {describe_error(error)}",
                )
            ],
            rules_checked=[DECODE_RULE],
        )
    return check_audio_samples(samples, rate, kit, declared_seconds=declared_seconds(data))


def declared_seconds(data: bytes) -> float | None:
    """The duration the file's header declares (WAV frame count, container duration); None when unknown."""
    if data[:4] == b"RIFF":
        try:
            with wave.open(io.BytesIO(data), "rb") as reader:
                return reader.getnframes() / reader.getframerate()
        except (wave.Error, EOFError, ValueError, ZeroDivisionError):
            pass
    try:
        with av.open(io.BytesIO(data), mode="r") as container:
            return container.duration / av.time_base if container.duration is not None else None
    except (av.error.FFmpegError, ValueError):
        return None


def check_audio_samples(
    samples: npt.NDArray[np.floating], rate: int, kit: BrandKit, *, declared_seconds: float | None = None
) -> CheckResult:
    """The audio rules on decoded samples (frames, channels): loudness, true peak, clipping.

    Samples cut at ``MAX_DECODED_SAMPLES`` are measured as they are, reported in ``not_checked``; the
    duration metric is then ``declared_seconds`` (the header's) when that is longer.
    """
    rules = kit.audio
    result = CheckResult(rules_checked=[LOUDNESS_RULE, TRUE_PEAK_RULE, CLIPPING_RULE])
    duration = samples.shape[0] / rate if rate else 0.0
    measured = duration
    if rate and samples.ndim == 2 and samples.shape[0] >= max_frames(samples.shape[1]):
        duration = max(duration, declared_seconds or 0.0)
        result.not_checked.append(
            NotChecked(
                check=LENGTH_CHECK,
                reason=f"only the first {measured:.0f} s of {duration:.0f} s were decoded: loudness, "
                "true peak and clipping are measured on them",
            )
        )
    result.metrics["audio.durationSeconds"] = round(duration, 3)

    peak = true_peak(samples, rate)
    if math.isfinite(peak):
        result.metrics["audio.truePeakDbtp"] = round(peak, 2)
        if peak > rules.max_true_peak_dbtp:
            result.violations.append(
                Violation(
                    rule_id=TRUE_PEAK_RULE,
                    severity="error",
                    message=f"true peak {peak:+.1f} dBTP is above the brand's maximum of "
                    f"{rules.max_true_peak_dbtp:+.1f} dBTP",
                    suggestion=f"apply a true-peak limiter with its ceiling at {rules.max_true_peak_dbtp:+.1f} dBTP",
                )
            )

    try:
        lufs = integrated_loudness(samples, rate)
    except ValueError as error:
        result.rules_checked.remove(LOUDNESS_RULE)
        result.not_checked.append(NotChecked(check=LOUDNESS_RULE, reason=str(error)))
    else:
        _loudness(result, lufs, peak, kit)

    runs = clipped_runs(samples)
    if runs:
        first = runs[0]
        clipped = sum(r.length for r in runs)
        result.violations.append(
            Violation(
                rule_id=CLIPPING_RULE,
                severity="error",
                message=f"the audio clips: {len(runs)} run(s) of samples at full scale ({clipped} samples), "
                f"the first at {first.start / rate:.3f} s",
                location=TimeRange(
                    start_seconds=round(first.start / rate, 4),
                    end_seconds=round((first.start + first.length) / rate, 4),
                ),
                suggestion="regenerate or re-export with headroom; clipping cannot be undone by lowering the gain",
            )
        )
    return result


def _loudness(result: CheckResult, lufs: float, peak: float, kit: BrandKit) -> None:
    rules = kit.audio
    if not math.isfinite(lufs):
        result.violations.append(
            Violation(
                rule_id=LOUDNESS_RULE,
                severity="warning",
                message=f"the audio is silent (below the {ABSOLUTE_GATE_LUFS:.0f} LUFS gate); "
                f"the brand's target is {rules.target_lufs:.1f} LUFS",
            )
        )
        return
    result.metrics["audio.lufs"] = round(lufs, 2)
    if abs(lufs - rules.target_lufs) <= rules.tolerance_lu:
        return
    gain = rules.target_lufs - lufs
    suggestion = f"apply {gain:+.1f} dB of gain"
    if math.isfinite(peak) and peak + gain > rules.max_true_peak_dbtp:
        suggestion += (
            f"; the true peak would then reach {peak + gain:+.1f} dBTP, so limit it to "
            f"{rules.max_true_peak_dbtp:+.1f} dBTP"
        )
    result.violations.append(
        Violation(
            rule_id=LOUDNESS_RULE,
            severity="warning",
            message=f"integrated loudness {lufs:.1f} LUFS is outside the brand's {rules.target_lufs:.1f} "
            f"± {rules.tolerance_lu:.1f} LUFS: apply {gain:+.1f} dB of gain",
            suggestion=suggestion,
        )
    )
