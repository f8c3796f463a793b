"""Settings: bundled profiles, user overrides, and the errors bad settings give."""

from __future__ import annotations

from pathlib import Path

import pytest

from utr_assets.settings import PROJECT_ROOT, SettingsError, load_settings


def test_sample_is_the_default_and_paths_are_absolute(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("UTR_ASSETS_PROFILE", raising=False)
    settings = load_settings(override="")
    assert settings.profile == "sample"
    assert settings.reference.genome == str(PROJECT_ROOT / "data/sample/genome/genome.fa.gz")
    assert settings.alignments is not None and "{chrom}" in settings.alignments.maf


def test_paper_profile_validates() -> None:
    settings = load_settings("paper", override="")
    assert settings.compute.device == "cuda" and len(settings.alignments.chromosomes) == 24


def test_override_merges_and_resolves_relative_to_its_folder(tmp_path: Path) -> None:
    override = tmp_path / "mine.yaml"
    override.write_text(
        "reference:\n  genome: genomes/hg.fa\n  spliced_utrs: true\n"
        "storage:\n  root: s3://bucket/utr\n  options: {endpoint_url: 'http://127.0.0.1:9000'}\n"
    )
    settings = load_settings("sample", override)
    assert settings.reference.genome == str(tmp_path / "genomes/hg.fa")
    assert settings.reference.spliced_utrs is True
    assert settings.reference.annotation.endswith("data/sample/annotation/genes.gtf.gz")  # kept from profile
    assert settings.storage.root == "s3://bucket/utr"
    assert settings.override_path == str(override)


def test_override_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    override = tmp_path / "env.yaml"
    override.write_text("compute: {device: cpu}\n")
    monkeypatch.setenv("UTR_ASSETS_CONFIG", str(override))
    assert load_settings().compute.device == "cpu"


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        ("reference:\n  genom: x.fa\n", r"reference\.genom: Extra inputs are not permitted"),
        ("compute:\n  device: tpu\n", r"compute\.device: Input should be 'auto', 'cpu', 'cuda' or 'mps'"),
        ("storage:\n  options: {secret: abc}\n", r"credentials must come from the environment"),
        ("alignments:\n  min_species_coverage: 2\n", r"alignments\.min_species_coverage"),
        ("reference: [1, 2\n", r"bad\.yaml:\d+: invalid YAML"),
        ("- a list\n", r"bad\.yaml: settings must be a mapping"),
        (
            "training:\n  families: {bert: {max_steps: 5}}\n",
            r"training\.families: .*unknown model families \['bert'\]",
        ),
        ("training:\n  families: {nt: {max_step: 5}}\n", r"training\.families\.nt\.max_step: Extra inputs"),
    ],
)
def test_bad_overrides_name_the_file_and_key(tmp_path: Path, yaml_text: str, message: str) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml_text)
    with pytest.raises(SettingsError, match=message) as info:
        load_settings("sample", bad)
    assert "bad.yaml" in str(info.value)


def test_unknown_profile_lists_the_available_ones() -> None:
    with pytest.raises(SettingsError, match=r"unknown profile 'gpu'; available: paper, sample"):
        load_settings("gpu", override="")


def test_per_family_training_overrides_win_over_the_profile_wide_ones(tmp_path: Path) -> None:
    override = tmp_path / "t.yaml"
    override.write_text(
        "training:\n  max_steps: 40\n  micro_batch_size: 8\n  families: {nt: {max_steps: 90}}\n"
    )
    training = load_settings("sample", override).training
    assert (training.for_family("nt").max_steps, training.for_family("nt").micro_batch_size) == (90, 8)
    assert training.for_family("dss").max_steps == 40


def test_a_new_path_field_resolves_against_the_file_that_sets_it(tmp_path: Path) -> None:
    """A field typed PathStr (here in a new section, optional, and as dict values) is found by the loader's
    walk of the model: no list of path keys to keep up to date."""
    from pydantic import BaseModel, ConfigDict

    from utr_assets.settings import PathStr, path_fields, resolve_paths

    class Inner(BaseModel):
        model_config = ConfigDict(extra="forbid")
        table: PathStr
        label: str = "x"

    class Section(BaseModel):
        model_config = ConfigDict(extra="forbid")
        new_file: PathStr
        maybe: PathStr | None = None
        per_cell: dict[str, PathStr] | PathStr = {}
        inner: Inner | None = None
        name: str = "not a path"

    raw = {
        "new_file": "extra/new.tsv",
        "maybe": "/abs/kept.tsv",
        "per_cell": {"K562": "cells/k.tsv"},
        "inner": {"table": "t.tsv", "label": "rel/not/a/path"},
        "name": "rel/name",
    }
    section = Section.model_validate(resolve_paths(raw, Section, tmp_path))
    assert section.new_file == str(tmp_path / "extra/new.tsv") and section.maybe == "/abs/kept.tsv"
    assert section.per_cell == {"K562": str(tmp_path / "cells/k.tsv")}
    assert section.inner is not None and section.inner.table == str(tmp_path / "t.tsv")
    assert section.inner.label == "rel/not/a/path" and section.name == "rel/name"
    assert resolve_paths({"per_cell": "one.tsv"}, Section, tmp_path)["per_cell"] == str(tmp_path / "one.tsv")
    assert resolve_paths({"new_file": "s3://b/k"}, Section, tmp_path)["new_file"] == "s3://b/k"
    assert path_fields(Section) == ["new_file", "maybe", "per_cell", "inner.table"]


# Every string setting that is not a path, named: a new string field must be declared a PathStr or added
# here, so that a new path cannot silently resolve against the working directory.
NOT_PATHS = {
    "profile",
    "override_path",  # set by the loader, already absolute
    "reference.primary_contig_pattern",
    "reference.canonical_tags",
    "alignments.reference_species",
    "alignments.chromosomes",
    "executor.celery_broker_env",
    "executor.celery_backend_env",
    "executor.k8s_namespace",
    "executor.k8s_image",
    "executor.k8s_service_account",
    "executor.k8s_env_secrets",
    "sources.mirror",
    "sources.s3_endpoint",
    "sources.urls",
}


def _holds_strings(annotation) -> bool:
    """Whether values of this type include free strings: str, str | None, tuple[str, ...], dict[_, str]."""
    import typing

    if annotation is str:
        return True
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Annotated:
        return _holds_strings(args[0])
    if origin is dict:
        return _holds_strings(args[1])
    if origin is typing.Literal:
        return False
    return any(_holds_strings(arg) for arg in args if arg is not Ellipsis)


def _string_fields(model, prefix: str = ""):
    import typing

    from pydantic import BaseModel

    for name, field in model.model_fields.items():
        key = f"{prefix}{name}"
        for arm in typing.get_args(field.annotation) or (field.annotation,):
            if isinstance(arm, type) and issubclass(arm, BaseModel):
                yield from _string_fields(arm, f"{key}.")
        if _holds_strings(field.annotation):
            yield key


def test_every_string_setting_is_a_declared_path_or_a_named_non_path() -> None:
    from utr_assets.settings import Settings, path_fields

    paths = set(path_fields(Settings))
    assert {"registry", "storage.root", "reference.genome", "tasks.griesemer_values"} <= paths
    undeclared = sorted(set(_string_fields(Settings)) - paths - NOT_PATHS)
    assert not undeclared, f"declare these as PathStr or add them to NOT_PATHS: {undeclared}"


def test_one_global_seed_is_inherited_unless_a_section_sets_its_own(tmp_path: Path) -> None:
    from utr_assets.settings import SEEDED_SECTIONS

    for profile in ("sample", "paper"):  # the values the four seed fields had before the global seed
        settings = load_settings(profile, override="")
        assert settings.seed == 0 and [getattr(settings, s).seed for s in SEEDED_SECTIONS] == [0, 0, 0, 0]
    override = tmp_path / "seeds.yaml"
    override.write_text("seed: 7\ntraining: {seed: 3}\n")
    settings = load_settings("sample", override)
    assert (settings.corpus.seed, settings.tasks.seed, settings.training.seed, settings.benchmarks.seed) == (
        7,
        7,
        3,
        7,
    )
    assert settings.training.max_steps == 150  # the profile's other training keys are kept


def test_family_names_are_validated_against_the_family_registry(tmp_path: Path) -> None:
    from utr_assets.families import trainable_names

    assert trainable_names() == ["dnabert", "dnabert2", "dss", "nt"]
    bad = tmp_path / "modes.yaml"
    bad.write_text("scoring:\n  probability_mode: {per_base: {dnabert2: masked}}\n")
    with pytest.raises(SettingsError, match=r"no probability modes for families \['dnabert2'\]"):
        load_settings("sample", bad)
    bad.write_text("training:\n  families: {zoo_al: {max_steps: 5}}\n")
    with pytest.raises(SettingsError, match=r"unknown model families \['zoo_al'\]"):
        load_settings("sample", bad)
