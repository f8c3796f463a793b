"""Fixed vocabularies of the k-mer and single-nucleotide tokenisers (docs/protocol.md §3), as plain data.

What belongs here: token lists, their id layouts and the base codes the numpy fast paths use.
Not here: building Hugging Face tokenizers (`hf_tokenizers.py`) or the learned BPE vocabulary (`bpe.py`).

Layouts (ids are list positions; chosen to match the published checkpoints id for id):
- DNABERT (bert-config-6/vocab.txt of jerryji1993/DNABERT): [PAD] [UNK] [CLS] [SEP] [MASK], then the
  4,096 6-mers in ``itertools.product("ATCG")`` order (AAAAAA, AAAAAT, AAAAAC, AAAAAG, AAAATA, ...).
  Total 4,101.
- Nucleotide Transformer v2 (vocab.txt of the InstaDeepAI/nucleotide-transformer-v2-* checkpoints):
  <unk> <pad> <mask> <cls> <eos> <bos>, the 4,096 6-mers in ATCG product order, then the single
  letters A T C G N. Total 4,107 = the checkpoints' vocab_size. The published vocab.txt has one more
  line, NNNNNN (id 4,107), which has no embedding row in any NT-v2 checkpoint (its EsmTokenizer emits
  it for six N in a row, which the published model cannot embed); it is not part of this layout, so
  six N are six N tokens here. A checkpoint with another layout is read from its own vocabulary
  (`kmers.NtLayout.from_vocab`).
- Single nucleotide (ours): A C G T N at 0..4 so that a base id is its one-hot channel, then
  [PAD] [MASK] [UNK].
- BPE (DNABERT-2 style) specials: [PAD] [UNK] [CLS] [SEP] [MASK] at 0..4, learned tokens after.
"""

from __future__ import annotations

import itertools

import numpy as np

K = 6
KMER_ALPHABET = "ATCG"  # digit order of the base-4 k-mer index in both published 6-mer vocabularies

DNABERT_SPECIALS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")
NT_SPECIALS_HEAD = ("<unk>", "<pad>", "<mask>", "<cls>", "<eos>", "<bos>")
NT_LETTERS = ("A", "T", "C", "G", "N")
NUCLEOTIDE_LETTERS = ("A", "C", "G", "T", "N")
NUCLEOTIDE_SPECIALS = ("[PAD]", "[MASK]", "[UNK]")
BPE_SPECIALS = DNABERT_SPECIALS


def kmers(k: int = K) -> list[str]:
    """All k-mers over ATCG in the published vocabularies' order (index = base-4 number, A=0 T=1 C=2 G=3)."""
    return ["".join(p) for p in itertools.product(KMER_ALPHABET, repeat=k)]


def dnabert_tokens(k: int = K) -> list[str]:
    return [*DNABERT_SPECIALS, *kmers(k)]


def nt_tokens(k: int = K) -> list[str]:
    return [*NT_SPECIALS_HEAD, *kmers(k), *NT_LETTERS]


def nucleotide_tokens() -> list[str]:
    return [*NUCLEOTIDE_LETTERS, *NUCLEOTIDE_SPECIALS]


def as_vocab(tokens: list[str]) -> dict[str, int]:
    vocab = {t: i for i, t in enumerate(tokens)}
    if len(vocab) != len(tokens):
        raise ValueError("duplicate tokens in vocabulary")
    return vocab


# Offsets of the first k-mer id in each layout: id = offset + base-4 index.
DNABERT_KMER_OFFSET = len(DNABERT_SPECIALS)
DNABERT_UNK_ID = DNABERT_SPECIALS.index("[UNK]")
DNABERT_CLS_ID = DNABERT_SPECIALS.index("[CLS]")
DNABERT_SEP_ID = DNABERT_SPECIALS.index("[SEP]")
NT_KMER_OFFSET = len(NT_SPECIALS_HEAD)
NT_UNK_ID = NT_SPECIALS_HEAD.index("<unk>")
NT_CLS_ID = NT_SPECIALS_HEAD.index("<cls>")


def nt_letter_offset(k: int = K) -> int:
    """Id of the single letter A in the NT layout (T, C, G, N follow)."""
    return NT_KMER_OFFSET + 4**k


def nucleotide_unk_id() -> int:
    return len(NUCLEOTIDE_LETTERS) + NUCLEOTIDE_SPECIALS.index("[UNK]")


def _lut(mapping: dict[str, int], default: int) -> np.ndarray:
    table = np.full(256, default, dtype=np.int16)
    for letter, code in mapping.items():
        table[ord(letter)] = code
    return table


# Byte -> base-4 digit of the k-mer index (A0 T1 C2 G3); -1 for anything that is not ACGT (N included).
KMER_CODE = _lut({b: i for i, b in enumerate(KMER_ALPHABET)}, -1)
# Byte -> NT single-letter position (A0 T1 C2 G3 N4); -1 for characters outside the vocabulary.
NT_LETTER_CODE = _lut({b: i for i, b in enumerate(NT_LETTERS)}, -1)
# Byte -> single-nucleotide id (A0 C1 G2 T3 N4); [UNK] for anything else.
NUCLEOTIDE_CODE = _lut({b: i for i, b in enumerate(NUCLEOTIDE_LETTERS)}, len(NUCLEOTIDE_LETTERS) + 2)
