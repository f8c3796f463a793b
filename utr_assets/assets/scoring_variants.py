"""Dagster multi-asset of the scoring group for the variant benchmark, per model: `variant_scores` (zero-shot
scores, one row per split and variant) and `variant_embeddings` (ref/alt window embeddings, the MLP
probe's features).

What belongs here: the multi-asset, its checks and publishing the embeddings. Not here: the scorer glue
(scoring.py) or the scoring (utr_assets/scoring/variant_sets.py, variants.py).
"""

import numpy as np
import pandas as pd
from dagster import AssetExecutionContext, AssetOut, Output, multi_asset

from utr_assets.assets._common import not_applicable
from utr_assets.assets.scoring import GPU_TAGS, GROUP, _entry, _scorer
from utr_assets.common.progress import report_to
from utr_assets.platform.artifacts import ArtifactStore, ArtifactStoreResource
from utr_assets.platform.device import TorchDevice
from utr_assets.platform.partitions import model_partitions
from utr_assets.platform.quality import named_check_specs, plain_check
from utr_assets.platform.resources import SettingsResource
from utr_assets.scoring import storage
from utr_assets.scoring.base import PROBABILITIES
from utr_assets.scoring.checks import check_embeddings
from utr_assets.scoring.variant_sets import VariantSetScores, score_variant_sets

VARIANT_CHECKS = {
    "one_row_per_variant": "Every variant of the variant sets has one row of scores.",
    "scores_finite_where_capable": "pref/palt_inv finite wherever the model gives probabilities.",
}
VARIANT_EMB_CHECKS = {
    "window_embeddings_valid": "Ref and alt window embeddings: one row per variant, of the "
    "model's hidden width, finite (or not applicable)."
}
SIDES = ("ref", "alt")


@multi_asset(
    group_name=GROUP,
    partitions_def=model_partitions,
    pool="gpu",
    op_tags=GPU_TAGS,
    outs={
        "variant_scores": AssetOut(
            code_version="2",
            description=(
                "Zero-shot variant scores (docs/protocol.md §4): pref, palt_inv, pratio, VIS, embedding distances, losses, "
                "site scores; one row per (split, variant)."
            ),
        ),
        "variant_embeddings": AssetOut(
            io_manager_key="handle_io_manager",
            code_version="2",
            description=(
                "Embeddings of each variant's reference and alternative window (the MLP probe's features)."
            ),
        ),
    },
    check_specs=[
        *named_check_specs("variant_scores", VARIANT_CHECKS),
        *named_check_specs("variant_embeddings", VARIANT_EMB_CHECKS),
    ],
)
def variant_scores(
    context: AssetExecutionContext,
    settings: SettingsResource,
    artifact_store: ArtifactStoreResource,
    torch_device: TorchDevice,
    utr3_regions: pd.DataFrame,
    model_checkpoint: dict,
    variant_sets: pd.DataFrame,
    utr3_base_probabilities: dict,
):
    slug, store, cfg = context.partition_key, artifact_store.get_store(), settings.get()
    entry = _entry(settings, slug)
    scorer = _scorer(settings, store, torch_device.get(), entry, model_checkpoint, utr3_regions)
    stored = utr3_base_probabilities.get("kind") == PROBABILITIES
    probs = storage.read_per_base_shards(utr3_base_probabilities["shards"]) if stored else None
    with report_to(context.log):
        result = score_variant_sets(
            scorer,
            variant_sets,
            utr3_regions,
            entry.orientation,
            probs,
            window=cfg.scoring.variant_window,
            embedding_mode=cfg.scoring.embedding_mode,
            vis_mode=cfg.scoring.probability_mode.mode("vis", entry.family),
            base_probability_mode=utr3_base_probabilities.get("probability_mode", ""),
        )
    table, scores, capable = result.table, result.scores, PROBABILITIES in scorer.capabilities
    present = ", ".join(c for c in scores.columns if scores[c].notna().any())
    yield Output(table, output_name="variant_scores", metadata={"variants": len(table), "scores": present})
    rows = {"rows": len(table), "variants": len(variant_sets)}
    yield plain_check("variant_scores", "one_row_per_variant", len(table) == len(variant_sets), rows)
    finite = bool(np.isfinite(table.pref).all()) if capable else True
    yield plain_check("variant_scores", "scores_finite_where_capable", finite, {"probabilities": capable})
    if "ref" not in result.embeddings:
        reason = f"{entry.family} gives no sequence embeddings"
        checks = VARIANT_EMB_CHECKS
        yield from not_applicable("variant_embeddings", checks, reason, output_name="variant_embeddings")
        return
    yield from _window_embeddings(store, slug, result, scorer.hidden_size)


def _window_embeddings(store: ArtifactStore, slug: str, result: VariantSetScores, hidden_size: int):
    ids, sink = result.ids, result.embeddings
    handles = {
        side: store.write_bytes(
            store.path("variant_embeddings", slug, f"{side}.parquet"),
            storage.embeddings_bytes(ids, sink[side]),
        ).to_dict()
        for side in SIDES
    }
    width = int(sink["ref"].shape[1])
    yield Output(
        {"applicable": True, "width": width, **handles},
        output_name="variant_embeddings",
        metadata={"rows": len(ids), "width": width},
    )
    results = [check_embeddings(ids, sink[side], ids, hidden_size) for side in SIDES]
    finite = bool(all(np.isfinite(sink[side]).all(axis=1).mean() > 0.99 for side in SIDES))
    yield plain_check(
        "variant_embeddings",
        "window_embeddings_valid",
        all(r.passed for r in results) and finite,
        results[0].metadata | {"finite": finite},
    )
