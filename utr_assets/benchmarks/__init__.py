"""The four 3'UTR benchmark tasks (docs/protocol.md §5) and the leaderboard, as plain Python (no dagster).

- `sources_*`: readers for the real published layouts (ENCODE narrowPeak, RBNS 5-mers, ClinVar,
  gnomAD, eQTL Catalogue SuSiE, CADD, PhyloP wiggle, Griesemer 2021, Siegel 2022, Agarwal 2022).
  Inputs are hg38; liftover is out of scope (the study lifted eCLIP peaks from hg19 itself).
- `utr_coords`: genome <-> 3'UTR (RNA orientation) coordinate mapping over `utr3_regions`.
- `task_*`: task datasets built from the sources and `utr3_regions`.
- `metrics` (ROC AUC, Pearson r and their CIs) and `probes` (cross-validated Ridge/SVR/MLP).
- `evaluate`: one model on one task, from its scoring outputs to metric rows (the protocol of docs/protocol.md §5,
  not-applicable rows for missing capabilities).
- `leaderboard`, `plots`: the tidy results table, the study's published values, PNG plots.
`assets.py` (the only dagster module here) is glue around these functions.
"""
