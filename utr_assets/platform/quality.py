"""Data-quality runner: Great Expectations 1.x suites turned into Dagster asset check results.

A `QualityCheck` is a named group of expectations; an asset declares its checks with
`check_specs(...)` and yields `run_quality_checks(...)` from its own step, so GE (seconds to
import) is imported once per step process, never at definitions load time. Expectations are
built lazily from the ``great_expectations`` module passed to each check's factory.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from types import ModuleType
from typing import Any

import pandas as pd
from dagster import AssetCheckResult, AssetCheckSeverity, AssetCheckSpec, AssetKey, MetadataValue

ExpectationFactory = Callable[[ModuleType], list[Any]]
EXAMPLES_SHOWN = 5


@dataclass(frozen=True)
class QualityCheck:
    name: str
    description: str
    expectations: ExpectationFactory
    blocking: bool = True


def check_specs(asset: str | AssetKey, checks: Sequence[QualityCheck]) -> list[AssetCheckSpec]:
    key = AssetKey.from_coercible(asset)
    return [AssetCheckSpec(c.name, asset=key, description=c.description, blocking=c.blocking) for c in checks]


def named_check_specs(
    asset: str | AssetKey, descriptions: dict[str, str], blocking: bool = True
) -> list[AssetCheckSpec]:
    """Specs of checks computed in plain Python (see `plain_check`)."""
    key = AssetKey.from_coercible(asset)
    return [
        AssetCheckSpec(name, asset=key, description=text, blocking=blocking)
        for name, text in descriptions.items()
    ]


@lru_cache(maxsize=1)
def _ge() -> tuple[ModuleType, Any]:
    """Import GE once per process; an ephemeral context with progress bars off and one batch asset."""
    for noisy in ("great_expectations", "great_expectations.core", "great_expectations.expectations"):
        logging.getLogger(noisy).setLevel(logging.ERROR)
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    batch_definition = (
        context.data_sources.add_pandas("utr_assets")
        .add_dataframe_asset(name="frame")
        .add_batch_definition_whole_dataframe("whole")
    )
    return gx, batch_definition


@dataclass(frozen=True)
class ExpectationOutcome:
    expectation: str
    column: str | None
    success: bool
    unexpected_count: int | None
    examples: list[Any]
    observed: Any


def validate_frame(
    frame: pd.DataFrame, factory: ExpectationFactory, suite_name: str
) -> list[ExpectationOutcome]:
    gx, batch_definition = _ge()
    suite = gx.ExpectationSuite(name=suite_name)
    for expectation in factory(gx):
        suite.add_expectation(expectation)
    batch = batch_definition.get_batch(batch_parameters={"dataframe": frame})
    report = batch.validate(suite, result_format={"result_format": "SUMMARY", "partial_unexpected_count": 20})
    outcomes = []
    for result in report.results:
        config = result.expectation_config
        detail = result.result or {}
        if result.exception_info and result.exception_info.get("raised_exception"):
            detail = {"observed_value": result.exception_info.get("exception_message")}
        outcomes.append(
            ExpectationOutcome(
                expectation=config.type,
                column=config.kwargs.get("column") or config.kwargs.get("column_A"),
                success=bool(result.success),
                unexpected_count=detail.get("unexpected_count"),
                examples=list(detail.get("partial_unexpected_list") or [])[:EXAMPLES_SHOWN],
                observed=detail.get("observed_value"),
            )
        )
    return outcomes


def _to_check_result(
    key: AssetKey, check: QualityCheck, outcomes: list[ExpectationOutcome], rows: int, seconds: float
) -> AssetCheckResult:
    failed = [o for o in outcomes if not o.success]
    metadata: dict[str, Any] = {
        "rows": rows,
        "expectations": len(outcomes),
        "failed_expectations": len(failed),
        "seconds": round(seconds, 4),
    }
    if failed:
        first = failed[0]
        metadata["failing_expectation"] = f"{first.expectation}({first.column or ''})"
        metadata["unexpected_count"] = int(first.unexpected_count or 0)
        lines = [
            f"- `{o.expectation}` on `{o.column}`: {o.unexpected_count} unexpected; "
            f"examples {o.examples!r}" + (f"; observed {o.observed!r}" if o.observed is not None else "")
            for o in failed
        ]
        metadata["failures"] = MetadataValue.md("\n".join(lines))
    return AssetCheckResult(
        asset_key=key,
        check_name=check.name,
        passed=not failed,
        severity=AssetCheckSeverity.ERROR if check.blocking else AssetCheckSeverity.WARN,
        metadata=metadata,
    )


def run_quality_checks(
    asset: str | AssetKey, frame: pd.DataFrame, checks: Sequence[QualityCheck]
) -> list[AssetCheckResult]:
    key = AssetKey.from_coercible(asset)
    results = []
    for check in checks:
        started = time.perf_counter()
        outcomes = validate_frame(frame, check.expectations, f"{key.to_user_string()}.{check.name}")
        results.append(_to_check_result(key, check, outcomes, len(frame), time.perf_counter() - started))
    return results


def plain_check(
    asset: str | AssetKey,
    name: str,
    passed: bool,
    metadata: dict[str, Any] | None = None,
    blocking: bool = True,
) -> AssetCheckResult:
    """A check computed in plain Python (artifact properties), reported like the GE ones."""
    return AssetCheckResult(
        asset_key=AssetKey.from_coercible(asset),
        check_name=name,
        passed=bool(passed),
        severity=AssetCheckSeverity.ERROR if blocking else AssetCheckSeverity.WARN,
        metadata=metadata or {},
    )
