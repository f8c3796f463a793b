"""`utr-assets materialise ASSET [--partition KEY]`: the runs it plans from the asset graph and the store,
one cheap asset built with its upstream into a temporary store, and its argument errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from dagster import AssetKey, DagsterInstance

from utr_assets.cli import main
from utr_assets.definitions import build_definitions
from utr_assets.platform.materialise import materialise_asset, plan_runs
from utr_assets.platform.whole_graph import _sync_model_partitions
from utr_assets.settings import load_settings


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory):
    home = tmp_path_factory.mktemp("materialise")
    override = home / "override.yaml"
    override.write_text(f"storage:\n  root: {home / 'store'}\ncompute:\n  device: cpu\n")
    return home, override, build_definitions(load_settings("sample", override))


def test_plan_for_one_model_metric_on_an_empty_store(sample) -> None:
    _, _, defs = sample
    instance = DagsterInstance.ephemeral()
    _sync_model_partitions(instance, defs)
    runs = plan_runs(defs, AssetKey("mpra_metrics"), "kmer-counts", instance, exists=lambda key, part: False)
    labels = [r.label for r in runs]
    # the reference first, every chromosome's index and orthologs (the corpus reads all of them), then
    # the one model's chain; nothing of other models, and no task the metric does not read
    assert labels[0] == "gene_annotation, genome"
    assert labels[-1] == "tokenised_corpus, model_checkpoint, mpra_embeddings, mpra_metrics [kmer-counts]"
    assert [r.partition for r in runs if r.keys == (AssetKey("maf_index"),)] == ["chr1", "chr2", "chr3"]
    assert "utr3_regions, mpra_datasets" in labels and "pretraining_corpus" in labels
    assert not any("rbp_motif" in label or "variant" in label or "nt-3utr" in label for label in labels)
    # with the upstream present only the target runs
    assert [
        r.label
        for r in plan_runs(
            defs, AssetKey("mpra_metrics"), "kmer-counts", instance, exists=lambda key, part: True
        )
    ] == ["mpra_metrics [kmer-counts]"]


def test_materialise_builds_missing_upstream_then_only_the_target(sample) -> None:
    home, _, defs = sample
    instance = DagsterInstance.ephemeral()
    log: list[str] = []
    assert materialise_asset("utr3_regions", None, defs, log=log.append, instance=instance), log
    assert (home / "store" / "tables" / "utr3_regions.parquet").exists()
    assert (home / "store" / "handles" / "genome.json").exists()
    # one line per finished step with its duration
    assert any(line.strip().endswith("s  genome") or line.split("s  ")[-1] == "genome" for line in log), log
    assert log[0] == "2 run(s): gene_annotation, genome; utr3_regions"
    again: list[str] = []
    assert materialise_asset("utr3_regions", None, defs, log=again.append, instance=instance)
    assert again[0] == "1 run(s): utr3_regions"


def test_argument_errors_name_the_choices(sample, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    home, override, _ = sample
    monkeypatch.setenv("UTR_ASSETS_CONFIG", str(override))
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    cases = [
        (["materialise", "no_such_asset"], "unknown asset 'no_such_asset'; assets: gene_annotation"),
        (["materialise", "mpra_metrics"], "mpra_metrics needs --partition; partitions: "),
        (["materialise", "mpra_metrics", "--partition", "nope"], "has no partition 'nope'"),
        (["materialise", "genome", "--partition", "chr1"], "genome is not partitioned"),
    ]
    for argv, message in cases:
        assert main(argv) == 2
        assert message in capsys.readouterr().err
    assert not (Path(home) / "store" / "tables" / "mpra_metrics").exists()
