"""`ffo run --state DIR` and `ffo review --state DIR`: the state directory `ffo serve` keeps, used by a command.

A command either owns the directory for its run (no server holds it): it takes the lock, loads the snapshot into
its engine, does its work, settles what is still running (a workflow cannot outlive the process: its request is
failed with ``LocalServerStopped``, as when ``ffo serve`` stops) and saves; or ``ffo serve`` holds it, and the
work goes to that server over HTTP (``ffo run``), or the command says to use the HTTP API.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ffo.engine import LocalEngine
from ffo.local_server import RunningServer, StateDirectoryBusy, StateLock, running_server
from ffo.state_store import StateStore, settle_lost


class ServerOwnsState(StateDirectoryBusy):
    """``ffo serve`` is running on the state directory: only it may change that state (over HTTP)."""

    def __init__(self, state_dir: Path, server: RunningServer) -> None:
        super().__init__(
            f"`ffo serve` (pid {server.pid}) is running on {state_dir} at {server.url}: it owns that state, so "
            f"send the work to its HTTP API (with a token from `ffo token`) instead of to a second engine"
        )
        self.server = server


def busy_error(state_dir: Path) -> StateDirectoryBusy:
    """Why the directory cannot be used: a running server (with its address), or another ffo command."""
    server = running_server(state_dir)
    if server is not None:
        return ServerOwnsState(state_dir, server)
    return StateDirectoryBusy(
        f"{state_dir} is in use by another ffo command (its lock is held); wait for it to finish, or pass "
        "another --state"
    )


@contextmanager
def kept_in(engine: LocalEngine, state_dir: Path, say: Callable[[str], Any]) -> Iterator[None]:
    """Run the block on ``state_dir``'s state, in a started ``engine``, and save what it changed.

    Raises ``ServerOwnsState`` or ``StateDirectoryBusy`` (before anything is loaded) when the directory is held.
    """
    lock = StateLock(state_dir)
    try:
        lock.acquire()
    except StateDirectoryBusy:
        raise busy_error(state_dir) from None
    store = StateStore(state_dir)
    try:
        snapshot = store.load(engine)
        fired = {(group, name) for group, name in snapshot.fired} if snapshot else set()
        if snapshot is not None:
            settled = settle_lost(engine, snapshot.running)
            say(f"ffo: state loaded from {state_dir} ({snapshot.counts()['items']} items)\n")
            if settled:
                say(f"ffo: {len(settled)} request(s) whose workflow was lost settled\n")
        yield
        lost = store.running(engine)
        engine.stop_executions()
        if settle_lost(engine, lost):
            say(
                f"ffo: {len(lost)} workflow(s) still running cannot outlive this command; their requests are "
                "failed (LocalServerStopped). To decide a review later, run `ffo serve` and submit there\n"
            )
        store.save(engine, fired)
        say(f"ffo: state saved in {state_dir}\n")
    finally:
        lock.release()
