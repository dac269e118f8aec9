"""``python -m ffo.asl [--check] [--root DIR]``: write the generated state machine definitions, or check them."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from . import rendered

REGENERATE = "python -m ffo.asl  (or: make asl)"


def default_root() -> Path:
    """The repository this package belongs to (local/ffo/asl/ -> the root), else the working directory."""
    here = Path(__file__).resolve().parents[3]
    return here if (here / "template.yaml").is_file() else Path.cwd()


def drift(root: Path) -> list[str]:
    """The committed definitions that differ from (or are missing next to) what the builder produces."""
    stale = []
    for path, text in rendered().items():
        target = root / path
        if not target.is_file() or target.read_text("utf-8") != text:
            stale.append(path)
    return stale


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ffo.asl", description=__doc__)
    parser.add_argument("--check", action="store_true", help="exit 1 if a committed definition is out of date")
    parser.add_argument("--root", type=Path, default=None, help="repository root (default: this checkout)")
    args = parser.parse_args(argv)
    root: Path = args.root or default_root()
    if args.check:
        stale = drift(root)
        for path in stale:
            print(f"{path} is out of date; regenerate with: {REGENERATE}", file=sys.stderr)
        return 1 if stale else 0
    for path, text in rendered().items():
        target = root / path
        if target.is_file() and target.read_text("utf-8") == text:
            print(f"{path} unchanged")
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, "utf-8", newline="\n")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
