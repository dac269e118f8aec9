"""An SQS queue of jobs for a worker function (the lint jobs of audio and video): small JSON messages that name
a job whose record holds the rest, so a message never carries content or grows with it."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any


class SqsJobQueue:
    def __init__(self, client: Callable[[], Any], queue_url: str) -> None:
        self._client = client
        self.queue_url = queue_url

    def send(self, message: dict[str, Any]) -> None:
        if not self.queue_url:
            raise RuntimeError("no job queue is configured for this function (LINT_JOB_QUEUE_URL)")
        self._client().send_message(QueueUrl=self.queue_url, MessageBody=json.dumps(message, separators=(",", ":")))
