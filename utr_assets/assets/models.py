"""Dagster asset of the models group: `model_checkpoint` per model (trained here on the GPU pool).

What belongs here: the asset, its checks and the glue that fetches the tokenised corpus and publishes the
checkpoint. Not here: what the model is (utr_assets/models/recipe.py, from the family's description) or
the training loop (utr_assets/models/training.py).
"""

import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
import transformers
from dagster import AssetExecutionContext, MetadataValue, Output, asset

from utr_assets.assets._common import not_applicable, run_key
from utr_assets.common.progress import report_to
from utr_assets.corpus import load_tokeniser, read_corpus
from utr_assets.evaluation.plots import markdown_image
from utr_assets.model_registry import load_registry
from utr_assets.platform.artifacts import ArtifactHandle, ArtifactStore, ArtifactStoreResource
from utr_assets.platform.device import TorchDevice
from utr_assets.platform.executors import gpu_op_tags
from utr_assets.platform.partitions import model_partitions
from utr_assets.platform.quality import named_check_specs, plain_check
from utr_assets.platform.resources import SettingsResource

GROUP = "models"
GPU_TAGS = gpu_op_tags()  # Celery `gpu` queue + Kubernetes GPU limit, from the one helper
CACHE = Path(tempfile.gettempdir()) / "utr_assets_cache"
CHECKS = {
    "losses_finite": "Every training and validation loss is finite.",
    "beats_uniform_baseline": "Best validation loss is below the uniform-guess cross-entropy.",
    "reloads_identically": "The published checkpoint reloads (AutoModelForMaskedLM) with identical outputs.",
    "parameters_match_preset": "Parameter count equals the family preset's count for this vocabulary.",
}


def _chunks(handles: list[dict], limit: int | None) -> pd.DataFrame:
    table = read_corpus([h["uri"] for h in handles], columns=["input_ids", "species_index"])
    return table.head(limit) if limit else table


def _corpus_digests(tokenised_corpus: dict) -> list[str]:
    return [tokenised_corpus["tokenizer"]["sha256"]] + [
        h["sha256"] for split in ("train", "validation") for h in tokenised_corpus[split]
    ]


def _run_dir(store: ArtifactStore, slug: str, key: str) -> Path:
    """One run folder per (training settings, corpus): a killed run resumes, changed inputs start afresh."""
    if store.is_local:
        return Path(store.path("model_checkpoint", slug, f"run-{key}").path)
    return Path(tempfile.gettempdir()) / "utr_assets_runs" / slug / key


@asset(
    group_name=GROUP,
    partitions_def=model_partitions,
    io_manager_key="handle_io_manager",
    code_version="1",
    pool="gpu",
    op_tags=GPU_TAGS,
    check_specs=named_check_specs("model_checkpoint", CHECKS),
    description="The model trained on its tokenised corpus (docs/protocol.md §3): best-validation Hugging Face directory "
    "(safetensors + config + tokenizer), resumable after a kill.",
)
def model_checkpoint(
    context: AssetExecutionContext,
    settings: SettingsResource,
    artifact_store: ArtifactStoreResource,
    torch_device: TorchDevice,
    tokenised_corpus: dict,
):
    from utr_assets.models import train
    from utr_assets.models.recipe import model_recipe, training_config

    transformers.utils.logging.disable_progress_bar()
    cfg, slug = settings.get(), context.partition_key
    entry = load_registry(cfg.registry)[slug]
    if entry.kind != "trained":
        extra = {"kind": entry.kind, "source": entry.source, "revision": entry.revision}
        yield from not_applicable(
            "model_checkpoint", CHECKS, f"{entry.kind} model: loaded, not trained", extra=extra
        )
        return
    store, preset, tc = (
        artifact_store.get_store(),
        tokenised_corpus["preset"],
        cfg.training.for_family(entry.family),
    )
    tokeniser = load_tokeniser(
        store.fetch_directory(ArtifactHandle.from_dict(tokenised_corpus["tokenizer"]), CACHE)
    )
    train_chunks = _chunks(tokenised_corpus["train"], tc.max_train_chunks)
    val_chunks = _chunks(tokenised_corpus["validation"], tc.max_validation_chunks)
    recipe = model_recipe(entry.family, preset, tokeniser, entry.species_aware)
    model = recipe.build(seed=cfg.training.seed)
    config = training_config(entry.family, preset, cfg.training.seed, tc)
    run_dir = _run_dir(store, slug, run_key(config.fingerprint(), _corpus_digests(tokenised_corpus)))
    device = torch_device.get()
    context.log.info(f"training {slug} ({entry.family}/{preset}) on {device}: {len(train_chunks)} chunks")
    with report_to(context.log):  # step, loss, validation loss, tokens/s, ETA at a bounded rate
        result = train(
            model, tokeniser, train_chunks, val_chunks, config, run_dir, device=device, resume=True
        )
    if result.best_checkpoint is None:
        raise RuntimeError(f"{slug}: training exported no best checkpoint (no validation ran)")
    handle = store.put_directory(result.best_checkpoint, store.path("model_checkpoint", slug, "best"))
    yield _published(store, slug, entry.family, preset, handle, result, str(device))
    yield from _checks(store, model, recipe, result, handle, tokeniser, val_chunks)


def _published(
    store: ArtifactStore, slug: str, family: str, preset: str, handle, result, device: str
) -> Output:
    from utr_assets.models.report import loss_curve_png, summary

    png = loss_curve_png(result, title=slug)
    curve = store.write_bytes(store.path("model_checkpoint", slug, "loss_curve.png"), png)
    facts = summary(result)
    value = {"applicable": True, "kind": "trained", "family": family, "preset": preset}
    return Output(
        {**value, "checkpoint": handle.to_dict(), "loss_curve": curve.to_dict(), **facts},
        metadata={
            **{k: v for k, v in facts.items() if isinstance(v, int | float | str | bool)},
            "device": device,
            "checkpoint": handle.uri,
            "loss_curve": MetadataValue.md(markdown_image(png, "loss")),
        },
    )


def _checks(store: ArtifactStore, model: Any, recipe: Any, result: Any, handle, tokeniser, val_chunks):
    from utr_assets.models.checkpoints import load_published_weights
    from utr_assets.models.checks import reload_max_difference
    from utr_assets.models.data import TokenChunks
    from utr_assets.models.report import summary

    facts = summary(result)
    yield plain_check("model_checkpoint", "losses_finite", facts["losses_finite"])
    yield plain_check(
        "model_checkpoint",
        "beats_uniform_baseline",
        facts["beats_uniform_baseline"],
        {"best_val_loss": result.best_val_loss, "uniform_baseline": result.uniform_baseline},
    )
    examples = TokenChunks.of(val_chunks)
    batch = recipe.family.collator(tokeniser, seed=0)(
        [examples.example(i) for i in range(min(4, len(examples)))]
    )
    published = store.fetch_directory(handle, CACHE)
    loaded = load_published_weights(model, published)
    difference = reload_max_difference(model.cpu(), published, batch) if loaded else 1.0
    yield plain_check(
        "model_checkpoint", "reloads_identically", difference < 1e-4, {"max_abs_diff": difference}
    )
    expected = recipe.expected_parameters()
    yield plain_check(
        "model_checkpoint",
        "parameters_match_preset",
        result.parameters == expected,
        {"parameters": result.parameters, "expected": expected},
    )
