"""The console in Debian's headless Chromium (Playwright for Python through ``executable_path``) against one
``ffo serve`` per test session (per xdist worker), on a free 127.0.0.1 port with a temporary state directory."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from ffo.cfn import load_template
from ffo.local_issuer import AuthorizerConfig, LocalIssuer, default_directory
from tests.api.served import BearerClient
from tests.helpers import ORG, OTHER_ORG, ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "out" / "screenshots"
WIDTHS = {"375": (375, 812), "768": (768, 1024), "1440": (1440, 900)}
STARTUP_SECONDS = 60.0
# A loaded 2-core machine runs the workflow and Chromium side by side: waits are generous, never slept.
expect.set_options(timeout=15_000)


class Served(BearerClient):
    """The running ``ffo serve``: its URL, tokens from its issuer, and a small API client for set-up."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.url = url
        self.config = AuthorizerConfig.from_template(load_template(ROOT / "template.yaml"))
        self.issuer = LocalIssuer(default_directory(ROOT))

    def token(self, sub: str = "reviewer-1", groups: tuple[str, ...] = ("reviewers",), org: str = ORG) -> str:
        return self.issuer.mint(self.config, org_id=org, subject=sub, groups=groups)

    def default_token(self) -> str:
        return self.token()

    def settled(self, request_id: str, until: set[str], timeout: float = 60.0) -> dict[str, Any]:
        """The request's record once its status is in ``until``. Each look is an API call that ``ffo serve`` answers
        on the interpreter lock its workflows run on: the looks thin out as the wait goes on (``backoff``)."""
        deadline = time.monotonic() + timeout
        for pause in backoff():
            record: dict[str, Any] = self.call("GET", f"/v1/requests/{request_id}").json()
            if record["status"] in until:
                return record
            assert time.monotonic() < deadline, f"request still {record['status']} after {timeout} s"
            time.sleep(pause)
        raise AssertionError("unreachable")  # backoff() never ends


def backoff(first: float = 0.05, longest: float = 0.25) -> Iterator[float]:
    """Pauses between looks at something ``ffo serve`` is working on: short at first (a quick answer is seen
    quickly), then longer (a look costs the server ~20-40 ms of CPU, a workflow step it is not running)."""
    pause = first
    while True:
        yield pause
        pause = min(longest, pause * 1.5)


_API_ON = re.compile(r"API on (http://127\.0\.0\.1:\d+) ")


@pytest.fixture(scope="session")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """``ffo serve --no-state``: nothing here restarts it, and saving the state (every table scanned and every
    object read, under the engine's lock, every 2 s while anything runs) cost the workflows a fifth of its CPU."""
    state = tmp_path_factory.mktemp("ffo-serve")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "MOTO_"))}
    command = [sys.executable, "-c", "import sys; from ffo.cli import main; sys.exit(main())"]
    args = ["--root", str(ROOT), "serve", "--port", "0", "--no-state", "--out", str(state / "out")]
    args += ["--org", ORG, "--org", OTHER_ORG]
    log_path = state / "serve.log"
    log = log_path.open("w")
    process = subprocess.Popen(command + args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + STARTUP_SECONDS
    try:
        while not (started := _API_ON.search(log_path.read_text("utf-8"))):
            assert process.poll() is None, log_path.read_text("utf-8")
            assert time.monotonic() < deadline, "ffo serve did not start"
            time.sleep(0.1)
        yield Served(started.group(1))
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture(scope="session")
def undecided_review(served: Served) -> dict[str, Any]:
    """A review waiting that no test decides, for the tests that only show it (the pages at each width, the queue's
    oldest, the heartbeat, a video's timeline): one workflow run for them all instead of one each."""
    from tests.browser.flows import review_waiting  # flows imports this module

    return review_waiting(served)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def new_context(
    browser: Browser, served: Served, width: str = "1440", token: str | None = None, *, bypass_csp: bool = False
) -> BrowserContext:
    """A fresh browser profile; with a token, signed in (the token in sessionStorage, as sign-in leaves it)."""
    w, h = WIDTHS[width]
    context = browser.new_context(viewport={"width": w, "height": h}, base_url=served.url, bypass_csp=bypass_csp)
    context.set_default_timeout(15_000)
    if token:
        context.add_init_script(f"sessionStorage.setItem('ffo.idToken', {json.dumps(token)});")
    return context


@pytest.fixture
def page(browser: Browser, served: Served) -> Iterator[Page]:
    context = new_context(browser, served, token=served.token())
    yield context.new_page()
    context.close()


def screenshot(page: Page, name: str) -> Path:
    """A full-page screenshot kept as a test artefact in out/screenshots/ (git-ignored)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def axe_findings(page: Page) -> list[dict[str, Any]]:
    """axe-core's violations of impact serious or critical on the page as it is now."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text("utf-8"))  # evaluated, not a <script> tag: the console's CSP allows none
    result: dict[str, Any] = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
