"""The repository stands alone: nothing in it reads the folder beside the clone."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.helpers import ROOT

SIBLING = ".." + "/shared"  # spelt apart so this file does not match its own search


def test_opening_a_file_beside_the_clone_fails() -> None:
    """Refused by the guard in tests/conftest.py before the file system is asked (the file need not exist)."""
    with pytest.raises(PermissionError, match="outside the repository"):
        (ROOT.parent / "a-folder-beside-the-clone" / "notes.txt").open("rb")


def test_reading_inside_the_clone_and_the_temp_dir_still_works(tmp_path) -> None:
    (tmp_path / "note.txt").write_text("ok", "utf-8")
    assert (tmp_path / "note.txt").read_text("utf-8") == "ok"
    assert (ROOT / "pyproject.toml").read_text("utf-8").startswith("[build-system]")


SKIP_DIRS = {"out", "build", "node_modules", "__pycache__"}  # and hidden folders (.venv, .git, caches) but .ci
BINARY = {".png", ".jpg", ".jpeg", ".mp4", ".wav", ".c2pa", ".pyc"}


def test_no_file_of_the_project_names_the_folder_beside_the_clone() -> None:
    offenders = []
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = [
            d
            for d in dirs
            if d not in SKIP_DIRS and not d.endswith(".egg-info") and (not d.startswith(".") or d == ".ci")
        ]
        for name in files:
            path = Path(folder) / name
            if path.suffix.lower() in BINARY:
                continue
            if SIBLING in path.read_text("utf-8", errors="replace"):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
