"""`ffo lint`: lint files on disk against a brand kit."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from ffo.commands.common import Parents, Subparsers, mime_of
from ffo.request_files import project_root


def register(subparsers: Subparsers, parents: Parents) -> None:
    parser = subparsers.add_parser(
        "lint",
        help="lint files on disk against a brand kit",
        description="Checks text, image, video and audio files against a brand kit (JSON or YAML): voice, "
        "legal and platform rules for text; colours, logo placement and platform formats for images; sampled "
        "frames, duration and aspect for video; loudness, true peak and clipping for audio. Exit code: 0 all "
        "compliant, 1 something is not, 2 a file could not be linted (unreadable, not decodable, or over the size "
        "limits: images above 85 Mpx, decompression bombs; reported as errors, in --json as {file, error} entries).",
    )
    parser.add_argument("files", nargs="+", metavar="FILE")
    parser.add_argument("--brand-kit", required=True, metavar="KIT", help="brand kit file (.json, .yaml)")
    parser.add_argument("--channel", help="the platform the files are for (x, linkedin, instagram, ...)")
    parser.add_argument(
        "--sponsored",
        action="store_true",
        help="the posts are paid or sponsored: text must carry a disclosure the kit accepts (legal."
        "sponsoredDisclosures; without one for the channel: #ad, #sponsored, Advertisement or Paid partnership)",
    )
    parser.add_argument("--json", action="store_true", help="machine-readable reports")
    parser.set_defaults(func=run)


def load_brand_kit(path: Path) -> Any:
    """A brand kit from a JSON or YAML file; an invalid kit exits naming each field and its problem."""
    from pydantic import ValidationError

    from flashfusion.models import BrandKit

    text = path.read_text("utf-8")
    if path.suffix.lower() in (".yaml", ".yml"):
        import yaml  # only for a YAML kit: a JSON kit's lint never loads it

        data = yaml.safe_load(text)
    else:
        data = json.loads(text)
    try:
        return BrandKit.model_validate(data)
    except ValidationError as error:
        lines = [f"  {'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors()]
        raise SystemExit(f"ffo: {path} is not a valid brand kit:\n" + "\n".join(lines)) from error


def aggregated(report: Any) -> Any:
    """Repeats of one finding as one violation with a count (every finding stays counted)."""
    from flashfusion.linting.summary import aggregate

    findings = sum(v.count for v in report.violations)
    return report.model_copy(update={"violations": aggregate(report.violations), "findings": findings})


def describe(report: Any) -> list[str]:
    report = aggregated(report)
    errors = sum(v.count for v in report.violations if v.severity == "error")
    warnings = sum(v.count for v in report.violations if v.severity == "warning")
    lines = [f"{'compliant' if report.compliant else 'NOT compliant'} ({errors} errors, {warnings} warnings)"]
    for v in report.violations:
        where = ""
        location = v.location
        if location is not None and hasattr(location, "text"):
            where = f' at {location.start}-{location.end} "{location.text}"'
        elif location is not None and hasattr(location, "width"):
            where = f" at box x={location.x} y={location.y} {location.width}x{location.height}"
        elif location is not None:
            where = f" at {location.start_seconds:.1f}-{location.end_seconds:.1f} s"
        times = f" (x{v.count}, first {len(v.locations)} shown in --json)" if v.count > 1 else ""
        lines.append(f"  [{v.severity}] {v.rule_id}{where}: {v.message}{times}")
        if v.suggestion:
            lines.append(f"      suggestion: {v.suggestion}")
        if v.fix:
            lines.append(f"      auto-fix: {v.fix.kind} with {v.fix.text!r}")
    for skipped in report.not_checked:
        lines.append(f"  [not checked] {skipped.check}: {skipped.reason}")
    if report.metrics:
        lines.append("  metrics: " + ", ".join(f"{k}={v:.3g}" for k, v in sorted(report.metrics.items())))
    return lines


def local_ocr() -> Any | None:
    from flashfusion.wiring import ocr_engine

    return ocr_engine("tesseract")


def ocr_for(kit: Any, files: list[str]) -> Any | None:
    """The local OCR engine, looked up once for the whole run, and only when it will be used: an image
    among the files and a kit rule that reads image text (looking it up runs ``tesseract --version``)."""
    from flashfusion.linting.engine import medium_of
    from flashfusion.models import ContentType

    def is_image(name: str) -> bool:
        try:
            return medium_of(mime_of(Path(name))) == ContentType.IMAGE
        except ValueError:
            return False

    if not any(is_image(name) for name in files):
        return None  # before the OCR module: it brings numpy and the font checks, which text never needs
    from flashfusion.linting.ocr import image_text_rules

    if not image_text_rules(kit):
        return None
    return local_ocr()


def run(args: argparse.Namespace) -> int:
    from flashfusion.errors import UnsupportedMedia
    from flashfusion.linting.engine import LintContext, lint_asset

    kit_path = Path(args.brand_kit)
    kit = load_brand_kit(kit_path)
    root = project_root(args.root)

    def find_file(ref: str) -> bytes:
        for candidate in (Path(ref), kit_path.parent / ref, root / ref):
            if candidate.is_file():
                return candidate.read_bytes()
        raise FileNotFoundError(f"brand file {ref!r} not found next to the kit, here or in the project")

    def load_logo(ref: str) -> Any:
        # the linter's own decoder, imported on first use; not flashfusion.app.steps.decode_rgba, whose module
        # brings the workflow's imports (~0.9 s) into every run
        from flashfusion.linting.media import decode_image

        return decode_image(find_file(ref), mode="RGBA").pixels

    ocr = ocr_for(kit, args.files)
    results: list[tuple[str, Any]] = []
    failures: list[tuple[str, str]] = []
    for name in args.files:
        path = Path(name)
        try:
            context = LintContext(
                kit=kit,
                channel=args.channel,
                sponsored=args.sponsored,
                load_logo=load_logo,
                ocr=ocr,
                load_font=find_file,
            )
            report = lint_asset(path.read_bytes(), mime_of(path), context)
        except (OSError, ValueError, UnicodeDecodeError, UnsupportedMedia) as error:
            failures.append((name, cannot_lint(error)))
            results.append((name, None))
            continue
        results.append((name, report))
    if args.json:
        entries = [
            {"file": name, "report": aggregated(report).to_json()}
            if report is not None
            else {"file": name, "error": dict(failures)[name]}
            for name, report in results
        ]
        print(json.dumps(entries, indent=2))
    else:
        for name, report in results:
            if report is None:
                print(f"{name}: cannot lint: {dict(failures)[name]}")
                continue
            lines = describe(report)
            print(f"{name}: {lines[0]}")
            for line in lines[1:]:
                print(line)
    if failures:
        return 2
    return 0 if all(report.compliant for _, report in results) else 1


def cannot_lint(error: BaseException) -> str:
    """Why a file could not be linted, in words: no exception class names or object reprs."""
    from flashfusion.linting.media import describe_error

    if isinstance(error, FileNotFoundError):
        return f"no such file: {error.filename}"
    if isinstance(error, IsADirectoryError):
        return "it is a directory"
    if isinstance(error, PermissionError):
        return "permission denied"
    if isinstance(error, UnicodeDecodeError):
        return f"not UTF-8 text (byte {error.start}: {error.reason})"
    return describe_error(error)
