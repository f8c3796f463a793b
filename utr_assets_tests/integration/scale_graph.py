"""A tiny partitioned asset graph for the scale-out tests (Celery workers, PostgreSQL storage).

It mirrors the shape of the model graph (tokens -> checkpoint on a GPU -> scores, one partition per
model) without its cost. Each step appends who ran it (worker name from ``UTR_TEST_WORKER``, pid,
the Celery queue its op tags ask for) to a JSON-lines file under ``UTR_TEST_RECORDS``, so a test
can tell which worker executed which step. Workers import this module by name (reconstructable job).
"""

import json
import os
import socket
from pathlib import Path

from dagster import (
    AssetExecutionContext,
    Definitions,
    JobDefinition,
    StaticPartitionsDefinition,
    asset,
    define_asset_job,
)

from utr_assets.platform.executors import CELERY_QUEUE_TAG, DEFAULT_QUEUE, build_executor, gpu_op_tags
from utr_assets.settings import ExecutorSettings

MODELS = ["tiny-a", "tiny-b", "tiny-c", "tiny-d"]
model_partitions = StaticPartitionsDefinition(MODELS)
RECORDS_ENV = "UTR_TEST_RECORDS"
WORKER_ENV = "UTR_TEST_WORKER"


def _record(context: AssetExecutionContext) -> dict:
    queue = context.op_def.tags.get(CELERY_QUEUE_TAG, DEFAULT_QUEUE)
    entry = {
        "step": context.op_def.name,
        "partition": context.partition_key,
        "queue": queue,
        "worker": os.environ.get(WORKER_ENV, "orchestrator"),
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "run_id": context.run_id,
    }
    folder = os.environ.get(RECORDS_ENV)
    if folder:
        with (Path(folder) / "steps.jsonl").open("a") as handle:
            handle.write(json.dumps(entry) + "\n")
    return entry


@asset(partitions_def=model_partitions)
def tiny_tokens(context: AssetExecutionContext) -> list[int]:
    _record(context)
    return [ord(c) for c in context.partition_key]


@asset(partitions_def=model_partitions, op_tags=gpu_op_tags(), pool="gpu")
def tiny_checkpoint(context: AssetExecutionContext, tiny_tokens: list[int]) -> dict:
    _record(context)
    return {"weights": sum(tiny_tokens), "model": context.partition_key}


@asset(partitions_def=model_partitions)
def tiny_scores(context: AssetExecutionContext, tiny_checkpoint: dict) -> float:
    _record(context)
    return tiny_checkpoint["weights"] / 1000.0


ASSETS = [tiny_tokens, tiny_checkpoint, tiny_scores]


def _defs(kind: str) -> Definitions:
    job = define_asset_job(
        "tiny_model_job", selection=[a.key for a in ASSETS], partitions_def=model_partitions
    )
    return Definitions(assets=ASSETS, jobs=[job], executor=build_executor(ExecutorSettings(kind=kind)))


def celery_job() -> JobDefinition:
    """The job on the Celery executor (broker URL from UTR_ASSETS_CELERY_BROKER); reconstructable."""
    return _defs("celery").resolve_job_def("tiny_model_job")


def in_process_job() -> JobDefinition:
    return _defs("in_process").resolve_job_def("tiny_model_job")


def main(argv: list[str]) -> int:
    """``python -m ...scale_graph PARTITION BARRIER_DIR``: one in-process run against DAGSTER_HOME's instance.

    After its imports the process writes BARRIER_DIR/PARTITION.ready and waits for BARRIER_DIR/go,
    so several of these processes write to the instance storage at the same moment.
    """
    import time

    from dagster import DagsterInstance, materialize

    partition, barrier = argv[0], Path(argv[1])
    with DagsterInstance.get() as instance:
        (barrier / f"{partition}.ready").touch()
        deadline = time.monotonic() + 60
        while not (barrier / "go").exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        result = materialize(
            ASSETS,
            partition_key=partition,
            instance=instance,
            raise_on_error=False,
            tags={"utr_assets/test": "concurrent"},
        )
        print(json.dumps({"partition": partition, "run_id": result.run_id, "success": result.success}))
        return 0 if result.success else 1


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
