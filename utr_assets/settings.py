"""Typed settings for a run of the platform: profiles, user overrides, validation.

What belongs here: the settings schema (pydantic, unknown keys rejected), the two bundled
profiles (`sample`, `paper`, YAML files in `utr_assets/profiles/`), and the merge of a user's YAML
override named by ``UTR_ASSETS_CONFIG``. Nothing here imports dagster; resources are built from
these settings in `utr_assets.platform`.

Conventions: relative paths in a bundled profile resolve against the project root (the folder
holding `data/`); relative paths in a user override resolve against that YAML file's folder.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PROFILES_DIR = Path(__file__).resolve().parent / "profiles"
PROFILE_ENV = "UTR_ASSETS_PROFILE"
OVERRIDE_ENV = "UTR_ASSETS_CONFIG"
HOME_ENV = "UTR_ASSETS_HOME"


class SettingsError(ValueError):
    """A profile or override that cannot be used; the message names the file and the key."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StorageSettings(_Strict):
    root: str = Field(".utr_home", description="Artifact store root: a local folder or s3://bucket/prefix.")
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
    genome: str = Field(description="Reference FASTA (plain or bgzip; .fai/.gzi built if missing).")
    annotation: str = Field(description="GTF, GFF3 or UCSC genePred (plain or gzip).")
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
    maf: str = Field(description="MAF path pattern with {chrom}, e.g. data/sample/alignments/{chrom}.maf.gz")
    reference_species: str = "Homo_sapiens"
    species_list: str | None = Field(
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
    seed: int = 0
    rows_per_shard: int = Field(50_000, ge=1)
    bpe_vocab_size: int = Field(4096, ge=16, description="DNABERT-2 style BPE vocabulary (study: 4,096).")
    min_length: int = Field(1, ge=1, description="Orthologs shorter than this are left out of the corpus.")


# utr_assets.models.FAMILIES without importing torch to read settings (a test keeps them equal)
TRAINABLE_FAMILIES = ("dnabert", "dnabert2", "nt", "dss")


class TrainingOverrides(_Strict):
    """Overrides of the family's study settings (docs/protocol.md §3); None keeps the value from the level above."""

    max_epochs: int | None = Field(None, ge=1)
    max_steps: int | None = Field(None, ge=1)
    micro_batch_size: int | None = Field(None, ge=1)
    checkpoint_every: int | None = Field(None, ge=1)
    max_validation_chunks: int | None = Field(
        None, ge=1, description="Cap validation chunks (fast CPU runs)."
    )
    max_train_chunks: int | None = Field(None, ge=1, description="Cap training chunks (fast CPU runs).")


class TrainingSettings(TrainingOverrides):
    """Overrides for every family of this profile, and per family (``families``: family name -> overrides,
    which win over the profile-wide ones); None keeps the study's value."""

    seed: int = 0
    families: dict[str, TrainingOverrides] = Field(default_factory=dict)

    @field_validator("families")
    @classmethod
    def _known_families(cls, value: dict[str, TrainingOverrides]) -> dict[str, TrainingOverrides]:
        unknown = sorted(set(value) - set(TRAINABLE_FAMILIES))
        if unknown:
            raise ValueError(f"unknown model families {unknown}; known: {sorted(TRAINABLE_FAMILIES)}")
        return value

    def for_family(self, family: str) -> TrainingOverrides:
        """The overrides that apply to ``family``: its own entries over the profile-wide ones."""
        merged = {k: getattr(self, k) for k in TrainingOverrides.model_fields}
        own = self.families.get(family)
        if own is not None:
            merged.update({k: v for k, v in own.model_dump().items() if v is not None})
        return TrainingOverrides(**merged)


ProbabilityMode = Literal["masked", "unmasked", "reference_aware"]


class PerBaseModes(_Strict):
    """Mode of the whole-UTR per-base probabilities (pref, palt_inv, pratio; RBP task) per family.
    Study: masked for all (zero-shot-probs: NT --masking true --ref_aware false; DNABERT span masks;
    state-space mask_at_test true)."""

    dnabert: ProbabilityMode = "masked"
    nt: ProbabilityMode = "masked"
    dss: ProbabilityMode = "masked"


class VisModes(_Strict):
    """Mode of the ref/alt window probabilities behind VIS per family. Study (variant_effect/inference-vis):
    NT one reference-aware unmasked pass, state-space models mask_at_test false, DNABERT masked."""

    dnabert: ProbabilityMode = "masked"
    nt: ProbabilityMode = "reference_aware"
    dss: ProbabilityMode = "unmasked"


class ProbabilityModeSettings(_Strict):
    """``scoring.probability_mode``: masked | unmasked | reference_aware per score and family (defaults:
    the study's); reference_aware reads NT k-mer tokens, so only nt may use it."""

    per_base: PerBaseModes = PerBaseModes()
    vis: VisModes = VisModes()

    @field_validator("per_base", "vis")
    @classmethod
    def _reference_aware_is_nt_only(cls, value: BaseModel) -> BaseModel:
        bad = [f for f, m in value.model_dump().items() if m == "reference_aware" and f != "nt"]
        if bad:
            raise ValueError(f"reference_aware is defined for nt only, not {', '.join(bad)}")
        return value

    def mode(self, score: Literal["per_base", "vis"], family: str) -> str | None:
        """The mode of ``score`` for a tokeniser family; None for families without modes (BPE, baselines)."""
        return getattr(self.per_base if score == "per_base" else self.vis, family, None)


class ScoringSettings(_Strict):
    shard_utrs: int = Field(256, ge=1, description="3'UTRs per per-base shard (the unit of resume).")
    variant_window: int = Field(
        4096, ge=8, description="Ref/alt window for VIS and embedding distances (study: 4,096)."
    )
    embedding_mode: Literal["mean_chunks", "truncate"] = "mean_chunks"
    max_tokens: int = Field(8192, ge=64, description="Tokens per forward batch.")
    context: int | None = Field(
        None,
        ge=16,
        description="Tokens per scoring chunk (specials included); None: the model's training context.",
    )
    kmer_k: int = Field(5, ge=1, le=8, description="k of the k-mer count baseline.")
    probability_mode: ProbabilityModeSettings = ProbabilityModeSettings()


class BenchmarkSettings(_Strict):
    """The evaluation protocol of docs/protocol.md §5 (defaults: the study's); see speed_benchmarks/evaluate.py."""

    n_boot: int = Field(1000, ge=0, description="Bootstrap resamples of each ROC AUC CI.")
    mlp_outer_folds: int = Field(10, ge=2, description="Outer CV folds of the variant MLP probe.")
    mlp_inner_folds: int = Field(3, ge=2, description="Inner CV folds choosing the MLP's hyper-parameters.")
    mlp_hidden_layers: tuple[tuple[int, ...], ...] = Field(
        ((64,), (128, 32)), description="MLP sizes searched."
    )
    mlp_alphas: tuple[float, ...] = Field((1e-4, 1e-2), description="MLP L2 penalties searched.")
    mpra_outer_folds: int | None = Field(
        None, ge=2, description="None: leave-one-group-out (the study); else this many grouped folds."
    )
    mpra_probes: tuple[Literal["ridge", "svr"], ...] = Field(("ridge", "svr"), min_length=1)
    half_life_probes: tuple[Literal["ridge", "svr"], ...] = Field(("ridge", "svr"), min_length=1)
    svr_c: tuple[float, ...] = (0.1, 1.0, 10.0)
    svr_epsilon: tuple[float, ...] = (0.1, 0.5)
    svr_gamma_factor: tuple[float, ...] = Field((0.1, 1.0), description="gamma = factor / n_features.")
    seed: int = 0


class TaskSettings(_Strict):
    """Benchmark task sources (hg38; liftover is out of scope). A missing source skips its split."""

    eclip_experiments: str | None = Field(
        None, description="Experiment list (rbp, file) or ENCODE metadata.tsv."
    )
    rbns_enriched: str | None = Field(None, description="RBNS enriched 5-mers per RBP (rbp, kmer, ...).")
    phylop: str | None = Field(
        None, description="PhyloP wiggle (fixedStep/variableStep, plain or gzip) or bigWig."
    )
    clinvar: str | None = None
    gnomad: str | None = None
    eqtl_susie: str | None = None
    cadd_simulated: str | None = None
    cadd_human_derived: str | None = None
    cadd_scores: str | None = Field(
        None, description="CADD per-position table (Chrom Pos Ref Alt RawScore PHRED)."
    )
    griesemer_oligo_info: str | None = None
    griesemer_values: dict[str, str] | str = Field(
        default_factory=dict,
        description="cell line -> log2FC table, or one table with log2FoldChange_{Ref,Alt}_{CELL}.",
    )
    siegel: str | None = None
    half_life: str | None = None
    half_life_folds: str | None = None
    n_variants_max: int = Field(10_000, ge=1)
    seed: int = 0


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

    catalogue: str = Field("data/sources.yaml", description="The sources catalogue.")
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


class Settings(_Strict):
    profile: str
    override_path: str | None = None
    storage: StorageSettings = StorageSettings()
    compute: ComputeSettings = ComputeSettings()
    reference: ReferenceSettings
    alignments: AlignmentSettings | None = None
    corpus: CorpusSettings = CorpusSettings()
    tasks: TaskSettings = TaskSettings()
    training: TrainingSettings = TrainingSettings()
    scoring: ScoringSettings = ScoringSettings()
    benchmarks: BenchmarkSettings = BenchmarkSettings()
    automation: AutomationSettings = AutomationSettings()
    executor: ExecutorSettings = ExecutorSettings()
    sources: SourcesSettings = SourcesSettings()
    registry: str = Field("data/models.yaml", description="The model registry (slug -> model).")


def _deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


_PATH_KEYS = {
    ("registry", None),
    ("storage", "root"),
    ("reference", "genome"),
    ("reference", "annotation"),
    ("alignments", "maf"),
    ("alignments", "species_list"),
    ("sources", "catalogue"),
}


def _absolute(value: str, base: Path) -> str:
    return value if "://" in value or Path(value).is_absolute() else str(base / value)


def _resolve_paths(raw: dict[str, Any], base: Path) -> dict[str, Any]:
    """Make the known path keys absolute against ``base``; URIs (s3://, https://) are kept."""
    out = {k: dict(v) if isinstance(v, dict) else v for k, v in raw.items()}
    tasks = out.get("tasks")
    if isinstance(tasks, dict):
        for key, value in list(tasks.items()):
            if isinstance(value, str) and key not in ("seed",):
                tasks[key] = _absolute(value, base)
            elif key == "griesemer_values" and isinstance(value, dict):
                tasks[key] = {cell: _absolute(path, base) for cell, path in value.items()}
    for section, key in _PATH_KEYS:
        if key is None:
            value = out.get(section)
            if isinstance(value, str) and "://" not in value and not Path(value).is_absolute():
                out[section] = str(base / value)
            continue
        value = out.get(section, {}).get(key) if isinstance(out.get(section), dict) else None
        if isinstance(value, str) and "://" not in value and not Path(value).is_absolute():
            out[section][key] = str(base / value)
    return out


def _read_yaml(path: Path) -> dict[str, Any]:
    from utr_assets.common.errors import InputFormatError
    from utr_assets.common.textio import read_text

    try:
        text = read_text(path)
    except OSError as exc:
        raise SettingsError(f"{path}: cannot read settings file ({exc.strerror})") from exc
    except InputFormatError as exc:  # an undecodable byte: file and line
        raise SettingsError(str(exc)) from exc
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise SettingsError(f"{where}: invalid YAML ({getattr(exc, 'problem', exc)})") from exc
    if not isinstance(data, dict):
        raise SettingsError(f"{path}: settings must be a mapping at the top level")
    return data


def _set_in(loc: tuple, override: dict[str, Any], sources: list[str]) -> str:
    """', set in FILE': the override when it holds the key path, else the profile."""
    node: Any = override
    for key in loc:
        if not isinstance(node, dict) or key not in node:
            return f", set in {sources[0]}"
        node = node[key]
    return f", set in {sources[-1]}"


def available_profiles() -> list[str]:
    return sorted(p.stem for p in PROFILES_DIR.glob("*.yaml"))


def load_settings(profile: str | None = None, override: str | Path | None = None) -> Settings:
    """Load a bundled profile and merge the user's override.

    ``override=None`` reads ``UTR_ASSETS_CONFIG``; ``override=""`` means no override at all.
    """
    profile = profile or os.environ.get(PROFILE_ENV) or "sample"
    profile_path = PROFILES_DIR / f"{profile}.yaml"
    if not profile_path.is_file():
        raise SettingsError(f"unknown profile {profile!r}; available: {', '.join(available_profiles())}")
    raw = _resolve_paths(_read_yaml(profile_path), PROJECT_ROOT)
    raw["profile"] = profile
    sources = [str(profile_path)]
    if override is None:
        override = os.environ.get(OVERRIDE_ENV)
    override_raw: dict[str, Any] = {}
    if override:
        override_path = Path(override).expanduser().resolve()
        override_raw = _read_yaml(override_path)
        raw = _deep_merge(raw, _resolve_paths(override_raw, override_path.parent))
        sources.append(str(override_path))
        raw["override_path"] = str(override_path)
    if os.environ.get(HOME_ENV):
        raw = _deep_merge(raw, {"storage": {"root": os.environ[HOME_ENV]}})
    try:
        return Settings.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']} (got {err.get('input')!r}"
            f"{_set_in(err['loc'], override_raw, sources)})"
            for err in exc.errors()
        )
        raise SettingsError(f"invalid settings from {' + '.join(sources)}: {problems}") from exc


@lru_cache(maxsize=1)
def current_settings() -> Settings:
    """The settings of this process (profile and override from the environment), loaded once."""
    return load_settings()
