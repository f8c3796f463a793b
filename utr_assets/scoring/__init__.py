"""Scoring domain (docs/protocol.md §4): per-base probabilities, embeddings, reconstruction losses and variant scores
for any registry model (trained here, pretrained, or a baseline). Plain Python: no Dagster here
(`assets.py` is the glue).

Modules:
  base        Scorer protocol, capabilities, ACGT renormalisation, orientation helpers, errors
  marginals   masked-copy plans per tokenisation (numpy)
  runner      batched forward passes (torch), probabilities / embeddings / losses readout
  lm          LanguageModelScorer (dnabert, nt, dnabert2, dss tokenisations)
  naive       the one-copy-at-a-time reference loop (tests, benchmark)
  loading     HF checkpoints (safetensors only) and `load_scorer` for a registry entry
  baselines   Zoo-AL, PhyloP/CADD tracks, k-mer counts, Griesemer features as scorers
  variants    pref, palt_inv, pratio, VIS, embedding distances, losses
  storage     parquet shards of per-base arrays and embeddings; the resumable shard loop
"""
