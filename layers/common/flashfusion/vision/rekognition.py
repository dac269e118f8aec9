"""Amazon Rekognition with an injected boto3 ``rekognition`` client: DetectText (an ``OcrAdapter``) and
DetectModerationLabels (a ``ModerationAdapter``).

Images are sent as bytes (at most 5 MB). An image Rekognition refuses (format, size) is reported by
the checks as not checked; throttling becomes ``AwsThrottled`` for the state machine to retry after
botocore's own attempts, and other service errors propagate.
"""

from __future__ import annotations

import io
from typing import Any

from flashfusion.aws.throttling import typed_throttling
from flashfusion.linting.legal import ModerationRejected
from flashfusion.linting.ocr_types import Image, OcrUnavailable, OcrWord
from flashfusion.models import ImageBox

REKOGNITION_MAX_BYTES = 5 * 1024 * 1024  # DetectText / DetectModerationLabels Image.Bytes limit
REKOGNITION_IMAGE_ERRORS = {"InvalidImageFormatException", "ImageTooLargeException", "InvalidParameterException"}


def _encoded(image: Image) -> tuple[bytes, int, int]:
    """PNG/JPEG bytes and the pixel size (width, height) of ``image``."""
    from PIL import Image as PILImage

    if isinstance(image, bytes | bytearray):
        with PILImage.open(io.BytesIO(image)) as opened:
            width, height = opened.size
        return bytes(image), width, height
    pil = PILImage.fromarray(image)
    buffer = io.BytesIO()
    pil.save(buffer, format="PNG")
    return buffer.getvalue(), pil.width, pil.height


def _error_code(exc: Exception) -> tuple[str, str]:
    response: Any = getattr(exc, "response", None)
    error = response.get("Error", {}) if isinstance(response, dict) else {}
    return str(error.get("Code", "")), str(error.get("Message", ""))


def _pixels(ratio: float, size: int) -> int:
    return min(max(round(float(ratio) * size), 0), size)


class RekognitionOcr:
    """Amazon Rekognition DetectText, with an injected boto3 ``rekognition`` client.

    Keeps the ``WORD`` detections; their ``Geometry.BoundingBox`` ratios become pixel boxes, their
    ``ParentId`` (the LINE) the line number. Image errors (bad format, too large) raise
    ``OcrUnavailable``; throttling raises ``AwsThrottled`` and other service errors propagate, so the
    state machine's Retry can handle them. DetectText returns at most 100 words per image.
    """

    def __init__(self, client: Any, min_confidence: float = 80.0) -> None:
        self.client = client
        self.min_confidence = min_confidence

    def words(self, image: Image) -> list[OcrWord]:
        data, width, height = _encoded(image)
        if len(data) > REKOGNITION_MAX_BYTES:
            raise OcrUnavailable("ImageTooLargeException: image bytes over 5 MB; pass an S3 object instead")
        try:
            with typed_throttling("rekognition"):
                response = self.client.detect_text(
                    Image={"Bytes": data}, Filters={"WordFilter": {"MinConfidence": float(self.min_confidence)}}
                )
        except Exception as exc:
            code, message = _error_code(exc)
            if code in REKOGNITION_IMAGE_ERRORS:
                raise OcrUnavailable(f"{code}: {message}") from exc
            raise
        lines: dict[int, int] = {}
        found: list[OcrWord] = []
        for detection in response.get("TextDetections", []):
            if detection.get("Type") != "WORD":
                continue
            confidence = float(detection.get("Confidence", 0.0))
            text = str(detection.get("DetectedText", "")).strip()
            if not text or confidence < self.min_confidence:
                continue
            bbox = detection.get("Geometry", {}).get("BoundingBox", {})
            x = _pixels(bbox.get("Left", 0.0), width)
            y = _pixels(bbox.get("Top", 0.0), height)
            right = _pixels(float(bbox.get("Left", 0.0)) + float(bbox.get("Width", 0.0)), width)
            bottom = _pixels(float(bbox.get("Top", 0.0)) + float(bbox.get("Height", 0.0)), height)
            parent = int(detection.get("ParentId", detection.get("Id", 0)))
            box = ImageBox(x=x, y=y, width=right - x, height=bottom - y)
            found.append(OcrWord(text=text, box=box, confidence=confidence, line=lines.setdefault(parent, len(lines))))
        return found


class RekognitionModeration:
    """Amazon Rekognition DetectModerationLabels, with an injected boto3 ``rekognition`` client.

    Image errors (bad format, too large) raise ``ModerationRejected``; throttling raises ``AwsThrottled``
    and other service errors propagate, so the state machine's Retry can handle them.
    """

    def __init__(self, client: Any, min_confidence: float = 50.0) -> None:
        self.client = client
        self.min_confidence = min_confidence

    def labels(self, image_bytes: bytes) -> list[tuple[str, float]]:
        if len(image_bytes) > REKOGNITION_MAX_BYTES:
            raise ModerationRejected("ImageTooLargeException", "image bytes over 5 MB; pass an S3 object instead")
        try:
            with typed_throttling("rekognition"):
                response = self.client.detect_moderation_labels(
                    Image={"Bytes": image_bytes}, MinConfidence=float(self.min_confidence)
                )
        except Exception as exc:
            code, message = _error_code(exc)
            if code in REKOGNITION_IMAGE_ERRORS:
                raise ModerationRejected(code, message) from exc
            raise
        return [(str(label["Name"]), float(label["Confidence"])) for label in response.get("ModerationLabels", [])]
