"""Model registry: the bundled file validates; bad entries fail naming the file and the entry."""

from __future__ import annotations

from pathlib import Path

import pytest

from utr_assets.model_registry import load_registry
from utr_assets.settings import SettingsError


def test_bundled_registry_holds_the_study_models() -> None:
    registry = load_registry()
    assert {"dnabert-3utr", "dnabert2-3utr", "nt-3utr", "stsp-3utr", "stsp-3utr-sa", "zoo-al"} <= set(
        registry
    )
    assert registry["stsp-3utr-sa"].species_aware and registry["stsp-3utr-dna"].orientation == "dna"
    assert registry["nt-3utr"].preset("sample") == "tiny" and registry["nt-3utr"].preset("paper") == "paper"


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("{slug: Bad/Slug, kind: baseline, family: kmer}", r"'Bad/Slug'.*invalid model slug"),
        ("{slug: ../x, kind: baseline, family: kmer}", r"invalid model slug"),
        (
            "{slug: x, kind: baseline, family: gpt}",
            r"model 'x': family: .*unknown model family 'gpt'; known:",
        ),
        ("{slug: x, kind: baseline, family: stsp}", r"unknown model family 'stsp'"),  # one name: dss
        (
            "{slug: x, kind: trained, family: zoo_al, presets: {sample: tiny}}",
            r"a trained entry needs a language-model family; zoo_al is not one",
        ),
        ("{slug: x, kind: baseline, family: nt}", r"a baseline entry needs a baseline family; nt is not one"),
        ("{slug: x, kind: pretrained, family: nt, source: InstaDeepAI/nt}", r"needs `revision` pinned"),
        ("{slug: x, kind: trained, family: dnabert}", r"needs `presets`"),
        (
            "{slug: x, kind: baseline, family: kmer, trust_remote_code: true}",
            r"trust_remote_code only applies",
        ),
        (
            "{slug: x, kind: trained, family: nt, presets: {sample: tiny}, species_aware: true}",
            r"only the dss family",
        ),
        ("{slug: x, kind: baseline, family: kmer, colour: red}", r"colour: Extra inputs are not permitted"),
    ],
)
def test_bad_entries(tmp_path: Path, entry: str, message: str) -> None:
    path = tmp_path / "models.yaml"
    path.write_text(f"models:\n  - {entry}\n")
    with pytest.raises(SettingsError, match=message) as info:
        load_registry(path)
    assert str(path) in str(info.value)


def test_duplicates_and_pinned_hub_models(tmp_path: Path) -> None:
    path = tmp_path / "models.yaml"
    path.write_text(
        "models:\n  - {slug: a, kind: baseline, family: kmer}\n  - {slug: a, kind: baseline, family: kmer}\n"
    )
    with pytest.raises(SettingsError, match="listed twice"):
        load_registry(path)
    path.write_text(
        "models:\n  - {slug: nt-ms, kind: pretrained, family: nt, source: org/nt-v2,"
        f" revision: '{'a' * 40}'}}\n  - {{slug: local, kind: pretrained, family: nt, source: ./ckpt}}\n"
    )
    assert set(load_registry(path)) == {"nt-ms", "local"}


def test_include_merges_registries_and_refuses_cycles_and_duplicates(tmp_path: Path) -> None:
    base = tmp_path / "base.yaml"
    base.write_text("models:\n  - {slug: zoo-al, kind: baseline, family: zoo_al}\n")
    top = tmp_path / "top.yaml"
    top.write_text("include: [base.yaml]\nmodels:\n  - {slug: kmer-counts, kind: baseline, family: kmer}\n")
    assert list(load_registry(top)) == ["zoo-al", "kmer-counts"]
    top.write_text("include: [base.yaml]\nmodels:\n  - {slug: zoo-al, kind: baseline, family: zoo_al}\n")
    with pytest.raises(SettingsError, match="'zoo-al' is listed twice"):
        load_registry(top)
    base.write_text("include: [top.yaml]\nmodels: []\n")
    with pytest.raises(SettingsError, match="circular"):
        load_registry(top)
    top.write_text("includes: [base.yaml]\nmodels: []\n")
    with pytest.raises(SettingsError, match="unknown top-level key"):
        load_registry(top)


def test_paper_registry_adds_the_pinned_pretrained_comparators() -> None:
    from utr_assets.settings import PROJECT_ROOT

    paper = load_registry(PROJECT_ROOT / "data" / "models.paper.yaml")
    sample = load_registry(PROJECT_ROOT / "data" / "models.yaml")
    assert set(sample) < set(paper)
    pretrained = {s: e for s, e in paper.items() if e.kind == "pretrained"}
    assert set(pretrained) == {"dnabert-6", "dnabert2-117m", "nt-v2-100m-ms"}
    assert all(len(e.revision or "") == 40 for e in pretrained.values())
    assert not pretrained["dnabert-6"].trust_remote_code  # off unless the entry opts in
    for slug in (
        "dnabert-6",
        "dnabert2-117m",
        "nt-v2-100m-ms",
    ):  # written by `utr-assets models import`: no remote code
        assert pretrained[slug].source == f"./data/imported/{slug}" and not pretrained[slug].trust_remote_code
