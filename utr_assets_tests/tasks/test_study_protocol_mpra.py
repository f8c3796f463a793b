"""Issue 15, points 1-3 and the half-life alphas: MPRA inputs, CV groups and probe grids as the study had
them (heiniglab/investigating-foundation-models-3utr: mpra/mpra_siegel_2022/dataprep/dataprep.ipynb and
regression/run_regressor.py, mpra/mpra_griesemer_2021/dataprep/seed_variants.ipynb and
regression/run_regressor.py, half_life/regression/run_regressor.py, embeddings/embeddings_siegel.sh).

Each case is built by hand so that the old rule and the study's rule give different answers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from utr_assets.assets.scoring import _oligo_sequences
from utr_assets.evaluation.probes import RIDGE_ALPHAS, check_grouping, group_folds
from utr_assets.model_registry import ModelEntry, load_registry
from utr_assets.scoring.base import ScoringError
from utr_assets.tasks.expression import build_mpra_dataset
from utr_assets.tasks.readers.expression import read_griesemer

PROJECT = Path(__file__).resolve().parents[2]
RNG = np.random.default_rng(7)
UTR = "".join(RNG.choice(list("ACGT"), 600))


def _mutate(seq: str, at: int) -> str:
    return seq[:at] + {"A": "C", "C": "G", "G": "T", "T": "A"}[seq[at]] + seq[at + 1 :]


def _siegel(rows: list[tuple[str, str]]) -> pd.DataFrame:
    """The Saluki export's shape: no chromosome, no strand."""
    return pd.DataFrame(
        {
            "oligo_id": [r[0] for r in rows],
            "sequence": [r[1] for r in rows],
            "cell_line": "Beas2B",
            "target": "activity",
            "value": np.arange(len(rows), dtype=float),
            "gene_id": None,
            "chrom": None,
            "start": pd.NA,
            "end": pd.NA,
            "variant_id": None,
            "allele": None,
        }
    )


def test_siegel_wild_type_mutants_and_tiles_share_the_chromosome_group():
    regions = pd.DataFrame({"utr_id": ["U1"], "chrom": ["chr5"], "strand": ["-"], "sequence": [UTR]})
    wild = UTR[100:300]
    other = "".join(np.random.default_rng(8).choice(list("ACGT"), 200))
    table = _siegel(
        [
            ("wt", wild),
            ("snv", _mutate(wild, 100)),
            ("double", _mutate(_mutate(wild, 40), 160)),
            ("tile", UTR[250:450]),
            ("elsewhere", other),
        ]
    )
    data = build_mpra_dataset(table, "chromosome", regions).set_index("oligo_id")
    # the old rule placed only exact matches (wt, tile) on chr5 and sent the mutants to seq: groups
    assert data.loc[["wt", "snv", "double", "tile"], "group"].tolist() == ["chr5"] * 4
    assert data.loc[["wt", "snv", "double", "tile"], "strand"].tolist() == ["-"] * 4
    assert data.loc["elsewhere", "group"].startswith("seq:") and pd.isna(data.loc["elsewhere", "strand"])
    check_grouping(group_folds(data["group"], 2), data["group"].to_numpy())
    kept = build_mpra_dataset(table, "chromosome", regions, drop_unplaced=True)
    assert sorted(kept["oligo_id"]) == ["double", "snv", "tile", "wt"] and kept.attrs["dropped_unplaced"] == 1


def test_siegel_oligo_in_two_utrs_takes_the_longest():
    regions = pd.DataFrame(
        {
            "utr_id": ["A", "B"],
            "chrom": ["chr2", "chr9"],
            "strand": ["+", "-"],
            "sequence": [UTR[100:320], UTR],
        }
    )
    data = build_mpra_dataset(_siegel([("wt", UTR[150:300])]), "chromosome", regions)
    assert (data.loc[0, "group"], data.loc[0, "strand"]) == ("chr9", "-")  # old: the first utr_id, chr2


def test_griesemer_groups_by_gene_then_merges_overlapping_oligos():
    def oligo(name, gene, start):
        return [
            {
                "oligo_id": f"{name}:{a}",
                "sequence": UTR[start % 400 : start % 400 + 60],
                "cell_line": "HMEC",
                "target": "log2fc",
                "value": 0.0,
                "gene_id": gene,
                "chrom": "chr1",
                "start": start,
                "end": start + 59,
                "variant_id": name,
                "allele": a,
                "strand": "+",
            }
            for a in ("ref", "alt")
        ]

    # gene A at two distant loci; gene B overlaps A's second oligo; gene C alone
    table = pd.DataFrame(
        oligo("a1", "A", 1000)
        + oligo("a2", "A", 50_000)
        + oligo("b1", "B", 50_030)
        + oligo("c1", "C", 90_000)
    )
    group = build_mpra_dataset(table, "gene").drop_duplicates("oligo_id").set_index("oligo_id")["group"]
    # the old overlap-only rule put a1 and a2 in different groups (a gene's oligos in two folds)
    assert group["a1:ref"] == group["a1:alt"] == group["a2:ref"] == group["b1:ref"] == "gene:A"
    assert group["c1:ref"] == "gene:C"


def test_griesemer_strand_is_carried_from_the_oligo_table(tmp_path):
    (tmp_path / "info.tsv").write_text(
        "oligo_id\tgene_id\tchrom\tstrand\toligo_start\toligo_end\tref_sequence\t"
        "alt_sequence\no1\tG1\tchr1\t-\t100\t159\tACGTACGT\tACGAACGT\n"
    )
    (tmp_path / "HMEC.tsv").write_text("oligo_id\tlog2FoldChange_ref\tlog2FoldChange_alt\no1\t0.5\t-0.2\n")
    table = read_griesemer(tmp_path / "info.tsv", {"HMEC": tmp_path / "HMEC.tsv"})
    data = build_mpra_dataset(table, "gene")
    assert data["strand"].tolist() == ["-", "-"]


def test_dna_orientation_models_read_oligos_on_the_plus_strand():
    mpra = pd.DataFrame({"oligo_id": ["p", "m"], "sequence": ["AACGT", "AACGG"], "strand": ["+", "-"]})
    dna = ModelEntry(slug="x", kind="trained", family="dss", presets={"sample": "tiny"}, orientation="dna")
    rna = ModelEntry(slug="y", kind="trained", family="dss", presets={"sample": "tiny"}, orientation="rna")
    assert _oligo_sequences(mpra, dna) == (["p", "m"], ["AACGT", "CCGTT"])  # old: RNA orientation for both
    assert _oligo_sequences(mpra, rna) == (["p", "m"], ["AACGT", "AACGG"])
    with pytest.raises(ScoringError, match="no genomic strand"):
        _oligo_sequences(mpra.assign(strand=[None, "-"]), dna)


def test_paper_comparators_read_dna_orientation():
    registry = load_registry(PROJECT / "data" / "models.paper.yaml")
    comparators = [e for e in registry.values() if e.kind == "pretrained"]
    assert len(comparators) == 3 and {e.orientation for e in comparators} == {"dna"}


def test_ridge_alpha_grids_are_the_studys():
    # Griesemer RidgeCV(alphas=10.**np.arange(1,5)), Siegel 10.**np.arange(0,5,0.5), half-life 10.**np.arange(-5,6)
    np.testing.assert_allclose(RIDGE_ALPHAS["griesemer"], [1e1, 1e2, 1e3, 1e4])
    np.testing.assert_allclose(RIDGE_ALPHAS["siegel"], 10.0 ** np.arange(0, 5, 0.5))
    np.testing.assert_allclose(RIDGE_ALPHAS["half_life"], 10.0 ** np.arange(-5, 6))
