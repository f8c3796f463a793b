"""Corpus domain (docs/protocol.md §2-3): the multispecies 3'UTR pretraining corpus, the four tokenisers as
Hugging Face tokenizers, chunking to each family's context, and the tokenised corpus. Plain Python:
no Dagster here (utr_assets/assets/corpus.py is the glue); family facts come from utr_assets.families.

Modules:
  splits      orientation, human-only subset, seeded gene-grouped split and shuffle
  shards      parquet shards: bytes for the artifact store, streaming reads
  vocab       fixed vocabularies and their id layouts
  kmers       numpy fast paths (TokenBatch: ids + nucleotide spans)
  tokenizer_json / bpe  tokenizer.json recipes; BPE training
  tokenisers  Tokeniser kinds: fast path, HF reference path, decode, save
  tokeniser_loading  build_tokeniser (a family's kind from its description), load_tokeniser, load_hf_tokenizer
  species     species vocabulary (species.json)
  chunking    context windows with overlap and left-filled last chunk (ChunkBatch)
  tokenised_table  corpus frames -> tokenised Arrow tables
  checks      quality checks as plain functions
"""

from utr_assets.corpus.checks import (
    CheckResult,
    check_chunk_lengths,
    check_genes_disjoint,
    check_round_trip,
    check_spans,
    check_token_ids,
)
from utr_assets.corpus.chunking import (
    ChunkBatch,
    ChunkSpec,
    chunk_batch,
    paper_chunk_spec,
    training_chunk_spec,
    window_starts,
)
from utr_assets.corpus.kmers import (
    TokenBatch,
    kmer_text,
    nonoverlapping_kmers,
    overlapping_kmers,
    single_nucleotides,
)
from utr_assets.corpus.shards import (
    iter_corpus,
    iter_record_batches,
    parquet_bytes,
    read_corpus,
    shard_files,
    shard_name,
    shard_tables,
    write_corpus_shards,
    write_parquet,
)
from utr_assets.corpus.species import SpeciesVocabulary, UnknownSpeciesError
from utr_assets.corpus.splits import (
    CORPUS_COLUMNS,
    CorpusSplits,
    human_only,
    prepare_corpus,
    reverse_complement,
    shuffle,
    split_by_gene,
    to_dna_orientation,
    validation_genes,
)
from utr_assets.corpus.tokenised_table import (
    TOKENISED_SCHEMA,
    TokenisationStats,
    tokenise_batches,
    tokenise_frame,
)
from utr_assets.corpus.tokeniser_loading import build_tokeniser, load_tokeniser
from utr_assets.corpus.tokenisers import Tokeniser

__all__ = [
    "CORPUS_COLUMNS",
    "TOKENISED_SCHEMA",
    "CheckResult",
    "ChunkBatch",
    "ChunkSpec",
    "CorpusSplits",
    "SpeciesVocabulary",
    "TokenBatch",
    "TokenisationStats",
    "Tokeniser",
    "UnknownSpeciesError",
    "build_tokeniser",
    "check_chunk_lengths",
    "check_genes_disjoint",
    "check_round_trip",
    "check_spans",
    "check_token_ids",
    "chunk_batch",
    "human_only",
    "iter_corpus",
    "iter_record_batches",
    "kmer_text",
    "load_tokeniser",
    "nonoverlapping_kmers",
    "overlapping_kmers",
    "paper_chunk_spec",
    "parquet_bytes",
    "prepare_corpus",
    "read_corpus",
    "reverse_complement",
    "shard_files",
    "shard_name",
    "shard_tables",
    "shuffle",
    "single_nucleotides",
    "split_by_gene",
    "to_dna_orientation",
    "tokenise_batches",
    "tokenise_frame",
    "training_chunk_spec",
    "validation_genes",
    "window_starts",
    "write_corpus_shards",
    "write_parquet",
]
