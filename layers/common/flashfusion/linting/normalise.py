"""What a reader sees, for every term matcher (banned, required and preferred terms, claims, trademarks,
the Vale-style rules): one normalisation, with a map back to the original text.

Steps, in order:

1. NFKC, per base character and its combining marks (fullwidth ``ｗｉｎ``, mathematical ``𝐰𝐢𝐧``, circled
   ``ⓦⓘⓝ``, ligatures, ``‼`` -> ``!!``, no-break and thin spaces -> space);
2. default-ignorable code points removed (zero-width space and joiners, soft hyphen, word joiner, BOM,
   variation selectors...: Unicode's DerivedCoreProperties, ``Default_Ignorable_Code_Point``, below);
   combining overlays (strike-through ``m̶``) and enclosing marks go too, and so does every mark on a
   letter carrying three or more ("Zalgo"); ordinary accents stay (``café`` is not ``cafe``);
3. confusables folded to Latin with Unicode TR39's table (``confusables.txt``, as shipped by the
   ``confusable-homoglyphs`` package), plus the Latin small capitals (``ᴍɪʀᴀᴄʟᴇ``) by their names — but
   only where the word is plausibly a disguise, so Russian or Greek text stays as written:
   - a non-ASCII Latin letter with an ASCII look-alike (dotless ``ı``, Latin alpha ``ɑ``, small capitals)
     is always folded;
   - a letter of another script is folded when its word mixes it with Latin letters (``wіn`` with a
     Cyrillic ``і``), or when every letter of its word has a Latin look-alike and the text is mostly Latin
     (``ѕсаm`` in an English post; not ``сор`` in a Russian one);
4. letters spaced or dotted out joined: a run of single letters (or digits, ``@``, ``$``) with one
   consistent separator — ``w i n`` (three or more when the separator is a space), ``w.i.n``, ``w-i-n``,
   ``w_i_n``, ``w*i*n`` (two or more) — becomes one word. Hyphen-like dashes (``‐``, ``‑``, ``–``, ``−``)
   are read as "-". The run is remembered, so a matcher may let a
   term end (or start) inside it before a last (after a first) single ``a`` or ``I``: ``w i n a car``.

``Normalised.span`` maps a span of the normalised text back to the original: every normalised character
comes from one original character or one base-and-marks cluster, and a joined run spans its separators.

An ASCII text skips steps 1-3 (they change nothing there), and so does a text whose non-ASCII characters are
all inert (emoji without a variation selector, symbols, letters without a look-alike: ``_inert_run``); without
spaced letters such a text is its own normalisation (``text`` is the same object, no map). In other texts the
inert runs are copied as ASCII is, and steps 3 and the dash reading are skipped when no run makes anything for
them (``_run_may_fold``).
"""

# ruff: noqa: RUF002, RUF003 - this module is about look-alike characters: its docs show them
from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Sequence
from functools import lru_cache
from typing import overload

# DerivedCoreProperties.txt (Unicode 15.1), Default_Ignorable_Code_Point: every range.
DEFAULT_IGNORABLE = (
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x061C, 0x061C),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x206F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)
IGNORABLE = re.compile(
    "[" + "".join(f"{re.escape(chr(lo))}-{re.escape(chr(hi))}" for lo, hi in DEFAULT_IGNORABLE) + "]"
)
# Marks drawn through or around a letter rather than accenting it: never part of a spelling.
OVERLAY_MARKS = frozenset(
    chr(c) for c in [*range(0x0334, 0x0339), 0x20D2, 0x20D3, *range(0x20D8, 0x20DB), 0x20E5, 0x20E6, 0x20EA, 0x20EB]
)
ZALGO_MARKS = 3
"""A letter carrying this many combining marks is decorated, not accented: all its marks go."""

RUN_ELEMENT = r"(?:[^\W_]|[@$])"
SPACED_RUN = re.compile(
    rf"(?<![^\W_])(?:{RUN_ELEMENT}(?: {RUN_ELEMENT}){{2,}}"
    rf"|{RUN_ELEMENT}(?P<sep>[.\-_*\u00b7\u2022]){RUN_ELEMENT}(?:(?P=sep){RUN_ELEMENT})*)(?![^\W_])"
)
"""Letters spaced by blanks are joined from three on ("a I" and "Plan B" stay apart), by another separator
from two on ("e.g."). Every element is one character, so every other character of a run is a separator."""
SPACED_HINTS = (
    re.compile(r" [\w@$] [\w@$](?![^\W_])(?<=(?<![^\W_])[\w@$] [\w@$] [\w@$])"),
    re.compile(r"[.\-_*\u00b7\u2022][\w@$](?![^\W_])(?:(?<=[^\W\d_])|(?<=(?<![^\W_])[^\W\d_]..))"),
)
"""What every ``SPACED_RUN`` match that holds a letter (the only ones joined) holds: three blank-spaced single
elements, or a separator with a single element after it, one of the two a letter (a later element, or the first).
Each pattern starts with a literal or a small class, which the regex engine skips to in C, and reads any word
character as an element (a superset: "_" and digits as letters too): many times cheaper to look for than
``SPACED_RUN``, and rarely found where no run is. Each reads forward first and looks behind last (where the
element before the first space or separator is checked), so most candidates fail on their next character or two:
``(?<=...)`` at the first element, as first written, was tried at every space (~2x the cost)."""
_BLANK_SPACED, _SEPARATED = SPACED_HINTS
IGNORECASE_ASCII = {"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"}
"""The non-ASCII letters a case-insensitive ``re`` pattern matches to an ASCII letter: dotted capital I,
dotless i, long s, the Kelvin sign."""
_IGNORECASE_ASCII_TABLE = str.maketrans(IGNORECASE_ASCII)
_CASE_1, _CASE_2, _CASE_3, _CASE_4 = IGNORECASE_ASCII  # each looked for with ``in`` (see ``case_key``)
DASH_CHARS = "\u2010\u2011\u2012\u2013\u2043\u2212\ufe63"
DASHES = str.maketrans(dict.fromkeys(DASH_CHARS, "-"))
_DASH = re.compile(f"[{DASH_CHARS}]")
"""Hyphen-like dashes (TR39 folds them to "-"); the em dash stays: it separates clauses, not words."""
_TOKEN = re.compile(r"\w+")


class OffsetMap(Sequence[int]):
    """Where each character of a normalised text starts (or ends) in the original, kept as segments rather
    than one entry per character: a copied stretch maps character for character (offset ``origin + k``), a
    normalised cluster maps every one of its characters to the cluster's one original offset. An entry is
    looked up by bisection; most texts are mapped back only at the few places a term matched."""

    __slots__ = ("_at", "_copied", "_length", "_origin")

    def __init__(self, at: list[int], origin: list[int], copied: list[bool], length: int) -> None:
        self._at = at
        """The normalised offset where each segment starts, increasing."""
        self._origin = origin
        """The original offset its first character maps to."""
        self._copied = copied
        """Whether the segment is copied (one original character per character) or one cluster."""
        self._length = length

    def __len__(self) -> int:
        return self._length

    @overload
    def __getitem__(self, index: int) -> int: ...

    @overload
    def __getitem__(self, index: slice) -> list[int]: ...

    def __getitem__(self, index: int | slice) -> int | list[int]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._length))]
        if index < 0:
            index += self._length
        if not 0 <= index < self._length:
            raise IndexError(index)
        segment = bisect_right(self._at, index) - 1
        origin = self._origin[segment]
        return origin + index - self._at[segment] if self._copied[segment] else origin


class Normalised:
    """A text's normalisation (see the module doc). Read-only by convention: it is cached per text and shared by
    every check. A plain class with its own ``__init__``, ``__eq__``, ``__hash__`` and ``__repr__`` (what a frozen
    dataclass of these fields would give, but for the ``FrozenInstanceError`` on assignment): compiled, it is
    built natively, where a dataclass's generated ``__init__`` runs as Python (~1 us per text)."""

    __slots__ = ("case_key", "ends", "original", "runs", "starts", "text")

    original: str
    text: str
    starts: Sequence[int] | None
    """For each character of ``text``, where it starts in ``original``; None: ``text`` is ``original``."""
    ends: Sequence[int] | None
    runs: tuple[tuple[int, int], ...]
    """Joined spaced-letter runs, as (start, end) in ``text``."""
    case_key: str
    """``text`` lowercased, with the four non-ASCII letters that ``re.IGNORECASE`` equates to ASCII ones
    (``IGNORECASE_ASCII``) mapped to them: an ASCII letter-digit run that a case-insensitive pattern finds in
    ``text`` is a substring of it, so a term whose first run is not in it cannot match (a cheap pre-check)."""

    def __init__(
        self,
        original: str,
        text: str,
        starts: Sequence[int] | None = None,
        ends: Sequence[int] | None = None,
        runs: tuple[tuple[int, int], ...] = (),
        case_key: str = "",
    ) -> None:
        self.original = original
        self.text = text
        self.starts = starts
        self.ends = ends
        self.runs = runs
        self.case_key = case_key

    def _fields(self) -> tuple[object, ...]:
        return (self.original, self.text, self.starts, self.ends, self.runs, self.case_key)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Normalised):
            return NotImplemented
        return self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        return (
            f"Normalised(original={self.original!r}, text={self.text!r}, starts={self.starts!r}, "
            f"ends={self.ends!r}, runs={self.runs!r}, case_key={self.case_key!r})"
        )

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span of ``text[start:end]`` (end > start)."""
        if self.starts is None or self.ends is None:
            return start, end
        return self.starts[start], self.ends[end - 1]

    def joined_run_at(self, start: int, end: int) -> bool:
        """Whether one joined run holds both ``text[start]`` and ``text[end - 1]``."""
        return any(rs <= start and end <= re_ for rs, re_ in self.runs)


def normalise(text: str) -> Normalised:
    """The normalisation of ``text`` (see the module doc); cached for the few texts being linted."""
    return _normalise(text)


@lru_cache(maxsize=256)  # one lint asks for the same text's normalisation from several checks
def _normalise(text: str) -> Normalised:
    if text.isascii():
        return _join_spaced(text, text, None, None)
    # one scan for the non-ASCII characters one at a time (~2x cheaper than for runs of them): most texts hold a
    # few emoji, each inert or carrying only a character that step 2 drops (a variation selector, a joiner)
    chars = NON_ASCII_CHAR.findall(text)
    kind = max(map(_char_kind, chars))
    if kind == _INERT:
        # steps 1-3 change nothing: the text maps to itself (as ``_clusters`` would map it)
        return _join_spaced(text, text, None, None, plain_case=True)
    if kind != _OTHER:
        return _without_dropped(text, chars)
    runs = NON_ASCII_RUN.findall(text)
    if all(map(_inert_run, runs)):
        # steps 1-3 change nothing: the text maps to itself (as ``_clusters`` would map it)
        return _join_spaced(text, text, None, None)
    clustered, starts, ends = _clusters(text)
    if any(map(_run_may_fold, runs)):
        clustered = _dashes_read_as_hyphens(_fold_confusables(clustered))
    return _join_spaced(text, clustered, starts, ends)


def normalise_term(term: str) -> str:
    """A kit's term, normalised as the texts are (so a term written with "ﬁ" or a no-break space still
    matches); its spaced letters are not joined (a term is what is meant, not a disguise)."""
    if term.isascii():
        return term
    clustered, _, _ = _clusters(term)
    return _dashes_read_as_hyphens(_fold_confusables(clustered))


def _dashes_read_as_hyphens(text: str) -> str:
    # str.translate looks every character of a non-ASCII text up in the table: most texts have no dash to map
    return text if _DASH.search(text) is None else text.translate(DASHES)


# --- 1 and 2: NFKC, ignorables and decorating marks ---------------------------------------------


def _is_mark(ch: str) -> bool:
    return unicodedata.category(ch)[0] == "M"


@lru_cache(maxsize=8192)
def _nfkc_char(ch: str) -> str:
    return IGNORABLE.sub("", unicodedata.normalize("NFKC", ch))


NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")


@lru_cache(maxsize=8192)  # the same few emoji, accents and their marks recur from text to text
def _cluster(cluster: str) -> str:
    """The normalisation of one base character ``cluster[0]`` and its marks ``cluster[1:]``."""
    if len(cluster) == 1:
        return _nfkc_char(cluster)
    if IGNORABLE.match(cluster[0]):
        return ""
    marks = [m for m in cluster[1:] if m not in OVERLAY_MARKS and not IGNORABLE.match(m)]
    marks = [m for m in marks if unicodedata.category(m) != "Me"]
    if len(marks) >= ZALGO_MARKS:
        marks = []
    return IGNORABLE.sub("", unicodedata.normalize("NFKC", cluster[0] + "".join(marks)))


@lru_cache(maxsize=8192)
def _run_clusters(run: str) -> tuple[tuple[int, int, str], ...]:
    """A run of non-ASCII characters (with the ASCII letter before a leading mark) split into its clusters,
    each as (start, end, normalised) relative to the run: a base character with the marks that follow it."""
    clusters: list[tuple[int, int, str]] = []
    i = 0
    last = len(run)
    while i < last:
        j = i + 1
        while j < last and _is_mark(run[j]):
            j += 1
        clusters.append((i, j, _cluster(run[i:j])))
        i = j
    return tuple(clusters)


@lru_cache(maxsize=8192)  # emoji, symbols and accented letters recur from text to text
def _inert_run(run: str) -> bool:
    """Whether no step changes the non-ASCII run ``run``, nor anything around it because of it: each of its
    characters is its own cluster (no mark, so nothing joins the ASCII character before), NFKC and the
    ignorables keep it, it is no dash, and it is no letter with a look-alike (so no word is folded because of
    it). Such a run is copied as ASCII is: each character maps to itself."""
    return all(map(_inert_char, run))


@lru_cache(maxsize=8192)
def _run_may_fold(run: str) -> bool:
    """Whether what steps 1-2 make of a non-ASCII run may hold a letter with a look-alike (which step 3 may fold)
    or a hyphen-like dash (read as "-"); when no run does, those steps, which scan the whole text, are skipped.
    A run that starts with a mark joins the ASCII letter before it: it may make anything."""
    if _is_mark(run[0]):
        return True
    for _, _, piece in _run_clusters(run):
        for ch in piece:
            if ch in DASH_CHARS or (ch.isalpha() and not ch.isascii() and ch in _fold_table()):
                return True
    return False


@lru_cache(maxsize=8192)
def _inert_char(ch: str) -> bool:
    """One character of an inert run (``_inert_run``)."""
    if _is_mark(ch) or ch in DASH_CHARS or _nfkc_char(ch) != ch:
        return False
    return not ch.isalpha() or ch not in _fold_table()  # the fold table is loaded only for letters


NON_ASCII_CHAR = re.compile(r"[^\x00-\x7f]")
_INERT, _DROPPED_MARK, _DROPPED, _OTHER = range(4)
"""What steps 1-3 make of a non-ASCII character (``_char_kind``), in the order ``_normalise`` takes the
greatest of a text's: kept as it is; a mark that step 2 drops (a variation selector); another character that
step 2 drops with any marks after it (a zero-width joiner or space, a tag); anything else."""


@lru_cache(maxsize=8192)
def _char_kind(ch: str) -> int:
    """``_INERT``, ``_DROPPED_MARK``, ``_DROPPED`` or ``_OTHER`` (see above) for a non-ASCII character. The four
    letters ``re.IGNORECASE`` equates to ASCII ones count as others (rare: a text holding one takes the general
    way), so a text of the shortcuts is its own case key's source as it is (``_join_spaced``'s ``plain_case``)."""
    if ch in IGNORECASE_ASCII:
        return _OTHER
    if _inert_run(ch):
        return _INERT
    if IGNORABLE.match(ch) is None:
        return _OTHER
    if _is_mark(ch):
        return _DROPPED_MARK  # ``_cluster`` drops it from any base's marks; a mark base makes nothing
    return _DROPPED if _nfkc_char(ch) == "" else _OTHER  # as a cluster's base it makes nothing, marks and all


def _without_dropped(text: str, chars: list[str]) -> Normalised:
    """The normalisation of a text whose every non-ASCII character is inert or dropped (``_char_kind``), as
    ``_clusters`` maps it: the dropped characters removed, each kept character mapped to itself, its end
    stretched over the dropped marks right after it (its cluster's). Step 3 and the dash reading have nothing
    to change (the kept characters are ASCII or inert), so they are skipped. ``chars``: the text's non-ASCII
    characters."""
    dropped: list[int] = []
    for ch in set(chars):
        if _char_kind(ch) != _INERT:
            at = text.find(ch)
            while at >= 0:
                dropped.append(at)
                at = text.find(ch, at + 1)
    dropped.sort()
    segments = _Segments(text)
    position = 0  # the first original character not yet mapped
    count = len(dropped)
    k = 0
    while k < count:
        first = dropped[k]
        last = first + 1  # a maximal stretch of dropped characters: text[first:last]
        k += 1
        while k < count and dropped[k] == last:
            last += 1
            k += 1
        marks = first  # the dropped marks right after the kept character before the stretch end at ``marks``
        if first > 0:
            while marks < last and _char_kind(text[marks]) == _DROPPED_MARK:
                marks += 1
        segments.copy(position, first - 1 if marks > first else first)
        if marks > first:  # the kept character and its dropped marks: one cluster
            segments.cluster(text[first - 1], first - 1, marks)
        position = last
    segments.copy(position, len(text))
    clustered, starts, ends = segments.maps()
    return _join_spaced(text, clustered, starts, ends, plain_case=True)


class _Segments:
    """The segments of both offset maps of a text being normalised (``OffsetMap``), in order: for each, where it
    starts in the output, where its first character starts and ends in the original, and whether it is copied
    character for character."""

    __slots__ = ("at", "copied", "length", "origin_end", "origin_start", "out", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.out: list[str] = []
        self.at: list[int] = []
        self.origin_start: list[int] = []
        self.origin_end: list[int] = []
        self.copied: list[bool] = []
        self.length = 0

    def copy(self, start: int, end: int) -> None:
        """``text[start:end]`` copied unchanged (nothing when it is empty)."""
        if end > start:
            self.out.append(self.text[start:end])
            self.at.append(self.length)
            self.origin_start.append(start)
            self.origin_end.append(start + 1)
            self.copied.append(True)
            self.length += end - start

    def cluster(self, piece: str, start: int, end: int) -> None:
        """``text[start:end]`` normalised to ``piece`` (not empty)."""
        self.out.append(piece)
        self.at.append(self.length)
        self.origin_start.append(start)
        self.origin_end.append(end)
        self.copied.append(False)
        self.length += len(piece)

    def maps(self) -> tuple[str, OffsetMap, OffsetMap]:
        """The output, and where each of its characters starts and ends in the original."""
        at, copied, length = self.at, self.copied, self.length
        return (
            "".join(self.out),
            OffsetMap(at, self.origin_start, copied, length),
            OffsetMap(at, self.origin_end, copied, length),
        )


def _clusters(text: str) -> tuple[str, OffsetMap, OffsetMap]:
    """Steps 1 and 2: the text, and where each of its characters starts and ends in the original. ASCII
    stretches and inert non-ASCII runs (``_inert_run``) are copied whole; each other non-ASCII character is
    normalised with the marks that follow it (with the ASCII letter before it when it is a mark: "e" + U+0301
    is one cluster)."""
    segments = _Segments(text)
    position = 0
    for run in NON_ASCII_RUN.finditer(text):
        if _inert_run(run.group()):
            continue  # copied with the ASCII around it: each of its characters is its own unchanged cluster
        first, last = run.span()
        if first > position and _is_mark(text[first]):
            first -= 1  # the ASCII base of a leading mark belongs to its cluster
        segments.copy(position, first)
        for i, j, piece in _run_clusters(text[first:last]):
            if piece:
                segments.cluster(piece, first + i, first + j)
        position = last
    segments.copy(position, len(text))
    return segments.maps()


# --- 3: confusables ------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _fold_table() -> dict[str, str]:
    """Non-ASCII character -> its one-letter (or digit) ASCII look-alike: TR39's prototype, one step
    further when the prototype is itself a look-alike (Cyrillic "т" -> small capital "ᴛ" -> "t"), and
    the Latin small capitals by name. Loaded on the first text that needs it (~20 ms)."""
    from confusable_homoglyphs.confusables import confusables_data

    def ascii_of(candidates: list[dict[str, str]]) -> str | None:
        for candidate in candidates:
            c = candidate["c"]
            if len(c) == 1 and c.isascii() and c.isalnum():
                return c
        return None

    table: dict[str, str] = {}
    for block in (range(0x0250, 0x02B0), range(0x1D00, 0x1DC0), range(0xA700, 0xA800)):
        for code in block:
            name = unicodedata.name(chr(code), "")
            if "SMALL CAPITAL" in name and name.startswith("LATIN"):
                letter = name.rsplit(" ", 1)[-1]
                if len(letter) == 1 and letter.isascii():
                    table[chr(code)] = letter.lower()
    for ch, candidates in confusables_data.items():
        if len(ch) != 1 or ch.isascii() or ch in table:
            continue
        target = ascii_of(candidates)
        if target is None:
            for candidate in candidates:
                proto = candidate["c"]
                if len(proto) == 1:
                    target = table.get(proto) or ascii_of(confusables_data.get(proto, []))
                    if target:
                        break
        if target is None:
            continue
        if target == "l" and ch.isupper():
            target = "I"  # a capital that looks like "l" is read as an "I" (Cyrillic "І", Greek "Ι")
        table[ch] = target
    return table


@lru_cache(maxsize=8192)
def _script(ch: str) -> str:
    """The script a letter is named after (LATIN, CYRILLIC, GREEK, CHEROKEE...)."""
    return unicodedata.name(ch, "?").split(" ", 1)[0]


NON_ASCII_LETTER = re.compile(r"[^\W\d_\x00-\x7f]")


def _fold_confusables(text: str) -> str:
    """Step 3: the look-alikes of the words that are plausibly disguises folded (see the module doc);
    one character for one, so offsets are kept."""
    if NON_ASCII_LETTER.search(text) is None:
        return text
    table = _fold_table()
    chars: list[str] | None = None
    latin_majority: bool | None = None
    for token in _TOKEN.finditer(text):
        word = token.group(0)
        if word.isascii():
            continue
        foldable: list[int] = []
        has_latin = False
        other_letters = 0
        other_foldable = 0
        for offset, c in enumerate(word):
            if c.isascii():
                has_latin = has_latin or c.isalpha()
                continue
            if not c.isalpha():
                continue
            latin = _script(c) == "LATIN"
            has_latin = has_latin or latin
            target = table.get(c)
            if latin:
                if target is not None:
                    foldable.append(offset)
                continue
            other_letters += 1
            if target is not None:
                other_foldable += 1
                foldable.append(offset)
        if not foldable:
            continue
        if other_letters and not has_latin:
            if other_foldable < other_letters:
                foldable = [o for o in foldable if _script(word[o]) == "LATIN"]
            else:
                if latin_majority is None:
                    latin_majority = _mostly_latin(text)
                if not latin_majority:
                    foldable = [o for o in foldable if _script(word[o]) == "LATIN"]
        if foldable and chars is None:
            chars = list(text)
        for offset in foldable:
            if chars is not None:
                chars[token.start() + offset] = table[word[offset]]
    return text if chars is None else "".join(chars)


def _mostly_latin(text: str) -> bool:
    latin = other = 0
    for c in text:
        if c.isalpha():
            if c.isascii() or _script(c) == "LATIN":
                latin += 1
            else:
                other += 1
    return latin > other


# --- 4: spaced letters ---------------------------------------------------------------------------


def _join_spaced(
    original: str,
    text: str,
    starts: Sequence[int] | None,
    ends: Sequence[int] | None,
    *,
    plain_case: bool = False,
) -> Normalised:
    """Step 4. ``plain_case``: ``text`` holds none of ``IGNORECASE_ASCII`` (its case key is its lowercase)."""
    runs = []
    if _BLANK_SPACED.search(text) is not None or _SEPARATED.search(text) is not None:
        runs = [m for m in SPACED_RUN.finditer(text) if any(c.isalpha() for c in m.group(0))]
    if not runs:
        return Normalised(original, text, starts, ends, (), text.lower() if plain_case else case_key(text))
    # a text with a joined run (rare) is mapped character by character
    starts = list(range(len(text))) if starts is None else list(starts)
    ends = list(range(1, len(text) + 1)) if ends is None else list(ends)
    out: list[str] = []
    new_starts: list[int] = []
    new_ends: list[int] = []
    joined: list[tuple[int, int]] = []
    position = 0
    for run in runs:
        out.append(text[position : run.start()])
        new_starts += starts[position : run.start()]
        new_ends += ends[position : run.start()]
        run_start = sum(len(p) for p in out)
        elements = range(run.start(), run.end(), 2)  # element, separator, element...
        out.append("".join(text[k] for k in elements))
        new_starts += [starts[k] for k in elements]
        new_ends += [ends[k] for k in elements]
        joined.append((run_start, run_start + len(elements)))
        position = run.end()
    out.append(text[position:])
    new_starts += starts[position:]
    new_ends += ends[position:]
    result = "".join(out)
    return Normalised(original, result, tuple(new_starts), tuple(new_ends), tuple(joined), case_key(result))


def case_key(text: str) -> str:
    """``Normalised.case_key`` of ``text``."""
    # four substring tests (each a C-level find) cost less than one regex scan of a non-ASCII text
    if not text.isascii() and (_CASE_1 in text or _CASE_2 in text or _CASE_3 in text or _CASE_4 in text):
        text = text.translate(_IGNORECASE_ASCII_TABLE)
    return text.lower()
