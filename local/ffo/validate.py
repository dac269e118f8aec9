"""`ffo validate`: check template.yaml and every state machine definition it names.

cfn-lint (behind `sam validate --lint`) does not look inside a SAM state machine's definition file,
so this does: the ASL parses (moto's parser, the one that executes it locally), every transition
target exists, every state is reachable, every substitution is defined, and every custom error name
a Retry or Catch waits for is an error class the handlers can raise.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ffo import asl_cache
from ffo.cfn import ACCOUNT_ID, Resolver, load_template, local_names

_PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9_]+)\}")
_NEEDS_NEXT = {"Task", "Pass", "Wait", "Parallel", "Map"}


@dataclass(frozen=True)
class Problem:
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


def transitions(state: dict[str, Any]) -> list[str]:
    targets = [state["Next"]] if "Next" in state else []
    targets += [c["Next"] for c in state.get("Choices", []) if "Next" in c]
    targets += [state["Default"]] if "Default" in state else []
    targets += [c["Next"] for c in state.get("Catch", []) if "Next" in c]
    return targets


def check_graph(graph: dict[str, Any], where: str) -> list[Problem]:
    problems: list[Problem] = []
    states: dict[str, Any] = graph.get("States", {})
    start = graph.get("StartAt")
    if start not in states:
        problems.append(Problem(where, f"StartAt {start!r} is not a state"))
    for name, state in states.items():
        kind = state.get("Type")
        for target in transitions(state):
            if target not in states:
                problems.append(Problem(f"{where}/{name}", f"goes to {target!r}, which is not a state"))
        if kind in _NEEDS_NEXT and "Next" not in state and not state.get("End"):
            problems.append(Problem(f"{where}/{name}", f"a {kind} state needs Next or End"))
        if kind == "Choice" and not state.get("Choices"):
            problems.append(Problem(f"{where}/{name}", "a Choice state needs Choices"))
        for i, branch in enumerate(state.get("Branches", [])):
            problems += check_graph(branch, f"{where}/{name}/branch[{i}]")
        inner = state.get("ItemProcessor") or state.get("Iterator")
        if inner:
            problems += check_graph(inner, f"{where}/{name}/items")
    seen: set[str] = set()
    frontier = [start] if start in states else []
    while frontier:
        name = frontier.pop()
        if name in seen:
            continue
        seen.add(name)
        frontier += [t for t in transitions(states[name]) if t in states]
    for name in states:
        if name not in seen and start in states:
            problems.append(Problem(f"{where}/{name}", "is unreachable from StartAt"))
    return problems


def error_names(graph: dict[str, Any]) -> set[str]:
    names: set[str] = set()
    for state in graph.get("States", {}).values():
        for rule in [*state.get("Retry", []), *state.get("Catch", [])]:
            names.update(rule.get("ErrorEquals", []))
        for branch in state.get("Branches", []):
            names |= error_names(branch)
        inner = state.get("ItemProcessor") or state.get("Iterator")
        if inner:
            names |= error_names(inner)
    return names


def check_error_names(graph: dict[str, Any], where: str) -> list[Problem]:
    from flashfusion import errors

    problems = []
    for name in sorted(error_names(graph)):
        if "." in name:  # States.*, Lambda.*, DynamoDB.*: raised by the service, not by our code
            continue
        candidate = getattr(errors, name, None)
        if not (isinstance(candidate, type) and issubclass(candidate, Exception)):
            problems.append(Problem(where, f"waits for error {name!r}, which flashfusion.errors does not define"))
    return problems


def check_definition(text: str, substitutions: dict[str, Any], where: str) -> list[Problem]:
    problems: list[Problem] = []
    used = set(_PLACEHOLDER.findall(text))
    for name in sorted(used - substitutions.keys()):
        problems.append(Problem(where, f"${{{name}}} has no DefinitionSubstitutions entry"))
    for name in sorted(substitutions.keys() - used):
        problems.append(Problem(where, f"DefinitionSubstitutions {name!r} is never used"))
    concrete = _PLACEHOLDER.sub(lambda m: str(substitutions.get(m.group(1), "placeholder")), text)
    try:
        graph = json.loads(concrete)
    except json.JSONDecodeError as error:
        return [*problems, Problem(where, f"is not valid JSON: {error}")]
    try:
        from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser

        # A definition moto (this version) parsed before is loaded from the parse cache (~10 ms, not ~0.5 s);
        # one it refused was never cached, so it is parsed, and refused, again.
        asl_cache.parse(concrete, AmazonStateLanguageParser.parse)
    except Exception as error:
        problems.append(Problem(where, f"is not valid ASL: {error}"))
    return problems + check_graph(graph, where) + check_error_names(graph, where)


def check_template(root: Path, template_path: Path | None = None) -> list[Problem]:
    path = template_path or root / "template.yaml"
    try:
        template = load_template(path)
    except Exception as error:
        return [Problem(str(path), f"cannot be read: {error}")]
    resources: dict[str, Any] = template.get("Resources", {})
    refs, attrs = local_names(template, "us-east-1", "validate")
    pseudo = {
        "AWS::Region": "us-east-1",
        "AWS::AccountId": ACCOUNT_ID,
        "AWS::StackName": "validate",
        "AWS::Partition": "aws",
        "AWS::URLSuffix": "amazonaws.com",
    }
    problems: list[Problem] = []
    try:
        resolver = Resolver(template, refs, attrs, pseudo)
        resolver.resolve(resources)
        resolver.resolve(template.get("Globals", {}))
        resolver.resolve(template.get("Outputs", {}))
    except KeyError as error:
        return [Problem(str(path), str(error))]
    for logical_id, resource in resources.items():
        props = resource.get("Properties", {})
        where = f"{path.name}/{logical_id}"
        if resource.get("Type") == "AWS::Serverless::Function":
            handler = props.get("Handler", "app.lambda_handler")
            module_file = root / props.get("CodeUri", "") / f"{handler.rsplit('.', 1)[0]}.py"
            if not module_file.is_file():
                problems.append(Problem(where, f"handler file {module_file.relative_to(root)} does not exist"))
            elif f"def {handler.rsplit('.', 1)[1]}(" not in module_file.read_text("utf-8"):
                problems.append(Problem(where, f"{module_file.relative_to(root)} defines no {handler}"))
        if resource.get("Type") == "AWS::Serverless::StateMachine":
            definition = root / props.get("DefinitionUri", "")
            if not definition.is_file():
                problems.append(Problem(where, f"DefinitionUri {props.get('DefinitionUri')} does not exist"))
                continue
            substitutions = resolver.resolve(props.get("DefinitionSubstitutions", {}))
            problems += check_definition(
                definition.read_text("utf-8"), substitutions, str(definition.relative_to(root))
            )
    return problems
