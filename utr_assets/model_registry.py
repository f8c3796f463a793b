"""The model registry (`data/models.yaml`): what each `model` partition key means.

Plain pydantic (no dagster): a slug maps to a kind (trained here, pretrained from a directory or
a hub id at a pinned revision, or a baseline), a family (any registered in utr_assets.families), a
size preset per profile, the corpus orientation and whether the model is species-aware. Unknown keys, bad slugs, unpinned hub ids and
duplicate slugs are errors naming the file and the entry.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from utr_assets.common.errors import InputFormatError
from utr_assets.common.slugs import validate_slug
from utr_assets.common.textio import read_text
from utr_assets.families import FAMILIES, family
from utr_assets.settings import PROJECT_ROOT, SettingsError

DEFAULT_REGISTRY = PROJECT_ROOT / "data" / "models.yaml"
_COMMIT = r"^[0-9a-f]{40}$"


class ModelEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    slug: str
    kind: Literal["trained", "pretrained", "baseline"]
    family: str = Field(description="a registered model family (utr_assets.families)")
    display_name: str | None = None
    presets: dict[str, str] = Field(default_factory=dict, description="profile -> size preset")
    source: str | None = Field(None, description="pretrained: a local directory or a hub id")
    revision: str | None = Field(None, description="pretrained hub id: the pinned commit (40 hex)")
    orientation: Literal["rna", "dna"] = "rna"
    species_aware: bool = False
    human_only: bool = False
    trust_remote_code: bool = False

    @field_validator("slug")
    @classmethod
    def _slug(cls, value: str) -> str:
        return validate_slug(value)

    @field_validator("family")
    @classmethod
    def _family(cls, value: str) -> str:
        return family(value).name  # UnknownFamilyError (a ValueError) lists the known families

    @model_validator(mode="after")
    def _consistent(self) -> ModelEntry:
        if self.kind == "pretrained":
            if not self.source:
                raise ValueError("a pretrained entry needs `source` (a local directory or a hub id)")
            is_local = self.source.startswith(("/", "./", "../", "~"))
            if not is_local:
                import re

                if not self.revision or not re.fullmatch(_COMMIT, self.revision):
                    raise ValueError(f"hub source {self.source!r} needs `revision` pinned to a 40-hex commit")
        elif self.source or self.revision:
            raise ValueError(f"`source`/`revision` only apply to pretrained entries, not {self.kind}")
        if self.trust_remote_code and self.kind != "pretrained":
            raise ValueError("trust_remote_code only applies to pretrained checkpoints")
        fam = family(self.family)
        if fam.trainable == (self.kind == "baseline"):
            what = "a language-model" if self.kind != "baseline" else "a baseline"
            raise ValueError(f"a {self.kind} entry needs {what} family; {self.family} is not one")
        if self.species_aware and not fam.species_aware:
            names = " and ".join(f.name for f in FAMILIES.values() if f.species_aware)
            raise ValueError(f"only the {names} family has a species-aware variant")
        if self.kind == "trained" and not self.presets:
            raise ValueError("a trained entry needs `presets` (profile -> size preset, e.g. sample: tiny)")
        return self

    def preset(self, profile: str) -> str | None:
        return self.presets.get(profile)


def load_registry(path: str | Path = DEFAULT_REGISTRY, _seen: tuple[Path, ...] = ()) -> dict[str, ModelEntry]:
    """slug -> entry. ``include: [other.yaml, ...]`` (relative to the file) lists registries whose entries
    come first; a slug defined twice, in one file or across includes, is an error."""
    path = Path(path)
    try:
        raw = yaml.safe_load(read_text(path)) or {}
    except InputFormatError as exc:  # an undecodable byte: file and line
        raise SettingsError(str(exc)) from exc
    except OSError as exc:
        raise SettingsError(f"{path}: cannot read the model registry ({exc.strerror})") from exc
    except yaml.YAMLError as exc:
        raise SettingsError(f"{path}: invalid YAML ({exc})") from exc
    models = raw.get("models") if isinstance(raw, dict) else None
    if not isinstance(models, list):
        raise SettingsError(f"{path}: expected a top-level `models:` list")
    unknown = set(raw) - {"models", "include"}
    if unknown:
        raise SettingsError(
            f"{path}: unknown top-level key(s) {sorted(unknown)} (expected `models`, `include`)"
        )
    entries: dict[str, ModelEntry] = {}
    for name in raw.get("include") or []:
        included = (path.parent / str(name)).resolve()
        if included in _seen or included == path.resolve():
            raise SettingsError(f"{path}: `include` of {name!r} is circular")
        for slug, entry in load_registry(included, (*_seen, path.resolve())).items():
            if slug in entries:
                raise SettingsError(f"{path}: model {slug!r} is listed twice (via include {name!r})")
            entries[slug] = entry
    for position, item in enumerate(models, start=1):
        label = item.get("slug", f"#{position}") if isinstance(item, dict) else f"#{position}"
        try:
            entry = ModelEntry.model_validate(item)
        except (ValidationError, ValueError) as exc:
            problems = exc.errors() if isinstance(exc, ValidationError) else [{"loc": (), "msg": str(exc)}]
            text = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'entry'}: {e['msg']}" for e in problems)
            raise SettingsError(f"{path}: model {label!r}: {text}") from exc
        if entry.slug in entries:
            raise SettingsError(f"{path}: model {entry.slug!r} is listed twice")
        entries[entry.slug] = entry
    return entries


def add_model(entry: ModelEntry, path: str | Path = DEFAULT_REGISTRY) -> None:
    """Append ``entry`` to the registry file (comments and order kept), refusing duplicates; atomic."""
    path = Path(path)
    existing = load_registry(path)
    if entry.slug in existing:
        raise SettingsError(f"{path}: model {entry.slug!r} is already registered")
    fields = entry.model_dump(exclude_defaults=True)
    fields = {"slug": fields.pop("slug"), **fields}
    line = (
        "  - " + yaml.safe_dump(fields, default_flow_style=True, sort_keys=False, width=10_000).strip() + "\n"
    )
    text = read_text(path)
    text = text if text.endswith("\n") else text + "\n"
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    try:
        tmp.write_text(text + line, encoding="utf-8")
        load_registry(tmp)  # the file as it will be must still validate
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)  # a refused entry leaves no temporary file behind
