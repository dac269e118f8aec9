"""The offline music generator: the embedded default when no music vendor is configured.

It is not a music model. It writes a short loop-based track with numpy: a chord progression on a pad,
a bass line, a melody and drums, with tempo, key, scale and mood read from the prompt's keywords
("calm ambient" is slow, sparse and soft; "energetic party" is fast with four-on-the-floor drums) and,
where the prompt says nothing, from its hash. The same prompt gives the same WAV bytes, so the rest of
the workflow (lint, save, provenance) runs on a real file; provenance records it as offline.
"""

from __future__ import annotations

import io
import math
import re
import wave
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from flashfusion.providers.base import GeneratedContent, GenerationJob
from flashfusion.providers.offline_image import DATASET_TAG, GENERATOR, hash_bytes
from flashfusion.routing.pricing import seconds_for

SAMPLE_RATE = 44_100
CHANNELS = 2
TRUE_PEAK_MARGIN_DB = 0.5
PEAK_DBFS = -1.0  # headroom below full scale: lossy re-encoders (AAC on upload) overshoot 0 dBFS peaks
FADE_IN_SECONDS = 0.01  # just enough to avoid a click on the first sample
MAX_FADE_OUT_SECONDS = 1.5

Signal = npt.NDArray[np.float64]

NOTE_NAMES = ["C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B"]
SCALES = {"major": [0, 2, 4, 5, 7, 9, 11], "minor": [0, 2, 3, 5, 7, 8, 10]}
PENTATONIC = {"major": [0, 1, 2, 4, 5], "minor": [0, 2, 3, 4, 6]}  # scale degrees: no clashing half steps
NUMERALS = {
    "major": ["I", "ii", "iii", "IV", "V", "vi", "vii°"],
    "minor": ["i", "ii°", "III", "iv", "v", "VI", "VII"],
}
PROGRESSIONS = {  # scale degrees, one chord per bar (two for ambient)
    "major": [[0, 4, 5, 3], [0, 5, 3, 4], [0, 3, 4, 3], [5, 3, 0, 4], [0, 3, 5, 4]],
    "minor": [[0, 5, 2, 6], [0, 3, 6, 2], [0, 6, 5, 6], [0, 3, 4, 0], [0, 5, 3, 4]],
}


@dataclass(frozen=True)
class Mood:
    name: str
    tempo: tuple[int, int]
    scale: str
    brightness: float
    """0..1: how many overtones the pad and melody have."""
    energy: float
    """0..1: note density and drum level."""
    kick: str
    snare: str
    hat: str
    bass: str
    """16 steps a bar: x hit, . rest."""
    bars_per_chord: int = 1


MOODS = {
    "calm": Mood("calm", (64, 80), "major", 0.3, 0.2, "." * 16, "." * 16, "x...x...x...x...", "x.......x......."),
    "ambient": Mood("ambient", (56, 70), "major", 0.2, 0.0, "." * 16, "." * 16, "." * 16, "x" + "." * 15, 2),
    "happy": Mood(
        "happy", (104, 120), "major", 0.7, 0.65, "x.......x.x.....", "....x.......x...", "x.x.x.x.x.x.x.x.",
        "x.....x.x.......",
    ),
    "energetic": Mood(
        "energetic", (124, 140), "major", 0.85, 1.0, "x...x...x...x...", "....x.......x...", "x.xxx.xxx.xxx.xx",
        "x.x.x.x.x.x.x.x.",
    ),
    "uplifting": Mood(
        "uplifting", (96, 112), "major", 0.6, 0.55, "x.......x.......", "....x.......x...", "x.x.x.x.x.x.x.x.",
        "x...x...x...x...",
    ),
    "sad": Mood("sad", (62, 78), "minor", 0.3, 0.25, "x.......", "........x.......", "x...x...x...x...", "x......."),
    "epic": Mood(
        "epic", (84, 100), "minor", 0.6, 0.85, "x.....x...x.....", "........x.......", "x...x...x...x...",
        "x.....x...x.....",
    ),
    "dark": Mood(
        "dark", (80, 96), "minor", 0.25, 0.5, "x.........x.....", "........x.......", "x.x.x.x.x.x.x.x.",
        "x.........x.....",
    ),
}  # fmt: skip

KEYWORDS = {
    "calm": "calm relax relaxed relaxing chill chilled peaceful soft gentle soothing meditation meditative yoga "
    "spa lofi lo-fi serene quiet slow mellow cozy cosy",
    "ambient": "ambient atmospheric atmosphere drone dreamy ethereal spacious",
    "happy": "happy cheerful joyful joy fun funny sunny playful bright summer bouncy carefree",
    "energetic": "energetic energy party dance dancing workout gym hype fast exciting edm club festival sport "
    "sports running upbeat driving intense",
    "uplifting": "uplifting inspiring inspirational motivational corporate hopeful positive optimistic "
    "confident success",
    "sad": "sad melancholy melancholic emotional somber sombre nostalgic rain rainy lonely heartfelt tender sorrow",
    "epic": "epic cinematic dramatic heroic trailer orchestral powerful adventure triumphant grand bold",
    "dark": "dark mysterious mystery suspense suspenseful tense spooky halloween noir thriller eerie",
}
_WORD_MOOD = {word: mood for mood, words in KEYWORDS.items() for word in words.split()}
_WORDS = re.compile(r"[a-z]+(?:-[a-z]+)?")
_BPM = re.compile(r"\b(\d{2,3})\s*bpm\b", re.IGNORECASE)
_KEY = re.compile(r"\bin\s+([A-G])\s*(#|♯|b|♭|sharp|flat)?\s*(major|minor)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Plan:
    mood: Mood
    mood_from: str
    tempo: int
    root: int
    """Pitch class 0..11 of the key's tonic."""
    scale: str
    progression: list[int]


def plan_for(prompt: str, digits: bytes) -> Plan:
    """Mood, tempo and key from the prompt's words; whatever it leaves open, from its hash."""
    words = _WORDS.findall(prompt.lower())
    hits: dict[str, int] = {}
    first_seen: dict[str, int] = {}
    for position, word in enumerate(words):
        mood_name = _WORD_MOOD.get(word)
        if mood_name:
            hits[mood_name] = hits.get(mood_name, 0) + 1
            first_seen.setdefault(mood_name, position)
    if hits:  # the most-mentioned mood; a tie goes to the one said first
        name = max(hits, key=lambda m: (hits[m], -first_seen[m]))
        mood, mood_from = MOODS[name], "keywords"
    else:
        mood, mood_from = MOODS[sorted(MOODS)[digits[0] % len(MOODS)]], "hash"
    low, high = mood.tempo
    tempo = low + digits[1] % (high - low + 1)
    bpm = _BPM.search(prompt)
    if bpm:
        tempo = min(180, max(50, int(bpm[1])))
    root, scale = digits[2] % 12, mood.scale
    key = _KEY.search(prompt)
    if key:
        accidental = (key[2] or "").lower()
        shift = 1 if accidental in ("#", "♯", "sharp") else -1 if accidental in ("b", "♭", "flat") else 0
        root = (NOTE_NAMES.index(key[1].upper()) + shift) % 12
        scale = key[3].lower()
    progressions = PROGRESSIONS[scale]
    return Plan(mood, mood_from, tempo, root, scale, progressions[digits[3] % len(progressions)])


# --- synthesis --------------------------------------------------------------------------------------

TABLE_SIZE = 4096


def _wavetable(brightness: float) -> Signal:
    """One period of a tone whose overtones fade faster the darker the mood."""
    phase = np.arange(TABLE_SIZE) / TABLE_SIZE
    wave_ = np.zeros(TABLE_SIZE)
    for k in range(1, 9):
        wave_ += (brightness ** (k - 1)) / k * np.sin(2 * np.pi * k * phase)
    return wave_ / np.max(np.abs(wave_))


def _osc(table: Signal, freq: float, n: int) -> Signal:
    index = (np.arange(n) * (freq * TABLE_SIZE / SAMPLE_RATE)).astype(np.int64)
    return table[index & (TABLE_SIZE - 1)]  # TABLE_SIZE is a power of two: the mask wraps the phase


def _hz(midi: int) -> float:
    return 440.0 * 2 ** ((midi - 69) / 12)


def _pluck(n: int, attack: float, decay: float) -> Signal:
    t = np.arange(n) / SAMPLE_RATE
    env = np.minimum(1.0, t / max(attack, 1e-4)) * np.exp(-t / decay)
    release = min(n, int(0.01 * SAMPLE_RATE))  # every note ends at zero: no clicks at cut-offs
    env[n - release :] *= np.linspace(1.0, 0.0, release)
    return env


def _swell(n: int, attack: float, release: float) -> Signal:
    env = np.ones(n)
    a, r = min(n // 2, int(attack * SAMPLE_RATE)), min(n // 2, int(release * SAMPLE_RATE))
    if a:
        env[:a] = np.linspace(0.0, 1.0, a)
    if r:
        env[n - r :] *= np.linspace(1.0, 0.0, r)
    return env


class _Mix:
    def __init__(self, n: int) -> None:
        self.n = n
        self.left = np.zeros(n)
        self.right = np.zeros(n)

    def add(self, start: int, signal: Signal, gain: float, pan: float = 0.0) -> None:
        """Add a signal at a sample offset; pan -1 (left) .. 1 (right), constant power."""
        if start >= self.n:
            return
        end = min(self.n, start + len(signal))
        part = signal[: end - start] * gain
        angle = (pan + 1) * math.pi / 4
        self.left[start:end] += part * math.cos(angle)
        self.right[start:end] += part * math.sin(angle)


def _drum_voices(rng: np.random.Generator) -> dict[str, Signal]:
    sr = SAMPLE_RATE
    t = np.arange(int(0.35 * sr)) / sr
    kick = np.sin(2 * np.pi * np.cumsum(50 + 110 * np.exp(-t / 0.03)) / sr) * np.exp(-t / 0.16)
    noise = rng.uniform(-1.0, 1.0, int(0.25 * sr))
    bright = np.diff(noise, prepend=0.0) / 2  # a first difference is a cheap high-pass: hiss, not rumble
    ts = np.arange(len(noise)) / sr
    snare = 0.7 * bright * np.exp(-ts / 0.07) + 0.4 * np.sin(2 * np.pi * 185 * ts) * np.exp(-ts / 0.05)
    hat_n = int(0.06 * sr)
    hat = bright[:hat_n] * np.exp(-ts[:hat_n] / 0.015)
    return {"kick": kick, "snare": snare, "hat": hat}


def synthesise(plan: Plan, seconds: float, digits: bytes) -> tuple[Signal, Signal]:
    n = max(1, round(seconds * SAMPLE_RATE))
    mix = _Mix(n)
    mood = plan.mood
    # A loop repeats its notes: each (voice, pitch, length) is synthesised once and reused.
    rendered: dict[tuple[str, float, int], Signal] = {}

    def voice(kind: str, table: Signal, freq: float, length: int, envelope: Callable[[int], Signal]) -> Signal:
        key = (kind, freq, length)
        if key not in rendered:
            rendered[key] = _osc(table, freq, length) * envelope(length)
        return rendered[key]

    # Every random choice (melody, drum noise) comes from a generator seeded by the prompt hash.
    rng = np.random.default_rng(int.from_bytes(digits[:8], "big"))
    scale = SCALES[plan.scale]
    beat = 60.0 / plan.tempo
    step = beat / 4
    bar = 4 * beat
    bars = max(1, math.ceil(seconds / bar))
    tonic = 48 + plan.root  # the pad's octave: C3..B3

    def degree_note(degree: int, base: int) -> int:
        return base + 12 * (degree // 7) + scale[degree % 7]

    def chord_at(bar_index: int) -> int:
        if bars >= 3 and bar_index == bars - 1:
            return 0  # end on the tonic
        return plan.progression[(bar_index // mood.bars_per_chord) % len(plan.progression)]

    # Pad: the chord's triad plus its root an octave down, two slightly detuned voices spread L/R.
    pad_table = _wavetable(0.15 + 0.5 * mood.brightness)

    def pad_envelope(length: int) -> Signal:
        return _swell(length, attack=0.05 + 0.6 * (1 - mood.energy), release=0.25)

    for bar_index in range(0, bars, mood.bars_per_chord):
        degree = chord_at(bar_index)
        start = round(bar_index * bar * SAMPLE_RATE)
        length = round((mood.bars_per_chord * bar + 0.25) * SAMPLE_RATE)  # a short overlap crossfades chords
        notes = [degree_note(degree, tonic), degree_note(degree + 2, tonic), degree_note(degree + 4, tonic)]
        notes.append(notes[0] - 12)
        for note in notes:
            for detune, pan in ((-0.003, -0.6), (0.003, 0.6)):
                signal = voice("pad", pad_table, _hz(note) * (1 + detune), length, pad_envelope)
                mix.add(start, signal, 0.07, pan)

    # Bass: the chord root two octaves down, on the mood's pattern.
    bass_table = _wavetable(0.25)

    def bass_envelope(length: int) -> Signal:
        return _pluck(length, 0.005, 0.15 + 0.5 * (1 - mood.energy))

    hits = [i for i, c in enumerate(mood.bass.ljust(16, ".")) if c == "x"]
    for bar_index in range(bars):
        root = degree_note(chord_at(bar_index), tonic - 24)
        for j, hit in enumerate(hits):
            nxt = hits[j + 1] if j + 1 < len(hits) else 16
            length = round((nxt - hit) * step * SAMPLE_RATE)
            start = round((bar_index * bar + hit * step) * SAMPLE_RATE)
            mix.add(start, voice("bass", bass_table, _hz(root), length, bass_envelope), 0.35)

    # Melody: a 4-bar motif on the pentatonic scale, chord tones on downbeats, repeated with a new last bar.
    lead_table = _wavetable(mood.brightness)

    def lead_envelope(length: int) -> Signal:
        return _pluck(length, 0.01 + 0.04 * (1 - mood.energy), 0.2 + 0.6 * (1 - mood.energy))

    dense = ["x.x.x.xx", "x..xx.x.", "x.x..x.x", "xx.x.x..", "x.xx..x."]
    sparse = ["x.......", "x...x...", "x.....x.", "x..x...."]
    rhythms = dense if mood.energy >= 0.5 else sparse
    penta = [degree_note(d, tonic + 12) for d in PENTATONIC[plan.scale]]
    ladder = penta + [p + 12 for p in penta]
    position = len(penta)

    def motif_bar() -> list[tuple[int, int]]:
        nonlocal position
        pattern = rhythms[int(rng.integers(len(rhythms)))]
        notes: list[tuple[int, int]] = []
        for eighth, mark in enumerate(pattern):
            if mark == "x":
                position = int(np.clip(position + rng.integers(-2, 3), 0, len(ladder) - 1))
                notes.append((eighth, position))
        return notes

    motif = [motif_bar() for _ in range(4)]
    for bar_index in range(bars):
        if bar_index % 8 == 7:
            motif[3] = motif_bar()  # every other pass through the motif ends differently
        if bar_index == bars - 1 and bars >= 3:
            phrase: list[tuple[int, int]] = [(0, 0)]  # a last long note on the tonic
        else:
            phrase = motif[bar_index % 4]
        chord = chord_at(bar_index)
        chord_tones = {(degree_note(chord + k, tonic)) % 12 for k in (0, 2, 4)}
        for j, (eighth, rung) in enumerate(phrase):
            note = ladder[rung]
            if eighth == 0:  # the downbeat lands on a chord tone: consonance where the ear checks
                note = min((n for n in ladder if n % 12 in chord_tones), key=lambda n: abs(n - note), default=note)
            nxt = phrase[j + 1][0] if j + 1 < len(phrase) else 8
            length = round(min(2 * beat, (nxt - eighth) * beat / 2 + 0.05) * SAMPLE_RATE)
            if bar_index == bars - 1:
                length = round(bar * SAMPLE_RATE)
            start = round((bar_index * bar + eighth * beat / 2) * SAMPLE_RATE)
            mix.add(start, voice("lead", lead_table, _hz(note), length, lead_envelope), 0.22, -0.15)

    # Drums: from the second bar when there is room for an intro, stopping on the last downbeat.
    drums = _drum_voices(rng)
    level = 0.4 + 0.6 * mood.energy
    first_bar = 1 if bars >= 4 else 0
    for bar_index in range(first_bar, bars):
        last = bars >= 3 and bar_index == bars - 1
        for name, pattern, gain, pan in (
            ("kick", mood.kick, 0.9, 0.0),
            ("snare", mood.snare, 0.45, 0.1),
            ("hat", mood.hat, 0.25, 0.35),
        ):
            for i, mark in enumerate(pattern.ljust(16, ".")):
                if mark != "x" or (last and i > 0):
                    continue
                accent = 1.0 if i % 4 == 0 else 0.7
                start = round((bar_index * bar + i * step) * SAMPLE_RATE)
                mix.add(start, drums[name], gain * level * accent, pan)

    return mix.left, mix.right


def master(
    left: Signal, right: Signal, target_lufs: float | None = None, max_true_peak_dbtp: float = PEAK_DBFS
) -> npt.NDArray[np.int16]:
    """Fades, then levels: to the brand's loudness target when given (what its linter checks), never
    above its true-peak ceiling (less a margin for 16-bit rounding); interleaved 16-bit samples."""
    stereo = np.stack([left, right], axis=1)
    n = len(stereo)
    fade_in = min(n, round(FADE_IN_SECONDS * SAMPLE_RATE))
    fade_out = min(n - fade_in, round(min(MAX_FADE_OUT_SECONDS, n / SAMPLE_RATE * 0.15) * SAMPLE_RATE))
    if fade_in:
        stereo[:fade_in] *= np.linspace(0.0, 1.0, fade_in)[:, None]
    if fade_out:
        stereo[n - fade_out :] *= np.linspace(1.0, 0.0, fade_out)[:, None] ** 2
    peak = float(np.max(np.abs(stereo)))
    if peak > 0:
        stereo *= (10 ** (PEAK_DBFS / 20)) / peak
    if target_lufs is not None and peak > 0 and len(stereo) >= SAMPLE_RATE // 2:
        from flashfusion.linting.audio import integrated_loudness, true_peak

        stereo *= 10 ** ((target_lufs - integrated_loudness(stereo, SAMPLE_RATE)) / 20)
        ceiling = max_true_peak_dbtp - TRUE_PEAK_MARGIN_DB
        over = true_peak(stereo, SAMPLE_RATE) - ceiling
        if over > 0:
            stereo *= 10 ** (-over / 20)
    return np.round(np.clip(stereo, -1.0, 1.0) * 32767).astype(np.int16)


def wav_bytes(samples: npt.NDArray[np.int16]) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:  # the stdlib writer: a plain RIFF header, no timestamps
        out.setnchannels(CHANNELS)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(samples.astype("<i2").tobytes())
    return buffer.getvalue()


class OfflineMusicProvider:
    name = "local"

    def generate(self, job: GenerationJob) -> GeneratedContent:
        seconds = seconds_for(job.model, job.options.duration_seconds)
        digits = hash_bytes(job.prompt_hash)
        plan = plan_for(job.prompt, digits)
        rules = job.brand_kit.audio
        samples = master(*synthesise(plan, seconds, digits), rules.target_lufs, rules.max_true_peak_dbtp)
        duration = len(samples) / SAMPLE_RATE
        return GeneratedContent(
            data=wav_bytes(samples),
            mime_type="audio/wav",
            extension="wav",
            vendor_model=job.model.vendor_model,
            offline=True,
            dataset_tag=DATASET_TAG,
            usage={"audioSeconds": duration},
            parameters={
                "generator": GENERATOR,
                "mood": plan.mood.name,
                "moodFrom": plan.mood_from,
                "tempoBpm": plan.tempo,
                "key": f"{NOTE_NAMES[plan.root]} {plan.scale}",
                "scale": plan.scale,
                "brightness": plan.mood.brightness,
                "energy": plan.mood.energy,
                "progression": [NUMERALS[plan.scale][d] for d in plan.progression],
                "durationSeconds": duration,
                "sampleRate": SAMPLE_RATE,
                "channels": CHANNELS,
                "bitDepth": 16,
                "targetLufs": rules.target_lufs,
            },
        )
