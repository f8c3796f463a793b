"""The tokenised corpus: corpus rows -> one row per model-context chunk, ids plus nucleotide spans.

What belongs here: turning corpus frames (or a stream of them) into Arrow tables with list columns,
and the running statistics an asset reports. Not here: the tokeniser itself (`tokenisers.py`), window
placement (`chunking.py`), shard IO (`shards.py`).

Output columns (`TOKENISED_SCHEMA`), one row per chunk:
  utr_id, gene_id, species: copied from the corpus row;
  species_index: int32 from the species vocabulary, -1 when none is used (species-agnostic models);
  chunk_index, n_chunks: position of the chunk within its sequence and the sequence's chunk count;
  token_start: index of the chunk's first content token among the sequence's content tokens;
  input_ids: list<int32>, special tokens included;
  nt_start, nt_end: list<int32>, per token the half-open 0-based nucleotide span in the corpus sequence
    (in the corpus' orientation); -1 for special tokens.
A sequence that yields no content token (e.g. shorter than DNABERT's k) yields no row and is counted
in ``sequences_without_tokens``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from utr_assets.corpus.chunking import ChunkSpec
from utr_assets.corpus.species import SpeciesVocabulary
from utr_assets.corpus.tokenisers import Tokeniser

TOKENISED_SCHEMA = pa.schema(
    [
        ("utr_id", pa.string()),
        ("gene_id", pa.string()),
        ("species", pa.string()),
        ("species_index", pa.int32()),
        ("chunk_index", pa.int32()),
        ("n_chunks", pa.int32()),
        ("token_start", pa.int32()),
        ("input_ids", pa.list_(pa.int32())),
        ("nt_start", pa.list_(pa.int32())),
        ("nt_end", pa.list_(pa.int32())),
    ]
)


@dataclass
class TokenisationStats:
    sequences: int = 0
    sequences_without_tokens: int = 0
    nucleotides: int = 0
    chunks: int = 0
    tokens: int = 0  # special tokens included

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def _list_column(values: np.ndarray, offsets: np.ndarray) -> pa.ListArray:
    return pa.ListArray.from_arrays(pa.array(offsets.astype(np.int32)), pa.array(values, type=pa.int32()))


def tokenise_frame(
    df: pd.DataFrame,
    tokeniser: Tokeniser,
    spec: ChunkSpec,
    species: SpeciesVocabulary | None = None,
    stats: TokenisationStats | None = None,
) -> pa.Table:
    """Chunks of every row of ``df`` (needs utr_id, gene_id, species, sequence) as a `TOKENISED_SCHEMA` table."""
    sequences = df["sequence"].tolist()
    chunks = tokeniser.chunk(sequences, spec)
    rows = chunks.sequence
    if species is not None:
        species_index = species.indices(df["species"])[rows]
    else:
        species_index = np.full(len(rows), -1, dtype=np.int32)
    table = pa.table(
        {
            "utr_id": pa.array(df["utr_id"].to_numpy(dtype=object)[rows], type=pa.string()),
            "gene_id": pa.array(df["gene_id"].to_numpy(dtype=object)[rows], type=pa.string()),
            "species": pa.array(df["species"].to_numpy(dtype=object)[rows], type=pa.string()),
            "species_index": pa.array(species_index, type=pa.int32()),
            "chunk_index": pa.array(chunks.chunk_index, type=pa.int32()),
            "n_chunks": pa.array(chunks.n_chunks, type=pa.int32()),
            "token_start": pa.array(chunks.token_start, type=pa.int32()),
            "input_ids": _list_column(chunks.ids, chunks.offsets),
            "nt_start": _list_column(chunks.starts, chunks.offsets),
            "nt_end": _list_column(chunks.ends, chunks.offsets),
        },
        schema=TOKENISED_SCHEMA,
    )
    if stats is not None:
        stats.sequences += len(sequences)
        stats.sequences_without_tokens += len(sequences) - len(np.unique(rows))
        stats.nucleotides += int(sum(map(len, sequences)))
        stats.chunks += len(chunks)
        stats.tokens += int(chunks.offsets[-1])
    return table


def tokenise_batches(
    batches: Iterable[pd.DataFrame],
    tokeniser: Tokeniser,
    spec: ChunkSpec,
    species: SpeciesVocabulary | None = None,
    stats: TokenisationStats | None = None,
) -> Iterator[pa.Table]:
    """Streaming form of `tokenise_frame`: one table per input batch (e.g. per corpus shard)."""
    for df in batches:
        yield tokenise_frame(df, tokeniser, spec, species, stats)
