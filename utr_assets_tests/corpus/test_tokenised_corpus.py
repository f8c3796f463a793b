"""The tokenised corpus end to end on a small corpus: schema, checks, spans, species index, streaming."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from utr_assets.corpus import (
    TOKENISED_SCHEMA,
    ChunkSpec,
    SpeciesVocabulary,
    TokenisationStats,
    UnknownSpeciesError,
    build_tokeniser,
    check_chunk_lengths,
    check_round_trip,
    check_spans,
    check_token_ids,
    iter_corpus,
    prepare_corpus,
    tokenise_batches,
    tokenise_frame,
    write_corpus_shards,
)

SPECIES = ["Homo_sapiens", "Canis_lupus_familiaris", "Mus_musculus"]


@pytest.fixture(scope="module")
def corpus() -> pd.DataFrame:
    rng = np.random.default_rng(4)
    rows = []
    for g in range(30):
        length = int(rng.integers(3, 900))
        for species in SPECIES:
            seq = "".join(rng.choice(list("ACGTACGTACGTN"), length))
            rows.append(
                {
                    "utr_id": f"ENST{g}",
                    "gene_id": f"ENSG{g}",
                    "species": species,
                    "chrom": "chr1",
                    "strand": "+",
                    "sequence": seq,
                }
            )
    return prepare_corpus(pd.DataFrame(rows), validation_fraction=0.2, seed=0).train


@pytest.mark.parametrize("family", ["dnabert", "nt", "dss", "dnabert2"])
def test_tokenised_corpus_passes_its_checks(corpus, family):
    tok = (
        build_tokeniser("dnabert2", sequences=corpus.sequence, vocab_size=256)
        if family == "dnabert2"
        else build_tokeniser(family)
    )
    spec = ChunkSpec(64, 8)
    species = SpeciesVocabulary.from_names(corpus.species) if family == "dss" else None
    stats = TokenisationStats()
    table = tokenise_frame(corpus, tok, spec, species, stats)
    assert table.schema == TOKENISED_SCHEMA
    assert check_token_ids(table, tok.vocab_size).passed
    assert check_chunk_lengths(table, spec, len(tok.prefix_ids) + len(tok.suffix_ids)).passed
    assert check_round_trip(tok, corpus.sequence.tolist()).passed
    by_key = {(r.utr_id, r.species): r.sequence for r in corpus.itertuples()}
    spans = check_spans(table, tok, by_key)
    assert spans.passed, spans.metadata
    assert stats.chunks == table.num_rows and stats.sequences == len(corpus)
    assert stats.tokens == sum(len(x) for x in table["input_ids"].to_pylist())
    if family == "dss":
        idx = table["species_index"].to_numpy()
        assert (idx >= 0).all() and set(idx) == set(range(len(SPECIES)))
    else:
        assert (table["species_index"].to_numpy() == -1).all()


def test_short_sequences_counted_not_emitted():
    df = pd.DataFrame(
        {
            "utr_id": ["a", "b"],
            "gene_id": ["g", "g"],
            "species": ["Homo_sapiens"] * 2,
            "sequence": ["ACGT", "ACGTACG"],
        }
    )
    stats = TokenisationStats()
    table = tokenise_frame(df, build_tokeniser("dnabert"), ChunkSpec(16, 2), stats=stats)
    assert table["utr_id"].to_pylist() == ["b"] and stats.sequences_without_tokens == 1
    assert table["input_ids"].to_pylist() == [[2, 5 + 722, 5 + 2891, 3]]


def test_unknown_species_is_an_error(corpus):
    vocab = SpeciesVocabulary.from_names(["Homo_sapiens"])
    with pytest.raises(UnknownSpeciesError):
        tokenise_frame(corpus, build_tokeniser("dss"), ChunkSpec(32, 4), vocab)


def test_streaming_over_shards(corpus, tmp_path):
    write_corpus_shards(corpus, tmp_path, rows_per_shard=20)
    tok = build_tokeniser("nt")
    tables = list(tokenise_batches(iter_corpus(tmp_path, batch_rows=7), tok, ChunkSpec(32, 4)))
    whole = tokenise_frame(corpus, tok, ChunkSpec(32, 4))
    assert pa.concat_tables(tables).equals(whole)
