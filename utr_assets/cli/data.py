"""CLI sub-commands that write data files outside Dagster: `sample-data` and `extract-utrs`.

What belongs here: reading the parsed arguments, calling the simulator or the reference/alignment
readers, printing a one-line summary. Not here: the argument definitions (`parser.py`) or any of the
extraction logic (reference/, alignments/).
"""

from __future__ import annotations

import argparse
from pathlib import Path


def cmd_sample_data(args: argparse.Namespace) -> int:
    from utr_assets.simulate import generate_sample

    manifest = generate_sample(Path(args.out), seed=args.seed, scale=args.scale)
    print(f"sample written; manifest: {manifest}")
    return 0


def cmd_extract_utrs(args: argparse.Namespace) -> int:
    """Annotation + genome -> 3'UTRs (docs/protocol.md §1); MAF -> their alignments and orthologs (docs/protocol.md §2)."""
    from utr_assets.alignments.command import extract_utrs_to_dir
    from utr_assets.common.outputs import OutputSet
    from utr_assets.reference.annotation import read_annotation
    from utr_assets.reference.fasta import Genome
    from utr_assets.reference.utr3 import Utr3Selection, select_utr3_regions

    transcripts = read_annotation(args.annotation, args.annotation_format, args.coordinate_offset)
    selection = Utr3Selection(
        transcript_selection=args.selection,
        spliced_utrs=args.spliced,
        max_invalid_stop_fraction=args.max_invalid_stop_fraction,
    )
    with Genome(args.genome) as genome:
        regions, excluded = select_utr3_regions(transcripts, genome, selection, args.annotation)
    if args.chrom:
        present = sorted(set(regions.chrom))
        regions = regions[regions.chrom == args.chrom]
        if regions.empty:
            alt = args.chrom[3:] if args.chrom.startswith("chr") else f"chr{args.chrom}"
            raise ValueError(
                f"--chrom {args.chrom}: no 3'UTR on that contig; the annotation's contigs with 3'UTRs "
                f"are {', '.join(present[:12]) or 'none'}"
                + (f" (did you mean {alt}?)" if alt in present else "")
            )
    # every output is staged and the folder swapped in whole, manifest last: a killed run leaves the old set
    with OutputSet(args.out, "utr-assets extract-utrs") as outputs:
        regions.to_parquet(outputs.path("utr3_regions.parquet"), index=False)
        summary = extract_utrs_to_dir(
            args.maf, regions, outputs.staging, args.reference_species, workers=args.workers
        )
        outputs.publish()
    print(
        f"{len(regions)} 3'UTRs ({len(excluded)} transcripts excluded); {summary['n_utrs']} extracted at "
        f"{summary['mb_per_s']} MB/s; outputs in {args.out}"
    )
    return 0
