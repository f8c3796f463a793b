"""The four 3'UTR benchmark tasks' inputs (docs/protocol.md §5), upstream of scoring: plain Python, no dagster.

- `readers/`: parsers of the real published layouts (ENCODE narrowPeak, RBNS 5-mers, ClinVar, gnomAD,
  eQTL Catalogue SuSiE, CADD, PhyloP wiggle/bigWig, Griesemer 2021, Siegel 2022, Agarwal 2022). Inputs are
  hg38; liftover is out of scope (the study lifted eCLIP peaks from hg19 itself).
- `utr_coords`: genome <-> 3'UTR (RNA orientation) coordinate mapping over `utr3_regions`.
- `rbp`, `variants`, `expression`: the task datasets built from the readers and `utr3_regions`;
  `datasets`: the MPRA dataset assembly shared by the MPRA and half-life tasks.

Not here: scoring the datasets (`utr_assets.scoring`) or evaluating scores (`utr_assets.evaluation`).
"""
