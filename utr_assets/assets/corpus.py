"""Dagster assets of the corpus group: `pretraining_corpus` (sharded, gene-grouped split) and
`tokenised_corpus` per model (the model's tokeniser, trained or fixed, and its chunked shards)."""

import tempfile
from pathlib import Path

import pandas as pd
import pyarrow as pa
from dagster import AssetExecutionContext, AssetIn, MetadataValue, Output, asset

from utr_assets.corpus import (
    PAPER_CHUNKS,
    ChunkSpec,
    SpeciesVocabulary,
    TokenisationStats,
    build_tokeniser,
    check_chunk_lengths,
    check_genes_disjoint,
    check_round_trip,
    check_token_ids,
    human_only,
    iter_corpus,
    parquet_bytes,
    prepare_corpus,
    read_corpus,
    shard_tables,
    to_dna_orientation,
    tokenise_batches,
)
from utr_assets.corpus.corpus_table import corpus_from_orthologs
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


def _model_corpus(frame: pd.DataFrame, orientation: str, human: bool, reference: str) -> pd.DataFrame:
    frame = human_only(frame, reference) if human else frame
    return to_dna_orientation(frame) if orientation == "dna" else frame


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
    from utr_assets.models.families import family_for

    cfg = settings.get()
    slug = context.partition_key
    entry = load_registry(cfg.registry)[slug]
    if entry.kind != "trained":
        yield Output(
            {"applicable": False, "reason": f"{entry.kind} model: nothing to tokenise"},
            metadata={"applicable": False},
        )
        for name in TOKENISED_CHECKS:
            yield plain_check("tokenised_corpus", name, True, {"applicable": False})
        return
    preset = entry.preset(cfg.profile) or "tiny"
    context_tokens = family_for(entry.family).context_length(preset)
    spec = ChunkSpec(context_tokens, min(PAPER_CHUNKS[entry.family].overlap, context_tokens // 4))
    reference = cfg.alignments.reference_species if cfg.alignments else "Homo_sapiens"
    store = artifact_store.get_store()
    train = _model_corpus(
        read_corpus(_uris(pretraining_corpus["train"])), entry.orientation, entry.human_only, reference
    )
    species = SpeciesVocabulary.from_names(sorted(set(train.species))) if entry.species_aware else None
    tokeniser = build_tokeniser(
        entry.family, sequences=train.sequence.tolist(), species=species, vocab_size=cfg.corpus.bpe_vocab_size
    )
    stats = TokenisationStats()
    out: dict = {
        "applicable": True,
        "family": entry.family,
        "preset": preset,
        "context": spec.context,
        "overlap": spec.overlap,
        "vocab_size": tokeniser.vocab_size,
    }
    tables: dict[str, list[pa.Table]] = {}
    for split in ("train", "validation"):
        frames = (
            _model_corpus(f, entry.orientation, entry.human_only, reference)
            for f in iter_corpus(_uris(pretraining_corpus[split]))
        )
        tables[split] = [t for t in tokenise_batches(frames, tokeniser, spec, species, stats) if t.num_rows]
        out[split] = _write_shards(
            store,
            pa.concat_tables(tables[split]) if tables[split] else pa.table({}),
            "tokenised_corpus",
            slug,
            split,
            rows=cfg.corpus.rows_per_shard,
        )
    with tempfile.TemporaryDirectory() as tmp:
        tokeniser.save(Path(tmp) / "tokenizer")
        out["tokenizer"] = store.put_directory(
            Path(tmp) / "tokenizer", store.path("tokenised_corpus", slug, "tokenizer")
        ).to_dict()
    out["stats"] = stats.as_dict()
    yield Output(
        out,
        metadata={
            "family": entry.family,
            "preset": preset,
            "context": spec.context,
            "vocab_size": tokeniser.vocab_size,
            **{k: v for k, v in out["stats"].items() if isinstance(v, int | float)},
        },
    )
    train_table = pa.concat_tables(tables["train"])
    val_table = pa.concat_tables(tables["validation"]) if tables["validation"] else train_table.slice(0, 0)
    n_special = len(tokeniser.prefix_ids) + len(tokeniser.suffix_ids)
    for name, result in (
        ("token_ids_in_vocabulary", check_token_ids(train_table, tokeniser.vocab_size)),
        ("no_empty_chunks", check_chunk_lengths(train_table, spec, n_special)),
        (
            "validation_genes_absent_from_train",
            check_genes_disjoint(
                train_table.column("gene_id").to_pylist(), val_table.column("gene_id").to_pylist()
            ),
        ),
        ("round_trip_decode", check_round_trip(tokeniser, train.sequence.head(50).tolist())),
    ):
        yield plain_check("tokenised_corpus", name, result.passed, result.metadata)


def build_assets(settings) -> list:
    return [pretraining_corpus, tokenised_corpus]
