"""template.yaml short-form tags and the local intrinsic-function resolver."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from ffo.cfn import ACCOUNT_ID, Resolver, load_template, local_names
from tests.helpers import ROOT

TEMPLATE_PATH = ROOT / "template.yaml"
PSEUDO = {
    "AWS::Region": "eu-west-1",
    "AWS::AccountId": ACCOUNT_ID,
    "AWS::Partition": "aws",
    "AWS::StackName": "ffo-test",
    "AWS::URLSuffix": "amazonaws.com",
}


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return load_template(TEMPLATE_PATH)


def _walk(node: Any) -> list[Any]:
    out = [node]
    if isinstance(node, dict):
        for value in node.values():
            out.extend(_walk(value))
    elif isinstance(node, list):
        for value in node:
            out.extend(_walk(value))
    return out


def load_text(tmp_path: Path, text: str) -> dict[str, Any]:
    path = tmp_path / "t.yaml"
    path.write_text(text, "utf-8")
    return load_template(path)


def resolver(template: dict[str, Any], **parameters: str) -> Resolver:
    refs = {"Bucket": "my-bucket", "Table": "my-table"}
    attrs = {("Bucket", "Arn"): "arn:aws:s3:::my-bucket", ("Fn", "Arn"): "arn:aws:lambda:fn"}
    return Resolver(template, refs, attrs, PSEUDO, parameters or None)


# --- load_template ----------------------------------------------------------------------------


def test_real_template_loads_with_resources_and_no_tag_objects(template: dict[str, Any]) -> None:
    assert template["AWSTemplateFormatVersion"] == "2010-09-09"
    assert template["Resources"]
    for node in _walk(template):
        assert isinstance(node, dict | list | str | int | float | bool | type(None)), type(node)


def test_real_template_short_forms_become_long_forms(template: dict[str, Any]) -> None:
    raw = TEMPLATE_PATH.read_text("utf-8")
    nodes = [n for n in _walk(template) if isinstance(n, dict) and len(n) == 1]
    kinds = {next(iter(n)) for n in nodes}
    for tag, key in [("!Ref", "Ref"), ("!GetAtt", "Fn::GetAtt"), ("!Sub", "Fn::Sub"), ("!If", "Fn::If")]:
        if tag + " " in raw:
            assert key in kinds, key
    for node in nodes:
        ((key, value),) = node.items()
        if key == "Ref":
            assert isinstance(value, str)
        elif key == "Fn::GetAtt":
            assert isinstance(value, list)
            assert len(value) == 2
        elif key == "Fn::If":
            assert isinstance(value, list)
            assert len(value) == 3
            assert value[0] in template["Conditions"]
    assert not any(isinstance(n, str) and n.startswith("!") for n in _walk(template))


def test_real_template_condition_is_fn_equals(template: dict[str, Any]) -> None:
    assert template["Conditions"]["IsProd"] == {"Fn::Equals": [{"Ref": "Stage"}, "prod"]}


def test_short_form_tags_parse_to_intrinsic_dicts(tmp_path: Path) -> None:
    doc = load_text(
        tmp_path,
        """
A: !Ref Stage
B: !GetAtt Bucket.Arn
C: !GetAtt [Bucket, Arn]
D: !Sub "${Bucket.Arn}/*"
E: !Sub ["${X}-y", {X: !Ref Stage}]
F: !If [IsProd, 365, 30]
G: !Join [",", [a, !Ref Stage]]
H: !Equals [!Ref Stage, prod]
I: !Select [0, [a, b]]
J: !GetAtt Machine.Name.With.Dots
""",
    )
    assert doc["A"] == {"Ref": "Stage"}
    assert doc["B"] == {"Fn::GetAtt": ["Bucket", "Arn"]}
    assert doc["C"] == {"Fn::GetAtt": ["Bucket", "Arn"]}
    assert doc["D"] == {"Fn::Sub": "${Bucket.Arn}/*"}
    assert doc["E"] == {"Fn::Sub": ["${X}-y", {"X": {"Ref": "Stage"}}]}
    assert doc["F"] == {"Fn::If": ["IsProd", 365, 30]}
    assert doc["G"] == {"Fn::Join": [",", ["a", {"Ref": "Stage"}]]}
    assert doc["H"] == {"Fn::Equals": [{"Ref": "Stage"}, "prod"]}
    assert doc["I"] == {"Fn::Select": [0, ["a", "b"]]}
    assert doc["J"] == {"Fn::GetAtt": ["Machine", "Name.With.Dots"]}


def test_load_template_stays_safe(tmp_path: Path) -> None:
    with pytest.raises(yaml.YAMLError):
        load_text(tmp_path, "A: !!python/object/apply:os.system ['echo hi']\n")


# --- Resolver ---------------------------------------------------------------------------------

SMALL: dict[str, Any] = {
    "Parameters": {"Stage": {"Type": "String", "Default": "dev"}, "Empty": {"Type": "String"}},
    "Conditions": {
        "IsProd": {"Fn::Equals": [{"Ref": "Stage"}, "prod"]},
        "NotProd": {"Fn::Not": [{"Fn::Equals": [{"Ref": "Stage"}, "prod"]}]},
    },
}


def test_ref_resolves_parameter_default_resource_and_pseudo() -> None:
    r = resolver(SMALL)
    assert r.resolve({"Ref": "Stage"}) == "dev"
    assert r.resolve({"Ref": "Empty"}) == ""
    assert r.resolve({"Ref": "Bucket"}) == "my-bucket"
    assert r.resolve({"Ref": "AWS::Region"}) == PSEUDO["AWS::Region"]
    assert r.resolve({"Ref": "AWS::AccountId"}) == ACCOUNT_ID


def test_parameter_override_beats_default() -> None:
    assert resolver(SMALL, Stage="prod").resolve({"Ref": "Stage"}) == "prod"


def test_unknown_ref_raises_key_error() -> None:
    with pytest.raises(KeyError, match="Nope"):
        resolver(SMALL).resolve({"Ref": "Nope"})
    with pytest.raises(KeyError, match="Nope"):
        resolver(SMALL).resolve({"Fn::Sub": "x-${Nope}"})


def test_get_att_in_both_forms_and_unknown() -> None:
    r = resolver(SMALL)
    assert r.resolve({"Fn::GetAtt": ["Bucket", "Arn"]}) == "arn:aws:s3:::my-bucket"
    assert r.resolve({"Fn::GetAtt": "Bucket.Arn"}) == "arn:aws:s3:::my-bucket"
    with pytest.raises(KeyError, match=r"Bucket\.Name"):
        r.resolve({"Fn::GetAtt": ["Bucket", "Name"]})


def test_sub_with_attribute_ref_and_pseudo() -> None:
    r = resolver(SMALL)
    assert r.resolve({"Fn::Sub": "${Bucket.Arn}/staging/*"}) == "arn:aws:s3:::my-bucket/staging/*"
    assert (
        r.resolve({"Fn::Sub": "arn:${AWS::Partition}:sm:${AWS::Region}:${AWS::AccountId}:secret:${Stage}/*"})
        == f"arn:aws:sm:eu-west-1:{ACCOUNT_ID}:secret:dev/*"
    )
    assert r.resolve({"Fn::Sub": "no variables"}) == "no variables"


def test_sub_with_a_variables_map() -> None:
    r = resolver(SMALL)
    value = {"Fn::Sub": ["${Name}-${Arn}-${Stage}", {"Name": "literal", "Arn": {"Fn::GetAtt": ["Fn", "Arn"]}}]}
    assert r.resolve(value) == "literal-arn:aws:lambda:fn-dev"
    # A variable shadows a parameter of the same name.
    assert r.resolve({"Fn::Sub": ["${Stage}", {"Stage": "override"}]}) == "override"


def test_sub_leaves_escaped_literals_as_text() -> None:
    """CloudFormation writes ``${!Name}`` as the literal ``${Name}``."""
    assert resolver(SMALL).resolve({"Fn::Sub": "${!Literal}-${Stage}"}) == "${Literal}-dev"


@pytest.mark.parametrize(("stage", "expected"), [("dev", 30), ("prod", 365)])
def test_if_follows_the_condition(stage: str, expected: int) -> None:
    r = resolver(SMALL, Stage=stage)
    assert r.conditions["IsProd"] is (stage == "prod")
    assert r.conditions["NotProd"] is (stage != "prod")
    assert r.resolve({"Fn::If": ["IsProd", 365, 30]}) == expected
    assert r.resolve({"Fn::If": ["IsProd", {"Ref": "Stage"}, {"Ref": "Bucket"}]}) == (
        "prod" if stage == "prod" else "my-bucket"
    )


def test_if_with_unknown_condition_raises() -> None:
    with pytest.raises(KeyError):
        resolver(SMALL).resolve({"Fn::If": ["Missing", 1, 2]})


def test_join_resolves_its_parts() -> None:
    r = resolver(SMALL)
    assert r.resolve({"Fn::Join": ["/", ["a", {"Ref": "Stage"}, {"Fn::GetAtt": ["Bucket", "Arn"]}]]}) == (
        "a/dev/arn:aws:s3:::my-bucket"
    )
    assert r.resolve({"Fn::Join": ["", []]}) == ""


def test_resolve_recurses_through_lists_and_mappings() -> None:
    r = resolver(SMALL)
    value = {"Env": {"STAGE": {"Ref": "Stage"}, "N": 3}, "List": [{"Ref": "Bucket"}, "x"]}
    assert r.resolve(value) == {"Env": {"STAGE": "dev", "N": 3}, "List": ["my-bucket", "x"]}


def test_real_template_resolves_with_local_names(template: dict[str, Any]) -> None:
    refs, attrs = local_names(template, "eu-west-1", "ffo-test")
    r = Resolver(template, refs, attrs, PSEUDO)
    caps = {"CapsApi": False, "CapsGenerate": False, "HasCorsOrigins": False, "CreatesUserPool": True}
    caps |= {"HasAlertEmail": False, "HasNotificationSender": False, "HasConsoleUrl": False, "ExportsOtel": False}
    assert r.conditions == {"IsKmsSigning": True, "IsProd": False, "HasMatrixParameter": False, **caps}
    assert Resolver(template, refs, attrs, PSEUDO, {"Stage": "prod", "SigningMode": "off"}).conditions == {
        "IsKmsSigning": False,
        "IsProd": True,
        "HasMatrixParameter": False,
        **caps,
    }
    assert Resolver(template, refs, attrs, PSEUDO, {"ApiConcurrencyLimit": "20"}).conditions["CapsApi"] is True
    api_env = r.resolve(template["Resources"]["ApiFunction"])["Properties"]["Environment"]["Variables"]
    assert api_env["CONSOLE_URL"] == f"https://{attrs[('ConsoleDistribution', 'DomainName')]}"  # the stack's own
    elsewhere = Resolver(template, refs, attrs, PSEUDO, {"ConsoleUrl": "https://console.example"})
    notify = elsewhere.resolve(template["Resources"]["NotifyFunction"])["Properties"]["Environment"]["Variables"]
    assert notify["CONSOLE_URL"] == "https://console.example"
    function_globals = template["Globals"]["Function"]
    assert "AWS_LAMBDA_EXEC_WRAPPER" not in r.resolve(function_globals)["Environment"]["Variables"]
    assert r.resolve(function_globals["Layers"]) == [refs["CommonLayer"]]  # no ADOT layer unless asked
    adot = "arn:aws:lambda:eu-west-1:901920570463:layer:aws-otel-python-arm64-ver-1-32-0:1"
    otel = Resolver(template, refs, attrs, PSEUDO, {"TracingBackend": "otel", "AdotLayerArn": adot})
    assert otel.resolve(function_globals["Layers"]) == [refs["CommonLayer"], adot]
    wrapper = otel.resolve(function_globals)["Environment"]["Variables"]["AWS_LAMBDA_EXEC_WRAPPER"]
    assert wrapper == "/opt/otel-instrument"
    assert not Resolver(template, refs, attrs, PSEUDO, {"TracingBackend": "otel"}).conditions["ExportsOtel"]
    origins = "https://console.example,https://admin.example"
    cors = Resolver(template, refs, attrs, PSEUDO, {"CorsAllowedOrigins": origins})
    assert cors.conditions["HasCorsOrigins"] is True
    http_api = cors.resolve(template["Resources"]["HttpApi"])["Properties"]
    console = f"https://{attrs[('ConsoleDistribution', 'DomainName')]}"  # the web console is always allowed
    assert http_api["CorsConfiguration"]["AllowOrigins"] == [console, *origins.split(",")]
    assert r.resolve(template["Resources"]["HttpApi"])["Properties"]["CorsConfiguration"]["AllowOrigins"] == [console]
    resolved = r.resolve(template["Resources"])
    for node in _walk(resolved):
        if isinstance(node, dict):
            assert not ({"Ref", "Fn::GetAtt", "Fn::Sub", "Fn::If", "Fn::Join"} & node.keys()), node
    for logical_id, resource in template["Resources"].items():
        if resource.get("Type") == "AWS::Serverless::StateMachine":
            subs = resolved[logical_id]["Properties"]["DefinitionSubstitutions"]
            raw = resource["Properties"]["DefinitionSubstitutions"]
            for key, value in subs.items():
                assert isinstance(value, str)
                assert "${" not in value
                if isinstance(raw[key], str):  # a literal such as the default event bus
                    assert value == raw[key]
                else:
                    assert value in set(refs.values()) | set(attrs.values())


def test_the_console_may_upload_to_the_assets_bucket_from_its_own_origin(template: dict[str, Any]) -> None:
    """Replacement files go up by presigned PUT, brand-style source photos by presigned POST (an HTML form)."""
    refs, attrs = local_names(template, "eu-west-1", "ffo-test")
    bucket = Resolver(template, refs, attrs, PSEUDO).resolve(template["Resources"]["AssetsBucket"])["Properties"]
    console = f"https://{attrs[('ConsoleDistribution', 'DomainName')]}"
    allowed = {
        m
        for rule in bucket["CorsConfiguration"]["CorsRules"]
        if console in rule["AllowedOrigins"]
        for m in rule["AllowedMethods"]
    }
    assert {"GET", "PUT", "POST"} <= allowed


def test_the_template_reads_the_same_with_libyaml_and_with_pure_python(template: dict[str, Any]) -> None:
    # load_template uses libyaml's parser when PyYAML has it (engine start): it must not change what is read
    from ffo import cfn

    class PurePython(yaml.SafeLoader):
        pass

    PurePython.add_multi_constructor("!", cfn._construct)
    assert cfn._CfnLoader.__mro__[1] is getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    assert yaml.load(TEMPLATE_PATH.read_text("utf-8"), Loader=PurePython) == template


def _never_parsed(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError("template.yaml was parsed again")


def test_a_parsed_template_is_kept_and_read_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import ffo.cfn

    monkeypatch.setenv("FFO_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(ffo.cfn, "_PARSED", {})  # as in a new process
    parsed = load_template(TEMPLATE_PATH)
    assert [p.name.startswith("template-") for p in (tmp_path / "cache").iterdir()] == [True]

    monkeypatch.setattr(ffo.cfn.yaml, "load", _never_parsed)
    assert load_template(TEMPLATE_PATH) == parsed
    assert list(load_template(TEMPLATE_PATH)["Resources"]) == list(parsed["Resources"])  # the same order


def test_a_changed_template_is_parsed_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FFO_CACHE_DIR", str(tmp_path / "cache"))
    path = tmp_path / "template.yaml"
    path.write_text("Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n", "utf-8")
    assert load_template(path)["Resources"]["Queue"]["Type"] == "AWS::SQS::Queue"
    path.write_text("Resources:\n  Queue:\n    Type: AWS::SNS::Topic\n", "utf-8")
    assert load_template(path)["Resources"]["Queue"]["Type"] == "AWS::SNS::Topic"


def test_what_json_cannot_hold_is_not_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FFO_CACHE_DIR", str(tmp_path / "cache"))
    path = tmp_path / "template.yaml"
    path.write_text("Resources: {}\nOutputs:\n  When: 2012-10-17\n", "utf-8")  # a YAML date
    for _ in range(2):
        assert str(load_template(path)["Outputs"]["When"]) == "2012-10-17"
    assert not (tmp_path / "cache").exists() or not any((tmp_path / "cache").iterdir())


def test_no_cache_when_it_is_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FFO_CACHE_DIR", "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert load_template(TEMPLATE_PATH)["Resources"]
    assert list(tmp_path.iterdir()) == []


def test_a_template_read_again_is_a_fresh_copy_and_a_changed_file_is_parsed_again(tmp_path: Path) -> None:
    path = tmp_path / "template.yaml"
    shutil.copy(TEMPLATE_PATH, path)
    first = load_template(path)
    first["Resources"].clear()  # a caller's change stays its own
    again = load_template(path)
    assert again == load_template(TEMPLATE_PATH)
    assert again["Resources"]
    assert again is not first
    path.write_text(path.read_text("utf-8") + "\nOutputs:\n  Extra:\n    Value: !Ref AWS::StackName\n", "utf-8")
    assert load_template(path)["Outputs"] == {"Extra": {"Value": {"Ref": "AWS::StackName"}}}
