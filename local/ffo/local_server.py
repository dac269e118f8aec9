"""``ffo serve``'s server object: the local stack behind real HTTP, with state that outlives it.

    server = LocalServer(root, state_dir=root / "out" / "state", port=0)
    server.start()          # engine up, state loaded, lost executions settled, HTTP on 127.0.0.1
    server.tick()           # fire due post schedules; save the state if anything ran since the last save
    server.stop()           # settle running executions, save, release the state directory

One process owns a state directory at a time: ``start`` takes an exclusive lock on ``<state>/lock``
(held until ``stop`` or the process ends, so a crashed server leaves no stale lock) and writes
``<state>/server.json`` (url, pid, issuer). Another ``ffo`` command that wants the same state either
finds the lock held and talks to the server over HTTP (``running_server``), or takes the lock itself.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import IO, Any

from ffo.console_site import ConsoleSite
from ffo.engine import LocalEngine
from ffo.http_gateway import Gateway, LocalHttpServer
from ffo.local_issuer import AuthorizerConfig, JwtAuthorizer, LocalIssuer, default_directory
from ffo.local_s3 import PresignRedirect
from ffo.scheduler_clock import Clock
from ffo.state_store import StateStore, settle_lost

fcntl: ModuleType | None
try:
    import fcntl
except ImportError:  # Windows: no advisory locks; one server per state directory is then up to you
    fcntl = None

LOCK_FILE = "lock"
SERVER_FILE = "server.json"
DEFAULT_SAVE_INTERVAL = 2.0
DRAINED_QUEUES = ("LintJobQueue",)
"""Queues whose consumer runs at every tick, as Lambda's event source mapping polls a queue continuously. The
BatchQueue is left out: its messages wait for budget (an hour's visibility timeout deployed) and go back at
once locally, so a tick would spin on them; ``ffo run --raise-budget`` drains it when asked."""
MAX_DELIVERIES_PER_TICK = 10


def default_state_dir(root: Path) -> Path:
    return root / "out" / "state"


class StateDirectoryBusy(RuntimeError):
    """Another process holds the state directory (a running ``ffo serve``, or a command using it)."""


class StateLock:
    """An exclusive, non-blocking ``flock`` on ``<state>/lock``, released when the process ends."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / LOCK_FILE
        self._handle: IO[str] | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a")
        if fcntl is not None:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as error:
                handle.close()
                raise StateDirectoryBusy(f"{self.path.parent} is in use by another ffo process") from error
        self._handle = handle

    def release(self) -> None:
        if self._handle is not None:
            if fcntl is not None:
                fcntl.flock(self._handle, fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None

    def held_elsewhere(self) -> bool:
        """Whether another process holds the lock (tried without keeping it)."""
        if fcntl is None or not self.path.is_file():
            return False
        with self.path.open("a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                return True
            fcntl.flock(handle, fcntl.LOCK_UN)
            return False


@dataclass(frozen=True)
class RunningServer:
    url: str
    pid: int
    issuer: str


def running_server(state_dir: Path) -> RunningServer | None:
    """The ``ffo serve`` that owns ``state_dir``, if one is running (its lock is held and it wrote its address)."""
    path = state_dir / SERVER_FILE
    if not path.is_file() or not StateLock(state_dir).held_elsewhere():
        return None
    try:
        data = json.loads(path.read_text("utf-8"))
        return RunningServer(url=str(data["url"]), pid=int(data["pid"]), issuer=str(data["issuer"]))
    except (ValueError, KeyError):
        return None


class LocalServer:
    def __init__(
        self,
        root: Path,
        *,
        state_dir: Path | None,
        host: str = "127.0.0.1",
        port: int = 8080,
        issuer_dir: Path | None = None,
        env: dict[str, str] | None = None,
        save_interval: float = DEFAULT_SAVE_INTERVAL,
        log: Callable[[str], Any] | None = None,
    ) -> None:
        self.root = root
        self.state = StateStore(state_dir) if state_dir is not None else None
        self.lock = StateLock(state_dir) if state_dir is not None else None
        self.host, self.port = host, port
        self.issuer = LocalIssuer(issuer_dir or default_directory(root))
        self.engine = LocalEngine(root, env=env)
        self.save_interval = save_interval
        self._log = log
        self.http: LocalHttpServer | None = None
        self._presign: PresignRedirect | None = None
        self._last_save = 0.0
        self.clock = Clock()
        """The one-time schedules already fired (saved with the state, so none fires twice)."""
        self.settled: list[str] = []
        """Executions found lost at start (the server had stopped under them) and settled."""

    @property
    def url(self) -> str:
        assert self.http is not None, "start() first"
        return self.http.url

    def log(self, text: str) -> None:
        if self._log is not None:
            self._log(text)

    def start(self) -> None:
        if self.lock is not None:
            self.lock.acquire()
        try:
            self._start()
        except BaseException:
            self.stop(save=False)
            raise

    def _start(self) -> None:
        from flashfusion import wiring
        from flashfusion.storage import keys

        config = AuthorizerConfig.from_template(self.engine.template, self.engine.parameters)
        jwks = self.issuer.jwks()
        self.issuer.write_jwks()
        console = ConsoleSite(self.root / "console")

        def mint(org: str, sub: str, groups: list[str], ttl: int) -> str:
            return self.issuer.mint(config, org_id=org, subject=sub, groups=groups, ttl_seconds=ttl)

        gateway = Gateway(
            self.engine,
            JwtAuthorizer(config, jwks),
            jwks,
            lambda: self.url,
            keys.asset_prefix_of,
            console.answer,
            local_token=mint,
        )
        self.http = LocalHttpServer((self.host, self.port), gateway, self.log)  # bound: the port is known
        # Shared review links point at the console ffo serve serves (/console/), unless told otherwise.
        self.engine.env_overrides.setdefault("CONSOLE_URL", f"{self.url}/console")
        self.engine.start()
        # On the session moto's mock set up (it replaces boto3's default session when it starts); the
        # layer's clients are built again from it, so their presigned URLs lead here.
        self._presign = PresignRedirect(self.url)
        self._presign.install()
        wiring.reset()
        if self.state is not None:
            snapshot = self.state.load(self.engine)
            if snapshot is not None:
                self.clock = Clock(fired={(group, name) for group, name in snapshot.fired})
                self.settled = settle_lost(self.engine, snapshot.running)
                counts = snapshot.counts()
                self.log(
                    f"ffo serve: state loaded from {self.state.directory} ({counts['items']} items, "
                    f"{counts['objects']} object versions, {counts['schedules']} schedules"
                    + (f"; {len(self.settled)} request(s) whose workflow was lost settled" if self.settled else "")
                    + ")\n"
                )
        self.http.start()
        if self.state is not None:
            self._write_server_file()
            self.save()

    def _write_server_file(self) -> None:
        assert self.state is not None
        data = {"url": self.url, "pid": os.getpid(), "issuer": self.issuer.directory.as_posix()}
        path = self.state.directory / SERVER_FILE
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(json.dumps(data), "utf-8")
        os.replace(temporary, path)

    def tick(self) -> list[Any]:
        """Fire the post schedules due now; save the state when something ran since the last save
        (at most every ``save_interval`` seconds)."""
        from ffo.scheduler_clock import fire_due

        fired = fire_due(self.engine, datetime.now(UTC), self.clock)
        for record in fired:
            self.log(record.describe() + "\n")
        self.drain()
        if self.engine.invocations and time.monotonic() - self._last_save >= self.save_interval:
            self.save()
        return fired

    def drain(self) -> int:
        """Hand the waiting messages of DRAINED_QUEUES to their consumers, one per invocation (the template's
        BatchSize), a bounded number per tick; how many were handed over."""
        handed = 0
        for queue in DRAINED_QUEUES:
            if queue not in self.engine.resources.queue_consumers:
                continue
            for _ in range(MAX_DELIVERIES_PER_TICK):
                delivered = self.engine.deliver(queue, max_messages=1)
                count = len(delivered["succeeded"]) + len(delivered["failed"])
                if not count:
                    break
                handed += count
        return handed

    def save(self) -> None:
        if self.state is None:
            return
        with self.engine.exclusive():
            # What ran is saved now; forgetting it keeps a long-running server's memory flat.
            self.engine.invocations.clear()
            self.engine.sleeps.clear()
        self.state.save(self.engine, self.clock.fired)
        self._last_save = time.monotonic()

    def stop(self, *, save: bool = True) -> None:
        """Stop serving; the executions still running are stopped and their requests settled (they
        cannot outlive the process), then the state is saved and the directory released."""
        if self.http is not None:
            self.http.stop()
            self.http = None
        if self._presign is not None:
            self._presign.uninstall()
            self._presign = None
        try:
            if self.engine.active:
                if self.state is not None and save:
                    lost = self.state.running(self.engine)
                    self.engine.stop_executions()
                    self.settled = settle_lost(self.engine, lost)
                    self.save()
                self.engine.stop()
        finally:
            if self.state is not None:
                with suppress(FileNotFoundError):
                    (self.state.directory / SERVER_FILE).unlink()
            if self.lock is not None:
                self.lock.release()
