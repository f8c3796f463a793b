"""From scores to numbers (docs/protocol.md §5), downstream of scoring: plain Python, no dagster.

- `metrics` (ROC AUC, Pearson r and their CIs) and `probes` (cross-validated Ridge/SVR, with the MLP
  classifier in `mlp_probe`, the folds in `folds`, and the fast exact solvers `fast_ridge`,
  `fast_ridge_torch`, `fast_svr`, `torch_mlp`).
- `evaluate`: one model on one task, from its scoring outputs to metric rows (not-applicable rows for
  missing capabilities): the entry points of `rbp_motifs` (task 1), `variant_effects` (task 2) and
  `expression` (tasks 3 and 4), over the protocol and row format of `protocol`.
- `leaderboard`, `plots`, `report`: the tidy results table with the study's published values, PNG plots
  and the self-contained HTML report; `estimate`: the paper-scale cost of this stage for `utr-assets plan`.

Not here: task inputs (`utr_assets.tasks`) or the Dagster assets (`utr_assets.assets.evaluation`).
"""
