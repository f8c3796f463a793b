"""A model added to the registry while `dagster-daemon` runs reaches the leaderboard with no further action.

The graph is first materialised for one baseline (shared assets, its partition, the leaderboard) in a
real DAGSTER_HOME; then the daemon starts, and once its registry sensor has ticked, a tiny trained
model is appended with `utr-assets models add`. The registry sensor adds the partition and launches
the model's run; the leaderboard sensor refreshes the leaderboard after it. Nothing else is called.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from dagster import DagsterInstance

from utr_assets.definitions import build_definitions
from utr_assets.platform.whole_graph import materialise_everything
from utr_assets.settings import load_settings
from utr_assets_tests import servers

PROJECT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
NEW_MODEL = "bpe-tiny-new"


def _leaderboard(store: Path) -> pd.DataFrame | None:
    path = store / "tables" / "leaderboard.parquet"
    return pd.read_parquet(io.BytesIO(path.read_bytes())) if path.exists() else None


def _sensor_ticked(instance: DagsterInstance, name: str) -> bool:
    states = [s for s in instance.all_instigator_state() if s.name == name]
    return any(instance.get_ticks(s.instigator_origin_id, s.selector_id, limit=1) for s in states)


def _has_rows(instance: DagsterInstance, store: Path) -> bool:
    failed = [(r.job_name, r.run_id) for r in instance.get_runs() if r.status.value == "FAILURE"]
    assert not failed, f"runs failed: {failed}"
    table = _leaderboard(store)
    return table is not None and NEW_MODEL in set(table.model)


@pytest.mark.slow
def test_new_registry_entry_reaches_the_leaderboard(tmp_path: Path) -> None:
    home, store = tmp_path / "dagster_home", tmp_path / "store"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    registry = tmp_path / "models.yaml"
    registry.write_text("models:\n  - {slug: kmer-counts, kind: baseline, family: kmer}\n")
    override = tmp_path / "settings.yaml"
    override.write_text(
        f"registry: {registry}\nstorage:\n  root: {store}\ncompute:\n  device: cpu\n"
        "executor:\n  kind: in_process\n"
        "automation:\n  registry_sensor: running\n  weekly_schedule: stopped\n"
        "  sensor_interval_seconds: 5\n"
    )
    instance = DagsterInstance.from_config(str(home))
    failures = materialise_everything(
        log=lambda _: None, instance=instance, defs=build_definitions(load_settings("sample", override))
    )
    assert failures == []
    before = _leaderboard(store)
    assert before is not None and set(before.model) == {"kmer-counts"}

    env = dict(os.environ, DAGSTER_HOME=str(home), UTR_ASSETS_CONFIG=str(override), HF_HUB_OFFLINE="1")
    log = tmp_path / "daemon.log"
    daemon = servers.start(
        [str(BIN / "dagster-daemon"), "run", "-w", "workspace.yaml"], log, env=env, cwd=PROJECT
    )
    try:
        servers.wait_for(
            lambda: _sensor_ticked(instance, "model_registry_sensor"),
            120,
            "the registry sensor's first tick",
            [daemon],
            [log],
        )
        subprocess.run(
            [
                str(BIN / "utr-assets"),
                "models",
                "add",
                NEW_MODEL,
                "--kind",
                "trained",
                "--family",
                "dnabert2",
                "--preset",
                "sample=tiny",
                "--registry",
                str(registry),
            ],
            check=True,
            env=env,
        )
        servers.wait_for(
            lambda: _has_rows(instance, store), 420, f"leaderboard rows of {NEW_MODEL}", [daemon], [log]
        )
    finally:
        servers.stop(daemon, grace=30)
    table = _leaderboard(store)
    assert NEW_MODEL in instance.get_dynamic_partitions("model")
    rows = table[table.model == NEW_MODEL]
    assert set(rows.task) == {"rbp_motifs", "variant_effects", "mpra", "half_life"}
    # a BPE model has no per-base probabilities: the RBP task says so instead of a number
    assert rows[rows.task == "rbp_motifs"].status.tolist() == ["not_applicable"]
    assert (rows[rows.task == "half_life"].status == "ok").any()
    triggers = {r.tags.get("utr_assets/trigger") for r in instance.get_runs()}
    assert {"registry", "model-run"} <= triggers
    assert "kmer-counts" in set(table.model)  # the earlier model's rows are still there
