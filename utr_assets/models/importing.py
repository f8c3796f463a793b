"""`utr-assets models import`: a published checkpoint (hub layout) -> our native class, as a safetensors
Hugging Face directory that loads with `AutoModelForMaskedLM` and `load_tokeniser`, no remote code.

What belongs here: the family-independent import framework (reading sources and weights, the strict name
check, atomic writing, the registry snippet) and the hook that families plug into. Not here: any
family's mapping (nt_import.py, dnabert_import.py), scoring.

Hook for a family (e.g. ``nt`` in nt_import.py, ``dnabert`` / ``dnabert2`` in dnabert_import.py): define an
``ImportSpec(...)`` and name it in the family's description (``import_spec=`` in utr_assets/families/<name>.py);
`import_spec` finds it there. The four callables:
- ``config(publisher_config: dict, source: Path) -> PretrainedConfig``: our config from the checkpoint's
  config.json (raise `CheckpointImportError` for settings our class does not implement);
- ``model(config) -> PreTrainedModel``: our (randomly initialised) model, into which weights are copied;
- ``rename(name, tensor, config) -> list[(our_name, tensor)]``: each published weight's place(s) in our
  state dict. Return ``[(name, tensor)]`` for a 1:1 name, several pairs to split a fused tensor, or
  ``[]`` to drop a weight on purpose (only what the family documents: a derived buffer you verified,
  a head our masked LM does not have). A returned name our model lacks counts as unused;
- ``tokeniser(source: Path, config) -> Tokeniser``: our tokeniser built from the checkpoint's own
  tokenizer files (its vocabulary and specials, whatever their layout);
- optional ``check_tokeniser(source, tokeniser)``: compare with the publisher's tokenizer where it
  loads without remote code (raise on a difference).
The framework fails (nothing written) when a published weight is left unused, when one of our
parameters/persistent buffers receives none (weights tied to another one excepted), or on a shape
mismatch. Weights are cast to our parameters' dtype.

Weights: ``*.safetensors``; pickle (``pytorch_model*.bin``) only here, through
``torch.load(weights_only=True)``, and it must hold a flat name -> tensor mapping. The written
directory holds safetensors only, so a pickle never reaches the scorers (which still refuse it).
"""

from __future__ import annotations

import json
import os
import pickle
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from utr_assets.common.outputs import file_sha256
from utr_assets.common.slugs import validate_slug

_COMMIT = re.compile(r"^[0-9a-f]{40}$")
IMPORT_FILE = "utr_import.json"
_HUB_FILES = ["*.json", "*.txt", "*.safetensors", "*.bin", "*.model"]


class CheckpointImportError(ValueError):
    """A checkpoint that cannot be imported; the message names the file and the problem."""


@dataclass(frozen=True)
class ImportSpec:
    family: str
    config: Callable[[dict[str, Any], Path], Any]
    model: Callable[[Any], Any]
    rename: Callable[[str, torch.Tensor, Any], list[tuple[str, torch.Tensor]]]
    tokeniser: Callable[[Path, Any], Any]
    check_tokeniser: Callable[[Path, Any], None] | None = None


@dataclass
class ImportResult:
    out_dir: Path
    family: str
    slug: str
    parameters: int
    dropped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def registry_line(self) -> str:
        source = str(self.out_dir)
        return (
            f"  - {{slug: {self.slug}, kind: pretrained, family: {self.family}, "
            f"source: {source if source.startswith(('/', './', '../', '~')) else './' + source}}}"
        )


def import_spec(family: str) -> ImportSpec:
    from utr_assets.families import trainable_family

    fam = trainable_family(family)
    if fam.import_spec is None:
        raise CheckpointImportError(
            f"family {family!r} has no checkpoint import (no import_spec in its description)"
        )
    return fam.checkpoint_import()


def resolve_source(source: str, revision: str | None = None) -> Path:
    """A local directory, or a hub id at a 40-hex ``revision`` (downloaded unless HF_HUB_OFFLINE, then
    read from the local Hugging Face cache only)."""
    path = Path(source).expanduser()
    if path.is_dir():
        return path
    if source.startswith(("/", "./", "../", "~")):
        raise CheckpointImportError(f"{source}: checkpoint directory not found")
    if not revision or not _COMMIT.match(revision):
        raise CheckpointImportError(
            f"{source}: not a local directory; a hub id needs --revision <40-hex commit>"
        )
    from huggingface_hub import snapshot_download

    offline = os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes")
    try:
        return Path(
            snapshot_download(source, revision=revision, allow_patterns=_HUB_FILES, local_files_only=offline)
        )
    except Exception as exc:  # noqa: BLE001  hub/network errors of many types: one clear message
        mode = "the local cache (HF_HUB_OFFLINE is set)" if offline else "the hub"
        raise CheckpointImportError(f"{source}@{revision}: cannot fetch from {mode}: {exc}") from exc


def read_json(path: Path) -> dict[str, Any]:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CheckpointImportError(f"{path}: missing") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CheckpointImportError(f"{path}: not readable JSON ({exc})") from exc
    if not isinstance(value, dict):
        raise CheckpointImportError(f"{path}: expected a JSON object")
    return value


def _load_pickle(file: Path) -> dict[str, torch.Tensor]:
    try:
        state = torch.load(file, map_location="cpu", weights_only=True)
    except (pickle.UnpicklingError, RuntimeError, EOFError, AttributeError, TypeError) as exc:
        raise CheckpointImportError(
            f"{file}: not a plain tensor pickle (torch.load weights_only=True refused it: {exc})"
        ) from exc
    if not isinstance(state, dict):
        raise CheckpointImportError(
            f"{file}: holds a {type(state).__name__}, expected a name -> tensor mapping"
        )
    bad = [str(k) for k, v in state.items() if not isinstance(k, str) or not isinstance(v, torch.Tensor)]
    if bad:
        raise CheckpointImportError(
            f"{file}: not plain tensors: {len(bad)} entries are not tensors "
            f"(e.g. {bad[0]!r}); expected a flat name -> tensor state dict"
        )
    return state


def read_weights(source: Path) -> tuple[dict[str, torch.Tensor], list[Path]]:
    """(name -> tensor, the files read): all ``*.safetensors``, else ``pytorch_model*.bin`` (pickle)."""
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    files = sorted(source.glob("*.safetensors"))
    state: dict[str, torch.Tensor] = {}
    if files:
        for file in files:
            try:
                part = load_file(file)
            except (SafetensorError, OSError) as exc:
                raise CheckpointImportError(f"{file}: unreadable safetensors ({exc})") from exc
            state.update(part)
        return state, files
    files = sorted(source.glob("pytorch_model*.bin"))
    if not files:
        raise CheckpointImportError(f"{source}: no weights (model*.safetensors or pytorch_model*.bin)")
    for file in files:
        state.update(_load_pickle(file))
    return state, files


def _tied_groups(model: torch.nn.Module) -> list[list[str]]:
    """State-dict names sharing one storage (tied weights), groups of two or more."""
    by_ptr: dict[tuple[int, tuple[int, ...]], list[str]] = {}
    for name, tensor in model.state_dict(keep_vars=True).items():
        by_ptr.setdefault((tensor.data_ptr(), tuple(tensor.shape)), []).append(name)
    return [names for names in by_ptr.values() if len(names) > 1]


def map_weights(
    spec: ImportSpec, config: Any, model: torch.nn.Module, state: dict[str, torch.Tensor], label: str
) -> tuple[dict[str, torch.Tensor], list[str]]:
    """(our name -> tensor for every parameter and persistent buffer, dropped published names); strict."""
    ours = model.state_dict()
    mapped: dict[str, torch.Tensor] = {}
    unused, dropped = [], []
    for name, tensor in state.items():
        targets = spec.rename(name, tensor, config)
        if not targets:
            dropped.append(name)
        for target, value in targets:
            if target not in ours:
                unused.append(name if target == name else f"{name} -> {target}")
            elif target in mapped:
                raise CheckpointImportError(f"{label}: two published weights map onto {target}")
            elif tuple(value.shape) != tuple(ours[target].shape):
                raise CheckpointImportError(
                    f"{label}: {name}: shape {tuple(value.shape)} where our {target} "
                    f"has {tuple(ours[target].shape)}"
                )
            else:
                mapped[target] = value.to(ours[target].dtype)
    for group in _tied_groups(model):
        present = [n for n in group if n in mapped]
        for name in group if present else []:
            mapped.setdefault(name, mapped[present[0]])
    missing = [n for n in ours if n not in mapped]
    if unused or missing:
        raise CheckpointImportError(
            f"{label}: the {spec.family} mapping is not exact: {len(unused)} published weight(s) unused "
            f"{unused[:8]}, {len(missing)} of ours missing {missing[:8]}"
        )
    return mapped, dropped


def import_checkpoint(
    source: str,
    family: str,
    slug: str,
    out_dir: str | os.PathLike[str],
    *,
    revision: str | None = None,
    overwrite: bool = False,
) -> ImportResult:
    """Import ``source`` as ``family`` into ``out_dir`` (written atomically; nothing on failure)."""
    try:
        validate_slug(slug)
    except ValueError as exc:
        raise CheckpointImportError(str(exc)) from None
    spec = import_spec(family)
    src = resolve_source(source, revision)
    out = Path(out_dir).expanduser()
    if out.exists() and not overwrite:
        raise CheckpointImportError(f"{out}: already exists (pass overwrite/--force to replace it)")
    config = spec.config(read_json(src / "config.json"), src)
    state, files = read_weights(src)
    model = spec.model(config)
    mapped, dropped = map_weights(spec, config, model, state, str(src))
    model.load_state_dict(mapped, strict=True)
    model.eval()
    tokeniser = spec.tokeniser(src, config)
    if spec.check_tokeniser is not None:
        spec.check_tokeniser(src, tokeniser)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        model.save_pretrained(tmp, safe_serialization=True)
        tokeniser.save(tmp)
        provenance = {
            "source": source,
            "revision": revision,
            "family": family,
            "slug": slug,
            "weights": {f.name: file_sha256(f) for f in files},
            "dropped": dropped,
        }
        (tmp / IMPORT_FILE).write_text(json.dumps(provenance, indent=1))
        if out.exists():
            shutil.rmtree(out)
        tmp.replace(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    n = sum(p.numel() for p in model.parameters())
    return ImportResult(out, family, slug, n, dropped)
