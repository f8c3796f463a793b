"""The settings sections of the data side: storage, compute, reference, alignments, corpus, tasks, automation,
executor, sources (the model side is in modelling.py).

What belongs here: one strict pydantic model per section (unknown keys rejected), its defaults and
field-level validation. Path fields are typed `PathStr` (paths.py) so the loader resolves them. Not here:
loading, merging and profiles (loading.py).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from utr_assets.settings.paths import PathStr


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StorageSettings(_Strict):
    root: PathStr = Field(
        ".utr_home", description="Artifact store root: a local folder or s3://bucket/prefix."
    )
    options: dict[str, Any] = Field(
        default_factory=dict,
        description="fsspec storage options without credentials (e.g. endpoint_url); "
        "credentials come only from the environment.",
    )

    @field_validator("options")
    @classmethod
    def _no_credentials(cls, value: dict[str, Any]) -> dict[str, Any]:
        forbidden = {"key", "secret", "token", "aws_access_key_id", "aws_secret_access_key", "password"}
        leaked = sorted(forbidden & {k.lower() for k in value})
        if leaked:
            raise ValueError(f"credentials must come from the environment, not settings: {leaked}")
        return value


class ComputeSettings(_Strict):
    device: Literal["auto", "cpu", "cuda", "mps"] = "auto"


class ReferenceSettings(_Strict):
    genome: PathStr = Field(description="Reference FASTA (plain or bgzip; .fai/.gzi built if missing).")
    annotation: PathStr = Field(description="GTF, GFF3 or UCSC genePred (plain or gzip).")
    annotation_format: Literal["auto", "gtf", "gff3", "genepred"] = "auto"
    coordinate_offset: int = Field(
        0, description="Added to annotation coordinates to give FASTA coordinates (slices of a genome)."
    )
    transcript_selection: Literal["canonical", "longest_cds", "all"] = "canonical"
    canonical_tags: tuple[str, ...] = ("Ensembl_canonical", "MANE_Select")
    primary_contig_pattern: str = r"^(chr)?([0-9]+|X|Y)$"
    spliced_utrs: bool = Field(
        False, description="Keep 3'UTRs spanning several exons (study: single-exon only)."
    )
    min_utr_length: int = Field(1, ge=1)
    max_invalid_stop_fraction: float = Field(
        0.8,
        ge=0,
        le=1,
        description="Fail when more of the transcripts checked have no stop codon at the annotated "
        "position in the FASTA (annotation and FASTA from different assemblies).",
    )


class AlignmentSettings(_Strict):
    maf: PathStr = Field(
        description="MAF path pattern with {chrom}, e.g. data/sample/alignments/{chrom}.maf.gz"
    )
    reference_species: str = "Homo_sapiens"
    species_list: PathStr | None = Field(
        None, description="Expected species, one per line; checked against the MAF."
    )
    chromosomes: tuple[str, ...] = Field(min_length=1)
    min_species_coverage: float = Field(0.0, ge=0.0, le=1.0)
    extraction_workers: int = Field(
        1,
        ge=1,
        description="Processes per chromosome partition for the extraction by seeks (plain or bgzip "
        "MAF). Partitions already run in parallel under the multiprocess executor; raise it "
        "when few chromosomes run at once on many cores.",
    )


class CorpusSettings(_Strict):
    validation_fraction: float = Field(0.1, gt=0.0, lt=1.0, description="Share of human genes held out.")
    seed: int = Field(0, description="Split and shuffle seed (default: the global `seed`).")
    rows_per_shard: int = Field(50_000, ge=1)
    bpe_vocab_size: int = Field(4096, ge=16, description="DNABERT-2 style BPE vocabulary (study: 4,096).")
    min_length: int = Field(1, ge=1, description="Orthologs shorter than this are left out of the corpus.")


class TaskSettings(_Strict):
    """Benchmark task sources (hg38; liftover is out of scope). A missing source skips its split."""

    eclip_experiments: PathStr | None = Field(
        None, description="Experiment list (rbp, file) or ENCODE metadata.tsv."
    )
    rbns_enriched: PathStr | None = Field(None, description="RBNS enriched 5-mers per RBP (rbp, kmer, ...).")
    phylop: PathStr | None = Field(
        None, description="PhyloP wiggle (fixedStep/variableStep, plain or gzip) or bigWig."
    )
    clinvar: PathStr | None = None
    gnomad: PathStr | None = None
    eqtl_susie: PathStr | None = None
    cadd_simulated: PathStr | None = None
    cadd_human_derived: PathStr | None = None
    cadd_scores: PathStr | None = Field(
        None, description="CADD per-position table (Chrom Pos Ref Alt RawScore PHRED)."
    )
    griesemer_oligo_info: PathStr | None = None
    griesemer_values: dict[str, PathStr] | PathStr = Field(
        default_factory=dict,
        description="cell line -> log2FC table, or one table with log2FoldChange_{Ref,Alt}_{CELL}.",
    )
    siegel: PathStr | None = None
    half_life: PathStr | None = None
    half_life_folds: PathStr | None = None
    n_variants_max: int = Field(10_000, ge=1)
    seed: int = Field(0, description="Variant subsampling seed (default: the global `seed`).")


class AutomationSettings(_Strict):
    registry_sensor: Literal["running", "stopped"] = Field(
        "running", description="Default state of the model-registry sensor in a fresh Dagster instance."
    )
    weekly_schedule: Literal["running", "stopped"] = "running"
    sensor_interval_seconds: int = Field(
        60, ge=1, description="How often the daemon evaluates the registry and leaderboard sensors."
    )


class ExecutorSettings(_Strict):
    """Where a run's steps execute (see utr_assets/platform/executors.py and the README's cluster section)."""

    kind: Literal["in_process", "multiprocess", "celery", "k8s"] = Field(
        "multiprocess",
        description="One process, local subprocesses, Celery workers (Redis) or Kubernetes jobs.",
    )
    max_concurrent: int | None = Field(
        None,
        ge=1,
        description="Steps at once per run (multiprocess: default CPU count; k8s: default unlimited).",
    )
    celery_broker_env: str = Field(
        "UTR_ASSETS_CELERY_BROKER",
        description="Environment variable holding the broker URL (redis://host:6379/0).",
    )
    celery_backend_env: str | None = Field(
        None, description="Environment variable holding the result backend URL; None: the broker's (Redis)."
    )
    k8s_namespace: str | None = Field(None, description="Namespace of the step jobs; None: the run's.")
    k8s_image: str | None = Field(
        None, description="Image of the step pods; None: the image that loaded the code."
    )
    k8s_service_account: str | None = None
    k8s_env_secrets: tuple[str, ...] = Field(
        (), description="Kubernetes Secrets exposed to step pods as environment variables (credentials)."
    )


class SourcesSettings(_Strict):
    """Where the paper profile's downloads come from (see utr_assets/sources/ and data/sources.yaml)."""

    catalogue: PathStr = Field("data/sources.yaml", description="The sources catalogue.")
    mirror: str | None = Field(
        None,
        description="Base URL replacing every http/https/ftp URL's scheme and host: "
        "https://host/path -> {mirror}/host/path (a local mirror, or the test server).",
    )
    s3_endpoint: str | None = Field(
        None, description="S3 endpoint for s3:// sources (a mirror such as MinIO)."
    )
    urls: dict[str, str] = Field(
        default_factory=dict,
        description="source name -> URL replacing the catalogue's (e.g. zoonomia_maf: a "
        "mirror of per-chromosome MAFs with {chrom}); the mirror applies to it too.",
    )
