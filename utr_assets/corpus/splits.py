"""The pretraining corpus as a table: orientation, human-only subset, seeded gene-grouped split, shuffle.

What belongs here: row-level operations on the orthologs table (docs/protocol.md §2) that decide what the models
see. Not here: reading/writing shards (`shards.py`) or tokens (`tokenise.py`).

Input contract (one row per species' ortholog of a human 3'UTR): ``utr_id`` (human 3'UTR id),
``gene_id`` (human gene), ``species`` (verbatim, e.g. Canis_lupus_familiaris), ``chrom`` and
``strand`` (the human gene's chromosome and strand), ``sequence`` (RNA orientation, ACGTN upper case).
Invariants: species names are never altered; every random choice takes an explicit seed; the
validation split holds whole human genes (all species, all UTRs of a held-out gene).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from utr_assets.common.sequences import reverse_complement

CORPUS_COLUMNS = ["utr_id", "gene_id", "species", "chrom", "strand", "sequence"]


def require_columns(df: pd.DataFrame, columns: list[str] = CORPUS_COLUMNS) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"corpus table lacks columns {missing}; has {list(df.columns)}")


def to_dna_orientation(df: pd.DataFrame, strand_column: str = "strand") -> pd.DataFrame:
    """RNA -> DNA orientation (the + strand of the reference): minus-strand genes reverse-complemented.

    ``strand_column`` is the human gene's strand, which sets the orientation of every species' row.
    """
    require_columns(df, ["sequence", strand_column])
    strands = df[strand_column]
    if not strands.isin(["+", "-"]).all():
        raise ValueError(f"{strand_column} must be '+' or '-'; found {sorted(set(strands) - {'+', '-'})}")
    out = df.copy()
    minus = (strands == "-").to_numpy()
    seqs = out["sequence"].to_numpy(dtype=object)
    seqs[minus] = [reverse_complement(s) for s in seqs[minus]]
    out["sequence"] = seqs
    return out


def human_only(df: pd.DataFrame, reference_species: str = "Homo_sapiens") -> pd.DataFrame:
    """The reference species' rows only (the study's STSP-HS corpus)."""
    require_columns(df, ["species"])
    out = df[df["species"] == reference_species].reset_index(drop=True)
    if out.empty:
        raise ValueError(
            f"no rows of species {reference_species!r}; species present: {sorted(df.species.unique())[:10]}"
        )
    return out


def shuffle(df: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Rows in a seeded random order (numpy PCG64: the same seed gives the same order everywhere)."""
    order = np.random.default_rng(seed).permutation(len(df))
    return df.iloc[order].reset_index(drop=True)


def validation_genes(gene_ids: pd.Series | list[str], fraction: float, seed: int) -> set[str]:
    """A seeded choice of round(fraction x genes) human genes (at least one when fraction > 0 and there
    are two or more genes; never all of them). Depends only on the set of genes, not on row order."""
    if not 0.0 <= fraction < 1.0:
        raise ValueError(f"validation fraction must be in [0, 1), got {fraction}")
    genes = np.array(sorted(set(gene_ids)), dtype=object)
    if fraction == 0.0 or len(genes) < 2:
        return set()
    n_val = min(max(1, round(fraction * len(genes))), len(genes) - 1)
    chosen = np.random.default_rng(seed).permutation(len(genes))[:n_val]
    return set(genes[chosen].tolist())


def split_by_gene(
    orthologs: pd.DataFrame, validation_fraction: float, seed: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(train, validation): every row of a held-out human gene goes to validation; original row order kept."""
    require_columns(orthologs, ["gene_id"])
    if orthologs["gene_id"].isna().any():
        raise ValueError("gene_id has missing values: every row needs its human gene for the split")
    held_out = validation_genes(orthologs["gene_id"], validation_fraction, seed)
    is_val = orthologs["gene_id"].isin(held_out).to_numpy()
    return orthologs[~is_val].reset_index(drop=True), orthologs[is_val].reset_index(drop=True)


@dataclass(frozen=True)
class CorpusSplits:
    train: pd.DataFrame
    validation: pd.DataFrame

    def summary(self) -> dict[str, int]:
        return {
            "train_rows": len(self.train),
            "validation_rows": len(self.validation),
            "train_genes": int(self.train["gene_id"].nunique()),
            "validation_genes": int(self.validation["gene_id"].nunique()),
            "train_nucleotides": int(self.train["sequence"].str.len().sum()),
            "validation_nucleotides": int(self.validation["sequence"].str.len().sum()),
            "species": int(pd.concat([self.train.species, self.validation.species]).nunique()),
        }


def prepare_corpus(
    orthologs: pd.DataFrame,
    *,
    validation_fraction: float,
    seed: int,
    orientation: str = "rna",
    reference_species: str | None = None,
    min_length: int = 1,
) -> CorpusSplits:
    """The whole recipe: optional human-only subset, orientation, gene-grouped split, seeded shuffles.

    ``reference_species`` set -> that species only (STSP-HS). Rows shorter than ``min_length`` are dropped.
    The same seed drives the split and (offset by one) the shuffles, so one number reproduces the corpus.
    """
    require_columns(orthologs)
    if orientation not in ("rna", "dna"):
        raise ValueError(f"orientation must be 'rna' or 'dna', got {orientation!r}")
    table = orthologs[CORPUS_COLUMNS].copy()
    table = table[table["sequence"].str.len() >= min_length]
    if reference_species is not None:
        table = human_only(table, reference_species)
    if orientation == "dna":
        table = to_dna_orientation(table)
    train, validation = split_by_gene(table, validation_fraction, seed)
    return CorpusSplits(shuffle(train, seed + 1), shuffle(validation, seed + 2))
