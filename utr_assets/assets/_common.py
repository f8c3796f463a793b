"""Helpers shared by the asset modules of the model side (corpus, models, scoring).

What belongs here: the one "not applicable" emitter (an asset a model cannot have: a baseline's
checkpoint, a BPE model's per-base probabilities) and the one run key (a short hash naming a resumable
run folder). Not here: assets, or any computation (domain packages).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from typing import Any

from dagster import AssetCheckResult, Output

from utr_assets.platform.quality import plain_check


def run_key(*parts: object) -> str:
    """16 hex digits naming a run by everything that must match for it to resume (JSON of ``parts``)."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:16]


def not_applicable(
    asset: str,
    checks: Iterable[str],
    reason: str,
    *,
    extra: dict[str, Any] | None = None,
    output_name: str | None = None,
) -> Iterator[Output | AssetCheckResult]:
    """The output of an asset that does not apply to this model (``{"applicable": False, "reason": ...}``
    plus ``extra``) and its checks passed as not applicable."""
    value = {"applicable": False, "reason": reason, **(extra or {})}
    metadata: dict[str, Any] = {"applicable": False, "reason": reason}
    if output_name is None:
        yield Output(value, metadata=metadata)
    else:
        yield Output(value, output_name=output_name, metadata=metadata)
    for name in checks:
        yield plain_check(asset, name, True, {"applicable": False, "reason": reason})
