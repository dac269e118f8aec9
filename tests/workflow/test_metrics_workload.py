"""The operating numbers on a seeded workload through the real workflow: every figure of ``ffo report`` and
``GET /v1/metrics`` equals the value worked out by hand from the workload below, the two agree, and the
EMF metrics the steps emitted give the same numbers by the dashboard's metric math.

The workload (organisation ``acme`` unless said; the fixture matrix makes text free and each image cost a
fixed price: image-standard $0.03, image-premium $0.06). Each vendor call takes the next latency of
``LATENCIES`` (the Generate step's clock is scripted), in the order the calls happen:

====  ===========================================  =================================================  ==========
req   what                                         vendor calls (model: ok/fail, ms)                    ends
====  ===========================================  =================================================  ==========
R1    clean text, standard                         ts ok 400                                            succeeded
R2    text, standard, 2 throttles                  ts fail 100, ts fail 100, ts ok 600                  succeeded
R3    text, premium, premium unavailable           tp fail 50 x (1 + 2 retries), fallback, ts ok 800    succeeded
R4    text, standard, every vendor refuses auth    ts fail 30, fallback, tb fail 30 (chain exhausted)   failed
R5    off-brand text -> review -> approve          tb ok 200                                            succeeded
R6    off-brand text -> review -> edit             tb ok 300                                            succeeded
R7    off-brand text -> review -> reject           tb ok 250                                            rejected
R8    off-brand -> regenerate -> review -> approve tb ok 350, tb ok 450                                 succeeded
R9    off-brand text -> review -> cancelled        tb ok 150                                            cancelled
R10   sponsored post without #ad (auto-fixed)      ts ok 500                                            succeeded
R11   image, standard                              is ok 1200                                           succeeded
R12   image, premium, 1 throttle                   ip fail 100, ip ok 2000                              succeeded
R13   image, premium, prompt rejected              ip fail 100, fallback, is ok 1600                    succeeded
R14   off-brand text, left waiting for review      tb ok 100                                            in progress
R15   clean text, standard, organisation globex    ts ok 700                                            succeeded
====  ===========================================  =================================================  ==========

ts/tp/tb: local/text-standard/-premium/-basic; is/ip: local/image-standard/-premium. Off-brand texts and the
sponsored post fail their first lint; clean texts and the images pass it.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from tests.helpers import ORG, OTHER_ORG, ROOT, body_of, claims, submission
from tests.workflow.review_helpers import decide, noncompliant, submit, wait_for_review

PRICES = ROOT / "tests" / "fixtures" / "metrics" / "matrix-known-prices.json"
ASL = json.loads((ROOT / "statemachine" / "create_asset.asl.json").read_text("utf-8"))
IMAGE = json.loads((ROOT / "events" / "image-post.json").read_text("utf-8"))["body"]

TS, TP, TB = "local/text-standard", "local/text-premium", "local/text-basic"
IS, IP = "local/image-standard", "local/image-premium"


def retries(error: str) -> int:
    """How many times the Generate state retries this error (its Retry policy in the ASL)."""
    return next((r["MaxAttempts"] for r in ASL["States"]["Generate"]["Retry"] if error in r["ErrorEquals"]), 0)


UNAVAILABLE_CALLS = 1 + retries("ProviderUnavailable")
LATENCIES = [
    400,  # R1
    100, 100, 600,  # R2
    *[50] * UNAVAILABLE_CALLS, 800,  # R3
    30, 30,  # R4
    200,  # R5
    300,  # R6
    250,  # R7
    350, 450,  # R8
    150,  # R9
    500,  # R10
    1200,  # R11
    100, 2000,  # R12
    100, 1600,  # R13
    100,  # R14
    700,  # R15
]  # fmt: skip


class ScriptedVendorClock:
    """The Generate step reads ``time.perf_counter`` before and after each vendor call: the first reading of
    a pair is 0, the second the next scripted latency (plus half a millisecond, so truncation keeps it)."""

    def __init__(self, latencies_ms: list[int]) -> None:
        self.pending = list(latencies_ms)
        self.readings = 0

    def perf_counter(self) -> float:
        self.readings += 1
        if self.readings % 2:
            return 0.0
        return (self.pending.pop(0) + 0.5) / 1000


@pytest.fixture
def workload(fresh_engine: Any, sample_kit: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> Any:
    """The engine after running the workload of the module docstring."""
    from flashfusion.app import step_generation

    engine = fresh_engine
    engine.configure(env={"MODEL_MATRIX_PATH": str(PRICES)})
    engine.seed_brand_kit(ORG, sample_kit)
    engine.seed_brand_kit(OTHER_ORG, sample_kit)
    clock = ScriptedVendorClock(LATENCIES)
    monkeypatch.setattr(step_generation, "time", SimpleNamespace(perf_counter=clock.perf_counter))

    def run(body: dict[str, Any], org: str = ORG, status: str = "SUCCEEDED") -> str:
        request_id = submit(engine, body, org)
        execution = engine.wait_for_execution(engine.execution_arn(request_id), timeout=90)
        assert execution["status"] == status, execution
        return request_id

    def reviewed(decision: dict[str, Any], round_: int = 0, request_id: str | None = None) -> str:
        request_id = request_id or submit(engine, noncompliant())
        review_id = wait_for_review(engine, request_id, round_)["review"]["reviewId"]
        assert decide(engine, review_id, decision)["statusCode"] == 200
        return request_id

    def settle(request_id: str) -> None:
        execution = engine.wait_for_execution(engine.execution_arn(request_id), timeout=90)
        assert execution["status"] == "SUCCEEDED", execution

    run(submission())  # R1
    run(submission(faults=[{"model": TS, "kind": "throttle", "times": 2}]))  # R2
    run(submission(tier="premium", faults=[{"model": TP, "kind": "unavailable"}]))  # R3
    run(submission(faults=[{"kind": "auth"}]), status="FAILED")  # R4
    settle(reviewed({"decision": "approve"}))  # R5
    edited = "Meet Aurora. Our jackets keep you warm and dry on every trail. Find out more on our website."
    settle(reviewed({"decision": "approve_with_edits", "editedText": edited}))  # R6
    settle(reviewed({"decision": "reject", "comment": "not for us"}))  # R7
    feedback = "Drop the guarantee and the miracle; talk about warmth instead"
    r8 = reviewed({"decision": "regenerate", "feedback": feedback})
    settle(reviewed({"decision": "approve"}, round_=1, request_id=r8))  # R8
    r9 = submit(engine, noncompliant())  # R9
    wait_for_review(engine, r9)
    cancelled = engine.api("POST", f"/v1/requests/{r9}/cancel", None, claims())
    assert cancelled["statusCode"] == 200, cancelled
    run(submission(channel="instagram", sponsored=True))  # R10
    run({**IMAGE, "tier": "standard"})  # R11
    run({**IMAGE, "faults": [{"model": IP, "kind": "throttle", "times": 1}]})  # R12
    run({**IMAGE, "faults": [{"model": IP, "kind": "rejected"}]})  # R13
    wait_for_review(engine, submit(engine, noncompliant()))  # R14
    run(submission(), org=OTHER_ORG)  # R15
    assert clock.pending == [], "the workload made fewer vendor calls than it describes"
    return engine


# What the module docstring's table gives for acme (R1-R14), worked out by hand -----------------------------
ACME_TOTAL = {
    "requests": 14,
    "succeeded": 10,  # R1 R2 R3 R5 R6 R8 R10 R11 R12 R13
    "failed": 1,  # R4
    "cancelled": 1,  # R9
    "rejected": 1,  # R7
    "reviewExpired": 0,
    "queued": 0,
    "inProgress": 1,  # R14
    "vendorCalls": 1 + 3 + (UNAVAILABLE_CALLS + 1) + 2 + 1 + 1 + 1 + 2 + 1 + 1 + 1 + 2 + 2 + 1,
    "failedCalls": 2 + UNAVAILABLE_CALLS + 2 + 1 + 1,  # R2 R3 R4 R12 R13
    "fallbacks": 3,  # R3 tp->ts, R4 ts->tb, R13 ip->is
    "humanEdited": 1,  # R6
    "assets": 10,
    "spendUsd": 0.03 + 0.06 + 0.03,  # R11, R12's billed call, R13's fallback (failed calls are not billed)
    "brandComplianceRate": {"numerator": 6, "denominator": 13},  # R1 R2 R3 R11 R12 R13 of all but R4
    "retryRate": {"numerator": 5, "denominator": 14},  # R2 R3 R4 R12 R13
    "humanInterventionRate": {"numerator": 6, "denominator": 13},  # R5-R9, R14
    "costPerAssetUsd": 0.12 / 10,
}
ACME_LATENCY = {
    # ts: 400 600 800 500 -> sorted 400 500 600 800; nearest rank p50 = 2nd, p95 = p99 = 4th
    TS: (4, 500, 800, 800),
    # tb: 200 300 250 350 450 150 100 -> 100 150 200 250 300 350 450; p50 = 4th, p95 = p99 = 7th
    TB: (7, 250, 450, 450),
    IS: (2, 1200, 1600, 1600),  # 1200 1600: p50 = 1st, p95 = p99 = 2nd
    IP: (1, 2000, 2000, 2000),
}
ACME_COST_BY_MODEL = {  # spend on calls to the model / assets it made
    IP: (0.06, 1, 0.06),  # R12
    IS: (0.06, 2, 0.03),  # R11 R13
    TB: (0.0, 3, 0.0),  # R5 R6 R8
    TS: (0.0, 4, 0.0),  # R1 R2 R3 R10
}


def check_figures(figures: dict[str, Any], expected: dict[str, Any]) -> None:
    for name, value in expected.items():
        if isinstance(value, dict):
            assert figures[name]["numerator"] == value["numerator"], name
            assert figures[name]["denominator"] == value["denominator"], name
            assert figures[name]["value"] == pytest.approx(value["numerator"] / value["denominator"]), name
        elif isinstance(value, float):
            assert figures[name] == pytest.approx(value), name
        else:
            assert figures[name] == value, name


def latency_of(figures: dict[str, Any]) -> dict[str, tuple[int, int, int, int]]:
    return {x["model"]: (x["calls"], x["p50Ms"], x["p95Ms"], x["p99Ms"]) for x in figures["generationLatency"]}


def cost_of(figures: dict[str, Any]) -> dict[str, tuple[float, int, float | None]]:
    return {
        c["model"]: (pytest.approx(c["spendUsd"]), c["assets"], pytest.approx(c["usdPerAsset"]))
        for c in figures["costPerAssetByModel"]
    }


def api_metrics(engine: Any, org: str = ORG, query: str = "") -> dict[str, Any]:
    response = engine.api("GET", f"/v1/metrics{query}", None, claims(org))
    assert response["statusCode"] == 200, response
    result: dict[str, Any] = body_of(response)
    return result


def ffo_report(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    from ffo.cli import main

    capsys.readouterr()
    assert main(["report", "--json", *args]) == 0
    result: dict[str, Any] = json.loads(capsys.readouterr().out)
    return result


def saved_state(engine: Any, directory: Path) -> Path:
    from ffo.state_store import StateStore

    StateStore(directory).save(engine)
    return directory


def check_every_number(workload: Any) -> None:
    figures = api_metrics(workload)["total"]

    check_figures(figures, ACME_TOTAL)
    assert latency_of(figures) == ACME_LATENCY  # local/text-premium never succeeded: no latency row
    assert cost_of(figures) == ACME_COST_BY_MODEL


def check_groups(workload: Any) -> None:
    by_medium = {g["key"]: g["figures"] for g in api_metrics(workload, query="?groupBy=medium")["groups"]}
    assert sorted(by_medium) == ["image", "text"]
    check_figures(
        by_medium["image"],  # R11 R12 R13
        {
            "requests": 3,
            "assets": 3,
            "spendUsd": 0.12,
            "costPerAssetUsd": 0.04,
            "retryRate": {"numerator": 2, "denominator": 3},
            "brandComplianceRate": {"numerator": 3, "denominator": 3},
            "fallbacks": 1,
        },
    )
    check_figures(
        by_medium["text"],  # R1-R10, R14
        {
            "requests": 11,
            "assets": 7,
            "spendUsd": 0.0,
            "retryRate": {"numerator": 3, "denominator": 11},
            "brandComplianceRate": {"numerator": 3, "denominator": 10},
            "humanInterventionRate": {"numerator": 6, "denominator": 10},
        },
    )
    by_tier = {g["key"]: g["figures"]["requests"] for g in api_metrics(workload, query="?groupBy=tier")["groups"]}
    assert by_tier == {"basic": 6, "standard": 5, "premium": 3}  # off-brand texts are basic

    by_model = {g["key"]: g["figures"] for g in api_metrics(workload, query="?groupBy=model")["groups"]}
    # local/text-premium made nothing (R3 fell back): no request is its own, but its failed calls count against it
    check_figures(by_model[TP], {"requests": 0, "vendorCalls": UNAVAILABLE_CALLS, "failedCalls": UNAVAILABLE_CALLS})
    # text-standard's requests: R1 R2 R3 R10 (R3 needed a fallback); calls to it: R1, R2 x3, R3, R4, R10
    check_figures(
        by_model[TS],
        {"requests": 4, "retryRate": {"numerator": 2, "denominator": 4}, "vendorCalls": 7, "failedCalls": 3},
    )
    assert latency_of(by_model[TS]) == {TS: ACME_LATENCY[TS]}
    # text-basic's requests: R4 (its last call), R5-R9, R14
    intervention = {"numerator": 6, "denominator": 6}
    check_figures(by_model[TB], {"requests": 7, "failed": 1, "humanInterventionRate": intervention})


def check_window(workload: Any) -> None:
    everything = api_metrics(workload, query="?since=2000-01-01T00:00:00Z")["total"]
    assert everything["requests"] == 14
    before = api_metrics(workload, query="?until=2000-01-01T00:00:00Z")["total"]
    assert before["requests"] == 0
    assert before["retryRate"] == {"numerator": 0, "denominator": 0}  # no value: null, left out
    assert "costPerAssetUsd" not in before


def check_other_organisation(workload: Any) -> None:
    theirs = api_metrics(workload, org=OTHER_ORG)
    check_figures(theirs["total"], {"requests": 1, "succeeded": 1, "vendorCalls": 1, "assets": 1})
    assert latency_of(theirs["total"]) == {TS: (1, 700, 700, 700)}
    assert [b["orgId"] for b in theirs["budgets"]] in ([], [OTHER_ORG])
    assert theirs["reviewBacklog"]["pending"] == 0  # acme's R14 waits, not globex's
    mine = api_metrics(workload)
    assert mine["reviewBacklog"]["pending"] == 1
    assert [b["orgId"] for b in mine["budgets"]] == [ORG]
    assert mine["budgets"][0]["spentUsd"] == pytest.approx(0.12)


def check_ffo_report_agrees(workload: Any, state: str, capsys: pytest.CaptureFixture[str]) -> None:
    for group_by in (None, "model", "medium", "tier", "campaign"):
        query = f"?groupBy={group_by}" if group_by else ""
        extra = ["--group-by", group_by] if group_by else []
        api = api_metrics(workload, query=query)
        cli = ffo_report(capsys, "--state", state, "--org", ORG, *extra)
        assert cli["total"] == api["total"]
        assert cli["groups"] == api["groups"]
        assert cli["budgets"] == api["budgets"]
        assert cli["reviewBacklog"]["pending"] == api["reviewBacklog"]["pending"]
    everyone = ffo_report(capsys, "--state", state)["total"]  # both organisations
    check_figures(everyone, {"requests": 15, "succeeded": 11, "vendorCalls": ACME_TOTAL["vendorCalls"] + 1})
    from ffo.cli import main

    capsys.readouterr()
    assert main(["report", "--state", state, "--group-by", "medium"]) == 0
    text = capsys.readouterr().out
    assert "retry rate          35.7 % (5/14)" not in text  # everyone: 5 of 15
    assert "retry rate          33.3 % (5/15)" in text
    assert "[medium = image]" in text


def emf(engine: Any) -> dict[str, list[tuple[float, dict[str, str]]]]:
    """Every EMF datum the workload's functions printed, by metric name, with its dimensions."""
    found: dict[str, list[tuple[float, dict[str, str]]]] = {}
    for invocation in engine.invocations:
        for line in invocation.logs.splitlines():
            if not line.startswith('{"_aws"'):
                continue
            blob = json.loads(line)
            for directive in blob["_aws"]["CloudWatchMetrics"]:
                for metric in directive["Metrics"]:
                    values = blob[metric["Name"]]
                    for value in values if isinstance(values, list) else [values]:
                        dims = {k: blob[k] for k in ("model", "medium", "tier", "org") if k in blob}
                        found.setdefault(metric["Name"], []).append((float(value), dims))
    return found


def check_dashboard_math(workload: Any, state: str, capsys: pytest.CaptureFixture[str]) -> None:
    """The dashboard reads the EMF metrics: Sum, SampleCount and percentiles over every organisation."""
    from flashfusion.metrics.definitions import nearest_rank

    report = ffo_report(capsys, "--state", state)["total"]
    data = emf(workload)

    def total(name: str) -> float:
        return sum(value for value, _ in data.get(name, []))

    def count(name: str) -> int:
        return len(data.get(name, []))

    assert total("RequestsSubmitted") == report["requests"]
    assert total("RequestsFailed") == report["failed"]
    assert total("Fallbacks") == report["fallbacks"]
    assert total("AssetsSaved") == report["assets"]
    assert count("ProviderErrors") == report["failedCalls"]
    assert total("FirstLintCompliant") / count("FirstLintCompliant") == pytest.approx(
        report["brandComplianceRate"]["value"]
    )
    assert total("RetriedRequests") / total("GenerationRequests") == pytest.approx(report["retryRate"]["value"])
    assert total("HumanInterventions") / count("FirstLintCompliant") == pytest.approx(
        report["humanInterventionRate"]["value"]
    )
    assert total("GenerationCostUSD") / total("AssetsSaved") == pytest.approx(report["costPerAssetUsd"])
    latency: dict[str, list[int]] = {}
    for value, dims in data["GenerationLatency"]:
        latency.setdefault(dims["model"], []).append(int(value))
    assert {
        model: (len(v), nearest_rank(v, 50), nearest_rank(v, 95), nearest_rank(v, 99)) for model, v in latency.items()
    } == latency_of(report)
    assert all(set(dims) == {"model", "medium", "tier"} for _, dims in data["GenerationLatency"])
    assert data["ReviewBacklog"][-1] == (1.0, {"org": ORG})  # R14 still waits


def test_seeded_workload_gives_the_hand_computed_numbers_everywhere(
    workload: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One run of the workload (a minute of real workflow) checked from every side."""
    check_every_number(workload)
    check_groups(workload)
    check_window(workload)
    check_other_organisation(workload)
    state = str(saved_state(workload, tmp_path / "state"))
    check_ffo_report_agrees(workload, state, capsys)
    check_dashboard_math(workload, state, capsys)
