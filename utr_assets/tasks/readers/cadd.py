"""CADD per-SNV scores (whole_genome_SNVs.tsv.gz) and their per-position maximum.

Format: `## CADD ...` banner, `#Chrom Pos Ref Alt RawScore PHRED`, Pos 1-based, NCBI chromosome names;
bgzipped with a tabix index it is queried by region. Inputs are hg38; no liftover.

What belongs here: reading the table (whole, or only some regions through the tabix index) with errors that
name the file and record, and `cadd_position_max` (docs/protocol.md §4). Not here: per-base tracks such as
PhyloP (`tracks.py`), using the scores (`utr_assets.scoring.baselines`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pysam

from utr_assets.common.errors import InputFormatError
from utr_assets.tasks.readers.tsv import integer, numeric, read_tsv, require_columns
from utr_assets.tasks.utr_coords import Regions, normalise_chrom

CADD_COLUMNS = ["chrom", "pos", "ref", "alt", "raw_score", "phred"]


def read_cadd_scores(path: str | Path, regions: Regions | None = None) -> pd.DataFrame:
    """CADD per-SNV scores -> DataFrame CADD_COLUMNS (pos 1-based, chrom as in the file).

    With `regions` and a tabix index beside the file, only those regions are read.
    """
    path = Path(path)
    tbi = Path(f"{path}.tbi")
    if regions is not None and tbi.is_file():
        rows, records = [], []
        with pysam.TabixFile(str(path)) as tabix:
            contigs = set(tabix.contigs)
            for chrom, s, e in regions:
                name = normalise_chrom(chrom, contigs)
                if name not in contigs:
                    continue
                for rec in tabix.fetch(name, int(s), int(e)):
                    f = rec.split("\t")
                    if len(f) < 6:
                        raise InputFormatError(
                            path,
                            f"record {rec[:60]!r} (tabix region {name}:{s}-{e}): {len(f)} fields, CADD has 6",
                        )
                    rows.append(f[:6])
                    records.append(f"{rec[:60]!r} (tabix region {name}:{s}-{e})")
        table = pd.DataFrame(rows, columns=["Chrom", "Pos", "Ref", "Alt", "RawScore", "PHRED"], dtype=object)
        table["_line"] = 0  # read through the index: rows are named by their text and region (`_record`)
        table["_record"] = records
    else:
        table = read_tsv(path)
        require_columns(table, ["Chrom", "Pos", "Ref", "Alt", "RawScore", "PHRED"], path)
    out = pd.DataFrame(
        {
            "chrom": table["Chrom"].astype(str),
            "pos": integer(table, "Pos", path, minimum=1).astype("int64"),
            "ref": table["Ref"].astype(str),
            "alt": table["Alt"].astype(str),
            "raw_score": numeric(table, "RawScore", path),
            "phred": numeric(table, "PHRED", path),
        }
    )
    if regions is not None and not tbi.is_file():
        mask = np.zeros(len(out), bool)
        for chrom, s, e in regions:
            name = normalise_chrom(chrom, set(out["chrom"]))
            mask |= (
                (out["chrom"] == name).to_numpy() & (out["pos"] > s).to_numpy() & (out["pos"] <= e).to_numpy()
            )
        out = out[mask]
    return out.drop_duplicates(["chrom", "pos", "ref", "alt"]).reset_index(drop=True)


def cadd_position_max(scores: pd.DataFrame) -> pd.DataFrame:
    """Per-position CADD (docs/protocol.md §4): max RawScore over the 3 alternatives -> (chrom, pos, raw_score_max)."""
    return (
        scores.groupby(["chrom", "pos"], sort=True)["raw_score"].max().rename("raw_score_max").reset_index()
    )
