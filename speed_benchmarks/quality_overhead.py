"""Overhead of the Great Expectations quality runner vs the same checks in plain pandas.

Run: .venv/bin/python speed_benchmarks/quality_overhead.py [--rows 20000]
Prints: GE import (fresh interpreter), first validation, steady-state validation of the
utr3_regions suite, and the plain-pandas equivalent on the same frame.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

import numpy as np
import pandas as pd


def _frame(rows: int) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    lengths = rng.integers(50, 3000, rows)
    seqs = ["".join(rng.choice(list("ACGT"), n)) for n in lengths[: min(rows, 2000)]]
    seqs = (seqs * (rows // len(seqs) + 1))[:rows]
    starts = rng.integers(0, 10**8, rows)
    return pd.DataFrame(
        {
            "utr_id": [f"ENST{i:011d}" for i in range(rows)],
            "transcript_id": [f"ENST{i:011d}" for i in range(rows)],
            "sequence": seqs,
            "length": [len(s) for s in seqs],
            "sequence_length": [len(s) for s in seqs],
            "start": starts,
            "end": starts + np.array([len(s) for s in seqs]),
            "contig_length": 2 * 10**8,
            "stop_codon": rng.choice(["TAA", "TAG", "TGA"], rows),
        }
    )


def _plain(frame: pd.DataFrame) -> bool:
    return bool(
        frame.sequence.str.fullmatch(r"[ACGTN]+").all()
        and (frame.start >= 0).all()
        and (frame.end > frame.start).all()
        and (frame.end <= frame.contig_length).all()
        and (frame.length == frame.sequence_length).all()
        and frame.utr_id.is_unique
        and frame.transcript_id.is_unique
        and frame.stop_codon.isin(["TAA", "TAG", "TGA"]).all()
        and (frame.length >= 1).all()
        and 20 <= frame.length.median() <= 20000
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=20000)
    args = parser.parse_args()
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import great_expectations"], check=True)
    ge_import = time.perf_counter() - started
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import pandas"], check=True)
    baseline_import = time.perf_counter() - started

    from utr_assets.assets.reference_checks import UTR3_CHECKS
    from utr_assets.platform.quality import run_quality_checks

    frame = _frame(args.rows)
    started = time.perf_counter()
    run_quality_checks("utr3_regions", frame, UTR3_CHECKS)
    first = time.perf_counter() - started
    started = time.perf_counter()
    results = run_quality_checks("utr3_regions", frame, UTR3_CHECKS)
    steady = time.perf_counter() - started
    assert all(r.passed for r in results)
    started = time.perf_counter()
    assert _plain(frame)
    plain = time.perf_counter() - started
    print(f"{'measure':<52}{'seconds':>10}")
    print(f"{'python -c import great_expectations (fresh process)':<52}{ge_import:>10.2f}")
    print(f"{'python -c import pandas (fresh process, baseline)':<52}{baseline_import:>10.2f}")
    print(f"{'GE utr3 suite, first call (context + import)':<52}{first:>10.3f}")
    print(f"{'GE utr3 suite, steady state (5 checks, 12 exp.)':<52}{steady:>10.3f}")
    print(f"{'plain pandas, same checks':<52}{plain:>10.3f}")
    print(f"rows={args.rows}; steady-state GE / pandas = {steady / plain:.1f}x")


if __name__ == "__main__":
    main()
