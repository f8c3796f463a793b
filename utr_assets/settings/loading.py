"""The root `Settings` and how a run's settings are put together: bundled profile + user override + environment.

What belongs here: `Settings` (the sections, the registry path and the one global `seed`), reading YAML
with errors that name the file and line, the deep merge, path resolution (paths.py) and
`load_settings` / `current_settings`. Nothing here imports dagster; resources are built from these
settings in `utr_assets.platform`.

Conventions: relative paths in a bundled profile resolve against the project root (the folder holding
`data/`); relative paths in a user override resolve against that YAML file's folder. The global
``seed`` is inherited by every section with a seed (corpus, tasks, training, benchmarks) that does not
set its own.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import Field, ValidationError, model_validator

from utr_assets.settings.modelling import BenchmarkSettings, ScoringSettings, TrainingSettings
from utr_assets.settings.paths import PathStr, resolve_paths
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
    _Strict,
)

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PROFILES_DIR = PROJECT_ROOT / "utr_assets" / "profiles"
PROFILE_ENV = "UTR_ASSETS_PROFILE"
OVERRIDE_ENV = "UTR_ASSETS_CONFIG"
HOME_ENV = "UTR_ASSETS_HOME"
SEEDED_SECTIONS = ("corpus", "tasks", "training", "benchmarks")


class SettingsError(ValueError):
    """A profile or override that cannot be used; the message names the file and the key."""


class Settings(_Strict):
    profile: str
    override_path: str | None = None
    seed: int = Field(0, description="The seed every section with a seed inherits unless it sets its own.")
    storage: StorageSettings = StorageSettings()
    compute: ComputeSettings = ComputeSettings()
    reference: ReferenceSettings
    alignments: AlignmentSettings | None = None
    corpus: CorpusSettings = CorpusSettings()
    tasks: TaskSettings = TaskSettings()
    training: TrainingSettings = Field(default_factory=TrainingSettings)
    scoring: ScoringSettings = Field(default_factory=ScoringSettings)
    benchmarks: BenchmarkSettings = BenchmarkSettings()
    automation: AutomationSettings = AutomationSettings()
    executor: ExecutorSettings = ExecutorSettings()
    sources: SourcesSettings = SourcesSettings()
    registry: PathStr = Field("data/models.yaml", description="The model registry (slug -> model).")

    @model_validator(mode="before")
    @classmethod
    def _sections_inherit_the_seed(cls, data: Any) -> Any:
        if not isinstance(data, dict) or not isinstance(data.get("seed", 0), int):
            return data  # validation reports the bad value
        data, seed = dict(data), data.get("seed", 0)
        for section in SEEDED_SECTIONS:
            if section not in data:
                data[section] = {"seed": seed}
            elif isinstance(data[section], dict):
                data[section] = {"seed": seed, **data[section]}
        return data


def _deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


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
    raw = resolve_paths(_read_yaml(profile_path), Settings, PROJECT_ROOT)
    raw["profile"] = profile
    sources = [str(profile_path)]
    if override is None:
        override = os.environ.get(OVERRIDE_ENV)
    override_raw: dict[str, Any] = {}
    if override:
        override_path = Path(override).expanduser().resolve()
        override_raw = _read_yaml(override_path)
        raw = _deep_merge(raw, resolve_paths(override_raw, Settings, override_path.parent))
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
