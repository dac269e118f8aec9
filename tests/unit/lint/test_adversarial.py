"""The hand-written adversarial set (tests/fixtures/adversarial/): every post gets the verdict (and the
finding) decided by hand. `python -m tests.bench.adversarial_accuracy -v` prints every class's accuracy.
"""

from __future__ import annotations

import pytest

from tests.bench.adversarial_accuracy import Record, accuracy_by_class, evaluate, kit_named, load_records

ASSERTED_CLASSES = {"unicode", "lookalike", "counting", "sponsored", "severity", "x-length"}
"""unicode: banned terms, claims and preferred terms through Unicode disguises (issue 12, item 1);
lookalike: innocent posts that must not trip them; sponsored: disclosures (item 2); severity: kit-chosen
levels (item 3); counting: exclamations after NFKC and the reading grade of short posts (item 4);
x-length: X's weighted length (item 5)."""

RECORDS = load_records()


def test_the_set_covers_every_class_on_four_kits() -> None:
    classes = {r.cls for r in RECORDS}
    assert {"unicode", "lookalike", "counting", "sponsored", "severity", "x-length"} <= classes
    assert classes >= ASSERTED_CLASSES
    assert len(RECORDS) >= 150
    assert len({r.kit for r in RECORDS}) >= 4
    assert len({r.id for r in RECORDS}) == len(RECORDS)
    assert {r.expected for r in RECORDS} == {"pass", "fail"}


@pytest.mark.parametrize("record", [r for r in RECORDS if r.cls in ASSERTED_CLASSES], ids=lambda r: r.id)
def test_verdict_as_decided_by_hand(record: Record) -> None:
    assert not isinstance(kit_named(record.kit), str), kit_named(record.kit)
    outcome = evaluate(record)
    assert outcome.right, f"{record.text!r}: {outcome.why}"


def test_accuracy_is_complete_on_the_asserted_classes() -> None:
    table = accuracy_by_class([evaluate(r) for r in RECORDS if r.cls in ASSERTED_CLASSES])
    assert table == {cls: (total, total) for cls, (_, total) in table.items()}
