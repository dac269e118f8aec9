"""The operating dashboard in template.yaml: valid JSON, every number of the report on it, and only metrics
the code emits (a renamed metric would leave a widget silently empty)."""

from __future__ import annotations

import json
import re
from typing import Any

from ffo.cfn import load_template
from tests.helpers import ROOT

TEMPLATE = load_template(ROOT / "template.yaml")
SOURCE = "\n".join(p.read_text("utf-8") for p in (ROOT / "layers" / "common" / "flashfusion").rglob("*.py"))


def body() -> dict[str, Any]:
    sub = TEMPLATE["Resources"]["OperatingDashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    text = sub[0] if isinstance(sub, list) else sub
    parsed: dict[str, Any] = json.loads(text.replace("${AWS::Region}", "us-east-1"))
    return parsed


def referenced_metrics(dashboard: dict[str, Any]) -> set[str]:
    names: set[str] = set()
    for widget in dashboard["widgets"]:
        for line in widget.get("properties", {}).get("metrics", []):
            assert isinstance(line, list), f"a metrics entry is an array (CloudWatch refuses {line!r})"
            if isinstance(line[0], dict):
                names |= set(re.findall(r'MetricName="(\w+)"', line[0]["expression"]))
            else:
                names.add(line[1])
    return names


def test_every_number_has_a_widget() -> None:
    titles = " | ".join(w["properties"].get("title", "") for w in body()["widgets"])
    for number in (
        "Generation latency P50",
        "Generation latency P95",
        "Generation latency P99",
        "Brand compliance rate",
        "Retry rate",
        "Cost per asset",
        "Human intervention rate",
        "Requests, failures, fallbacks",
        "Spend against budget",
        "Review backlog",
    ):
        assert number in titles


def test_the_dashboard_reads_only_metrics_the_code_emits() -> None:
    names = referenced_metrics(body())
    assert len(names) >= 12
    for name in names:
        assert f'"{name}"' in SOURCE, f"no code emits {name}"
