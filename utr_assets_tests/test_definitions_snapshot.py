"""Snapshot of the whole code location under each profile: what Dagster sees must not move by accident.

The summary records, sorted, every asset key with its group, partitions, upstream keys (with the
partition mapping Dagster resolves for each), code version, pools, op tags (the GPU routing) and IO
manager; every asset check (asset, name, blocking); the resource keys; the jobs (with the asset keys
they select), schedules and sensors; and the executor. A refactor that keeps behaviour keeps this
file byte for byte. An intended change refreshes it, reviewed in the diff:

    UPDATE_SNAPSHOTS=1 pytest utr_assets_tests/test_definitions_snapshot.py

The snapshots under `snapshots/` were first written from the code before the model-family refactor of
issue 18, so this test proves that refactor kept asset keys, checks and partitions identical.
"""

from __future__ import annotations

import difflib
import json
import os
from pathlib import Path
from typing import Any

import pytest
from dagster import (
    AllPartitionMapping,
    AssetCheckResult,
    AssetDep,
    AssetKey,
    AssetSelection,
    Definitions,
    DynamicPartitionsDefinition,
    StaticPartitionsDefinition,
    asset,
    asset_check,
    define_asset_job,
)

from utr_assets.definitions import build_definitions
from utr_assets.settings import load_settings

SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"
REFRESH = "UPDATE_SNAPSHOTS=1 pytest utr_assets_tests/test_definitions_snapshot.py"


def _key(key: AssetKey) -> str:
    return key.to_user_string()


def _partitions(partitions_def: Any) -> dict[str, Any] | None:
    if partitions_def is None:
        return None
    if isinstance(partitions_def, DynamicPartitionsDefinition):
        return {"type": type(partitions_def).__name__, "name": partitions_def.name}
    return {"type": type(partitions_def).__name__, "keys": list(partitions_def.get_partition_keys())}


def definitions_summary(defs: Definitions) -> dict[str, Any]:
    """Everything a refactor must keep, as plain JSON-able data with a fixed order."""
    graph = defs.resolve_asset_graph()
    assets: dict[str, Any] = {}
    for key in sorted(graph.get_all_asset_keys(), key=_key):
        node = graph.get(key)
        op_tags = dict(node.assets_def.op.tags) if node.is_executable else {}
        assets[_key(key)] = {
            "group": node.group_name,
            "partitions": _partitions(node.partitions_def),
            "deps": {
                _key(parent): type(graph.get_partition_mapping(key, parent)).__name__
                for parent in sorted(node.parent_keys, key=_key)
            },
            "code_version": node.code_version,
            "pools": sorted(node.pools or []),
            "op_tags": {name: op_tags[name] for name in sorted(op_tags)},
            "io_manager_key": node.io_manager_key,
            "kind": str(node.execution_type.value),
        }
    checks = [
        {"asset": _key(check.asset_key), "name": check.name, "blocking": graph.get(check).blocking}
        for check in sorted(graph.asset_check_keys, key=lambda c: (_key(c.asset_key), c.name))
    ]
    jobs = {
        job.name: sorted(_key(k) for k in job.selection.resolve(graph))
        for job in sorted(defs.jobs or [], key=lambda j: j.name)
    }
    schedules = {
        s.name: {"cron": s.cron_schedule, "job": s.job_name, "default_status": s.default_status.value}
        for s in sorted(defs.schedules or [], key=lambda s: s.name)
    }
    sensors = {
        s.name: {
            "type": type(s).__name__,
            "jobs": sorted(t.job_name for t in s.targets),
            "default_status": s.default_status.value,
        }
        for s in sorted(defs.sensors or [], key=lambda s: s.name)
    }
    return {
        "assets": assets,
        "asset_checks": checks,
        "resources": sorted(defs.resources or {}),
        "jobs": jobs,
        "schedules": schedules,
        "sensors": sensors,
        "executor": defs.executor.name if defs.executor is not None else None,
    }


def _render(summary: dict[str, Any]) -> str:
    return json.dumps(summary, indent=2, sort_keys=False) + "\n"


@pytest.mark.parametrize("profile", ["sample", "paper"])
def test_definitions_match_snapshot(profile: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("UTR_ASSETS_HOME", raising=False)
    actual = _render(definitions_summary(build_definitions(load_settings(profile, override=""))))
    path = SNAPSHOTS / f"definitions_{profile}.json"
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_text(actual)
        return
    assert path.is_file(), f"no snapshot at {path}; write it with: {REFRESH}"
    expected = path.read_text()
    if actual != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True),
                actual.splitlines(keepends=True),
                fromfile=f"snapshots/{path.name} (recorded)",
                tofile=f"definitions under profile {profile!r} (now)",
            )
        )
        pytest.fail(
            f"the {profile} definitions changed:\n{diff}\n"
            f"If the change is intended, refresh the snapshot and review its diff: {REFRESH}",
            pytrace=False,
        )


def test_summary_of_a_small_location() -> None:
    """The summary records what it claims, checked on a hand-made location with a known answer."""
    chroms = StaticPartitionsDefinition(["chr1", "chr2"])
    models = DynamicPartitionsDefinition(name="toy_model")

    @asset(group_name="a", partitions_def=chroms, code_version="7")
    def upstream() -> None: ...

    @asset(
        group_name="b",
        partitions_def=models,
        deps=[AssetDep(upstream, partition_mapping=AllPartitionMapping())],
        op_tags={"x/y": "gpu"},
        pool="gpu",
    )
    def downstream() -> None: ...

    @asset_check(asset=downstream, blocking=True)
    def non_empty() -> AssetCheckResult:
        return AssetCheckResult(passed=True)

    job = define_asset_job("toy_job", selection=AssetSelection.assets(downstream), partitions_def=models)
    summary = definitions_summary(
        Definitions(assets=[upstream, downstream], asset_checks=[non_empty], jobs=[job], resources={"r": 1})
    )
    assert summary["assets"]["upstream"]["partitions"] == {
        "type": "StaticPartitionsDefinition",
        "keys": ["chr1", "chr2"],
    }
    assert summary["assets"]["upstream"]["code_version"] == "7"
    assert summary["assets"]["downstream"]["partitions"] == {
        "type": "DynamicPartitionsDefinition",
        "name": "toy_model",
    }
    assert summary["assets"]["downstream"]["deps"] == {"upstream": "AllPartitionMapping"}
    assert summary["assets"]["downstream"]["op_tags"] == {"x/y": "gpu"}
    assert summary["assets"]["downstream"]["pools"] == ["gpu"]
    assert summary["assets"]["downstream"]["group"] == "b"
    assert summary["asset_checks"] == [{"asset": "downstream", "name": "non_empty", "blocking": True}]
    assert summary["jobs"] == {"toy_job": ["downstream"]}
    assert summary["resources"] == ["r"]
