"""The `utr-assets` command: extract-utrs on the real phast slice, settings, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from utr_assets.cli import main
from utr_assets_tests.conftest import PHAST_OFFSET


def test_extract_utrs_on_phast_slice(phast_slice: dict[str, Path], tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    code = main(
        [
            "extract-utrs",
            "--maf",
            str(phast_slice["maf"]),
            "--annotation",
            str(phast_slice["annotation"]),
            "--genome",
            str(phast_slice["genome"]),
            "--out",
            str(out),
            "--reference-species",
            "hg17",
            "--selection",
            "all",
            "--spliced",
            "--coordinate-offset",
            str(PHAST_OFFSET),
        ]
    )
    assert code == 0, capsys.readouterr()
    alignments = pd.read_parquet(out / "utr3_alignments.parquet")
    regions = pd.read_parquet(out / "utr3_regions.parquet").set_index("utr_id")
    zlh = alignments[alignments.utr_id == "uc002zlh.1"].set_index("species")
    assert {"hg17", "rn3", "mm5"} <= set(zlh.index)
    assert zlh.loc["hg17", "aligned"] == regions.loc["uc002zlh.1", "sequence"]
    assert (zlh.aligned.str.len() == 347).all()
    stats = json.loads((out / "extraction_stats.json").read_text())
    assert stats["n_utrs"] == len(regions)


def test_settings_command_and_clear_errors(tmp_path: Path, capsys) -> None:
    assert main(["settings", "--profile", "paper"]) == 0
    assert '"profile": "paper"' in capsys.readouterr().out
    assert main(["settings", "--profile", "nope"]) == 2
    assert "unknown profile 'nope'" in capsys.readouterr().err
    missing = tmp_path / "missing.gtf"
    code = main(
        [
            "extract-utrs",
            "--maf",
            "x.maf",
            "--annotation",
            str(missing),
            "--genome",
            "g.fa",
            "--out",
            str(tmp_path / "o"),
        ]
    )
    assert code == 2 and "missing.gtf: file not found" in capsys.readouterr().err


def test_models_list_and_add(tmp_path: Path, capsys) -> None:
    registry = tmp_path / "models.yaml"
    registry.write_text("# my registry\nmodels:\n  - {slug: zoo-al, kind: baseline, family: zoo_al}\n")
    assert main(["models", "list", "--registry", str(registry)]) == 0
    assert "zoo-al" in capsys.readouterr().out
    assert (
        main(
            [
                "models",
                "add",
                "dss-new",
                "--kind",
                "trained",
                "--family",
                "dss",
                "--preset",
                "sample=tiny",
                "--species-aware",
                "--registry",
                str(registry),
            ]
        )
        == 0
    )
    text = registry.read_text()
    assert text.startswith("# my registry") and "slug: dss-new" in text
    from utr_assets.model_registry import load_registry

    assert load_registry(registry)["dss-new"].species_aware
    for bad in (["../../etc"], ["a/b"], ["dss-new"]):
        assert (
            main(
                ["models", "add", *bad, "--kind", "baseline", "--family", "kmer", "--registry", str(registry)]
            )
            == 2
        )
        err = capsys.readouterr().err
        assert "invalid model slug" in err or "already registered" in err
    assert registry.read_text() == text  # refused entries leave the file untouched


def test_plan_command_prints_the_paper_plan(capsys) -> None:
    assert main(["plan", "--profile", "paper"]) == 0
    text = capsys.readouterr().out
    for needle in (
        "Sources",
        "zoonomia_maf",
        "disk:",
        "GPU-hours",
        "Evaluation stage",
        "dnabert-3utr",
        "stsp-3utr-hs",
    ):
        assert needle in text
    assert main(["plan", "--profile", "paper", "--json"]) == 0
    plan = json.loads(capsys.readouterr().out)
    assert {m["slug"] for m in plan["models"]} >= {"nt-3utr", "zoo-al"}
