"""Tasks 1 and 2 on a tiny hand-made world: motif instances (peak extension, strands, subsampling,
conservation subsets) and variant splits (UTR annotation in RNA orientation, own seeded negatives)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from utr_assets.common.sequences import reverse_complement
from utr_assets.evaluation.rbp_motifs import evaluate_rbp, ref_base_probabilities, score_instances
from utr_assets.evaluation.variant_effects import evaluate_zero_shot
from utr_assets.tasks.rbp import build_motif_instances, kmer_codes
from utr_assets.tasks.utr_coords import UtrIndex
from utr_assets.tasks.variants import AssemblyMismatchError, annotate_utr, build_variant_splits


def _plant(seq: list[str], at: int, word: str) -> None:
    seq[at : at + len(word)] = list(word)


def make_world(seed: int = 0) -> tuple[dict[str, str], pd.DataFrame]:
    """chr1: U1 (+, 100-400), U2 (-, 1000-1300); chr2: U3 (+, spliced 200-300,500-600)."""
    rng = np.random.default_rng(seed)
    # background without T (so TGTAA/TTACA occur only where planted)
    chroms = {c: list("".join(rng.choice(list("ACG"), 3000))) for c in ("chr1", "chr2")}
    for at in (160, 190, 300, 350, 380):  # U1, + strand, RNA = genome
        _plant(chroms["chr1"], at, "TGTAA")
    for at in (1100, 1200, 1250):  # U2, - strand: RNA TGTAA = genome TTACA
        _plant(chroms["chr1"], at, "TTACA")
    _plant(chroms["chr2"], 210, "TGTAA")
    _plant(chroms["chr2"], 298, "TG")  # instance across the splice junction
    _plant(chroms["chr2"], 500, "TAA")
    genome = {c: "".join(s) for c, s in chroms.items()}
    specs = [
        ("U1", "G1", "chr1", 100, 400, "+", ""),
        ("U2", "G2", "chr1", 1000, 1300, "-", ""),
        ("U3", "G3", "chr2", 200, 600, "+", "200-300,500-600"),
    ]
    rows = []
    for utr, gene, chrom, start, end, strand, blocks in specs:
        pieces = (
            [(int(a), int(b)) for a, b in (p.split("-") for p in blocks.split(","))]
            if blocks
            else [(start, end)]
        )
        seq = "".join(genome[chrom][a:b] for a, b in pieces)
        seq = seq if strand == "+" else reverse_complement(seq)
        rows.append(
            {
                "utr_id": utr,
                "gene_id": f"{gene}.3",
                "gene_name": gene,
                "transcript_id": f"T{utr}",
                "chrom": chrom,
                "start": start,
                "end": end,
                "strand": strand,
                "blocks": blocks,
                "length": len(seq),
                "stop_codon_start": start - 3,
                "stop_codon": "TAA",
                "sequence": seq,
            }
        )
    return genome, pd.DataFrame(rows)


def peaks_table(rows: list[tuple], idr: bool = True) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "rbp": r,
                "chrom": c,
                "start": s,
                "end": e,
                "name": ".",
                "score": 1000.0,
                "strand": st,
                "signal_value": 1.0,
                "p_value": 1.0,
                "q_value": 1.0,
                "peak": -1,
                "idr": idr,
            }
            for r, c, s, e, st in rows
        ]
    )


MOTIFS = pd.DataFrame({"rbp": ["PUM2"], "kmer": ["TGTAA"]})


def test_utr_index_offsets_in_rna_orientation():
    _, regions = make_world()
    index = UtrIndex(regions)
    assert index.locate("chr1", 100)[0].offset == 0
    assert index.locate("1", 1299)[0].offset == 0  # minus strand: highest base first
    assert index.locate("chr2", 500)[0].offset == 100  # second block of the spliced UTR
    assert index.locate("chr2", 400) == []
    g = index.genome_positions("U3")
    assert g[99] == 299 and g[100] == 500


def test_kmer_codes_skip_n():
    assert kmer_codes("AAAAAC").tolist() == [0, 1]
    assert kmer_codes("AANAAAAA").tolist() == [-1, -1, -1, 0] and kmer_codes("ACG").size == 0


def test_positives_need_the_whole_motif_in_the_extended_peak():
    _, regions = make_world()
    # + peak [170, 200): extended 50 bp 5' -> [120, 200): instance at 160 inside, 190 (ends 195) inside;
    # - peak [1090, 1160) extended at its end -> [1090, 1210): instances at 1100 and 1200 inside; their RNA
    # offsets are 1299 - 1104 = 195 and 1299 - 1204 = 95
    peaks = peaks_table(
        [("PUM2", "chr1", 170, 200, "+"), ("PUM2", "chr1", 1090, 1160, "-"), ("QKI", "chr1", 348, 352, "+")]
    )
    inst, summary = build_motif_instances(regions, peaks, MOTIFS, seed=0)
    pos = inst[inst["label"] == 1]
    assert sorted(zip(pos["utr_id"], pos["offset"], strict=True)) == [
        ("U1", 60),
        ("U1", 90),
        ("U2", 95),
        ("U2", 195),
    ]
    # the QKI peak extended to [298, 352) touches 300 and 350: neither class. Negatives: 380 (offset 280),
    # 1250 (offset 45) and U3 at 210 (offset 10) and across the splice junction (298-299 + 500-502: offset 98)
    neg = inst[inst["label"] == 0]
    assert sorted(zip(neg["utr_id"], neg["offset"], strict=True)) == [
        ("U1", 280),
        ("U2", 45),
        ("U3", 10),
        ("U3", 98),
    ]
    row = summary.set_index("kmer").loc["TGTAA"]
    assert (row["n_pos"], row["n_neg_candidates"], row["n_neg"]) == (4, 4, 4)
    assert set(inst["rbp_motif"]) == {"PUM2_TGTAA"}
    without = build_motif_instances(regions, peaks, MOTIFS, extend_5p=0)[0]
    assert (without["label"] == 1).sum() == 2  # only 190 (+) and 1100 (-) without extension


def test_negative_subsampling_is_seeded_and_matched():
    _, regions = make_world()
    peaks = peaks_table([("PUM2", "chr1", 150, 170, "+")])
    a = build_motif_instances(regions, peaks, MOTIFS, seed=1)[0]
    b = build_motif_instances(regions, peaks, MOTIFS, seed=1)[0]
    pd.testing.assert_frame_equal(a, b)
    assert (a["label"] == 1).sum() == (a["label"] == 0).sum() == 1
    picks = {
        tuple(build_motif_instances(regions, peaks, MOTIFS, seed=s)[0].query("label == 0")["instance_id"])
        for s in range(8)
    }
    assert len(picks) > 1


def test_positives_are_subsampled_when_negatives_fall_short():
    _, regions = make_world()
    # one peak over most of U1 and U2: positives outnumber the negatives left outside any peak
    peaks = peaks_table([("PUM2", "chr1", 100, 400, "+"), ("PUM2", "chr1", 1000, 1300, "-")])
    inst, summary = build_motif_instances(regions, peaks, MOTIFS, seed=3)
    row = summary.set_index("kmer").loc["TGTAA"]
    assert row["n_pos"] > row["n_neg_candidates"] == row["n_neg"] == row["n_pos_kept"]
    assert row["neg_shortfall"] == row["n_pos"] - row["n_neg"]
    assert (inst["label"] == 1).sum() == (inst["label"] == 0).sum() == row["n_neg"]
    picks = {
        tuple(build_motif_instances(regions, peaks, MOTIFS, seed=s)[0].query("label == 1")["instance_id"])
        for s in range(8)
    }
    assert len(picks) > 1  # which positives are kept is seeded


def test_conservation_subsets_and_scoring():
    _, regions = make_world()
    peaks = peaks_table([("PUM2", "chr1", 100, 400, "+"), ("PUM2", "chr1", 1000, 1300, "-")])
    cons = {
        u: np.arange(len(s), dtype=float) for u, s in zip(regions["utr_id"], regions["sequence"], strict=True)
    }
    inst, _ = build_motif_instances(regions, peaks, MOTIFS, conservation=cons)
    pos = inst[inst["label"] == 1]
    assert pos["phylop_max"].tolist() == [o + 4.0 for o in pos["offset"]]
    top, bottom = pos[pos["top_conserved"]], pos[pos["bottom_conserved"]]
    assert top["phylop_max"].min() >= bottom["phylop_max"].max()
    assert len(top) >= 1 and len(bottom) >= 1
    assert score_instances(inst, cons, "max").tolist() == (inst["offset"] + 4.0).tolist()
    assert score_instances(inst, {}, "mean").tolist() == [pytest.approx(np.nan, nan_ok=True)] * len(inst)


def test_ref_base_probabilities_and_evaluation():
    probs = np.full((4, 4), 0.1)
    probs[np.arange(4), [0, 1, 2, 3]] = 0.7
    assert ref_base_probabilities(probs, "ACGN").tolist()[:3] == [0.7, 0.7, 0.7]
    assert np.isnan(ref_base_probabilities(probs, "ACGN")[3])
    inst = pd.DataFrame(
        {
            "label": [1, 1, 0, 0],
            "top_conserved": [True, False, False, False],
            "bottom_conserved": [False, True, False, False],
        }
    )
    rows = evaluate_rbp(inst, np.array([0.9, 0.2, 0.5, 0.1]), model="m", score="p_ref", n_boot=20)
    got = {r["split"]: r["value"] for r in rows}
    assert got == {"all": 0.75, "top10_phylop": 1.0, "bottom10_phylop": 0.5}


def _vcf_like(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["chrom", "pos", "ref", "alt"])


def test_annotate_utr_strands_and_mismatches():
    genome, regions = make_world()
    index = UtrIndex(regions)
    g = genome["chr1"]
    table = _vcf_like(
        [
            ("1", 151, g[150], "T" if g[150] != "T" else "A"),  # U1 offset 50
            ("chr1", 1300, g[1299], "T" if g[1299] != "T" else "C"),  # U2 offset 0 (minus)
            ("chr1", 50, g[49], "T"),  # outside
            ("chr1", 152, "T" if g[151] != "T" else "A", "C"),
        ]
    )  # wrong REF
    out, counts = annotate_utr(table, index)
    assert counts == {"n_input": 4, "n_outside_utr": 1, "n_ref_mismatch": 1, "n_in_utr": 2}
    rec = out.set_index("utr_id")
    assert rec.loc["U1", "utr_offset"] == 50 and rec.loc["U1", "ref_rna"] == g[150]
    comp = {"A": "T", "C": "G", "G": "C", "T": "A"}
    assert rec.loc["U2", "utr_offset"] == 0 and rec.loc["U2", "ref_rna"] == comp[g[1299]]
    assert rec.loc["U2", "alt_rna"] == comp[table.loc[1, "alt"]]
    assert regions.set_index("utr_id").loc["U2", "sequence"][0] == rec.loc["U2", "ref_rna"]
    wrong = _vcf_like([("chr1", p + 1, "T" if g[p] != "T" else "A", "C") for p in range(120, 150)])
    with pytest.raises(AssemblyMismatchError, match="hg38"):
        annotate_utr(wrong, index)


def _snvs(genome: dict[str, str], positions: list[tuple[str, int]]) -> pd.DataFrame:
    rows = []
    for chrom, p0 in positions:
        ref = genome[chrom][p0]
        rows.append((chrom, p0 + 1, ref, "T" if ref != "T" else "A"))
    return _vcf_like(rows)


def test_variant_splits_draw_their_own_negatives():
    genome, regions = make_world()
    utr_pos = [("chr1", p) for p in range(100, 400)] + [("chr1", p) for p in range(1000, 1300)]
    rng = np.random.default_rng(0)
    chosen = [utr_pos[i] for i in rng.permutation(len(utr_pos))]
    gnomad = _snvs(genome, chosen[:200]).assign(ac=[1] * 60 + [5000] * 140, af=[1e-5] * 60 + [0.3] * 140)
    clinvar = _snvs(genome, chosen[200:230] + chosen[100:105])  # 5 of them are also "common"
    eqtl = _snvs(genome, chosen[230:260]).assign(pvalue=[1e-30] * 20 + [1e-5] * 10, pip=0.9)
    cadd = pd.concat(
        [
            _snvs(genome, chosen[260:300]).assign(cadd_class="simulated"),
            _snvs(genome, chosen[300:340]).assign(cadd_class="human_derived"),
        ],
        ignore_index=True,
    )
    args = {"clinvar": clinvar, "gnomad": gnomad, "eqtl": eqtl, "cadd_training": cadd, "n_max": 25, "seed": 3}
    variants, overlap, report = build_variant_splits(regions, **args)
    again, _, _ = build_variant_splits(regions, **args)
    pd.testing.assert_frame_equal(variants, again)
    counts = variants.groupby(["split", "label"]).size().to_dict()
    assert counts == {
        ("cadd", 0): 25,
        ("cadd", 1): 25,
        ("clinvar", 0): 25,
        ("clinvar", 1): 25,
        ("eqtl", 0): 25,
        ("eqtl", 1): 20,
        ("gnomad_singletons", 0): 25,
        ("gnomad_singletons", 1): 25,
    }
    clin = variants[variants["split"] == "clinvar"]
    assert not set(clin.query("label == 1")["variant_id"]) & set(clin.query("label == 0")["variant_id"])
    neg = {s: set(t["variant_id"]) for s, t in variants.query("label == 0").groupby("split")}
    assert neg["clinvar"] != neg["eqtl"]  # own samples, not one reused sample
    row = overlap.query("label == 0 and split_a == 'clinvar' and split_b == 'eqtl'").iloc[0]
    assert row["n_shared"] == len(neg["clinvar"] & neg["eqtl"]) < 25
    assert set(report["source"]) >= {"gnomad_common", "clinvar", "eqtl", "cadd_simulated"}
    assert variants["utr_offset"].between(0, 299).all()


def test_zero_shot_evaluation_drops_missing_scores():
    variants = pd.DataFrame({"split": ["s"] * 4, "label": [1, 1, 0, 0], "variant_id": list("abcd")})
    scores = pd.DataFrame({"variant_id": list("abc"), "pratio": [-3.0, -2.0, 1.0]})
    rows = evaluate_zero_shot(variants, scores, model="m", score_columns=["pratio"], n_boot=10)
    raw, flipped = rows
    assert raw["value"] == 0.0 and flipped["value"] == 1.0 and raw["n_dropped"] == 1
