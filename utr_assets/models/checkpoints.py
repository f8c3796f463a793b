"""Atomic, pickle-free checkpoints: resumable training states and final Hugging Face directories.

What belongs here: writing/reading a training state (weights, optimiser, scheduler, RNG, step, history),
exporting a model + tokenizer as an HF directory and loading such a directory's weights back. Not here: deciding when to checkpoint (training.py).

Layout under a run directory:
  state-00000120/   model.safetensors, optimizer.safetensors, state.json (step, history, optimiser
                    param groups, scheduler state, non-tensor optimiser entries)
  LATEST            name of the newest complete state (replaced atomically with os.replace)
Every directory is written under a temporary name and renamed into place, so a killed run never
leaves a directory that looks complete. Tensors go to safetensors, everything else to JSON: no pickle.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, load_model, save_file, save_model

LATEST = "LATEST"
STATE_PREFIX = "state-"


@contextlib.contextmanager
def atomic_directory(dest: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a fresh temporary directory beside ``dest``; on success it replaces ``dest``."""
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.parent / f".tmp-{dest.name}-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old = dest.parent / f".old-{dest.name}-{os.getpid()}"
    if dest.exists():
        os.replace(dest, old)
    os.replace(tmp, dest)
    shutil.rmtree(old, ignore_errors=True)


def _write_text_atomic(path: Path, text: str) -> None:
    tmp = path.parent / f".tmp-{path.name}-{os.getpid()}"
    tmp.write_text(text)
    os.replace(tmp, path)


def _rng_state() -> dict[str, torch.Tensor]:
    states = {"rng.cpu": torch.get_rng_state()}
    if torch.cuda.is_available():
        for i, s in enumerate(torch.cuda.get_rng_state_all()):
            states[f"rng.cuda.{i}"] = s
    return states


def _set_rng_state(tensors: dict[str, torch.Tensor]) -> None:
    torch.set_rng_state(tensors["rng.cpu"])
    cuda = [tensors[f"rng.cuda.{i}"] for i in range(torch.cuda.device_count()) if f"rng.cuda.{i}" in tensors]
    if cuda and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(cuda)


def save_state(
    run_dir: str | os.PathLike[str],
    step: int,
    model: torch.nn.Module,
    optimizer: torch.optim.Optimizer,
    scheduler: Any,
    meta: dict[str, Any],
    keep: int = 1,
) -> Path:
    """Write ``state-{step}`` atomically, point LATEST at it, then drop all but the ``keep`` newest states."""
    run_dir = Path(run_dir)
    dest = run_dir / f"{STATE_PREFIX}{step:08d}"
    opt = optimizer.state_dict()
    tensors: dict[str, torch.Tensor] = {}
    scalars: dict[str, Any] = {}
    for idx, entries in opt["state"].items():
        for key, value in entries.items():
            if isinstance(value, torch.Tensor):
                tensors[f"state.{idx}.{key}"] = value.detach().cpu().contiguous()
            else:
                scalars[f"{idx}.{key}"] = value
    tensors.update(_rng_state())
    with atomic_directory(dest) as tmp:
        save_model(model, str(tmp / "model.safetensors"))
        save_file(tensors, str(tmp / "optimizer.safetensors"))
        doc = {
            "step": step,
            "meta": meta,
            "param_groups": opt["param_groups"],
            "optimizer_scalars": scalars,
            "scheduler": scheduler.state_dict() if scheduler is not None else None,
        }
        (tmp / "state.json").write_text(json.dumps(doc, default=_jsonable))
    _write_text_atomic(run_dir / LATEST, dest.name)
    states = sorted(p for p in run_dir.glob(f"{STATE_PREFIX}*") if p.is_dir())
    for old in states[:-keep] if keep > 0 else []:
        shutil.rmtree(old, ignore_errors=True)
    return dest


def _jsonable(value: Any) -> Any:
    if isinstance(value, torch.Tensor):
        return value.tolist()
    if isinstance(value, tuple | set):
        return list(value)
    return None  # lambdas in LambdaLR state are stored as None and rebuilt by the caller


def latest_state(run_dir: str | os.PathLike[str]) -> Path | None:
    """The newest complete state of a run (LATEST, else the highest-numbered state directory)."""
    run_dir = Path(run_dir)
    pointer = run_dir / LATEST
    if pointer.exists():
        candidate = run_dir / pointer.read_text().strip()
        if (candidate / "state.json").exists():
            return candidate
    states = sorted(p for p in run_dir.glob(f"{STATE_PREFIX}*") if (p / "state.json").exists())
    return states[-1] if states else None


def load_state(
    path: str | os.PathLike[str], model: torch.nn.Module, optimizer: torch.optim.Optimizer, scheduler: Any
) -> dict[str, Any]:
    """Restore weights, optimiser, scheduler and RNG from a state directory; return its JSON document."""
    path = Path(path)
    doc = json.loads((path / "state.json").read_text())
    device = next(model.parameters()).device
    load_model(model, str(path / "model.safetensors"), device=str(device))
    tensors = load_file(str(path / "optimizer.safetensors"))
    state: dict[int, dict[str, Any]] = {}
    for key, value in tensors.items():
        if key.startswith("state."):
            _, idx, name = key.split(".", 2)
            state.setdefault(int(idx), {})[name] = value
    for key, value in doc["optimizer_scalars"].items():
        idx, name = key.split(".", 1)
        state.setdefault(int(idx), {})[name] = value
    groups = doc["param_groups"]
    for g in groups:
        if "betas" in g:
            g["betas"] = tuple(g["betas"])
    optimizer.load_state_dict({"state": state, "param_groups": groups})
    if scheduler is not None and doc["scheduler"] is not None:
        sched = {k: v for k, v in doc["scheduler"].items() if k != "lr_lambdas"}
        scheduler.load_state_dict({**scheduler.state_dict(), **sched})
    _set_rng_state(tensors)
    return doc


def export_hf(
    model: Any, tokenizer: Any, dest: str | os.PathLike[str], extra_json: dict[str, Any] | None = None
) -> Path:
    """Write ``model`` (safetensors + config) and ``tokenizer`` as an HF directory at ``dest``, atomically.
    ``extra_json`` maps file names to JSON-serialisable documents written beside them."""
    dest = Path(dest)
    with atomic_directory(dest) as tmp:
        model.save_pretrained(tmp, safe_serialization=True)
        if hasattr(tokenizer, "hf") and hasattr(tokenizer, "save"):
            tokenizer.save(tmp)  # a corpus Tokeniser: HF files + utr_tokeniser.json (+ species.json)
        elif tokenizer is not None:
            tokenizer.save_pretrained(tmp)
        for name, doc in (extra_json or {}).items():
            (tmp / name).write_text(json.dumps(doc, indent=1, default=_jsonable))
    return dest


def load_published_weights(model: torch.nn.Module, directory: str | os.PathLike[str]) -> bool:
    """Put the weights of an exported HF directory into ``model`` (train() leaves the last step's weights
    in memory; the export holds the best-validation ones).

    False when the file lacks a weight of ``model`` (tied weights, which transformers does not write,
    excepted) or holds one it does not have. transformers writes ESM LayerNorms under their legacy names
    (``gamma``/``beta``) and reads them back as ``weight``/``bias``; so does this.
    """
    state = {_modern_name(k): v for k, v in load_file(str(Path(directory) / "model.safetensors")).items()}
    result = model.load_state_dict(state, strict=False)
    tied = set(getattr(model, "_tied_weights_keys", None) or ())
    return not result.unexpected_keys and all(k in tied for k in result.missing_keys)


def _modern_name(key: str) -> str:
    if key.endswith(".gamma"):
        return key[: -len("gamma")] + "weight"
    if key.endswith(".beta"):
        return key[: -len("beta")] + "bias"
    return key
