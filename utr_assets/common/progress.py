"""Progress of long loops (training, scoring, probes, MAF extraction) for a terminal, Dagster or CI.

What belongs here: `task` (what a domain loop opens and updates) and `report_to` (where the asset
code sends the lines). No Dagster import: domain code calls this without knowing who runs it.

Where the output goes is decided by the caller, not by the loop:
- inside an asset, `with report_to(context.log):` -> log lines through `context.log.info` at most one
  per `interval` seconds (default 15) plus a final line, so a run's log in the UI shows the progress;
- otherwise, stderr a terminal -> tqdm bars;
- otherwise (CI logs, pipes) -> a line at 25, 50 and 75 % (at most one per `interval`) and the final one.
A task opened inside another (embeddings inside variant scoring) logs nothing and shows a transient
bar; a task shorter than FINAL_LINE_MIN_S that said nothing yet logs no final line either.
`UTR_ASSETS_PROGRESS=bars|lines|off` forces a mode outside Dagster.

A line reads `training nt-3utr: 120/400 step (30%), 2.1 step/s, 6.8 k tokens/s, ETA 2m13s; loss 1.31`.
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
import time
import weakref
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from typing import Any, TypeVar

Sink = Callable[[str], None]
T = TypeVar("T")
_SINK: ContextVar[Sink | None] = ContextVar("utr_assets_progress_sink", default=None)
LOG_INTERVAL_S = 15.0
MILESTONES = (0.25, 0.5, 0.75)
_INTERVAL: ContextVar[float] = ContextVar("utr_assets_progress_interval", default=LOG_INTERVAL_S)
# tasks not yet closed (weakly: one abandoned by an exception goes with its frame); a task opened while
# another is open is inner: no lines, a transient bar
_OPEN: weakref.WeakSet[Task] = weakref.WeakSet()
FINAL_LINE_MIN_S = 5.0  # a task shorter than this (and silent so far) logs no final line


@contextlib.contextmanager
def report_to(log: Any, interval: float = LOG_INTERVAL_S) -> Iterator[None]:
    """Send the progress of every `task` opened inside the block to `log` (a logger such as Dagster's
    `context.log`, or a callable taking one line), at most one line per `interval` seconds per task."""
    sink = log.info if hasattr(log, "info") else log
    token, interval_token = _SINK.set(sink), _INTERVAL.set(interval)
    try:
        yield
    finally:
        _SINK.reset(token)
        _INTERVAL.reset(interval_token)


def _duration(seconds: float) -> str:
    if not math.isfinite(seconds):
        return "?"
    seconds = int(round(seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}h{m:02d}m" if h else (f"{m}m{s:02d}s" if m else f"{s}s")


def _number(value: float) -> str:
    for scale, suffix in ((1e9, " G"), (1e6, " M"), (1e3, " k")):
        if abs(value) >= scale:
            return f"{value / scale:.1f}{suffix}"
    return f"{value:.3g}" if isinstance(value, float) else str(value)


class Task:
    """One loop's progress: `update(n, rates={...}, **stats)` after each item, `close()` at the end.

    `rates` are counters summed over the task and shown per second (tokens, positions); `stats` are the
    latest values shown as they are (loss, val_loss)."""

    def __init__(
        self,
        label: str,
        total: int | None,
        unit: str,
        mode: str,
        sink: Sink | None,
        interval: float,
        initial: int = 0,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.label, self.total, self.unit, self.mode = label, total, unit, mode
        self.done, self._initial, self._sink, self._interval, self._clock = (
            initial,
            initial,
            sink,
            interval,
            clock,
        )
        self._start = self._last = clock()
        self._rates: dict[str, float] = {}
        self._stats: dict[str, Any] = {}
        self._milestone = 0
        self._closed = self._emitted = False
        self._bar = None
        if mode == "bars":
            from tqdm import tqdm

            self._bar = tqdm(
                total=total,
                initial=initial,
                desc=label,
                unit=unit,
                file=sys.stderr,
                leave=not _OPEN,
                position=len(_OPEN),
                dynamic_ncols=True,
            )
        _OPEN.add(self)

    def update(self, n: int = 1, rates: dict[str, float] | None = None, **stats: Any) -> None:
        self.done += n
        for name, value in (rates or {}).items():
            self._rates[name] = self._rates.get(name, 0.0) + value
        self._stats.update(stats)
        if self._bar is not None:
            self._bar.update(n)
            if rates or stats:
                self._bar.set_postfix_str(self._postfix(), refresh=False)
        elif self.mode != "off":
            self._maybe_emit()

    def set(self, **stats: Any) -> None:
        """Record values without advancing (e.g. the validation loss after a checkpoint)."""
        self.update(0, **stats)

    def _postfix(self) -> str:
        elapsed = max(self._clock() - self._start, 1e-9)
        parts = [f"{_number(v / elapsed)} {k}/s" for k, v in self._rates.items()]
        parts += [f"{k} {v:.4g}" if isinstance(v, float) else f"{k} {v}" for k, v in self._stats.items()]
        return ", ".join(parts)

    def line(self) -> str:
        elapsed = max(self._clock() - self._start, 1e-9)
        rate = (self.done - self._initial) / elapsed
        head = f"{self.label}: {self.done}"
        if self.total:
            head += f"/{self.total} {self.unit} ({100 * self.done / self.total:.0f}%)"
        else:
            head += f" {self.unit}"
        parts = [head, f"{_number(rate)} {self.unit}/s"]
        parts += [f"{_number(v / elapsed)} {k}/s" for k, v in self._rates.items()]
        if self._closed:
            parts.append(f"done in {_duration(elapsed)}")
        elif self.total and rate > 0:
            parts.append(f"ETA {_duration((self.total - self.done) / rate)}")
        stats = (
            "; "
            + ", ".join(
                f"{k} {v:.4g}" if isinstance(v, float) else f"{k} {v}" for k, v in self._stats.items()
            )
            if self._stats
            else ""
        )
        return ", ".join(parts) + stats

    def _maybe_emit(self) -> None:
        now = self._clock()
        if now - self._last < self._interval:
            return
        if self.mode == "milestones":
            fraction = self.done / self.total if self.total else 0.0
            if self._milestone >= len(MILESTONES) or fraction < MILESTONES[self._milestone]:
                return
            while self._milestone < len(MILESTONES) and fraction >= MILESTONES[self._milestone]:
                self._milestone += 1
        self._last = now
        self._emit(self.line())

    def _emit(self, line: str) -> None:
        self._emitted = True
        (self._sink or (lambda text: print(text, file=sys.stderr, flush=True)))(line)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        _OPEN.discard(self)
        if self._bar is not None:
            self._bar.close()
        elif self.mode != "off" and (
            self._emitted or self._clock() - self._start >= min(self._interval, FINAL_LINE_MIN_S)
        ):
            self._emit(self.line())

    def __enter__(self) -> Task:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _mode(sink: Sink | None) -> str:
    if sink is not None:
        return "lines"
    forced = os.environ.get("UTR_ASSETS_PROGRESS", "").strip().lower()
    if forced in ("bars", "off"):
        return forced
    if forced == "lines":
        return "milestones"
    return "bars" if sys.stderr.isatty() else "milestones"


def track(items: Iterable[T], label: str, total: int | None = None, unit: str = "it") -> Iterator[T]:
    """Yield `items`, counting each one as done (a `task` around a loop or a generator)."""
    with task(label, total, unit) as bar:
        for item in items:
            bar.update(1)
            yield item


def task(
    label: str, total: int | None = None, unit: str = "it", initial: int = 0, enabled: bool = True
) -> Task:
    """Open the progress of one loop (use as a context manager, or call close()). `enabled=False` (e.g. on
    non-zero DDP ranks) gives a task that reports nothing."""
    sink = _SINK.get()
    mode = _mode(sink) if enabled else "off"
    if _OPEN and mode != "bars":  # inside another task: its lines tell the story
        mode = "off"
    interval = _INTERVAL.get() if sink is not None else (LOG_INTERVAL_S if mode == "milestones" else 0.0)
    return Task(label, total, unit, mode, sink, interval, initial=initial)
