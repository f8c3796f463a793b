"""Benchmark: the FASTA scan run before a .fai is (re)built (duplicate contigs, non-nucleotide letters) against
the index build itself (samtools faidx through pysam), on the same synthetic genome, plain and bgzip.

    python speed_benchmarks/fasta_checks.py --mb 200 --scaffolds 20000

The scan runs once per FASTA (again only when its size, mtime or edge checksum change), so its cost adds to
the first open's. Prints one row per layout: seconds and MB/s of each, and scan / faidx. Files go to
``benchmarks/out/``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pysam

from utr_assets.reference.fasta_checks import scan_fasta

OUT = Path(__file__).resolve().parent / "out"


def write_genome(path: Path, megabases: int, scaffolds: int, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    letters = np.frombuffer(b"ACGTNacgt", np.uint8)
    with open(path, "wb") as handle:
        for contig in range(4):
            handle.write(f">chr{contig + 1}\n".encode())
            seq = letters[rng.integers(0, letters.size, megabases * 1_000_000 // 4)].tobytes()
            handle.write(b"\n".join(seq[i : i + 60] for i in range(0, len(seq), 60)) + b"\n")
        for k in range(scaffolds):
            handle.write(f">scaffold_{k}\n".encode() + letters[rng.integers(0, 4, 200)].tobytes() + b"\n")


def best_of(n: int, call) -> float:
    times = []
    for _ in range(n):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=200, help="megabases in 4 contigs")
    parser.add_argument("--scaffolds", type=int, default=20000, help="small contigs after them")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    plain = OUT / "fasta_checks.fa"
    write_genome(plain, args.mb, args.scaffolds)
    bgzip = OUT / "fasta_checks.fa.gz"
    pysam.tabix_compress(str(plain), str(bgzip), force=True)
    size_mb = plain.stat().st_size / 1e6
    print(
        f"{'layout':<8}{'MB':>8}{'scan s':>9}{'scan MB/s':>11}{'faidx s':>9}{'faidx MB/s':>12}{'scan/faidx':>12}"
    )
    for name, path in (("plain", plain), ("bgzip", bgzip)):
        scan = best_of(args.repeats, lambda p=path: scan_fasta(p))
        faidx = best_of(args.repeats, lambda p=path: pysam.faidx(str(p)))
        print(
            f"{name:<8}{size_mb:>8.0f}{scan:>9.2f}{size_mb / scan:>11.0f}{faidx:>9.2f}{size_mb / faidx:>12.0f}"
            f"{scan / faidx:>12.2f}"
        )


if __name__ == "__main__":
    main()
