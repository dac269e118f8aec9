"""ffo.asl_cache: a parsed definition's program kept on disk, its parse tree parsed only on demand."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ffo import asl_cache


class Tree:
    def __init__(self, definition: str) -> None:
        self.definition = definition

    def accept(self, visitor: Any) -> Any:
        return visitor(self)


class Parser:
    """A stand-in for moto's parser: (program, tree), counting its calls."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, definition: str) -> tuple[Any, Any]:
        self.calls += 1
        return {"program": definition, "states": [1, 2, 3]}, Tree(definition)


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("FFO_CACHE_DIR", str(tmp_path))
    return tmp_path


def test_the_first_process_parses_and_later_ones_load_the_program(folder: Path) -> None:
    first, later = Parser(), Parser()
    program, tree = asl_cache.parse('{"StartAt": "A"}', first)
    assert first.calls == 1
    assert isinstance(tree, Tree)
    assert len(list(folder.glob("asl-*.pickle"))) == 1
    loaded, _lazy = asl_cache.parse('{"StartAt": "A"}', later)
    assert loaded == program
    assert later.calls == 0


def test_the_tree_of_a_loaded_program_is_parsed_when_visited(folder: Path) -> None:
    asl_cache.parse("definition", Parser())
    later = Parser()
    _, lazy = asl_cache.parse("definition", later)
    assert later.calls == 0
    assert lazy.accept(lambda tree: tree.definition) == "definition"
    assert lazy.definition == "definition"
    assert later.calls == 1


def test_another_definition_is_parsed_afresh(folder: Path) -> None:
    asl_cache.parse("one", Parser())
    other = Parser()
    program, _ = asl_cache.parse("two", other)
    assert other.calls == 1
    assert program["program"] == "two"


def test_a_damaged_cache_file_is_parsed_again_and_rewritten(folder: Path) -> None:
    asl_cache.parse("definition", Parser())
    (cached,) = folder.glob("asl-*.pickle")
    cached.write_bytes(b"not a pickle")
    again = Parser()
    program, _ = asl_cache.parse("definition", again)
    assert again.calls == 1
    assert program["program"] == "definition"
    fresh = Parser()
    asl_cache.parse("definition", fresh)
    assert fresh.calls == 0


def test_off_turns_the_cache_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FFO_CACHE_DIR", "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    parser = Parser()
    asl_cache.parse("definition", parser)
    asl_cache.parse("definition", parser)
    assert parser.calls == 2
    assert not list(tmp_path.rglob("*.pickle"))


def test_a_process_that_finds_another_parsing_waits_and_loads_its_result(folder: Path) -> None:
    """Test workers (and the ffo serve beside them) start together: one parses, the others load."""
    import threading

    other, waiting = Parser(), Parser()
    path = folder / asl_cache._key("together")
    results: list[Any] = []
    with asl_cache._parsing(folder, path):  # another process is parsing (flock: per open file, so per thread too)
        worker = threading.Thread(target=lambda: results.append(asl_cache.parse("together", waiting)))
        worker.start()
        worker.join(0.3)
        assert worker.is_alive()  # waits for the one parsing
        asl_cache._store(folder, path, other("together")[0])
    worker.join(10)
    assert not worker.is_alive()
    assert waiting.calls == 0
    assert results[0][0] == {"program": "together", "states": [1, 2, 3]}
