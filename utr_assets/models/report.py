"""What a training run reports: the loss-curve plot (PNG bytes) and a flat metadata summary.

What belongs here: turning a TrainResult into things an asset attaches (plot, numbers). Not here:
Dagster metadata types (models/assets.py wraps these plain values).
"""

from __future__ import annotations

import io
import math
from typing import Any

from utr_assets.models.training import TrainResult


def loss_curve_png(result: TrainResult, title: str = "") -> bytes:
    """Training loss per step, validation loss per checkpoint and the uniform-guess baseline, as PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.5), dpi=100)
    if result.train_loss:
        steps, losses = zip(*result.train_loss, strict=True)
        ax.plot(steps, losses, lw=0.8, alpha=0.7, label="train (per step)")
    if result.val_loss:
        steps, losses = zip(*result.val_loss, strict=True)
        ax.plot(steps, losses, "o-", ms=3, label="validation")
    ax.axhline(result.uniform_baseline, color="grey", ls="--", lw=0.8, label="uniform guess")
    if result.best_checkpoint is not None and math.isfinite(result.best_val_loss):
        ax.axvline(result.best_step, color="green", ls=":", lw=0.8, label=f"best (step {result.best_step})")
    ax.set_xlabel("optimiser step")
    ax.set_ylabel("masked-LM cross-entropy (nats)")
    ax.set_title(title or f"stopped by {result.stopped_by}")
    ax.legend(fontsize=7)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()


def summary(result: TrainResult) -> dict[str, Any]:
    """Flat numbers for asset metadata and checks."""
    return {
        "parameters": result.parameters,
        "steps": result.steps,
        "epochs": result.epochs,
        "stopped_by": result.stopped_by,
        "tokens_per_second": round(result.tokens_per_second, 1),
        "final_train_loss": result.final_train_loss,
        "best_val_loss": result.best_val_loss,
        "best_val_masked_accuracy": result.best_val_accuracy,
        "best_step": result.best_step,
        "uniform_baseline": result.uniform_baseline,
        "beats_uniform_baseline": bool(result.best_val_loss < result.uniform_baseline),
        "losses_finite": all(math.isfinite(v) for _, v in [*result.train_loss, *result.val_loss]),
        "best_checkpoint": str(result.best_checkpoint) if result.best_checkpoint else None,
    }
