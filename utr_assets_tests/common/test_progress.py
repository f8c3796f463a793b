"""Progress reporting: bounded log rate inside Dagster, few lines in CI, rates and ETA computed right."""

from __future__ import annotations

import logging

from utr_assets.common import progress
from utr_assets.common.progress import Task


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_log_lines_are_rate_bounded_with_a_final_line() -> None:
    clock, lines = FakeClock(), []
    task = Task("training m", 1000, "step", "lines", lines.append, interval=15.0, clock=clock)
    for _ in range(1000):  # 100 simulated seconds, 0.1 s per step
        clock.now += 0.1
        task.update(1, rates={"tokens": 512}, loss=1.5)
    task.close()
    task.close()  # idempotent
    # at most one line per 15 s over 100 s (6 lines) plus the final one
    assert 2 <= len(lines) <= 7
    assert lines[-1].startswith("training m: 1000/1000 step (100%)")
    assert "done in 1m40s" in lines[-1]
    # 10 step/s and 5120 tokens/s, derived by hand from the simulated clock
    assert "10 step/s" in lines[-1] and "5.1 k tokens/s" in lines[-1] and "loss 1.5" in lines[-1]


def test_eta_from_the_rate_so_far() -> None:
    clock, lines = FakeClock(), []
    task = Task("scoring", 400, "seq", "lines", lines.append, interval=15.0, clock=clock)
    clock.now = 20.0
    task.update(100)  # 5 seq/s -> 300 left -> 60 s
    assert lines == ["scoring: 100/400 seq (25%), 5 seq/s, ETA 1m00s"]


def test_ci_mode_reports_milestones_only() -> None:
    clock, lines = FakeClock(), []
    task = Task("probe folds", 100, "fold", "milestones", lines.append, interval=15.0, clock=clock)
    for _ in range(100):
        clock.now += 60.0  # slow steps: the interval alone would allow a line each
        task.update(1)
    task.close()
    assert [line.split(" (")[1].split("%")[0] for line in lines] == ["25", "50", "75", "100"]


def test_report_to_routes_tasks_to_a_logger_and_restores(caplog) -> None:
    log = logging.getLogger("utr_assets_tests.progress")
    with (
        caplog.at_level(logging.INFO, logger=log.name),
        progress.report_to(log, interval=0.0),
        progress.task("extracting", total=3, unit="UTR") as task,
    ):
        for _ in range(3):
            task.update(1)
    messages = [r.getMessage() for r in caplog.records]
    assert messages[-1].startswith("extracting: 3/3 UTR (100%)") and "done in" in messages[-1]
    assert progress._SINK.get() is None  # the block restored the previous sink
    off = progress.task("x", 2, enabled=False)
    off.update(2)
    off.close()
    assert len(caplog.records) == len(messages)


def test_a_task_inside_another_logs_nothing() -> None:
    lines: list[str] = []
    with progress.report_to(lines.append, interval=0.0):
        with progress.task("variant scoring", total=2, unit="variant") as outer:
            for _ in range(2):
                with progress.task("forward passes", total=3, unit="chunk") as inner:
                    inner.update(3)
                outer.update(1)
        with progress.task("next step", total=1) as after:  # the outer one closed: top level again
            after.update(1)
    assert lines and all(line.startswith(("variant scoring:", "next step:")) for line in lines), lines
    assert lines[-1].startswith("next step: 1/1")
