"""Issue 15, points 4 and 5: the RBP task's peak sets and conservation subsets as the study built them
(heiniglab/investigating-foundation-models-3utr: rbp_motifs/dataprep/get_eclip/Snakefile.py rules
get_positive_IDR_set and get_negative_set; rbp_motifs/analysis/add_model_preds.ipynb and auc.ipynb).

Each case is built by hand so that the old rule (pooled peaks, same-strand exclusion, mean PhyloP) and
the study's rule give different answers; the expected values are worked out in the comments."""

from __future__ import annotations

import gzip

import numpy as np
import pandas as pd

from utr_assets.tasks.rbp import build_motif_instances
from utr_assets.tasks.readers import rbp as sr
from utr_assets_tests.tasks.test_task_rbp_variants import MOTIFS, make_world


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


def test_positives_come_from_idr_peaks_and_negatives_avoid_every_peak_on_both_strands():
    _, regions = make_world()
    # U1 (+, chr1:100-400) has TGTAA at genome 160, 190, 300, 350, 380 (RNA offsets 60, 90, 200, 250, 280).
    # IDR PUM2 peak [170, 200) + extended 50 bp 5' -> [120, 200): 160 and 190 are positives.
    # A replicate PUM2 peak [345, 360) + -> [295, 360) covers 300 and 350: pooled (old) they were positives;
    # the study takes positives from IDR peaks only and excludes these from the negatives.
    # A QKI peak on the other strand [378, 390) - -> [378, 440) touches 380: the old same-strand rule kept it
    # as a negative; the study's bedtools subtract has no -s.
    peaks = pd.concat(
        [
            peaks_table([("PUM2", "chr1", 170, 200, "+")], idr=True),
            peaks_table([("PUM2", "chr1", 345, 360, "+")], idr=False),
            peaks_table([("QKI", "chr1", 378, 390, "-")], idr=True),
        ],
        ignore_index=True,
    )
    inst, summary = build_motif_instances(regions, peaks, MOTIFS, seed=0)
    pos = inst[inst["label"] == 1]
    assert sorted(zip(pos["utr_id"], pos["offset"], strict=True)) == [("U1", 60), ("U1", 90)]
    neg = inst[inst["label"] == 0]
    assert not (neg["utr_id"] == "U1").any()
    # candidates left: U2's three (offsets 45, 95, 195) and U3's two (10, 98); the old rule had U1:280 too
    assert int(summary.set_index("kmer").loc["TGTAA", "n_neg_candidates"]) == 5


def test_peaks_without_idr_flag_are_refused():
    _, regions = make_world()
    peaks = peaks_table([("PUM2", "chr1", 170, 200, "+")]).drop(columns="idr")
    try:
        build_motif_instances(regions, peaks, MOTIFS)
    except ValueError as exc:
        assert "idr" in str(exc)
    else:
        raise AssertionError("a peak table without the idr flag must be refused")


def _peak_file(path, rows):
    with gzip.open(path, "wt") as handle:
        for chrom, start, end, name, strand in rows:
            handle.write(f"{chrom}\t{start}\t{end}\t{name}\t1000\t{strand}\t1\t1\t-1\t-1\n")


def test_idr_flag_from_output_type_file_name_or_peak_name(tmp_path):
    _peak_file(tmp_path / "ENCFF001AAA.bed.gz", [("chr1", 5, 9, "RBFOX2_HepG2_rep01", "+")])
    _peak_file(tmp_path / "ENCFF002BBB.bed.gz", [("chr1", 5, 9, "RBFOX2_HepG2_IDR", "+")])
    (tmp_path / "metadata.tsv").write_text(
        "File accession\tFile format\tOutput type\tExperiment target\tBiosample term name\n"
        "ENCFF001AAA\tbed narrowPeak\tpeaks\tRBFOX2-human\tHepG2\n"
        "ENCFF002BBB\tbed narrowPeak\tconservative IDR thresholded peaks\tRBFOX2-human\tHepG2\n"
    )
    peaks = sr.read_eclip_peaks(tmp_path / "metadata.tsv")
    assert peaks["idr"].tolist() == [False, True]
    # our layout without an output type: the file name says IDR, or a peak name does (the study's grep "_IDR")
    (tmp_path / "eclip").mkdir()
    _peak_file(tmp_path / "eclip" / "PUM2_K562.IDR.narrowPeak.gz", [("chr1", 1, 4, ".", "+")])
    _peak_file(
        tmp_path / "eclip" / "PUM2_K562.pooled.bed.gz",
        [("chr1", 1, 4, "PUM2_K562_rep02", "+"), ("chr1", 7, 9, "PUM2_K562_IDR", "-")],
    )
    (tmp_path / "ours.tsv").write_text(
        "rbp\tfile\nPUM2\teclip/PUM2_K562.IDR.narrowPeak.gz\nPUM2\teclip/PUM2_K562.pooled.bed.gz\n"
    )
    assert sr.read_eclip_peaks(tmp_path / "ours.tsv")["idr"].tolist() == [True, False, True]
    (tmp_path / "typed.tsv").write_text(
        "rbp\tfile\toutput_type\nPUM2\teclip/PUM2_K562.IDR.narrowPeak.gz\tpeaks\n"
    )
    assert sr.read_eclip_peaks(tmp_path / "typed.tsv")["idr"].tolist() == [False]


def test_conservation_subsets_rank_by_the_motifs_maximum_phylop():
    _, regions = make_world()
    # IDR PUM2 peak [170, 200) + extended to [120, 200): positives at RNA offsets 60 and 90 of U1, one group
    # PUM2_TGTAA; 8 negative candidates elsewhere, so both positives are kept.
    peaks = peaks_table([("PUM2", "chr1", 170, 200, "+")])
    cons = {u: np.full(len(s), 3.0) for u, s in zip(regions["utr_id"], regions["sequence"], strict=True)}
    # offset 60: PhyloP 0,0,0,0,10 -> max 10, mean 2; offset 90: 3,3,3,3,3 -> max = mean = 3.
    # Maximum (study): 90th percentile of [10, 3] = 9.3 -> offset 60 top; 10th = 3.7 -> offset 90 bottom.
    # Mean (old):      90th percentile of [2, 3] = 2.9 -> offset 90 top; 10th = 2.1 -> offset 60 bottom.
    cons["U1"][60:65] = [0.0, 0.0, 0.0, 0.0, 10.0]
    inst, _ = build_motif_instances(regions, peaks, MOTIFS, conservation=cons)
    pos = inst[inst["label"] == 1].set_index("offset")
    assert pos["phylop_max"].to_dict() == {60: 10.0, 90: 3.0}
    assert pos["top_conserved"].to_dict() == {60: True, 90: False}
    assert pos["bottom_conserved"].to_dict() == {60: False, 90: True}
