"""Dagster assets of the corpus group: `pretraining_corpus` (sharded, gene-grouped split) and
`tokenised_corpus` per model (the model's tokeniser, trained or fixed, and its chunked shards).

What belongs here: the assets, their checks and the artifact-store glue. Not here: the work, which is
plain Python in utr_assets/corpus/ (model_corpus.py for one model's tokenised corpus).
"""

import tempfile
from pathlib import Path

import pandas as pd
import pyarrow as pa
from dagster import AssetExecutionContext, AssetIn, MetadataValue, Output, asset

from utr_assets.assets._common import not_applicable
from utr_assets.corpus import check_genes_disjoint, parquet_bytes, prepare_corpus, shard_tables
from utr_assets.corpus.corpus_table import corpus_from_orthologs
from utr_assets.corpus.model_corpus import SPLITS, model_preset, tokenise_for_model, tokenised_checks
from utr_assets.model_registry import load_registry
from utr_assets.platform.artifacts import ArtifactStore, ArtifactStoreResource
from utr_assets.platform.partitions import model_partitions
from utr_assets.platform.quality import (
    QualityCheck,
    check_specs,
    named_check_specs,
    plain_check,
    run_quality_checks,
)
from utr_assets.platform.resources import SettingsResource

GROUP = "corpus"
CORPUS_CHECKS = [
    QualityCheck(
        "corpus_valid",
        "Sequences are ACGTN and non-empty; species named; one row per (UTR, species).",
        lambda gx: [
            gx.expectations.ExpectColumnValuesToMatchRegex(column="sequence", regex=r"^[ACGTN]+$"),
            gx.expectations.ExpectColumnValuesToNotBeNull(column="species"),
            gx.expectations.ExpectCompoundColumnsToBeUnique(column_list=["utr_id", "species"]),
        ],
    )
]
TOKENISED_CHECKS = {
    "token_ids_in_vocabulary": "Every token id is inside the tokeniser's vocabulary.",
    "no_empty_chunks": "Every chunk has content tokens and fits the model's context.",
    "validation_genes_absent_from_train": "No validation gene appears in the training chunks.",
    "round_trip_decode": "decode(encode(s)) == s for the lossless tokenisers (DNABERT: ACGT-only sequences).",
}


def _write_shards(store: ArtifactStore, frame: pd.DataFrame | pa.Table, *parts: str, rows: int) -> list[dict]:
    handles = []
    for number, table in enumerate(shard_tables(frame, rows)):
        handle = store.write_bytes(
            store.path(*parts, f"part-{number:05d}.parquet"), parquet_bytes(table), rows=table.num_rows
        )
        handles.append(handle.to_dict())
    return handles


def _uris(handles: list[dict]) -> list[str]:
    return [h["uri"] for h in handles]


@asset(
    group_name=GROUP,
    io_manager_key="handle_io_manager",
    code_version="1",
    ins={"utr3_orthologs": AssetIn(), "utr3_regions": AssetIn()},
    check_specs=check_specs("pretraining_corpus", CORPUS_CHECKS)
    + named_check_specs(
        "pretraining_corpus", {"genes_disjoint": "No human gene in both train and validation."}
    ),
    description="All orthologous 3'UTRs (RNA orientation, species verbatim), seeded shuffle, validation "
    "split grouped by human gene; parquet shards in the artifact store.",
)
def pretraining_corpus(
    context: AssetExecutionContext,
    settings: SettingsResource,
    artifact_store: ArtifactStoreResource,
    utr3_orthologs: dict[str, pd.DataFrame],
    utr3_regions: pd.DataFrame,
):
    cfg = settings.get().corpus
    store = artifact_store.get_store()
    corpus = corpus_from_orthologs(pd.concat(list(utr3_orthologs.values()), ignore_index=True), utr3_regions)
    splits = prepare_corpus(
        corpus, validation_fraction=cfg.validation_fraction, seed=cfg.seed, min_length=cfg.min_length
    )
    handle = {
        split: _write_shards(store, frame, "pretraining_corpus", split, rows=cfg.rows_per_shard)
        for split, frame in (("train", splits.train), ("validation", splits.validation))
    }
    summary = splits.summary()
    yield Output(
        handle | {"summary": summary},
        metadata={k: v for k, v in summary.items() if isinstance(v, int | float | str)}
        | {"species_per_split": MetadataValue.json(summary)},
    )
    yield from run_quality_checks(
        "pretraining_corpus", pd.concat([splits.train, splits.validation]), CORPUS_CHECKS
    )
    disjoint = check_genes_disjoint(splits.train.gene_id, splits.validation.gene_id)
    yield plain_check("pretraining_corpus", "genes_disjoint", disjoint.passed, disjoint.metadata)


@asset(
    group_name=GROUP,
    io_manager_key="handle_io_manager",
    partitions_def=model_partitions,
    code_version="1",
    check_specs=named_check_specs("tokenised_corpus", TOKENISED_CHECKS),
    description="The model's tokeniser (saved the Hugging Face way) and its chunked train/validation shards "
    "with token -> nucleotide spans.",
)
def tokenised_corpus(
    context: AssetExecutionContext,
    settings: SettingsResource,
    artifact_store: ArtifactStoreResource,
    pretraining_corpus: dict,
):
    cfg, slug = settings.get(), context.partition_key
    entry = load_registry(cfg.registry)[slug]
    if entry.kind != "trained":
        reason = f"{entry.kind} model: nothing to tokenise"
        yield from not_applicable("tokenised_corpus", TOKENISED_CHECKS, reason)
        return
    preset = model_preset(slug, entry.presets, cfg.profile)
    result = tokenise_for_model(
        {split: _uris(pretraining_corpus[split]) for split in SPLITS},
        entry.family,
        preset,
        orientation=entry.orientation,
        human=entry.human_only,
        species_aware=entry.species_aware,
        reference=cfg.alignments.reference_species if cfg.alignments else "Homo_sapiens",
        bpe_vocab_size=cfg.corpus.bpe_vocab_size,
    )
    tokeniser, spec, store = result.tokeniser, result.spec, artifact_store.get_store()
    out: dict = {"applicable": True, "family": entry.family, "preset": preset, "context": spec.context}
    out |= {"overlap": spec.overlap, "vocab_size": tokeniser.vocab_size}
    for split in SPLITS:
        tables = result.tables[split]
        table = pa.concat_tables(tables) if tables else pa.table({})
        rows = cfg.corpus.rows_per_shard
        out[split] = _write_shards(store, table, "tokenised_corpus", slug, split, rows=rows)
    out["tokenizer"] = _save_tokeniser(store, tokeniser, slug)
    out["stats"] = result.stats.as_dict()
    yield Output(
        out,
        metadata={k: out[k] for k in ("family", "preset", "context", "vocab_size")} | _numbers(out["stats"]),
    )
    for name, check in tokenised_checks(result):
        yield plain_check("tokenised_corpus", name, check.passed, check.metadata)


def _save_tokeniser(store: ArtifactStore, tokeniser, slug: str) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        tokeniser.save(Path(tmp) / "tokenizer")
        return store.put_directory(
            Path(tmp) / "tokenizer", store.path("tokenised_corpus", slug, "tokenizer")
        ).to_dict()


def _numbers(stats: dict) -> dict:
    return {k: v for k, v in stats.items() if isinstance(v, int | float)}
