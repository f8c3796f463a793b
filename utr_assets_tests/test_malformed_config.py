"""Malformed registry and settings files, `models add` mistakes and damaged checkpoints: each case asserts the
error type, the file and line (or key / file) in the message, and that nothing was written (no .tmp file,
registry unchanged)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from utr_assets import model_registry as reg
from utr_assets.cli import build_parser
from utr_assets.scoring.base import ScoringError
from utr_assets.settings import SettingsError, load_settings
from utr_assets_tests.malformed import refused

REGISTRY = "# mine\nmodels:\n  - {slug: zoo-al, kind: baseline, family: zoo_al}\n"
REGISTRY_CASES = {
    # name: (text, line or None, match)
    "registry_latin1_byte": (REGISTRY + "  # caf\xe9 model\n", 4, "not UTF-8 text"),
    "registry_invalid_yaml": (REGISTRY + "  - {slug: x, kind: [\n", None, "invalid YAML"),
    "registry_unknown_family": (
        REGISTRY + "  - {slug: x, kind: baseline, family: gpt}\n",
        None,
        "model 'x': family: Value error, unknown model family 'gpt'; known: cadd, dnabert, ",
    ),
    "registry_slug_twice": (
        REGISTRY + "  - {slug: zoo-al, kind: baseline, family: kmer}\n",
        None,
        "'zoo-al' is listed twice",
    ),
    "registry_no_models_list": ("model:\n  - {slug: x}\n", None, "expected a top-level `models:` list"),
    "registry_trained_without_preset": (
        REGISTRY + "  - {slug: t, kind: trained, family: dss}\n",
        None,
        "needs `presets`",
    ),
    "registry_remote_code_on_trained": (
        REGISTRY + "  - {slug: t, kind: trained, family: dss, presets: {sample: tiny},"
        " trust_remote_code: true}\n",
        None,
        "trust_remote_code only applies",
    ),
}


@pytest.mark.parametrize("case", sorted(REGISTRY_CASES))
def test_malformed_registry(tmp_path: Path, case: str) -> None:
    text, line, match = REGISTRY_CASES[case]
    path = tmp_path / "models.yaml"
    path.write_bytes(text.encode("latin-1"))
    refused(lambda: reg.load_registry(path), SettingsError, path, line, match)


def _models_add(*argv: str) -> None:
    args = build_parser().parse_args(["models", "add", *argv])
    args.func(args)


def test_models_add_preset_without_profile_is_a_clear_error(tmp_path: Path) -> None:
    """Before: `dictionary update sequence element #0 has length 1; 2 is required`."""
    path = tmp_path / "models.yaml"
    path.write_text(REGISTRY)
    with pytest.raises(
        ValueError, match=r"--preset 'tiny': expected PROFILE=PRESET, e.g. --preset sample=tiny"
    ):
        _models_add(
            "new", "--kind", "trained", "--family", "dss", "--preset", "tiny", "--registry", str(path)
        )
    assert path.read_text() == REGISTRY and [p.name for p in tmp_path.iterdir()] == ["models.yaml"]


def test_failed_models_add_leaves_no_tmp_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The file as it would be is validated before it replaces the registry; when that fails (here: the
    second load is made to fail), the temporary file goes too."""
    path = tmp_path / "models.yaml"
    path.write_text(REGISTRY)
    real = reg.load_registry

    def fail_on_tmp(p, *a):
        if ".tmp" in Path(p).name:
            raise SettingsError(f"{p}: refused")
        return real(p, *a)

    monkeypatch.setattr(reg, "load_registry", fail_on_tmp)
    with pytest.raises(SettingsError, match="refused"):
        _models_add("kmer-new", "--kind", "baseline", "--family", "kmer", "--registry", str(path))
    assert path.read_text() == REGISTRY and [p.name for p in tmp_path.iterdir()] == ["models.yaml"]


def test_models_add_to_a_latin1_registry_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "models.yaml"
    path.write_bytes((REGISTRY + "# caf\xe9\n").encode("latin-1"))
    refused(
        lambda: _models_add("k", "--kind", "baseline", "--family", "kmer", "--registry", str(path)),
        SettingsError,
        path,
        4,
        "not UTF-8",
    )


SETTINGS_CASES = {
    "settings_latin1_byte": ("reference:\n  genome: caf\xe9.fa\n", 2, "not UTF-8 text"),
    "settings_invalid_yaml": ("training:\n  max_steps: [1,\n", None, "invalid YAML"),
    "settings_wrong_type": (
        "training:\n  max_steps: many\n",
        None,
        r"training.max_steps: Input should be a valid integer.*got 'many', set in .*override.yaml",
    ),
    "settings_section_not_a_mapping": (
        "reference: 5\n",
        None,
        r"reference: Input should be a valid dictionary.*got 5",
    ),
    "settings_unknown_key": (
        "scoring:\n  batch_sise: 8\n",
        None,
        r"scoring.batch_sise: Extra inputs are not permitted",
    ),
    "settings_top_level_list": ("- a\n- b\n", None, "must be a mapping at the top level"),
    "settings_fraction_out_of_range": (
        "reference:\n  max_invalid_stop_fraction: 1.5\n",
        None,
        "reference.max_invalid_stop_fraction: Input should be less than or equal to 1",
    ),
}


@pytest.mark.parametrize("case", sorted(SETTINGS_CASES))
def test_malformed_settings_override(tmp_path: Path, case: str) -> None:
    text, line, match = SETTINGS_CASES[case]
    path = tmp_path / "override.yaml"
    path.write_bytes(text.encode("latin-1"))
    refused(lambda: load_settings("sample", path), SettingsError, path, line, match)


# ---- checkpoints ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory) -> Path:
    from utr_assets.models.checkpoints import export_hf
    from utr_assets_tests.scoring.test_scoring_marginals import tiny_scorer

    scorer = tiny_scorer("dnabert", context=32)
    return export_hf(scorer.model, scorer.tokeniser, tmp_path_factory.mktemp("ckpt") / "ckpt")


def _damaged(checkpoint: Path, tmp_path: Path, name: str, keep: int) -> tuple[Path, Path]:
    directory = tmp_path / "ckpt"
    shutil.copytree(checkpoint, directory)
    target = directory / name
    target.write_bytes(target.read_bytes()[:keep])
    return directory, target


@pytest.mark.parametrize(
    ("name", "keep", "match"),
    [
        ("model.safetensors", 0, "not a safetensors file"),
        ("model.safetensors", 5, "not a safetensors file"),
        ("model.safetensors", 60, "not a safetensors file|damaged safetensors header"),
        ("utr_tokeniser.json", 10, "not a valid tokeniser description"),
        ("tokenizer.json", 200, "tokenizer does not load"),
    ],
)
def test_damaged_checkpoint_names_the_file(
    checkpoint: Path, tmp_path: Path, name: str, keep: int, match: str
) -> None:
    from utr_assets.model_registry import ModelEntry
    from utr_assets.scoring.loading import load_scorer

    directory, target = _damaged(checkpoint, tmp_path, name, keep)
    entry = ModelEntry(slug="m", kind="trained", family="dnabert", presets={"sample": "tiny"})
    shown = target if name != "tokenizer.json" else directory  # the HF tokenizer is named by its folder
    refused(
        lambda: load_scorer(entry, directory, "cpu"),
        (ScoringError, ValueError),
        shown,
        None,
        match,
        folder=tmp_path,
    )


def test_utr_tokeniser_json_without_family(checkpoint: Path, tmp_path: Path) -> None:
    from utr_assets.corpus import load_tokeniser

    directory = tmp_path / "ckpt"
    shutil.copytree(checkpoint, directory)
    (directory / "utr_tokeniser.json").write_text(json.dumps({"k": 6}))
    refused(
        lambda: load_tokeniser(directory),
        ValueError,
        directory / "utr_tokeniser.json",
        None,
        r"not a valid tokeniser description \(KeyError",
    )
