"""Scoring domain (docs/protocol.md §4): per-base probabilities, embeddings, reconstruction losses and variant scores
for any registry model (trained here, pretrained, or a baseline). Plain Python: no Dagster here
(utr_assets/assets/scoring*.py is the glue); what differs between families is read from their
descriptions (utr_assets.families).

Modules:
  base               Scorer protocol, capabilities, ACGT renormalisation, orientation helpers, errors
  marginals          masked-copy plans per readout (numpy)
  forward_passes     batched forward passes (torch), probabilities / embeddings / losses readout
  lm                 LanguageModelScorer (overlapping k-mer, k-mer, BPE and nucleotide tokenisations)
  loading            HF checkpoints (safetensors only), scorer options, `load_scorer` for a registry entry
  baselines          Zoo-AL, PhyloP/CADD tracks, k-mer counts, Griesemer features as scorers
  sequence_features  k-mer counts and the Griesemer features
  per_base           per-base values of every 3'UTR for one model (the utr3_base_probabilities work)
  variants           pref, palt_inv, pratio, VIS, embedding distances, losses; orientation of variants
  variant_sets       the benchmark's variant sets scored for one model (the variant_scores work)
  checks             quality checks of probabilities and embeddings
  storage            parquet shards of per-base arrays and embeddings; the resumable shard loop
"""
