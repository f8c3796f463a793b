"""Small rules taken from the study's code (heiniglab/investigating-foundation-models-3utr), each on a
hand-built case where the study's rule and a plausible other rule give different answers.

Expected values are worked out by hand from the study's scripts named in each test.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from utr_assets.scoring.base import ALLELE_SCORES
from utr_assets.scoring.baselines import baseline_scorer
from utr_assets.scoring.variants import score_variants


def _regions() -> pd.DataFrame:
    # plus: chr1 [10, 15) "ACGTA"; minus: chr1 blocks [100, 102) + [104, 106), RNA "ACGT" (genome 105, 104, 101, 100)
    return pd.DataFrame(
        {
            "utr_id": ["plus", "minus"],
            "gene_id": ["g1", "g2"],
            "chrom": ["chr1", "chr1"],
            "start": [10, 100],
            "end": [15, 106],
            "strand": ["+", "-"],
            "length": [5, 4],
            "blocks": ["", "100-102,104-106"],
            "sequence": ["ACGTA", "ACGT"],
        }
    )


def test_cadd_variant_score_is_the_alleles_own_raw_score() -> None:
    # study: variant_effect/analysis/add_model_scores.ipynb, utr_variants.merge(cadd_res) on chrom, pos, ref, alt
    cadd = pd.DataFrame(
        {
            "chrom": ["1"] * 6,
            "pos": [11, 11, 11, 106, 106, 106],
            "ref": ["A", "A", "A", "T", "T", "T"],
            "alt": ["C", "G", "T", "A", "C", "G"],
            "raw_score": [0.1, 0.7, 0.3, 0.9, 0.2, 0.5],
            "phred": [1.0] * 6,
        }
    )
    scorer = baseline_scorer("cadd", regions=_regions(), cadd=cadd)
    assert ALLELE_SCORES in scorer.capabilities
    # RNA orientation: plus offset 0 A>C = genome 11 A>C; minus offset 0 A>G = genome 106 T>C; plus offset 1 (no row)
    variants = pd.DataFrame(
        {
            "variant_id": ["v1", "v2", "v3", "v4"],
            "utr_id": ["plus", "minus", "plus", "plus"],
            "pos": [0, 0, 1, 0],
            "ref": ["A", "A", "C", "A"],
            "alt": ["C", "G", "T", "T"],
        }
    )
    got = score_variants(scorer, variants, {"plus": "ACGTA", "minus": "ACGT"})["site_score"].to_numpy()
    np.testing.assert_allclose(
        got, [0.1, 0.2, np.nan, 0.3]
    )  # per-position maxima would be 0.7, 0.9, nan, 0.7
    # the RBP task keeps the per-position maximum
    np.testing.assert_allclose(scorer.site_scores(["ACGT"], ["minus"])[0], [0.9, np.nan, np.nan, np.nan])


def test_a_variant_inside_several_utrs_belongs_to_the_longest() -> None:
    # study: variant_effect/dataprep/combine_sources.ipynb sorts by UTR length, descending, and keeps the first
    from utr_assets.tasks.utr_coords import UtrIndex
    from utr_assets.tasks.variants import annotate_utr

    genome = "ACGTTGCAACGGTACCATGGATCCAAGCTT"  # chr1, 0-based

    def utr(uid: str, s: int, e: int) -> dict:
        return dict(
            utr_id=uid,
            gene_id=uid,
            chrom="chr1",
            start=s,
            end=e,
            strand="+",
            length=e - s,
            blocks="",
            sequence=genome[s:e],
        )

    # "a_short" sorts first by utr_id; "b_long" contains it
    index = UtrIndex(pd.DataFrame([utr("a_short", 10, 15), utr("b_long", 5, 25)]))
    snv = pd.DataFrame({"chrom": ["chr1"], "pos": [13], "ref": [genome[12]], "alt": ["A"]})  # 1-based 13
    out, _ = annotate_utr(snv, index)
    assert (out.utr_id[0], out.utr_offset[0]) == ("b_long", 7)  # the first by utr_id would be ("a_short", 2)


def test_rbp_instances_are_one_per_utr_offset_and_motif() -> None:
    # study: rbp_motifs/dataprep/combine_eclip_RBNS.ipynb groups positives by (seq_name, motif_start, motif),
    # joining their RBPs, and samples negatives per motif to the positives' count
    from utr_assets.tasks.rbp import build_motif_instances

    seq = list("C" * 60)
    for at in (5, 25, 45):
        seq[at : at + 5] = list("TGTAA")
    region = dict(
        utr_id="U",
        gene_id="G",
        chrom="chr1",
        start=0,
        end=60,
        strand="+",
        length=60,
        blocks="",
        sequence="".join(seq),
    )
    peaks = pd.DataFrame(
        [
            {
                "rbp": r,
                "chrom": "chr1",
                "start": s,
                "end": e,
                "name": ".",
                "score": 1.0,
                "strand": "+",
                "signal_value": 1.0,
                "p_value": 1.0,
                "q_value": 1.0,
                "peak": -1,
                "idr": True,
            }
            for r, s, e in [("PUM2", 0, 15), ("QKI", 3, 12)]
        ]
    )
    motifs = pd.DataFrame({"rbp": ["PUM2", "QKI"], "kmer": ["TGTAA", "TGTAA"]})
    inst, summary = build_motif_instances(pd.DataFrame([region]), peaks, motifs, extend_5p=0, seed=0)
    # offset 5 lies in both RBPs' peaks: one positive for both; 25 and 45 are negative candidates, one is kept.
    # Per (rbp, k-mer) there would be 4 rows, the positive twice.
    assert len(inst) == 2 and not inst.duplicated(["utr_id", "offset", "kmer"]).any()
    pos = inst[inst["label"] == 1]
    assert pos[["offset", "rbp", "rbp_motif"]].values.tolist() == [[5, "PUM2,QKI", "PUM2_TGTAA,QKI_TGTAA"]]
    assert inst.loc[inst["label"] == 0, "offset"].iloc[0] in (25, 45)
    assert summary[["rbp", "kmer", "n_pos", "n_neg_candidates", "n_neg"]].values.tolist() == [
        ["PUM2,QKI", "TGTAA", 1, 2, 1]
    ]


def _species_aware_dss(names: list[str], unknown: bool = False, **options):
    import torch

    from utr_assets import families
    from utr_assets.corpus import SpeciesVocabulary, build_tokeniser
    from utr_assets.scoring.lm import LanguageModelScorer

    torch.manual_seed(0)
    vocab = SpeciesVocabulary.from_names(names, unknown=unknown)
    module = families.family("dss")
    cfg = module.build_config(
        "tiny", chunk_length=24, d_model=16, n_states=8, n_dss_layers=1, n_species=vocab.size
    )
    return LanguageModelScorer(
        module.build_model(cfg), build_tokeniser("dss", species=vocab), name="stsp-sa", **options
    )


def test_species_aware_scoring_uses_the_named_reference_species() -> None:
    # study: models/zoonomia/state_space/main_parallel.py scores human as its reference species' name
    from types import SimpleNamespace

    import pytest

    from utr_assets.corpus import SpeciesVocabulary
    from utr_assets.scoring.base import ScoringError
    from utr_assets.scoring.lm import reference_species_index

    # a UCSC-named MAF calls human hg38: the corpus and the model's species list say hg38
    assert _species_aware_dss(["hg38", "mm10"], species="hg38").io.species_index == 0
    tok = SimpleNamespace(species=SpeciesVocabulary.from_names(["hg38", "mm10"]))
    with pytest.raises(
        ScoringError, match=r"'Homo_sapiens' is not in the model's species list \(2: hg38, mm10\)"
    ):
        reference_species_index("stsp-sa", tok, "Homo_sapiens")
    # a vocabulary with an unknown index must not score human as "unknown"
    tok_unknown = SimpleNamespace(species=SpeciesVocabulary.from_names(["hg38", "mm10"], unknown=True))
    with pytest.raises(ScoringError, match="not in the model's species list"):
        reference_species_index("stsp-sa", tok_unknown, "Homo_sapiens")
    with pytest.raises(ScoringError, match="alignments.reference_species"):
        reference_species_index("stsp-sa", tok, None)


def test_scoring_assets_pass_the_reference_species_setting(monkeypatch) -> None:
    from types import SimpleNamespace

    from utr_assets.assets import scoring as assets
    from utr_assets.model_registry import ModelEntry
    from utr_assets.settings import load_settings

    cfg = load_settings("sample", override="")
    cfg = cfg.model_copy(
        update={"alignments": cfg.alignments.model_copy(update={"reference_species": "hg38"})}
    )
    seen: dict = {}
    monkeypatch.setattr(assets, "load_scorer", lambda entry, *a, **kw: seen.update(kw))
    entry = ModelEntry(
        slug="stsp-sa", kind="trained", family="dss", species_aware=True, presets={"sample": "tiny"}
    )
    assets._scorer(SimpleNamespace(get=lambda: cfg), None, "cpu", entry, {}, None)
    assert seen["species"] == "hg38"
    seen.clear()
    assets._scorer(
        SimpleNamespace(get=lambda: cfg),
        None,
        "cpu",
        entry.model_copy(update={"species_aware": False}),
        {},
        None,
    )
    assert "species" not in seen


def test_a_stop_codon_split_by_an_intron_is_read_from_its_exons(tmp_path) -> None:
    # ours: the study read the 3 genome bases next to the UTR (hal_to_maf_array.sh), intron bases for a split
    # codon, and dropped the UTR as stopless; the annotated codon lies in the exons
    import pysam

    from utr_assets.alignments import extract_utr_orthologs
    from utr_assets.reference.annotation import read_annotation
    from utr_assets.reference.fasta import Genome
    from utr_assets.reference.utr3 import Utr3Selection, select_utr3_regions

    # + gene: exon 1 [90, 110) = ATG GCCx5 + "TA", intron [110, 120) GTAAGTCCAG, exon 2 [120, 140) = "A" + UTR
    utr = "CCTTGGAACCTTGGAACCT"
    chrom = "C" * 90 + "ATG" + "GCC" * 5 + "TA" + "GTAAGTCCAG" + "A" + utr + "G" * 10
    fa = tmp_path / "g.fa"
    fa.write_text(f">chr1\n{chrom}\n")
    pysam.faidx(str(fa))
    attrs = 'gene_id "G"; transcript_id "T"; transcript_type "protein_coding"; tag "Ensembl_canonical";'
    rows = [
        ("exon", 91, 110),
        ("exon", 121, 140),
        ("CDS", 91, 108),
        ("stop_codon", 109, 110),
        ("stop_codon", 121, 121),
    ]
    gtf = tmp_path / "a.gtf"
    gtf.write_text("".join(f"chr1\tt\t{f}\t{s}\t{e}\t.\t+\t.\t{attrs}\n" for f, s, e in rows))
    regions, excluded = select_utr3_regions(read_annotation(gtf), Genome(fa), Utr3Selection(), gtf)
    assert excluded.empty
    r = regions.iloc[0]
    assert (r.stop_codon, r.stop_codon_start, r.stop_codon_blocks, r.blocks, r.sequence) == (
        "TAA",
        108,
        "108-110,120-121",
        "121-140",
        utr,
    )
    # mouse keeps the stop TA|A but not the intron's first base (G -> C); rat keeps the intron base but its
    # exon-2 base differs (TA|G): read from the exons, mouse is an ortholog and rat is not ([108, 111) = TAG
    # would say the opposite)
    human = chrom[90:150]
    mouse = human[:20] + "C" + human[21:]
    rat = human[:30] + "G" + human[31:]
    maf = tmp_path / "s.maf"
    maf.write_text(
        f"##maf version=1\na score=1\ns hg38.chr1 90 60 + 150 {human}\n"
        f"s mm10.chr5 40 60 + 500 {mouse}\ns rn6.chr2 10 60 + 400 {rat}\n\n"
    )
    orth, _ = extract_utr_orthologs(maf, regions, "hg38")
    assert orth[["species", "sequence"]].values.tolist() == [["hg38", utr], ["mm10", utr]]
