"""The one normalisation every term matcher shares (issue 12, item 1): what it sees through, what it leaves
alone, and that every span still points into the original text."""

from __future__ import annotations

import pytest

from flashfusion.linting import legal, terms
from flashfusion.linting.normalise import normalise
from flashfusion.linting.term_match import find_term
from flashfusion.linting.voice.exclamations import marks_in
from flashfusion.models import BrandKit, TextSpan


def banned(text: str, *words: str) -> list[str]:
    found = legal.find_banned(text, list(words))
    for v in found:
        assert isinstance(v.location, TextSpan)
        assert text[v.location.start : v.location.end] == v.location.text
    return [v.location.text for v in found if isinstance(v.location, TextSpan)]


@pytest.mark.parametrize(
    ("text", "normalised"),
    [
        ("plain ascii", "plain ascii"),
        ("w\u200bi\u00adn\u2060", "win"),
        ("\uff57\uff49\uff4e", "win"),
        ("\U0001d430\U0001d422\U0001d427", "win"),
        ("w\u0456n", "win"),  # Cyrillic i in a Latin word
        ("\u1d21\u026a\u0274", "win"),  # Latin small capitals
        ("w i n big", "win big"),
        ("w.i.n", "win"),
        ("risk\u2011free", "risk-free"),
        ("m\u0336i\u0336", "mi"),  # strike-through overlay
        ("caf\u00e9 cafe\u0301", "caf\u00e9 caf\u00e9"),  # accents stay (composed)
        ("\u041c\u0438\u0440 \u0438 \u0441\u043e\u0440", "\u041c\u0438\u0440 \u0438 \u0441\u043e\u0440"),  # Russian
    ],
)
def test_what_the_normalisation_reads(text: str, normalised: str) -> None:
    assert normalise(text).text == normalised


def test_plain_ascii_is_its_own_normalisation() -> None:
    text = "Nothing to change here, not even the spaces."
    assert normalise(text).text is text


def test_a_word_of_look_alikes_folds_only_in_a_latin_text() -> None:
    scam = "\u0455\u0441\u0430m"  # Cyrillic s, c, a + Latin m: mixed, always folded
    assert banned(f"Beware: {scam} ahead", "scam") == [scam]
    cop = "\u0441\u043e\u0440"  # all Cyrillic, every letter a look-alike ("cop")
    assert banned(f"Call the {cop} now", "cop") == [cop]  # an English post: a disguise
    russian = (
        f"\u042d\u0442\u043e {cop} \u0438 \u043c\u0443\u0441\u043e\u0440 \u043d\u0430 \u0443\u043b\u0438\u0446\u0435"
    )
    assert banned(russian, "cop") == []  # a Russian post: a Russian word


@pytest.mark.parametrize(
    ("term", "text", "expected"),
    [
        ("win", "Open the window, Darwin. A twin? Winter!", []),
        ("win", "#DarwinAwards and #windowseat", []),
        ("win", "#BigWinToday", ["Win"]),
        ("win", "w i n a car", ["w i n"]),
        ("win", "t w i n", []),
        ("double your money", "#DoubleYourMoney", ["DoubleYourMoney"]),
        ("double your money", "double-your-money, doubleyourmoney", ["double-your-money", "doubleyourmoney"]),
        ("double your money", "Double. Your money", []),
        ("double your money", "double your\n\nmoney", []),
        ("win big", "w i n big", ["w i n big"]),
        ("win big", "W\u200bI\u200bN B\u200bI\u200bG", ["W\u200bI\u200bN B\u200bI\u200bG"]),
        ("miracle", "\uff2d\uff49\uff52\uff41\uff43\uff4c\uff45!", ["\uff2d\uff49\uff52\uff41\uff43\uff4c\uff45"]),
        (
            "miracle",
            "a \U0001d426\U0001d422\U0001d42b\U0001d41a\U0001d41c\U0001d425\U0001d41e cream",
            ["\U0001d426\U0001d422\U0001d42b\U0001d41a\U0001d41c\U0001d425\U0001d41e"],
        ),
    ],
)
def test_banned_through_disguises_with_original_spans(term: str, text: str, expected: list[str]) -> None:
    assert banned(text, term) == expected


def test_offsets_after_multi_character_nfkc_and_removed_characters() -> None:
    text = "\u2122 \u00bd x\u200b\u200by mir\u00adacle \ufb01ne"
    [v] = legal.find_banned(text, ["miracle"])
    assert isinstance(v.location, TextSpan)
    assert v.location.text == "mir\u00adacle"
    assert [f.text for f in find_term(text, "fine")] == ["\ufb01ne"]


@pytest.mark.parametrize(
    "check",
    [
        lambda text: terms.required_terms(text, ["Aurora Outdoor"]) == [],
        lambda text: [f.text for f in find_term(text, "Aurora Outdoor")] != [],
    ],
)
def test_required_terms_see_through_the_same_disguises(check: object) -> None:
    for text in ["By Aur\u043era Outdoor", "#AuroraOutdoor", "Aurora\u00a0Outdoor", "A\u200burora Outdoor"]:
        assert check(text), text  # type: ignore[operator]


def test_claims_preferred_terms_and_capitalization_share_it() -> None:
    kit = BrandKit.model_validate(
        {
            "kitId": "k",
            "name": "K",
            "voice": {
                "preferredTerms": {"customers": "explorers"},
                "rules": [{"type": "capitalization", "id": "caps", "terms": ["Aurora Outdoor"]}],
            },
            "legal": {"claims": [{"phrase": "clinically proven"}]},
        }
    )
    from flashfusion.linting.engine import LintContext, lint_text

    text = "Our \u0441ustomers love it, clinically-pr\u043even. #auroraoutdoor #AuroraOutdoor"
    report = lint_text(text, LintContext(kit=kit))
    found = {v.rule_id: v for v in report.violations}
    assert found["legal.claim"].location.text == "clinically-pr\u043even"  # type: ignore[union-attr]
    assert found["voice.preferred-term"].location.text == "\u0441ustomers"  # type: ignore[union-attr]
    caps = [v for v in report.violations if v.rule_id == "voice.caps"]
    assert len(caps) == 1  # the hashtag written right is right
    assert caps[0].fix is not None
    assert caps[0].fix.text == "AuroraOutdoor"  # a hashtag stays one word


@pytest.mark.parametrize(
    ("text", "marks"),
    [("Wow!", 1), ("Wow\uff01", 1), ("Wow\u203c", 2), ("Wow\u2049", 1), ("Wow\ufe57!", 2), ("Wow.", 0)],
)
def test_exclamations_are_counted_after_nfkc(text: str, marks: int) -> None:
    assert marks_in(text) == marks


def test_spaced_digits_and_two_spaced_letters_are_not_joined() -> None:
    assert normalise("call 5 4 1 3 for plan A B").text == "call 5 4 1 3 for plan A B"
    assert normalise("e.g. U.S.A today").text == "eg. USA today"
