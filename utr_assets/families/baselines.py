"""The baseline families (docs/protocol.md §4-5): Zoo-AL column frequencies, PhyloP and CADD per-base tracks,
k-mer counts and the Griesemer 58 features. Nothing is trained; each is scored by a factory in
utr_assets/scoring/baselines.py that takes the inputs named in ``scorer_inputs``.

What belongs here: one `Family` per baseline (capabilities, inputs, checks that differ). Not here: the
scorers (utr_assets/scoring/baselines.py) or reading their sources (utr_assets/tasks/readers/).
"""

from __future__ import annotations

from utr_assets.families.base import ALLELE_SCORES, EMBEDDINGS, PROBABILITIES, SITE_SCORES, Family

_SCORERS = "utr_assets.scoring.baselines"

ZOO_AL = Family(
    name="zoo_al",
    display_name="Zoo-AL",
    trainable=False,
    capabilities=frozenset({PROBABILITIES}),
    scorer=f"{_SCORERS}:zoo_al_scorer",
    scorer_inputs=frozenset({"alignments"}),
    nan_rows_allowed=True,  # a column with no A/C/G/T in any row has no information: NaN, not uniform
)
PHYLOP = Family(
    name="phylop",
    display_name="PhyloP",
    trainable=False,
    capabilities=frozenset({SITE_SCORES}),
    scorer=f"{_SCORERS}:phylop_scorer",
    scorer_inputs=frozenset({"regions", "phylop"}),
)
CADD = Family(
    name="cadd",
    display_name="CADD",
    trainable=False,
    capabilities=frozenset({SITE_SCORES, ALLELE_SCORES}),  # allele scores when the table has alleles
    scorer=f"{_SCORERS}:cadd_scorer",
    scorer_inputs=frozenset({"regions", "cadd"}),
)
KMER = Family(
    name="kmer",
    display_name="k-mer counts",
    trainable=False,
    capabilities=frozenset({EMBEDDINGS}),
    scorer=f"{_SCORERS}:kmer_scorer",
    scorer_inputs=frozenset({"kmer_k"}),
)
GRIESEMER = Family(
    name="griesemer",
    display_name="Griesemer features",
    trainable=False,
    capabilities=frozenset({EMBEDDINGS}),
    scorer=f"{_SCORERS}:griesemer_scorer",
)
