"""One model's view of the pretraining corpus: its orientation and subset, its tokeniser, its chunks.

What belongs here: the steps of the `tokenised_corpus` asset as plain functions: the preset of a model
under a profile (`model_preset`), the model's corpus frame (`model_corpus`), tokenising both splits with a
fresh tokeniser of the model's family at its training chunk spec (`tokenise_for_model`) and the quality
checks of the result (`tokenised_checks`). Not here: the Dagster asset and the artifact store
(utr_assets/assets/corpus.py), the tokenisers (tokenisers.py), chunking (chunking.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd
import pyarrow as pa

from utr_assets.corpus.checks import (
    CheckResult,
    check_chunk_lengths,
    check_genes_disjoint,
    check_round_trip,
    check_token_ids,
)
from utr_assets.corpus.chunking import ChunkSpec, training_chunk_spec
from utr_assets.corpus.shards import iter_corpus, read_corpus
from utr_assets.corpus.species import SpeciesVocabulary
from utr_assets.corpus.splits import human_only, to_dna_orientation
from utr_assets.corpus.tokenised_table import TokenisationStats, tokenise_batches
from utr_assets.corpus.tokeniser_loading import build_tokeniser
from utr_assets.corpus.tokenisers import Tokeniser

SPLITS = ("train", "validation")


def model_preset(slug: str, presets: Mapping[str, str], profile: str) -> str:
    """The size preset a registry model trains at under ``profile``; an entry without one is an error
    (it used to fall back to `tiny` silently)."""
    preset = presets.get(profile)
    if not preset:
        raise ValueError(
            f"model {slug!r} has no preset for profile {profile!r} (presets: {dict(presets)}); "
            f"add `{profile}: <preset>` to its `presets` in the model registry"
        )
    return preset


def model_corpus(frame: pd.DataFrame, orientation: str, human: bool, reference: str) -> pd.DataFrame:
    """The corpus rows a model sees: the reference species only for human-only models, DNA orientation
    (minus-strand genes reverse-complemented) for DNA models."""
    frame = human_only(frame, reference) if human else frame
    return to_dna_orientation(frame) if orientation == "dna" else frame


@dataclass
class TokenisedCorpus:
    """A model's tokeniser, its chunk spec, the tokenised tables per split, the statistics and the training
    sequences the round-trip check samples."""

    tokeniser: Tokeniser
    spec: ChunkSpec
    tables: dict[str, list[pa.Table]]
    stats: TokenisationStats
    train_sequences: pd.Series


def tokenise_for_model(
    uris: Mapping[str, Sequence[str]],
    family: str,
    preset: str,
    *,
    orientation: str = "rna",
    human: bool = False,
    species_aware: bool = False,
    reference: str = "Homo_sapiens",
    bpe_vocab_size: int = 4096,
) -> TokenisedCorpus:
    """Tokenise the corpus shards ``uris`` (split -> parquet URIs) for one model: a fresh tokeniser of its
    family (BPE trained on the training split; a species vocabulary for species-aware models), chunks of
    the preset's training spec, streamed split by split."""
    spec = training_chunk_spec(family, preset)
    train = model_corpus(read_corpus(list(uris["train"])), orientation, human, reference)
    species = SpeciesVocabulary.from_names(sorted(set(train.species))) if species_aware else None
    tokeniser = build_tokeniser(
        family, sequences=train.sequence.tolist(), species=species, vocab_size=bpe_vocab_size
    )
    stats = TokenisationStats()
    tables: dict[str, list[pa.Table]] = {}
    for split in SPLITS:
        frames = (model_corpus(f, orientation, human, reference) for f in iter_corpus(list(uris[split])))
        tables[split] = [t for t in tokenise_batches(frames, tokeniser, spec, species, stats) if t.num_rows]
    return TokenisedCorpus(tokeniser, spec, tables, stats, train.sequence)


def tokenised_checks(result: TokenisedCorpus) -> list[tuple[str, CheckResult]]:
    """(check name, result) of the tokenised_corpus checks: ids in the vocabulary, chunks non-empty and within
    the context, no validation gene in train, lossless round trip on 50 training sequences."""
    train_table = pa.concat_tables(result.tables["train"])
    val = result.tables["validation"]
    val_table = pa.concat_tables(val) if val else train_table.slice(0, 0)
    tokeniser = result.tokeniser
    n_special = len(tokeniser.prefix_ids) + len(tokeniser.suffix_ids)
    return [
        ("token_ids_in_vocabulary", check_token_ids(train_table, tokeniser.vocab_size)),
        ("no_empty_chunks", check_chunk_lengths(train_table, result.spec, n_special)),
        (
            "validation_genes_absent_from_train",
            check_genes_disjoint(
                train_table.column("gene_id").to_pylist(), val_table.column("gene_id").to_pylist()
            ),
        ),
        ("round_trip_decode", check_round_trip(tokeniser, result.train_sequences.head(50).tolist())),
    ]
