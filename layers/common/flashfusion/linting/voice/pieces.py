"""What every voice check needs of a text, read from facts cached per whitespace piece.

A post's words repeat across posts far more than its texts do, and no voice check looks across whitespace
except to join what it finds in each piece:

- ``WORD`` tokens, sentence marks (a sentence ends at a run of marks followed by whitespace), URLs, hashtags
  and mentions, emoji sequences and exclamation runs hold no whitespace, so the text's are the concatenation
  of each piece's (``text.split()`` splits where ``re``'s ``\\s`` matches);
- VADER tokenises by ``str.split`` (after turning each emoji into its description, piece by piece);
- a pronoun or a casual or formal word is judged on its token alone (and the character before it, which is
  whitespace at a piece's start);
- a repeated word (the repetition rule) is the trailing letters of one piece and the leading letters of the
  next.

So ``piece_facts`` works out, once per distinct piece, what each check counts in it, and ``text_facts`` adds
them up with a few C-level ``map``/``sum``/``bytes.join`` calls (every count of a piece is packed into one int,
so one ``sum`` adds them all); per-token Python work happens only for the pieces
that hold something (a pronoun, a valenced word, an emoji...). Two things are not piece-local and are taken
from the whole text: a blank line (two line breaks in one gap) ends a sentence, and an imperative opening
needs the mark or line break before it (both left to the exact whole-text searches, only when they can
matter).
"""

from __future__ import annotations

import re
from functools import cache
from itertools import accumulate, chain, compress, count, islice
from operator import add, itemgetter, not_
from string import punctuation as PUNCTUATION
from typing import Final, NamedTuple, cast

from flashfusion.linting.voice.common import (
    EXCLAMATIONS,
    NON_PROSE,
    SENTENCE_END,
    WORD,
    forget_oldest_half,
    strip_non_prose,
)
from flashfusion.linting.voice.emojis import emoji_spans
from flashfusion.linting.voice.lexicon import formal_words, imperative_verbs, person_of, pronoun_heads, slang_words
from flashfusion.linting.voice.reading_grade import _cached_syllables, _cmu_syllables, _syllable_cache
from flashfusion.linting.voice.sentiment import MAY_HAVE_VALENCE_AT, Token, _sentiment
from flashfusion.linting.voice.word_scan import (
    _CASUAL,
    _FORMAL_WEIGHT,
    _IMPERATIVE,
    _LONG,
    _PRONOUN,
    LONG_WORD_LETTERS,
    WordScan,
    _pronouns_in,
    _word_kind,
    _word_kinds,
    sentence_openings,
)

WORD_OR_SENTENCE_END = re.compile(f"({WORD.pattern})|(?:{SENTENCE_END.pattern})")
"""A ``WORD`` (group 1) or a ``SENTENCE_END`` (found as ""): in a piece, its words and whether it ends a sentence."""
BLANK_LINE = re.compile(r"\n\s*\n")
"""The one ``SENTENCE_END`` that lies between pieces."""
LEADING_LETTERS = re.compile(r"[^\W\d_]+")
TRAILING_LETTERS = re.compile(r"[^\W\d_]+\Z")

# The counts of a piece, packed into one int (one field of FIELD_BITS bits each), so that the sum of the pieces'
# ints holds the sums of each count. A piece's count is at most a few times its length (syllables: a letter's name
# has up to three, "w"), so no field can carry into the next while the text is shorter than MAX_TEXT.
FIELD_BITS: Final = 40
WORDS: Final = 0 * FIELD_BITS
SYLLABLES: Final = 1 * FIELD_BITS
EMOJI: Final = 2 * FIELD_BITS
FIRST: Final = 3 * FIELD_BITS
SECOND: Final = 4 * FIELD_BITS
THIRD: Final = 5 * FIELD_BITS
FORMAL_HALVES: Final = 6 * FIELD_BITS
CASUAL: Final = 7 * FIELD_BITS
IMPERATIVE: Final = 8 * FIELD_BITS
VALENCE: Final = 9 * FIELD_BITS
VADER_EMOJI: Final = 10 * FIELD_BITS
REPEAT_UNSURE: Final = 11 * FIELD_BITS
BANGS: Final = 12 * FIELD_BITS
"""Each count's shift: prose words, syllables of the prose words, emoji (``emoji_spans``), pronouns of each person,
formal weight in halves, casual words, words that may open an imperative sentence, VADER tokens that may carry a
valence, emoji VADER turns into words, whether the piece's leading or trailing letters are not ASCII (whether
they repeat is then left to the regex), and runs of exclamation marks."""
FIELD: Final = (1 << FIELD_BITS) - 1
MAX_TEXT: Final = 1 << (FIELD_BITS - 4)
_PERSON_SHIFT = {"first": FIRST, "second": SECOND, "third": THIRD}


PieceFacts = tuple[
    int, bytes, tuple[str, ...], tuple[tuple[str, int, int], ...], tuple[Token, ...], str | None, str | bool
]
"""What the voice checks count in one whitespace piece of a text: the fields of ``PieceFields``, as a plain tuple
(fields read by index: ``COUNTS_AT`` and the others), which the garbage collector stops tracking (see
``sentiment._Token``): the piece cache holds up to ``PIECE_CACHE_LIMIT`` of them. A collection untracks a tuple
only when the tuples in it already are, and looks at a tuple held by nothing else after its holder: a new piece's
facts (facts, VADER's tuple, its token) are untracked by the third collection that looks at them, most of them
past the young generations (they count towards the next full collection, then are never walked again)."""
COUNTS_AT: Final = 0
PROSE_AT: Final = 1
CASUAL_AT: Final = 2
PRONOUNS_AT: Final = 3
VADER_AT: Final = 4
HEAD_AT: Final = 5
TAIL_AT: Final = 6


class PieceFields(NamedTuple):
    """The fields of a ``PieceFacts``, named (a ``PieceFields`` equals the plain tuple of its fields)."""

    counts: int
    """The packed counts (see ``WORDS`` and the other shifts)."""
    prose: bytes
    """Its prose (URLs, hashtags and mentions blanked) as the reading grade reads it: a 1 per ``WORD``, a 0 per
    sentence end."""
    casual: tuple[str, ...]
    """Its casual words (``word_scan``), in order."""
    pronouns: tuple[tuple[str, int, int], ...]
    """(person, start, end) of each pronoun, offsets in the piece."""
    vader: tuple[Token, ...]
    """VADER's tokens of the piece."""
    head: str | None
    """Its leading letters, lowercase, else None (non-ASCII ones count in ``REPEAT_UNSURE``)."""
    tail: str | bool
    """Its trailing letters, lowercase, else False (never equal to a head)."""


# PieceFacts' fields, read in C
_COUNTS = itemgetter(0)
_PROSE = itemgetter(1)
_CASUAL_WORDS = itemgetter(2)
_VADER = itemgetter(4)

_facts: dict[str, PieceFacts] = {}


def piece_facts(piece: str) -> PieceFacts:
    """The facts of one whitespace piece (no whitespace in it), computed with the checks' own functions."""
    facts = _facts.get(piece)
    return facts if facts is not None else _new_piece(piece)


LETTERLESS = re.compile(r"[^A-Za-z#@]+")
"""An ASCII piece without letters, "#" or "@" (numbers, prices, dates, times...): all prose, with no pronoun, emoji,
casual, formal or imperative word (see ``_letterless_words_plain``), each word one syllable."""
ASCII_LETTER = re.compile("[A-Za-z]")


@cache
def _letterless_words_plain() -> bool:
    """Whether no word list holds an ASCII word without letters (then such a word is only ever long or plain)."""
    lists = (slang_words(), formal_words(), pronoun_heads())
    return not any(word.isascii() and ASCII_LETTER.search(word) is None for words in lists for word in words)


def _letterless_piece(piece: str) -> PieceFacts:
    """``_new_piece`` of a ``LETTERLESS`` piece: its words' kinds are long (formal, half weight) or none
    (``word_scan._word_kind``), their syllables 1 each (``reading_grade.syllables``)."""
    found = WORD_OR_SENTENCE_END.findall(piece)
    words = len(found) - found.count("")
    counts = words << WORDS | words << SYLLABLES
    if len(piece) >= LONG_WORD_LETTERS:  # a shorter piece holds no long word
        counts += sum(len(item) >= LONG_WORD_LETTERS for item in found) << FORMAL_HALVES
    if "!" in piece:
        counts += len(EXCLAMATIONS.findall(piece)) << BANGS
    # the piece is one VADER token (no whitespace): ``_FastVader._token``, whose word has no letter (its own
    # lowercase, not upper, no "n't") and is in no list but for emoticons (":)", "<3"), read by ``_token`` itself
    stripped = piece.strip(PUNCTUATION)
    word = piece if len(stripped) <= 2 else stripped
    vader = _sentiment()
    if word in vader.listed:
        token = vader.token_facts.get(piece) or vader._token(piece)
        if token[MAY_HAVE_VALENCE_AT]:
            counts += 1 << VALENCE
    else:
        token = (word, word, False, False, False, False, False)
    return _remember(piece, (counts, bytes(map(bool, found)), (), (), (token,), None, False))


PIECE_CACHE_LIMIT = 100_000
"""Pieces whose facts are kept; a full cache forgets its oldest half. A plain piece's facts take ~470 bytes with
its key (measured with tracemalloc over unseen posts): ~50 MB at most, of a text-lint Lambda's 1 GB or more."""


def _remember(piece: str, facts: PieceFacts) -> PieceFacts:
    if len(_facts) >= PIECE_CACHE_LIMIT:
        forget_oldest_half(_facts)
    _facts[piece] = facts
    return facts


PLAIN_MARKS: Final = ".!?,;:)\"'"
"""The marks a plain piece may end with (``_new_piece``): none of them is a word character, "#" or "@", and only
".", "!" and "?" are sentence marks."""
OPENING_MARKS: Final = '("'
"""What may open a piece that is read as the piece after it (``_opened_piece``)."""
_ONE_WORD: Final = b"\x01"
_ONE_WORD_AND_END: Final = b"\x01\x00"
_END: Final = b"\x00"
_NO_PROSE: Final = b""


_lexicon: tuple[dict[str, int], frozenset[str]] | None = None


def _plain_lexicon() -> tuple[dict[str, int], frozenset[str]]:
    """What a plain piece's word is read from: the CMU syllable table (empty without it: every word then
    falls back to ``reading_grade.syllables``), and every lowercase entry of a list a check looks a word up in
    (slang, formal, pronoun heads, imperative verbs, VADER's lexicon, boosters, negation and idiom words).
    A word in none of them is plain: no kind but long, no valence or VADER context."""
    vader = _sentiment()
    lists = (slang_words(), formal_words(), pronoun_heads(), imperative_verbs(), vader.lexicon, vader.boosters)
    listed = frozenset().union(*lists, vader.negation_words, vader.idiom_words)
    global _lexicon
    _lexicon = (_cmu_syllables() or {}, listed)
    return _lexicon


def _new_piece(piece: str) -> PieceFacts:
    """The facts of a piece not seen before (or forgotten), remembered. A plain piece, the commonest by far, is
    read here from its word's lowercase (see below); any other by ``_other_piece``.

    A plain piece is ASCII: a ``word`` of letters only or of digits only, then nothing or a run of
    ``PLAIN_MARKS`` (the word longer than two characters when marks follow it). Then the piece is one ``WORD``
    (``word``), a sentence end when it ends with ".", "!" or "?" (only a run of marks at the piece's end is
    one), VADER's token is ``word`` (its stripped punctuation leaves more than two characters), and every check
    reads ``word`` by its lowercase alone: its syllables (the CMU table, else ``reading_grade.syllables``; a
    word without letters has one), its kind (``word_scan._word_kind`` reads the whole ASCII token), its pronoun
    (``_pronouns_in``: the token's head is the whole word) and its VADER facts but ``upper``. A word in none
    of the lists (``_plain_lexicon``) has no kind but long and no VADER facts. Its leading letters are the
    word when it has letters, its trailing letters too when no mark follows."""
    if not piece.isascii():
        return _other_piece(piece, False)
    word = piece.rstrip(PLAIN_MARKS) if piece[-1] in PLAIN_MARKS else piece
    if word.isalpha():
        if word is not piece and len(word) < 3:
            return _other_piece(piece, True)
        lower = word.lower()
        syllable_table, listed = _lexicon or _plain_lexicon()
        syllables = syllable_table.get(lower)
        if syllables is None:
            syllables = _cached_syllables(word)
        head: str | None = lower
        tail: str | bool = lower if word is piece else False
    elif word.isdigit() and (word is piece or len(word) > 2):
        lower = word
        syllable_table, listed = _lexicon or _plain_lexicon()
        syllables = 1
        head = None
        tail = False
    elif piece[0] in "#@" and len(word) > 3 and word[1:].isalpha():
        return _tag_piece(piece, word)
    elif "'" in word and (word is piece or len(word) > 2) and _APOSTROPHE_WORD.fullmatch(word) is not None:
        return _apostrophe_piece(piece, word)
    elif piece[0] in OPENING_MARKS and len(piece.strip(PUNCTUATION)) > 2:
        return _opened_piece(piece)
    else:
        return _other_piece(piece, True)
    counts, prose = _one_word(piece, word, syllables)
    if lower not in listed:
        return _remember(piece, _unlisted_word(word, lower, counts, prose, head, tail))
    return _remember(piece, _listed_word(word, 0, lower, counts, prose, head, tail))


def _one_word(piece: str, word: str, syllables: int) -> tuple[int, bytes]:
    """The counts and prose of a piece that is one ``WORD``, ``word``, then nothing or a run of marks: the word,
    its syllables, its exclamation runs, and a sentence end when the piece ends with ".", "!" or "?"."""
    counts = 1 << WORDS | syllables << SYLLABLES
    if word is piece:
        return counts, _ONE_WORD
    if "!" in piece:
        counts += len(EXCLAMATIONS.findall(piece)) << BANGS
    return counts, _ONE_WORD_AND_END if piece[-1] in ".!?" else _ONE_WORD


def _unlisted_word(word: str, lower: str, counts: int, prose: bytes, head: str | None, tail: str | bool) -> PieceFacts:
    """The facts of a piece whose one word (``_new_piece``'s or a tag's) is in no list (``_plain_lexicon``): no kind
    but long, no VADER facts but ``upper``; ``counts`` so far given."""
    if len(lower) >= LONG_WORD_LETTERS:
        counts += 1 << FORMAL_HALVES
    return (counts, prose, (), (), ((word, lower, False, word.isupper(), False, False, False),), head, tail)


def _tag_piece(piece: str, word: str) -> PieceFacts:
    """``_new_piece`` of a hashtag or mention: "#" or "@", ASCII letters (more than two), then nothing or a run of
    ``PLAIN_MARKS`` (``word``: the piece without them). Its prose is the marks alone (``NON_PROSE`` takes the
    tag: the piece starts after whitespace), so no word and a sentence end when it ends with ".", "!" or "?";
    its one ``WORD`` token (the letters, after a "#" or "@", which lets a pronoun start there) and VADER's token
    (the letters: "#", "@" and the marks are punctuation, stripped) are read by their lowercase as a plain
    piece's word; its trailing letters are the tag's when no mark follows."""
    letters = word[1:]
    lower = letters.lower()
    counts = 0
    prose = _END if word is not piece and piece[-1] in ".!?" else _NO_PROSE
    if "!" in piece:
        counts += len(EXCLAMATIONS.findall(piece)) << BANGS
    tail = lower if word is piece else False
    if lower not in (_lexicon or _plain_lexicon())[1]:
        return _remember(piece, _unlisted_word(letters, lower, counts, prose, None, tail))
    return _remember(piece, _listed_word(letters, 1, lower, counts, prose, None, tail))


def _opened_piece(piece: str) -> PieceFacts:
    """``_new_piece`` of an ASCII piece opened by "(" or a double quote whose punctuation stripped leaves more than
    two characters: the facts of the piece after that mark, its pronouns one character later and no leading
    letters. The mark is no word character, sentence mark, "#" or "@", and allows a pronoun after it, so the
    words, prose, tags and URLs, kinds and pronouns are those after it; VADER strips the same punctuation of
    both (more than two characters are left: both tokens are that); the trailing letters are the same."""
    inner = _facts.get(piece[1:]) or _new_piece(piece[1:])
    pronouns = tuple((person, start + 1, end + 1) for person, start, end in inner[PRONOUNS_AT])
    return _remember(
        piece, (inner[COUNTS_AT], inner[PROSE_AT], inner[CASUAL_AT], pronouns, inner[VADER_AT], None, inner[TAIL_AT])
    )


_APOSTROPHE_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)+")


def _word_counts(word: str, lower: str, counts: int) -> tuple[int, int, tuple[str, ...]]:
    """The kind of a piece's one word (``word_scan``), ``counts`` with the word's formal weight, imperative and
    casual counts added, and its casual words."""
    kind = _word_kinds.get(lower)
    if kind is None:
        kind = _word_kind(lower)
    counts += int(_FORMAL_WEIGHT[kind] * 2) << FORMAL_HALVES
    if kind & _IMPERATIVE:
        counts += 1 << IMPERATIVE
    if kind & _CASUAL:
        return kind, counts + (1 << CASUAL), (word,)
    return kind, counts, ()


def _apostrophe_piece(piece: str, word: str) -> PieceFacts:
    """``_new_piece`` of a piece that is an ASCII word with apostrophes between its letters ("brand's", "don't",
    "y'all"), then nothing or a run of ``PLAIN_MARKS`` (the word longer than two characters when marks follow).
    As a plain piece's, the piece is one ``WORD`` (``word``) and VADER's token is ``word``; its syllables, kind
    and VADER facts but ``upper`` are its lowercase's (the kind by ``word_scan._word_kind`` itself, for the
    contraction endings), its pronoun is ``_pronouns_in``'s; its leading letters are those before its first
    apostrophe, its trailing letters those after its last when no mark follows."""
    lower = word.lower()
    syllables = (_lexicon or _plain_lexicon())[0].get(lower)
    if syllables is None:
        syllables = _cached_syllables(word)
    counts, prose = _one_word(piece, word, syllables)
    kind, counts, casual = _word_counts(word, lower, counts)
    pronouns = _pronoun_hits(piece, word, 0, len(word)) if kind & _PRONOUN else ()
    for person, _, _ in pronouns:
        counts += 1 << _PERSON_SHIFT[person]
    vader = _sentiment()
    known = vader.token_facts.get(lower) or vader._token(lower)
    if known[MAY_HAVE_VALENCE_AT]:
        counts += 1 << VALENCE
    token: Token = (word, lower, known[2], word.isupper(), known[4], known[5], known[6])
    head = lower.split("'", 1)[0]
    tail = lower.rsplit("'", 1)[1] if word is piece else False
    return _remember(piece, (counts, prose, casual, pronouns, (token,), head, tail))


def _listed_word(
    word: str, start: int, lower: str, counts: int, prose: bytes, head: str | None, tail: str | bool
) -> PieceFacts:
    """The facts of a plain piece (or a tag) whose word, at ``start`` in the piece, is in a list (``_new_piece``),
    its counts so far given."""
    kind, counts, casual = _word_counts(word, lower, counts)
    pronouns: tuple[tuple[str, int, int], ...] = ()
    if kind & _PRONOUN:
        person = person_of().get(lower)
        if person is not None:
            pronouns = ((person, start, start + len(word)),)
            counts += 1 << _PERSON_SHIFT[person]
    vader = _sentiment()
    known = vader.token_facts.get(lower) or vader._token(lower)
    if known[MAY_HAVE_VALENCE_AT]:
        counts += 1 << VALENCE
    token: Token = (word, lower, known[2], word.isupper(), known[4], known[5], known[6])
    return (counts, prose, casual, pronouns, (token,), head, tail)


def _other_piece(piece: str, ascii_only: bool) -> PieceFacts:
    """``_new_piece`` of a piece that is not plain."""
    if ascii_only and LETTERLESS.fullmatch(piece) is not None and _letterless_words_plain():
        return _letterless_piece(piece)
    # the prose: what strip_non_prose leaves of the piece (its blanks split it further)
    if ascii_only and piece[-1] in ".!?,;:" and piece[:-1].isalpha():  # a short word and a mark ("it.")
        words = [piece[:-1]]
        found = [piece[:-1], ""] if piece[-1] in ".!?" else words  # "." "!" "?" end a sentence (the piece's last)
    elif "#" in piece or "@" in piece or "http" in piece or "www." in piece:
        prose = NON_PROSE.sub(" ", piece)
        found = [item for part in prose.split() for item in WORD_OR_SENTENCE_END.findall(part)]
        words = WORD.findall(piece)
    else:
        found = WORD_OR_SENTENCE_END.findall(piece)
        words = list(filter(None, found))  # the piece is its prose: its words are the prose's
    syllable_cache = _syllable_cache
    syllable_table, listed = _lexicon or _plain_lexicon()
    syllables = 0
    for word in filter(None, found):
        count = syllable_cache.get(word)
        if count is None and word.isascii() and word.isalpha():  # as in a plain piece
            count = syllable_table.get(word.lower())
        syllables += count if count is not None else _cached_syllables(word)
    counts = (len(found) - found.count("")) << WORDS | syllables << SYLLABLES
    # the word scan: kinds per token (word_scan's cache), pronouns with their offsets in the piece
    casual: list[str] = []
    formal = 0.0
    pronouns: tuple[tuple[str, int, int], ...] = ()
    seen = 0
    kinds: list[int] = []
    for word in words:
        kind = _word_kinds.get(word)
        if kind is None:
            if word.isascii() and (word.isalpha() or word.isdigit()) and word.lower() not in listed:
                kind = _LONG if len(word) >= LONG_WORD_LETTERS else 0  # as in a plain piece
            else:
                kind = _word_kind(word)
        kinds.append(kind)
        seen |= kind
        if kind & _CASUAL:
            casual.append(word)
        formal += _FORMAL_WEIGHT[kind]
        if kind & _IMPERATIVE:
            counts += 1 << IMPERATIVE
    if seen & _PRONOUN:
        for match, kind in zip(WORD.finditer(piece), kinds, strict=True):
            if kind & _PRONOUN:
                pronouns += _pronoun_hits(piece, match.group(), match.start(), match.end())
        for person, _, _ in pronouns:
            counts += 1 << _PERSON_SHIFT[person]
    counts += len(casual) << CASUAL
    counts += int(formal * 2) << FORMAL_HALVES
    if "!" in piece or not ascii_only:  # every exclamation character but "!" is non-ASCII
        counts += len(EXCLAMATIONS.findall(piece)) << BANGS
    vader = _sentiment()
    if ascii_only:  # no emoji, for VADER or the emoji check; the piece is one VADER token
        tokens: tuple[Token, ...] = (vader.token_facts.get(piece) or vader._token(piece),)
    else:
        no_emoji = vader._no_emoji(piece)
        tokens = tuple(vader._tokens(no_emoji))
        if no_emoji is not piece:
            counts += 1 << VADER_EMOJI
        counts += len(emoji_spans(piece)) << EMOJI
    for token in tokens:
        if token[MAY_HAVE_VALENCE_AT]:
            counts += 1 << VALENCE
    head: str | None
    tail: str | None
    if ascii_only:  # there the letters of the regex classes are str.isalpha's
        head = tail = piece if piece.isalpha() else None
        if head is None:
            head_match = LEADING_LETTERS.match(piece) if piece[0].isalpha() else None
            head = head_match.group() if head_match is not None else None
            tail_match = TRAILING_LETTERS.search(piece) if piece[-1].isalpha() else None
            tail = tail_match.group() if tail_match is not None else None
    else:
        head_match = LEADING_LETTERS.match(piece)
        head = head_match.group() if head_match is not None else None
        tail_match = TRAILING_LETTERS.search(piece)
        tail = tail_match.group() if tail_match is not None else None
        if (head is not None and not head.isascii()) or (tail is not None and not tail.isascii()):
            counts += 1 << REPEAT_UNSURE
    facts: PieceFacts = (
        counts,
        bytes(map(bool, found)),
        tuple(casual),
        pronouns,
        tokens,
        head.lower() if head is not None else None,
        tail.lower() if tail is not None else False,
    )
    return _remember(piece, facts)


class _Hits(WordScan):
    """A ``WordScan`` that keeps every pronoun it is told of, in order."""

    __slots__ = ("hits",)

    def __init__(self) -> None:
        super().__init__()
        self.hits: list[tuple[str, int, int]] = []

    def pronoun(self, person: str, start: int, end: int) -> None:
        self.hits.append((person, start, end))


def _pronoun_hits(piece: str, word: str, start: int, end: int) -> tuple[tuple[str, int, int], ...]:
    hits = _Hits()
    _pronouns_in(piece, word, start, end, hits)
    return tuple(hits.hits)


class TextFacts:
    """What the voice checks share of one text: its prose's counts, and its pieces' summed counts (``total``)
    with the pieces and their facts, from which the rest is read only when a check asks for it. A plain class
    (compiled, a native one: built and read without Python-level calls)."""

    __slots__ = ("facts", "long_sentences", "pieces", "sentences", "syllables", "text", "total", "words")

    def __init__(
        self,
        words: int,
        sentences: int,
        long_sentences: int,
        syllables: int,
        total: int,
        text: str,
        pieces: list[str],
        facts: list[PieceFacts],
    ) -> None:
        self.words = words
        """Words of the prose (the reading grade's word count)."""
        self.sentences = sentences
        self.long_sentences = long_sentences
        self.syllables = syllables
        self.total = total
        """The pieces' packed counts, summed (``WORDS`` and the other shifts)."""
        self.text = text
        self.pieces = pieces
        self.facts = facts

    @property
    def emoji(self) -> int:
        """Emoji in the text (``len(emoji_spans(text))``)."""
        return (self.total >> EMOJI) & FIELD

    @property
    def bangs(self) -> int:
        """Runs of exclamation marks (``len(EXCLAMATIONS.findall(text))``): none crosses whitespace."""
        return (self.total >> BANGS) & FIELD

    @property
    def formal(self) -> float:
        """The word scan's formal weight (1s and halves: exact in any order)."""
        return ((self.total >> FORMAL_HALVES) & FIELD) / 2

    def casual(self) -> float:
        """The word scan's casual weight: casual words, then half for each imperative opening and each run of
        exclamation marks (halves: exact in any order)."""
        return self.casual_weight(self.imperative_openings())

    def casual_weight(self, openings: list[str]) -> float:
        """``casual``, the text's imperative openings (``imperative_openings``) given."""
        total = self.total
        return float((total >> CASUAL) & FIELD) + 0.5 * len(openings) + 0.5 * ((total >> BANGS) & FIELD)

    def imperative_openings(self) -> list[str]:
        """The words opening a sentence that are imperative verbs (the word scan's), in order."""
        if not (self.total >> IMPERATIVE) & FIELD:  # no word that may open an imperative sentence
            return []
        imperatives = imperative_verbs()
        openings = sentence_openings(self.text)
        return [opening for opening in openings if opening.lower().replace("\u2019", "'") in imperatives]

    def casual_found(self, openings: list[str]) -> list[str]:
        """The word scan's ``found`` (what ``scan`` builds a whole ``WordScan`` for), the text's imperative
        openings (``imperative_openings``) given: its casual words, those openings, and up to three "!" for its
        runs of exclamation marks."""
        total = self.total
        found: list[str] = []
        if (total >> CASUAL) & FIELD:
            found += chain.from_iterable(map(_CASUAL_WORDS, self.facts))
        found += openings
        bangs = (total >> BANGS) & FIELD
        if bangs:
            found.append("!" * min(bangs, 3))
        return found

    @property
    def persons(self) -> tuple[int, int, int]:
        """Pronouns of the first, second and third person."""
        total = self.total
        return (total >> FIRST) & FIELD, (total >> SECOND) & FIELD, (total >> THIRD) & FIELD

    def first_at(self) -> dict[str, tuple[int, int]]:
        """The word scan's ``first_at``: (start, end) of each person's first pronoun, in the order they occur."""
        first, second, third = self.persons
        persons = (first > 0) + (second > 0) + (third > 0)
        return _first_pronouns(self.text, self.pieces, self.facts, persons) if persons else {}

    @property
    def vader_tokens(self) -> list[Token] | None:
        """VADER's tokens of the text when one may carry a valence, else None (the compound is 0)."""
        if (self.total >> VALENCE) & FIELD:
            return list(chain.from_iterable(map(_VADER, self.facts)))
        return None

    @property
    def vader_emoji(self) -> bool:
        """Whether VADER turned an emoji of the text into words."""
        return bool((self.total >> VADER_EMOJI) & FIELD)

    def may_repeat(self) -> bool:
        """Whether ``vale_rules.REPEATED_WORD`` can match (a necessary condition)."""
        return _may_repeat(self.facts, self.total)

    @property
    def scan(self) -> WordScan:
        """``word_scan.scan_tokens`` of the text (what the formality and person checks read, as one object)."""
        return _scan(self.text, self.pieces, self.facts, self.total)


def text_facts(text: str) -> TextFacts:
    """The facts of ``text``: its prose's words, sentences and syllables and its pieces' summed counts, from which
    its word scan, emoji count and VADER's tokens are read (``tests/unit/lint/voice_reference.py`` computes the
    same of the whole text)."""
    if len(text) >= MAX_TEXT:
        raise ValueError("text too long for the voice checks' packed counts")
    pieces = text.split()
    facts = list(map(_facts.get, pieces))
    if not all(facts):  # a None (PieceFacts are non-empty tuples, always true): a new piece
        # only the new pieces' places are visited (found in C): a text of seen words but one pays for that one
        for index in compress(count(), map(not_, facts)):
            facts[index] = _facts.get(pieces[index]) or _new_piece(pieces[index])  # a piece twice: read once
    total: int = sum(map(_COUNTS, facts))  # type: ignore[arg-type]
    # the prose's words and sentence ends, as the reading grade counts them
    if text.count("\n") > 1 and BLANK_LINE.search(strip_non_prose(text)) is not None:
        marks = _with_blank_lines(text)
    else:
        marks = b"".join(map(_PROSE, facts))  # type: ignore[arg-type]
    runs = marks.split(b"\x00")
    sentences = len(runs) - runs.count(b"")
    return TextFacts(
        total & FIELD,
        sentences,
        sentences - runs.count(b"\x01") - runs.count(b"\x01\x01"),
        (total >> SYLLABLES) & FIELD,
        total,
        text,
        pieces,
        facts,  # type: ignore[arg-type]
    )


def _may_repeat(facts: list[PieceFacts], total: int) -> bool:
    """Whether some piece's trailing letters are the next one's leading letters (ignoring case), or may be."""
    if (total >> REPEAT_UNSURE) & FIELD:
        return True
    tail: object = False  # the previous piece's (a head is a str or None: never False)
    # read as tuples of objects: compiled, an item of a ``list[PieceFacts]`` would be unboxed field by field
    for piece in cast("list[tuple[object, ...]]", facts):
        if piece[HEAD_AT] == tail:
            return True
        tail = piece[TAIL_AT]
    return False


def _with_blank_lines(text: str) -> bytes:
    """The prose's marks of a text whose prose has a blank line (a sentence end between pieces), found in the
    whole prose."""
    return bytes(map(bool, WORD_OR_SENTENCE_END.findall(strip_non_prose(text))))


def _scan(text: str, pieces: list[str], facts: list[PieceFacts], total: int) -> WordScan:
    """``word_scan.scan_tokens`` of the text, from its pieces' facts and their summed counts."""
    scan = WordScan()
    found = scan.found
    if (total >> CASUAL) & FIELD:
        found += chain.from_iterable(map(_CASUAL_WORDS, facts))
    casual = float(len(found))
    scan.formal = ((total >> FORMAL_HALVES) & FIELD) / 2  # 1s and halves: exact in any order
    first, second, third = (total >> FIRST) & FIELD, (total >> SECOND) & FIELD, (total >> THIRD) & FIELD
    if first or second or third:
        scan.counts = {"first": first, "second": second, "third": third}
        persons = (first > 0) + (second > 0) + (third > 0)
        scan.locate = lambda: _first_pronouns(text, pieces, facts, persons)
    if (total >> IMPERATIVE) & FIELD:
        imperatives = imperative_verbs()
        for opening in sentence_openings(text):
            if opening.lower().replace("\u2019", "'") in imperatives:
                casual += 0.5
                found.append(opening)
    bangs = (total >> BANGS) & FIELD  # runs of exclamation marks: none crosses whitespace
    if bangs:
        casual += 0.5 * bangs
        found.append("!" * min(bangs, 3))
    scan.casual = casual
    return scan


def _first_pronouns(text: str, pieces: list[str], facts: list[PieceFacts], persons: int) -> dict[str, tuple[int, int]]:
    """(start, end) in ``text`` of each person's first pronoun, in the order they occur; ``persons``: how many
    persons have a pronoun in the text (the pieces after the last one's first pronoun are not looked at)."""
    first_in: dict[str, tuple[int, int, int]] = {}  # person -> (piece index, start, end in the piece)
    index = 0
    for index in compress(count(), map(_PRONOUNS, facts)):  # the pieces with a pronoun, found in C
        for person, start, end in facts[index][PRONOUNS_AT]:
            if person not in first_in:
                first_in[person] = (index, start, end)
        if len(first_in) == persons:
            break
    # the pieces are visited in order, and a piece's pronouns are in order (``_pronouns_in`` finds them left to
    # right): ``first_in`` holds them in the order they occur
    if len(text) == sum(map(len, pieces)) + len(pieces) - 1:
        # the n - 1 gaps between the pieces hold a whitespace character or more each, and the text holds n - 1 that
        # are not the pieces': one in each gap, none before the first piece. A piece starts after the pieces before
        # it and one character for each.
        offsets = list(map(add, accumulate(map(len, islice(pieces, index)), initial=0), count()))
    else:
        # each piece's offset: its first occurrence after the previous one's end
        offsets = []
        position = 0
        for piece in islice(pieces, index + 1):
            position = text.find(piece, position)
            offsets.append(position)
            position += len(piece)
    return {person: (offsets[at] + start, offsets[at] + end) for person, (at, start, end) in first_in.items()}


_PRONOUNS = itemgetter(3)
"""``PieceFields.pronouns``, read in C."""
