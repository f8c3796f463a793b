"""Dagster assets of the scoring group, per model: `utr3_base_probabilities`, `utr3_embeddings`,
`variant_scores`, `mpra_embeddings`. Arrays are parquet shards in the artifact store (see
scoring/storage.py for the format argument); downstream assets get handles. A capability the model
lacks (e.g. per-base probabilities of a BPE model) gives a handle marked not applicable, with the reason."""

import hashlib
import json
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from dagster import (
    AllPartitionMapping,
    AssetDep,
    AssetExecutionContext,
    AssetIn,
    AssetOut,
    Output,
    asset,
    multi_asset,
)

from utr_assets.assets.models import GPU_TAGS
from utr_assets.common.progress import report_to, task
from utr_assets.model_registry import ModelEntry, load_registry
from utr_assets.platform.artifacts import ArtifactHandle, ArtifactStore, ArtifactStoreResource
from utr_assets.platform.device import TorchDevice
from utr_assets.platform.partitions import model_partitions
from utr_assets.platform.quality import named_check_specs, plain_check
from utr_assets.platform.resources import SettingsResource
from utr_assets.scoring import storage
from utr_assets.scoring.base import (
    EMBEDDINGS,
    PROBABILITIES,
    SITE_SCORES,
    oligos_in_orientation,
    probabilities_to_rna,
    to_model_orientation,
)
from utr_assets.scoring.checks import check_embeddings, check_probabilities
from utr_assets.scoring.loading import load_scorer
from utr_assets.scoring.variants import orient_variants, score_variants

GROUP = "scoring"
CACHE = Path(tempfile.gettempdir()) / "utr_assets_cache"


def _entry(settings: SettingsResource, slug: str) -> ModelEntry:
    return load_registry(settings.get().registry)[slug]


def _scorer(
    settings, store: ArtifactStore, device, entry: ModelEntry, checkpoint: dict, regions: pd.DataFrame | None
):
    cfg = settings.get()
    checkpoint_dir = None
    if checkpoint.get("checkpoint"):
        checkpoint_dir = store.fetch_directory(ArtifactHandle.from_dict(checkpoint["checkpoint"]), CACHE)
    alignments = None
    if entry.family == "zoo_al":
        folder = store.path("tables", "utr3_alignments")
        alignments = pd.concat(
            [pd.read_parquet(p.open("rb")) for p in sorted(folder.iterdir()) if p.name.endswith(".parquet")],
            ignore_index=True,
        )
    cadd = None
    if entry.family == "cadd" and cfg.tasks.cadd_scores and regions is not None:
        from utr_assets.tasks.readers.tracks import read_cadd_scores

        cadd = read_cadd_scores(
            cfg.tasks.cadd_scores, zip(regions.chrom, regions.start, regions.end, strict=True)
        )
    options = {"max_tokens": cfg.scoring.max_tokens} if entry.kind != "baseline" else {}
    if options and cfg.scoring.context is not None:
        options["context"] = cfg.scoring.context
    if entry.species_aware:  # the MAF's name of the reference (hg38 in a UCSC MAF), as the corpus named it
        options["species"] = cfg.alignments.reference_species if cfg.alignments else None
    per_base_mode = cfg.scoring.probability_mode.mode("per_base", entry.family)
    if options and per_base_mode:
        options["probability_mode"] = per_base_mode
    return load_scorer(
        entry,
        checkpoint_dir,
        device,
        regions=regions,
        alignments=alignments,
        phylop=cfg.tasks.phylop,
        cadd=cadd,
        kmer_k=cfg.scoring.kmer_k,
        **options,
    )


def _run_key(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _shards(store: ArtifactStore, folder: tuple[str, ...], n: int, size: int, compute) -> list[dict]:
    def write(name: str, data: bytes) -> None:
        store.write_bytes(store.path(*folder, name), data)

    run = storage.run_shards(
        n, size, compute=compute, exists=lambda name: store.path(*folder, name).exists(), write=write
    )
    names = sorted(run.written + run.skipped)
    return [{"uri": str(store.path(*folder, name)), "resumed": name in run.skipped} for name in names]


def _not_applicable(asset_name: str, checks: dict, reason: str):
    yield Output({"applicable": False, "reason": reason}, metadata={"applicable": False, "reason": reason})
    for name in checks:
        yield plain_check(asset_name, name, True, {"applicable": False, "reason": reason})


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
    kind = (
        PROBABILITIES
        if PROBABILITIES in scorer.capabilities
        else SITE_SCORES
        if SITE_SCORES in scorer.capabilities
        else None
    )
    if kind is None:
        yield from _not_applicable(
            "utr3_base_probabilities",
            PROB_CHECKS,
            f"{entry.family} gives no per-base probabilities or scores",
        )
        return
    regions = utr3_regions.reset_index(drop=True)
    ids, strands = regions.utr_id.tolist(), regions.strand.tolist()
    seqs = [
        to_model_orientation(s, strand, entry.orientation)
        for s, strand in zip(regions.sequence, strands, strict=True)
    ]

    mode = getattr(scorer, "probability_mode", "") if kind == PROBABILITIES else ""  # "": not a model's

    def compute(part: slice) -> bytes:
        if kind == PROBABILITIES:
            arrays = scorer.base_probabilities(seqs[part], ids[part])
            arrays = [
                probabilities_to_rna(a, strand, entry.orientation)
                for a, strand in zip(arrays, strands[part], strict=True)
            ]
        else:
            arrays = scorer.site_scores(regions.sequence.tolist()[part], ids[part])
        bar.update(len(arrays), rates={"positions": sum(len(a) for a in arrays)})
        return storage.per_base_bytes(ids[part], arrays, probability_mode=mode)

    key = _run_key(model_checkpoint.get("checkpoint", {}).get("sha256"), ids, kind, entry.orientation, mode)
    with report_to(context.log), task("per-base scoring", len(ids), "seq") as bar:
        shards = _shards(
            store,
            ("utr3_base_probabilities", slug, key),
            len(ids),
            settings.get().scoring.shard_utrs,
            compute,
        )
    yield Output(
        {"applicable": True, "kind": kind, "probability_mode": mode, "shards": shards},
        metadata={
            "kind": kind,
            "probability_mode": mode,
            "utrs": len(ids),
            "shards": len(shards),
            "shards_resumed": sum(s["resumed"] for s in shards),
        },
    )
    arrays = storage.read_per_base_shards(shards)
    sequences = dict(zip(ids, regions.sequence, strict=True))
    if kind == PROBABILITIES:
        k = 6 if entry.family in ("dnabert", "nt") else 0
        result = check_probabilities(
            arrays, sequences, min_length=k, nan_rows_allowed=entry.family == "zoo_al"
        )
        yield plain_check("utr3_base_probabilities", "probabilities_valid", result.passed, result.metadata)
    else:
        lengths_ok = all(arrays[u].shape[0] == len(s) for u, s in sequences.items())
        yield plain_check("utr3_base_probabilities", "probabilities_valid", lengths_ok, {"kind": kind})
    yield plain_check(
        "utr3_base_probabilities",
        "one_row_per_utr",
        sorted(arrays) == sorted(ids),
        {"rows": len(arrays), "utrs": len(ids)},
    )


EMB_CHECKS = {"embeddings_valid": "One finite row per input sequence, of the model's hidden width."}


TRACK_BASELINES = ("zoo_al", "phylop", "cadd")  # per-base baselines: no sequence embedding


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
        if entry.family in TRACK_BASELINES:
            yield from _not_applicable(name, EMB_CHECKS, f"{entry.family} scores positions, not sequences")
            return
        scorer = _scorer(settings, store, torch_device.get(), entry, model_checkpoint, None)
        if EMBEDDINGS not in scorer.capabilities:
            yield from _not_applicable(name, EMB_CHECKS, f"{entry.family} gives no sequence embeddings")
            return
        ids, seqs = sequences_of(inputs, entry)
        with report_to(context.log):  # chunks and tokens/s (runner.run_chunks)
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
VARIANT_CHECKS = {
    "one_row_per_variant": "Every variant of the variant sets has one row of scores.",
    "scores_finite_where_capable": "pref/palt_inv finite wherever the model gives probabilities.",
}
VARIANT_EMB_CHECKS = {
    "window_embeddings_valid": "Ref and alt window embeddings: one row per variant, of the "
    "model's hidden width, finite (or not applicable)."
}


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
    probs = (
        storage.read_per_base_shards(utr3_base_probabilities["shards"])
        if utr3_base_probabilities.get("kind") == PROBABILITIES
        else None
    )
    # score_variants reads 0-based RNA offsets as `pos` (the table's own `pos` is the 1-based VCF one)
    variants = (
        variant_sets.drop_duplicates("variant_id").drop(columns=["pos"]).rename(columns={"utr_offset": "pos"})
    )
    # score in the model's orientation; pref/palt read the stored whole-UTR probabilities, mirrored for DNA
    variants, sequences, probs = orient_variants(variants, utr3_regions, entry.orientation, probs)
    sink: dict[str, np.ndarray] = {}
    with report_to(context.log):
        scores = score_variants(
            scorer,
            variants[["variant_id", "utr_id", "pos", "ref_rna", "alt_rna"]].rename(
                columns={"ref_rna": "ref", "alt_rna": "alt"}
            ),
            sequences,
            window=cfg.scoring.variant_window,
            base_probabilities=probs,
            embedding_mode=cfg.scoring.embedding_mode,
            embedding_sink=sink,
            vis_mode=cfg.scoring.probability_mode.mode("vis", entry.family),
            base_probability_mode=utr3_base_probabilities.get("probability_mode", ""),
        )
    table = variant_sets[["split", "label", "variant_id"]].merge(
        scores.drop(columns=["utr_id"]), on="variant_id"
    )
    capable = PROBABILITIES in scorer.capabilities
    yield Output(
        table,
        output_name="variant_scores",
        metadata={
            "variants": len(table),
            "scores": ", ".join(c for c in scores.columns if scores[c].notna().any()),
        },
    )
    yield plain_check(
        "variant_scores",
        "one_row_per_variant",
        len(table) == len(variant_sets),
        {"rows": len(table), "variants": len(variant_sets)},
    )
    finite = bool(np.isfinite(table.pref).all()) if capable else True
    yield plain_check("variant_scores", "scores_finite_where_capable", finite, {"probabilities": capable})
    ids = variants.variant_id.tolist()
    if "ref" not in sink:
        reason = f"{entry.family} gives no sequence embeddings"
        yield Output(
            {"applicable": False, "reason": reason},
            output_name="variant_embeddings",
            metadata={"applicable": False, "reason": reason},
        )
        yield plain_check("variant_embeddings", "window_embeddings_valid", True, {"applicable": False})
        return
    handles = {
        side: store.write_bytes(
            store.path("variant_embeddings", slug, f"{side}.parquet"),
            storage.embeddings_bytes(ids, sink[side]),
        ).to_dict()
        for side in ("ref", "alt")
    }
    width = int(sink["ref"].shape[1])
    yield Output(
        {"applicable": True, "width": width, **handles},
        output_name="variant_embeddings",
        metadata={"rows": len(ids), "width": width},
    )
    results = [check_embeddings(ids, sink[side], ids, scorer.hidden_size) for side in ("ref", "alt")]
    finite = bool(all(np.isfinite(sink[side]).all(axis=1).mean() > 0.99 for side in ("ref", "alt")))
    yield plain_check(
        "variant_embeddings",
        "window_embeddings_valid",
        all(r.passed for r in results) and finite,
        results[0].metadata | {"finite": finite},
    )
