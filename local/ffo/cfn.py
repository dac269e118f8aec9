"""Read template.yaml (CloudFormation short-form tags included) and resolve intrinsics locally."""

from __future__ import annotations

import hashlib
import json
import pickle
import re
from pathlib import Path
from typing import Any

import yaml

ACCOUNT_ID = "123456789012"
_TAG_NAMES = {"Ref": "Ref", "Condition": "Condition"}


# libyaml's parser when PyYAML was built with it (~10x faster on template.yaml: ~0.4 s of every engine
# start); the constructors and resolvers are the same Python ones either way, so the result is the same.
if hasattr(yaml, "CSafeLoader"):
    from yaml import CSafeLoader as _SafeLoader
else:  # PyYAML without libyaml
    from yaml import SafeLoader as _SafeLoader  # type: ignore[assignment]


class _CfnLoader(_SafeLoader):
    """SafeLoader that turns `!Sub x` into {"Fn::Sub": x} and `!Ref x` into {"Ref": x}."""


def _construct(loader: yaml.SafeLoader, tag_suffix: str, node: yaml.Node) -> dict[str, Any]:
    key = _TAG_NAMES.get(tag_suffix, f"Fn::{tag_suffix}")
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        if tag_suffix == "GetAtt":
            value = str(value).split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    return {key: value}


_CfnLoader.add_multi_constructor("!", _construct)


_SOURCE = Path(__file__).read_bytes()
"""This module's source: part of the cache key, since a change to the parser changes what a parse gives."""

_PARSED: dict[str, bytes] = {}
"""digest -> the parsed template, pickled: the engine, the local server and many tests load template.yaml again
and again in one process (~2 ms to unpickle a fresh copy the caller may change)."""


def load_template(path: Path) -> dict[str, Any]:
    """The template as data. Parsing template.yaml costs ~50 ms of every engine start and ``ffo`` command that
    reads it: a parse is kept in this process, and as JSON in ffo's cache folder (``ffo.asl_cache.cache_dir``),
    both under the SHA-256 of the template's bytes and of this module's source (a change to either parses
    afresh). JSON on disk, not pickle: loading the cache runs no code. A template JSON cannot hold exactly (a
    YAML date, say) is not kept on disk."""
    from ffo.asl_cache import cache_dir, write_atomically

    raw = path.read_bytes()
    digest = hashlib.sha256(raw + b"\0" + _SOURCE).hexdigest()[:40]
    if digest in _PARSED:
        loaded: dict[str, Any] = pickle.loads(_PARSED[digest])  # noqa: S301 - this process's own pickle
        return loaded
    folder = cache_dir()
    cached = None if folder is None else folder / f"template-{digest}.json"
    data: dict[str, Any] | None = None
    if cached is not None:
        try:
            data = json.loads(cached.read_bytes())
        except (OSError, ValueError):  # not kept yet, or unreadable: parse
            data = None
    if data is None:
        data = yaml.load(raw.decode("utf-8"), Loader=_CfnLoader)  # noqa: S506 - SafeLoader subclass
        if folder is not None and cached is not None:
            try:
                encoded = json.dumps(data)
            except (TypeError, ValueError):  # something JSON has no type for
                encoded = None
            if encoded is not None and json.loads(encoded) == data:
                write_atomically(folder, cached, encoded.encode("utf-8"))
    _PARSED[digest] = pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)
    return data


NO_VALUE: Any = object()
"""What !Ref AWS::NoValue resolves to: the property or list item it stands in is dropped."""

_SUB_VAR = re.compile(r"\$\{(!?[^}]+)\}")


class Resolver:
    """Resolves Ref, Fn::GetAtt, Fn::Sub, Fn::If, Fn::Join, Fn::Split, Fn::Equals against local names."""

    def __init__(
        self,
        template: dict[str, Any],
        refs: dict[str, str],
        attrs: dict[tuple[str, str], str],
        pseudo: dict[str, str],
        parameters: dict[str, str] | None = None,
    ) -> None:
        self.template = template
        self.refs = refs
        self.attrs = attrs
        self.pseudo = pseudo
        self.parameters = {name: str(spec.get("Default", "")) for name, spec in template.get("Parameters", {}).items()}
        self.parameters.update(parameters or {})
        self._condition_exprs: dict[str, Any] = template.get("Conditions", {})
        self._conditions: dict[str, bool] = {}

    @property
    def conditions(self) -> dict[str, bool]:
        return {name: self.condition(name) for name in self._condition_exprs}

    def condition(self, name: str) -> bool:
        if name not in self._conditions:
            if name not in self._condition_exprs:
                raise KeyError(f"template uses condition {name!r}, which it does not define")
            self._conditions[name] = bool(self.resolve(self._condition_exprs[name]))
        return self._conditions[name]

    def ref(self, name: str) -> Any:
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in self.pseudo:
            return self.pseudo[name]
        if name in self.parameters:
            return self.parameters[name]
        if name in self.refs:
            return self.refs[name]
        raise KeyError(f"template refers to {name!r}, which the local engine does not know")

    def get_att(self, logical_id: str, attribute: str) -> str:
        try:
            return self.attrs[(logical_id, attribute)]
        except KeyError:
            raise KeyError(f"template asks for {logical_id}.{attribute}, unknown to the local engine") from None

    def sub(self, text: str, variables: dict[str, Any] | None = None) -> str:
        values = {k: self.resolve(v) for k, v in (variables or {}).items()}

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("!"):  # ${!Literal} is CloudFormation's escape for a literal ${Literal}
                return "${" + name[1:] + "}"
            if name in values:
                return str(values[name])
            if "." in name and not name.startswith("AWS::"):
                logical_id, attribute = name.split(".", 1)
                return self.get_att(logical_id, attribute)
            return self.ref(name)

        return _SUB_VAR.sub(replace, text)

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            return [r for r in (self.resolve(v) for v in value) if r is not NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, arg),) = value.items()
            if key == "Ref":
                return self.ref(arg)
            if key == "Fn::GetAtt":
                parts = arg if isinstance(arg, list) else str(arg).split(".", 1)
                return self.get_att(parts[0], parts[1])
            if key == "Fn::Sub":
                return self.sub(arg) if isinstance(arg, str) else self.sub(arg[0], arg[1])
            if key == "Fn::If":
                name, when_true, when_false = arg
                return self.resolve(when_true if self.condition(name) else when_false)
            if key == "Fn::Join":
                items = self.resolve(arg[1])
                if isinstance(items, str):  # a CommaDelimitedList parameter, held as its text
                    items = items.split(",") if items else []
                return str(arg[0]).join(str(self.resolve(v)) for v in items)
            if key == "Fn::Split":
                return str(self.resolve(arg[1])).split(str(arg[0]))
            if key == "Fn::Equals":
                return self.resolve(arg[0]) == self.resolve(arg[1])
            if key == "Fn::Not":
                return not self.resolve(arg[0])
            if key == "Fn::And":
                return all(self.resolve(v) for v in arg)
            if key == "Fn::Or":
                return any(self.resolve(v) for v in arg)
            if key == "Condition":
                return self.condition(arg)
            if key.startswith("Fn::"):
                raise KeyError(f"the local engine does not implement {key}")
        return {k: r for k, r in ((k, self.resolve(v)) for k, v in value.items()) if r is not NO_VALUE}


def local_names(
    template: dict[str, Any], region: str, stack_name: str
) -> tuple[dict[str, str], dict[tuple[str, str], str]]:
    """Physical names and ARNs the local engine gives each resource (what Ref and GetAtt return)."""
    refs: dict[str, str] = {}
    attrs: dict[tuple[str, str], str] = {}
    prefix = f"arn:aws:{{}}:{region}:{ACCOUNT_ID}"
    for logical_id, resource in template.get("Resources", {}).items():
        kind = resource.get("Type")
        if kind == "AWS::DynamoDB::Table":
            name = f"{stack_name}-{logical_id}"
            refs[logical_id] = name
            attrs[(logical_id, "Arn")] = f"{prefix.format('dynamodb')}:table/{name}"
        elif kind == "AWS::S3::Bucket":
            name = f"{stack_name}-{logical_id}".lower()
            refs[logical_id] = name
            attrs[(logical_id, "Arn")] = f"arn:aws:s3:::{name}"
            attrs[(logical_id, "RegionalDomainName")] = f"{name}.s3.{region}.amazonaws.com"
        elif kind == "AWS::Serverless::Function":
            refs[logical_id] = logical_id
            attrs[(logical_id, "Arn")] = f"{prefix.format('lambda')}:function:{logical_id}"
        elif kind == "AWS::Serverless::StateMachine":
            arn = f"{prefix.format('states')}:stateMachine:{logical_id}"
            refs[logical_id] = arn
            attrs[(logical_id, "Arn")] = arn
            attrs[(logical_id, "Name")] = logical_id
        elif kind == "AWS::SQS::Queue":
            refs[logical_id] = f"https://sqs.{region}.amazonaws.com/{ACCOUNT_ID}/{stack_name}-{logical_id}"
            attrs[(logical_id, "Arn")] = f"{prefix.format('sqs')}:{stack_name}-{logical_id}"
            attrs[(logical_id, "QueueName")] = f"{stack_name}-{logical_id}"
        elif kind == "AWS::CloudFront::Distribution":  # the console's; ffo serve serves it at /console/ instead
            refs[logical_id] = f"LOCAL{logical_id.upper()}"
            attrs[(logical_id, "DomainName")] = f"{logical_id.lower()}.cloudfront.local"
        elif kind == "AWS::CloudFront::OriginAccessControl":
            refs[logical_id] = attrs[(logical_id, "Id")] = f"local-{logical_id}"
        elif kind == "AWS::SNS::Topic":
            name = f"{stack_name}-{logical_id}"
            refs[logical_id] = f"{prefix.format('sns')}:{name}"
            attrs[(logical_id, "TopicArn")] = refs[logical_id]
            attrs[(logical_id, "TopicName")] = name
        elif kind == "AWS::Logs::LogGroup":
            refs[logical_id] = f"/local/{logical_id}"
            attrs[(logical_id, "Arn")] = f"{prefix.format('logs')}:log-group:/local/{logical_id}"
        else:
            refs[logical_id] = f"local-{logical_id}"
            attrs[(logical_id, "Arn")] = f"arn:aws:local:{region}:{ACCOUNT_ID}:{logical_id}"
    return refs, attrs
