"""Learning-rate schedules of the study and the plateau stopping rule (docs/protocol.md §3).

What belongs here: pure functions of the step / the epoch-loss history. Not here: optimiser construction.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

SCHEDULES = ("constant", "linear", "cosine", "inverse_sqrt", "triangular")


def lr_lambda(
    name: str, warmup_steps: int, total_steps: int, cycle_steps: int | None = None
) -> Callable[[int], float]:
    """Multiplier of the peak lr at a step: linear warm-up, then
    constant; linear or cosine decay to 0 at ``total_steps``; inverse square root (NT: sqrt(warmup/step));
    or triangular cycles (DNABERT: up over ``warmup_steps``, down over the rest of each ``cycle_steps``)."""
    if name not in SCHEDULES:
        raise ValueError(f"unknown schedule {name!r}; known: {', '.join(SCHEDULES)}")
    warmup = max(0, warmup_steps)
    total = max(total_steps, warmup + 1)
    cycle = max(cycle_steps or total, warmup + 1)

    def f(step: int) -> float:
        s = step + 1
        if name == "triangular":
            pos = (s - 1) % cycle + 1
            return pos / max(1, warmup) if pos <= warmup else max(0.0, (cycle - pos) / (cycle - warmup))
        if s <= warmup:
            return s / warmup
        if name == "constant":
            return 1.0
        if name == "inverse_sqrt":
            return math.sqrt(max(1, warmup) / s)
        progress = min(1.0, (s - warmup) / (total - warmup))
        return 1.0 - progress if name == "linear" else 0.5 * (1.0 + math.cos(math.pi * progress))

    return f


def plateau_epoch(epoch_losses: Sequence[float], window: int = 3, tolerance: float = 0.01) -> int | None:
    """First epoch (0-based) whose training loss changed by less than ``tolerance`` (relative) over the
    previous ``window`` epochs, i.e. |L[e] - L[e - window]| < tolerance * L[e - window]; None if none yet."""
    for e in range(window, len(epoch_losses)):
        before = epoch_losses[e - window]
        if abs(epoch_losses[e] - before) < tolerance * abs(before):
            return e
    return None
