"""Loading scorers: Hugging Face masked-LM checkpoints (safetensors only) and `load_scorer` for a
registry entry (trained here, pretrained from a directory or a pinned hub revision, or a baseline).

What belongs here: weight-format policy, tokeniser recovery for external checkpoints (the family's
tokeniser kind and k from its description), the scorer options a registry entry gets from the settings,
and the dispatch from a `ModelEntry` to a scorer. Not here: scoring itself (`lm.py`, `baselines.py`).

Policy: weights load only from safetensors (`use_safetensors=True`); a checkpoint offering only
pickle files (pytorch_model.bin, *.pt, *.pth, *.ckpt) is refused with UnsafeCheckpointError.
Remote code runs only when the registry entry sets ``trust_remote_code``. Hub ids come with the
40-hex revision the registry validated; with HF_HUB_OFFLINE=1 only the local cache is used.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pandas as pd
import torch

from utr_assets.corpus.tokeniser_loading import load_hf_tokenizer, load_tokeniser
from utr_assets.corpus.tokenisers import TOKENISER_FILE, Tokeniser
from utr_assets.families import FAMILIES
from utr_assets.scoring.base import Scorer, ScoringError, UnsafeCheckpointError
from utr_assets.scoring.lm import LanguageModelScorer, model_context

_PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".ckpt", ".pkl")


def check_safetensors(directory: str | os.PathLike[str]) -> None:
    """Refuse a local checkpoint directory that has no safetensors weights."""
    path = Path(directory)
    if not path.is_dir():
        raise ScoringError(f"{path}: checkpoint directory not found")
    weights = sorted(path.glob("*.safetensors"))
    for file in weights:
        _check_safetensors_header(file)
    if weights:
        return
    pickles = sorted(p.name for p in path.iterdir() if p.suffix in _PICKLE_SUFFIXES)
    if pickles:
        raise UnsafeCheckpointError(
            f"{path}: only pickle weights ({', '.join(pickles)}); refusing to unpickle. "
            "Convert to safetensors (save_pretrained(..., safe_serialization=True))."
        )
    raise ScoringError(f"{path}: no model.safetensors in the checkpoint directory")


def _check_safetensors_header(file: Path) -> None:
    """A safetensors file starts with an 8-byte little-endian header length and that many bytes of JSON."""
    import json
    import struct

    with open(file, "rb") as handle:
        head = handle.read(8)
        size = struct.unpack("<Q", head)[0] if len(head) == 8 else -1
        if size <= 0 or size > file.stat().st_size - 8:
            raise ScoringError(
                f"{file}: not a safetensors file (empty or truncated: {file.stat().st_size} bytes)"
            )
        try:
            json.loads(handle.read(size))
        except ValueError as exc:
            raise ScoringError(f"{file}: damaged safetensors header ({exc})") from exc


def _is_local(source: str) -> bool:
    return source.startswith(("/", "./", "../", "~")) or Path(source).is_dir()


def load_hf_model(
    source: str | os.PathLike[str],
    *,
    revision: str | None = None,
    trust_remote_code: bool = False,
    device: torch.device | str = "cpu",
) -> torch.nn.Module:
    """An AutoModelForMaskedLM from a local directory or a hub id (pinned ``revision``), safetensors only."""
    from transformers import AutoModelForMaskedLM

    import utr_assets.models  # noqa: F401  registers our native classes with the Auto classes

    source = str(Path(source).expanduser()) if _is_local(str(source)) else str(source)
    if _is_local(source):
        check_safetensors(source)
    try:
        model = AutoModelForMaskedLM.from_pretrained(
            source, use_safetensors=True, revision=revision, trust_remote_code=trust_remote_code
        )
    except OSError as exc:
        if "safetensors" in str(exc).lower():
            raise UnsafeCheckpointError(
                f"{source}: no safetensors weights at revision {revision}: {exc}"
            ) from exc
        raise
    return model.to(torch.device(device)).eval()


def load_tokeniser_for(
    source: str | os.PathLike[str],
    family: str,
    revision: str | None = None,
    *,
    trust_remote_code: bool = False,
) -> Tokeniser:
    """Our saved tokeniser (utr_tokeniser.json) when present, else the checkpoint's HF tokenizer wrapped as
    ``family`` (the k-mer layout is verified when the scorer builds its readout tables). A tokenizer
    ``auto_map`` runs only when the registry entry sets ``trust_remote_code``."""
    if _is_local(str(source)) and (Path(source).expanduser() / TOKENISER_FILE).exists():
        return load_tokeniser(Path(source).expanduser(), trust_remote_code=trust_remote_code)
    fam = FAMILIES.get(family)
    if fam is None or fam.tokeniser is None:
        raise ScoringError(f"no tokeniser family {family!r} for a language model")
    hf = load_hf_tokenizer(source, revision=revision, trust_remote_code=trust_remote_code)
    return fam.tokeniser_class()(hf, k=fam.k, family=fam.name)


def load_language_model_scorer(
    source: str | os.PathLike[str],
    family: str,
    *,
    name: str = "model",
    revision: str | None = None,
    trust_remote_code: bool = False,
    device: torch.device | str = "cpu",
    **options: Any,
) -> LanguageModelScorer:
    """``context`` None (the paper profile's scoring.context): the model's own context, capped at the study's
    chunk for the family (its description's ``chunks``): NT-v2's config says 2,050 tokens, the study's
    nt_inference.py scored 1,024-token chunks (its max_tok_len)."""
    model = load_hf_model(source, revision=revision, trust_remote_code=trust_remote_code, device=device)
    tokeniser = load_tokeniser_for(source, family, revision, trust_remote_code=trust_remote_code)
    fam = FAMILIES.get(family)
    if options.get("context") is None and fam is not None and fam.chunks is not None:
        options["context"] = min(model_context(model, fam.context_key), fam.chunks.context)
    return LanguageModelScorer(model, tokeniser, name=name, device=device, **options)


def scorer_options(entry: Any, scoring: Any, reference_species: str | None) -> dict[str, Any]:
    """The LanguageModelScorer options of a registry entry under the settings' ``scoring`` section: batch
    size, chunk context, the species a species-aware model scores as (the MAF's name of the reference, as
    the corpus named it) and the per-base probability mode; none for a baseline."""
    if entry.kind == "baseline":
        return {}
    options: dict[str, Any] = {"max_tokens": scoring.max_tokens}
    if scoring.context is not None:
        options["context"] = scoring.context
    if entry.species_aware:
        options["species"] = reference_species
    mode = scoring.probability_mode.mode("per_base", entry.family)
    if mode:
        options["probability_mode"] = mode
    return options


def load_scorer(
    entry: Any,
    checkpoint_dir: Path | None = None,
    device: torch.device | str = "cpu",
    *,
    regions: pd.DataFrame | None = None,
    alignments: pd.DataFrame | None = None,
    phylop: Any = None,
    cadd: pd.DataFrame | None = None,
    kmer_k: int = 5,
    **options: Any,
) -> Scorer:
    """The scorer of a registry entry (utr_assets.model_registry.ModelEntry).

    trained: ``checkpoint_dir`` (the published HF directory) is required. pretrained: ``entry.source`` at
    ``entry.revision``, or ``checkpoint_dir`` when given (a local copy). Baselines take their inputs:
    zoo_al ``alignments`` (utr3_alignments); phylop ``phylop`` (wiggle/bigWig path or ConservationTrack)
    and ``regions``; cadd ``cadd`` (CADD scores or per-position maxima) and ``regions``; kmer ``kmer_k``.
    ``options`` go to LanguageModelScorer (context, overlap, max_tokens, probability_mode, species, ...).
    """
    from utr_assets.scoring import baselines

    if entry.kind == "baseline":
        return baselines.baseline_scorer(
            entry.family,
            name=entry.slug,
            regions=regions,
            alignments=alignments,
            phylop=phylop,
            cadd=cadd,
            kmer_k=kmer_k,
        )
    if entry.kind == "trained":
        if checkpoint_dir is None:
            raise ScoringError(f"{entry.slug}: a trained model needs its checkpoint directory")
        return load_language_model_scorer(
            checkpoint_dir, entry.family, name=entry.slug, device=device, **options
        )
    source = str(checkpoint_dir) if checkpoint_dir is not None else entry.source
    revision = None if checkpoint_dir is not None or _is_local(entry.source) else entry.revision
    return load_language_model_scorer(
        source,
        entry.family,
        name=entry.slug,
        revision=revision,
        trust_remote_code=entry.trust_remote_code,
        device=device,
        **options,
    )
