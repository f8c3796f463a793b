"""Real local servers for integration tests: free loopback ports, process groups, readiness, teardown.

Each server runs in its own process group (``start_new_session``) so teardown signals the whole
group (a CLI that forks a worker, postgres and its backends) and nothing else.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(
    args: Sequence[str],
    log: Path,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    user: int | None = None,
    group: int | None = None,
) -> subprocess.Popen:
    """Start ``args`` in a new process group with stdout and stderr to ``log`` (as ``user`` if given)."""
    handle = log.open("ab")
    try:
        return subprocess.Popen(
            list(args),
            stdout=handle,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=cwd,
            start_new_session=True,
            user=user,
            group=group,
            extra_groups=[] if user is not None else None,
        )
    finally:
        handle.close()


def stop(process: subprocess.Popen, grace: float = 10.0, sig: int = signal.SIGTERM) -> None:
    """Signal the process group (SIGTERM), then SIGKILL what is left after ``grace`` seconds."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(grace)
    # children of the group may outlive its leader (e.g. the celery worker under the CLI)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(grace)


def wait_for(
    ready: Callable[[], bool],
    timeout: float,
    what: str,
    processes: Sequence[subprocess.Popen] = (),
    logs: Sequence[Path] = (),
) -> None:
    """Poll ``ready`` until true; fail early (with the logs' tails) when a process has exited."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready():
            return
        if any(p.poll() is not None for p in processes):
            break
        time.sleep(0.2)
    tails = "\n".join(f"--- {log}\n{tail(log)}" for log in logs)
    raise RuntimeError(f"{what} not ready after {timeout:.0f} s (or a process exited)\n{tails}")


def tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"
