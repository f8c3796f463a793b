"""Dagster asset of the models group: `model_checkpoint` per model (trained here on the GPU pool)."""

import hashlib
import json
import tempfile
from pathlib import Path

import pandas as pd
import transformers
from dagster import AssetExecutionContext, MetadataValue, Output, asset

from utr_assets.common.progress import report_to
from utr_assets.corpus import load_tokeniser, read_corpus
from utr_assets.model_registry import load_registry
from utr_assets.platform.artifacts import ArtifactHandle, ArtifactStoreResource
from utr_assets.platform.device import TorchDevice
from utr_assets.platform.executors import gpu_op_tags
from utr_assets.platform.partitions import model_partitions
from utr_assets.platform.quality import named_check_specs, plain_check
from utr_assets.platform.resources import SettingsResource

GROUP = "models"
GPU_TAGS = gpu_op_tags()  # Celery `gpu` queue + Kubernetes GPU limit, from the one helper
CHECKS = {
    "losses_finite": "Every training and validation loss is finite.",
    "beats_uniform_baseline": "Best validation loss is below the uniform-guess cross-entropy.",
    "reloads_identically": "The published checkpoint reloads (AutoModelForMaskedLM) with identical outputs.",
    "parameters_match_preset": "Parameter count equals the family preset's count for this vocabulary.",
}


def _chunks(handles: list[dict], limit: int | None) -> pd.DataFrame:
    table = read_corpus([h["uri"] for h in handles], columns=["input_ids", "species_index"])
    return table.head(limit) if limit else table


def _not_trained(reason: str, extra: dict | None = None):
    yield Output({"applicable": False, "reason": reason, **(extra or {})}, metadata={"applicable": False})
    for name in CHECKS:
        yield plain_check("model_checkpoint", name, True, {"applicable": False, "reason": reason})


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
    from utr_assets.models import family_for, seed_everything, train, train_config_for
    from utr_assets.models.checkpoints import load_published_weights
    from utr_assets.models.checks import preset_parameters, reload_max_difference
    from utr_assets.models.data import TokenChunks
    from utr_assets.models.report import loss_curve_png, summary

    transformers.utils.logging.disable_progress_bar()

    cfg = settings.get()
    slug = context.partition_key
    entry = load_registry(cfg.registry)[slug]
    if entry.kind != "trained":
        yield from _not_trained(
            f"{entry.kind} model: loaded, not trained",
            {"kind": entry.kind, "source": entry.source, "revision": entry.revision},
        )
        return
    store = artifact_store.get_store()
    family, preset, tc = (
        family_for(entry.family),
        tokenised_corpus["preset"],
        cfg.training.for_family(entry.family),
    )
    tokeniser = load_tokeniser(
        store.fetch_directory(
            ArtifactHandle.from_dict(tokenised_corpus["tokenizer"]),
            Path(tempfile.gettempdir()) / "utr_assets_cache",
        )
    )
    train_chunks = _chunks(tokenised_corpus["train"], tc.max_train_chunks)
    val_chunks = _chunks(tokenised_corpus["validation"], tc.max_validation_chunks)
    n_species = tokeniser.species.size if entry.species_aware and tokeniser.species else 0
    seed_everything(cfg.training.seed)
    # dss predicts the 5 nucleotide channels whatever the tokeniser's specials; the others use its vocabulary
    vocab_size = family.VOCAB_SIZE if entry.family == "dss" else tokeniser.vocab_size
    overrides = {"n_species": n_species} if entry.family == "dss" else {}
    model = family.build_model(family.build_config(preset, vocab_size=vocab_size, **overrides))
    config = train_config_for(
        entry.family,
        preset,
        seed=cfg.training.seed,
        **{
            k: v
            for k, v in {
                "max_epochs": tc.max_epochs,
                "max_steps": tc.max_steps,
                "micro_batch_size": tc.micro_batch_size,
                "checkpoint_every": tc.checkpoint_every,
            }.items()
            if v is not None
        },
    )
    # one run folder per (training settings, corpus): a killed run resumes, changed inputs start afresh
    run_key = _run_key(config.fingerprint(), tokenised_corpus)
    run_dir = (
        Path(store.path("model_checkpoint", slug, f"run-{run_key}").path)
        if store._is_local
        else Path(tempfile.gettempdir()) / "utr_assets_runs" / slug / run_key
    )
    device = torch_device.get()
    context.log.info(f"training {slug} ({entry.family}/{preset}) on {device}: {len(train_chunks)} chunks")
    with report_to(context.log):  # step, loss, validation loss, tokens/s, ETA at a bounded rate
        result = train(
            model, tokeniser, train_chunks, val_chunks, config, run_dir, device=device, resume=True
        )
    handle = store.put_directory(result.best_checkpoint, store.path("model_checkpoint", slug, "best"))
    png = loss_curve_png(result, title=slug)
    curve = store.write_bytes(store.path("model_checkpoint", slug, "loss_curve.png"), png)
    facts = summary(result)
    yield Output(
        {
            "applicable": True,
            "kind": "trained",
            "family": entry.family,
            "preset": preset,
            "checkpoint": handle.to_dict(),
            "loss_curve": curve.to_dict(),
            **facts,
        },
        metadata={
            **{k: v for k, v in facts.items() if isinstance(v, int | float | str | bool)},
            "device": str(device),
            "checkpoint": handle.uri,
            "loss_curve": MetadataValue.md(f"![loss]({_data_uri(png)})"),
        },
    )
    yield plain_check("model_checkpoint", "losses_finite", facts["losses_finite"])
    yield plain_check(
        "model_checkpoint",
        "beats_uniform_baseline",
        facts["beats_uniform_baseline"],
        {"best_val_loss": result.best_val_loss, "uniform_baseline": result.uniform_baseline},
    )
    examples = TokenChunks.of(val_chunks)
    batch = family.collator(tokeniser, seed=0)([examples.example(i) for i in range(min(4, len(examples)))])
    published = store.fetch_directory(handle, Path(tempfile.gettempdir()) / "utr_assets_cache")
    difference = (
        reload_max_difference(model.cpu(), published, batch)
        if load_published_weights(model, published)
        else 1.0
    )
    yield plain_check(
        "model_checkpoint", "reloads_identically", difference < 1e-4, {"max_abs_diff": difference}
    )
    expected = preset_parameters(entry.family, preset, vocab_size, **overrides)
    yield plain_check(
        "model_checkpoint",
        "parameters_match_preset",
        result.parameters == expected,
        {"parameters": result.parameters, "expected": expected},
    )


def _run_key(fingerprint: dict, tokenised_corpus: dict) -> str:
    inputs = [tokenised_corpus["tokenizer"]["sha256"]] + [
        h["sha256"] for split in ("train", "validation") for h in tokenised_corpus[split]
    ]
    return hashlib.sha256(
        json.dumps([fingerprint, inputs], sort_keys=True, default=str).encode()
    ).hexdigest()[:16]


def _data_uri(png: bytes) -> str:
    import base64

    return "data:image/png;base64," + base64.b64encode(png).decode()
