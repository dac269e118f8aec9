"""Legal checks: banned terms (inflections, obfuscations), disclaimers, trademarks, claims, moderation."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber

from flashfusion.errors import AwsThrottled
from flashfusion.linting import legal, terms
from flashfusion.linting.disclosures import DISCLOSURE_RULE
from flashfusion.models import BrandKit, TextSpan, Violation
from flashfusion.vision.rekognition import RekognitionModeration
from tests.helpers import linter_sources


def kit(**legal_rules: Any) -> BrandKit:
    return BrandKit.model_validate({"kitId": "k", "name": "Test Kit", "legal": legal_rules})


def apply_right_to_left(text: str, violations: list[Violation]) -> str:
    fixes = sorted((v.fix for v in violations if v.fix is not None), key=lambda f: f.span.start, reverse=True)
    for fix in fixes:
        assert text[fix.span.start : fix.span.end] == fix.span.text
        text = text[: fix.span.start] + fix.text + text[fix.span.end :]
    return text


def banned(text: str, *words: str) -> list[str]:
    found = legal.check_legal(text, kit(bannedTerms=list(words)), None).violations
    for v in found:
        assert v.rule_id == terms.BANNED_RULE
        assert v.severity == "error"
        assert isinstance(v.location, TextSpan)
        assert text[v.location.start : v.location.end] == v.location.text
    return [v.location.text for v in found if isinstance(v.location, TextSpan)]


# --- banned terms: the verdict table (used for the accuracy count) --------------------------------

BANNED_CASES: list[tuple[str, str, list[str]]] = [
    # plain, any case, word boundaries
    ("miracle", "A miracle cream.", ["miracle"]),
    ("miracle", "MIRACLE cream", ["MIRACLE"]),
    ("miracle", "(Miracle)!", ["Miracle"]),
    # inflections
    ("miracle", "Two miracles here", ["miracles"]),
    ("miracle", "it miracled", ["miracled"]),
    ("guarantee", "We guaranteed it", ["guaranteed"]),
    ("guarantee", "guarantees and guaranteeing", ["guarantees", "guaranteeing"]),
    ("cure", "it cures, it cured, curing", ["cures", "cured", "curing"]),
    ("ban", "banned, banning, bans", ["banned", "banning", "bans"]),
    ("happy", "happier, happiest, happily", ["happier", "happiest", "happily"]),
    ("fast", "faster and fastest, fastly", ["faster", "fastest", "fastly"]),
    ("box", "boxes", ["boxes"]),
    # l33t
    ("miracle", "a m1racle", ["m1racle"]),
    ("miracle", "a m1r4cl3", ["m1r4cl3"]),
    ("guaranteed", "gu@r@nt33d!", ["gu@r@nt33d"]),
    ("toxic", "non 70xic", ["70xic"]),
    ("sale", "$ale and 5ale", ["$ale", "5ale"]),
    ("cool", "c00l", ["c00l"]),
    ("lol", "1o1", ["1o1"]),
    # spaced / dotted / dashed / underscored / starred letters
    ("miracle", "m i r a c l e", ["m i r a c l e"]),
    ("miracle", "m.i.r.a.c.l.e", ["m.i.r.a.c.l.e"]),
    ("miracle", "m-i-r-a-c-l-e", ["m-i-r-a-c-l-e"]),
    ("miracle", "m_i_r_a_c_l_e", ["m_i_r_a_c_l_e"]),
    ("miracle", "m*i*r*a*c*l*e", ["m*i*r*a*c*l*e"]),
    ("miracle", "m i r a c l e s", ["m i r a c l e s"]),
    ("scam", "s c a m m e r, s.c.a.m.m.e.d", ["s c a m m e r", "s.c.a.m.m.e.d"]),
    ("miracle", "mir@cle", ["mir@cle"]),
    ("miracle", "m.1.r.4.c.l.3", ["m.1.r.4.c.l.3"]),
    # repeated letters
    ("miracle", "miiiracle", ["miiiracle"]),
    ("miracle", "MIIIRAAACLEEE", ["MIIIRAAACLEEE"]),
    ("miracle", "m1iiracle", ["m1iiracle"]),
    # phrases and punctuation
    ("best in the world", "the best  in\nthe world", ["best  in\nthe world"]),
    ("best in the world", "b3st in th3 w0rld", ["b3st in th3 w0rld"]),
    ("risk-free", "risk-free, risk free, riskfree, r1sk-fr33", ["risk-free", "risk free", "riskfree", "r1sk-fr33"]),
    ("C++", "C++ and c++.", ["C++", "c++"]),
    ("100%", "a 100% result", ["100%"]),
    # false-positive guards (decision: whole words only; no stem changes; suffixes not stretched)
    ("ass", "class assess passage bass Assam", []),
    ("ass", "an ass, a$$ and @ss", ["ass", "a$$", "@ss"]),
    ("ass", "a s s", ["a s s"]),
    ("miracle", "miraculously miraculous", []),
    ("miracle", "premiracle miraclework", []),
    ("guaranteed", "unguaranteed guaranteed2", []),
    ("cure", "secure manicure curd", []),
    ("hell", "hello shell Hellenic", []),
    ("sale", "wholesale salesforce", []),
    ("cool", "coolant", []),
    ("risk-free", "risk-freedom", []),
    ("100%", "1100%", []),
    ("C++", "ABC++", []),
    ("it", "i t", []),
    ("ass", "c l a s s, c.l.a.s.s", []),  # spaced letters are one run: not the end of "class"
    ("tit", "t i t l e", []),
    ("miracle", "you are m i r a c l e s", ["m i r a c l e s"]),
    ("miracle", "a m i r a c l e", ["m i r a c l e"]),  # after a one-letter word, inside the joined run
    ("shit", "s h 1 t and sh!t, shiitake", ["s h 1 t"]),  # "!" is not a substitution here
    ("sale", "call 5413 or 5-4-1-3", []),  # digits only: a number, not an obfuscation
    ("ill", "1 1 1 and 111", []),
    ("ill", "1ll and i11", ["1ll", "i11"]),  # too short to read spaced letters as an obfuscation
    ("miracle", "nothing to see here", []),
]


@pytest.mark.parametrize(("word", "text", "expected"), BANNED_CASES)
def test_banned_terms(word: str, text: str, expected: list[str]) -> None:
    assert banned(text, word) == expected


def test_banned_accuracy_on_the_table() -> None:
    right = sum(banned(text, word) == expected for word, text, expected in BANNED_CASES)
    assert right == len(BANNED_CASES)


@pytest.mark.parametrize(
    ("term", "text"),
    [
        ("guaranteed", "Results guaranteed."),
        ("guaranteed", "results:guaranteed"),
        ("best in the world", "We are the BEST IN THE WORLD"),
        ("risk-free", "A RISK-FREE trial."),
        ("No.1", "The No.1 brand"),
        ("brûlée", "Crème brûlée — guaranteed"),
    ],
)
def test_legal_banned_is_a_superset_of_the_literal_terms_check(term: str, text: str) -> None:
    literal = [v.location for v in terms.banned_terms(text, [term])]
    ours = [v.location for v in legal.find_banned(text, [term])]
    assert literal
    assert all(span in ours for span in literal)


def test_banned_message_names_the_banned_term_when_obfuscated() -> None:
    (v,) = legal.find_banned("so m1racle", ["miracle"])
    assert '"m1racle"' in v.message
    assert '"miracle"' in v.message


def test_banned_spans_sorted_across_terms() -> None:
    text = "M1racle cream, gu4ranteed, a miracle"
    found = legal.find_banned(text, ["miracle", "guaranteed"])
    starts = [v.location.start for v in found if isinstance(v.location, TextSpan)]
    assert starts == sorted(starts)
    assert len(found) == 3


# --- disclaimers -------------------------------------------------------------------------------

AD = {"text": "#ad", "channels": ["instagram", "TikTok"], "position": "end"}
RISK = {"text": "Capital at risk.", "channels": [], "position": "start"}


@pytest.mark.parametrize(
    ("channel", "text", "missing"),
    [
        ("instagram", "New boots", ["#ad", "Capital at risk."]),
        ("tiktok", "New boots #ad", ["Capital at risk."]),
        ("TIKTOK", "Capital at risk. New boots #AD", []),
        ("linkedin", "New boots", ["Capital at risk."]),
        (None, "New boots", ["Capital at risk."]),
        ("instagram", "Capital  at\nrisk. New boots #ad", []),
        ("instagram", "Capital at risk. #adventure boots", ["#ad"]),
    ],
)
def test_disclaimers_per_channel(channel: str | None, text: str, missing: list[str]) -> None:
    result = legal.check_legal(text, kit(requiredDisclaimers=[AD, RISK]), channel)
    found = [v for v in result.violations if v.rule_id == legal.DISCLAIMER_RULE]
    assert all(v.severity == "error" for v in found)
    assert sorted(v.message.split('"')[1] for v in found) == sorted(missing)
    fixed = apply_right_to_left(text, found)
    assert legal.check_legal(fixed, kit(requiredDisclaimers=[AD, RISK]), channel).violations == []
    if missing:
        assert fixed.startswith("Capital at risk. ") or "Capital at risk." not in missing
        assert fixed.endswith(" #ad") or "#ad" not in missing


def test_disclaimer_fix_on_empty_text_and_trailing_space() -> None:
    brand = kit(requiredDisclaimers=[AD])
    (v,) = legal.check_legal("", brand, "instagram").violations
    assert apply_right_to_left("", [v]) == "#ad"
    (v,) = legal.check_legal("boots\n", brand, "instagram").violations
    assert v.fix is not None
    assert v.fix.kind == "insert"
    assert apply_right_to_left("boots\n", [v]) == "boots\n#ad"


# --- trademarks --------------------------------------------------------------------------------


def test_trademark_first_use_only() -> None:
    brand = kit(trademarks=[{"term": "GORE-TEX", "symbol": "®"}])
    text = "GORE-TEX boots. Gore-Tex lining."
    (v,) = legal.check_legal(text, brand, None).violations
    assert v.rule_id == legal.TRADEMARK_RULE
    assert v.severity == "warning"
    assert v.location == TextSpan(start=0, end=8, text="GORE-TEX")
    fixed = apply_right_to_left(text, [v])
    assert fixed == "GORE-TEX® boots. Gore-Tex lining."
    assert legal.check_legal(fixed, brand, None).violations == []


@pytest.mark.parametrize("text", ["GORE-TEX® boots, GORE-TEX lining", "GORE-TEX(R) boots", "no mark here", ""])
def test_trademark_first_use_marked_or_absent_is_clean(text: str) -> None:
    assert legal.check_legal(text, kit(trademarks=[{"term": "GORE-TEX"}]), None).violations == []


def test_trademark_every_use() -> None:
    brand = kit(trademarks=[{"term": "FlashFusion", "symbol": "™", "firstUseOnly": False}])
    text = "FlashFusion™ makes it. Ask FlashFusion's team; flashfusion rocks. FlashFusions"
    found = legal.check_legal(text, brand, None).violations
    assert [v.location.start for v in found if isinstance(v.location, TextSpan)] == [
        text.index("FlashFusion'"),
        text.index("flashfusion"),
    ]
    fixed = apply_right_to_left(text, found)
    assert fixed == "FlashFusion™ makes it. Ask FlashFusion™'s team; flashfusion™ rocks. FlashFusions"
    assert legal.check_legal(fixed, brand, None).violations == []


# --- claims ------------------------------------------------------------------------------------


def test_claims_need_substantiation() -> None:
    brand = kit(
        claims=[
            {"phrase": "waterproof", "substantiation": "a hydrostatic head rating for the product"},
            {"phrase": "#1"},
            {"phrase": "clinically proven"},
        ]
    )
    text = "Waterproof, the #1 boot, clinically  proven. Not #10 or waterproofing."
    found = legal.check_legal(text, brand, None).violations
    assert [v.rule_id for v in found] == [legal.CLAIM_RULE] * 3
    assert all(v.severity == "warning" for v in found)
    assert "hydrostatic head rating" in found[0].message
    assert "evidence" in found[1].message
    assert [v.location.text for v in found if isinstance(v.location, TextSpan)] == [
        "Waterproof",
        "#1",
        "clinically  proven",
    ]


def test_clean_text_against_the_sample_kit(sample_kit: dict[str, Any]) -> None:
    brand = BrandKit.model_validate(sample_kit)
    result = legal.check_legal("GORE-TEX® lined boots for long trails. #ad", brand, "instagram")
    assert result.violations == []
    assert result.rules_checked == legal.LEGAL_RULES


def test_every_rule_against_the_sample_kit(sample_kit: dict[str, Any]) -> None:
    brand = BrandKit.model_validate(
        {**sample_kit, "legal": {**sample_kit["legal"], "requiredDisclaimers": [{"text": "Terms apply."}]}}
    )
    text = "GORE-TEX boots: m1racle grip, waterproof and r i s k - f r e e."
    result = legal.check_legal(text, brand, "tiktok", sponsored=True)
    rules = sorted({v.rule_id for v in result.violations})
    assert rules == sorted([*legal.LEGAL_RULES, DISCLOSURE_RULE])
    fixed = apply_right_to_left(text, result.violations)
    assert fixed == "#ad GORE-TEX® boots: m1racle grip, waterproof and r i s k - f r e e. Terms apply."
    left = {v.rule_id for v in legal.check_legal(fixed, brand, "tiktok", sponsored=True).violations}
    assert left == {terms.BANNED_RULE, legal.CLAIM_RULE}  # not auto-fixable: a human rephrases


# --- moderation --------------------------------------------------------------------------------


class FakeModeration:
    def __init__(self, labels: list[tuple[str, float]]) -> None:
        self._labels = labels

    def labels(self, image_bytes: bytes) -> list[tuple[str, float]]:
        return self._labels


def test_moderation_offline_is_not_checked() -> None:
    result = legal.check_moderation(b"img", None, 50)
    assert result.violations == []
    assert result.rules_checked == []
    assert [n.check for n in result.not_checked] == [legal.MODERATION_RULE]
    assert "not checked is not passed" in result.not_checked[0].reason


def test_moderation_threshold() -> None:
    adapter = FakeModeration([("Violence", 80.0), ("Weapons", 50.0), ("Alcohol", 49.9)])
    result = legal.check_moderation(b"img", adapter, 50)
    assert [v.rule_id for v in result.violations] == [legal.MODERATION_RULE] * 2
    assert all(v.severity == "error" for v in result.violations)
    assert '"Violence"' in result.violations[0].message
    assert '"Weapons"' in result.violations[1].message
    assert legal.check_moderation(b"img", FakeModeration([]), 50).violations == []


def rekognition() -> Any:
    return boto3.client("rekognition", region_name="us-east-1")


def test_rekognition_via_stubber() -> None:
    client = rekognition()
    response = {
        "ModerationLabels": [
            {"Name": "Explicit Nudity", "Confidence": 97.5, "ParentName": "", "TaxonomyLevel": 1},
            {"Name": "Nudity", "Confidence": 97.5, "ParentName": "Explicit Nudity", "TaxonomyLevel": 2},
            {"Name": "Alcohol", "Confidence": 61.0, "ParentName": "Drugs & Tobacco", "TaxonomyLevel": 2},
        ],
        "ModerationModelVersion": "7.0",
    }
    with Stubber(client) as stub:
        stub.add_response(
            "detect_moderation_labels", response, {"Image": {"Bytes": b"\xff\xd8jpeg"}, "MinConfidence": 60.0}
        )
        result = legal.check_moderation(b"\xff\xd8jpeg", RekognitionModeration(client, 60), 90)
        stub.assert_no_pending_responses()
    assert [v.message.split('"')[1] for v in result.violations] == ["Explicit Nudity", "Nudity"]
    assert result.rules_checked == [legal.MODERATION_RULE]
    assert result.metrics["moderation.max_confidence"] == 97.5


def test_rekognition_clean_image() -> None:
    client = rekognition()
    with Stubber(client) as stub:
        stub.add_response("detect_moderation_labels", {"ModerationLabels": [], "ModerationModelVersion": "7.0"})
        result = legal.check_moderation(b"png", RekognitionModeration(client), 50)
    assert result.violations == []
    assert result.not_checked == []


def test_rekognition_image_error_is_not_checked() -> None:
    client = rekognition()
    with Stubber(client) as stub:
        stub.add_client_error(
            "detect_moderation_labels", service_error_code="InvalidImageFormatException", service_message="bad image"
        )
        result = legal.check_moderation(b"gif?", RekognitionModeration(client), 50)
    assert result.violations == []
    (nc,) = result.not_checked
    assert nc.check == legal.MODERATION_RULE
    assert "InvalidImageFormatException" in nc.reason


def test_rekognition_throttling_is_typed_for_retry() -> None:
    client = rekognition()
    with Stubber(client) as stub:
        stub.add_client_error(
            "detect_moderation_labels", service_error_code="ThrottlingException", http_status_code=400
        )
        with pytest.raises(AwsThrottled) as caught:
            legal.check_moderation(b"img", RekognitionModeration(client), 50)
    assert caught.value.code == "ThrottlingException"
    assert isinstance(caught.value.__cause__, ClientError)


def test_rekognition_bytes_over_5_mb_not_sent() -> None:
    client = rekognition()
    with Stubber(client) as stub:  # no response queued: a call would fail
        result = legal.check_moderation(b"\0" * (5 * 1024 * 1024 + 1), RekognitionModeration(client), 50)
        stub.assert_no_pending_responses()
    assert "ImageTooLargeException" in result.not_checked[0].reason


@pytest.mark.parametrize(
    ("term", "text"),
    [
        ("aaa", "a" * 10000 + "b"),
        ("ill", "1" * 5000 + "x"),
        ("ill", "1 " * 5000),
        ("scam", "s c a m " * 2000),
        # the separators phrase words may span, and the disguises the normalisation removes
        ("double your money", "double" + " -_" * 3000 + "x"),
        ("double your money", "double your " * 2000),
        ("win big", "w\u200bi\u00adn " * 3000),
        ("win big", "#" + "Win" * 5000),
    ],
)
def test_no_catastrophic_backtracking(term: str, text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Work counted, not timed (a timed bound depends on the machine and its load): each adversarial text
    is scanned by the term's expensive pattern once, in one pass, and nothing in it is reported.
    The wall-clock cost of these inputs is in tests/bench/bench_banned_backtracking.py."""
    scans: list[str] = []
    with linter_sources():  # where the patch below is seen by find_banned (compiled, it would not be)
        from flashfusion.linting import legal as plain_legal
        from flashfusion.linting.normalise import normalise as plain_normalise
    real = plain_legal.banned_pattern

    class Counted:
        def __init__(self, pattern: re.Pattern[str]) -> None:
            self.pattern = pattern

        def finditer(self, subject: str) -> Iterator[re.Match[str]]:
            scans.append(subject)
            return self.pattern.finditer(subject)

    monkeypatch.setattr(plain_legal, "banned_pattern", lambda t: Counted(real(t)))
    assert plain_legal.find_banned(text, [term]) == []
    assert len(scans) <= 1
    assert all(scanned is plain_normalise(text).text for scanned in scans)
    assert legal.find_banned(text, [term]) == []  # and the compiled linter finds nothing either
