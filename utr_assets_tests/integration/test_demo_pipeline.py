"""The whole graph on the bundled sample, as `utr-assets demo` runs it, into a temporary store."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from dagster import DagsterInstance

from utr_assets.definitions import build_definitions
from utr_assets.platform.runner import materialise_everything
from utr_assets.settings import load_settings


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("demo")
    override = home / "override.yaml"
    override.write_text(f"storage:\n  root: {home / 'store'}\ncompute:\n  device: cpu\n")
    defs = build_definitions(load_settings("sample", override))
    log: list[str] = []
    failures = materialise_everything(log=log.append, instance=DagsterInstance.ephemeral(), defs=defs)
    assert failures == [], "\n".join(log)
    assert not [line for line in log if "check failed" in line and "(ERROR)" in line], log
    return home / "store"


def test_reference_and_alignments(demo_home: Path) -> None:
    regions = pd.read_parquet(demo_home / "tables" / "utr3_regions.parquet")
    assert len(regions) > 100 and set(regions.chrom) == {"chr1", "chr2", "chr3"}
    alignments = pd.concat(pd.read_parquet(p) for p in (demo_home / "tables" / "utr3_alignments").glob("*.parquet"))
    lengths = alignments.merge(regions[["utr_id", "length"]], on="utr_id")
    assert (lengths.aligned.str.len() == lengths.length).all()
    species = pd.read_parquet(demo_home / "tables" / "species.parquet")
    assert "Canis_lupus_familiaris" in set(species.species)


def test_corpus_split_and_tokenised_shards(demo_home: Path) -> None:
    corpus = json.loads((demo_home / "handles" / "pretraining_corpus.json").read_text())
    train = pd.concat(pd.read_parquet(h["uri"]) for h in corpus["train"])
    validation = pd.concat(pd.read_parquet(h["uri"]) for h in corpus["validation"])
    assert not set(train.gene_id) & set(validation.gene_id)
    assert train.species.nunique() > 30
    nt = json.loads((demo_home / "handles" / "tokenised_corpus" / "nt-3utr.json").read_text())
    assert nt["applicable"] and nt["vocab_size"] == 4107
    assert (Path(nt["tokenizer"]["uri"]) / "tokenizer_config.json").exists()
    baseline = json.loads((demo_home / "handles" / "tokenised_corpus" / "zoo-al.json").read_text())
    assert baseline["applicable"] is False
