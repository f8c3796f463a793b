"""Benchmark: extract every 3'UTR's aligned projection from a large MAF with our reader, bx-python and Biopython.

    python speed_benchmarks/maf_extraction.py --mb 500 --species 60          # generate, then run all tools
    python speed_benchmarks/maf_extraction.py --maf X.maf --regions R.parquet --reference hg38 --chrom chr1

Each tool runs in its own subprocess (so ``ru_maxrss`` is its own peak RSS) on the same file and UTRs:
- ours: ``build_maf_index`` (one pass reading reference rows only; the scan for block starts runs on up to
  4 threads) + the aligned projection by seeks in one process (``extract_utrs(..., orthologs=False)``: the
  same work as the baselines, plus fragment chaining and best-row choice); ``ours-1core``: the same with
  the scan on one thread (one core throughout, like the baselines); ``ours-w2``: the extraction split over
  2 processes (``workers=2``, the command's default on 2 cores); ``ours+orth``: the same as ours plus the
  stop-anchored orthologs table; ``ours-stream``: no index, one pass that parses only overlapping blocks.
- bx: bx-python's own index builder (``maf_build_index.py -s <reference>``), then ``MAFIndexedAccess.get`` per
  UTR piece, ``slice_by_component``, human-gap columns dropped with numpy.
- biopython: ``Bio.AlignIO.MafIO.MafIndex`` (sqlite index built on first open), then ``get_spliced`` per UTR.
Figures: index build and extraction seconds, MB/s = MAF MB / (build + extract) and extraction-only, UTRs/s,
peak RSS. The MAF comes from ``maf_synth.py`` (the sample generator ``utr_assets.simulate`` writes no MAF
of this size); ``--simulate-scale bench`` uses the sample generator's world instead (97 species, real-alignment
artefacts; its gzip MAF is decompressed first); ``--maf``/``--regions`` time a real one. Files go to
``benchmarks/out/``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _pieces(row) -> list[tuple[int, int]]:
    return [tuple(int(x) for x in b.split("-")) for b in row.blocks.split(",")]


def run_ours(
    maf: Path,
    regions,
    reference: str,
    chrom: str,
    use_index: bool,
    orthologs: bool,
    threads: int | None,
    workers: int,
) -> dict:
    from utr_assets.alignments import build_maf_index, extract_utrs

    t0 = time.perf_counter()
    index = build_maf_index(maf, reference, threads=threads) if use_index else None
    t1 = time.perf_counter()
    aln, orth, stats = extract_utrs(
        maf, regions, reference, index=index, orthologs=orthologs, workers=workers
    )
    t2 = time.perf_counter()
    return dict(
        build_s=t1 - t0,
        extract_s=t2 - t1,
        rows=len(aln),
        orthologs=len(orth),
        blocks_read=stats.blocks_read,
        blocks_total=stats.blocks_total,
    )


def run_bx(maf: Path, regions, reference: str, chrom: str) -> dict:
    import numpy as np
    from bx.align import maf as bxmaf

    index_path = maf.with_suffix(".bx.index")
    t0 = time.perf_counter()
    builder = shutil.which("maf_build_index.py") or Path(sys.executable).with_name("maf_build_index.py")
    subprocess.run([sys.executable, str(builder), "-s", reference, str(maf), str(index_path)], check=True)
    t1 = time.perf_counter()
    access = bxmaf.MAFIndexedAccess(str(maf), str(index_path), keep_open=True)
    src = f"{reference}.{chrom}"
    rows = 0
    for r in regions.itertuples(index=False):
        per_species: dict[str, list[str]] = {}
        offset = 0
        for s, e in _pieces(r):
            for block in access.get(src, s, e):
                ref = block.get_component_by_src(src)
                a, b = max(s, ref.start), min(e, ref.end)
                if a >= b:
                    continue
                sl = block.slice_by_component(ref, a, b)
                ref_text = np.frombuffer(sl.get_component_by_src(src).text.encode(), np.uint8)
                keep = ref_text != 45
                for c in sl.components:
                    text = np.frombuffer(c.text.encode(), np.uint8)[keep].tobytes().decode()
                    lst = per_species.setdefault(c.src.split(".")[0], [])
                    pad = offset + (a - s) - sum(len(x) for x in lst)
                    lst.append("-" * pad + text)
            offset += e - s
        rows += len(per_species)
    t2 = time.perf_counter()
    ru = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return dict(build_s=t1 - t0, extract_s=t2 - t1, rows=rows, builder_rss_mb=ru / 1024)


def run_bio(maf: Path, regions, reference: str, chrom: str) -> dict:
    from Bio.AlignIO.MafIO import MafIndex

    sqlite = maf.with_suffix(".bio.sqlite")
    if sqlite.exists():
        sqlite.unlink()
    t0 = time.perf_counter()
    idx = MafIndex(str(sqlite), str(maf), f"{reference}.{chrom}")
    t1 = time.perf_counter()
    rows = errors = 0
    for r in regions.itertuples(index=False):
        p = _pieces(r)
        try:
            aln = idx.get_spliced([a for a, _ in p], [b for _, b in p], 1 if r.strand == "+" else -1)
        except ValueError:  # Biopython refuses blocks with two rows of one species (paralogs)
            errors += 1
            continue
        rows += len(aln)
    t2 = time.perf_counter()
    return dict(build_s=t1 - t0, extract_s=t2 - t1, rows=rows, failed_utrs=errors)


def simulated_inputs(scale: str, seed: int, chrom: str) -> tuple[Path, Path]:
    """The sample generator's world at ``scale``: its ``chrom`` MAF decompressed to plain text (bx and
    Biopython index plain files only) and utr3_regions from its GTF and genome via the reference domain."""
    import gzip
    import shutil as sh

    from utr_assets.reference.annotation import read_annotation
    from utr_assets.reference.fasta import Genome
    from utr_assets.reference.utr3 import Utr3Selection, select_utr3_regions
    from utr_assets.simulate import generate_sample

    out = HERE / "out" / f"simulate_{scale}_seed{seed}"
    maf, reg = out / f"{chrom}.maf", out / f"utr3_regions_{chrom}.parquet"
    if maf.exists() and reg.exists():
        return maf, reg
    t = time.perf_counter()
    generate_sample(out / "world", seed, scale)
    print(f"generated the {scale} world in {time.perf_counter() - t:.1f} s", flush=True)
    with gzip.open(out / "world" / "alignments" / f"{chrom}.maf.gz", "rb") as src, open(maf, "wb") as dst:
        sh.copyfileobj(src, dst, 16 << 20)
    gtf = out / "world" / "annotation" / "genes.gtf.gz"
    regions, _ = select_utr3_regions(
        read_annotation(gtf),
        Genome(out / "world" / "genome" / "genome.fa.gz"),
        Utr3Selection(spliced_utrs=True),
        gtf,
    )
    regions[regions.chrom == chrom].to_parquet(reg, index=False)
    return maf, reg


def worker(args: argparse.Namespace) -> None:
    import pandas as pd

    regions = pd.read_parquet(args.regions)
    maf = Path(args.maf)
    if args.worker.startswith("ours"):
        workers = int(args.worker.split("-w")[1]) if "-w" in args.worker else 1
        res = run_ours(
            maf,
            regions,
            args.reference,
            args.chrom,
            args.worker != "ours-stream",
            args.worker == "ours+orth",
            1 if args.worker == "ours-1core" else None,
            workers,
        )
    elif args.worker == "bx":
        res = run_bx(maf, regions, args.reference, args.chrom)
    else:
        res = run_bio(maf, regions, args.reference, args.chrom)
    res["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("RESULT " + json.dumps(res))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mb", type=float, default=500, help="size of the generated MAF")
    ap.add_argument("--species", type=int, default=60)
    ap.add_argument("--utr-fraction", type=float, default=0.02, help="share of the contig under 3'UTR spans")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument(
        "--simulate-scale", help="use utr_assets.simulate.generate_sample at this scale (e.g. bench)"
    )
    ap.add_argument("--maf", type=Path)
    ap.add_argument("--regions", type=Path)
    ap.add_argument("--reference", default="hg38")
    ap.add_argument("--chrom", default="chr1")
    ap.add_argument("--tools", default="ours,ours-1core,ours-w2,ours+orth,ours-stream,bx,biopython")
    ap.add_argument(
        "--repeats", type=int, default=3, help="fresh-process runs per tool; the best is reported"
    )
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        return worker(args)
    if args.maf is None and args.simulate_scale:
        args.maf, args.regions = simulated_inputs(args.simulate_scale, args.seed, args.chrom)
        args.reference = "Homo_sapiens"
    if args.maf is None:
        sys.path.insert(0, str(HERE))
        from maf_synth import write_synthetic_maf

        out = HERE / "out" / f"maf_{int(args.mb)}mb_{args.species}sp_seed{args.seed}"
        maf, reg = out / "synthetic.maf", out / "utr3_regions.parquet"
        if not (maf.exists() and reg.exists()):
            t = time.perf_counter()
            write_synthetic_maf(out, args.mb, args.species, args.seed, args.utr_fraction)
            print(f"generated {maf} in {time.perf_counter() - t:.1f} s", flush=True)
        args.maf, args.regions = maf, reg
    import pandas as pd

    n_utrs = len(pd.read_parquet(args.regions))
    mb = os.path.getsize(args.maf) / 1e6
    print(f"MAF {args.maf} {mb:.0f} MB, {n_utrs} UTRs, reference {args.reference}.{args.chrom}", flush=True)
    results: dict[str, dict] = {}
    spread: dict[str, list[float]] = {}
    tools = args.tools.split(",")
    for _ in range(args.repeats):  # rounds over all tools, so drift in machine load hits every tool alike
        for tool in tools:
            os.system(f"cat {args.maf} > /dev/null")  # same page-cache state for everyone
            cmd = [
                sys.executable,
                __file__,
                "--worker",
                tool,
                "--maf",
                str(args.maf),
                "--regions",
                str(args.regions),
                "--reference",
                args.reference,
                "--chrom",
                args.chrom,
            ]
            t = time.perf_counter()
            proc = subprocess.run(cmd, capture_output=True, text=True)
            wall = time.perf_counter() - t
            line = [x for x in proc.stdout.splitlines() if x.startswith("RESULT ")]
            if proc.returncode or not line:
                print(f"{tool} failed:\n{proc.stderr[-3000:]}")
                continue
            res = json.loads(line[0][7:])
            res["wall_s"] = wall
            spread.setdefault(tool, []).append(res["build_s"] + res["extract_s"])
            if (
                tool not in results
                or spread[tool][-1] < results[tool]["build_s"] + results[tool]["extract_s"]
            ):
                results[tool] = res
            print(f"  {tool} done in {wall:.1f} s", flush=True)
    print(
        f"\nbest of {args.repeats} fresh-process runs per tool (build + extract seconds of every run: "
        + "; ".join(f"{t} {' '.join(f'{x:.2f}' for x in v)}" for t, v in spread.items())
        + ")"
    )
    print(
        f"\n{'tool':<12} {'build s':>8} {'extract s':>9} {'MB/s total':>10} {'MB/s extract':>12} {'UTRs/s':>8} "
        f"{'peak RSS MB':>11}  notes"
    )
    for tool, r in results.items():
        total = r["build_s"] + r["extract_s"]
        notes = f"rows={r['rows']}"
        if "blocks_read" in r:
            notes += f" blocks {r['blocks_read']}/{r['blocks_total']}"
        if r.get("failed_utrs"):
            notes += f" FAILED on {r['failed_utrs']} UTRs"
        if "builder_rss_mb" in r:
            notes += f" index builder RSS {r['builder_rss_mb']:.0f} MB"
        print(
            f"{tool:<12} {r['build_s']:>8.2f} {r['extract_s']:>9.2f} {mb / total:>10.1f} "
            f"{mb / r['extract_s']:>12.1f} {n_utrs / r['extract_s']:>8.1f} {r['rss_mb']:>11.0f}  {notes}"
        )
    base = [t for t in ("bx", "biopython") if t in results]
    for variant in (t for t in results if t.startswith("ours") and base):
        ours = results[variant]
        for key, label in (("total", "build + extract"), ("extract", "extract only")):

            def secs(r, key=key):
                return r["build_s"] + r["extract_s"] if key == "total" else r["extract_s"]

            best = min(base, key=lambda t: secs(results[t]))
            print(
                f"{variant} speed-up ({label}) vs the faster baseline ({best}): "
                f"{secs(results[best]) / secs(ours):.1f}x; "
                + ", ".join(f"vs {t} {secs(results[t]) / secs(ours):.1f}x" for t in base)
            )


if __name__ == "__main__":
    main()
