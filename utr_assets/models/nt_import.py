"""Importing a published Nucleotide Transformer v2 checkpoint (InstaDeep's remote-code ESM fork, e.g.
InstaDeepAI/nucleotide-transformer-v2-100m-multi-species) onto our NtV2ForMaskedLM: the ``nt`` family's
`importing.ImportSpec` (IMPORT, named by utr_assets/families/nt.py).

What belongs here: config translation, the weight-name mapping and the tokeniser from the checkpoint's
own vocab.txt. Weight names are the publisher's (our modules are named as theirs), except:
- dropped on purpose: ``esm.contact_head.*`` (ESM's protein contact-prediction head; the masked LM never
  calls it), the rotary ``inv_freq`` buffers (derived from the head size; verified equal to ours) and an
  ``esm.embeddings.position_ids`` index buffer where an older save kept it (verified 0..n-1);
- legacy LayerNorm names ``gamma``/``beta`` read as ``weight``/``bias``.
Vocabulary: the ids of vocab.txt, truncated to the model's vocab_size (NT-v2's vocab.txt lists NNNNNN
after the 4,107 embedded tokens; an id without an embedding row cannot be fed to the model, so six N
are tokenised as six N letters; noted at import). Every other token must be a <special>, a k-mer over
ACGT or a single letter; eos must be unset (NT-v2 appends none).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import torch

from utr_assets.models.importing import CheckpointImportError, ImportSpec, read_json
from utr_assets.models.nt_v2_modeling import NtV2Config, NtV2ForMaskedLM, RotaryEmbedding

K = 6
_CONFIG_KEYS = (
    "vocab_size",
    "hidden_size",
    "num_hidden_layers",
    "num_attention_heads",
    "intermediate_size",
    "hidden_dropout_prob",
    "attention_probs_dropout_prob",
    "max_position_embeddings",
    "initializer_range",
    "layer_norm_eps",
    "position_embedding_type",
    "token_dropout",
    "emb_layer_norm_before",
    "pad_token_id",
    "mask_token_id",
)
_SPECIALS = {"unk_token": "<unk>", "pad_token": "<pad>", "mask_token": "<mask>", "cls_token": "<cls>"}


def config_from(published: dict[str, Any], source: Path) -> NtV2Config:
    label = source / "config.json"
    if published.get("is_folding_model") or published.get("esmfold_config"):
        raise CheckpointImportError(f"{label}: an ESMFold model, not an NT masked LM")
    if published.get("is_decoder") or published.get("add_cross_attention"):
        raise CheckpointImportError(f"{label}: decoder / cross-attention ESM variants are not NT-v2")
    missing = [
        k
        for k in (
            "vocab_size",
            "hidden_size",
            "num_hidden_layers",
            "num_attention_heads",
            "intermediate_size",
        )
        if k not in published
    ]
    if missing:
        raise CheckpointImportError(f"{label}: missing {missing}")
    kwargs = {k: published[k] for k in _CONFIG_KEYS if k in published}
    kwargs["add_bias_fnn"] = bool(published.get("add_bias_fnn", True))
    try:
        return NtV2Config(**kwargs, tie_word_embeddings=bool(published.get("tie_word_embeddings", False)))
    except ValueError as exc:
        raise CheckpointImportError(f"{label}: {exc}") from exc


def rename(name: str, tensor: torch.Tensor, config: NtV2Config) -> list[tuple[str, torch.Tensor]]:
    if name.startswith("esm.contact_head."):
        return []
    if name.endswith(".rotary_embeddings.inv_freq"):
        expected = RotaryEmbedding.default_inv_freq(config.hidden_size // config.num_attention_heads)
        if tensor.shape != expected.shape or not torch.allclose(tensor.float(), expected, rtol=1e-6, atol=0):
            raise CheckpointImportError(
                f"{name}: rotary frequencies differ from base 10000 (not NT-v2 rotary)"
            )
        return []
    if name == "esm.embeddings.position_ids":  # older saves kept this index buffer: 0..max_position - 1
        if not torch.equal(tensor.reshape(-1), torch.arange(tensor.numel(), dtype=tensor.dtype)):
            raise CheckpointImportError(f"{name}: not the position index 0..{tensor.numel() - 1}")
        return []
    if name.endswith(".gamma"):
        name = name[: -len("gamma")] + "weight"
    elif name.endswith(".beta"):
        name = name[: -len("beta")] + "bias"
    return [(name, tensor)]


def read_vocab(source: Path, vocab_size: int) -> tuple[list[str], list[str]]:
    """(tokens of the embedded ids, tokens listed beyond vocab_size)."""
    path = source / "vocab.txt"
    try:
        tokens = [t.strip() for t in path.read_text(encoding="utf-8").splitlines()]
    except FileNotFoundError:
        raise CheckpointImportError(
            f"{path}: missing (NT checkpoints ship their vocabulary as vocab.txt)"
        ) from None
    kept, extra = tokens[:vocab_size], tokens[vocab_size:]
    if len(kept) < vocab_size:
        raise CheckpointImportError(f"{path}: {len(kept)} tokens for a model of vocab_size {vocab_size}")
    for line, token in enumerate(kept, start=1):
        ok = (
            (token.startswith("<") and token.endswith(">"))
            or len(token) == 1
            or (len(token) == K and set(token) <= set("ACGT"))
        )
        if not ok:
            raise CheckpointImportError(
                f"{path}:{line}: token {token!r} is neither a special, a letter nor a {K}-mer over ACGT"
            )
    return kept, extra


def _special_names(source: Path) -> dict[str, Any]:
    names: dict[str, Any] = {}
    for file in ("special_tokens_map.json", "tokenizer_config.json"):
        if (source / file).exists():
            names.update({k: v for k, v in read_json(source / file).items() if k.endswith("_token")})
    return {k: (v.get("content") if isinstance(v, dict) else v) for k, v in names.items()}


def tokeniser_from(source: Path, config: NtV2Config) -> Any:
    from utr_assets.corpus.tokenisers import NtTokeniser
    from utr_assets.corpus.tokenizer_json import nt_tokenizer

    tokens, _ = read_vocab(source, config.vocab_size)
    names = _special_names(source)
    for key, expected in _SPECIALS.items():
        if names.get(key, expected) != expected:
            raise CheckpointImportError(
                f"{source}: {key} is {names[key]!r}; the NT tokeniser expects {expected!r}"
            )
    if names.get("eos_token"):
        raise CheckpointImportError(f"{source}: eos_token {names['eos_token']!r} is set; NT-v2 appends none")
    tok = NtTokeniser(nt_tokenizer(K, tokens), k=K)
    vocab = tok.hf.get_vocab()
    for key, expected in (("pad_token_id", "<pad>"), ("mask_token_id", "<mask>")):
        if getattr(config, key) != vocab[expected]:
            raise CheckpointImportError(
                f"{source}: config {key}={getattr(config, key)} but vocab.txt puts "
                f"{expected} at {vocab[expected]}"
            )
    return tok


def check_tokeniser(source: Path, tokeniser: Any, n: int = 64, seed: int = 0) -> None:
    """Our ids equal the publisher's tokenizer (stock EsmTokenizer, no remote code) on random ACGTN
    sequences (no six-N runs: see the module docstring)."""
    from transformers import AutoTokenizer

    try:
        reference = AutoTokenizer.from_pretrained(str(source), trust_remote_code=False)
    except (OSError, ValueError, KeyError) as exc:
        raise CheckpointImportError(f"{source}: the publisher's tokenizer does not load ({exc})") from exc
    rng = np.random.default_rng(seed)
    for i in range(n):
        seq = "".join(rng.choice(list("ACGTACGTACGTN"), int(rng.integers(1, 300)))).replace(
            "NNNNNN", "NNNNNA"
        )
        ours = [*tokeniser.prefix_ids, *tokeniser.encode_batch([seq]).ids.tolist()]
        theirs = reference(seq)["input_ids"]
        if ours != theirs:
            raise CheckpointImportError(
                f"{source}: our NT tokeniser differs from the publisher's on probe {i}"
            )


IMPORT = ImportSpec(
    family="nt",
    config=config_from,
    model=NtV2ForMaskedLM,
    rename=rename,
    tokeniser=tokeniser_from,
    check_tokeniser=check_tokeniser,
)
