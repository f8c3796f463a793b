"""The DNABERT-2-style BPE tokeniser, trained on the corpus with the `tokenizers` library (docs/protocol.md §3).

What belongs here: training (BpeTrainer) and the tokenizer.json recipe. Not here: chunking, or the
batch encoding fast path (`tokenisers.BpeTokeniser`, which calls the Rust `encode_batch`).

Recipe: no normaliser and no pre-tokenizer (a whole sequence is one word, as DNA has no word
boundaries), initial alphabet A C G T N, specials [PAD] [UNK] [CLS] [SEP] [MASK] at ids 0..4,
post-processor [CLS] $A [SEP], Fuse decoder (decode = the tokens concatenated, so it is lossless
for ACGTN input). Offsets returned by the HF tokenizer are nucleotide positions.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np
from tokenizers import Tokenizer, decoders, models, processors, trainers
from transformers import PreTrainedTokenizerFast

from utr_assets.corpus.vocab import BPE_SPECIALS

DEFAULT_VOCAB_SIZE = 4096


def _capped(sequences: Iterable[str], max_nucleotides: int | None) -> Iterator[str]:
    total = 0
    for seq in sequences:
        if max_nucleotides is not None and total >= max_nucleotides:
            return
        total += len(seq)
        yield seq


def train_bpe(
    sequences: Iterable[str],
    vocab_size: int = DEFAULT_VOCAB_SIZE,
    *,
    min_frequency: int = 2,
    max_nucleotides: int | None = 200_000_000,
) -> Tokenizer:
    """Train a BPE `tokenizers.Tokenizer` on sequences (a shuffled corpus: the cap keeps a prefix).

    ``vocab_size`` counts specials and letters too; the result can be smaller when the corpus has
    too few frequent pairs. ``max_nucleotides`` bounds training memory at paper scale (None = all).
    """
    if vocab_size < len(BPE_SPECIALS) + 5:
        raise ValueError(f"vocab_size {vocab_size} is smaller than the specials plus A C G T N")
    backend = Tokenizer(models.BPE(unk_token="[UNK]"))
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        min_frequency=min_frequency,
        special_tokens=list(BPE_SPECIALS),
        initial_alphabet=list("ACGTN"),
        limit_alphabet=5,
        show_progress=False,
    )
    backend.train_from_iterator(_capped(sequences, max_nucleotides), trainer=trainer)
    vocab = backend.get_vocab()
    for i, token in enumerate(BPE_SPECIALS):
        if vocab.get(token) != i:
            raise AssertionError(f"BPE special {token} got id {vocab.get(token)}, expected {i}")
    backend.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", vocab["[CLS]"]), ("[SEP]", vocab["[SEP]"])],
    )
    backend.decoder = decoders.Fuse()
    return backend


def bpe_tokenizer(backend: Tokenizer) -> PreTrainedTokenizerFast:
    return PreTrainedTokenizerFast(
        tokenizer_object=backend,
        pad_token="[PAD]",
        unk_token="[UNK]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        mask_token="[MASK]",
    )


def token_lengths(backend: Tokenizer) -> np.ndarray:
    """Nucleotides per token id (specials: 0)."""
    vocab = backend.get_vocab()
    lengths = np.zeros(max(vocab.values()) + 1, dtype=np.int32)
    for token, i in vocab.items():
        if token not in BPE_SPECIALS:
            lengths[i] = len(token)
    return lengths
