"""Dagster assets of the scoring group for sequence embeddings, per model: `utr3_embeddings` (one per human
3'UTR) and `mpra_embeddings` (one per MPRA oligo).

What belongs here: the two assets (one factory) and their check. Not here: the scorer glue they share
(scoring.py) or embedding itself (utr_assets/scoring/lm.py, baselines.py).
"""

from typing import Any

import numpy as np
import pandas as pd
from dagster import AssetExecutionContext, AssetIn, Output, asset

from utr_assets.assets._common import not_applicable
from utr_assets.assets.scoring import GPU_TAGS, GROUP, _entry, _oligo_sequences, _scorer, _utr_sequences
from utr_assets.common.progress import report_to
from utr_assets.families import family
from utr_assets.platform.artifacts import ArtifactStoreResource
from utr_assets.platform.device import TorchDevice
from utr_assets.platform.partitions import model_partitions
from utr_assets.platform.quality import named_check_specs, plain_check
from utr_assets.platform.resources import SettingsResource
from utr_assets.scoring import storage
from utr_assets.scoring.base import EMBEDDINGS, PROBABILITIES, SITE_SCORES
from utr_assets.scoring.checks import check_embeddings

EMB_CHECKS = {"embeddings_valid": "One finite row per input sequence, of the model's hidden width."}


def _no_embeddings(family_name: str) -> str | None:
    """Why a family declares no sequence embeddings (per-base baselines), before loading its scorer."""
    capabilities = family(family_name).capabilities
    if EMBEDDINGS in capabilities:
        return None
    if capabilities & {PROBABILITIES, SITE_SCORES}:
        return f"{family_name} scores positions, not sequences"
    return f"{family_name} gives no sequence embeddings"


def _embedding_scorer(settings, store, device, entry, checkpoint: dict) -> tuple[Any, str]:
    """(the scorer, "") or (None, why the model gives no sequence embeddings)."""
    reason = _no_embeddings(entry.family)
    if reason:
        return None, reason
    scorer = _scorer(settings, store, device, entry, checkpoint, None)
    if EMBEDDINGS not in scorer.capabilities:
        return None, f"{entry.family} gives no sequence embeddings"
    return scorer, ""


def _embed_asset(name: str, input_asset: str, description: str, sequences_of):
    @asset(
        name=name,
        group_name=GROUP,
        partitions_def=model_partitions,
        io_manager_key="handle_io_manager",
        code_version="1",
        pool="gpu",
        op_tags=GPU_TAGS,
        check_specs=named_check_specs(name, EMB_CHECKS),
        ins={"inputs": AssetIn(input_asset), "model_checkpoint": AssetIn()},
        description=description,
    )
    def _embeddings(
        context: AssetExecutionContext,
        settings: SettingsResource,
        artifact_store: ArtifactStoreResource,
        torch_device: TorchDevice,
        model_checkpoint: dict,
        inputs: pd.DataFrame,
    ):
        slug, store = context.partition_key, artifact_store.get_store()
        entry = _entry(settings, slug)
        scorer, reason = _embedding_scorer(settings, store, torch_device.get(), entry, model_checkpoint)
        if scorer is None:
            yield from not_applicable(name, EMB_CHECKS, reason)
            return
        ids, seqs = sequences_of(inputs, entry)
        with report_to(context.log):  # chunks and tokens/s (forward_passes.run_chunks)
            matrix = scorer.embeddings(seqs, settings.get().scoring.embedding_mode)
        handle = store.write_bytes(
            store.path(name, slug, "embeddings.parquet"), storage.embeddings_bytes(ids, matrix)
        )
        yield Output(
            {"applicable": True, "embeddings": handle.to_dict(), "width": int(matrix.shape[1])},
            metadata={"rows": len(ids), "width": int(matrix.shape[1]), "uri": handle.uri},
        )
        result = check_embeddings(ids, matrix, ids, scorer.hidden_size)
        finite = bool(np.isfinite(matrix).all(axis=1).mean() > 0.99) if len(matrix) else False
        yield plain_check(
            name, "embeddings_valid", result.passed and finite, result.metadata | {"finite": finite}
        )

    return _embeddings


utr3_embeddings = _embed_asset(
    "utr3_embeddings",
    "utr3_regions",
    "One embedding per human 3'UTR (mean over real tokens of the "
    "last layer, mean over chunks) or its k-mer/Griesemer features.",
    lambda inputs, entry: _utr_sequences(inputs, entry),
)
mpra_embeddings = _embed_asset(
    "mpra_embeddings", "mpra_datasets", "One embedding per MPRA oligo (Griesemer, Siegel).", _oligo_sequences
)
