"""One botocore loader per process, and one for moto's own model reads (ffo.botocache)."""

from __future__ import annotations

import moto.core.utils
from moto.core.loaders import Loader as MotoLoader

from ffo.botocache import shared_loaders


def test_moto_reads_every_service_model_with_one_loader() -> None:
    with shared_loaders():
        first = moto.core.utils.create_loader()
        second = moto.core.utils.create_loader()
        model = moto.core.utils._load_service_model("sqs", "service-2")

    assert first is second  # its list of botocore's service folders is made once, not once per service
    assert isinstance(first, MotoLoader)  # still moto's: the models come with moto's extras
    assert model["metadata"]["serviceId"] == "SQS"
