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
