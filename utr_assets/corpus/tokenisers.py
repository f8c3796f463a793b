"""One object per tokeniser family: the saved Hugging Face tokenizer plus our batch fast path.

What belongs here: `Tokeniser` (fast `encode_batch` -> TokenBatch, the plain HF path `hf_encode`
it must equal, `decode`, `chunk`, save/load) and its four kinds (overlapping k-mers, non-overlapping
k-mers, BPE, single nucleotides). Which family uses which kind, and its k, is the family's description
(utr_assets/families/), read by `build_tokeniser` and `load_tokeniser` (tokeniser_loading.py). Not here:
vocabularies (`vocab.py`), tokenizer.json recipes (`tokenizer_json.py`, `bpe.py`), window placement
(`chunking.py`).

A saved tokeniser is a Hugging Face tokenizer directory (`AutoTokenizer.from_pretrained(path)` works
with no remote code) plus ``utr_tokeniser.json`` (family, k) and, for species-aware models,
``species.json``.
"""

from __future__ import annotations

import json
import os
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from transformers import PreTrainedTokenizerFast

from utr_assets.corpus import bpe
from utr_assets.corpus import tokenizer_json as hf_tokenizers
from utr_assets.corpus.chunking import ChunkBatch, ChunkSpec, chunk_batch
from utr_assets.corpus.kmers import (
    NtLayout,
    TokenBatch,
    kmer_text,
    nonoverlapping_kmers,
    overlapping_kmers,
    single_nucleotides,
)
from utr_assets.corpus.species import SpeciesVocabulary
from utr_assets.corpus.vocab import DNABERT_KMER_OFFSET, DNABERT_UNK_ID, K, kmers

TOKENISER_FILE = "utr_tokeniser.json"


class Tokeniser(ABC):
    family: str  # the model family (utr_assets.families); the class sets the default
    lossless: ClassVar[bool]  # decode(content ids) == input for every ACGTN sequence

    def __init__(
        self,
        hf: PreTrainedTokenizerFast,
        *,
        k: int = K,
        species: SpeciesVocabulary | None = None,
        family: str | None = None,
    ):
        self.hf = hf
        self.k = k
        self.species = species
        self.family = family or type(self).family
        self._tokens = np.array(hf.convert_ids_to_tokens(list(range(len(hf)))), dtype=object)

    @classmethod
    def fresh(
        cls,
        *,
        k: int,
        family: str,
        species: SpeciesVocabulary | None = None,
        sequences: Iterable[str] | None = None,
        vocab_size: int = bpe.DEFAULT_VOCAB_SIZE,
        bpe_max_nucleotides: int | None = 200_000_000,
    ) -> Tokeniser:
        """A new tokeniser of this kind; fixed vocabularies ignore the BPE training inputs (``sequences``,
        ``vocab_size``, ``bpe_max_nucleotides``), which `BpeTokeniser` overrides this to use."""
        return cls(cls.fixed_tokenizer(k), k=k, species=species, family=family)

    @staticmethod
    def fixed_tokenizer(k: int) -> PreTrainedTokenizerFast:
        raise NotImplementedError

    @property
    def token_strings(self) -> np.ndarray:
        """Token text by id (object array)."""
        return self._tokens

    @property
    def vocab_size(self) -> int:
        return len(self.hf)

    @property
    def prefix_ids(self) -> tuple[int, ...]:
        return ()

    @property
    def suffix_ids(self) -> tuple[int, ...]:
        return ()

    @abstractmethod
    def encode_batch(self, sequences: Sequence[str]) -> TokenBatch:
        """Content tokens (no specials) of every sequence, with nucleotide spans: the fast path."""

    def hf_text(self, sequence: str) -> str:
        """The text the Hugging Face tokenizer takes for this sequence."""
        return sequence

    def hf_encode(self, sequence: str) -> list[int]:
        """Content ids through the plain Hugging Face call, one sequence: the reference path."""
        return self.hf(self.hf_text(sequence), add_special_tokens=False)["input_ids"]

    def decode(self, ids: Iterable[int]) -> str:
        """Content ids back to nucleotides."""
        return "".join(self._tokens[np.asarray(list(ids), dtype=np.int64)])

    def chunk(self, sequences: Sequence[str], spec: ChunkSpec) -> ChunkBatch:
        return chunk_batch(self.encode_batch(sequences), spec, self.prefix_ids, self.suffix_ids)

    def save(self, directory: str | os.PathLike[str]) -> Path:
        path = Path(directory)
        self.hf.save_pretrained(path)
        (path / TOKENISER_FILE).write_text(json.dumps({"family": self.family, "k": self.k}, indent=1))
        if self.species is not None:
            self.species.save(path)
        return path


class DnabertTokeniser(Tokeniser):
    """Overlapping 6-mers, [CLS] ... [SEP]; not lossless (k-mers with N are [UNK])."""

    family = "dnabert"
    lossless = False

    @staticmethod
    def fixed_tokenizer(k: int) -> PreTrainedTokenizerFast:
        return hf_tokenizers.dnabert_tokenizer(k)

    @property
    def prefix_ids(self) -> tuple[int, ...]:
        return (self.hf.cls_token_id,)

    @property
    def suffix_ids(self) -> tuple[int, ...]:
        return (self.hf.sep_token_id,)

    def encode_batch(self, sequences: Sequence[str]) -> TokenBatch:
        return overlapping_kmers(sequences, self.k)

    def hf_text(self, sequence: str) -> str:
        return kmer_text(sequence, self.k)

    def decode(self, ids: Iterable[int]) -> str:
        """Bases read from any covering k-mer that is not [UNK]; bases covered only by [UNK] -> N."""
        ids = np.asarray(list(ids), dtype=np.int64)
        if len(ids) == 0:
            return ""
        if not hasattr(self, "_letters"):
            self._letters = np.frombuffer("".join(kmers(self.k)).encode(), dtype="S1").reshape(-1, self.k)
        letters = self._letters
        out = np.full(len(ids) + self.k - 1, b"N", dtype="S1")
        known = np.flatnonzero(ids != DNABERT_UNK_ID)
        for j in range(self.k):
            out[known + j] = letters[ids[known] - DNABERT_KMER_OFFSET, j]
        return out.tobytes().decode()


class NtTokeniser(Tokeniser):
    """Non-overlapping 6-mers with single-letter fallback, <cls> prefix; lossless for ACGTN. Token ids come
    from the tokenizer's own vocabulary (any layout holding every k-mer), so an imported checkpoint
    tokenises as its publisher's tokenizer does."""

    family = "nt"
    lossless = True

    @staticmethod
    def fixed_tokenizer(k: int) -> PreTrainedTokenizerFast:
        return hf_tokenizers.nt_tokenizer(k)

    def __init__(self, hf: PreTrainedTokenizerFast, **kwargs: Any):
        super().__init__(hf, **kwargs)
        self.layout = NtLayout.from_vocab(hf.get_vocab(), self.k, hf.unk_token or "<unk>")

    @property
    def prefix_ids(self) -> tuple[int, ...]:
        return (self.hf.cls_token_id,)

    def encode_batch(self, sequences: Sequence[str]) -> TokenBatch:
        return nonoverlapping_kmers(sequences, self.k, self.layout)


class BpeTokeniser(Tokeniser):
    """DNABERT-2-style BPE trained on the corpus, [CLS] ... [SEP]; lossless for ACGTN."""

    family = "dnabert2"
    lossless = True

    @classmethod
    def fresh(
        cls,
        *,
        k: int,
        family: str,
        species: SpeciesVocabulary | None = None,
        sequences: Iterable[str] | None = None,
        vocab_size: int = bpe.DEFAULT_VOCAB_SIZE,
        bpe_max_nucleotides: int | None = 200_000_000,
    ) -> Tokeniser:
        """A BPE trained on ``sequences`` (the train split only)."""
        if sequences is None:
            raise ValueError(f"the {family} (BPE) tokeniser is trained: pass the training sequences")
        backend = bpe.train_bpe(sequences, vocab_size, max_nucleotides=bpe_max_nucleotides)
        return cls(bpe.bpe_tokenizer(backend), k=k, species=species, family=family)

    def __init__(self, hf: PreTrainedTokenizerFast, **kwargs: Any):
        super().__init__(hf, **kwargs)
        self._lengths = bpe.token_lengths(hf.backend_tokenizer)

    @property
    def prefix_ids(self) -> tuple[int, ...]:
        return (self.hf.cls_token_id,)

    @property
    def suffix_ids(self) -> tuple[int, ...]:
        return (self.hf.sep_token_id,)

    def encode_batch(self, sequences: Sequence[str]) -> TokenBatch:
        # Rust batch encoding; spans from token lengths (no normaliser/pre-tokenizer, so tokens tile the
        # sequence), except sequences with [UNK], whose spans come from the encoder's offsets.
        backend = self.hf.backend_tokenizer
        encodings = backend.encode_batch_fast(list(sequences), add_special_tokens=False)
        per_seq = [np.asarray(e.ids, dtype=np.int64) for e in encodings]
        counts = np.fromiter((len(a) for a in per_seq), dtype=np.int64, count=len(per_seq))
        offsets = np.zeros(len(counts) + 1, dtype=np.int64)
        np.cumsum(counts, out=offsets[1:])
        ids = np.concatenate(per_seq) if per_seq else np.zeros(0, dtype=np.int64)
        lengths = self._lengths[ids].astype(np.int64)
        cum = np.zeros(len(ids) + 1, dtype=np.int64)
        np.cumsum(lengths, out=cum[1:])
        starts = cum[:-1] - np.repeat(cum[offsets[:-1]], counts)
        ends = starts + lengths
        seq_of_token = np.repeat(np.arange(len(counts)), counts)
        with_unk = np.unique(seq_of_token[ids == self.hf.unk_token_id])
        for i in with_unk:
            spans = np.asarray(backend.encode(sequences[i], add_special_tokens=False).offsets, dtype=np.int64)
            starts[offsets[i] : offsets[i + 1]] = spans[:, 0]
            ends[offsets[i] : offsets[i + 1]] = spans[:, 1]
        return TokenBatch(ids.astype(np.int32), starts.astype(np.int32), ends.astype(np.int32), offsets)


class NucleotideTokeniser(Tokeniser):
    """Single nucleotides (A C G T N = 0..4) for the state-space family; species index kept alongside."""

    family = "dss"
    lossless = True

    @staticmethod
    def fixed_tokenizer(k: int) -> PreTrainedTokenizerFast:
        return hf_tokenizers.nucleotide_tokenizer()

    def encode_batch(self, sequences: Sequence[str]) -> TokenBatch:
        return single_nucleotides(sequences)
