"""The fixed-vocabulary tokenisers as Hugging Face fast tokenizers (a `tokenizers.Tokenizer` inside a
`transformers.PreTrainedTokenizerFast`), so `save_pretrained` writes a plain tokenizer.json and
`AutoTokenizer.from_pretrained(path)` loads it with no remote code.

What belongs here: the pre-tokenizer/model/post-processor recipe of each family. Not here: the numpy
fast paths (`kmers.py`) that must give the same ids, nor BPE training (`bpe.py`).

Model input text per family (what `tokenizer(text)` expects):
- DNABERT: overlapping k-mers separated by spaces (`kmers.kmer_text`), as the original DNABERT
  tokenizer; a tokenizer.json cannot emit overlapping tokens from raw text. Offsets returned by
  the HF tokenizer are therefore character offsets in that k-mer text, not nucleotide positions.
- NT and single-nucleotide: the raw sequence; HF offsets are nucleotide positions.
Special tokens added by the post-processor: DNABERT [CLS] ... [SEP]; NT <cls> ... (no <eos>, as
the published NT tokenizer); single-nucleotide none.
"""

from __future__ import annotations

from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers, processors
from transformers import PreTrainedTokenizerFast

from utr_assets.corpus.vocab import K, as_vocab, dnabert_tokens, nt_tokens, nucleotide_tokens


def _wrap(backend: Tokenizer, **special: str) -> PreTrainedTokenizerFast:
    # model_max_length is the model's business (the model family sets it when it saves a checkpoint).
    return PreTrainedTokenizerFast(tokenizer_object=backend, **special)


def dnabert_backend(k: int = K) -> Tokenizer:
    vocab = as_vocab(dnabert_tokens(k))
    backend = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    backend.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    backend.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", vocab["[CLS]"]), ("[SEP]", vocab["[SEP]"])],
    )
    return backend


def dnabert_tokenizer(k: int = K) -> PreTrainedTokenizerFast:
    """Overlapping k-mers (input: space-separated k-mers); k-mers with N or any non-ACGT -> [UNK]."""
    return _wrap(
        dnabert_backend(k),
        pad_token="[PAD]",
        unk_token="[UNK]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        mask_token="[MASK]",
    )


def nt_backend(k: int = K, tokens: list[str] | None = None) -> Tokenizer:
    """``tokens``: a checkpoint's own vocabulary in id order (default: the published NT-v2 layout)."""
    vocab = as_vocab(nt_tokens(k) if tokens is None else list(tokens))
    backend = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    # Leftmost alternation: a k-mer of ACGT if one starts here, else one character. Equivalent to the
    # published rule (split at N, k-mers from each segment start, the segment's tail as letters).
    backend.pre_tokenizer = pre_tokenizers.Split(Regex(f"[ACGT]{{{k}}}|."), behavior="isolated")
    backend.post_processor = processors.TemplateProcessing(
        single="<cls> $A", pair="<cls> $A $B:1", special_tokens=[("<cls>", vocab["<cls>"])]
    )
    backend.decoder = decoders.Fuse()
    return backend


def nt_tokenizer(k: int = K, tokens: list[str] | None = None) -> PreTrainedTokenizerFast:
    """Non-overlapping k-mers left to right with single-letter fallback (input: the raw sequence)."""
    names = set(nt_tokens(k) if tokens is None else tokens)
    optional = {key: t for key, t in (("eos_token", "<eos>"), ("bos_token", "<bos>")) if t in names}
    return _wrap(
        nt_backend(k, tokens),
        unk_token="<unk>",
        pad_token="<pad>",
        mask_token="<mask>",
        cls_token="<cls>",
        **optional,
    )


def nucleotide_backend() -> Tokenizer:
    vocab = as_vocab(nucleotide_tokens())
    backend = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    backend.pre_tokenizer = pre_tokenizers.Split(Regex("."), behavior="isolated")
    backend.decoder = decoders.Fuse()
    return backend


def nucleotide_tokenizer() -> PreTrainedTokenizerFast:
    """One token per base, A C G T N = 0..4 (one-hot channels); no special tokens are added."""
    return _wrap(nucleotide_backend(), pad_token="[PAD]", mask_token="[MASK]", unk_token="[UNK]")
