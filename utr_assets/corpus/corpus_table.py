"""The corpus table from the alignment outputs: orthologs joined to their human 3'UTR's gene.

Invariant: `strand` in the corpus is the HUMAN gene's strand (what DNA orientation flips on), not the
strand of the species' own contig that the orthologs table carries.
"""

from __future__ import annotations

import pandas as pd

from utr_assets.corpus.splits import CORPUS_COLUMNS


def corpus_from_orthologs(orthologs: pd.DataFrame, utr3_regions: pd.DataFrame) -> pd.DataFrame:
    human = utr3_regions[["utr_id", "gene_id", "chrom", "strand"]]
    corpus = orthologs[["utr_id", "species", "sequence"]].merge(
        human, on="utr_id", how="inner", validate="m:1"
    )
    missing = set(orthologs.utr_id) - set(corpus.utr_id)
    if missing:
        raise ValueError(
            f"{len(missing)} ortholog UTR ids are not in utr3_regions, e.g. {sorted(missing)[:3]}"
        )
    return corpus[CORPUS_COLUMNS].reset_index(drop=True)
