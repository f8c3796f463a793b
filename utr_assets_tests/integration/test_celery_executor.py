"""Celery executor end to end: a real redis-server and two `dagster-celery` workers on 127.0.0.1.

One worker listens on the default queue, the other on the `gpu` queue; several model partitions
of a tiny graph (tokens -> checkpoint (GPU tags) -> scores) are materialised through the executor
the settings build, against a persistent instance. Skips only when redis-server is not installed.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from dagster import DagsterEventType, DagsterInstance, DagsterRunStatus, execute_job, reconstructable

from utr_assets.platform.executors import DEFAULT_QUEUE, GPU_QUEUE, celery_worker_yaml
from utr_assets.settings import ExecutorSettings
from utr_assets_tests.integration import scale_graph
from utr_assets_tests.servers import free_port, start, stop, tail, wait_for

PROJECT_ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
REDIS = shutil.which("redis-server") or (
    "/usr/bin/redis-server" if Path("/usr/bin/redis-server").exists() else None
)
RUN_TIMEOUT = 60.0

pytestmark = [
    pytest.mark.skipif(
        REDIS is None,
        reason="redis-server is not installed (Debian: apt-get install redis-server; .ci/run does this)",
    ),
    # dagster-celery registers its task on the app each time it submits a step (harmless, upstream).
    pytest.mark.filterwarnings("ignore:Task name 'execute_plan' is already registered"),
]


@pytest.fixture()
def redis_url(tmp_path: Path) -> Iterator[str]:
    import redis

    port = free_port()
    folder = tmp_path / "redis"
    folder.mkdir()
    log = folder / "redis.log"
    server = start(
        [
            REDIS,
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--dir",
            str(folder),
            "--save",
            "",
            "--appendonly",
            "no",
            "--protected-mode",
            "yes",
        ],
        log,
    )
    client = redis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=0.5)

    def answers() -> bool:
        try:
            return bool(client.ping())
        except redis.ConnectionError:
            return False

    try:
        wait_for(answers, 15, "redis-server", [server], [log])
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        client.close()
        stop(server)


@pytest.fixture()
def celery_cluster(tmp_path: Path, redis_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict]:
    """Two workers (default queue, gpu queue) sharing DAGSTER_HOME and the broker with the test."""
    home, records = tmp_path / "dagster_home", tmp_path / "records"
    home.mkdir()
    records.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    section = ExecutorSettings(kind="celery")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    monkeypatch.setenv(section.celery_broker_env, redis_url)
    with DagsterInstance.get() as instance:  # create the SQLite schemas once, before two workers race to
        instance.get_runs(limit=1)
    worker_yaml = PROJECT_ROOT / "deploy" / "celery-worker.yaml"  # the documented worker config
    assert yaml.safe_load(worker_yaml.read_text()) == celery_worker_yaml(section), "deploy file out of date"
    workers, logs = [], []
    try:
        for name, queue in (("default", DEFAULT_QUEUE), ("gpu", GPU_QUEUE)):
            env = {
                **os.environ,
                scale_graph.WORKER_ENV: name,
                scale_graph.RECORDS_ENV: str(records),
                "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
                "PYTHONPATH": str(PROJECT_ROOT),
            }
            log = tmp_path / f"worker-{name}.log"
            logs.append(log)
            workers.append(
                start(
                    [
                        str(BIN / "dagster-celery"),
                        "worker",
                        "start",
                        "-A",
                        "dagster_celery.app",
                        "-y",
                        str(worker_yaml),
                        "-q",
                        queue,
                        "-n",
                        name,
                        "-l",
                        "INFO",
                        "--",
                        "--pool=solo",
                        "--without-gossip",
                        "--without-mingle",
                    ],
                    log,
                    env=env,
                    cwd=PROJECT_ROOT,
                )
            )
        wait_for(
            lambda: all(" ready." in tail(log, 200) for log in logs), 60, "celery workers", workers, logs
        )
        yield {"home": home, "records": records, "logs": logs}
    finally:
        for worker in workers:
            stop(worker)


def _execute(instance: DagsterInstance, partition: str):
    """execute_job with a deadline: the Celery loop waits forever for a task no worker takes."""
    outcome: dict = {}

    def target() -> None:
        try:
            with execute_job(
                reconstructable(scale_graph.celery_job),
                instance=instance,
                tags={"dagster/partition": partition},
            ) as result:
                outcome["success"] = result.success
                outcome["run_id"] = result.run_id
        except BaseException as exc:  # surfaced in the test thread below
            outcome["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(RUN_TIMEOUT)
    if thread.is_alive():
        raise TimeoutError(f"partition {partition}: run not finished after {RUN_TIMEOUT:.0f} s")
    if "error" in outcome:
        raise outcome["error"]
    return outcome


def test_partitions_run_on_both_celery_workers(celery_cluster: dict) -> None:
    partitions = scale_graph.MODELS[:3]
    with DagsterInstance.get() as instance:
        outcomes = {}
        for partition in partitions:
            try:
                outcomes[partition] = _execute(instance, partition)
            except TimeoutError as exc:
                logs = "\n".join(f"--- {log}\n{tail(log)}" for log in celery_cluster["logs"])
                raise AssertionError(f"{exc}\n{logs}") from exc
        assert all(o["success"] for o in outcomes.values()), outcomes

        # every step of every run was picked up by a Celery worker (dagster-celery's engine event).
        for partition, outcome in outcomes.items():
            handled = {}
            for event in instance.all_logs(outcome["run_id"], of_type=DagsterEventType.ENGINE_EVENT):
                data = event.dagster_event.engine_event_data if event.dagster_event else None
                worker = data.metadata.get("Celery worker") if data else None
                if worker is not None:
                    handled[event.step_key] = worker.value
            assert handled == {
                "tiny_tokens": f"default@{_host(handled)}",
                "tiny_checkpoint": f"gpu@{_host(handled)}",
                "tiny_scores": f"default@{_host(handled)}",
            }, (partition, handled)

        for key in (a.key for a in scale_graph.ASSETS):
            materialised = instance.fetch_materializations(key, limit=100).records
            assert sorted(r.partition_key for r in materialised) == sorted(partitions)
        statuses = {p: instance.get_run_by_id(o["run_id"]).status for p, o in outcomes.items()}
        assert set(statuses.values()) == {DagsterRunStatus.SUCCESS}, statuses

    steps = [
        json.loads(line) for line in (celery_cluster["records"] / "steps.jsonl").read_text().splitlines()
    ]
    assert len(steps) == 3 * len(partitions)
    by_worker = {(s["step"], s["worker"], s["queue"]) for s in steps}
    assert by_worker == {
        ("tiny_tokens", "default", DEFAULT_QUEUE),
        ("tiny_checkpoint", "gpu", GPU_QUEUE),
        ("tiny_scores", "default", DEFAULT_QUEUE),
    }
    assert os.getpid() not in {s["pid"] for s in steps}, "a step ran in the test process, not on a worker"
    pids = {worker: {s["pid"] for s in steps if s["worker"] == worker} for worker in ("default", "gpu")}
    assert all(len(p) == 1 for p in pids.values()) and pids["default"] != pids["gpu"], pids


def _host(handled: dict[str, str]) -> str:
    return next(iter(handled.values())).split("@", 1)[1] if handled else "?"
