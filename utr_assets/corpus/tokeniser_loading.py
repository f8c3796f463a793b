"""Getting a Tokeniser: a fresh one for a model family, a saved one back, or a checkpoint's own HF tokenizer.

What belongs here: `build_tokeniser` (the family's tokeniser kind and k from its description in
utr_assets.families; BPE trained on the corpus), `load_tokeniser` (a directory written by
`Tokeniser.save`) and `load_hf_tokenizer` (AutoTokenizer with remote code only when asked). Not here:
the tokeniser kinds themselves (tokenisers.py).

A saved tokeniser is a Hugging Face tokenizer directory (`AutoTokenizer.from_pretrained(path)` works
with no remote code) plus ``utr_tokeniser.json`` (family, k) and, for species-aware models,
``species.json``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import cast

from transformers import AutoTokenizer, PreTrainedTokenizerFast

from utr_assets.corpus import bpe
from utr_assets.corpus.species import SPECIES_FILE, SpeciesVocabulary
from utr_assets.corpus.tokenisers import TOKENISER_FILE, Tokeniser
from utr_assets.families import family as family_named


def build_tokeniser(
    family: str,
    *,
    sequences: Iterable[str] | None = None,
    vocab_size: int = bpe.DEFAULT_VOCAB_SIZE,
    k: int | None = None,
    species: SpeciesVocabulary | None = None,
    bpe_max_nucleotides: int | None = 200_000_000,
) -> Tokeniser:
    """A fresh tokeniser of ``family`` (its kind and k from the family's description; ``k`` overrides the
    k-mer length); a BPE family trains on ``sequences`` (train split only)."""
    fam = family_named(family)
    cls = fam.tokeniser_class()
    return cls.fresh(
        k=k if k is not None and fam.k > 1 else fam.k,  # ``k`` overrides a k-mer length only
        family=fam.name,
        species=species,
        sequences=sequences,
        vocab_size=vocab_size,
        bpe_max_nucleotides=bpe_max_nucleotides,
    )


def load_tokeniser(directory: str | os.PathLike[str], *, trust_remote_code: bool = False) -> Tokeniser:
    """Load a tokeniser saved with `Tokeniser.save` (the HF part through AutoTokenizer; a tokenizer
    ``auto_map`` never runs unless ``trust_remote_code``). A damaged file raises ValueError naming it."""
    path = Path(directory)
    meta_path = path / TOKENISER_FILE
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        family, k = meta["family"], int(meta["k"])
        cls = family_named(family).tokeniser_class()
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise ValueError(
            f"{meta_path}: not a valid tokeniser description ({type(exc).__name__}: {exc})"
        ) from exc
    hf = load_hf_tokenizer(path, trust_remote_code=trust_remote_code)
    species = SpeciesVocabulary.load(path) if (path / SPECIES_FILE).exists() else None
    return cls(hf, k=k, species=species, family=family)


def load_hf_tokenizer(
    source: str | os.PathLike[str], *, revision: str | None = None, trust_remote_code: bool = False
) -> PreTrainedTokenizerFast:
    """``AutoTokenizer.from_pretrained`` with ``trust_remote_code`` passed explicitly (never prompting, never
    running a tokenizer ``auto_map`` unasked); a failure raises ValueError naming the source and, when its
    tokenizer_config.json maps to custom code that was not run, saying so."""
    try:
        hf = AutoTokenizer.from_pretrained(
            str(source), revision=revision, trust_remote_code=trust_remote_code
        )
        return cast(PreTrainedTokenizerFast, hf)
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        hint = ""
        config = Path(source) / "tokenizer_config.json"
        if not trust_remote_code and config.is_file() and '"auto_map"' in config.read_text(errors="replace"):
            hint = (
                "; its tokenizer_config.json maps to custom code (auto_map), which was not run because the "
                "registry entry does not set trust_remote_code"
            )
        raise ValueError(
            f"{source}: the Hugging Face tokenizer does not load ({type(exc).__name__}: {exc}){hint}"
        ) from exc
