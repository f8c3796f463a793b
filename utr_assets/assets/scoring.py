"""Dagster assets of the scoring group, per model: `utr3_base_probabilities` here, the embedding assets in
scoring_embeddings.py, `variant_scores`/`variant_embeddings` in scoring_variants.py, and the glue they
share (the model's scorer with its inputs from the store and the settings, resumable shards).

Arrays are parquet shards in the artifact store (see scoring/storage.py for the format argument);
downstream assets get handles. A capability the model lacks (e.g. per-base probabilities of a BPE
model) gives a handle marked not applicable, with the reason. Not here: the work, which is plain Python
in utr_assets/scoring/ (per_base.py, variant_sets.py, loading.py).
"""

import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
from dagster import AllPartitionMapping, AssetDep, AssetExecutionContext, Output, asset

from utr_assets.assets._common import not_applicable, run_key
from utr_assets.common.progress import report_to, task
from utr_assets.families import family
from utr_assets.model_registry import ModelEntry, load_registry
from utr_assets.platform.artifacts import ArtifactHandle, ArtifactStore, ArtifactStoreResource
from utr_assets.platform.device import TorchDevice
from utr_assets.platform.executors import gpu_op_tags
from utr_assets.platform.partitions import model_partitions
from utr_assets.platform.quality import named_check_specs, plain_check
from utr_assets.platform.resources import SettingsResource
from utr_assets.scoring import storage
from utr_assets.scoring.base import oligos_in_orientation, to_model_orientation
from utr_assets.scoring.loading import load_scorer, scorer_options
from utr_assets.scoring.per_base import PerBaseJob, per_base_checks, per_base_kind

GROUP = "scoring"
GPU_TAGS = gpu_op_tags()  # Celery `gpu` queue + Kubernetes GPU limit, from the one helper
CACHE = Path(tempfile.gettempdir()) / "utr_assets_cache"


def _entry(settings: SettingsResource, slug: str) -> ModelEntry:
    return load_registry(settings.get().registry)[slug]


def _alignment_rows(store: ArtifactStore) -> pd.DataFrame:
    folder = store.path("tables", "utr3_alignments")
    return pd.concat(
        [pd.read_parquet(p.open("rb")) for p in sorted(folder.iterdir()) if p.name.endswith(".parquet")],
        ignore_index=True,
    )


def _cadd_table(cfg: Any, regions: pd.DataFrame | None) -> pd.DataFrame | None:
    if not cfg.tasks.cadd_scores or regions is None:
        return None
    from utr_assets.tasks.readers.tracks import read_cadd_scores

    spans = zip(regions.chrom, regions.start, regions.end, strict=True)
    return read_cadd_scores(cfg.tasks.cadd_scores, spans)


def _scorer(
    settings, store: ArtifactStore, device, entry: ModelEntry, checkpoint: dict, regions: pd.DataFrame | None
):
    """The entry's scorer: its checkpoint from the store, the inputs its family's description names
    (``scorer_inputs``), the options the settings give it."""
    cfg, inputs = settings.get(), family(entry.family).scorer_inputs
    checkpoint_dir = None
    if checkpoint.get("checkpoint"):
        checkpoint_dir = store.fetch_directory(ArtifactHandle.from_dict(checkpoint["checkpoint"]), CACHE)
    reference = cfg.alignments.reference_species if cfg.alignments else None
    return load_scorer(
        entry,
        checkpoint_dir,
        device,
        regions=regions,
        alignments=_alignment_rows(store) if "alignments" in inputs else None,
        phylop=cfg.tasks.phylop,
        cadd=_cadd_table(cfg, regions) if "cadd" in inputs else None,
        kmer_k=cfg.scoring.kmer_k,
        **scorer_options(entry, cfg.scoring, reference),
    )


def _shards(store: ArtifactStore, folder: tuple[str, ...], n: int, size: int, compute) -> list[dict]:
    def write(name: str, data: bytes) -> None:
        store.write_bytes(store.path(*folder, name), data)

    run = storage.run_shards(
        n, size, compute=compute, exists=lambda name: store.path(*folder, name).exists(), write=write
    )
    names = sorted(run.written + run.skipped)
    return [{"uri": str(store.path(*folder, name)), "resumed": name in run.skipped} for name in names]


PROB_CHECKS = {
    "probabilities_valid": "Per-base values have the UTR's length; probabilities in [0,1] sum to 1 "
    "per position (NaN only for sequences shorter than k / empty columns).",
    "one_row_per_utr": "Every 3'UTR has exactly one row.",
}


@asset(
    group_name=GROUP,
    partitions_def=model_partitions,
    io_manager_key="handle_io_manager",
    code_version="1",
    pool="gpu",
    op_tags=GPU_TAGS,
    deps=[AssetDep("utr3_alignments", partition_mapping=AllPartitionMapping())],
    check_specs=named_check_specs("utr3_base_probabilities", PROB_CHECKS),
    description="Per-base probabilities P[i, ACGT] in the mode scoring.probability_mode.per_base (study: "
    "exact masked marginals; the mode is recorded in the handle and every shard) or per-base "
    "scores (PhyloP, CADD) for every human 3'UTR, RNA orientation.",
)
def utr3_base_probabilities(
    context: AssetExecutionContext,
    settings: SettingsResource,
    artifact_store: ArtifactStoreResource,
    torch_device: TorchDevice,
    utr3_regions: pd.DataFrame,
    model_checkpoint: dict,
):
    slug, store = context.partition_key, artifact_store.get_store()
    entry = _entry(settings, slug)
    scorer = _scorer(settings, store, torch_device.get(), entry, model_checkpoint, utr3_regions)
    kind = per_base_kind(scorer.capabilities)
    if kind is None:
        reason = f"{entry.family} gives no per-base probabilities or scores"
        yield from not_applicable("utr3_base_probabilities", PROB_CHECKS, reason)
        return
    job = PerBaseJob.of(scorer, kind, utr3_regions, entry.orientation)
    sha = model_checkpoint.get("checkpoint", {}).get("sha256")
    folder = ("utr3_base_probabilities", slug, run_key(sha, job.ids, kind, entry.orientation, job.mode))
    with report_to(context.log), task("per-base scoring", len(job.ids), "seq") as bar:

        def progress(sequences: int, positions: int) -> None:
            bar.update(sequences, rates={"positions": positions})

        size = settings.get().scoring.shard_utrs
        shards = _shards(store, folder, len(job.ids), size, lambda part: job.shard(part, progress))
    resumed = sum(s["resumed"] for s in shards)
    metadata: dict[str, Any] = {
        "kind": kind,
        "probability_mode": job.mode,
        "utrs": len(job.ids),
        "shards": len(shards),
    }
    yield Output(
        {"applicable": True, "kind": kind, "probability_mode": job.mode, "shards": shards},
        metadata={**metadata, "shards_resumed": resumed},
    )
    arrays = storage.read_per_base_shards(shards)
    for name, passed, metadata in per_base_checks(arrays, job, family(entry.family)):
        yield plain_check("utr3_base_probabilities", name, passed, metadata)


def _utr_sequences(regions: pd.DataFrame, entry: ModelEntry) -> tuple[list[str], list[str]]:
    return regions.utr_id.tolist(), [
        to_model_orientation(s, st, entry.orientation)
        for s, st in zip(regions.sequence, regions.strand, strict=True)
    ]


def _oligo_sequences(mpra: pd.DataFrame, entry: ModelEntry) -> tuple[list[str], list[str]]:
    oligos = mpra.drop_duplicates("oligo_id")
    strands = oligos["strand"].tolist() if "strand" in oligos else [None] * len(oligos)
    return oligos.oligo_id.tolist(), oligos_in_orientation(
        oligos.sequence.tolist(), strands, entry.orientation
    )
