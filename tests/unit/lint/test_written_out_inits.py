"""The classes whose ``__init__`` is written out so that, compiled, they are built natively (``CheckResult``,
``LintContext``, ``Normalised``) behave as the dataclasses they replace: same fields, same defaults (fresh
lists and dicts per instance), same equality, hash and repr; compiled and from source alike."""

from __future__ import annotations

import dataclasses
from types import ModuleType

import pytest

from flashfusion.linting import base, engine, normalise
from flashfusion.models import BrandKit, NotChecked
from tests.helpers import ROOT, linter_sources

with linter_sources():
    from flashfusion.linting import base as source_base
    from flashfusion.linting import engine as source_engine
    from flashfusion.linting import normalise as source_normalise

KIT = BrandKit.model_validate_json((ROOT / "events" / "brand-kit.sample.json").read_text("utf-8"))


@pytest.fixture(params=["imported", "source"])
def modules(request: pytest.FixtureRequest) -> tuple[ModuleType, ModuleType, ModuleType]:
    """The modules as imported (compiled where a build is) and run from their sources."""
    if request.param == "imported":
        return base, engine, normalise
    return source_base, source_engine, source_normalise


def test_a_check_result_is_the_dataclass_it_declares(modules: tuple[ModuleType, ModuleType, ModuleType]) -> None:
    check_result = modules[0].CheckResult
    assert [f.name for f in dataclasses.fields(check_result)] == [
        "violations",
        "rules_checked",
        "not_checked",
        "metrics",
    ]
    first, second = check_result(), check_result()
    assert (first.violations, first.rules_checked, first.not_checked, first.metrics) == ([], [], [], {})
    assert first.violations is not second.violations  # each result its own lists and dict
    assert first.rules_checked is not second.rules_checked
    assert first.not_checked is not second.not_checked
    assert first.metrics is not second.metrics
    assert first == second
    rules = ["a"]
    skipped = [NotChecked(check="c", reason="r")]
    positional = check_result([], rules, skipped, {"m": 1.0})
    assert positional.rules_checked is rules  # the lists given are held, not copied
    assert positional == check_result(rules_checked=["a"], not_checked=skipped, metrics={"m": 1.0})
    assert positional != first
    assert dataclasses.replace(positional, metrics={}) == check_result([], ["a"], skipped)
    assert repr(first) == "CheckResult(violations=[], rules_checked=[], not_checked=[], metrics={})"


def test_a_lint_context_is_the_dataclass_it_declares(modules: tuple[ModuleType, ModuleType, ModuleType]) -> None:
    lint_context = modules[1].LintContext
    names = [f.name for f in dataclasses.fields(lint_context)]
    assert names == ["kit", "channel", "load_logo", "moderation", "ocr", "load_font", "locale", "sponsored", "extra"]
    ctx = lint_context(kit=KIT)
    assert ctx.kit is KIT
    assert [getattr(ctx, name) for name in names[1:]] == [None, None, None, None, None, None, False, {}]
    assert ctx.extra is not lint_context(KIT).extra
    assert ctx == lint_context(KIT)
    full = lint_context(KIT, "x", len, "mod", "ocr", str, "fr", True, {"k": 1})
    assert [getattr(full, name) for name in names] == [KIT, "x", len, "mod", "ocr", str, "fr", True, {"k": 1}]
    assert full.platforms == ["x"]
    assert dataclasses.replace(full, channel=None).platforms == list(KIT.target_platforms)


def test_a_normalisation_compares_hashes_and_prints_as_its_fields(
    modules: tuple[ModuleType, ModuleType, ModuleType],
) -> None:
    normalised = modules[2].Normalised
    plain = normalised("Win", "Win")
    assert (plain.starts, plain.ends, plain.runs, plain.case_key) == (None, None, (), "")
    same = normalised("Win", "Win", None, None, (), "")
    assert plain == same
    assert hash(plain) == hash(same)
    assert plain != normalised("Win", "Win", case_key="win")
    assert plain != ("Win", "Win", None, None, (), "")
    joined = normalised("w i n", "win", (0, 2, 4), (1, 3, 5), ((0, 3),), "win")
    assert repr(joined) == (
        "Normalised(original='w i n', text='win', starts=(0, 2, 4), ends=(1, 3, 5), runs=((0, 3),), case_key='win')"
    )
    assert joined.span(0, 3) == (0, 5)
    assert joined.joined_run_at(0, 2)
    made = modules[2].normalise("w i n")
    assert made == joined
