"""`ffo validate` on the real project and on broken copies of it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from ffo.cli import main
from ffo.validate import check_template
from tests.helpers import ROOT

ASL = Path("statemachine/create_asset.asl.json")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for part in ("template.yaml", "statemachine", "functions"):
        source = ROOT / part
        if source.is_dir():
            shutil.copytree(source, tmp_path / part)
        else:
            shutil.copy(source, tmp_path / part)
    return tmp_path


def edit_asl(project: Path, change: Any) -> None:
    path = project / ASL
    definition = json.loads(path.read_text("utf-8"))
    change(definition["States"])
    path.write_text(json.dumps(definition), "utf-8")


def messages(project: Path) -> list[str]:
    return [str(p) for p in check_template(project)]


def test_the_project_is_consistent(capsys: pytest.CaptureFixture[str]) -> None:
    assert check_template(ROOT) == []
    assert main(["--root", str(ROOT), "validate"]) == 0
    assert "consistent" in capsys.readouterr().out


def test_next_to_a_missing_state_fails(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit_asl(project, lambda states: states["RouteModel"].update(Next="Generat"))
    found = messages(project)
    assert any("RouteModel: goes to 'Generat', which is not a state" in m for m in found)
    assert main(["--root", str(project), "validate"]) == 1
    assert "problem(s)" in capsys.readouterr().out


def test_unreachable_state_fails(project: Path) -> None:
    edit_asl(project, lambda states: states.update(Orphan={"Type": "Pass", "End": True}))
    assert any("Orphan: is unreachable from StartAt" in m for m in messages(project))


def test_catch_to_a_missing_state_fails(project: Path) -> None:
    edit_asl(project, lambda states: states["Generate"]["Catch"][0].update(Next="Fallbak"))
    assert any("Generate: goes to 'Fallbak'" in m for m in messages(project))


def test_choice_default_to_a_missing_state_fails(project: Path) -> None:
    edit_asl(project, lambda states: states["IsCompliant"].update(Default="Nowhere"))
    assert any("IsCompliant: goes to 'Nowhere'" in m for m in messages(project))


def test_unknown_error_name_fails(project: Path) -> None:
    edit_asl(project, lambda states: states["Generate"]["Retry"][0]["ErrorEquals"].append("ProviderThrottle"))
    assert any("'ProviderThrottle', which flashfusion.errors does not define" in m for m in messages(project))


def test_undefined_substitution_fails(project: Path) -> None:
    edit_asl(project, lambda states: states["SaveAsset"].update(Resource="${SaveFunctionArnn}"))
    found = messages(project)
    assert any("${SaveFunctionArnn} has no DefinitionSubstitutions entry" in m for m in found)
    assert any("'SaveFunctionArn' is never used" in m for m in found)


def test_invalid_asl_fails(project: Path) -> None:
    edit_asl(project, lambda states: states["Generate"].update(Type="Taskk"))
    assert any("is not valid ASL" in m for m in messages(project))


def test_missing_handler_fails(project: Path) -> None:
    (project / "functions" / "lint" / "app.py").unlink()
    assert any("LintFunction: handler file functions/lint/app.py does not exist" in m for m in messages(project))


def test_unknown_ref_in_template_fails(project: Path) -> None:
    template = project / "template.yaml"
    template.write_text(template.read_text("utf-8").replace("!Ref AppTable}", "!Ref AppTabel}", 1), "utf-8")
    assert any("AppTabel" in m for m in messages(project))
