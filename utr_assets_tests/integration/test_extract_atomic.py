"""`utr-assets extract-utrs` publishes its outputs as one set: SIGKILL at random moments (plain runs and runs
whose writes are slowed to a crawl) leaves the output folder holding the previous complete set or the new
complete set (manifest + sizes + SHA-256 of every file), never a mix, a truncated file or a stray file.

Before this change cli.py wrote utr3_regions.parquet under its final name before extracting and published
the other tables one by one, so these kills left truncated or mixed folders.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from utr_assets.common.outputs import MANIFEST, OutputSetError, verify_output_set
from utr_assets_tests.conftest import PHAST_OFFSET, PROJECT_ROOT

FILES = {
    "utr3_regions.parquet",
    "utr3_alignments.parquet",
    "utr3_orthologs.parquet",
    "species.parquet",
    "extraction_stats.json",
}

# the child: the real CLI, optionally with every write slowed (parquet bytes trickle out, fsyncs stall)
CHILD = """
import sys, time
if sys.argv[1] == "slow":
    import io
    import pandas as pd
    import utr_assets.common.outputs as outputs
    plain, fsync = pd.DataFrame.to_parquet, outputs._fsync
    def to_parquet(self, path, *args, **kwargs):
        buffer = io.BytesIO()
        plain(self, buffer, *args, **kwargs)
        data = buffer.getvalue()
        with open(path, "wb") as handle:
            for i in range(0, len(data), 1024):
                handle.write(data[i:i + 1024]); handle.flush(); time.sleep(0.005)
    def slow_fsync(path):
        time.sleep(0.01); fsync(path)
    pd.DataFrame.to_parquet, outputs._fsync = to_parquet, slow_fsync
from utr_assets.cli import main
sys.exit(main(sys.argv[2:]))
"""


def _argv(phast: dict[str, Path], out: Path, spliced: bool) -> list[str]:
    return [
        "extract-utrs",
        "--maf",
        str(phast["maf"]),
        "--annotation",
        str(phast["annotation"]),
        "--genome",
        str(phast["genome"]),
        "--out",
        str(out),
        "--reference-species",
        "hg17",
        "--selection",
        "all",
        "--coordinate-offset",
        str(PHAST_OFFSET),
        "--workers",
        "1",
        *(["--spliced"] if spliced else []),
    ]


def _start(mode: str, argv: list[str]) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, mode, *argv], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


def _complete_run(mode: str, argv: list[str]) -> float:
    started = time.monotonic()
    child = _start(mode, argv)
    _, err = child.communicate(timeout=120)
    assert child.returncode == 0, err.decode()[-2000:]
    return time.monotonic() - started


def _state(out: Path) -> str:
    manifest = verify_output_set(out)  # raises on a missing, extra, truncated or mixed file
    assert set(manifest["files"]) == FILES and {p.name for p in out.iterdir()} == FILES | {MANIFEST}
    return (out / MANIFEST).read_text()


def test_sigkill_at_random_moments_leaves_a_complete_set(
    phast_slice: dict[str, Path], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    durations = {"plain": _complete_run("plain", _argv(phast_slice, out, spliced=False))}
    previous = _state(out)
    durations["slow"] = _complete_run("slow", _argv(phast_slice, out, spliced=True))
    assert _state(out) != previous  # each run publishes a new set (different tables, new manifest)
    outcomes = {"previous": 0, "new": 0}
    spliced = False
    for mode, kills in (("plain", 13), ("slow", 7)):
        for _ in range(kills):
            before = _state(out)
            child = _start(mode, _argv(phast_slice, out, spliced))
            spliced = not spliced
            time.sleep(rng.uniform(0.15, 1.05) * durations[mode])
            if child.poll() is None:
                child.send_signal(signal.SIGKILL)
            child.wait(timeout=60)
            try:
                after = _state(out)
            except (OutputSetError, AssertionError) as exc:
                pytest.fail(f"seed {seed}, {mode}: killed run left an incomplete or mixed set: {exc}")
            outcomes["previous" if after == before else "new"] += 1
    print(f"seed {seed}: {outcomes}")
    assert outcomes["previous"] >= 1, (seed, outcomes)  # kills did land before the swap
    # a later complete run clears what killed runs left beside the folder (staging folders)
    _complete_run("plain", _argv(phast_slice, out, spliced=False))
    _state(out)
    assert not list(tmp_path.glob(".out.*")), list(tmp_path.glob(".out.*"))


def test_failed_run_leaves_the_previous_set_and_no_staging(
    phast_slice: dict[str, Path], tmp_path: Path
) -> None:
    from utr_assets.cli import main

    out = tmp_path / "out"
    assert main(_argv(phast_slice, out, spliced=True)) == 0
    before = _state(out)
    broken = tmp_path / "broken.maf"
    broken.write_text(
        phast_slice["maf"].read_text().replace("s hg17.chr22 1194 35", "s hg17.chr22 1194 x35", 1)
    )
    assert (
        main([*_argv(phast_slice, out, spliced=True)[:2], str(broken), *_argv(phast_slice, out, True)[3:]])
        == 2
    )
    assert _state(out) == before and not list(tmp_path.glob(".out.*"))


def test_an_output_folder_with_foreign_files_is_refused(
    phast_slice: dict[str, Path], tmp_path: Path, capsys
) -> None:
    from utr_assets.cli import main

    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    assert main(_argv(phast_slice, out, spliced=True)) == 2
    assert "not a complete earlier output set" in capsys.readouterr().err
    assert [p.name for p in out.iterdir()] == ["notes.txt"]
