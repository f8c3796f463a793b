"""Corpus table operations: gene-grouped split, seeded shuffle, orientation, human-only subset."""

from __future__ import annotations

import pandas as pd
import pytest

from utr_assets.corpus import (
    CORPUS_COLUMNS,
    check_genes_disjoint,
    human_only,
    prepare_corpus,
    reverse_complement,
    shuffle,
    split_by_gene,
    to_dna_orientation,
)

SPECIES = ["Homo_sapiens", "Canis_lupus_familiaris", "Mus_musculus", "Bos_taurus"]


def _orthologs(n_genes: int = 40) -> pd.DataFrame:
    rows = []
    for g in range(n_genes):
        for u in range(1 + g % 2):  # some genes have two UTRs
            for s, species in enumerate(SPECIES[: 2 + g % 3]):
                rows.append(
                    {
                        "utr_id": f"ENST{g:05d}.{u}",
                        "gene_id": f"ENSG{g:05d}",
                        "species": species,
                        "chrom": "chr1",
                        "strand": "+-"[g % 2],
                        "sequence": "ACGTN"[s] + "ACCGT" * (1 + g % 4),
                    }
                )
    return pd.DataFrame(rows, columns=CORPUS_COLUMNS)


def test_split_holds_out_whole_genes_with_every_species():
    df = _orthologs()
    train, val = split_by_gene(df, 0.25, seed=7)
    assert len(train) + len(val) == len(df)
    assert check_genes_disjoint(train.gene_id, val.gene_id).passed
    assert val.gene_id.nunique() == 10  # round(0.25 * 40)
    for gene, rows in val.groupby("gene_id"):
        assert len(rows) == (df.gene_id == gene).sum()  # all UTRs, all species of a held-out gene


def test_split_is_deterministic_and_seed_dependent():
    df = _orthologs()
    a_train, a_val = split_by_gene(df, 0.2, seed=1)
    b_train, b_val = split_by_gene(df.sample(frac=1, random_state=3), 0.2, seed=1)  # row order irrelevant
    assert set(a_val.gene_id) == set(b_val.gene_id)
    _, c_val = split_by_gene(df, 0.2, seed=2)
    assert set(c_val.gene_id) != set(a_val.gene_id)


def test_split_edge_fractions():
    df = _orthologs(5)
    assert split_by_gene(df, 0.0, seed=0)[1].empty
    assert split_by_gene(df, 0.01, seed=0)[1].gene_id.nunique() == 1  # at least one gene when asked
    assert split_by_gene(df, 0.99, seed=0)[0].gene_id.nunique() == 1  # never all genes
    with pytest.raises(ValueError):
        split_by_gene(df, 1.0, seed=0)
    with pytest.raises(ValueError):
        split_by_gene(df.assign(gene_id=None), 0.2, seed=0)


def test_shuffle_seeded():
    df = _orthologs()
    a, b, c = shuffle(df, 5), shuffle(df, 5), shuffle(df, 6)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(c)
    assert sorted(a.utr_id + a.species) == sorted(df.utr_id + df.species)


def test_dna_orientation_reverse_complements_minus_genes_only():
    df = pd.DataFrame(
        {
            "strand": ["+", "-", "-"],
            "sequence": ["AACGTN", "AACGTN", ""],
            "species": ["Canis_lupus_familiaris"] * 3,
        }
    )
    out = to_dna_orientation(df)
    assert out.sequence.tolist() == ["AACGTN", "NACGTT", ""]
    assert out.species.tolist() == df.species.tolist()
    assert df.sequence.tolist() == ["AACGTN", "AACGTN", ""]  # input untouched
    assert reverse_complement(reverse_complement("ACGTTN")) == "ACGTTN"
    with pytest.raises(ValueError):
        to_dna_orientation(df.assign(strand=["+", ".", "-"]))


def test_human_only_and_prepare_corpus():
    df = _orthologs()
    assert set(human_only(df).species) == {"Homo_sapiens"}
    with pytest.raises(ValueError):
        human_only(df, "Pan_troglodytes")
    splits = prepare_corpus(df, validation_fraction=0.2, seed=3)
    again = prepare_corpus(df, validation_fraction=0.2, seed=3)
    pd.testing.assert_frame_equal(splits.train, again.train)
    assert set(splits.train.species) == set(df.species)  # verbatim, double-underscore names kept
    summary = splits.summary()
    assert summary["train_rows"] + summary["validation_rows"] == len(df)
    dna = prepare_corpus(df, validation_fraction=0.2, seed=3, orientation="dna")
    merged = splits.train.merge(dna.train, on=["utr_id", "species"], suffixes=("_rna", "_dna"))
    minus = merged.strand_rna == "-"
    assert (merged.sequence_dna[minus] == merged.sequence_rna[minus].map(reverse_complement)).all()
    assert (merged.sequence_dna[~minus] == merged.sequence_rna[~minus]).all()
    hs = prepare_corpus(df, validation_fraction=0.2, seed=3, reference_species="Homo_sapiens")
    assert set(hs.train.species) | set(hs.validation.species) == {"Homo_sapiens"}
