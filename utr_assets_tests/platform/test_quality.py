"""Quality runner: GE results become Dagster checks; a failing blocking check stops downstream."""

from __future__ import annotations

import pandas as pd
from dagster import AssetCheckSeverity, DagsterInstance, Output, asset, materialize

from utr_assets.platform.quality import QualityCheck, check_specs, run_quality_checks

ALPHABET = QualityCheck(
    "alphabet",
    "sequences in ACGTN",
    lambda gx: [gx.expectations.ExpectColumnValuesToMatchRegex(column="sequence", regex=r"^[ACGTN]+$")],
)
LENGTH = QualityCheck(
    "length",
    "length positive",
    blocking=False,
    expectations=lambda gx: [gx.expectations.ExpectColumnValuesToBeBetween(column="length", min_value=1)],
)


def test_failing_expectation_gives_readable_metadata() -> None:
    frame = pd.DataFrame({"sequence": ["ACGT", "ACXT", "AC-T", "NN"], "length": [4, 4, 0, 2]})
    alphabet, length = run_quality_checks("utr3_regions", frame, [ALPHABET, LENGTH])
    assert not alphabet.passed and alphabet.severity == AssetCheckSeverity.ERROR
    meta = {k: getattr(v, "value", getattr(v, "md_str", v)) for k, v in alphabet.metadata.items()}
    assert meta["unexpected_count"] == 2 and meta["rows"] == 4
    assert meta["failing_expectation"] == "expect_column_values_to_match_regex(sequence)"
    assert "ACXT" in meta["failures"] and "AC-T" in meta["failures"]
    assert not length.passed and length.severity == AssetCheckSeverity.WARN


def test_passing_checks_pass() -> None:
    frame = pd.DataFrame({"sequence": ["ACGT", "NN"], "length": [4, 2]})
    assert all(r.passed for r in run_quality_checks("x", frame, [ALPHABET, LENGTH]))


def test_blocking_failure_fails_the_step_and_skips_downstream(tmp_path) -> None:
    @asset(check_specs=check_specs("seqs", [ALPHABET]))
    def seqs():
        frame = pd.DataFrame({"sequence": ["ACGT", "ACXT"], "length": [4, 4]})
        yield Output(frame)
        yield from run_quality_checks("seqs", frame, [ALPHABET])

    ran = []

    @asset
    def consumer(seqs: pd.DataFrame) -> pd.DataFrame:
        ran.append(True)
        return seqs

    from utr_assets.platform.io_managers import ParquetIOManagerFactory

    result = materialize(
        [seqs, consumer],
        instance=DagsterInstance.ephemeral(),
        raise_on_error=False,
        resources={"io_manager": ParquetIOManagerFactory(root=str(tmp_path))},
    )
    assert not result.success
    evaluations = result.get_asset_check_evaluations()
    assert [(e.check_name, e.passed) for e in evaluations] == [("alphabet", False)]
    assert not ran
