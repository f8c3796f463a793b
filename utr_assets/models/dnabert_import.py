"""How published DNABERT-6 and DNABERT-2 checkpoints map onto our classes (`utr-assets models import`).

What belongs here: the two ``ImportSpec`` hooks of importing.py (config, model, weight renaming,
tokeniser from the checkpoint's own files, comparison with the publisher's tokenizer). Not here: the
import framework (importing.py) or the architectures (stock BertForMaskedLM; dnabert2_modeling.py).

DNABERT-6 (zhihan1996/DNA_bert_6, ``pytorch_model.bin``): a stock BERT masked LM; names are kept, old
TF-style ``LayerNorm.gamma/beta`` become ``weight/bias``. Dropped on purpose: ``bert.embeddings.position_ids``
(a derived buffer, checked to be 0..n-1), the pooler and the next-sentence head, which a masked LM lacks.
Its vocab.txt must be the published layout (corpus/vocab.py), which our overlapping-k-mer fast path encodes.

DNABERT-2 (zhihan1996/DNABERT-2-117M, remote-code MosaicBERT): our Dnabert2ForMaskedLM uses the
publisher's parameter names, so names are kept; dropped on purpose: ``bert.pooler.*`` (the masked LM has
none). Its tokeniser is the checkpoint's tokenizer.json as a BpeTokeniser (specials where it puts them:
[UNK] [CLS] [SEP] [PAD] [MASK] at 0..4 in the published file).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from transformers import BertConfig, BertForMaskedLM, BertTokenizer, PreTrainedTokenizerFast

from utr_assets.corpus.tokeniser_loading import build_tokeniser
from utr_assets.corpus.tokenisers import BpeTokeniser, DnabertTokeniser, Tokeniser
from utr_assets.corpus.vocab import K, dnabert_tokens
from utr_assets.models.dnabert2_modeling import Dnabert2Config, Dnabert2ForMaskedLM
from utr_assets.models.importing import CheckpointImportError, ImportSpec, read_json

# short sequences that exercise N, ends shorter than k and long homopolymers
PROBES = (
    "ACGTACGTNACGT",
    "NNNNNNNNACGTTT",
    "AAAAAAAAAAAAAAAAAAAA",
    "GATTACA",
    "ACG",
    "TTTTTCCCGGGANNACGTAGGCTTAAC",
)
_DROP_PREFIXES = ("bert.pooler.", "cls.seq_relationship.")
_CONFIG_DROP = (
    "architectures",
    "auto_map",
    "_name_or_path",
    "transformers_version",
    "torch_dtype",
    "model_type",
    "gradient_checkpointing",
    "use_cache",
    "position_embedding_type",
)


def _config_kwargs(publisher: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in publisher.items() if k not in _CONFIG_DROP}


# -- DNABERT-6 ---------------------------------------------------------------------------------------


def dnabert_config(publisher: dict[str, Any], source: Path) -> BertConfig:
    if publisher.get("position_embedding_type", "absolute") != "absolute":
        raise CheckpointImportError(
            f"{source / 'config.json'}: position_embedding_type "
            f"{publisher['position_embedding_type']!r}; DNABERT uses absolute positions"
        )
    return BertConfig(**_config_kwargs(publisher))


def dnabert_rename(name: str, tensor: torch.Tensor, config: Any) -> list[tuple[str, torch.Tensor]]:
    if name.startswith(_DROP_PREFIXES):
        return []
    if name.endswith("embeddings.position_ids"):
        if not torch.equal(tensor.reshape(-1), torch.arange(tensor.numel(), dtype=tensor.dtype)):
            raise CheckpointImportError(f"{name}: expected the positions 0..{tensor.numel() - 1}")
        return []
    if name.endswith("LayerNorm.gamma"):
        name = name[: -len("gamma")] + "weight"
    elif name.endswith("LayerNorm.beta"):
        name = name[: -len("beta")] + "bias"
    return [(name, tensor)]


def _vocab_lines(source: Path) -> list[str]:
    path = source / "vocab.txt"
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise CheckpointImportError(f"{path}: missing (a DNABERT checkpoint ships its vocab.txt)") from None


def dnabert_tokeniser(source: Path, config: Any) -> Tokeniser:
    tokens, expected = _vocab_lines(source), dnabert_tokens(K)
    if tokens != expected:
        where = next(
            (i for i, (a, b) in enumerate(zip(tokens, expected, strict=False)) if a != b),
            min(len(tokens), len(expected)),
        )
        got = tokens[where] if where < len(tokens) else "<end of file>"
        raise CheckpointImportError(
            f"{source / 'vocab.txt'}: line {where + 1} is {got!r}, the published DNABERT-6 "
            f"layout has {expected[where] if where < len(expected) else '<end>'!r} "
            f"({len(tokens)} lines, expected {len(expected)})"
        )
    if config.vocab_size != len(tokens):
        raise CheckpointImportError(
            f"{source / 'config.json'}: vocab_size {config.vocab_size} but vocab.txt has {len(tokens)} tokens"
        )
    return build_tokeniser("dnabert", k=K)


def publisher_dnabert_tokenizer(source: Path) -> Any:
    """AutoTokenizer on the checkpoint directory (no remote code); where it cannot tell the class (a config.json
    without model_type, as bert-config-6), the cased BERT WordPiece over vocab.txt that the hub DNA_bert_6 gets."""
    from transformers import AutoTokenizer

    try:
        return AutoTokenizer.from_pretrained(str(source), trust_remote_code=False)
    except (OSError, ValueError, KeyError):
        return BertTokenizer(vocab=str(source / "vocab.txt"), do_lower_case=False)


def _compare(reference: Any, tokeniser: Tokeniser, source: Path) -> None:
    for seq in PROBES:
        ours = tokeniser.hf_encode(seq)
        theirs = reference(tokeniser.hf_text(seq), add_special_tokens=False)["input_ids"]
        fast = tokeniser.encode_batch([seq]).sequence(0)[0].tolist()
        if not ours == theirs == fast:
            raise CheckpointImportError(
                f"{source}: our tokeniser gives {fast} (HF path {ours}) for {seq!r}, the "
                f"publisher's tokenizer {theirs}"
            )


def dnabert_check_tokeniser(source: Path, tokeniser: Tokeniser) -> None:
    _compare(publisher_dnabert_tokenizer(source), tokeniser, source)


DNABERT = ImportSpec(
    family="dnabert",
    config=dnabert_config,
    model=BertForMaskedLM,
    rename=dnabert_rename,
    tokeniser=dnabert_tokeniser,
    check_tokeniser=dnabert_check_tokeniser,
)


# -- DNABERT-2 ---------------------------------------------------------------------------------------


def dnabert2_config(publisher: dict[str, Any], source: Path) -> Dnabert2Config:
    kwargs = _config_kwargs(publisher)
    kwargs.pop("alibi_starting_size", None)  # a preallocation size, not a model setting
    kwargs.pop("classifier_dropout", None)
    if kwargs.get("hidden_act", "gelu") != "gelu":
        raise CheckpointImportError(
            f"{source / 'config.json'}: hidden_act {kwargs['hidden_act']!r}; the published "
            "DNABERT-2 head uses gelu"
        )
    return Dnabert2Config(**kwargs)


def dnabert2_rename(name: str, tensor: torch.Tensor, config: Any) -> list[tuple[str, torch.Tensor]]:
    return [] if name.startswith(_DROP_PREFIXES) else [(name, tensor)]


def _specials(source: Path) -> dict[str, str]:
    names = ("unk_token", "cls_token", "sep_token", "pad_token", "mask_token")
    found: dict[str, str] = {}
    for file in ("special_tokens_map.json", "tokenizer_config.json"):
        if (source / file).exists():
            for key, value in read_json(source / file).items():
                if key in names and key not in found:
                    found[key] = value["content"] if isinstance(value, dict) else value
    return {**{k: f"[{k.split('_')[0].upper()}]" for k in names}, **found}


def dnabert2_tokeniser(source: Path, config: Any) -> Tokeniser:
    path = source / "tokenizer.json"
    if not path.exists():
        raise CheckpointImportError(f"{path}: missing (a DNABERT-2 checkpoint ships its BPE tokenizer.json)")
    try:
        hf = PreTrainedTokenizerFast(tokenizer_file=str(path), **_specials(source))
    except Exception as exc:  # noqa: BLE001  tokenizers raises a bare Exception on a damaged file
        raise CheckpointImportError(f"{path}: not a readable tokenizer.json ({exc})") from exc
    if len(hf) != config.vocab_size:
        raise CheckpointImportError(
            f"{path}: {len(hf)} tokens but config.json vocab_size is {config.vocab_size}"
        )
    return BpeTokeniser(hf, k=0)


def dnabert2_check_tokeniser(source: Path, tokeniser: Tokeniser) -> None:
    from transformers import AutoTokenizer

    _compare(AutoTokenizer.from_pretrained(str(source), trust_remote_code=False), tokeniser, source)


DNABERT2 = ImportSpec(
    family="dnabert2",
    config=dnabert2_config,
    model=Dnabert2ForMaskedLM,
    rename=dnabert2_rename,
    tokeniser=dnabert2_tokeniser,
    check_tokeniser=dnabert2_check_tokeniser,
)

__all__ = ["DNABERT", "DNABERT2", "DnabertTokeniser", "publisher_dnabert_tokenizer"]
