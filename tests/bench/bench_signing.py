"""What Content Credentials cost per image, printed, never asserted: `python tests/bench/bench_signing.py`.

A batch of 1024x1024 images made the way the product makes them (the offline image provider, varied
prompts, PNG for most channels and JPEG for Instagram/TikTok), each marked with XMP + a C2PA manifest
signed by the local dev PEM key. Prints the median extra milliseconds and extra bytes per image, for
PNG and JPEG separately (plus the read-and-verify time, which the SaveAsset self-check pays too).
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
for extra in (ROOT / "layers" / "common", ROOT / "local"):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))

from ffo.devcert import dev_chain, dev_signing_key  # noqa: E402
from flashfusion.models import BrandKit, ContentType, prompt_hash  # noqa: E402
from flashfusion.provenance.credentials import ManifestSpec, read_credentials, sign_embedded  # noqa: E402
from flashfusion.providers.base import GenerationJob, GenerationOptions  # noqa: E402
from flashfusion.providers.offline_image import OfflineImageProvider  # noqa: E402
from flashfusion.routing.matrix import load_matrix_file  # noqa: E402

IMAGES = int(os.environ.get("BENCH_SIGNING_IMAGES", "30"))
PROMPTS = [
    "Spring collection launch",
    "Autumn hiking boots",
    "Winter jackets sale",
    "New store in Bergen",
    "Summer running shoes, bright and fast",
    "Rain gear for city cyclists",
]
CHANNELS = ["linkedin", "instagram", "x", "tiktok", "facebook"]  # instagram/tiktok get JPEG


def main() -> None:
    matrix = load_matrix_file()
    kit = BrandKit.model_validate(json.loads((ROOT / "events" / "brand-kit.sample.json").read_text("utf-8")))
    provider = OfflineImageProvider()
    model = matrix.get("local/image-standard")
    with tempfile.TemporaryDirectory(prefix="ffo-bench-ca-") as folder:
        key = dev_signing_key(Path(folder))
        anchor = dev_chain(Path(folder)).certificate_pem
        generate_s: list[float] = []
        extra_ms: dict[str, list[float]] = {"image/png": [], "image/jpeg": []}
        extra_bytes: dict[str, list[int]] = {"image/png": [], "image/jpeg": []}
        sizes: dict[str, list[int]] = {"image/png": [], "image/jpeg": []}
        verify_ms: dict[str, list[float]] = {"image/png": [], "image/jpeg": []}
        started = time.perf_counter()
        for index in range(IMAGES):
            prompt = f"{PROMPTS[index % len(PROMPTS)]} #{index}"
            job = GenerationJob(
                request_id=f"bench-{index}",
                content_type=ContentType.IMAGE,
                prompt=prompt,
                prompt_hash=prompt_hash(prompt),
                model=model,
                brand_kit=kit,
                channel=CHANNELS[index % len(CHANNELS)],
                options=GenerationOptions(size="1024x1024"),
            )
            t0 = time.perf_counter()
            content = provider.generate(job)
            generate_s.append(time.perf_counter() - t0)
            spec = ManifestSpec(
                title=f"bench-{index}.{content.extension}",
                mime_type=content.mime_type,
                model_id=model.id,
                provider=model.provider,
                vendor_model=content.vendor_model,
                assertion={
                    "requestId": job.request_id,
                    "assetId": f"ast-{index}",
                    "version": 1,
                    "promptSha256": job.prompt_hash,
                    "brandKit": {"id": kit.kit_id, "version": 1},
                    "lintPassed": True,
                },
            )
            t1 = time.perf_counter()
            signed = sign_embedded(content.data, spec, key)
            extra_ms[content.mime_type].append((time.perf_counter() - t1) * 1000)
            extra_bytes[content.mime_type].append(len(signed) - len(content.data))
            sizes[content.mime_type].append(len(content.data))
            t2 = time.perf_counter()
            report = read_credentials(signed, content.mime_type, trust_anchors_pem=anchor)
            verify_ms[content.mime_type].append((time.perf_counter() - t2) * 1000)
            if not report.trusted:
                raise SystemExit(f"bench image {index} did not verify: {report.errors}")
        total = time.perf_counter() - started

    print(f"Content Credentials (XMP + C2PA, ES256 dev PEM key) on {IMAGES} offline 1024x1024 images")
    print(f"  generating an image (for scale): median {statistics.median(generate_s) * 1000:.0f} ms")
    for mime, label in (("image/png", "PNG "), ("image/jpeg", "JPEG")):
        if not extra_ms[mime]:
            continue
        print(
            f"  {label} n={len(extra_ms[mime]):2d}  signing adds median {statistics.median(extra_ms[mime]):6.1f} ms"
            f" and {statistics.median(extra_bytes[mime]):6.0f} bytes"
            f" (image median {statistics.median(sizes[mime]) / 1024:.0f} KiB,"
            f" +{100 * statistics.median(extra_bytes[mime]) / statistics.median(sizes[mime]):.1f} %);"
            f" read + verify median {statistics.median(verify_ms[mime]):5.1f} ms"
        )
    print(f"  whole batch incl. generation: {total:.1f} s")


if __name__ == "__main__":
    main()
