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
    from utr_assets.models import FAMILIES
    from utr_assets.settings import TRAINABLE_FAMILIES

    assert set(TRAINABLE_FAMILIES) == set(FAMILIES)
    override = tmp_path / "t.yaml"
    override.write_text(
        "training:\n  max_steps: 40\n  micro_batch_size: 8\n  families: {nt: {max_steps: 90}}\n"
    )
    training = load_settings("sample", override).training
    assert (training.for_family("nt").max_steps, training.for_family("nt").micro_batch_size) == (90, 8)
    assert training.for_family("dss").max_steps == 40
