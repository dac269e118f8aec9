"""ffo serve's /console/: the console's files from console/, a config.json for the local stack, nothing else."""

from __future__ import annotations

import json
from pathlib import Path

from ffo.console_site import ConsoleSite
from tests.helpers import ROOT

SITE = ConsoleSite(ROOT / "console")


def test_the_index_and_the_modules_are_served_with_their_types_and_a_same_origin_policy() -> None:
    index = SITE.answer("GET", "/console/")
    assert index is not None
    assert index.status == 200
    assert index.headers["content-type"] == "text/html; charset=utf-8"
    assert b'<script type="module" src="js/app.js">' in index.body
    assert "default-src 'self'" in index.headers["content-security-policy"]
    module = SITE.answer("GET", "/console/js/app.js")
    assert module is not None
    assert (module.status, module.headers["content-type"]) == (200, "text/javascript; charset=utf-8")
    assert module.body == (ROOT / "console" / "js" / "app.js").read_bytes()


def test_config_json_points_the_console_at_this_server_and_its_local_sign_in() -> None:
    answer = SITE.answer("GET", "/console/config.json")
    assert answer is not None
    config = json.loads(answer.body)
    assert config["apiBase"] == ""
    assert config["auth"] == {"mode": "local", "tokenUrl": "/local/token"}


def test_other_paths_are_left_to_the_gateway_and_nothing_outside_console_is_served(tmp_path: Path) -> None:
    (tmp_path / "console").mkdir()
    (tmp_path / "secret.txt").write_text("no")
    site = ConsoleSite(tmp_path / "console")
    assert site.answer("GET", "/v1/reviews") is None
    assert site.answer("GET", "/consoles") is None
    for path in ("/console/../secret.txt", "/console/js/../../secret.txt", "/console/missing.js"):
        answer = site.answer("GET", path)
        assert answer is not None
        assert answer.status == 404, path
    redirect = site.answer("GET", "/console")
    assert redirect is not None
    assert (redirect.status, redirect.headers["location"]) == (301, "/console/")
    refused = site.answer("POST", "/console/index.html")
    assert refused is not None
    assert refused.status == 405
