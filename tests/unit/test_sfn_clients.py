"""ffo.sfn_clients: moto's Step Functions interpreter gets one boto3 client per (region, service)."""

from __future__ import annotations

import os
from unittest import mock

from moto.stepfunctions.parser.asl.component.state.exec.state_task import lambda_eval_utils
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import state_task_service_dynamodb
from moto.stepfunctions.parser.asl.utils import boto_client

from ffo import sfn_clients


def test_each_service_gets_one_client_per_region_while_active() -> None:
    with mock.patch.dict(os.environ, {"AWS_DEFAULT_REGION": "us-east-1"}), sfn_clients.shared() as clients:
        first = lambda_eval_utils.boto_client_for("us-east-1", "lambda")
        again = lambda_eval_utils.boto_client_for("us-east-1", "lambda", None)
        table = state_task_service_dynamodb.boto_client_for("us-east-1", "dynamodb")
        elsewhere = lambda_eval_utils.boto_client_for("eu-west-1", "lambda")
        assert first is again
        assert table is not first
        assert table.meta.service_model.service_name == "dynamodb"
        assert elsewhere is not first
        assert elsewhere.meta.region_name == "eu-west-1"
        assert set(clients) == {("us-east-1", "lambda"), ("us-east-1", "dynamodb"), ("eu-west-1", "lambda")}
    # afterwards moto's own function again: a new client each call
    assert lambda_eval_utils.boto_client_for is boto_client.boto_client_for
    assert lambda_eval_utils.boto_client_for("us-east-1", "lambda") is not first


def test_a_parser_module_loaded_after_a_look_is_found_at_the_next() -> None:
    """The modules are looked for again when sys.modules grew (moto loads its integrations lazily)."""
    import sys
    import types

    with sfn_clients.shared():
        pass  # a look, remembered
    late = types.ModuleType("moto.stepfunctions.parser.asl.late_integration")
    real = boto_client.boto_client_for
    late.boto_client_for = real  # type: ignore[attr-defined]
    sys.modules[late.__name__] = late
    try:
        with mock.patch.dict(os.environ, {"AWS_DEFAULT_REGION": "us-east-1"}), sfn_clients.shared() as clients:
            assert late.boto_client_for is not real  # type: ignore[attr-defined]
            late.boto_client_for("us-east-1", "sqs")  # type: ignore[attr-defined]
            assert set(clients) == {("us-east-1", "sqs")}
        assert late.boto_client_for is real  # type: ignore[attr-defined]
    finally:
        del sys.modules[late.__name__]
