"""DNABERT-2 and DNABERT-6 against the publishers' code: golden files written by
scripts/golden/make_golden_dnabert.py (MosaicBERT ``bert_layers.py`` with its PyTorch attention, and stock
BertForMaskedLM, under transformers 4.29.2; 2 layers, hidden 48, seed 0, ``pytorch_model.bin``).

`models import` of each golden directory, then our classes reproduce the publisher's logits (64 stored
vocabulary columns plus the log-sum-exp over all of them) and last hidden states on every golden sequence
of a padded batch; embeddings equal the mean of the reference hidden states over real tokens; DNABERT-6
per-base probabilities equal the study's own procedure (scripts/dna_bert_eval.py) run on the publisher's
model; our tokenisers give the publishers' tokenizers' ids on every 3'UTR of the sample.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from transformers import AutoModelForMaskedLM, AutoTokenizer

from utr_assets.corpus.kmers import kmer_text
from utr_assets.corpus.tokeniser_loading import build_tokeniser, load_tokeniser
from utr_assets.models.checks import preset_parameters
from utr_assets.models.dnabert2_modeling import Dnabert2ForMaskedLM
from utr_assets.models.dnabert_import import dnabert2_tokeniser, publisher_dnabert_tokenizer
from utr_assets.models.importing import CheckpointImportError, import_checkpoint

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"
FAMILY = {"dnabert2": "dnabert2", "dnabert6": "dnabert"}
TOL = 1e-4


def _reference(name: str) -> tuple[dict[str, np.ndarray], dict]:
    with np.load(GOLDEN / name / "reference.npz") as data:
        arrays = {k: data[k] for k in data.files}
    return arrays, json.loads((GOLDEN / name / "reference.json").read_text())


@pytest.fixture(scope="module")
def imported(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("golden-dnabert")
    out = {}
    for name, family in FAMILY.items():
        result = import_checkpoint(str(GOLDEN / name), family, f"{name}-golden", root / name)
        # DNABERT-6: the position_ids buffer (checked to be 0..511) is the only weight dropped
        assert result.dropped == (["bert.embeddings.position_ids"] if name == "dnabert6" else [])
        out[name] = result.out_dir
    return out


@pytest.mark.parametrize("name", sorted(FAMILY))
def test_golden_import_reproduces_the_publishers_logits_and_hidden_states(imported, name) -> None:
    ref, meta = _reference(name)
    path = imported[name]
    assert (path / "model.safetensors").exists() and not list(path.glob("*.bin"))
    model = AutoModelForMaskedLM.from_pretrained(path).eval()
    assert type(model).__name__ == ("Dnabert2ForMaskedLM" if name == "dnabert2" else "BertForMaskedLM")
    assert sum(p.numel() for p in model.parameters()) == meta["parameters"]
    ids, att = ref["input_ids"].astype(np.int64), ref["attention_mask"].astype(np.int64)
    tok = load_tokeniser(path)
    for i, seq in enumerate(meta["sequences"]):  # our tokeniser gives the publisher tokenizer's ids
        assert (
            list(tok.prefix_ids) + tok.encode_batch([seq]).ids.tolist() + list(tok.suffix_ids)
            == meta["ids"][i]
        )
    with torch.no_grad():
        out = model(torch.from_numpy(ids), attention_mask=torch.from_numpy(att), output_hidden_states=True)
    real = att.astype(bool)
    logits = out.logits[torch.from_numpy(real)].double()
    rows = np.repeat(np.arange(len(ids)), real.sum(1))
    columns = logits[:, torch.from_numpy(ref["logit_columns"])].numpy()
    lse = torch.logsumexp(logits, dim=-1).numpy()
    hidden = out.hidden_states[-1][torch.from_numpy(real)].numpy()
    for i in range(len(ids)):  # every golden sequence, in a batch padded to the longest
        sel = rows == i
        assert np.abs(columns[sel] - ref["logits"][sel]).max() < TOL, (name, i)
        assert np.abs(lse[sel] - ref["logsumexp"][sel]).max() < TOL, (name, i)
        assert np.abs(hidden[sel] - ref["hidden"][sel]).max() < TOL, (name, i)
    if (
        name == "dnabert2"
    ):  # unpadded semantics: padded positions carry exactly zero, as the publisher's pad_input
        assert float(out.hidden_states[-1][torch.from_numpy(~real)].abs().max()) == 0.0


@pytest.mark.parametrize("name", sorted(FAMILY))
def test_golden_embeddings_are_the_mean_of_the_reference_hidden_states(imported, name) -> None:
    from utr_assets.scoring.loading import load_language_model_scorer

    ref, meta = _reference(name)
    scorer = load_language_model_scorer(imported[name], FAMILY[name], autocast=False)
    emb = scorer.embeddings(meta["sequences"])
    bounds = np.concatenate([[0], np.cumsum(ref["attention_mask"].sum(1))])
    for i in range(len(meta["sequences"])):
        # real tokens only: [CLS] (first) and [SEP] (last) and the padding left out
        expected = ref["hidden"][bounds[i] + 1 : bounds[i + 1] - 1].astype(np.float64).mean(0)
        assert np.abs(emb[i] - expected).max() < TOL, (name, i)


def test_golden_dnabert6_base_probabilities_equal_the_studys_procedure(imported) -> None:
    """Every position: the study masks the six 6-mers containing the base and reads the 4th base of the
    third one; at the first and last five bases it masks the first/last six 6-mers once for all five and
    reads the first/last 6-mer (docs/protocol.md §4), as our plan does."""
    from utr_assets.scoring.loading import load_language_model_scorer

    ref, meta = _reference("dnabert6")
    scorer = load_language_model_scorer(imported["dnabert6"], "dnabert", autocast=False)
    bounds = np.concatenate([[0], np.cumsum([len(s) for s in meta["sequences"]])])
    # one masked copy per base costs L forward passes of L tokens: the three shortest scorable sequences
    # (two with N; 446 bases) keep this test to seconds; the file holds the study's values for all eight
    seqs = meta["sequences"]
    picked = [i for i, s in enumerate(seqs) if "N" in s] + [
        min((i for i, s in enumerate(seqs) if "N" not in s and len(s) >= 50), key=lambda i: len(seqs[i]))
    ]
    probs = scorer.base_probabilities([meta["sequences"][i] for i in picked])
    assert len(picked) == 3 and sum(len(seqs[i]) for i in picked) == 446
    for got, i in zip(probs, picked, strict=True):
        seq, expected = meta["sequences"][i], ref["base_probabilities"][bounds[i] : bounds[i + 1]]
        # the study leaves out the mass on special tokens: renormalise (docs/protocol.md §4)
        study = expected / expected.sum(1, keepdims=True)
        assert got.shape == study.shape == (len(seq), 4)
        assert np.abs(got - study).max() < TOL, i


def test_golden_dnabert2_paper_preset_has_the_publishers_parameter_count() -> None:
    _, meta = _reference("dnabert2")  # DNABERT-2-117M from the fixture config, counted with bert_layers.py
    assert meta["paper_parameters"] == 117_074_176
    assert preset_parameters("dnabert2", "paper") == meta["paper_parameters"]
    with torch.device("meta"):
        from utr_assets import families

        fam = families.family("dnabert2")
        assert isinstance(fam.build_model(fam.build_config("paper")), Dnabert2ForMaskedLM)


@pytest.fixture(scope="module")
def sample_utrs() -> list[str]:
    from utr_assets.reference.annotation import read_annotation
    from utr_assets.reference.fasta import Genome
    from utr_assets.reference.utr3 import Utr3Selection, select_utr3_regions

    txs = read_annotation(SAMPLE / "annotation" / "genes.gtf.gz")
    table, _ = select_utr3_regions(
        txs, Genome(SAMPLE / "genome" / "genome.fa.gz"), Utr3Selection(), "genes.gtf.gz"
    )
    assert len(table) > 100
    golden = json.loads((GOLDEN / "dnabert2" / "reference.json").read_text())["sequences"]  # real, with N
    return [*table.sequence.tolist(), *golden]


def test_golden_dnabert6_tokeniser_equals_the_publishers_on_every_sample_utr(real: Path, sample_utrs) -> None:
    ours = build_tokeniser("dnabert")
    fixture = publisher_dnabert_tokenizer(real / "study_models" / "dnabert6")  # bert-config-6 vocab.txt
    auto = AutoTokenizer.from_pretrained(
        str(GOLDEN / "dnabert6")
    )  # the hub layout, as AutoTokenizer loads it
    batch = ours.encode_batch(sample_utrs)
    for i, seq in enumerate(sample_utrs):
        expected = fixture(kmer_text(seq))["input_ids"]
        assert expected == auto(kmer_text(seq))["input_ids"], i
        assert [*ours.prefix_ids, *batch.sequence(i)[0].tolist(), *ours.suffix_ids] == expected, i


def test_golden_dnabert2_tokeniser_from_the_checkpoint_equals_autotokenizer(real: Path, sample_utrs) -> None:
    source = real / "study_models" / "dnabert2"
    ours = dnabert2_tokeniser(source, type("C", (), {"vocab_size": 4096})())
    auto = AutoTokenizer.from_pretrained(str(source))  # tokenizer_config.json: PreTrainedTokenizerFast
    assert ours.hf.convert_ids_to_tokens([0, 1, 2, 3, 4]) == ["[UNK]", "[CLS]", "[SEP]", "[PAD]", "[MASK]"]
    assert (ours.hf.pad_token_id, ours.hf.mask_token_id) == (3, 4)
    batch = ours.encode_batch(sample_utrs)
    for i, seq in enumerate(sample_utrs):
        ids = batch.sequence(i)[0].tolist()
        assert [*ours.prefix_ids, *ids, *ours.suffix_ids] == auto(seq)["input_ids"], i
        if "N" not in seq:  # the published BPE has no N: each N is an [UNK]
            assert ours.decode(ids) == seq, i


def test_golden_dnabert_import_refuses_another_vocabulary_layout(tmp_path: Path) -> None:
    import shutil

    src = tmp_path / "src"
    shutil.copytree(GOLDEN / "dnabert6", src)
    lines = (src / "vocab.txt").read_text().splitlines()
    lines[5], lines[6] = lines[6], lines[5]
    (src / "vocab.txt").write_text("\n".join(lines) + "\n")
    with pytest.raises(CheckpointImportError, match=r"vocab.txt: line 6 is 'AAAAAT'.*'AAAAAA'"):
        import_checkpoint(str(src), "dnabert", "x", tmp_path / "out")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("name", sorted(FAMILY))
def test_golden_pickle_only_directories_load_only_through_import(name) -> None:
    from utr_assets.scoring.base import UnsafeCheckpointError
    from utr_assets.scoring.loading import load_hf_model

    with pytest.raises(UnsafeCheckpointError, match="pytorch_model.bin"):
        load_hf_model(GOLDEN / name)
