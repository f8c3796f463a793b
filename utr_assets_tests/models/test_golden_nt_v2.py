"""NT-v2 against the publisher's code: golden files written by scripts/golden/make_golden_nt_v2.py (InstaDeep's
modeling_esm.py under transformers 4.32, reduced to 2 layers / hidden 64, seed 0, pytorch_model.bin).

`models import` of the golden directory, then our native class reproduces the publisher's logits and last
hidden states; per-base probabilities and embeddings equal those derived here from the reference arrays
(plain loops over the vocabulary strings); strictness and the pickle policy of the import.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
from transformers import AutoModelForMaskedLM

from utr_assets.corpus.tokeniser_loading import load_tokeniser
from utr_assets.models.checks import preset_parameters
from utr_assets.models.importing import CheckpointImportError, import_checkpoint, read_weights
from utr_assets.models.nt_import import config_from
from utr_assets.models.nt_v2_modeling import NtV2ForMaskedLM

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "nt_v2"
TOL = 1e-4


@pytest.fixture(scope="module")
def reference() -> dict[str, np.ndarray]:
    with np.load(GOLDEN / "golden_reference.npz") as data:
        return {k: data[k] for k in data.files}


@pytest.fixture(scope="module")
def imported(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("golden") / "nt-golden"
    result = import_checkpoint(str(GOLDEN), "nt", "nt-golden", out)
    # dropped on purpose (nt_import): ESM's contact head, and the rotary frequencies after checking them
    assert sorted(result.dropped) == [
        "esm.contact_head.regression.bias",
        "esm.contact_head.regression.weight",
        *(f"esm.encoder.layer.{i}.attention.self.rotary_embeddings.inv_freq" for i in range(2)),
    ]
    return out


def test_golden_import_writes_safetensors_and_our_class(imported: Path) -> None:
    names = {p.name for p in imported.iterdir()}
    assert "model.safetensors" in names and not any(n.endswith(".bin") for n in names)
    config = json.loads((imported / "config.json").read_text())
    assert config["model_type"] == "utr_nt_v2" and "auto_map" not in config
    assert isinstance(AutoModelForMaskedLM.from_pretrained(imported), NtV2ForMaskedLM)


def test_golden_logits_and_hidden_states_match_the_publisher(imported: Path, reference) -> None:
    model = AutoModelForMaskedLM.from_pretrained(imported).eval()
    tok = load_tokeniser(imported)
    ids, att = reference["input_ids"], reference["attention_mask"]
    for i, seq in enumerate(reference["sequences"]):  # our tokeniser = the publisher's EsmTokenizer
        assert [*tok.prefix_ids, *tok.encode_batch([str(seq)]).ids.tolist()] == ids[i][att[i] == 1].tolist()
    with torch.no_grad():
        out = model(torch.from_numpy(ids), attention_mask=torch.from_numpy(att), output_hidden_states=True)
    real = att.astype(bool)
    logits, hidden = out.logits.numpy()[real], out.hidden_states[-1].numpy()[real]
    rows = np.repeat(np.arange(len(ids)), real.sum(1))
    for i in range(len(ids)):  # every golden sequence, padded ones included
        assert np.abs(logits[rows == i] - reference["logits"][rows == i]).max() < TOL, i
        assert np.abs(hidden[rows == i] - reference["last_hidden"][rows == i]).max() < TOL, i


def _reference_base_probabilities(ids: np.ndarray, logits: np.ndarray, tokens: list[str]) -> np.ndarray:
    """Per nucleotide: its token's softmax summed over the tokens spelling base b at that offset (6-mers)
    or equal to the letter b (single letters, the letter N included), renormalised over ACGT."""
    rows = []
    for token_id, row in zip(ids[1:], logits[1:], strict=True):  # content tokens, <cls> dropped
        p = np.exp(row - row.max())
        p /= p.sum()
        text = tokens[token_id]
        for j in range(len(text)):
            w = np.zeros(4)
            for v, t in enumerate(tokens):
                if len(t) == len(text) and t[j] in "ACGT":
                    w["ACGT".index(t[j])] += p[v]
            rows.append(w / w.sum())
    return np.array(rows)


def test_golden_probabilities_and_embeddings_derive_from_the_reference(imported: Path, reference) -> None:
    from utr_assets.scoring import lm

    if "unmasked" not in lm.PROBABILITY_MODES:
        pytest.skip("the scorer has no single-pass (unmasked) probability mode to compare")
    tokens = (GOLDEN / "vocab.txt").read_text().splitlines()[:4107]
    model = AutoModelForMaskedLM.from_pretrained(imported)
    scorer = lm.LanguageModelScorer(
        model, load_tokeniser(imported), probability_mode="unmasked", autocast=False
    )
    seqs = [str(s) for s in reference["sequences"]]
    probs = scorer.base_probabilities(seqs)
    emb, _ = scorer.embeddings_and_loss(seqs)
    bounds = np.concatenate([[0], np.cumsum(reference["attention_mask"].sum(1))])
    for i, seq in enumerate(seqs):
        ref_logits = reference["logits"][bounds[i] : bounds[i + 1]].astype(np.float64)
        ids = reference["input_ids"][i][reference["attention_mask"][i] == 1]
        expected = _reference_base_probabilities(ids, ref_logits, tokens)
        assert expected.shape == (len(seq), 4)
        assert np.abs(probs[i] - expected).max() < TOL, i
        ref_emb = reference["last_hidden"][bounds[i] + 1 : bounds[i + 1]].mean(0)  # real tokens, no <cls>
        assert np.abs(emb[i] - ref_emb).max() < TOL, i


def test_golden_paper_preset_within_one_percent_of_the_publishers_nt_v2_100m() -> None:
    counts = json.loads((GOLDEN / "golden_publisher_parameters.json").read_text())["parameters"]
    publisher = counts["config_v2-100m.json"]
    ours = preset_parameters("nt", "paper")
    assert abs(ours - publisher) <= 0.01 * publisher, (ours, publisher)


def test_golden_publisher_configs_build_our_class_with_their_count_less_the_contact_head(real: Path) -> None:
    counts = json.loads((GOLDEN / "golden_publisher_parameters.json").read_text())["parameters"]
    for name, publisher in counts.items():
        published = json.loads((real / "study_models" / "nt_v2" / name).read_text())
        with torch.device("meta"):
            model = NtV2ForMaskedLM(config_from(published, real))
        contact_head = published["num_hidden_layers"] * published["num_attention_heads"] + 1
        assert sum(p.numel() for p in model.parameters()) == publisher - contact_head, name


def _copy_golden(tmp_path: Path, state: dict[str, torch.Tensor] | None = None) -> Path:
    """The golden directory's config and tokenizer files, with ``state`` as model.safetensors."""
    from safetensors.torch import save_file

    src = tmp_path / "src"
    src.mkdir(parents=True)
    for name in ("config.json", "vocab.txt", "tokenizer_config.json", "special_tokens_map.json"):
        shutil.copy(GOLDEN / name, src / name)
    if state is not None:
        save_file({k: v.contiguous() for k, v in state.items()}, src / "model.safetensors")
    return src


def test_golden_import_refuses_unused_and_missing_weights(tmp_path: Path) -> None:
    state, _ = read_weights(GOLDEN)
    extra = _copy_golden(tmp_path / "a", {**state, "esm.encoder.layer.0.extra.weight": torch.zeros(3)})
    with pytest.raises(CheckpointImportError, match=r"1 published weight\(s\) unused.*extra\.weight"):
        import_checkpoint(str(extra), "nt", "x", tmp_path / "out-a")
    missing = _copy_golden(
        tmp_path / "b", {k: v for k, v in state.items() if "layer.1.output.dense" not in k}
    )
    with pytest.raises(CheckpointImportError, match=r"1 of ours missing.*layer\.1\.output\.dense\.weight"):
        import_checkpoint(str(missing), "nt", "x", tmp_path / "out-b")
    assert not (tmp_path / "out-a").exists() and not (tmp_path / "out-b").exists()


def test_golden_import_reads_legacy_names_and_checks_derived_buffers(tmp_path: Path, reference) -> None:
    state, _ = read_weights(GOLDEN)
    ln = "esm.encoder.layer.0.attention.LayerNorm"
    legacy = {k: v for k, v in state.items() if not k.startswith(ln)}
    legacy |= {
        f"{ln}.gamma": state[f"{ln}.weight"],
        f"{ln}.beta": state[f"{ln}.bias"],
        "esm.embeddings.position_ids": torch.arange(128)[None],
    }
    out = tmp_path / "out"
    import_checkpoint(str(_copy_golden(tmp_path / "a", legacy)), "nt", "x", out)
    model = AutoModelForMaskedLM.from_pretrained(out).eval()
    with torch.no_grad():
        logits = model(
            torch.from_numpy(reference["input_ids"]),
            attention_mask=torch.from_numpy(reference["attention_mask"]),
        ).logits.numpy()
    assert np.abs(logits[reference["attention_mask"].astype(bool)] - reference["logits"]).max() < TOL
    bad = {**state, "esm.encoder.layer.0.attention.self.rotary_embeddings.inv_freq": torch.ones(8)}
    with pytest.raises(CheckpointImportError, match="rotary frequencies differ"):
        import_checkpoint(str(_copy_golden(tmp_path / "b", bad)), "nt", "x", tmp_path / "out-b")


class NotATensor:
    pass


def test_golden_pickle_only_directory_loads_only_through_import(tmp_path: Path) -> None:
    from utr_assets.scoring.base import UnsafeCheckpointError
    from utr_assets.scoring.loading import load_hf_model

    with pytest.raises(UnsafeCheckpointError):
        load_hf_model(GOLDEN)
    src = _copy_golden(tmp_path / "c")
    torch.save(
        {"esm.embeddings.word_embeddings.weight": torch.zeros(2), "x": NotATensor()},
        src / "pytorch_model.bin",
    )
    with pytest.raises(CheckpointImportError, match="pytorch_model.bin: not a plain tensor pickle"):
        import_checkpoint(str(src), "nt", "x", tmp_path / "out-c")
    torch.save(
        {"esm.embeddings.word_embeddings.weight": torch.zeros(2), "step": 3}, src / "pytorch_model.bin"
    )
    with pytest.raises(CheckpointImportError, match="pytorch_model.bin: not plain tensors.*'step'"):
        import_checkpoint(str(src), "nt", "x", tmp_path / "out-c")


def test_golden_cli_import_registers_a_scorable_entry(tmp_path: Path, capsys) -> None:
    from utr_assets.cli import main
    from utr_assets.model_registry import load_registry
    from utr_assets.scoring.loading import load_language_model_scorer

    registry = tmp_path / "models.yaml"
    registry.write_text("models:\n  - {slug: kmer, kind: baseline, family: kmer}\n")
    out = tmp_path / "imported" / "nt-golden"
    argv = [
        "models",
        "import",
        str(GOLDEN),
        "--family",
        "nt",
        "--slug",
        "nt-golden",
        "--out",
        str(out),
        "--register",
        "--registry",
        str(registry),
    ]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert (
        "dropped on purpose by the nt mapping" in printed and "esm.contact_head.regression.weight" in printed
    )
    entry = load_registry(registry)["nt-golden"]
    assert (entry.kind, entry.family, entry.trust_remote_code) == ("pretrained", "nt", False)
    assert Path(entry.source) == out.resolve()
    scorer = load_language_model_scorer(entry.source, "nt", name="nt-golden")
    assert isinstance(scorer.model, NtV2ForMaskedLM)
    assert main(argv) == 2 and "already exists" in capsys.readouterr().err  # no silent overwrite


def test_imported_nt_v2_scores_in_the_study_chunks(imported: Path, real, tmp_path: Path) -> None:
    """NT-v2's config says 2,050 positions; the study's nt_inference.py chunked at its --max_tok_len default.
    Without a configured context our scorer takes the study's chunk, not the config's."""
    import re

    from utr_assets.scoring.loading import load_language_model_scorer

    script = (real / "study_models" / "scripts" / "nt_inference.py").read_text()
    study = int(re.search(r'"--max_tok_len".*?default\s*=\s*(\d+)', script).group(1))
    published = tmp_path / "nt-v2-2050"  # the golden model as NT-v2's config sizes it (position table 2,050)
    shutil.copytree(imported, published, ignore=shutil.ignore_patterns("config.json", "*.safetensors"))
    config = NtV2ForMaskedLM.from_pretrained(imported).config
    config.max_position_embeddings = 2050
    NtV2ForMaskedLM(config).save_pretrained(published)
    assert load_language_model_scorer(published, "nt").spec.context == study == 1024
    assert load_language_model_scorer(published, "nt", context=64).spec.context == 64  # settings win
    assert load_language_model_scorer(imported, "nt").spec.context == 128  # a smaller model keeps its own
