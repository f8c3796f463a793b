"""Typed settings for a run of the platform: profiles, user overrides, validation.

What belongs here: the settings schema (pydantic, unknown keys rejected) split by side (sections.py:
storage, compute, reference, alignments, corpus, tasks, automation, executor, sources; modelling.py:
training, scoring, benchmarks), path fields and their resolution (paths.py), and the root `Settings`
with the loading of the two bundled profiles (`sample`, `paper`, YAML files in `utr_assets/profiles/`)
merged with a user's YAML override named by ``UTR_ASSETS_CONFIG`` (loading.py). Family names are
validated against utr_assets.families. Nothing here imports dagster or torch.
"""

from __future__ import annotations

from utr_assets.settings.loading import (
    HOME_ENV,
    OVERRIDE_ENV,
    PROFILE_ENV,
    PROFILES_DIR,
    PROJECT_ROOT,
    SEEDED_SECTIONS,
    Settings,
    SettingsError,
    available_profiles,
    current_settings,
    load_settings,
)
from utr_assets.settings.modelling import (
    BenchmarkSettings,
    ProbabilityMode,
    ProbabilityModeSettings,
    ScoringSettings,
    TrainingOverrides,
    TrainingSettings,
)
from utr_assets.settings.paths import PathField, PathStr, path_fields, resolve_paths
from utr_assets.settings.sections import (
    AlignmentSettings,
    AutomationSettings,
    ComputeSettings,
    CorpusSettings,
    ExecutorSettings,
    ReferenceSettings,
    SourcesSettings,
    StorageSettings,
    TaskSettings,
)

__all__ = [
    "HOME_ENV",
    "OVERRIDE_ENV",
    "PROFILES_DIR",
    "PROFILE_ENV",
    "PROJECT_ROOT",
    "SEEDED_SECTIONS",
    "AlignmentSettings",
    "AutomationSettings",
    "BenchmarkSettings",
    "ComputeSettings",
    "CorpusSettings",
    "ExecutorSettings",
    "PathField",
    "PathStr",
    "ProbabilityMode",
    "ProbabilityModeSettings",
    "ReferenceSettings",
    "ScoringSettings",
    "Settings",
    "SettingsError",
    "SourcesSettings",
    "StorageSettings",
    "TaskSettings",
    "TrainingOverrides",
    "TrainingSettings",
    "available_profiles",
    "current_settings",
    "load_settings",
    "path_fields",
    "resolve_paths",
]
